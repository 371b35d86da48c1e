"""Read functions of the organisation app, always scoped to the user who asks."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q, QuerySet

from portal.access import scope_of
from portal.models import AuditLog, ClusterMembership, EmulationCluster, Notification, Person, Unit
from portal.text import search_terms


def _name_search(queryset: QuerySet, query: str | None) -> QuerySet:
    """Keep rows whose folded name has every query word at the start of one of its words."""
    for term in search_terms(query):
        queryset = queryset.filter(Q(search_text__startswith=term) | Q(search_text__contains=f" {term}"))
    return queryset


def units_visible_to(user) -> QuerySet[Unit]:
    scope = scope_of(user)
    if not scope.roles:
        return Unit.objects.none()
    return Unit.objects.filter(scope.unit_filter())


def people_visible_to(user) -> QuerySet[Person]:
    """People in the user's scope, plus the user's own record whatever their roles."""
    if not getattr(user, "is_authenticated", False):
        return Person.objects.none()
    scope = scope_of(user)
    if scope.ministry_wide:
        return Person.objects.all()
    if not scope.roles:
        return Person.objects.filter(user=user)
    return Person.objects.filter(scope.unit_filter("unit__") | Q(user=user))


def unit_search(*, user, query: str | None = None, active_only: bool = False) -> QuerySet[Unit]:
    units = _name_search(units_visible_to(user), query).select_related("parent")
    if active_only:
        units = units.filter(is_active=True)
    return units.annotate(people_count=Count("people", filter=Q(people__is_active=True))).order_by("path")


def person_search(
    *, user, query: str | None = None, unit: Unit | None = None, include_sub_units: bool = True
) -> QuerySet[Person]:
    """People the user may see, matching the query with or without diacritics, Vietnamese order."""
    people = _name_search(people_visible_to(user), query)
    if unit is not None:
        people = people.filter(unit__path__startswith=unit.path) if include_sub_units else people.filter(unit=unit)
    return people.select_related("unit").order_by("sort_key", "id")


def clusters_for_year(*, year: int) -> QuerySet[EmulationCluster]:
    return (
        EmulationCluster.objects.filter(is_active=True)
        .annotate(unit_count=Count("memberships", filter=Q(memberships__year=year)))
        .order_by("code")
    )


def cluster_members(*, cluster: EmulationCluster, year: int) -> QuerySet[ClusterMembership]:
    return cluster.memberships.filter(year=year).select_related("unit").order_by("-is_head", "unit__sort_key")


def cluster_years(*, cluster: EmulationCluster) -> list[int]:
    return list(cluster.memberships.values_list("year", flat=True).distinct().order_by("-year"))


def units_without_cluster(*, year: int) -> QuerySet[Unit]:
    """Active units (below the ministry itself) that have no cluster seat in the year."""
    return (
        Unit.objects.filter(is_active=True, parent__isnull=False)
        .exclude(cluster_memberships__year=year)
        .order_by("sort_key")
    )


def person_memberships(*, person: Person):
    return person.memberships.select_related("unit").order_by("-start_date")


def person_unit_in_year(*, person: Person, year: int) -> Unit | None:
    """The unit a person belonged to at the end of the year (or when they left during it)."""
    end = date(year, 12, 31)
    membership = (
        person.memberships.filter(start_date__lte=end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=date(year, 1, 1)))
        .select_related("unit")
        .order_by("-start_date")
        .first()
    )
    return membership.unit if membership else None


def unit_headcount(*, unit: Unit) -> dict[str, int]:
    """Active people of the unit's sub-tree, in all and by gender."""
    return Person.objects.filter(unit__path__startswith=unit.path, is_active=True).aggregate(
        total=Count("id"),
        female=Count("id", filter=Q(gender="female")),
        male=Count("id", filter=Q(gender="male")),
    )


def sub_units_with_headcount(*, unit: Unit) -> QuerySet[Unit]:
    return unit.children.annotate(people_count=Count("people", filter=Q(people__is_active=True))).order_by(
        "sort_key"
    )


def notifications_for(*, user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def unread_notification_count(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def audit_entries(*, action_prefix: str | None = None) -> QuerySet[AuditLog]:
    entries = AuditLog.objects.select_related("actor__person", "content_type").order_by("-created_at", "-id")
    if action_prefix:
        entries = entries.filter(action__startswith=action_prefix)
    return entries


def unit_users(unit: Unit) -> list:
    """The logins who hear about their unit's records (a dossier's steps): the unit's staff and
    leaders, and the leaders of the units above it."""
    from django.contrib.auth import get_user_model

    from portal.enums import Role

    found = {
        user.pk: user
        for user in get_user_model().objects.filter(
            is_active=True, role_grants__unit=unit, role_grants__role__in=[Role.STAFF, Role.UNIT_LEADER]
        )
    }
    found.update((user.pk, user) for user in leaders_of(unit))
    return list(found.values())


def leaders_of(unit: Unit) -> list:
    """Active users holding a leader grant on the unit or on a unit above it."""
    from django.contrib.auth import get_user_model

    from portal.enums import Role

    parts = unit.path.strip("/").split("/")
    ancestor_paths = ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    return list(
        get_user_model()
        .objects.filter(
            is_active=True, role_grants__role=Role.UNIT_LEADER, role_grants__unit__path__in=ancestor_paths
        )
        .distinct()
    )
