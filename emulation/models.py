"""Emulation campaigns (phong trào thi đua), their scoring schemes (bảng tiêu chí chấm điểm),
target registrations (đăng ký thi đua) and each unit's scorecard (phiếu chấm điểm) with its lines."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from emulation.enums import CampaignKind, CampaignState, NodeGate, NodeKind, ScorecardState, TieBreakKind
from portal.models import EmulationCluster, Unit
from portal.text import nfc

POINTS = {"max_digits": 8, "decimal_places": 2}


class Scheme(models.Model):
    """Bảng tiêu chí: a versioned scoring table, frozen once a campaign using it opens."""

    name = models.CharField(_("name"), max_length=300)
    year = models.PositiveSmallIntegerField(_("year"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    cloned_from = models.ForeignKey(
        "self", verbose_name=_("cloned from"), null=True, blank=True, on_delete=models.SET_NULL, related_name="clones"
    )
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    edit_version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("scoring scheme")
        verbose_name_plural = _("scoring schemes")
        ordering = ["-year", "name", "-version"]
        constraints = [models.UniqueConstraint(fields=["name", "year", "version"], name="scheme_name_year_version")]

    def __str__(self) -> str:
        return f"{self.name} ({self.year}, v{self.version})"

    def save(self, *args, **kwargs) -> None:
        self.name = nfc(self.name)
        super().save(*args, **kwargs)

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None


class SchemeNode(models.Model):
    """A section, criterion or line of a scheme; `key` is stable across clones and imports,
    `code` is what the printed table shows (A, I, 1, 1.1, a)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="nodes")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    position = models.PositiveIntegerField(pgettext_lazy("order of a line", "position"), default=0)
    key = models.CharField(_("key"), max_length=60)
    code = models.CharField(_("number as printed"), max_length=20, blank=True)
    title = models.TextField(_("criterion"))
    guidance = models.TextField(_("guidance"), blank=True)
    kind = models.CharField(_("scoring kind"), max_length=20, choices=NodeKind.choices, default=NodeKind.MANUAL)
    max_points = models.DecimalField(_("maximum points"), null=True, blank=True, **POINTS)
    step = models.DecimalField(_("step"), null=True, blank=True, max_digits=6, decimal_places=2)
    tiers = models.JSONField(_("tiers"), default=list, blank=True)
    formula = models.CharField(_("formula"), max_length=500, blank=True)
    inputs = models.JSONField(_("formula inputs"), default=list, blank=True)
    measure = models.CharField(_("measured value or portal figure"), max_length=100, blank=True)
    gate = models.CharField(_("condition"), max_length=60, blank=True, default=NodeGate.NONE)
    requires_evidence = models.BooleanField(_("evidence required"), default=False)

    class Meta:
        verbose_name = _("scheme line")
        verbose_name_plural = _("scheme lines")
        ordering = ["scheme", "parent_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "key"], name="scheme_node_key_unique"),
            models.CheckConstraint(condition=Q(max_points__isnull=True) | Q(max_points__gte=0), name="node_max_not_negative"),
            models.CheckConstraint(condition=Q(step__isnull=True) | Q(step__gt=0), name="node_step_positive"),
        ]
        indexes = [models.Index(fields=["scheme", "parent", "position"])]

    def __str__(self) -> str:
        return f"{self.code} {self.title[:80]}".strip()

    def save(self, *args, **kwargs) -> None:
        self.title = nfc(self.title)
        self.code = nfc(self.code)
        super().save(*args, **kwargs)


class SchemeGrade(models.Model):
    """A classification by total (e.g. excellent ≥ 95), best first; optionally no zero line."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="grades")
    position = models.PositiveSmallIntegerField(default=0)
    key = models.CharField(_("key"), max_length=40)
    label = models.CharField(_("grade"), max_length=200)
    min_total = models.DecimalField(_("minimum total"), **POINTS)
    no_zero_lines = models.BooleanField(_("no scored line may be zero"), default=False)

    class Meta:
        verbose_name = _("grade")
        verbose_name_plural = _("grades")
        ordering = ["scheme", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["scheme", "key"], name="scheme_grade_key_unique")]

    def __str__(self) -> str:
        return self.label


class SchemeGradeCap(models.Model):
    """A flag (e.g. a leader was disciplined) that caps the grade a unit can reach."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="grade_caps")
    flag = models.CharField(_("flag"), max_length=60)
    label = models.CharField(_("description"), max_length=300)
    max_grade = models.CharField(_("best grade allowed"), max_length=40)

    class Meta:
        verbose_name = _("grade cap")
        verbose_name_plural = _("grade caps")
        constraints = [models.UniqueConstraint(fields=["scheme", "flag"], name="scheme_grade_cap_flag_unique")]

    def __str__(self) -> str:
        return self.label


class SchemeTieBreaker(models.Model):
    """One step of the ordered list of secondary measures that separates equal totals."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="tie_breakers")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("measure"), max_length=10, choices=TieBreakKind.choices)
    ref = models.CharField(_("reference"), max_length=120)
    descending = models.BooleanField(_("higher is better"), default=True)

    class Meta:
        verbose_name = _("tie-breaker")
        verbose_name_plural = _("tie-breakers")
        ordering = ["scheme", "position", "id"]

    def __str__(self) -> str:
        return f"{self.kind}:{self.ref}"


class Campaign(models.Model):
    """Phong trào thi đua: who takes part, with which scheme, and where it stands."""

    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=CampaignKind.choices, default=CampaignKind.ANNUAL)
    year = models.PositiveSmallIntegerField(_("year"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    self_scoring_deadline = models.DateField(_("self-scoring deadline"), null=True, blank=True)
    response_days = models.PositiveSmallIntegerField(_("days for the unit's response to the appraisal"), default=5)
    scheme = models.ForeignKey(Scheme, verbose_name=_("scoring scheme"), on_delete=models.PROTECT, related_name="campaigns")
    clusters = models.ManyToManyField(EmulationCluster, verbose_name=_("participating clusters"), blank=True)
    units = models.ManyToManyField(Unit, verbose_name=_("other participating units"), blank=True, related_name="+")
    state = models.CharField(_("state"), max_length=20, choices=CampaignState.choices, default=CampaignState.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("emulation campaign")
        verbose_name_plural = _("emulation campaigns")
        ordering = ["-year", "name"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="campaign_dates_in_order")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.name = nfc(self.name)
        super().save(*args, **kwargs)


class Registration(models.Model):
    """Đăng ký thi đua: what a unit aims for in the campaign, at its start."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="registrations")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="registrations")
    target = models.CharField(_("target title"), max_length=300)
    commitments = models.TextField(_("commitments"), blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [models.UniqueConstraint(fields=["campaign", "unit"], name="one_registration_per_unit")]

    def __str__(self) -> str:
        return f"{self.unit} – {self.target}"


class Scorecard(models.Model):
    """Phiếu chấm điểm: one unit's scores in one campaign, self-scored then appraised."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="scorecards")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="scorecards")
    state = models.CharField(_("state"), max_length=20, choices=ScorecardState.choices, default=ScorecardState.DRAFT)
    flags = models.JSONField(_("flags"), default=list, blank=True)
    self_total = models.DecimalField(_("self-scored total"), null=True, blank=True, **POINTS)
    appraised_total = models.DecimalField(_("appraised total"), null=True, blank=True, **POINTS)
    grade = models.CharField(_("grade"), max_length=40, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    appraised_at = models.DateTimeField(null=True, blank=True)
    response_deadline = models.DateField(null=True, blank=True)
    finalised_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        ordering = ["campaign", "unit__sort_key"]
        constraints = [models.UniqueConstraint(fields=["campaign", "unit"], name="one_scorecard_per_unit")]

    def __str__(self) -> str:
        return f"{self.campaign} – {self.unit}"


class ScoreLine(models.Model):
    """One line of a scorecard: what the unit entered and what the appraisal made of it.

    Each side holds the raw entry (points, yes/no, measured value, formula inputs); the engine
    turns entries into scores, so scores are never typed twice.
    """

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="lines")
    node = models.ForeignKey(SchemeNode, on_delete=models.PROTECT, related_name="+")
    self_points = models.DecimalField(null=True, blank=True, **POINTS)
    self_flag = models.BooleanField(null=True, blank=True)
    self_value = models.DecimalField(null=True, blank=True, max_digits=14, decimal_places=4)
    self_inputs = models.JSONField(default=dict, blank=True)
    self_note = models.TextField(_("note"), blank=True)
    appraised = models.BooleanField(default=False)
    appr_points = models.DecimalField(null=True, blank=True, **POINTS)
    appr_flag = models.BooleanField(null=True, blank=True)
    appr_value = models.DecimalField(null=True, blank=True, max_digits=14, decimal_places=4)
    appr_inputs = models.JSONField(default=dict, blank=True)
    appraisal_reason = models.TextField(_("reason for the change"), blank=True)
    appraised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    appraised_at = models.DateTimeField(null=True, blank=True)
    response = models.TextField(_("unit's explanation"), blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("score line")
        verbose_name_plural = _("score lines")
        constraints = [models.UniqueConstraint(fields=["scorecard", "node"], name="one_line_per_node")]

    def __str__(self) -> str:
        return f"{self.scorecard_id}:{self.node_id}"


class Evidence(models.Model):
    """Tài liệu minh chứng: a file attached to a score line."""

    line = models.ForeignKey(ScoreLine, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to="emulation/evidence/%Y/")
    description = models.CharField(_("description"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.file.name
