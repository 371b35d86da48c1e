"""Permission predicates, checked on unsaved objects with a scope set by hand (no database)."""

import rules
from django.contrib.auth.models import AnonymousUser, User

from portal.access import Scope, scope_of
from portal.enums import Role
from portal.models import Person, Unit

HOME = Unit(pk=2, code="STP-HN", path="/BTP/STP-HN/")
HOME_CHILD = Unit(pk=3, code="VP", path="/BTP/STP-HN/VP/")
OTHER = Unit(pk=4, code="STP-HP", path="/BTP/STP-HP/")


def user_with_scope(**scope) -> User:
    user = User(pk=10, username="u", is_active=True)
    user._portal_scope = Scope(**scope)
    return user


def staff_of_home():
    return user_with_scope(roles=frozenset({Role.STAFF}), staff_unit_ids=frozenset({HOME.pk}))


def leader_of_home():
    return user_with_scope(
        roles=frozenset({Role.UNIT_LEADER}), leader_paths=(HOME.path,), leader_unit_ids=frozenset({HOME.pk})
    )


def officer():
    return user_with_scope(roles=frozenset({Role.EMULATION_OFFICER}), ministry_wide=True)


def admin():
    return user_with_scope(roles=frozenset({Role.SYSTEM_ADMIN}), ministry_wide=True)


def test_staff_sees_own_unit_only():
    user = staff_of_home()
    assert rules.has_perm("portal.view_unit", user, HOME) is True
    assert rules.has_perm("portal.view_unit", user, HOME_CHILD) is False
    assert rules.has_perm("portal.view_unit", user, OTHER) is False


def test_leader_sees_sub_units_but_not_siblings():
    user = leader_of_home()
    assert rules.has_perm("portal.view_unit", user, HOME_CHILD) is True
    assert rules.has_perm("portal.view_unit", user, OTHER) is False


def test_leader_path_prefix_does_not_match_longer_sibling_code():
    # "/BTP/STP-H/" must not reach "/BTP/STP-HN/": paths end with a slash for this reason.
    user = user_with_scope(roles=frozenset({Role.UNIT_LEADER}), leader_paths=("/BTP/STP-H/",))
    assert rules.has_perm("portal.view_unit", user, HOME) is False


def test_only_leaders_of_the_unit_and_admins_change_people():
    person = Person(unit=HOME_CHILD, full_name="Nguyễn Anh Tuấn")
    assert rules.has_perm("portal.change_person", leader_of_home(), person) is True
    assert rules.has_perm("portal.change_person", staff_of_home(), person) is False
    assert rules.has_perm("portal.change_person", officer(), person) is False
    assert rules.has_perm("portal.change_person", admin(), person) is True
    assert rules.has_perm("portal.change_person", leader_of_home(), Person(unit=OTHER)) is False


def test_person_may_view_own_record_without_role():
    user = user_with_scope()
    assert rules.has_perm("portal.view_person", user, Person(unit=OTHER, user=user)) is True
    assert rules.has_perm("portal.view_person", user, Person(unit=OTHER)) is False


def test_audit_log_is_for_admins_only():
    assert rules.has_perm("portal.view_auditlog", admin()) is True
    assert rules.has_perm("portal.view_auditlog", officer()) is False
    assert rules.has_perm("portal.view_auditlog", leader_of_home()) is False


def test_users_without_roles_cannot_use_cluster_pages():
    assert rules.has_perm("portal.view_cluster", user_with_scope()) is False
    assert rules.has_perm("portal.view_cluster", staff_of_home()) is True


def test_anonymous_and_inactive_users_have_empty_scope():
    assert scope_of(AnonymousUser()).roles == frozenset()
    inactive = User(pk=11, username="gone", is_active=False)
    assert scope_of(inactive).roles == frozenset()
    assert rules.has_perm("portal.view_cluster", inactive) is False
