"""Kinds and states of the commendation app (danh hiệu, hình thức, lịch sử khen thưởng)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
