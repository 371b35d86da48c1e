"""From scorecards to the engine and back: a unit's entries as engine inputs, scores per side,
and a campaign's ranking per cluster. Reads only; services write the cached totals."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from emulation import engine
from emulation.enums import Side
from emulation.metrics import metrics_for_year
from emulation.models import Campaign, Scorecard, ScoreLine
from emulation.schemes import frozen_engine_scheme


def line_entry(line: ScoreLine, side: str, evidence_count: int) -> engine.Entry:
    """The entry of one side; an appraised line that was not changed keeps the unit's entry."""
    use_appraised = side == Side.APPRAISED and line.appraised
    prefix = "appr" if use_appraised else "self"
    inputs = getattr(line, f"{prefix}_inputs") or {}
    return engine.Entry(
        points=getattr(line, f"{prefix}_points"),
        flag=getattr(line, f"{prefix}_flag"),
        value=getattr(line, f"{prefix}_value"),
        inputs={name: Decimal(str(value)) for name, value in inputs.items() if value not in (None, "")},
        evidence=evidence_count > 0,
    )


def unit_inputs(lines, side: str, metrics: dict[str, Decimal], flags, evidence_counts: dict[int, int]) -> engine.UnitInputs:
    return engine.UnitInputs(
        entries={line.node.key: line_entry(line, side, evidence_counts.get(line.pk, 0)) for line in lines},
        metrics=metrics,
        flags=frozenset(flags or ()),
    )


def _lines_with_evidence(scorecards) -> tuple[dict[int, list[ScoreLine]], dict[int, int]]:
    from django.db.models import Count

    lines = (
        ScoreLine.objects.filter(scorecard__in=scorecards)
        .select_related("node")
        .annotate(evidence_count=Count("evidence"))
    )
    by_card: dict[int, list[ScoreLine]] = {}
    counts: dict[int, int] = {}
    for line in lines:
        by_card.setdefault(line.scorecard_id, []).append(line)
        counts[line.pk] = line.evidence_count
    return by_card, counts


def score_scorecard(scorecard: Scorecard, side: str, *, scheme: engine.Scheme | None = None) -> engine.ScoreResult:
    """Score one scorecard (a handful of queries whatever its size)."""
    scheme = scheme or frozen_engine_scheme(scorecard.campaign.scheme)
    by_card, counts = _lines_with_evidence([scorecard.pk])
    metrics = metrics_for_year(scorecard.campaign.year).get(scorecard.unit_id, {})
    return engine.score(scheme, unit_inputs(by_card.get(scorecard.pk, []), side, metrics, scorecard.flags, counts))


@dataclass
class ResultRow:
    scorecard: Scorecard
    result: engine.ScoreResult
    self_result: engine.ScoreResult
    position: int
    decided_by: str | None
    tied_with: tuple[str, ...]


@dataclass
class ClusterResults:
    cluster: object  # EmulationCluster, or None for units outside any cluster
    rows: list[ResultRow]


ENTRY_FIELDS = (
    "id", "scorecard_id", "node__key", "appraised",
    "self_points", "self_flag", "self_value", "self_inputs",
    "appr_points", "appr_flag", "appr_value", "appr_inputs",
)


def _inputs(raw) -> dict[str, Decimal]:
    return {name: Decimal(str(value)) for name, value in (raw or {}).items() if value not in (None, "")}


def entries_by_scorecard(scorecard_ids) -> dict[int, dict[str, dict[str, engine.Entry]]]:
    """{scorecard id: {side: {node key: Entry}}} for many scorecards in two queries.

    Reads plain values rather than model instances: a results page of 200 units × 300 lines
    builds 60,000 entries, and each is built once per side.
    """
    from django.db.models import Count

    from emulation.models import Evidence

    with_evidence = set(
        Evidence.objects.filter(line__scorecard_id__in=scorecard_ids)
        .values("line_id")
        .annotate(n=Count("id"))
        .values_list("line_id", flat=True)
    )
    output: dict[int, dict[str, dict[str, engine.Entry]]] = {}
    rows = ScoreLine.objects.filter(scorecard_id__in=scorecard_ids).values_list(*ENTRY_FIELDS)
    for pk, card, key, appraised, sp, sf, sv, si, ap, af, av, ai in rows:
        evidence = pk in with_evidence
        own = engine.Entry(points=sp, flag=sf, value=sv, inputs=_inputs(si), evidence=evidence)
        sides = output.setdefault(card, {Side.SELF: {}, Side.APPRAISED: {}})
        sides[Side.SELF][key] = own
        sides[Side.APPRAISED][key] = (
            engine.Entry(points=ap, flag=af, value=av, inputs=_inputs(ai), evidence=evidence) if appraised else own
        )
    return output


def campaign_results(
    campaign: Campaign, *, side: str = Side.APPRAISED, scheme: engine.Scheme | None = None, explain: bool = False
) -> list[ClusterResults]:
    """Every scorecard scored (self and `side`), ranked within its emulation cluster of the year.

    By default the results carry no traces (engine.score(explain=False)): the results page, the
    export and the demo read totals, section scores and grades only; a unit's explained result
    comes from score_scorecard() or selectors_results. Pass explain=True for the traces.
    """
    from portal.models import ClusterMembership

    scheme = scheme or frozen_engine_scheme(campaign.scheme)
    scorecards = list(campaign.scorecards.select_related("unit").order_by("unit__sort_key"))
    entries = entries_by_scorecard([card.pk for card in scorecards])
    metrics = metrics_for_year(campaign.year)
    seats = {
        m.unit_id: m.cluster
        for m in ClusterMembership.objects.filter(year=campaign.year, unit__in=[c.unit_id for c in scorecards]).select_related("cluster")
    }
    groups: dict[int | None, list[tuple[Scorecard, engine.ScoreResult, engine.ScoreResult, engine.UnitInputs]]] = {}
    for card in scorecards:
        card_entries = entries.get(card.pk, {Side.SELF: {}, Side.APPRAISED: {}})
        unit_metrics = metrics.get(card.unit_id, {})
        flags = frozenset(card.flags or ())
        inputs = engine.UnitInputs(entries=card_entries[side], metrics=unit_metrics, flags=flags)
        self_inputs = engine.UnitInputs(entries=card_entries[Side.SELF], metrics=unit_metrics, flags=flags)
        cluster = seats.get(card.unit_id)
        groups.setdefault(cluster.pk if cluster else None, []).append(
            (card, engine.score(scheme, inputs, explain=explain), engine.score(scheme, self_inputs, explain=explain), inputs)
        )
    clusters = {cluster.pk: cluster for cluster in seats.values()}
    output = []
    for cluster_id, members in sorted(groups.items(), key=lambda item: (item[0] is None, str(clusters.get(item[0], "")))):
        by_key = {str(card.pk): (card, result, self_result) for card, result, self_result, _ in members}
        ranking = engine.rank([(str(card.pk), result, inputs) for card, result, _, inputs in members], scheme.tie_breakers)
        rows = [
            ResultRow(
                scorecard=by_key[row.unit][0],
                result=by_key[row.unit][1],
                self_result=by_key[row.unit][2],
                position=row.position,
                decided_by=row.decided_by,
                tied_with=row.tied_with,
            )
            for row in ranking
        ]
        output.append(ClusterResults(cluster=clusters.get(cluster_id), rows=rows))
    return output
