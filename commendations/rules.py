"""Permission predicates of the commendation app (django-rules).

Seeing a person, a unit or their history is the selectors' job (outside the user's scope = 404):
a unit never sees another unit's people; emulation officers, council members and admins see the
whole ministry. These rules answer what a user may do with what they can see.
"""

import rules

from commendations.enums import (
    COUNCIL_VISIBLE_STATES,
    OFFICER_VISIBLE_STATES,
    UNIT_EDITABLE_STATES,
    DossierState,
    MeetingState,
)
from office.rules import leads, works_for
from portal.rules import (
    is_council_member,
    is_emulation_officer,
    is_self,
    is_system_admin,
    person_in_scope,
    unit_in_scope,
)

runs_commendations = is_emulation_officer | is_system_admin

# Like the other areas' list pages, the catalogue and the eligibility form open to any signed-in user;
# what they show of people and units is scoped by the selectors (a user without a role sees none).
rules.add_perm("commendations.view_catalogue", rules.is_authenticated)
# The catalogue's descriptive fields; the rule versions (JSON) are edited in a later stage.
rules.add_perm("commendations.change_award", runs_commendations)
rules.add_perm("commendations.view_person_history", person_in_scope | is_self)
rules.add_perm("commendations.view_unit_history", unit_in_scope)
rules.add_perm("commendations.check_eligibility", rules.is_authenticated)
rules.add_perm("commendations.import_history", runs_commendations)
# Suy tôn: which unit each cluster elected for the Cờ thi đua (recorded by the standing body).
rules.add_perm("commendations.manage_elections", runs_commendations)
rules.add_perm("commendations.view_elections", runs_commendations | is_council_member)


# --- Dossiers ----------------------------------------------------------------------------------------
# Who sees a dossier is commendations.selectors.dossiers_visible_to (404 outside it): the proposing
# unit's people in every state; the standing body once the unit has let go of it (never a unit's
# draft); council members once it has been sent to the council. The predicates below say what a
# user may do with a dossier they can see; each takes the Dossier.


@rules.predicate
def works_for_dossier_unit(user, dossier) -> bool:
    return dossier is not None and works_for(user, dossier.unit)


@rules.predicate
def leads_dossier_unit(user, dossier) -> bool:
    return dossier is not None and leads(user, dossier.unit)


def _state_in(*states):
    @rules.predicate(name=f"dossier_state_in_{'_'.join(states)}")
    def check(user, dossier) -> bool:
        return dossier is not None and dossier.state in states

    return check


dossier_is_editable = _state_in(*UNIT_EDITABLE_STATES)
dossier_is_submitted = _state_in(DossierState.SUBMITTED)
dossier_awaits_appraisal = _state_in(DossierState.APPROVED, DossierState.APPRAISAL)
dossier_in_appraisal = _state_in(DossierState.APPRAISAL)
dossier_before_council = _state_in(DossierState.COUNCIL)
dossier_is_voted = _state_in(DossierState.VOTED)
dossier_in_public_comment = _state_in(DossierState.PUBLIC_COMMENT)
dossier_officer_visible = _state_in(*OFFICER_VISIBLE_STATES)
dossier_council_visible = _state_in(*COUNCIL_VISIBLE_STATES)


@rules.predicate
def meeting_is_open(user, meeting) -> bool:
    return meeting is not None and meeting.state == MeetingState.OPEN


view_dossier = (
    works_for_dossier_unit
    | (runs_commendations & dossier_officer_visible)
    | (is_council_member & dossier_council_visible)
)
rules.add_perm("commendations.view_dossier", view_dossier)
# Staff of the unit (and its leaders) create dossiers; the unit is checked by the service.
rules.add_perm("commendations.create_dossier", rules.is_authenticated)
rules.add_perm("commendations.edit_dossier", works_for_dossier_unit & dossier_is_editable)
rules.add_perm("commendations.delete_dossier", works_for_dossier_unit & _state_in(DossierState.DRAFT))
rules.add_perm("commendations.submit_dossier", works_for_dossier_unit & dossier_is_editable)
rules.add_perm("commendations.approve_dossier", leads_dossier_unit & dossier_is_submitted)
rules.add_perm("commendations.send_back_dossier", leads_dossier_unit & dossier_is_submitted)
rules.add_perm("commendations.appraise_dossier", runs_commendations & dossier_awaits_appraisal)
rules.add_perm("commendations.return_dossier", runs_commendations & dossier_in_appraisal)
rules.add_perm("commendations.send_to_council", runs_commendations & dossier_in_appraisal)
rules.add_perm("commendations.reject_dossier", runs_commendations & (dossier_in_appraisal | dossier_is_voted))
rules.add_perm("commendations.open_public_comments", runs_commendations & dossier_is_voted)
rules.add_perm("commendations.close_public_comments", runs_commendations & dossier_in_public_comment)
rules.add_perm("commendations.decide_dossier", runs_commendations & dossier_is_voted)
# The council: officers run meetings and record the tallies; members see them.
rules.add_perm("commendations.manage_meetings", runs_commendations)
rules.add_perm("commendations.view_meetings", runs_commendations | is_council_member)
rules.add_perm("commendations.record_votes", runs_commendations & meeting_is_open)
rules.add_perm("commendations.manage_decisions", runs_commendations)
# Calibrating the certificate blanks and printing certificates.
rules.add_perm("commendations.manage_certificates", runs_commendations)
rules.add_perm("commendations.view_decisions", runs_commendations | is_council_member)
# Registration of target titles at the start of the year: the unit's people (checked per unit by
# the service); the standing body sees every unit's registrations.
rules.add_perm("commendations.register_titles", rules.is_authenticated)
rules.add_perm("commendations.view_all_registrations", runs_commendations | is_council_member)
