"""Permission predicates of the emulation app.

Units score themselves (staff enter, the leader submits); the emulation officers (standing body)
build schemes, run campaigns and appraise; council members and officers see results before they
are published, everyone after.
"""

import rules

from emulation.enums import CampaignState, ScorecardState
from office.rules import leads, works_for
from portal.access import scope_of
from portal.rules import has_any_role, is_council_member, is_emulation_officer, is_system_admin

runs_emulation = is_emulation_officer | is_system_admin


@rules.predicate
def campaign_is_open(user, scorecard) -> bool:
    return scorecard is not None and scorecard.campaign.state == CampaignState.OPEN


@rules.predicate
def campaign_in_appraisal(user, scorecard) -> bool:
    return scorecard is not None and scorecard.campaign.state == CampaignState.APPRAISAL


@rules.predicate
def scorecard_is_draft(user, scorecard) -> bool:
    return scorecard is not None and scorecard.state == ScorecardState.DRAFT


@rules.predicate
def scorecard_in_appraisal(user, scorecard) -> bool:
    return scorecard is not None and scorecard.state in (ScorecardState.SUBMITTED, ScorecardState.APPRAISED)


@rules.predicate
def scorecard_awaits_response(user, scorecard) -> bool:
    return scorecard is not None and scorecard.state == ScorecardState.APPRAISED


@rules.predicate
def works_for_scorecard_unit(user, scorecard) -> bool:
    return scorecard is not None and works_for(user, scorecard.unit)


@rules.predicate
def leads_scorecard_unit(user, scorecard) -> bool:
    return scorecard is not None and leads(user, scorecard.unit)


@rules.predicate
def results_published(user, campaign) -> bool:
    return campaign is not None and campaign.state == CampaignState.PUBLISHED


@rules.predicate
def campaign_is_draft(user, campaign) -> bool:
    return campaign is not None and campaign.state == CampaignState.DRAFT


@rules.predicate
def sees_whole_ministry(user) -> bool:
    return scope_of(user).ministry_wide


rules.add_perm("emulation.manage_schemes", runs_emulation)
rules.add_perm("emulation.manage_campaigns", runs_emulation)
rules.add_perm("emulation.view_campaign", has_any_role)
rules.add_perm("emulation.register", campaign_is_draft & has_any_role)
rules.add_perm("emulation.edit_scorecard", campaign_is_open & scorecard_is_draft & works_for_scorecard_unit)
rules.add_perm("emulation.submit_scorecard", campaign_is_open & scorecard_is_draft & leads_scorecard_unit)
rules.add_perm("emulation.appraise_scorecard", campaign_in_appraisal & scorecard_in_appraisal & runs_emulation)
rules.add_perm("emulation.respond_scorecard", campaign_in_appraisal & scorecard_awaits_response & works_for_scorecard_unit)
rules.add_perm("emulation.finalise_scorecard", campaign_in_appraisal & scorecard_awaits_response & runs_emulation)
rules.add_perm("emulation.view_results", results_published & has_any_role | runs_emulation | is_council_member)
