"""The award catalogue with its legal bases and versioned rules, the history the rules read
(awards, ratings, initiatives, holds) and the quotas. Dossiers, the council and decisions follow."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from commendations.enums import (
    AwardCategory,
    AwardKind,
    AwardLevel,
    HoldKind,
    InitiativeLevel,
    QuotaPopulation,
    RatingGrade,
    Rounding,
    Subject,
)
from portal.models import Person, Unit
from portal.text import nfc

# A history row belongs to a person or to a unit (a collective), never both, never neither.
ONE_SUBJECT = Q(person__isnull=False, unit__isnull=True) | Q(person__isnull=True, unit__isnull=False)


class LegalBasis(models.Model):
    """Căn cứ pháp lý: a law, decree or circular, with the dates it is in force."""

    code = models.CharField(_("number"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=500)
    effective_from = models.DateField(_("in force from"))
    effective_to = models.DateField(_("in force until"), null=True, blank=True)

    class Meta:
        verbose_name = _("legal basis")
        verbose_name_plural = _("legal bases")
        ordering = ["-effective_from", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="legal_basis_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return self.code


class Award(models.Model):
    """An emulation title or a form of commendation in the catalogue (danh mục)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=300)
    category = models.CharField(_("category"), max_length=10, choices=AwardCategory.choices)
    subject = models.CharField(_("for"), max_length=12, choices=Subject.choices)
    level = models.CharField(_("level"), max_length=10, choices=AwardLevel.choices)
    decided_by = models.CharField(_("decided by"), max_length=200)
    reward_multiple = models.DecimalField(
        _("reward (multiple of the base salary)"), max_digits=5, decimal_places=2, default=0
    )
    pass_mark_percent = models.DecimalField(
        _("council pass mark (percentage of all members)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    secret_ballot = models.BooleanField(_("secret ballot"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("award catalogue")
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(pass_mark_percent__isnull=True) | Q(pass_mark_percent__gt=0, pass_mark_percent__lte=100),
                name="award_pass_mark_is_a_percentage",
            )
        ]

    def __str__(self) -> str:
        return self.name


class AwardRule(models.Model):
    """One version of an award's conditions, in force between two dates, as engine data
    (commendations.eligibility.rule_to_data). A nomination is judged by the version in force."""

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="rules")
    subject = models.CharField(_("for"), max_length=12, choices=Subject.choices)
    legal_basis = models.ForeignKey(LegalBasis, verbose_name=_("legal basis"), on_delete=models.PROTECT, related_name="+")
    effective_from = models.DateField(_("in force from"))
    effective_to = models.DateField(_("in force until"), null=True, blank=True)
    rule = models.JSONField(_("conditions"))

    class Meta:
        verbose_name = _("award rule")
        verbose_name_plural = _("award rules")
        ordering = ["award", "-effective_from"]

    def __str__(self) -> str:
        return f"{self.award.code} {self.effective_from:%d/%m/%Y}"


class AwardRecord(models.Model):
    """A commendation received: what, when, by which decision — the history the rules read."""

    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="award_records")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="award_records")
    award = models.ForeignKey(Award, verbose_name=_("award"), on_delete=models.PROTECT, related_name="records")
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=20, choices=AwardKind.choices, default=AwardKind.MERIT)
    decision_number = models.CharField(_("decision number"), max_length=60, blank=True)
    decided_on = models.DateField(_("decision date"), null=True, blank=True)
    signer = models.CharField(_("signed by"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("award record")
        verbose_name_plural = _("award records")
        ordering = ["-year", "award__position"]
        constraints = [models.CheckConstraint(condition=ONE_SUBJECT, name="award_record_one_subject")]
        indexes = [models.Index(fields=["person", "year"]), models.Index(fields=["unit", "year"])]

    def __str__(self) -> str:
        return f"{self.award.code} {self.year}"


class Rating(models.Model):
    """Xếp loại chất lượng of a person (or a unit) for a year, usually imported from HR."""

    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="ratings")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="ratings")
    year = models.PositiveSmallIntegerField(_("year"))
    grade = models.CharField(_("grade"), max_length=10, choices=RatingGrade.choices)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    months_worked = models.PositiveSmallIntegerField(_("months worked"), default=12)
    maternity_months = models.PositiveSmallIntegerField(_("months of maternity leave"), default=0)

    class Meta:
        verbose_name = _("annual rating")
        verbose_name_plural = _("annual ratings")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(condition=ONE_SUBJECT, name="rating_one_subject"),
            models.UniqueConstraint(fields=["person", "year"], name="one_rating_per_person_year"),
            models.UniqueConstraint(fields=["unit", "year"], name="one_rating_per_unit_year"),
            models.CheckConstraint(condition=Q(months_worked__lte=12) & Q(maternity_months__lte=12), name="rating_months_in_year"),
        ]

    def __str__(self) -> str:
        return f"{self.grade} {self.year}"


class Initiative(models.Model):
    """Sáng kiến: recognised at a level; usable for one award only (the one that consumed it)."""

    title = models.CharField(_("title"), max_length=500)
    authors = models.ManyToManyField(Person, verbose_name=_("authors"), related_name="initiatives")
    year = models.PositiveSmallIntegerField(_("year"))
    level = models.CharField(_("recognition level"), max_length=10, choices=InitiativeLevel.choices)
    decision_number = models.CharField(_("recognising decision"), max_length=60, blank=True)
    # An award may consume several initiatives (Bằng khen Bộ trưởng: 2), an initiative one award.
    consumed_by = models.ForeignKey(
        AwardRecord, verbose_name=_("used for"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="consumed_initiatives",
    )

    class Meta:
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        ordering = ["-year", "title"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.title = nfc(self.title)
        super().save(*args, **kwargs)


class Hold(models.Model):
    """Tạm hoãn: discipline, investigation or complaint; no award while it is active."""

    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="holds")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="holds")
    kind = models.CharField(_("kind"), max_length=20, choices=HoldKind.choices)
    start = models.DateField(_("from"))
    end = models.DateField(_("to"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(condition=ONE_SUBJECT, name="hold_one_subject"),
            models.CheckConstraint(condition=Q(end__isnull=True) | Q(end__gte=F("start")), name="hold_dates_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start:%d/%m/%Y}"


class Quota(models.Model):
    """Tỷ lệ: "title X at most p% of population P", per unit (or ministry-wide) and year."""

    year = models.PositiveSmallIntegerField(_("year"))
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    award = models.ForeignKey(Award, verbose_name=_("award"), on_delete=models.CASCADE, related_name="quotas")
    population = models.CharField(_("share of"), max_length=20, choices=QuotaPopulation.choices)
    population_award = models.ForeignKey(
        Award, verbose_name=_("population title"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    max_percent = models.DecimalField(_("at most (%)"), max_digits=5, decimal_places=2)
    rounding = models.CharField(_("rounding"), max_length=10, choices=Rounding.choices, default=Rounding.DOWN)

    class Meta:
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        constraints = [
            models.CheckConstraint(condition=Q(max_percent__gt=0, max_percent__lte=100), name="quota_percent_range"),
            models.UniqueConstraint(fields=["year", "unit", "award"], name="one_quota_per_award_unit_year"),
        ]

    def __str__(self) -> str:
        return f"{self.award.code} ≤ {self.max_percent}% ({self.year})"
