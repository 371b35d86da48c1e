"""Permission predicates of the commendation app (django-rules).

Seeing a person, a unit or their history is the selectors' job (outside the user's scope = 404):
a unit never sees another unit's people; emulation officers, council members and admins see the
whole ministry. These rules answer what a user may do with what they can see.
"""

import rules

from portal.rules import (
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
