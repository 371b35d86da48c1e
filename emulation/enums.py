"""States and kinds of the emulation app (phong trào thi đua, bảng tiêu chí, phiếu chấm điểm)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignKind(models.TextChoices):
    ANNUAL = "annual", _("Annual")
    PERIODIC = "periodic", _("Periodic")
    THEMATIC = "thematic", _("Thematic")


class CampaignState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for self-scoring")
    APPRAISAL = "appraisal", _("Appraisal")
    COUNCIL = "council", _("Before the council")
    PUBLISHED = "published", _("Results published")


class NodeKind(models.TextChoices):
    """How a node of the scoring table is scored (emulation.engine documents each)."""

    GROUP = "group", _("Section or criterion (sum of its lines)")
    BONUS = "bonus", _("Bonus points group")
    DEDUCTION = "deduction", _("Deduction points group")
    MANUAL = "manual", _("Points entered by the unit")
    YES_NO = "yes_no", _("Yes / no")
    TIERED = "tiered", _("Tiered by a measured value")
    LATENESS = "lateness", _("Tiered by days late")
    FORMULA = "formula", _("Formula over entered values")
    AUTO = "auto", _("Scored automatically from portal data")


GROUP_KINDS = frozenset({NodeKind.GROUP, NodeKind.BONUS, NodeKind.DEDUCTION})


class NodeGate(models.TextChoices):
    NONE = "", _("No condition")
    EVIDENCE = "evidence", _("Scores zero without evidence")


class ScorecardState(models.TextChoices):
    DRAFT = "draft", _("Self-scoring")
    SUBMITTED = "submitted", _("Submitted by the unit leader")
    APPRAISED = "appraised", _("Appraised, awaiting the unit's response")
    FINAL = "final", _("Appraisal final")


# The unit sees the appraisal of its scorecard (on its page and in the printed scorecard) once the
# standing body has sent it.
SHOWN_APPRAISAL_STATES = frozenset({ScorecardState.APPRAISED, ScorecardState.FINAL})


class TieBreakKind(models.TextChoices):
    NODE = "node", _("Score of a line or section")
    INPUT = "input", _("A value entered on a line")
    METRIC = "metric", _("A portal figure")


class Side(models.TextChoices):
    """Which scores of a scorecard: the unit's own or the standing body's appraisal."""

    SELF = "self", _("Self-scored")
    APPRAISED = "appraised", _("Appraised")
