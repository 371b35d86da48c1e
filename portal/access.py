"""Who a user is in the portal: their roles and the units their roles reach.

Grants are read once per request and kept on the user object, so every permission check and
selector in one request costs a single query.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from portal.enums import MINISTRY_WIDE_ROLES, Role
from portal.models import RoleGrant, Unit


@dataclass(frozen=True)
class Scope:
    """The roles a user holds and the units each unit-scoped role reaches."""

    roles: frozenset[str] = frozenset()
    ministry_wide: bool = False
    staff_unit_ids: frozenset[int] = frozenset()
    leader_paths: tuple[str, ...] = ()
    leader_unit_ids: frozenset[int] = frozenset()
    units: tuple[Unit, ...] = field(default=())

    def has(self, role: str) -> bool:
        return role in self.roles

    def reaches_unit(self, unit: Unit | None) -> bool:
        """True when the unit is inside this scope (own unit for staff, sub-tree for leaders)."""
        if unit is None:
            return False
        if self.ministry_wide:
            return True
        return unit.pk in self.staff_unit_ids or any(unit.path.startswith(p) for p in self.leader_paths)

    def leads_unit(self, unit: Unit | None) -> bool:
        """True when one of the user's leader grants covers the unit (or the user is an admin)."""
        if unit is None:
            return False
        if Role.SYSTEM_ADMIN in self.roles:
            return True
        return any(unit.path.startswith(p) for p in self.leader_paths)

    def unit_filter(self, prefix: str = "") -> Q:
        """A Q object selecting rows whose unit is in scope; `prefix` leads to the unit field."""
        if self.ministry_wide:
            return Q()
        condition = Q(**{f"{prefix}id__in": list(self.staff_unit_ids)})
        for path in self.leader_paths:
            condition |= Q(**{f"{prefix}path__startswith": path})
        return condition


EMPTY_SCOPE = Scope()


def scope_of(user) -> Scope:
    """The user's scope, computed once per user object (one query)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return EMPTY_SCOPE
    cached = getattr(user, "_portal_scope", None)
    if cached is not None:
        return cached
    grants = list(RoleGrant.objects.filter(user=user).select_related("unit"))
    roles = {g.role for g in grants}
    if user.is_superuser:
        roles.add(Role.SYSTEM_ADMIN)
    units = tuple({g.unit.pk: g.unit for g in grants if g.unit is not None}.values())
    scope = Scope(
        roles=frozenset(roles),
        ministry_wide=bool(roles & MINISTRY_WIDE_ROLES),
        staff_unit_ids=frozenset(g.unit_id for g in grants if g.role == Role.STAFF and g.unit_id),
        leader_paths=tuple(g.unit.path for g in grants if g.role == Role.UNIT_LEADER and g.unit_id),
        leader_unit_ids=frozenset(g.unit_id for g in grants if g.role == Role.UNIT_LEADER and g.unit_id),
        units=units,
    )
    user._portal_scope = scope
    return scope


def forget_scope(user) -> None:
    """Drop the cached scope after the user's grants change."""
    if hasattr(user, "_portal_scope"):
        del user._portal_scope
