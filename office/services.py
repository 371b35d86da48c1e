"""Write functions of the work-plan app: plans and their one transition service, tasks, progress,
completion and deadline adjustments. Each checks the permission, audits and notifies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from office.enums import AdjustmentState, DeadlineKind, PlanState
from office.models import DeadlineAdjustment, ProgressReport, Task, WorkPlan
from office.status import effective_due_date
from portal.audit import actor_name, audit_log, field_changes
from portal.models import Person, Unit
from portal.notifications import notify
from portal.selectors import leaders_of
from portal.services import StaleVersionError
from portal.text import nfc


class OfficeError(Exception):
    """A rule of the work-plan domain refused the change; the message is for the user."""


def _require(actor, perm: str, obj) -> None:
    if not actor.has_perm(perm, obj):
        raise PermissionDenied(perm)


# --- Plans -----------------------------------------------------------------------------------


@transaction.atomic
def plan_create(*, actor, unit: Unit, year: int, title: str) -> WorkPlan:
    _require(actor, "office.change_workplan", WorkPlan(unit=unit, state=PlanState.DRAFT))
    if WorkPlan.objects.filter(unit=unit, year=year).exists():
        raise OfficeError(_("%(unit)s already has a work plan for %(year)d.") % {"unit": unit.name, "year": year})
    plan = WorkPlan.objects.create(unit=unit, year=year, title=nfc(title))
    audit_log(actor=actor, obj=plan, action="office.plan.created", data={"year": year})
    return plan


@dataclass(frozen=True)
class PlanTransition:
    sources: frozenset[str]
    target: str
    permission: str
    action: str


PLAN_TRANSITIONS = {
    "submit": PlanTransition(
        frozenset({PlanState.DRAFT, PlanState.RETURNED}), PlanState.SUBMITTED, "office.submit_workplan", "office.plan.submitted"
    ),
    "return": PlanTransition(
        frozenset({PlanState.SUBMITTED}), PlanState.RETURNED, "office.return_workplan", "office.plan.returned"
    ),
    "issue": PlanTransition(frozenset({PlanState.SUBMITTED}), PlanState.ISSUED, "office.issue_workplan", "office.plan.issued"),
}


def plan_transition(
    *,
    actor,
    plan_id: int,
    action: str,
    version: int,
    reason: str = "",
    issue_number: str = "",
    issued_on: date | None = None,
    signer: str = "",
) -> WorkPlan:
    """Move a plan along draft → submitted → issued (or back to returned, with a reason)."""
    transition = PLAN_TRANSITIONS[action]
    with transaction.atomic():
        plan = WorkPlan.objects.select_for_update().select_related("unit").get(pk=plan_id)
        if plan.version != version:
            raise StaleVersionError(plan)
        if plan.state not in transition.sources:
            raise OfficeError(
                _("This plan is “%(state)s”; it cannot be changed that way now.") % {"state": plan.get_state_display()}
            )
        _require(actor, transition.permission, plan)
        previous = plan.state
        fields = ["state", "version"]
        if action == "return":
            if not nfc(reason):
                raise OfficeError(_("Give the reason for returning the plan."))
            plan.return_reason = nfc(reason)
            fields.append("return_reason")
        if action == "issue":
            if not nfc(issue_number) or issued_on is None:
                raise OfficeError(_("An issued plan needs its document number and issue date."))
            plan.issue_number, plan.issued_on, plan.signer = nfc(issue_number), issued_on, nfc(signer)
            fields += ["issue_number", "issued_on", "signer"]
        plan.state = transition.target
        plan.version += 1
        plan.save(update_fields=fields)
        audit_log(
            actor=actor,
            obj=plan,
            action=transition.action,
            data={"previous_state": previous, "state": plan.state, "reason": plan.return_reason if action == "return" else ""},
        )
        recipients = leaders_of(plan.unit) if action == "submit" else _plan_people(plan)
        notify(
            recipients=[user for user in recipients if user.pk != actor.pk],
            kind=transition.action,
            params={"actor": actor_name(actor), "plan": plan.title},
            url=reverse("office:plan_detail", args=[plan.pk]),
        )
    return plan


def _plan_people(plan: WorkPlan):
    """Who hears about a plan's return or issue: everyone who audited a change to it."""
    from django.contrib.auth import get_user_model

    from portal.audit import history_for

    actor_ids = {entry.actor_id for entry in history_for(plan) if entry.actor_id}
    return list(get_user_model().objects.filter(pk__in=actor_ids, is_active=True))


# --- Tasks -----------------------------------------------------------------------------------


@dataclass
class TaskData:
    code: str
    content: str
    lead_unit: Unit
    deadline_kind: str = DeadlineKind.DATE
    deadline: date | None = None
    source: str = "own_plan"
    output: str = ""
    priority: str = "normal"
    parent: Task | None = None
    cooperating_units: list[Unit] = field(default_factory=list)
    assignees: list[Person] = field(default_factory=list)


def _validate_task(plan: WorkPlan, data: TaskData) -> date | None:
    if data.deadline_kind != DeadlineKind.NONE and data.deadline is None:
        raise OfficeError(_("Give the deadline, or choose “No deadline”."))
    if data.parent is not None and data.parent.plan_id != plan.pk:
        raise OfficeError(_("A sub-task must belong to the same plan as its parent task."))
    if any(unit.pk == data.lead_unit.pk for unit in data.cooperating_units):
        raise OfficeError(_("The lead unit cannot also be a cooperating unit."))
    return effective_due_date(data.deadline_kind, data.deadline)


def task_create(*, actor, plan: WorkPlan, data: TaskData) -> Task:
    _require(actor, "office.add_task", plan)
    due = _validate_task(plan, data)
    with transaction.atomic():
        if Task.objects.filter(plan=plan, code=nfc(data.code)).exists():
            raise OfficeError(_("The code %(code)s is already used in this plan.") % {"code": nfc(data.code)})
        task = Task.objects.create(
            plan=plan,
            parent=data.parent,
            code=nfc(data.code),
            content=data.content,
            lead_unit=data.lead_unit,
            source=data.source,
            deadline_kind=data.deadline_kind,
            due_date=due,
            output=data.output,
            priority=data.priority,
        )
        task.cooperating_units.set(data.cooperating_units)
        task.assignees.set(data.assignees)
        audit_log(actor=actor, obj=task, action="office.task.created", data={"plan": plan.title})
    return task


TASK_FIELDS = ("code", "content", "lead_unit", "source", "deadline_kind", "due_date", "output", "priority", "parent")


def task_update(*, actor, task_id: int, version: int, data: TaskData) -> Task:
    """Edit a task. Once its plan is issued, the deadline changes only through an adjustment."""
    with transaction.atomic():
        task = Task.objects.select_for_update().select_related("plan", "lead_unit").get(pk=task_id)
        if task.version != version:
            raise StaleVersionError(task)
        _require(actor, "office.change_task", task)
        due = _validate_task(task.plan, data)
        if (data.deadline_kind, due) != (task.deadline_kind, task.due_date) and task.plan.state == PlanState.ISSUED:
            raise OfficeError(_("The plan is issued: ask for a deadline adjustment instead of editing the deadline."))
        if data.parent is not None and (data.parent.pk == task.pk or data.parent.parent_id == task.pk):
            raise OfficeError(_("A task cannot be a sub-task of itself or of its own sub-task."))
        before = {name: getattr(task, name) for name in TASK_FIELDS}
        before_units = sorted(task.cooperating_units.values_list("code", flat=True))
        task.code, task.content, task.lead_unit, task.source = nfc(data.code), data.content, data.lead_unit, data.source
        task.deadline_kind, task.due_date, task.output, task.priority = data.deadline_kind, due, data.output, data.priority
        task.parent = data.parent
        if task.plan.state != PlanState.ISSUED:
            # Before the plan is issued, the planned deadline is the one statistics compare with.
            task.original_deadline_kind, task.original_due_date = task.deadline_kind, task.due_date
        changes = field_changes(before, {name: getattr(task, name) for name in TASK_FIELDS})
        task.cooperating_units.set(data.cooperating_units)
        task.assignees.set(data.assignees)
        after_units = sorted(unit.code for unit in data.cooperating_units)
        if before_units != after_units:
            changes["cooperating_units"] = [", ".join(before_units), ", ".join(after_units)]
        task.version += 1
        task.save()
        audit_log(actor=actor, obj=task, action="office.task.updated", data={"changes": changes})
    return task


def task_delete(*, actor, task_id: int) -> None:
    with transaction.atomic():
        task = Task.objects.select_for_update().select_related("plan", "lead_unit").get(pk=task_id)
        _require(actor, "office.delete_task", task)
        audit_log(actor=actor, obj=task, action="office.task.deleted", data={"plan": task.plan.title})
        task.delete()


def progress_report_add(*, actor, task_id: int, note: str, percent: int, attachment=None) -> ProgressReport:
    with transaction.atomic():
        task = Task.objects.select_for_update().select_related("plan", "lead_unit").get(pk=task_id)
        _require(actor, "office.report_progress", task)
        if not 0 <= percent <= 100:
            raise OfficeError(_("Progress is a percentage between 0 and 100."))
        report = ProgressReport.objects.create(
            task=task, author=actor, note=nfc(note), percent=percent, attachment=attachment or ""
        )
        task.progress_percent = percent
        task.save(update_fields=["progress_percent", "updated_at"])
        audit_log(actor=actor, obj=task, action="office.task.progress", data={"percent": percent})
    return report


def task_complete(*, actor, task_id: int, completed_on: date, output_document: str, output_file=None) -> Task:
    """Record that a task is done: the completion date decides on-time or late for good."""
    with transaction.atomic():
        task = Task.objects.select_for_update().select_related("plan", "lead_unit").get(pk=task_id)
        _require(actor, "office.complete_task", task)
        if completed_on > timezone.localdate():
            raise OfficeError(_("The completion date cannot be in the future."))
        if not nfc(output_document):
            raise OfficeError(_("Name the output document (number and title) that completes the task."))
        task.completed_on = completed_on
        task.output_document = nfc(output_document)
        task.progress_percent = 100
        fields = ["completed_on", "output_document", "progress_percent", "updated_at", "version"]
        if output_file:
            task.output_file = output_file
            fields.append("output_file")
        task.version += 1
        task.save(update_fields=fields)
        audit_log(
            actor=actor,
            obj=task,
            action="office.task.completed",
            data={"completed_on": completed_on.isoformat(), "output_document": task.output_document},
        )
    return task


# --- Deadline adjustments ----------------------------------------------------------------------


def adjustment_request(*, actor, task_id: int, new_kind: str, new_deadline: date | None, reason: str) -> DeadlineAdjustment:
    with transaction.atomic():
        task = Task.objects.select_for_update().select_related("plan", "lead_unit").get(pk=task_id)
        _require(actor, "office.request_adjustment", task)
        if not nfc(reason):
            raise OfficeError(_("Give the reason for the deadline adjustment."))
        if new_kind != DeadlineKind.NONE and new_deadline is None:
            raise OfficeError(_("Give the new deadline."))
        new_due = effective_due_date(new_kind, new_deadline)
        if (new_kind, new_due) == (task.deadline_kind, task.due_date):
            raise OfficeError(_("The new deadline is the same as the current one."))
        if task.adjustments.filter(state=AdjustmentState.PENDING).exists():
            raise OfficeError(_("A deadline adjustment for this task is already awaiting a decision."))
        adjustment = DeadlineAdjustment.objects.create(
            task=task,
            requested_by=actor,
            old_deadline_kind=task.deadline_kind,
            old_due_date=task.due_date,
            new_deadline_kind=new_kind,
            new_due_date=new_due,
            reason=nfc(reason),
        )
        audit_log(
            actor=actor,
            obj=task,
            action="office.adjustment.requested",
            data={"old": task.deadline_label, "new": _label(new_kind, new_due)},
        )
        notify(
            recipients=[user for user in leaders_of(task.lead_unit) if user.pk != actor.pk],
            kind="office.adjustment.requested",
            params={"actor": actor_name(actor), "task": task.code},
            url=reverse("office:task_detail", args=[task.pk]),
        )
    return adjustment


def adjustment_decide(*, actor, adjustment_id: int, approve: bool, note: str = "") -> DeadlineAdjustment:
    """Approve (the task takes the new deadline; the original stays for statistics) or reject."""
    with transaction.atomic():
        adjustment = DeadlineAdjustment.objects.select_for_update().select_related("task__plan", "task__lead_unit").get(
            pk=adjustment_id
        )
        task = Task.objects.select_for_update().get(pk=adjustment.task_id)
        _require(actor, "office.decide_adjustment", adjustment.task)
        if adjustment.state != AdjustmentState.PENDING:
            raise OfficeError(_("This request was already decided."))
        if not approve and not nfc(note):
            raise OfficeError(_("Give the reason for rejecting the request."))
        adjustment.state = AdjustmentState.APPROVED if approve else AdjustmentState.REJECTED
        adjustment.decided_by, adjustment.decided_at, adjustment.decision_note = actor, timezone.now(), nfc(note)
        adjustment.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
        if approve:
            task.deadline_kind, task.due_date = adjustment.new_deadline_kind, adjustment.new_due_date
            task.version += 1
            task.save(update_fields=["deadline_kind", "due_date", "version", "updated_at"])
        audit_log(
            actor=actor,
            obj=task,
            action="office.adjustment.approved" if approve else "office.adjustment.rejected",
            data={"new": _label(adjustment.new_deadline_kind, adjustment.new_due_date), "note": adjustment.decision_note},
        )
        notify(
            recipients=[adjustment.requested_by] if adjustment.requested_by_id != actor.pk else [],
            kind="office.adjustment.approved" if approve else "office.adjustment.rejected",
            params={"actor": actor_name(actor), "task": task.code},
            url=reverse("office:task_detail", args=[task.pk]),
        )
    return adjustment


def _label(kind: str, due: date | None) -> str:
    from office.models import deadline_label

    return deadline_label(kind, due)
