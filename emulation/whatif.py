"""What-if (chạy thử bảng tiêu chí): score last year's scorecards again with a draft scheme and say,
per cluster, how each unit's total, grade and rank would change — before the draft is adopted.

Plain Python over the engine's structures (no Django): the view gathers the old campaign's
entries, this module does the comparison. Entries are matched by node key, so a line the draft
adds counts as empty for every unit (the engine's ``missing_entry``) and a line it drops is ignored.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from emulation import engine


@dataclass(frozen=True)
class Case:
    """One unit of the old campaign: its entries (the side that counted), flags and metrics."""

    unit: str
    cluster: Hashable | None
    inputs: engine.UnitInputs


@dataclass(frozen=True)
class Outcome:
    total: Decimal
    grade: str | None
    grade_label: str | None
    position: int
    decided_by: str | None


@dataclass(frozen=True)
class Change:
    """One unit under the scheme it was scored with (old) and under the draft (new)."""

    unit: str
    old: Outcome
    new: Outcome

    @property
    def total_change(self) -> Decimal:
        return self.new.total - self.old.total

    @property
    def places_up(self) -> int:
        """Positive when the unit climbs (its position number gets smaller), negative when it falls."""
        return self.old.position - self.new.position

    @property
    def places_down(self) -> int:
        return -self.places_up

    @property
    def direction(self) -> str:
        """"up", "down" or "same": the rank's movement, what the page highlights first."""
        if self.places_up > 0:
            return "up"
        if self.places_up < 0:
            return "down"
        return "same"

    @property
    def grade_changed(self) -> bool:
        return self.old.grade != self.new.grade

    @property
    def changed(self) -> bool:
        return self.direction != "same" or self.grade_changed or self.total_change != 0


@dataclass(frozen=True)
class ClusterComparison:
    cluster: Hashable | None
    rows: tuple[Change, ...]  # in the draft's order (new position, then old position)

    @property
    def rank_changes(self) -> int:
        return sum(1 for row in self.rows if row.direction != "same")


def _outcomes(scheme: engine.Scheme, cases: Sequence[Case]) -> dict[str, Outcome]:
    labels = {grade.key: grade.label for grade in scheme.grades}
    # totals, grades and positions only: no trace is shown, so none is built
    results = {case.unit: engine.score(scheme, case.inputs, explain=False) for case in cases}
    ranking = engine.rank([(case.unit, results[case.unit], case.inputs) for case in cases], scheme.tie_breakers)
    return {
        row.unit: Outcome(
            total=row.total,
            grade=results[row.unit].grade,
            grade_label=labels.get(results[row.unit].grade) if results[row.unit].grade else None,
            position=row.position,
            decided_by=row.decided_by,
        )
        for row in ranking
    }


def compare(old_scheme: engine.Scheme, new_scheme: engine.Scheme, cases: Sequence[Case]) -> list[ClusterComparison]:
    """Rank every cluster under both schemes; clusters keep the order of their first case."""
    clusters: dict[Hashable | None, list[Case]] = {}
    for case in cases:
        clusters.setdefault(case.cluster, []).append(case)
    output = []
    for cluster, members in clusters.items():
        old, new = _outcomes(old_scheme, members), _outcomes(new_scheme, members)
        rows = sorted(
            (Change(unit=case.unit, old=old[case.unit], new=new[case.unit]) for case in members),
            key=lambda change: (change.new.position, change.old.position, change.unit),
        )
        output.append(ClusterComparison(cluster=cluster, rows=tuple(rows)))
    return output
