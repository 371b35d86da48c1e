"""Quotas (tỷ lệ khen thưởng) computed live: "award X at most p% of population P, rounded so",
checked against the nominations of a unit and its sub-units for a year.

The arithmetic (``allowed_count``, ``is_exceeded``) is plain Python on Decimals; ``quota_report``
reads the quotas and the counts in a fixed number of queries and phrases each line as a
translated sentence with the numbers, for the dossier page, the submit confirmation and the
council.

What the populations mean (QuotaPopulation), always within the unit's sub-tree:
- ``staff``: active people of the unit and its sub-units today;
- ``title_holders``: people (or collectives) who hold ``population_award`` for the year (a merit
  award record) or are nominated for it in a counted dossier, each once (e.g. "CSTĐCS at most
  15% of the LĐTT"), plus the unsaved ``extra`` nominations for that award;
- ``participants``: those registered for the year's emulation (đăng ký thi đua,
  TitleRegistration), counting people for an individual award, collectives for a collective
  one, both for an award given to either.

Which quota applies: the one set for the unit itself overrides the ministry-wide one (unit left
empty) for the same award and year; a ministry-wide quota is applied to each proposing unit on
its own population. Counted nominations: nominees for the award in the year's merit (year-end)
dossiers of the unit and its sub-units, except dossiers not approved and nominees excluded at
appraisal or failed at the council, each subject once, plus ``extra``. Campaign and ad-hoc
dossiers do not count, as they do not count toward merit rules either.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from django.db.models import Count, Q
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commendations.enums import AwardKind, DossierState, NomineeState, QuotaPopulation, Subject
from commendations.models import Award, AwardRecord, Nominee, Quota, TitleRegistration
from portal.models import Person, Unit

# --- The arithmetic (plain Python: no database, no Django) -----------------------------------

ROUNDING_MODES = {"down": ROUND_FLOOR, "nearest": ROUND_HALF_UP, "up": ROUND_CEILING}


def exact_share(population: int, max_percent: Decimal | int | str) -> Decimal:
    """max_percent % of the population, exactly (a percentage with 2 decimals × an integer / 100)."""
    return Decimal(max_percent) * Decimal(population) / Decimal(100)


def allowed_count(population: int, max_percent: Decimal | int | str, rounding: str) -> int:
    """How many the quota allows: the exact share rounded down, to nearest (halves up) or up."""
    if rounding not in ROUNDING_MODES:
        raise ValueError(f"Unknown rounding {rounding!r}")
    return int(exact_share(population, max_percent).to_integral_value(rounding=ROUNDING_MODES[rounding]))


def is_exceeded(nominated: int, allowed: int) -> bool:
    """The quota is exceeded when more are nominated than allowed (reaching it is fine)."""
    return nominated > allowed


def plain_decimal(value: Decimal, *, min_places: int = 0) -> str:
    """A decimal without exponent or trailing zeros beyond min_places: 6 → "6.0" (min 1), 6.15 → "6.15"."""
    value = Decimal(value)
    text = format(value.normalize() if value != value.to_integral_value() else value.quantize(Decimal(1)), "f")
    places = len(text.partition(".")[2])
    if places < min_places:
        text = f"{text}{'' if '.' in text else '.'}{'0' * (min_places - places)}"
    return text


# --- The report (reads the database) -------------------------------------------------------------

# Nominees that no longer claim a place under the quota.
NOT_COUNTED_NOMINEE_STATES = (NomineeState.EXCLUDED, NomineeState.FAILED)
NOT_COUNTED_DOSSIER_STATES = (DossierState.REJECTED,)

ROUNDING_WORDS = {
    "down": gettext_lazy("rounded down"),
    "nearest": gettext_lazy("rounded to the nearest, halves up"),
    "up": gettext_lazy("rounded up"),
}


@dataclass(frozen=True)
class QuotaLine:
    """One quota checked for a unit and year, with the numbers and the sentence that shows them."""

    award: Award
    quota: Quota
    population_label: str
    population: int
    max_percent: Decimal
    rounding: str
    exact: Decimal
    allowed: int
    nominated: int
    exceeded: bool
    arithmetic: str

    @property
    def over(self) -> int:
        """How many nominations are above the quota (0 when within it)."""
        return max(self.nominated - self.allowed, 0)


def _number(value: Decimal | int, *, min_places: int = 0) -> str:
    """A number in the active language's notation: 1.234 and 6,15 in Vietnamese."""
    text = plain_decimal(Decimal(value), min_places=min_places)
    places = len(text.partition(".")[2])
    return number_format(Decimal(text), decimal_pos=places, force_grouping=True)


def arithmetic_sentence(
    *, max_percent: Decimal, population: int, population_label: str, rounding: str, nominated: int
) -> str:
    """"15% × 40 (staff of the unit) = 6,0 → 6 (rounded down); 7 nominated > 6 allowed"."""
    allowed = allowed_count(population, max_percent, rounding)
    params = {
        "percent": _number(max_percent),
        "population": _number(population),
        "label": population_label,
        "exact": _number(exact_share(population, max_percent), min_places=1),
        "allowed": _number(allowed),
        "rounding": ROUNDING_WORDS[rounding],
        "nominated": _number(nominated),
    }
    if is_exceeded(nominated, allowed):
        return _(
            "%(percent)s%% × %(population)s (%(label)s) = %(exact)s → %(allowed)s (%(rounding)s); "
            "%(nominated)s nominated > %(allowed)s allowed"
        ) % params
    return _(
        "%(percent)s%% × %(population)s (%(label)s) = %(exact)s → %(allowed)s (%(rounding)s); "
        "%(nominated)s nominated ≤ %(allowed)s allowed"
    ) % params


def population_label(quota: Quota) -> str:
    if quota.population == QuotaPopulation.STAFF:
        return _("staff of the unit")
    if quota.population == QuotaPopulation.TITLE_HOLDERS:
        title = quota.population_award.name if quota.population_award_id else _("another title")
        return _("holders of or nominees for %(title)s") % {"title": title}
    return _("registered participants")


def applicable_quotas(*, unit: Unit, year: int) -> list[Quota]:
    """The quotas that apply to a unit in a year, one per award: the unit's own, else the
    ministry-wide one (one query)."""
    chosen: dict[int, Quota] = {}
    rows = (
        Quota.objects.filter(Q(unit=unit) | Q(unit__isnull=True), year=year)
        .select_related("award", "population_award")
        .order_by("award__position", "award__code", "unit_id")
    )
    for quota in rows:
        if quota.award_id not in chosen or quota.unit_id is not None:
            chosen[quota.award_id] = quota
    return list(chosen.values())


def counted_nominees(*, unit: Unit, year: int):
    """Nominees that take a place under the quotas of the unit's year (see the module docstring)."""
    return (
        Nominee.objects.filter(
            dossier__unit__path__startswith=unit.path, dossier__year=year, dossier__kind=AwardKind.MERIT
        )
        .exclude(dossier__state__in=NOT_COUNTED_DOSSIER_STATES)
        .exclude(state__in=NOT_COUNTED_NOMINEE_STATES)
    )


def quota_report(*, unit: Unit, year: int, extra: Iterable[str | Award] = ()) -> list[QuotaLine]:
    """Every quota that applies to the unit in the year, checked against its nominations plus the
    ``extra`` ones not saved yet (award codes, or awards). At most five queries, whatever the
    number of quotas and nominees."""
    return quota_reports(units=[unit], year=year, extra=extra)[unit.pk]


def _under(path_field: str, units: list[Unit]) -> Q:
    """Rows whose ``path_field`` lies in the sub-tree of any of the units."""
    condition = Q()
    for unit in units:
        condition |= Q(**{f"{path_field}__startswith": unit.path})
    return condition


def quota_reports(*, units: Iterable[Unit], year: int, extra: Iterable[str | Award] = ()) -> dict[int, list[QuotaLine]]:
    """``quota_report`` of several units at once (the council's meeting page: one per dossier), in the
    same at most five queries: unit id → its lines. ``extra`` counts for every unit."""
    units = list({unit.pk: unit for unit in units}.values())
    if not units:
        return {}
    chosen: dict[int, dict[int, Quota]] = {unit.pk: {} for unit in units}
    rows = (
        Quota.objects.filter(Q(unit__in=units) | Q(unit__isnull=True), year=year)
        .select_related("award", "population_award")
        .order_by("award__position", "award__code", "unit_id")
    )
    for quota in rows:  # the unit's own quota overrides the ministry-wide one for the same award
        for unit_id in [quota.unit_id] if quota.unit_id is not None else chosen:
            if quota.award_id not in chosen[unit_id] or quota.unit_id is not None:
                chosen[unit_id][quota.award_id] = quota
    quotas = {unit_id: list(by_award.values()) for unit_id, by_award in chosen.items()}
    every = [quota for unit_quotas in quotas.values() for quota in unit_quotas]
    if not every:
        return {unit.pk: [] for unit in units}

    def owners(*paths: str | None) -> list[int]:
        """The units (of those asked) whose sub-tree holds a row with one of these paths."""
        return [unit.pk for unit in units if any(path is not None and path.startswith(unit.path) for path in paths)]

    extra_counts: dict[str, int] = {}
    for item in extra:
        code = getattr(item, "code", item)
        extra_counts[code] = extra_counts.get(code, 0) + 1
    populations = {q.population for q in every}
    holder_award_ids = {q.population_award_id for q in every if q.population == QuotaPopulation.TITLE_HOLDERS}
    holder_award_ids.discard(None)
    award_ids = {q.award_id for q in every} | holder_award_ids

    # unit → award id → the subjects (person id, unit id) nominated for it
    nominated: dict[int, dict[int, set]] = {unit.pk: {} for unit in units}
    counted = (
        Nominee.objects.filter(_under("dossier__unit__path", units), dossier__year=year, dossier__kind=AwardKind.MERIT,
                               award_id__in=award_ids)
        .exclude(dossier__state__in=NOT_COUNTED_DOSSIER_STATES)
        .exclude(state__in=NOT_COUNTED_NOMINEE_STATES)
        .values_list("award_id", "person_id", "unit_id", "dossier__unit__path")
    )
    for award_id, person_id, unit_id, path in counted:
        for owner in owners(path):
            nominated[owner].setdefault(award_id, set()).add((person_id, unit_id))

    staff: dict[int, int] = dict.fromkeys(nominated, 0)
    if QuotaPopulation.STAFF in populations:
        per_unit = (
            Person.objects.filter(_under("unit__path", units), is_active=True)
            .values("unit__path").annotate(count=Count("pk")).values_list("unit__path", "count")
        )
        for path, count in per_unit:
            for owner in owners(path):
                staff[owner] += count

    holders: dict[int, dict[int, set]] = {unit.pk: {} for unit in units}
    if holder_award_ids:
        records = AwardRecord.objects.filter(
            _under("person__unit__path", units) | _under("unit__path", units),
            award_id__in=holder_award_ids, year=year, kind=AwardKind.MERIT,
        ).values_list("award_id", "person_id", "unit_id", "person__unit__path", "unit__path")
        for award_id, person_id, unit_id, person_path, unit_path in records:
            for owner in owners(person_path if person_id is not None else None, unit_path if unit_id is not None else None):
                holders[owner].setdefault(award_id, set()).add((person_id, unit_id))

    registered: dict[int, tuple[set, set]] = {unit.pk: (set(), set()) for unit in units}  # (people, units)
    if QuotaPopulation.PARTICIPANTS in populations:
        rows = TitleRegistration.objects.filter(_under("unit__path", units), year=year).values_list(
            "unit_id", "person_id", "unit__path"
        )
        for unit_id, person_id, path in rows:
            for owner in owners(path):
                if person_id is None:
                    registered[owner][1].add(unit_id)
                else:
                    registered[owner][0].add(person_id)

    return {
        unit.pk: _lines(quotas[unit.pk], nominated=nominated[unit.pk], staff=staff[unit.pk], holders=holders[unit.pk],
                        registered=registered[unit.pk], extra_counts=extra_counts)
        for unit in units
    }


def _lines(quotas: list[Quota], *, nominated: dict, staff: int, holders: dict, registered: tuple[set, set],
           extra_counts: dict[str, int]) -> list[QuotaLine]:
    registered_people, registered_units = registered
    lines = []
    for quota in quotas:
        if quota.population == QuotaPopulation.STAFF:
            population = staff
        elif quota.population == QuotaPopulation.TITLE_HOLDERS:
            if quota.population_award_id is None:
                population = 0
            else:
                subjects = holders.get(quota.population_award_id, set()) | nominated.get(
                    quota.population_award_id, set()
                )
                population = len(subjects) + extra_counts.get(quota.population_award.code, 0)
        else:
            subject = quota.award.subject
            population = (len(registered_people) if subject != Subject.COLLECTIVE else 0) + (
                len(registered_units) if subject != Subject.PERSON else 0
            )
        count = len(nominated.get(quota.award_id, ())) + extra_counts.get(quota.award.code, 0)
        label = population_label(quota)
        allowed = allowed_count(population, quota.max_percent, quota.rounding)
        lines.append(
            QuotaLine(
                award=quota.award,
                quota=quota,
                population_label=label,
                population=population,
                max_percent=quota.max_percent,
                rounding=quota.rounding,
                exact=exact_share(population, quota.max_percent),
                allowed=allowed,
                nominated=count,
                exceeded=is_exceeded(count, allowed),
                arithmetic=arithmetic_sentence(
                    max_percent=quota.max_percent, population=population, population_label=label,
                    rounding=quota.rounding, nominated=count,
                ),
            )
        )
    return lines


def exceeded_lines(lines: Iterable[QuotaLine]) -> list[QuotaLine]:
    return [line for line in lines if line.exceeded]
