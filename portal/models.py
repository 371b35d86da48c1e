"""Organisation of the ministry (units, clusters, people, roles), the audit log, notifications, report jobs
and the public holiday calendar."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.enums import (
    REPORT_JOB_PENDING_STATES,
    ClusterKind,
    Gender,
    HolidayKind,
    ReportJobState,
    Role,
    UnitKind,
)
from portal.text import fold, nfc, person_sort_key, split_full_name, text_sort_key

# Codes are the segments of Unit.path ("/BTP/VP/"), so they must never contain the separator.
unit_code_validator = RegexValidator(
    r"^[A-Z0-9][A-Z0-9-]*\Z",
    _("Use only letters without diacritics, digits and hyphens, starting with a letter or a digit."),
)


class Unit(models.Model):
    """Đơn vị: a node of the ministry's organisation tree.

    `path` lists the codes from the root ("/BTP/VP/") so a sub-tree is one indexed prefix query;
    `search_text` and `sort_key` are derived from the name so that search ignores diacritics
    and lists sort in Vietnamese order on any database. save() keeps all three in step.
    """

    code = models.CharField(_("code"), max_length=30, unique=True, validators=[unit_code_validator])
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_active = models.BooleanField(_("active"), default=True)
    email = models.EmailField(_("e-mail"), blank=True)
    path = models.CharField(max_length=1000, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    search_text = models.CharField(max_length=500, editable=False, db_index=True)
    sort_key = models.CharField(max_length=255, editable=False, db_index=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=F("id")), name="unit_not_own_parent"),
            # The last line of defence for path scoping, whatever path the row took into the table.
            models.CheckConstraint(condition=~Q(code__contains="/"), name="unit_code_without_slash"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self._normalise()
        old_path = self.path
        parent_path = self.parent.path if self.parent_id else "/"
        if self.pk and self.parent_id and parent_path.startswith(old_path or "\0"):
            raise ValidationError(_("A unit cannot be placed under itself or one of its sub-units."))
        self.path = f"{parent_path}{self.code}/"
        self.depth = self.path.count("/") - 2
        self.search_text = fold(f"{self.name} {self.short_name} {self.code}")
        self.sort_key = text_sort_key(self.name)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "path", "depth", "search_text", "sort_key"}
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            # The unit moved or was re-coded: its whole sub-tree follows in one statement.
            Unit.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                path=Concat(Value(self.path), Substr("path", len(old_path) + 1)),
                depth=F("depth") + (self.depth - old_path.count("/") + 2),
            )

    def clean(self) -> None:
        if self.parent_id and self.pk and self.parent.path.startswith(self.path or "\0"):
            raise ValidationError({"parent": _("A unit cannot be placed under itself or one of its sub-units.")})

    def clean_fields(self, exclude=None) -> None:
        # Validate (and check uniqueness of) the code as it will be stored: "stp-hn" is "STP-HN".
        self._normalise()
        super().clean_fields(exclude=exclude)

    def _normalise(self) -> None:
        self.name = nfc(self.name)
        self.short_name = nfc(self.short_name)
        self.code = nfc(self.code).upper()

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class EmulationCluster(models.Model):
    """Cụm / khối thi đua: a group of units that score and rank against each other."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=20, choices=ClusterKind.choices, default=ClusterKind.CLUSTER)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    units = models.ManyToManyField(Unit, through="ClusterMembership", related_name="clusters")

    class Meta:
        verbose_name = _("emulation cluster")
        verbose_name_plural = _("emulation clusters")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.name = nfc(self.name)
        super().save(*args, **kwargs)


class ClusterMembership(models.Model):
    """A unit's seat in a cluster for one year (units change clusters between years)."""

    cluster = models.ForeignKey(EmulationCluster, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="cluster_memberships")
    year = models.PositiveSmallIntegerField(_("year"))
    is_head = models.BooleanField(_("cluster head"), default=False)

    class Meta:
        verbose_name = _("cluster membership")
        verbose_name_plural = _("cluster memberships")
        ordering = ["year", "cluster__code", "unit__sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="one_cluster_per_unit_and_year"),
            models.CheckConstraint(condition=Q(year__gte=1990) & Q(year__lte=2100), name="cluster_year_range"),
        ]

    def __str__(self) -> str:
        return f"{self.cluster} – {self.unit} ({self.year})"


class Person(models.Model):
    """Cán bộ, công chức, viên chức: a member of staff, with or without a login."""

    full_name = models.CharField(_("full name"), max_length=200)
    family_name = models.CharField(max_length=60, editable=False)
    middle_name = models.CharField(max_length=100, editable=False, blank=True)
    given_name = models.CharField(max_length=60, editable=False)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    position = models.CharField(_("position"), max_length=200, blank=True)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="people")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    email = models.EmailField(_("e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    search_text = models.CharField(max_length=500, editable=False, db_index=True)
    sort_key = models.CharField(max_length=255, editable=False, db_index=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["sort_key", "id"]
        indexes = [models.Index(fields=["unit", "sort_key"])]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs) -> None:
        self.full_name = nfc(self.full_name)
        self.position = nfc(self.position)
        self.family_name, self.middle_name, self.given_name = split_full_name(self.full_name)
        self.search_text = fold(self.full_name)
        self.sort_key = person_sort_key(self.full_name)
        if kwargs.get("update_fields") is not None:
            derived = {"family_name", "middle_name", "given_name", "search_text", "sort_key"}
            kwargs["update_fields"] = {*kwargs["update_fields"], *derived}
        super().save(*args, **kwargs)


class UnitMembership(models.Model):
    """Quá trình công tác: which unit a person worked in, from when to when (people move)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="memberships")
    position = models.CharField(_("position"), max_length=200, blank=True)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to"), null=True, blank=True)

    class Meta:
        verbose_name = _("unit membership")
        verbose_name_plural = _("unit memberships")
        ordering = ["person", "-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="membership_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.unit}"


class RoleGrant(models.Model):
    """A role held by a user; staff and leader roles are scoped to a unit (leaders: and below)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.CASCADE, related_name="role_grants"
    )

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "unit"], name="unique_role_grant"),
            models.CheckConstraint(
                condition=~Q(role__in=["staff", "unit_leader"]) | Q(unit__isnull=False),
                name="unit_roles_need_a_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}"


class AuditLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Audit log entries cannot be changed.")

    def delete(self):
        raise PermissionError("Audit log entries cannot be deleted.")


class AuditLog(models.Model):
    """Nhật ký: one row per state change anywhere in the portal; written once, never changed.

    The sentence a person reads is produced at display time (portal.audit), in their language.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    content_object = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(max_length=255)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=100, db_index=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.action} {self.object_repr}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise PermissionError("Audit log entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit log entries cannot be deleted.")


class Notification(models.Model):
    """Thông báo: an in-app message to one user; also e-mailed when it is created.

    Like the audit log it stores a message key and parameters, rendered in the reader's language.
    """

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=100)
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Set once the e-mail went out, so a retried sending task never e-mails it twice.
    emailed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient}"


def report_upload_to(job: ReportJob, filename: str) -> str:
    """reports/<year>/<month>/<job id>/<file name>: one folder per job, so names never clash."""
    when = job.queued_at or timezone.now()
    return f"reports/{when:%Y/%m}/{job.pk}/{filename}"


class ReportJob(models.Model):
    """Yêu cầu in tài liệu: one requested document (PDF, and Excel when it is a table).

    Created by the request page, filled in by the Celery task `portal.render_report`. Each
    request is a new row, so re-generating a report keeps the earlier files (history).
    """

    kind = models.CharField(_("document"), max_length=100, db_index=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    title = models.CharField(_("title"), max_length=300, blank=True)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.CASCADE, related_name="report_jobs"
    )
    language = models.CharField(_("language"), max_length=10, default="vi")
    state = models.CharField(
        _("state"), max_length=10, choices=ReportJobState.choices, default=ReportJobState.QUEUED, db_index=True
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    error = models.TextField(_("error"), blank=True)
    file = models.FileField(_("PDF file"), upload_to=report_upload_to, max_length=300, blank=True)
    excel_file = models.FileField(_("Excel file"), upload_to=report_upload_to, max_length=300, blank=True)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    queued_at = models.DateTimeField(_("requested at"), default=timezone.now, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Touched by every progress update: a running job whose heartbeat stops has lost its worker.
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    render_seconds = models.FloatField(null=True, blank=True, editable=False)
    query_seconds = models.FloatField(null=True, blank=True, editable=False)
    template_seconds = models.FloatField(null=True, blank=True, editable=False)
    weasyprint_seconds = models.FloatField(null=True, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    task_id = models.CharField(max_length=255, blank=True, editable=False)
    worker = models.CharField(max_length=255, blank=True, editable=False)

    class Meta:
        verbose_name = _("report job")
        verbose_name_plural = _("report jobs")
        ordering = ["-queued_at", "-id"]
        indexes = [models.Index(fields=["requester", "kind", "-queued_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_job_progress_at_most_100"),
            models.CheckConstraint(
                condition=Q(state__in=["queued", "running", "done", "failed"]), name="report_job_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.state})"

    @property
    def is_pending(self) -> bool:
        return self.state in REPORT_JOB_PENDING_STATES


class FormSubmission(models.Model):
    """A create form already sent: the fingerprint of its POST (see portal.idempotency), so the same
    form sent twice in a row (a double click, a resend after "back") creates one object. Rows live
    PORTAL_SUBMIT_ONCE_SECONDS and are deleted as new forms arrive; never shown to anyone."""

    key = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    location = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.key[:12]} → {self.location or '…'}"


class PublicHoliday(models.Model):
    """Ngày nghỉ lễ, Tết / ngày làm bù: one date that departs from the Monday-to-Friday week, read by
    portal.calendar for every period counted in working days.

    Only four holidays fall on fixed solar dates (Labour Code 2019 art. 112: 1/1, 30/4, 1/5, 2/9);
    Tết Nguyên đán, Giỗ Tổ Hùng Vương (10/3 lunar), the day next to 2/9 and the days swapped around
    them are announced by the Government each year, and an administrator enters them here.
    """

    date = models.DateField(
        _("date"),
        unique=True,
        help_text=_(
            "One row per day. Only 1/1, 30/4, 1/5 and 2/9 are fixed by the Labour Code; enter Tết, the Hùng "
            "Kings' Commemoration Day, the day next to 2/9 and the days swapped around them each year, as the "
            "Government announces them."
        ),
    )
    name = models.CharField(
        _("name"),
        max_length=200,
        help_text=_("As the announcement calls it, e.g. “Tết Nguyên đán”, “Nghỉ bù Quốc khánh”, “Làm bù Tết”."),
    )
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=HolidayKind.choices,
        default=HolidayKind.HOLIDAY,
        help_text=_(
            "A day off is left out of every period counted in working days; a compensatory working day "
            "(a Saturday or Sunday worked in exchange for a day off) is counted as one."
        ),
    )
    basis = models.CharField(
        _("legal basis"),
        max_length=255,
        blank=True,
        help_text=_(
            "The article of the Labour Code or the Government's announcement for this year that sets the day."
        ),
    )

    class Meta:
        verbose_name = _("public holiday")
        verbose_name_plural = _("public holidays")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}"

    def save(self, *args, **kwargs) -> None:
        self.name = nfc(self.name)
        self.basis = nfc(self.basis)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        # A weekday is a working day already: "working day" only means something on a weekend.
        if self.kind == HolidayKind.WORKING_DAY and self.date and self.date.weekday() < 5:
            raise ValidationError({"kind": _("A compensatory working day must be a Saturday or a Sunday.")})
