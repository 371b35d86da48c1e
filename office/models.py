"""Annual work plans (kế hoạch công tác năm), their tasks, progress, deadline adjustments,
voters' petitions and the log of reminders already sent."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from office.enums import (
    AdjustmentState,
    DeadlineKind,
    PetitionBody,
    PetitionClass,
    PlanState,
    Priority,
    ReminderKind,
    TaskSource,
)
from portal.models import Person, Unit
from portal.text import fold, nfc

ROMAN_QUARTERS = {1: "I", 2: "II", 3: "III", 4: "IV"}


class PlanYear(models.Model):
    """The Office's settings for one year: when unit plans must be issued, the reporting window."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    plan_issue_deadline = models.DateField(_("deadline for issuing unit plans"))
    report_period_start = models.DateField(_("reporting period from"))
    report_period_end = models.DateField(_("reporting period to"))

    class Meta:
        verbose_name = _("plan year")
        verbose_name_plural = _("plan years")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(report_period_end__gt=F("report_period_start")), name="plan_year_period_order"
            )
        ]

    def __str__(self) -> str:
        return str(self.year)


class WorkPlan(models.Model):
    """Kế hoạch công tác năm of one unit; the ministry root's plan is the ministry-wide programme."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="work_plans")
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=300)
    state = models.CharField(_("state"), max_length=20, choices=PlanState.choices, default=PlanState.DRAFT)
    issue_number = models.CharField(_("document number"), max_length=60, blank=True)
    issued_on = models.DateField(_("issue date"), null=True, blank=True)
    signer = models.CharField(_("signed by"), max_length=200, blank=True)
    return_reason = models.TextField(_("reason for return"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("work plan")
        verbose_name_plural = _("work plans")
        ordering = ["-year", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="one_plan_per_unit_and_year"),
            models.CheckConstraint(
                condition=~Q(state="issued") | (Q(issued_on__isnull=False) & ~Q(issue_number="")),
                name="issued_plan_has_number_and_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.title = nfc(self.title)
        super().save(*args, **kwargs)


class Task(models.Model):
    """Nhiệm vụ: a line of a work plan, led by one unit with others cooperating.

    `due_date` is the effective last day (end of the month or quarter for those deadline kinds);
    `original_*` keep the deadline first planned, for statistics, when it is adjusted later.
    The status is never stored: see office.status.
    """

    plan = models.ForeignKey(WorkPlan, verbose_name=_("work plan"), on_delete=models.CASCADE, related_name="tasks")
    parent = models.ForeignKey(
        "self", verbose_name=_("parent task"), null=True, blank=True, on_delete=models.CASCADE, related_name="subtasks"
    )
    code = models.CharField(_("code"), max_length=40)
    content = models.TextField(_("content"))
    lead_unit = models.ForeignKey(
        Unit, verbose_name=_("lead unit"), on_delete=models.PROTECT, related_name="led_tasks"
    )
    cooperating_units = models.ManyToManyField(
        Unit, verbose_name=_("cooperating units"), blank=True, related_name="cooperating_tasks"
    )
    assignees = models.ManyToManyField(Person, verbose_name=_("assignees"), blank=True, related_name="tasks")
    source = models.CharField(_("source"), max_length=20, choices=TaskSource.choices, default=TaskSource.OWN_PLAN)
    deadline_kind = models.CharField(
        _("deadline kind"), max_length=10, choices=DeadlineKind.choices, default=DeadlineKind.DATE
    )
    due_date = models.DateField(_("deadline"), null=True, blank=True, db_index=True)
    original_deadline_kind = models.CharField(max_length=10, choices=DeadlineKind.choices, editable=False)
    original_due_date = models.DateField(null=True, blank=True, editable=False)
    output = models.CharField(_("expected output"), max_length=300, blank=True)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    completed_on = models.DateField(_("completed on"), null=True, blank=True, db_index=True)
    output_document = models.CharField(_("output document"), max_length=300, blank=True)
    output_file = models.FileField(_("output file"), upload_to="office/outputs/%Y/", blank=True)
    progress_percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    search_text = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["plan", "code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="task_code_unique_in_plan"),
            models.CheckConstraint(condition=Q(progress_percent__lte=100), name="task_progress_at_most_100"),
            models.CheckConstraint(
                condition=Q(deadline_kind="none", due_date__isnull=True) | (~Q(deadline_kind="none") & Q(due_date__isnull=False)),
                name="task_deadline_matches_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["lead_unit", "due_date"]),
            models.Index(fields=["plan", "lead_unit"]),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.content[:80]}"

    def save(self, *args, **kwargs) -> None:
        self.content = nfc(self.content)
        self.output = nfc(self.output)
        self.search_text = fold(f"{self.code} {self.content} {self.output}")
        if not self.original_deadline_kind:
            self.original_deadline_kind = self.deadline_kind
            self.original_due_date = self.due_date
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    @property
    def deadline_label(self) -> str:
        return deadline_label(self.deadline_kind, self.due_date)

    @property
    def deadline_adjusted(self) -> bool:
        return (self.original_deadline_kind, self.original_due_date) != (self.deadline_kind, self.due_date)


def deadline_label(kind: str, due) -> str:
    """"30/06/2026", "tháng 6/2026", "quý II/2026" or "—", in the active language."""
    if due is None or kind == DeadlineKind.NONE:
        return "—"
    if kind == DeadlineKind.MONTH:
        return _("month %(month)d/%(year)d") % {"month": due.month, "year": due.year}
    if kind == DeadlineKind.QUARTER:
        return _("quarter %(quarter)s/%(year)d") % {"quarter": ROMAN_QUARTERS[(due.month - 1) // 3 + 1], "year": due.year}
    return due.strftime("%d/%m/%Y")


class ProgressReport(models.Model):
    """Báo cáo tiến độ: a dated note on a task, kept as history."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="progress_reports")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"))
    percent = models.PositiveSmallIntegerField(_("progress (%)"))
    attachment = models.FileField(_("attachment"), upload_to="office/progress/%Y/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(percent__lte=100), name="progress_report_percent_at_most_100")]

    def __str__(self) -> str:
        return f"{self.task.code}: {self.percent}%"


class DeadlineAdjustment(models.Model):
    """Điều chỉnh thời hạn: the lead unit asks, its leader (or the Office) decides."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="adjustments")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    old_deadline_kind = models.CharField(max_length=10, choices=DeadlineKind.choices)
    old_due_date = models.DateField(null=True, blank=True)
    new_deadline_kind = models.CharField(_("new deadline kind"), max_length=10, choices=DeadlineKind.choices)
    new_due_date = models.DateField(_("new deadline"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    state = models.CharField(max_length=10, choices=AdjustmentState.choices, default=AdjustmentState.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("deadline adjustment")
        verbose_name_plural = _("deadline adjustments")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["task"], condition=Q(state="pending"), name="one_pending_adjustment_per_task"
            )
        ]

    def __str__(self) -> str:
        return f"{self.task.code}: {self.old_due_date} → {self.new_due_date}"


class PetitionBatch(models.Model):
    """Đợt kiến nghị cử tri: the petitions sent after one session of the National Assembly
    (or of a People's Council), with the legal answer period that applies to them."""

    body = models.CharField(_("body"), max_length=20, choices=PetitionBody.choices)
    session = models.CharField(_("session"), max_length=200)
    received_on = models.DateField(_("received on"))
    answer_days = models.PositiveSmallIntegerField(_("days to answer"))
    next_session_on = models.DateField(_("next session opens on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("petition batch")
        verbose_name_plural = _("petition batches")
        ordering = ["-received_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(answer_days__gte=1), name="petition_batch_answer_days_positive")]

    def __str__(self) -> str:
        return self.session


class Petition(models.Model):
    """Kiến nghị cử tri: one petition, its lead unit, answer and classification."""

    batch = models.ForeignKey(PetitionBatch, verbose_name=_("batch"), on_delete=models.CASCADE, related_name="petitions")
    code = models.CharField(_("code"), max_length=40)
    content = models.TextField(_("content"))
    constituency = models.CharField(_("voters of"), max_length=200, blank=True)
    received_on = models.DateField(_("received on"))
    answer_deadline = models.DateField(_("answer deadline"))
    lead_unit = models.ForeignKey(Unit, verbose_name=_("lead unit"), on_delete=models.PROTECT, related_name="petitions")
    classification = models.CharField(
        _("classification"), max_length=20, choices=PetitionClass.choices, default=PetitionClass.UNANSWERED
    )
    answer_text = models.TextField(_("answer"), blank=True)
    answer_file = models.FileField(_("answer file"), upload_to="office/petitions/%Y/", blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    roadmap = models.TextField(_("roadmap"), blank=True)
    roadmap_deadline = models.DateField(_("roadmap deadline"), null=True, blank=True)
    search_text = models.TextField(editable=False, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")
        ordering = ["batch", "code"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "code"], name="petition_code_unique_in_batch"),
            models.CheckConstraint(
                condition=Q(classification="unanswered") | Q(answered_on__isnull=False),
                name="answered_petition_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.content[:80]}"

    def save(self, *args, **kwargs) -> None:
        self.content = nfc(self.content)
        self.search_text = fold(f"{self.code} {self.content} {self.constituency}")
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)


class ReminderLog(models.Model):
    """One row per reminder sent, so the daily job never sends the same one twice."""

    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    day = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(fields=["task", "recipient", "kind", "day"], name="one_reminder_per_task_day"),
            models.UniqueConstraint(
                fields=["recipient", "kind", "day"], condition=Q(task__isnull=True), name="one_digest_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.day}"
