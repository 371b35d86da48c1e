"""Portal figures that auto-scored lines can use, per unit and year (from the work-plan app)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from office.selectors import unit_year_metrics

# name -> label shown in the scheme editor
METRICS = {
    "office.on_time_rate": _("Work plan: tasks completed on time (%)"),
    "office.tasks_overdue": _("Work plan: tasks not done and overdue"),
    "office.tasks_completed_late": _("Work plan: tasks completed late"),
    "office.petitions_on_time_rate": _("Voters' petitions answered on time (%)"),
}


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"))


def metrics_for_year(year: int) -> dict[int, dict[str, Decimal]]:
    """{unit id: {metric name: value}} for every unit with work-plan data in the year.

    A figure that cannot be computed (no task with a known outcome, no petition) is left out, so
    the engine reports it as missing rather than scoring a made-up zero.
    """
    result: dict[int, dict[str, Decimal]] = {}
    for unit_id, figures in unit_year_metrics(year=year).items():
        tasks, petitions = figures["tasks"], figures["petitions"]
        values: dict[str, Decimal] = {
            "office.tasks_overdue": Decimal(tasks["overdue"]),
            "office.tasks_completed_late": Decimal(tasks["completed_late"]),
        }
        if figures["on_time_rate"] is not None:
            values["office.on_time_rate"] = (Decimal(str(figures["on_time_rate"])) * 100).quantize(Decimal("0.01"))
        rate = _percent(petitions["answered_on_time"], petitions["total"])
        if rate is not None:
            values["office.petitions_on_time_rate"] = rate
        result[unit_id] = values
    return result
