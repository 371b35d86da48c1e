"""The award catalogue with its legal bases and versioned rules, the history the rules read
(awards, ratings, initiatives, holds), the quotas, the registrations of target titles, and the
path of a nomination: dossiers, their nominees and papers, the council's vote and the decision."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from commendations.enums import (
    Attendance,
    AwardCategory,
    AwardKind,
    AwardLevel,
    DecisionState,
    DocumentKind,
    DossierState,
    HoldKind,
    InitiativeLevel,
    MeetingState,
    NomineeState,
    QuotaPopulation,
    RatingGrade,
    Rounding,
    Subject,
)
from portal.models import Person, Unit
from portal.text import fold, nfc

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
        _("council pass mark (percentage of all members)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
    )
    secret_ballot = models.BooleanField(_("secret ballot"), default=False)
    # Papers each nominee for this award must carry (DocumentKind values); the achievement report
    # may instead be typed in the nominee's text.
    required_documents = models.JSONField(_("required documents"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("award catalogue")
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(pass_mark_percent__isnull=True)
                | Q(pass_mark_percent__gt=0, pass_mark_percent__lte=100),
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
    legal_basis = models.ForeignKey(
        LegalBasis, verbose_name=_("legal basis"), on_delete=models.PROTECT, related_name="+"
    )
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

    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="award_records"
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="award_records"
    )
    award = models.ForeignKey(
        Award, verbose_name=_("award"), on_delete=models.PROTECT, related_name="records"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=20, choices=AwardKind.choices, default=AwardKind.MERIT)
    decision_number = models.CharField(_("decision number"), max_length=60, blank=True)
    decided_on = models.DateField(_("decision date"), null=True, blank=True)
    signer = models.CharField(_("signed by"), max_length=200, blank=True)
    # The nomination it came from when a decision issued in the portal wrote it.
    nominee = models.OneToOneField(
        "Nominee", null=True, blank=True, on_delete=models.SET_NULL, related_name="award_record"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("award record")
        verbose_name_plural = _("award records")
        ordering = ["-year", "award__position"]
        constraints = [
            models.CheckConstraint(condition=ONE_SUBJECT, name="award_record_one_subject"),
            # A merit title or form is received once a year; campaign and ad-hoc ones may repeat.
            models.UniqueConstraint(
                fields=["person", "award", "year"],
                condition=Q(kind="merit", person__isnull=False),
                name="one_merit_award_per_person_year",
            ),
            models.UniqueConstraint(
                fields=["unit", "award", "year"],
                condition=Q(kind="merit", unit__isnull=False),
                name="one_merit_award_per_unit_year",
            ),
        ]
        indexes = [models.Index(fields=["person", "year"]), models.Index(fields=["unit", "year"])]

    def __str__(self) -> str:
        return f"{self.award.code} {self.year}"


class Rating(models.Model):
    """Xếp loại chất lượng of a person (or a unit) for a year, usually imported from HR."""

    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="ratings"
    )
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
            models.CheckConstraint(
                condition=Q(months_worked__lte=12) & Q(maternity_months__lte=12), name="rating_months_in_year"
            ),
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
        AwardRecord,
        verbose_name=_("used for"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
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
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")), name="hold_dates_in_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start:%d/%m/%Y}"


class Quota(models.Model):
    """Tỷ lệ: "title X at most p% of population P", per unit (or ministry-wide) and year."""

    year = models.PositiveSmallIntegerField(_("year"))
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    award = models.ForeignKey(Award, verbose_name=_("award"), on_delete=models.CASCADE, related_name="quotas")
    population = models.CharField(_("share of"), max_length=20, choices=QuotaPopulation.choices)
    population_award = models.ForeignKey(
        Award,
        verbose_name=_("population title"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    max_percent = models.DecimalField(_("at most (%)"), max_digits=5, decimal_places=2)
    rounding = models.CharField(_("rounding"), max_length=10, choices=Rounding.choices, default=Rounding.DOWN)

    class Meta:
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_percent__gt=0, max_percent__lte=100), name="quota_percent_range"
            ),
            models.UniqueConstraint(fields=["year", "unit", "award"], name="one_quota_per_award_unit_year"),
        ]

    def __str__(self) -> str:
        return f"{self.award.code} ≤ {self.max_percent}% ({self.year})"


class BaseSalary(models.Model):
    """Lương cơ sở: the base salary rewards are multiples of, with the date it is in force."""

    amount = models.DecimalField(_("amount (VND per month)"), max_digits=12, decimal_places=0)
    effective_from = models.DateField(_("in force from"), unique=True)
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("base salary")
        verbose_name_plural = _("base salaries")
        ordering = ["-effective_from"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="base_salary_positive")]

    def __str__(self) -> str:
        return f"{self.amount} ({self.effective_from:%d/%m/%Y})"


class TitleRegistration(models.Model):
    """Đăng ký thi đua: at the start of the year a unit registers the titles it aims at, for itself
    (person empty) and for its people; the year-end dossier starts from these."""

    year = models.PositiveSmallIntegerField(_("year"))
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="title_registrations"
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="title_registrations",
    )
    award = models.ForeignKey(
        Award, verbose_name=_("target title"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("registration of a target title")
        verbose_name_plural = _("registrations of target titles")
        ordering = ["year", "unit__path", "person__sort_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "unit", "person", "award"], name="one_registration_per_target"
            ),
            models.UniqueConstraint(
                fields=["year", "unit", "award"],
                condition=Q(person__isnull=True),
                name="one_unit_registration_per_title",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.award.code} {self.year}"


class CouncilMeeting(models.Model):
    """Phiên họp Hội đồng Thi đua – Khen thưởng: members, attendance, the secret ballot per nominee."""

    title = models.CharField(_("title"), max_length=300)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    chair = models.CharField(_("chaired by"), max_length=200, blank=True)
    secretary = models.CharField(_("secretary"), max_length=200, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=MeetingState.choices, default=MeetingState.OPEN
    )
    # The minutes (biên bản) as generated when the meeting was closed, kept as they were then.
    minutes = models.TextField(_("minutes"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("council meeting")
        verbose_name_plural = _("council meetings")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return self.title


class MeetingMember(models.Model):
    """A council member of a meeting and whether they attended (the pass mark counts them all)."""

    meeting = models.ForeignKey(CouncilMeeting, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("member"), on_delete=models.PROTECT, related_name="+"
    )
    attendance = models.CharField(
        _("attendance"), max_length=10, choices=Attendance.choices, default=Attendance.PRESENT
    )

    class Meta:
        verbose_name = _("council member")
        verbose_name_plural = _("council members")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="one_membership_per_meeting")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_attendance_display()})"


class Dossier(models.Model):
    """Hồ sơ đề nghị khen thưởng: a unit's proposal for a year, with its nominees and papers."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("proposing unit"), on_delete=models.PROTECT, related_name="dossiers"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=20, choices=AwardKind.choices, default=AwardKind.MERIT)
    title = models.CharField(_("title"), max_length=300)
    state = models.CharField(
        _("state"), max_length=20, choices=DossierState.choices, default=DossierState.DRAFT
    )
    # Why the standing body returned it, or why it was not approved (the latest one; the history
    # keeps every one in the audit log).
    reason = models.TextField(_("reason"), blank=True)
    returned_whole = models.BooleanField(default=False)
    meeting = models.ForeignKey(
        CouncilMeeting,
        verbose_name=_("council meeting"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dossiers",
    )
    comments_from = models.DateField(_("public comments from"), null=True, blank=True)
    comments_until = models.DateField(_("public comments until"), null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The title folded (no diacritics, lower case) so that "ho so nam 2025" finds "Hồ sơ năm 2025".
    search_text = models.CharField(max_length=400, blank=True, editable=False, db_index=True)

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["-year", "-pk"]
        indexes = [models.Index(fields=["state", "year"]), models.Index(fields=["unit", "year"])]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.title = nfc(self.title)
        self.search_text = fold(self.title)
        if kwargs.get("update_fields") is not None and "title" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)


class Nominee(models.Model):
    """One person or collective proposed for one award in a dossier."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="nominees")
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="nominations",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("collective"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="nominations",
    )
    award = models.ForeignKey(
        Award, verbose_name=_("award"), on_delete=models.PROTECT, related_name="nominees"
    )
    achievements = models.TextField(_("achievement report"), blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=NomineeState.choices, default=NomineeState.PENDING
    )
    return_reason = models.TextField(_("reason for return"), blank=True)
    # The engine's verdict as attached to the appraisal (Verdict.as_dict()), and the officer's note.
    eligibility = models.JSONField(null=True, blank=True)
    eligible = models.BooleanField(null=True)
    appraisal_note = models.TextField(_("appraisal note"), blank=True)
    position = models.PositiveIntegerField(default=0)
    # Searchable name (fold of the person's or collective's name), kept in step by the services.
    search_text = models.CharField(max_length=400, blank=True, db_index=True)

    class Meta:
        verbose_name = _("nominee")
        verbose_name_plural = _("nominees")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(condition=ONE_SUBJECT, name="nominee_one_subject"),
            models.UniqueConstraint(
                fields=["dossier", "person", "award"], name="one_nomination_per_person_award"
            ),
            models.UniqueConstraint(
                fields=["dossier", "unit", "award"], name="one_nomination_per_unit_award"
            ),
        ]

    def __str__(self) -> str:
        subject = self.person if self.person_id else self.unit
        return f"{subject} — {self.award.code}"

    @property
    def name(self) -> str:
        return self.person.full_name if self.person_id else self.unit.name


def dossier_upload_to(instance: DossierDocument, filename: str) -> str:
    return f"commendations/dossiers/{instance.dossier_id}/{filename}"


class DossierDocument(models.Model):
    """A paper of the dossier (tờ trình, danh sách, biên bản) or of one nominee (báo cáo thành tích,
    certifications). Checked by content and size on upload (portal.uploads)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="documents")
    nominee = models.ForeignKey(
        Nominee, null=True, blank=True, on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=DocumentKind.choices)
    file = models.FileField(_("file"), upload_to=dossier_upload_to, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dossier document")
        verbose_name_plural = _("dossier documents")
        ordering = ["kind", "pk"]

    def __str__(self) -> str:
        return self.original_name


class PublicComment(models.Model):
    """Ý kiến nhân dân received on the public page during a state-level dossier's comment period."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="public_comments")
    nominee = models.ForeignKey(
        Nominee, null=True, blank=True, on_delete=models.CASCADE, related_name="public_comments"
    )
    name = models.CharField(_("your name"), max_length=200)
    contact = models.CharField(_("phone or e-mail"), max_length=200)
    body = models.TextField(_("comment"), max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("public comment")
        verbose_name_plural = _("public comments")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.name} {self.created_at:%d/%m/%Y}"


class Ballot(models.Model):
    """The council's secret-ballot tally for one nominee: votes in the room plus written votes of
    absent members; passed when in-favour votes reach the pass mark of ALL members."""

    meeting = models.ForeignKey(CouncilMeeting, on_delete=models.CASCADE, related_name="ballots")
    nominee = models.ForeignKey(Nominee, on_delete=models.CASCADE, related_name="ballots")
    in_favour = models.PositiveSmallIntegerField(_("in favour"), default=0)
    against = models.PositiveSmallIntegerField(_("against"), default=0)
    abstain = models.PositiveSmallIntegerField(_("abstain"), default=0)
    written_in_favour = models.PositiveSmallIntegerField(_("in favour, in writing"), default=0)
    written_against = models.PositiveSmallIntegerField(_("against, in writing"), default=0)
    written_abstain = models.PositiveSmallIntegerField(_("abstain, in writing"), default=0)
    # Frozen when the tally is recorded, so a later catalogue change never rewrites a vote.
    members_total = models.PositiveSmallIntegerField(default=0)
    pass_mark_percent = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    passed = models.BooleanField(default=False)
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "nominee"], name="one_ballot_per_nominee_meeting")
        ]

    def __str__(self) -> str:
        return f"{self.in_favour + self.written_in_favour}/{self.members_total}"


class Decision(models.Model):
    """Quyết định khen thưởng: number, date, signer and the awardees with their rewards. Issuing it
    writes the award records (so next year's checks see them) and consumes the initiatives used."""

    number = models.CharField(_("decision number"), max_length=60, unique=True)
    signed_on = models.DateField(_("date signed"))
    signer = models.CharField(_("signed by"), max_length=200)
    signer_title = models.CharField(_("signer's position"), max_length=200, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=DecisionState.choices, default=DecisionState.DRAFT
    )
    base_salary = models.DecimalField(_("base salary applied"), max_digits=12, decimal_places=0, default=0)
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("award decision")
        verbose_name_plural = _("award decisions")
        ordering = ["-signed_on", "-pk"]

    def __str__(self) -> str:
        return self.number


class DecisionLine(models.Model):
    """One awardee of a decision: the nominee, the reward multiple and the amount in VND."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="lines")
    nominee = models.OneToOneField(Nominee, on_delete=models.PROTECT, related_name="decision_line")
    reward_multiple = models.DecimalField(max_digits=5, decimal_places=2)
    amount = models.DecimalField(_("reward (VND)"), max_digits=14, decimal_places=0)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("awardee")
        verbose_name_plural = _("awardees")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.nominee} {self.amount}"


class ClusterElection(models.Model):
    """Suy tôn: the unit an emulation cluster elected at its year-end meeting to propose for the
    Cờ thi đua. Recorded by the standing body; the eligibility rule "elected by its cluster" reads it."""

    year = models.PositiveSmallIntegerField(_("year"))
    cluster = models.ForeignKey(
        "portal.EmulationCluster", verbose_name=_("emulation cluster"), on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(Unit, verbose_name=_("elected unit"), on_delete=models.CASCADE, related_name="+")
    held_on = models.DateField(_("date of the cluster meeting"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("cluster election")
        verbose_name_plural = _("cluster elections")
        ordering = ["-year", "cluster__code"]
        constraints = [models.UniqueConstraint(fields=["cluster", "year"], name="one_election_per_cluster_year")]

    def __str__(self) -> str:
        return f"{self.cluster} {self.year}: {self.unit}"


# --- Certificates printed on the office's pre-printed blanks (issue 6) ---------------------------------

# The variable texts printed onto a blank, in the order of the calibration page. Everything else
# (national emblem, "BẰNG KHEN", borders) is already printed on the blank.
CERTIFICATE_FIELDS = {
    "recipient": _("Recipient (Ông/Bà … or the collective)"),
    "position": _("Position and unit"),
    "achievement": _("Achievement line"),
    "decision": _("Decision number and date"),
    "place_date": _("Place and date"),
    "signer_title": _("Signer's position"),
    "signer_name": _("Signer's name"),
}
# Paper sizes of the blanks, portrait width × height in millimetres.
PAPER_MM = {"A4": (210, 297), "A3": (297, 420)}
# What the achievement line may name: {award} the title or form, {year} the year of the achievements.
ACHIEVEMENT_PLACEHOLDERS = ("award", "year")
FONT_SIZE_RANGE = (6, 72)  # points


class CertificateLayout(models.Model):
    """Mẫu phôi bằng khen, giấy khen: where each variable text goes on one type of the office's
    pre-printed blanks, in millimetres from the top-left corner of the sheet, with its width, font
    size, alignment and weight. The calibration page edits it and prints a test page with a grid.

    ``fields`` is a list of {"key", "x", "y", "width", "font_size", "align", "bold", "italic",
    "enabled"} (x, y: top-left of the text box in mm; font_size in pt); clean() checks it."""

    class Paper(models.TextChoices):
        A4 = "A4", "A4 (210 × 297 mm)"
        A3 = "A3", "A3 (297 × 420 mm)"

    class Orientation(models.TextChoices):
        LANDSCAPE = "landscape", _("Landscape")
        PORTRAIT = "portrait", _("Portrait")

    class Align(models.TextChoices):
        LEFT = "left", _("Left")
        CENTER = "center", _("Centre")
        RIGHT = "right", _("Right")

    name = models.CharField(_("blank type"), max_length=200, unique=True)
    awards = models.ManyToManyField(
        Award,
        through="CertificateLayoutAward",
        verbose_name=_("printed for"),
        blank=True,
        related_name="certificate_layouts",
    )
    paper = models.CharField(_("paper size"), max_length=2, choices=Paper.choices, default=Paper.A4)
    orientation = models.CharField(
        _("orientation"), max_length=10, choices=Orientation.choices, default=Orientation.LANDSCAPE
    )
    # The printer's own shift, measured on a test page: added to every field's position.
    offset_x = models.DecimalField(_("shift to the right (mm)"), max_digits=4, decimal_places=1, default=0)
    offset_y = models.DecimalField(_("shift down (mm)"), max_digits=4, decimal_places=1, default=0)
    place = models.CharField(_("place before the date"), max_length=100, default="Hà Nội")
    achievement_text = models.CharField(
        _("achievement line"), max_length=300, default="Đã có thành tích xuất sắc trong công tác năm {year}"
    )
    fields = models.JSONField(_("field positions"), default=list)
    is_active = models.BooleanField(_("in use"), default=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("certificate layout")
        verbose_name_plural = _("certificate layouts")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(offset_x__gte=-50, offset_x__lte=50, offset_y__gte=-50, offset_y__lte=50),
                name="certificate_offset_within_50mm",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.name = nfc(self.name)
        self.place = nfc(self.place)
        self.achievement_text = nfc(self.achievement_text)
        super().save(*args, **kwargs)

    @property
    def page_mm(self) -> tuple[int, int]:
        """(width, height) of the sheet in millimetres as it goes through the printer."""
        width, height = PAPER_MM.get(self.paper, PAPER_MM["A4"])
        return (height, width) if self.orientation == self.Orientation.LANDSCAPE else (width, height)

    def field_map(self) -> dict[str, dict]:
        return {field["key"]: field for field in self.fields if isinstance(field, dict) and "key" in field}

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors = {}
        problems = certificate_field_problems(self.fields, self.page_mm)
        if problems:
            errors["fields"] = problems
        problem = achievement_text_problem(self.achievement_text)
        if problem:
            errors["achievement_text"] = [problem]
        if errors:
            raise ValidationError(errors)


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def certificate_field_problems(fields, page_mm: tuple[int, int]) -> list[str]:
    """What is wrong with a layout's field list, one sentence per problem (empty when right): each
    field known and once, inside the sheet, a sensible font size, a known alignment."""
    if not isinstance(fields, list):
        return [str(_("The field positions must be a list."))]
    page_width, page_height = page_mm
    problems: list[str] = []
    seen: set[str] = set()
    for index, field in enumerate(fields, start=1):
        if not isinstance(field, dict) or field.get("key") not in CERTIFICATE_FIELDS:
            problems.append(str(_("Field %(number)s is not one of the certificate's fields.") % {"number": index}))
            continue
        key = field["key"]
        label = CERTIFICATE_FIELDS[key]
        if key in seen:
            problems.append(str(_("%(field)s appears twice.") % {"field": label}))
            continue
        seen.add(key)
        x, y, width, size = (_number(field.get(name)) for name in ("x", "y", "width", "font_size"))
        if x is None or y is None or width is None or size is None:
            problems.append(str(_("%(field)s: the position, width and font size must be numbers.") % {"field": label}))
            continue
        if not (0 <= x < page_width and 0 <= y < page_height):
            problems.append(str(
                _("%(field)s: the position %(x)s × %(y)s mm is outside the sheet (%(width)s × %(height)s mm).")
                % {"field": label, "x": x, "y": y, "width": page_width, "height": page_height}
            ))
        elif width <= 0 or x + width > page_width:
            problems.append(str(
                _("%(field)s: the width must be more than 0 and end inside the sheet (at most %(most)s mm here).")
                % {"field": label, "most": round(page_width - x, 1)}
            ))
        if not FONT_SIZE_RANGE[0] <= size <= FONT_SIZE_RANGE[1]:
            problems.append(str(
                _("%(field)s: the font size must be between %(low)s and %(high)s points.")
                % {"field": label, "low": FONT_SIZE_RANGE[0], "high": FONT_SIZE_RANGE[1]}
            ))
        if field.get("align", CertificateLayout.Align.LEFT) not in CertificateLayout.Align.values:
            problems.append(str(_("%(field)s: unknown alignment.") % {"field": label}))
        for flag in ("bold", "italic", "enabled"):
            if not isinstance(field.get(flag, False), bool):
                problems.append(str(_("%(field)s: “%(flag)s” must be yes or no.") % {"field": label, "flag": flag}))
    return problems


def achievement_text_problem(text: str) -> str:
    """Why the achievement line cannot be filled in ("" when it can): only {award} and {year}."""
    import string

    try:
        names = [name for _literal, name, _spec, _conversion in string.Formatter().parse(text or "") if name is not None]
    except ValueError:
        return str(_("Braces must come in pairs around {award} or {year}."))
    unknown = [name for name in names if name not in ACHIEVEMENT_PLACEHOLDERS]
    if unknown:
        return str(
            _("Unknown placeholder {%(name)s}: use {award} or {year}.") % {"name": unknown[0] or ""}
        )
    return ""


class CertificateLayoutAward(models.Model):
    """Which blank an award's certificates are printed on (one blank per award)."""

    layout = models.ForeignKey(CertificateLayout, on_delete=models.CASCADE, related_name="award_links")
    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="certificate_layout_links")

    class Meta:
        verbose_name = _("award printed on a blank")
        verbose_name_plural = _("awards printed on a blank")
        constraints = [models.UniqueConstraint(fields=["award"], name="one_certificate_layout_per_award")]

    def __str__(self) -> str:
        return f"{self.award_id} → {self.layout_id}"
