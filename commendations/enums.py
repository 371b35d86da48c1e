"""Kinds and states of the commendation app (danh hiệu, hình thức, lịch sử khen thưởng)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Subject(models.TextChoices):
    PERSON = "person", _("Individual")
    COLLECTIVE = "collective", _("Collective")
    BOTH = "both", _("Individual or collective")


class AwardCategory(models.TextChoices):
    TITLE = "title", _("Emulation title")  # Danh hiệu thi đua
    FORM = "form", _("Form of commendation")  # Hình thức khen thưởng


class AwardLevel(models.TextChoices):
    UNIT = "unit", _("Unit level")
    MINISTRY = "ministry", _("Ministry level")
    STATE = "state", _("State level")


class AwardKind(models.TextChoices):
    """Loại hình khen thưởng. Campaign and ad-hoc awards never count toward a later merit award."""

    MERIT = "merit", _("For merit (year-end)")
    CAMPAIGN = "campaign", _("Campaign or thematic")
    AD_HOC = "ad_hoc", _("Ad hoc")
    LONG_SERVICE = "long_service", _("Long service")
    FOREIGN = "foreign", _("Foreigners")


class RatingGrade(models.TextChoices):
    """Xếp loại chất lượng (individuals: HTXSNV…; collectives use the same scale)."""

    HTXSNV = "HTXSNV", _("Excellent (HTXSNV)")
    HTTNV = "HTTNV", _("Good (HTTNV)")
    HTNV = "HTNV", _("Complete (HTNV)")
    KHTNV = "KHTNV", _("Not complete (KHTNV)")


class InitiativeLevel(models.TextChoices):
    UNIT = "unit", _("Unit level")
    MINISTRY = "ministry", _("Ministry level")
    NATIONAL = "national", _("National level")


class HoldKind(models.TextChoices):
    DISCIPLINE = "discipline", _("Discipline")
    INVESTIGATION = "investigation", _("Under investigation")
    COMPLAINT = "complaint", _("Under complaint")


class QuotaPopulation(models.TextChoices):
    """What a quota is a share of."""

    STAFF = "staff", _("Staff of the unit")
    TITLE_HOLDERS = "title_holders", _("Nominees for another title")
    PARTICIPANTS = "participants", _("Participants")


class Rounding(models.TextChoices):
    DOWN = "down", _("Round down")
    NEAREST = "nearest", _("Round to nearest")
    UP = "up", _("Round up")


# --- Dossiers, the council and decisions -----------------------------------------------------------


class DossierState(models.TextChoices):
    """Hồ sơ đề nghị khen thưởng, from the unit's draft to the Minister's decision."""

    DRAFT = "draft", _("Draft")  # chờ chuyển
    SUBMITTED = "submitted", _("Awaiting the unit leader")  # chờ duyệt
    APPROVED = "approved", _("Approved by the unit")  # đã tiếp nhận
    APPRAISAL = "appraisal", _("Under appraisal")  # đang thẩm định
    RETURNED = "returned", _("Returned for revision")  # trả lại
    COUNCIL = "council", _("Before the council")  # chờ xét
    VOTED = "voted", _("Voted by the council")
    PUBLIC_COMMENT = "public_comment", _("Public comment period")  # lấy ý kiến nhân dân
    DECIDED = "decided", _("Decided")  # đã khen thưởng
    REJECTED = "rejected", _("Not approved")


# The unit may change the dossier's content in these states (returned: only the returned nominees,
# unless the whole dossier came back).
UNIT_EDITABLE_STATES = (DossierState.DRAFT, DossierState.RETURNED)
# What the standing body (emulation department) sees: everything the unit has let go of.
OFFICER_VISIBLE_STATES = tuple(
    s for s in DossierState if s not in (DossierState.DRAFT, DossierState.SUBMITTED)
)
# Council members see a dossier once it has been sent to the council.
COUNCIL_VISIBLE_STATES = (
    DossierState.COUNCIL,
    DossierState.VOTED,
    DossierState.PUBLIC_COMMENT,
    DossierState.DECIDED,
)


class NomineeState(models.TextChoices):
    PENDING = "pending", _("Awaiting appraisal")
    ACCEPTED = "accepted", _("Accepted at appraisal")
    RETURNED = "returned", _("Returned for revision")
    EXCLUDED = "excluded", _("Excluded at appraisal")
    PASSED = "passed", _("Passed the council vote")
    FAILED = "failed", _("Failed the council vote")
    AWARDED = "awarded", _("Awarded")


class DocumentKind(models.TextChoices):
    """The papers of a dossier (DOMAIN.md "Dossier")."""

    COVER_MEMO = "cover_memo", _("Cover memo (tờ trình)")
    NOMINEE_LIST = "nominee_list", _("List of nominees (danh sách)")
    MINUTES = "minutes", _("Minutes of the unit's review with the ballot result (biên bản)")
    ACHIEVEMENT_REPORT = "achievement_report", _("Achievement report (báo cáo thành tích)")
    INITIATIVE_CERTIFICATE = "initiative_certificate", _("Certification of the initiative")
    RATING_CERTIFICATE = "rating_certificate", _("Certification of the annual rating")
    OTHER = "other", _("Other document")


# Papers every dossier carries whatever the awards; per-nominee papers come from Award.required_documents.
DOSSIER_DOCUMENTS = (DocumentKind.COVER_MEMO, DocumentKind.NOMINEE_LIST, DocumentKind.MINUTES)
NOMINEE_DOCUMENTS = (
    DocumentKind.ACHIEVEMENT_REPORT,
    DocumentKind.INITIATIVE_CERTIFICATE,
    DocumentKind.RATING_CERTIFICATE,
    DocumentKind.OTHER,
)


class MeetingState(models.TextChoices):
    OPEN = "open", pgettext_lazy("meeting state", "Open")
    CLOSED = "closed", pgettext_lazy("meeting state", "Closed")


class Attendance(models.TextChoices):
    PRESENT = "present", _("Present")
    WRITTEN = "written", _("Absent, voted in writing")
    ABSENT = "absent", _("Absent")


class DecisionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", pgettext_lazy("decision state", "Issued")
