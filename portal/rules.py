"""Permission predicates of the organisation app (django-rules).

The same predicates guard the views, hide the buttons ({% has_perm %}) and are unit-tested on
unsaved objects. Seeing an object is answered by the selectors (outside scope = 404); these
rules answer what a user may do with an object they can see.
"""

import rules

from portal.access import scope_of
from portal.enums import Role


def _role_predicate(role: str, name: str):
    @rules.predicate(name=name)
    def check(user) -> bool:
        return scope_of(user).has(role)

    return check


is_staff_member = _role_predicate(Role.STAFF, "is_staff_member")
is_unit_leader = _role_predicate(Role.UNIT_LEADER, "is_unit_leader")
is_emulation_officer = _role_predicate(Role.EMULATION_OFFICER, "is_emulation_officer")
is_plan_coordinator = _role_predicate(Role.PLAN_COORDINATOR, "is_plan_coordinator")
is_council_member = _role_predicate(Role.COUNCIL_MEMBER, "is_council_member")
is_system_admin = _role_predicate(Role.SYSTEM_ADMIN, "is_system_admin")
has_any_role = (
    is_staff_member | is_unit_leader | is_emulation_officer | is_plan_coordinator | is_council_member | is_system_admin
)


@rules.predicate
def unit_in_scope(user, unit) -> bool:
    return scope_of(user).reaches_unit(unit)


@rules.predicate
def leads_unit(user, unit) -> bool:
    return scope_of(user).leads_unit(unit)


@rules.predicate
def person_in_scope(user, person) -> bool:
    return person is not None and scope_of(user).reaches_unit(person.unit)


@rules.predicate
def leads_person_unit(user, person) -> bool:
    return person is not None and scope_of(user).leads_unit(person.unit)


@rules.predicate
def is_self(user, person) -> bool:
    return person is not None and person.user_id is not None and person.user_id == user.pk


rules.add_perm("portal.use_portal", rules.is_authenticated & has_any_role)
rules.add_perm("portal.view_unit", unit_in_scope)
rules.add_perm("portal.change_unit", is_system_admin)
rules.add_perm("portal.view_person", person_in_scope | is_self)
rules.add_perm("portal.change_person", is_system_admin | leads_person_unit)
rules.add_perm("portal.view_cluster", has_any_role)
rules.add_perm("portal.view_auditlog", is_system_admin)
rules.add_perm("portal.view_admin_dashboard", is_system_admin)
