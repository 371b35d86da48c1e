"""Read functions of the emulation app, scoped to the user who asks: campaigns, scorecards, and a
scorecard's table (every node of the scheme in printed order, with the unit's lines)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet

from emulation import engine
from emulation.enums import GROUP_KINDS, NodeKind, ScorecardState, Side
from emulation.models import Campaign, Evidence, Registration, SchemeNode, Scorecard, ScoreLine
from portal.access import scope_of


def campaigns_visible_to(user) -> QuerySet[Campaign]:
    """Every campaign, for anyone holding a role (drafts included: units register at the start)."""
    if not scope_of(user).roles:
        return Campaign.objects.none()
    return Campaign.objects.all()


def scorecards_visible_to(user) -> QuerySet[Scorecard]:
    """Scorecards of units in the user's scope; every scorecard for the ministry-wide roles."""
    scope = scope_of(user)
    if not scope.roles:
        return Scorecard.objects.none()
    return Scorecard.objects.filter(scope.unit_filter("unit__"))


def campaign_list(*, user, year: int | None = None, state: str | None = None) -> QuerySet[Campaign]:
    campaigns = campaigns_visible_to(user).select_related("scheme").annotate(
        scorecard_count=Count("scorecards", distinct=True),
        submitted_count=Count("scorecards", filter=~Q(scorecards__state=ScorecardState.DRAFT), distinct=True),
    )
    if year:
        campaigns = campaigns.filter(year=year)
    if state:
        campaigns = campaigns.filter(state=state)
    return campaigns.order_by("-year", "name", "pk")


def campaign_years(*, user) -> list[int]:
    return list(campaigns_visible_to(user).order_by("-year").values_list("year", flat=True).distinct())


@dataclass
class Participant:
    """A unit taking part, with what the user may see of it: registration, scorecard."""

    unit: object
    registration: Registration | None = None
    scorecard: Scorecard | None = None
    visible: bool = False  # the user may open the unit's scorecard and see its totals

    def _total_text(self, name: str) -> str:
        from emulation.explain import number

        value = getattr(self.scorecard, name, None) if self.visible else None
        return number(value) if value is not None else "—"

    @property
    def self_total_text(self) -> str:
        return self._total_text("self_total")

    @property
    def appraised_total_text(self) -> str:
        return self._total_text("appraised_total")


def campaign_participant_rows(*, user, campaign: Campaign) -> list[Participant]:
    """The campaign's units (from its scorecards once open, else from its clusters and named
    units), each with its registration and — within the user's scope — its scorecard."""
    from emulation.services import campaign_participants

    scope = scope_of(user)
    registrations = {r.unit_id: r for r in campaign.registrations.select_related("registered_by__person")}
    scorecards = list(campaign.scorecards.select_related("unit").order_by("unit__sort_key", "pk"))
    units = [card.unit for card in scorecards] if scorecards else campaign_participants(campaign)
    by_unit = {card.unit_id: card for card in scorecards}
    return [
        Participant(
            unit=unit,
            registration=registrations.get(unit.pk),
            scorecard=by_unit.get(unit.pk),
            visible=scope.reaches_unit(unit),
        )
        for unit in units
    ]


# --- A scorecard's table -------------------------------------------------------------------------


@dataclass
class TableRow:
    """One printed row of the scoring table: a section/criterion (group) or a scored line."""

    node: SchemeNode
    depth: int
    ancestors: tuple[int, ...]
    line: ScoreLine | None = None
    label: str = ""  # the code with its sections', e.g. "A.II.3" (codes repeat from one section to the next)

    @property
    def is_group(self) -> bool:
        return self.node.kind in GROUP_KINDS

    @property
    def ancestor_ids(self) -> str:
        return " ".join(str(pk) for pk in self.ancestors)


def scheme_rows(scheme) -> list[TableRow]:
    """Every node of a scheme in the printed order (depth first, by position), one query."""
    nodes = list(SchemeNode.objects.filter(scheme=scheme).order_by("position", "id"))
    children: dict[int | None, list[SchemeNode]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)
    rows: list[TableRow] = []

    def walk(parent_id: int | None, depth: int, ancestors: tuple[int, ...], codes: tuple[str, ...]) -> None:
        for node in children.get(parent_id, []):
            own = (*codes, node.code) if node.code else codes
            rows.append(TableRow(node=node, depth=depth, ancestors=ancestors, label=".".join(own) or node.key))
            walk(node.pk, depth + 1, (*ancestors, node.pk), own)

    walk(None, 0, (), ())
    return rows


def scorecard_table(scorecard: Scorecard) -> list[TableRow]:
    """The scorecard as printed: every node, the unit's line on each scored one, evidence
    prefetched (three queries whatever the size of the table)."""
    rows = scheme_rows(scorecard.campaign.scheme_id)
    lines = {
        line.node_id: line
        for line in ScoreLine.objects.filter(scorecard=scorecard).prefetch_related(
            Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at", "id"))
        )
    }
    for row in rows:
        line = lines.get(row.node.pk)
        if line is not None:
            line.node = row.node
            line.scorecard = scorecard
            row.line = line
    return rows


def node_labels(scheme) -> dict[str, str]:
    """{node key: code as printed with its sections' codes} ("A.II.3"), for messages."""
    return {row.node.key: row.label for row in scheme_rows(scheme)}


def scorecard_lines(scorecard: Scorecard) -> list[ScoreLine]:
    """The scorecard's lines in table order, each with its node and its evidence prefetched."""
    return [row.line for row in scorecard_table(scorecard) if row.line is not None]


def has_auto_lines(rows: list[TableRow]) -> bool:
    return any(row.node.kind == NodeKind.AUTO for row in rows)


def unit_metrics(scorecard: Scorecard, rows: list[TableRow]) -> dict[str, Decimal]:
    """The portal figures of the unit for the campaign's year (only fetched when a line needs them)."""
    if not has_auto_lines(rows):
        return {}
    from emulation.metrics import metrics_for_year

    return metrics_for_year(scorecard.campaign.year).get(scorecard.unit_id, {})


def scorecard_result(
    scorecard: Scorecard, rows: list[TableRow], side: str = Side.SELF, *, scheme=None, metrics=None
) -> engine.ScoreResult:
    """Score the loaded table with the engine (evidence counted from the prefetched files)."""
    from emulation.schemes import frozen_engine_scheme
    from emulation.scoring import unit_inputs

    lines = [row.line for row in rows if row.line is not None]
    counts = {line.pk: len(line.evidence.all()) for line in lines}
    scheme = scheme or frozen_engine_scheme(scorecard.campaign.scheme)
    metrics = unit_metrics(scorecard, rows) if metrics is None else metrics
    return engine.score(scheme, unit_inputs(lines, side, metrics, scorecard.flags, counts))
