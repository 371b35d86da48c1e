"""Read functions of the commendation app: the catalogue with its rule versions, the
commendation timeline (awards, ratings, initiatives, holds) of a person or a unit, and the dossiers
a user may see.

People and units come from the portal selectors, scoped to the user; every function here reads a
fixed number of queries whatever the length of the history.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from commendations.enums import COUNCIL_VISIBLE_STATES, OFFICER_VISIBLE_STATES, AwardKind
from commendations.histories import engine_rule
from commendations.models import Award, AwardRecord, AwardRule, Dossier, Hold, Initiative, Rating
from portal.access import scope_of
from portal.enums import Role
from portal.models import Person, Unit


def award_names() -> dict[str, str]:
    """Award code → name, for sentences that name awards (one query)."""
    return dict(Award.objects.values_list("code", "name"))


def catalogue() -> QuerySet[Award]:
    """Every award with its rule versions and their legal bases (two queries)."""
    return Award.objects.order_by("position", "code").prefetch_related(
        Prefetch("rules", queryset=AwardRule.objects.select_related("legal_basis").order_by("subject", "-effective_from"))
    )


def award_rules(award: Award) -> list[tuple[AwardRule, object]]:
    """The award's rule versions, newest first, each with its engine rule tree."""
    rows = award.rules.select_related("legal_basis", "award").order_by("subject", "-effective_from")
    return [(row, engine_rule(row).rule) for row in rows]


def eligibility_awards() -> QuerySet[Award]:
    """Awards the eligibility page offers: active ones that have at least one rule version."""
    return Award.objects.filter(is_active=True).annotate(rule_count=Count("rules")).filter(rule_count__gt=0).order_by(
        "position", "code"
    )


# --- Timelines -------------------------------------------------------------------------------------


@dataclass
class TimelineYear:
    """One year of a timeline: the rating, merit awards, the other awards (campaign, ad hoc…) and
    the initiatives recognised that year."""

    year: int
    ratings: list[Rating] = field(default_factory=list)
    merit: list[AwardRecord] = field(default_factory=list)
    other: list[AwardRecord] = field(default_factory=list)
    initiatives: list[Initiative] = field(default_factory=list)
    member_titles: list[dict] = field(default_factory=list)


@dataclass
class Timeline:
    years: list[TimelineYear]
    holds: list[Hold]
    record_count: int

    @property
    def is_empty(self) -> bool:
        return self.record_count == 0


def _timeline(awards, ratings, initiatives, holds, member_titles=()) -> Timeline:
    years: dict[int, TimelineYear] = {}

    def year_row(year: int) -> TimelineYear:
        if year not in years:
            years[year] = TimelineYear(year)
        return years[year]

    for record in awards:
        (year_row(record.year).merit if record.kind == AwardKind.MERIT else year_row(record.year).other).append(record)
    for rating in ratings:
        year_row(rating.year).ratings.append(rating)
    for initiative in initiatives:
        year_row(initiative.year).initiatives.append(initiative)
    for row in member_titles:
        year_row(row["year"]).member_titles.append(row)
    holds = list(holds)
    count = len(awards) + len(ratings) + len(initiatives) + len(holds)
    return Timeline(years=[years[year] for year in sorted(years, reverse=True)], holds=holds, record_count=count)


def _award_records() -> QuerySet[AwardRecord]:
    return AwardRecord.objects.select_related("award").order_by("-year", "award__position", "pk")


def person_timeline(person: Person) -> Timeline:
    """A person's whole commendation history, by year (five queries)."""
    awards = list(_award_records().filter(person=person))
    ratings = list(Rating.objects.filter(person=person).order_by("-year"))
    initiatives = list(
        person.initiatives.select_related("consumed_by__award", "consumed_by__person", "consumed_by__unit")
        .prefetch_related(Prefetch("authors", queryset=Person.objects.order_by("sort_key", "pk")))
        .order_by("-year", "title", "pk")
    )
    holds = list(Hold.objects.filter(person=person).order_by("-start"))
    return _timeline(awards, ratings, initiatives, holds)


def unit_timeline(unit: Unit) -> Timeline:
    """A collective's own history by year, with how many of its members (unit and sub-units)
    received each merit title that year (four queries)."""
    awards = list(_award_records().filter(unit=unit))
    ratings = list(Rating.objects.filter(unit=unit).order_by("-year"))
    holds = list(Hold.objects.filter(unit=unit).order_by("-start"))
    member_titles = list(
        AwardRecord.objects.filter(person__unit__path__startswith=unit.path, kind=AwardKind.MERIT)
        .values("year", "award__code", "award__name", "award__position")
        .annotate(count=Count("pk"))
        .order_by("-year", "award__position")
    )
    return _timeline(awards, ratings, [], holds, member_titles)



# --- Dossiers ----------------------------------------------------------------------------------------


def dossiers_visible_to(user) -> QuerySet[Dossier]:
    """The dossiers a user may open (the rest answer 404): their own units' in every state (staff:
    their unit; leaders: their sub-tree), every unit's once let go of for the standing body and
    admins, and those sent to the council for council members. Never another unit's draft."""
    scope = scope_of(user)
    if not scope.roles:
        return Dossier.objects.none()
    condition = Q(pk__in=[])
    if Role.STAFF in scope.roles and scope.staff_unit_ids:
        condition |= Q(unit_id__in=list(scope.staff_unit_ids))
    for path in scope.leader_paths:
        condition |= Q(unit__path__startswith=path)
    if scope.has(Role.EMULATION_OFFICER) or scope.has(Role.SYSTEM_ADMIN):
        condition |= Q(state__in=OFFICER_VISIBLE_STATES)
    if scope.has(Role.COUNCIL_MEMBER):
        condition |= Q(state__in=COUNCIL_VISIBLE_STATES)
    return Dossier.objects.filter(condition)
