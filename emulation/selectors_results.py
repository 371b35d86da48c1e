"""Read functions of the appraisal (thẩm định), results (kết quả, xếp hạng) and what-if pages:
scorecards and campaigns as a user may see them, a scorecard as a table of rows with both sides'
scores, the changes the unit sees, a campaign's ranking and the "who changed what" list.

Every function reads a fixed number of queries whatever the number of lines or units.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from emulation import engine
from emulation.enums import CampaignState, NodeKind, ScorecardState, Side
from emulation.explain import number, trace_sentence
from emulation.metrics import METRICS, metrics_for_year
from emulation.models import Campaign, Evidence, Scheme, SchemeNode, Scorecard, ScoreLine
from emulation.schemes import engine_scheme
from emulation.scoring import _lines_with_evidence, campaign_results, unit_inputs
from emulation.selectors import campaigns_visible_to
from emulation.whatif import Case, Change, ClusterComparison, compare
from portal.access import scope_of
from portal.audit import actor_name, history_for
from portal.models import ClusterMembership, EmulationCluster

LINE_APPRAISED = "emulation.scorecard.line_appraised"
# Scorecards whose self-scoring is over: what a what-if run and the appraisal work on.
SUBMITTED_STATES = (ScorecardState.SUBMITTED, ScorecardState.APPRAISED, ScorecardState.FINAL)


# --- Scope ---------------------------------------------------------------------------------------


def result_scorecards_visible_to(user) -> QuerySet[Scorecard]:
    """Scorecards whose results page a user may open (emulation.view_results decides the rest):
    published results are public to everyone with a role; before that a unit sees only its own
    (another unit's answers 404, as everywhere), the ministry-wide roles all of them."""
    from django.db.models import Q

    from emulation.enums import CampaignState
    from emulation.selectors import scorecards_visible_to

    visible = Scorecard.objects.filter(campaign__in=campaigns_visible_to(user))
    own = scorecards_visible_to(user).values("pk")
    return visible.filter(Q(campaign__state=CampaignState.PUBLISHED) | Q(pk__in=own))


# --- Displaying entries and explanations -----------------------------------------------------


def entry_text(node: SchemeNode, points, flag, value, inputs) -> str:
    """What was entered on a line, in the words of its kind ("Yes", "3 days late", "a = 10; b = 9")."""
    kind = node.kind
    if kind == NodeKind.MANUAL:
        return number(points)
    if kind == NodeKind.YES_NO:
        return "—" if flag is None else (_("Yes") if flag else _("No"))
    if kind == NodeKind.LATENESS:
        if value is None:
            return "—"
        days = Decimal(str(value))
        return ngettext("%(days)s day late", "%(days)s days late", int(days) if days == days.to_integral() else 2) % {
            "days": number(days)
        }
    if kind == NodeKind.TIERED:
        return number(value)
    if kind == NodeKind.FORMULA:
        inputs = inputs or {}
        names = list(node.inputs or []) or sorted(inputs)
        if not any(inputs.get(name) not in (None, "") for name in names):
            return "—"
        return "; ".join(f"{name} = {number(inputs.get(name))}" for name in names)
    if kind == NodeKind.AUTO:
        return _("from portal data")
    return "—"


def self_entry_text(line: ScoreLine) -> str:
    return entry_text(line.node, line.self_points, line.self_flag, line.self_value, line.self_inputs)


def appraised_entry_text(line: ScoreLine) -> str:
    """The appraised entry; an accepted line keeps the unit's entry."""
    if not line.appraised:
        return self_entry_text(line)
    return entry_text(line.node, line.appr_points, line.appr_flag, line.appr_value, line.appr_inputs)


def explain(step: engine.TraceStep, grade_labels: dict[str, str] | None = None) -> str:
    """One step of the engine's explanation as a sentence."""
    return trace_sentence(step, grade_labels=grade_labels)


def full_codes(nodes: Iterable[SchemeNode]) -> dict[str, str]:
    """Each node's number as a reader cites it, with its parents' numbers: "A.1", "II.2.3"."""
    by_pk = {node.pk: node for node in nodes}
    codes: dict[str, str] = {}
    for node in by_pk.values():
        parts, current = [], node
        while current is not None:
            parts.append(current.code or current.key)
            current = by_pk.get(current.parent_id)
        codes[node.key] = ".".join(reversed(parts))
    return codes


def decided_by_text(decided_by: str | None, codes: dict[str, str]) -> str:
    """How a tie was settled, in words: "tie broken by line 2.3", "decided by vote"."""
    if not decided_by:
        return ""
    if decided_by == "vote":
        return _("decided by vote")
    kind, _sep, ref = decided_by.partition(":")
    if kind == "node":
        return _("tie broken by line %(line)s") % {"line": codes.get(ref, ref)}
    if kind == "input":
        node_key, _sep, name = ref.partition(":")
        return _("tie broken by the value “%(input)s” of line %(line)s") % {"input": name, "line": codes.get(node_key, node_key)}
    if kind == "metric":
        return _("tie broken by %(measure)s") % {"measure": METRICS.get(ref, ref)}
    return decided_by


# --- A scorecard as a table ----------------------------------------------------------------------


@dataclass
class Row:
    """One row of the printed table: a section or criterion (group) or a scored line."""

    node: SchemeNode
    depth: int
    line: ScoreLine | None = None
    self_result: engine.NodeResult | None = None
    appraised_result: engine.NodeResult | None = None
    evidence: list[Evidence] = field(default_factory=list)
    # set by the pages: the line's form, a conflict with someone else's save, a message, typed text
    form: object = None
    action_url: str = ""
    conflict: object = None
    error: str = ""
    notice: str = ""
    typed: str = ""

    @property
    def is_group(self) -> bool:
        return self.line is None

    @property
    def appraised_by_name(self) -> str:
        return actor_name(self.line.appraised_by) if self.line and self.line.appraised_by_id else ""

    @property
    def self_entry(self) -> str:
        return self_entry_text(self.line) if self.line else ""

    @property
    def appraised_entry(self) -> str:
        return appraised_entry_text(self.line) if self.line else ""

    @property
    def difference(self) -> Decimal | None:
        if self.self_result is None or self.appraised_result is None:
            return None
        return self.appraised_result.score - self.self_result.score

    @property
    def explanation(self) -> list[str]:
        return [explain(step) for step in self.appraised_result.trace] if self.appraised_result else []


@dataclass
class ScorecardTable:
    scorecard: Scorecard
    rows: list[Row]
    self_result: engine.ScoreResult
    appraised_result: engine.ScoreResult
    grade_labels: dict[str, str]
    codes: dict[str, str] = field(default_factory=dict)  # node key -> full number ("A.1")

    @property
    def lines(self) -> list[Row]:
        return [row for row in self.rows if not row.is_group]

    @property
    def changed(self) -> list[Row]:
        return [row for row in self.lines if row.line.appraised]

    @property
    def reviewed_count(self) -> int:
        return sum(1 for row in self.lines if row.line.appraised_at is not None)

    @property
    def appraised_grade_label(self) -> str:
        return self.grade_labels.get(self.appraised_result.grade, "") if self.appraised_result.grade else ""

    @property
    def self_grade_label(self) -> str:
        return self.grade_labels.get(self.self_result.grade, "") if self.self_result.grade else ""


def _preorder(nodes: Iterable[SchemeNode]) -> list[tuple[SchemeNode, int]]:
    children: dict[int | None, list[SchemeNode]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)
    ordered: list[tuple[SchemeNode, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for node in sorted(children.get(parent_id, []), key=lambda n: (n.position, n.pk)):
            ordered.append((node, depth))
            walk(node.pk, depth + 1)

    walk(None, 0)
    return ordered


def scored_table(scorecard: Scorecard, *, scheme: engine.Scheme | None = None) -> ScorecardTable:
    """The whole table of one scorecard with self and appraised scores of every row.

    `scorecard` comes with its campaign, scheme and unit; about ten queries whatever its size.
    """
    stored_scheme: Scheme = scorecard.campaign.scheme
    scheme = scheme or engine_scheme(stored_scheme)
    nodes = list(SchemeNode.objects.filter(scheme=stored_scheme).order_by("position", "id"))
    lines = list(
        scorecard.lines.select_related("node", "appraised_by__person").prefetch_related(
            Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at", "id"))
        )
    )
    counts = {line.pk: len(line.evidence.all()) for line in lines}
    needs_metrics = any(node.kind == NodeKind.AUTO for node in nodes)
    metrics = metrics_for_year(scorecard.campaign.year).get(scorecard.unit_id, {}) if needs_metrics else {}
    self_result = engine.score(scheme, unit_inputs(lines, Side.SELF, metrics, scorecard.flags, counts))
    appraised_result = engine.score(scheme, unit_inputs(lines, Side.APPRAISED, metrics, scorecard.flags, counts))
    by_node = {line.node_id: line for line in lines}
    rows = []
    for node, depth in _preorder(nodes):
        line = by_node.get(node.pk)
        if node.kind not in (NodeKind.GROUP, NodeKind.BONUS, NodeKind.DEDUCTION) and line is None:
            continue  # a line added to the scheme after the scorecard was made: nothing to appraise
        rows.append(
            Row(
                node=node,
                depth=depth,
                line=line,
                self_result=self_result.nodes.get(node.key),
                appraised_result=appraised_result.nodes.get(node.key),
                evidence=list(line.evidence.all()) if line else [],
            )
        )
    return ScorecardTable(
        scorecard=scorecard,
        rows=rows,
        self_result=self_result,
        appraised_result=appraised_result,
        grade_labels={grade.key: grade.label for grade in scheme.grades},
        codes=full_codes(nodes),
    )


def scorecard_row(scorecard: Scorecard, line_id: int) -> tuple[ScorecardTable, Row]:
    """The table and one of its line rows (an htmx answer re-renders the row and the totals)."""
    table = scored_table(scorecard)
    row = next(row for row in table.lines if row.line.pk == line_id)
    return table, row


# --- What the unit sees of the appraisal ----------------------------------------------------------


@dataclass
class AppraisalChanges:
    """The lines the appraisal changed, for the unit's scorecard page and its response page."""

    scorecard: Scorecard
    rows: list[Row]
    self_total: Decimal
    appraised_total: Decimal
    can_respond: bool  # the user may respond and the response window is still open
    response_deadline: object  # date | None

    @property
    def window_closed(self) -> bool:
        return self.response_deadline is not None and timezone.localdate() > self.response_deadline


def appraisal_changes(*, scorecard: Scorecard, user) -> AppraisalChanges | None:
    """The changed lines with reasons and responses, once the appraisal was sent to the unit;
    None before that (the officers' work in progress is not shown to the unit).

    For templates/emulation/partials/appraisal_changes.html:
    ``{% include "emulation/partials/appraisal_changes.html" with changes=appraisal_changes %}``.
    """
    if scorecard.state not in (ScorecardState.APPRAISED, ScorecardState.FINAL):
        return None
    table = scored_table(scorecard)
    return AppraisalChanges(
        scorecard=scorecard,
        rows=table.changed,
        self_total=table.self_result.total,
        appraised_total=table.appraised_result.total,
        can_respond=user.has_perm("emulation.respond_scorecard", scorecard)
        and (scorecard.response_deadline is None or timezone.localdate() <= scorecard.response_deadline),
        response_deadline=scorecard.response_deadline,
    )


# --- Who changed what ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineChange:
    when: object  # datetime
    actor: str
    line: str
    old: str
    new: str
    reason: str


def audit_entry_text(text: str) -> str:
    """An entry as the audit log stored it ("8.00", "True", "a=10, b=9") for a reader: "8",
    "Yes", "a = 10; b = 9" — the log keeps language-neutral text, the page translates it."""
    if not text or text == "—":
        return "—"
    parts = []
    for part in str(text).split(", "):
        name, sep, value = part.partition("=")
        if sep:
            parts.append(f"{name} = {number(value)}")
        elif part in ("True", "False"):
            parts.append(_("Yes") if part == "True" else _("No"))
        else:
            parts.append(number(part))
    return "; ".join(parts)


def line_changes(scorecard: Scorecard, *, codes: dict[str, str] | None = None) -> list[LineChange]:
    """Every appraisal of a line that changed its entry, newest first, from the audit log.

    `codes` (node key -> full number, see full_codes) names the line as "A.1" rather than "1".
    """
    codes = codes or {}
    entries = history_for(scorecard).filter(action=LINE_APPRAISED)
    changes = []
    for entry in entries:
        data = entry.data if isinstance(entry.data, dict) else {}
        if data.get("old") == data.get("new"):
            continue  # the officer accepted the unit's entry
        changes.append(
            LineChange(
                when=entry.created_at,
                actor=actor_name(entry.actor),
                line=codes.get(data.get("key"), str(data.get("line", ""))),
                old=audit_entry_text(data.get("old", "")),
                new=audit_entry_text(data.get("new", "")),
                reason=str(data.get("reason", "")),
            )
        )
    return changes


# --- Results -------------------------------------------------------------------------------------


@dataclass
class ResultLine:
    """One ranked unit, with everything the results table and its Excel export show."""

    position: int
    scorecard: Scorecard
    total: Decimal
    self_total: Decimal
    grade_label: str
    decided_by: str
    sections: list[Decimal]
    reachable: bool = False  # the unit is in the user's scope: its scorecard page opens

    @property
    def difference(self) -> Decimal:
        return self.total - self.self_total


@dataclass
class ClusterRanking:
    cluster: EmulationCluster | None
    rows: list[ResultLine]


@dataclass
class CampaignResults:
    campaign: Campaign
    sections: list[SchemeNode]
    clusters: list[ClusterRanking]

    @property
    def unit_count(self) -> int:
        return sum(len(cluster.rows) for cluster in self.clusters)


def results_for(campaign: Campaign, *, user=None) -> CampaignResults:
    """Per cluster, the ranking on the appraised side with each top-level section's score."""
    scheme = engine_scheme(campaign.scheme)
    nodes = list(SchemeNode.objects.filter(scheme_id=campaign.scheme_id).only("pk", "parent_id", "position", "key", "code", "title"))
    codes = full_codes(nodes)
    sections = sorted((node for node in nodes if node.parent_id is None), key=lambda n: (n.position, n.pk))
    labels = {grade.key: grade.label for grade in scheme.grades}
    scope = scope_of(user) if user is not None else None
    clusters = []
    for group in campaign_results(campaign, side=Side.APPRAISED, scheme=scheme):
        rows = []
        for row in group.rows:
            rows.append(
                ResultLine(
                    position=row.position,
                    scorecard=row.scorecard,
                    total=row.result.total,
                    self_total=row.self_result.total,
                    grade_label=labels.get(row.result.grade, "") if row.result.grade else "",
                    decided_by=decided_by_text(row.decided_by, codes),
                    sections=[
                        row.result.nodes[node.key].score if node.key in row.result.nodes else Decimal(0)
                        for node in sections
                    ],
                    reachable=bool(scope and scope.reaches_unit(row.scorecard.unit)),
                )
            )
        # units sharing a position (decided by vote) are listed in Vietnamese name order
        rows.sort(key=lambda line: (line.position, line.scorecard.unit.sort_key))
        clusters.append(ClusterRanking(cluster=group.cluster, rows=rows))
    return CampaignResults(campaign=campaign, sections=sections, clusters=clusters)


def results_are_public(campaign: Campaign) -> bool:
    return campaign.state == CampaignState.PUBLISHED


# --- What-if -------------------------------------------------------------------------------------


def draft_schemes() -> QuerySet[Scheme]:
    """Scheme versions that can still change (not frozen by an open campaign)."""
    return Scheme.objects.filter(frozen_at__isnull=True).order_by("-year", "name", "-version")


def whatif_campaigns() -> QuerySet[Campaign]:
    """Campaigns with at least one scorecard past self-scoring, latest first."""
    return (
        Campaign.objects.filter(scorecards__state__in=SUBMITTED_STATES)
        .select_related("scheme")
        .distinct()
        .order_by("-year", "name")
    )


@dataclass(frozen=True)
class WhatIfRow:
    unit: object  # Unit
    change: Change


@dataclass(frozen=True)
class WhatIfCluster:
    cluster: EmulationCluster | None
    rows: list[WhatIfRow]
    rank_changes: int


@dataclass
class WhatIf:
    draft: Scheme
    campaign: Campaign
    clusters: list[WhatIfCluster]

    @property
    def unit_count(self) -> int:
        return sum(len(cluster.rows) for cluster in self.clusters)

    @property
    def rank_changes(self) -> int:
        return sum(cluster.rank_changes for cluster in self.clusters)


def whatif_run(*, draft: Scheme, campaign: Campaign) -> WhatIf:
    """Score the campaign's submitted and final scorecards under its own scheme and the draft.

    The side that counted is used: the appraised entries once an appraisal exists, the unit's own
    before. Entries are matched by node key (whatif.compare explains the rules).
    """
    scorecards = list(campaign.scorecards.filter(state__in=SUBMITTED_STATES).select_related("unit").order_by("unit__sort_key"))
    by_card, counts = _lines_with_evidence([card.pk for card in scorecards])
    old_scheme, new_scheme = engine_scheme(campaign.scheme), engine_scheme(draft)
    # portal figures of the campaign's year, fetched only when an automatic line needs them
    needs_metrics = any(node.kind == NodeKind.AUTO for s in (old_scheme, new_scheme) for node in engine.iter_nodes(s.root))
    metrics = metrics_for_year(campaign.year) if needs_metrics else {}
    seats = {
        seat.unit_id: seat.cluster
        for seat in ClusterMembership.objects.filter(year=campaign.year, unit__in=[c.unit_id for c in scorecards]).select_related(
            "cluster"
        )
    }
    ordered = sorted(scorecards, key=lambda card: (card.unit_id not in seats, seats[card.unit_id].code if card.unit_id in seats else ""))
    cases = []
    for card in ordered:
        side = Side.SELF if card.state == ScorecardState.SUBMITTED else Side.APPRAISED
        seat = seats.get(card.unit_id)
        inputs = unit_inputs(by_card.get(card.pk, []), side, metrics.get(card.unit_id, {}), card.flags, counts)
        cases.append(Case(unit=str(card.unit_id), cluster=seat.pk if seat else None, inputs=inputs))
    units = {str(card.unit_id): card.unit for card in scorecards}
    clusters = {seat.pk: seat for seat in seats.values()}
    comparisons: list[ClusterComparison] = compare(old_scheme, new_scheme, cases)
    return WhatIf(
        draft=draft,
        campaign=campaign,
        clusters=[
            WhatIfCluster(
                cluster=clusters.get(comparison.cluster),
                rows=[WhatIfRow(unit=units[change.unit], change=change) for change in comparison.rows],
                rank_changes=comparison.rank_changes,
            )
            for comparison in comparisons
        ],
    )
