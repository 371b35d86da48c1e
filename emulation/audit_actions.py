"""Audit sentences and notification kinds of the emulation app."""

from django.utils.translation import gettext_lazy as _

from emulation.enums import CampaignState, ScorecardState
from portal.audit import register_actions
from portal.display import register_param_display
from portal.notifications import register_kinds

register_actions(
    {
        "emulation.scheme.created": _("%(actor)s created the scoring scheme %(object)s"),
        "emulation.scheme.cloned": _("%(actor)s created the scoring scheme %(object)s as a copy of %(source)s"),
        "emulation.scheme.imported": _("%(actor)s imported the scoring scheme %(object)s"),
        "emulation.scheme.changed": _("%(actor)s changed the scoring scheme %(object)s"),
        "emulation.scheme.frozen": _("%(actor)s froze the scoring scheme %(object)s"),
        "emulation.campaign.created": _("%(actor)s created the campaign %(object)s"),
        "emulation.campaign.changed": _("%(actor)s changed the campaign %(object)s"),
        "emulation.campaign.transition": _("%(actor)s moved the campaign %(object)s from “%(previous_state)s” to “%(state)s”"),
        "emulation.registration.saved": _("%(actor)s registered %(object)s for the target “%(target)s”"),
        "emulation.scorecard.saved": _("%(actor)s saved the self-scores of %(object)s"),
        "emulation.scorecard.submitted": _("%(actor)s submitted the scorecard %(object)s"),
        "emulation.scorecard.line_appraised": _("%(actor)s appraised line %(line)s of %(object)s: %(old)s → %(new)s"),
        "emulation.scorecard.appraised": _("%(actor)s sent the appraisal of %(object)s to the unit"),
        "emulation.scorecard.responded": _("%(actor)s explained line %(line)s of %(object)s"),
        "emulation.scorecard.finalised": _("%(actor)s finalised the appraisal of %(object)s"),
    }
)


def _label(choices):
    return lambda value: choices(value).label if value in choices.values else value


register_param_display({"previous_state": _label(CampaignState), "state": _label(CampaignState)})
register_param_display({"scorecard_state": _label(ScorecardState)})
register_kinds(
    {
        "emulation.campaign.opened": (
            _("Self-scoring is open: %(campaign)s"),
            _("The campaign “%(campaign)s” is open for self-scoring. Enter your unit's scores and evidence."),
        ),
        "emulation.scorecard.submitted": (
            _("Scorecard submitted: %(unit)s"),
            _("%(actor)s submitted the scorecard of %(unit)s in “%(campaign)s” for appraisal."),
        ),
        "emulation.scorecard.appraised": (
            _("Your scorecard was appraised"),
            _("The appraisal of %(unit)s in “%(campaign)s” changed %(changed)s lines. You may respond until %(deadline)s."),
        ),
        "emulation.campaign.published": (
            _("Results published: %(campaign)s"),
            _("The results of the campaign “%(campaign)s” are published."),
        ),
    }
)
