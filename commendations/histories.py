"""Database history → the eligibility engine's histories, for many nominees at once, and the rule
versions of the catalogue as engine rules. Then the engine answers "who is eligible for X this year"
for the people (or the collectives) of a unit.

Every loader reads a constant number of queries whatever the number of nominees: one per history
table (awards, ratings, initiatives with their authors, holds) and, for collectives, one for the
members and one each for their ratings and titles of the proposal year. Rows come out in a fixed
order (year, then code or start date, then id) so that the same database gives equal histories.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from commendations import eligibility
from commendations.enums import AwardKind, Subject
from commendations.models import Award, AwardRecord, AwardRule, ClusterElection, Hold, Initiative, Rating
from portal.access import scope_of
from portal.models import Person, Unit
from portal.selectors import people_visible_to, units_visible_to

logger = logging.getLogger(__name__)

INITIATIVE_PREFIX = "SK-"


def initiative_key(pk: int) -> str:
    """The engine's id of an initiative ("SK-17"): short, and readable in the evidence."""
    return f"{INITIATIVE_PREFIX}{pk}"


def initiative_pk(key: str) -> int | None:
    """The database id behind an engine id, None for anything else."""
    if isinstance(key, str) and key.startswith(INITIATIVE_PREFIX) and key[len(INITIATIVE_PREFIX):].isdigit():
        return int(key[len(INITIATIVE_PREFIX):])
    return None


# --- One query per table ---------------------------------------------------------------------------

_AWARD_FIELDS = ("award__code", "year", "kind", "decision_number", "decided_on", "award__level")


def _award(code, year, kind, decision, decided_on, level) -> eligibility.AwardRecord:
    return eligibility.AwardRecord(code, year, kind, decision or "", decided_on, level or "")


def _among(owner: str, nominees: QuerySet | Sequence[int]) -> dict:
    """The filter on the owner column: a subquery for a queryset (the database joins, and the query
    stays small for 5,000 nominees), else a list of ids."""
    if isinstance(nominees, QuerySet):
        return {f"{owner}__in": nominees.values("pk")}
    return {f"{owner}_id__in": nominees}


def _awards_by(owner: str, ids: QuerySet | Sequence[int], up_to_year: int | None) -> dict[int, list]:
    rows = AwardRecord.objects.filter(**_among(owner, ids))
    if up_to_year is not None:
        rows = rows.filter(year__lte=up_to_year)
    found: dict[int, list] = defaultdict(list)
    for owner_id, *values in rows.order_by("year", "award__code", "pk").values_list(f"{owner}_id", *_AWARD_FIELDS):
        found[owner_id].append(_award(*values))
    return found


def _ratings_by(owner: str, ids: QuerySet | Sequence[int], up_to_year: int | None) -> dict[int, list]:
    rows = Rating.objects.filter(**_among(owner, ids))
    if up_to_year is not None:
        rows = rows.filter(year__lte=up_to_year)
    found: dict[int, list] = defaultdict(list)
    fields = ("year", "grade", "score", "months_worked", "maternity_months")
    for owner_id, year, grade, score, months, maternity in rows.order_by("year", "pk").values_list(f"{owner}_id", *fields):
        found[owner_id].append(eligibility.Rating(year, grade, score, months, maternity))
    return found


def _holds_by(owner: str, ids: QuerySet | Sequence[int]) -> dict[int, list]:
    found: dict[int, list] = defaultdict(list)
    rows = Hold.objects.filter(**_among(owner, ids)).order_by("start", "pk")
    for owner_id, kind, start, end in rows.values_list(f"{owner}_id", "kind", "start", "end"):
        found[owner_id].append(eligibility.Hold(kind, start, end))
    return found


def _initiatives_by_author(ids: QuerySet | Sequence[int], up_to_year: int | None) -> dict[int, list]:
    """An initiative counts for each of its authors (one query on the authors' table)."""
    links = Initiative.authors.through.objects.filter(**_among("person", ids))
    if up_to_year is not None:
        links = links.filter(initiative__year__lte=up_to_year)
    found: dict[int, list] = defaultdict(list)
    fields = ("initiative_id", "initiative__title", "initiative__year", "initiative__level", "initiative__consumed_by_id")
    for person_id, pk, title, year, level, consumed_by in links.order_by(
        "initiative__year", "initiative_id"
    ).values_list("person_id", *fields):
        found[person_id].append(
            eligibility.Initiative(initiative_key(pk), title, year, level, str(consumed_by) if consumed_by else None)
        )
    return found


def person_histories(
    people: QuerySet[Person] | Iterable[Person], *, up_to_year: int | None = None, among: QuerySet | None = None
) -> dict[int, eligibility.PersonHistory]:
    """person id → the engine's history of that person, in four queries for any number of people.

    ``among``, the queryset the people were read from, filters each table as a subquery instead of a
    list of thousands of ids (a queryset passed as ``people`` is used so, after one query for the
    people). ``up_to_year`` leaves out later records (the engine ignores them anyway; this only saves
    reading them). Holds are always read whole: one that started later may still be active on the
    reference date.
    """
    if among is None and isinstance(people, QuerySet):
        among = people
    people = list(people)
    if not people:
        return {}
    ids = among if among is not None else [person.pk for person in people]
    awards = _awards_by("person", ids, up_to_year)
    ratings = _ratings_by("person", ids, up_to_year)
    initiatives = _initiatives_by_author(ids, up_to_year)
    holds = _holds_by("person", ids)
    return {
        person.pk: eligibility.PersonHistory(
            awards=tuple(awards.get(person.pk, ())),
            ratings=tuple(ratings.get(person.pk, ())),
            initiatives=tuple(initiatives.get(person.pk, ())),
            holds=tuple(holds.get(person.pk, ())),
            gender=person.gender or None,
        )
        for person in people
    }


def _subtree_filter(paths: Iterable[str], prefix: str) -> Q:
    """Rows whose unit lies in one of the sub-trees (only the outermost paths are kept)."""
    outermost: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(kept) for kept in outermost):
            outermost.append(path)
    condition = Q()
    for path in outermost:
        condition |= Q(**{f"{prefix}path__startswith": path})
    return condition


def unit_histories(
    units: Iterable[Unit],
    *,
    year: int,
    cluster_results: Mapping[int, tuple[bool | None, bool | None]] | None = None,
    member_names: dict[str, str] | None = None,
) -> dict[int, eligibility.UnitHistory]:
    """unit id → the engine's history of that collective for proposal year ``year``, in six queries.

    The members of a collective are the active people of the unit and its sub-units (Person.unit),
    with their rating and merit titles of ``year``. ``cluster_results`` gives, per unit id, whether it
    leads its emulation cluster and whether the cluster elected it (None: not known, and the rule says
    so); ``member_names`` is filled with person id → full name for the explanation.
    """
    units = list(units)
    ids = [unit.pk for unit in units]
    if not ids:
        return {}
    awards = _awards_by("unit", ids, year)
    ratings = _ratings_by("unit", ids, year)
    holds = _holds_by("unit", ids)

    by_path = {unit.path: unit.pk for unit in units}
    in_subtrees = _subtree_filter(by_path, "unit__")
    member_rows = Person.objects.filter(in_subtrees, is_active=True).order_by("unit__path", "sort_key", "pk")
    members = list(member_rows.values_list("pk", "gender", "full_name", "unit__path"))
    in_member_subtrees = _subtree_filter(by_path, "person__unit__")
    member_ratings: dict[int, str | None] = {}
    rating_rows = Rating.objects.filter(in_member_subtrees, person__is_active=True, year=year)
    for person_id, grade, months, maternity in rating_rows.values_list(
        "person_id", "grade", "months_worked", "maternity_months"
    ):
        rated = months + maternity >= eligibility.MIN_MONTHS_RATED
        member_ratings[person_id] = grade if rated else None
    titles: dict[int, set[str]] = defaultdict(set)
    title_rows = AwardRecord.objects.filter(in_member_subtrees, person__is_active=True, year=year, kind=AwardKind.MERIT)
    for person_id, code in title_rows.values_list("person_id", "award__code"):
        titles[person_id].add(code)

    summaries: dict[int, list[eligibility.MemberSummary]] = defaultdict(list)
    for person_id, gender, full_name, path in members:
        summary = eligibility.MemberSummary(
            str(person_id), member_ratings.get(person_id), frozenset(titles.get(person_id, ())), gender or None
        )
        if member_names is not None:
            member_names[str(person_id)] = full_name
        parts = path.strip("/").split("/")
        for depth in range(1, len(parts) + 1):
            unit_id = by_path.get("/" + "/".join(parts[:depth]) + "/")
            if unit_id is not None:
                summaries[unit_id].append(summary)

    results = cluster_results or {}
    histories = {}
    for unit in units:
        lead, elected = results.get(unit.pk, (None, None))
        histories[unit.pk] = eligibility.UnitHistory(
            awards=tuple(awards.get(unit.pk, ())),
            ratings=tuple(ratings.get(unit.pk, ())),
            members=tuple(summaries.get(unit.pk, ())),
            cluster_lead=lead,
            elected=elected,
            holds=tuple(holds.get(unit.pk, ())),
        )
    return histories


# --- Cluster results for the Cờ thi đua rules -------------------------------------------------------


def rule_reads_clusters(node) -> bool:
    """True when a rule tree asks whether a unit leads or was elected by its cluster: only then is
    it worth scoring the year's campaigns."""
    if isinstance(node, eligibility.AwardRule):
        node = node.rule
    if isinstance(node, (eligibility.LeadsCluster, eligibility.ElectedByCluster)):
        return True
    return any(rule_reads_clusters(child) for child in getattr(node, "rules", ()) or ())


CLUSTER_LEADS_SECONDS = 600


def _campaign_leads(campaign_ids: list[int]) -> dict[int, bool | None]:
    """unit id → first of its cluster in any of these published campaigns (None: a first place still
    shared after the tie-breakers), from the campaigns' results."""
    from emulation.models import Campaign
    from emulation.scoring import campaign_results

    leads: dict[int, bool | None] = {}
    for campaign in Campaign.objects.filter(pk__in=campaign_ids).select_related("scheme").order_by("pk"):
        for group in campaign_results(campaign):
            if group.cluster is None:
                continue
            for row in group.rows:
                unit_id = row.scorecard.unit_id
                if row.position == 1 and row.tied_with:
                    # first place shared and not yet broken by a vote: unknown until the council decides
                    leads.setdefault(unit_id, None)
                    continue
                leads[unit_id] = bool(leads.get(unit_id)) or row.position == 1
    return leads


def cluster_results(year: int) -> dict[int, tuple[bool | None, bool | None]]:
    """unit id → (leads its cluster, elected by its cluster) for ``year``.

    Leading: first place of its cluster in a published annual campaign of the year (any of them, if
    the ministry ran several); a unit ranked in a cluster but not first is False; a unit with no
    published result is left out (None: "no result", and the verdict says so), and so is a first place
    still shared after the tie-breakers (the cluster's vote decides it). Elected: the unit the
    cluster's election (ClusterElection) chose is True, the cluster's other members of the year False;
    clusters without a recorded election leave their units None.
    """
    from emulation.enums import CampaignKind, CampaignState
    from emulation.models import Campaign
    from portal.models import ClusterMembership

    campaigns = list(
        Campaign.objects.filter(year=year, kind=CampaignKind.ANNUAL, state=CampaignState.PUBLISHED)
        .order_by("pk")
        .values_list("pk", "version")
    )
    leads: dict[int, bool | None] = {}
    if campaigns:
        # Scoring every unit of a published campaign takes a second or more at ministry scale and the
        # answer only changes with the campaign (its version) — or with the office figures that feed
        # its auto-scored lines, hence the short lifetime.
        key = f"commendations.cluster_leads:{year}:" + ",".join(f"{pk}.{version}" for pk, version in campaigns)
        leads = cache.get(key)
        if leads is None:
            leads = _campaign_leads([pk for pk, _version in campaigns])
            cache.set(key, leads, CLUSTER_LEADS_SECONDS)
    elected: dict[int, bool] = {}
    chosen = dict(ClusterElection.objects.filter(year=year).values_list("cluster_id", "unit_id"))
    if chosen:
        seats = ClusterMembership.objects.filter(year=year, cluster_id__in=list(chosen)).values_list("cluster_id", "unit_id")
        for cluster_id, unit_id in seats:
            elected[unit_id] = chosen[cluster_id] == unit_id
        for unit_id in chosen.values():
            elected[unit_id] = True
    return {unit_id: (leads.get(unit_id), elected.get(unit_id)) for unit_id in set(leads) | set(elected)}


# --- The catalogue's rules as engine rules ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UnreadableRule:
    """Stands in for stored conditions the engine cannot read: the engine reports it as
    ``invalid_rule`` (unknown_rule), so the page says the rule is faulty instead of crashing."""

    article: str = ""


def engine_rule(row: AwardRule) -> eligibility.AwardRule:
    """One AwardRule row (with its award and legal basis loaded) as the engine's AwardRule."""
    try:
        tree = eligibility.rule_from_data(row.rule)
    except (ValueError, TypeError):
        logger.warning("Award rule %s cannot be read", row.pk, exc_info=True)
        tree = UnreadableRule()
    return eligibility.AwardRule(
        award=row.award.code,
        label=row.award.name,
        subject=row.subject,
        rule=tree,
        legal_basis=row.legal_basis.code,
        effective_from=row.effective_from,
        effective_to=row.effective_to,
    )


def rule_set(on_date: date | None = None) -> tuple[eligibility.AwardRule, ...]:
    """The catalogue's rule versions (in force on ``on_date`` when given) as engine rules, one query."""
    rows = AwardRule.objects.select_related("award", "legal_basis")
    if on_date is not None:
        rows = rows.filter(effective_from__lte=on_date).filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on_date))
    return tuple(engine_rule(row) for row in rows.order_by("award__position", "award__code", "subject", "effective_from"))


# --- "Who is eligible for X this year" -------------------------------------------------------------


@dataclass
class Nominee:
    """A person or a collective of the unit with the engine's verdict on them."""

    obj: Person | Unit
    verdict: eligibility.Verdict

    @property
    def eligible(self) -> bool:
        return self.verdict.eligible


@dataclass
class EligibilityReport:
    award: Award
    subject: str  # Subject.PERSON or Subject.COLLECTIVE
    unit: Unit
    year: int
    on: date
    rule: eligibility.AwardRule | None
    nominees: list[Nominee] = field(default_factory=list)
    member_names: dict[str, str] = field(default_factory=dict)

    @property
    def eligible_count(self) -> int:
        return sum(1 for nominee in self.nominees if nominee.eligible)


def nominee_subject(award: Award, subject: str | None) -> str:
    """Who the award is judged for: its own subject, or the one asked when it is for both."""
    if award.subject in (Subject.PERSON, Subject.COLLECTIVE):
        return award.subject
    return subject if subject in (Subject.PERSON, Subject.COLLECTIVE) else Subject.PERSON


def eligibility_for_unit(
    *, user, unit: Unit, award_code: str, year: int, on: date, subject: str | None = None
) -> EligibilityReport:
    """Every nominee of the unit and its sub-units the user may see, judged for the award in
    ``year`` by the rule version in force on ``on``. People for an individual award, the unit and
    its sub-units for a collective one. Raises Award.DoesNotExist for an unknown code and
    PermissionDenied for a unit outside the user's scope.
    """
    if not scope_of(user).reaches_unit(unit):
        raise PermissionDenied("unit outside the user's scope")
    award = Award.objects.get(code=award_code)
    subject = nominee_subject(award, subject)
    rule = eligibility.rules_in_force(rule_set(on), award.code, on, subject)
    report = EligibilityReport(award=award, subject=subject, unit=unit, year=year, on=on, rule=rule)
    if subject == Subject.PERSON:
        people = (
            people_visible_to(user)
            .filter(is_active=True, unit__path__startswith=unit.path)
            .select_related("unit")
            .order_by("unit__path", "sort_key", "pk")
        )
        nominees = list(people)
        histories = person_histories(nominees, up_to_year=year, among=people) if rule is not None else {}
    else:
        nominees = list(
            units_visible_to(user).filter(is_active=True, path__startswith=unit.path).order_by("path")
        )
        histories = (
            unit_histories(
                nominees, year=year, member_names=report.member_names,
                cluster_results=cluster_results(year) if rule_reads_clusters(rule) else None,
            )
            if rule is not None
            else {}
        )
    if rule is None:
        verdict = eligibility.no_rule_verdict(award.code, year, on)
        report.nominees = [Nominee(obj, verdict) for obj in nominees]
        return report
    verdicts = eligibility.evaluate_many(rule, histories, year, on)
    report.nominees = [Nominee(obj, verdicts[obj.pk]) for obj in nominees]
    return report


def eligible_people(*, user, unit: Unit, award_code: str, year: int, on: date) -> list[Person]:
    """The people of the unit (and sub-units) in the user's scope who qualify for the award."""
    report = eligibility_for_unit(user=user, unit=unit, award_code=award_code, year=year, on=on, subject=Subject.PERSON)
    return [nominee.obj for nominee in report.nominees if nominee.eligible]
