"""factory_boy factories for the emulation app: schemes and their lines, campaigns, scorecards."""

from datetime import date
from decimal import Decimal

import factory

from emulation.enums import CampaignState, NodeKind
from emulation.models import Campaign, Scheme, SchemeNode, Scorecard, ScoreLine
from tests.factories import UnitFactory


class SchemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scheme

    name = factory.Sequence(lambda n: f"Bảng tiêu chí thử nghiệm {n}")
    year = 2026
    version = 1


class SchemeNodeFactory(factory.django.DjangoModelFactory):
    """A manual line worth 10 points at the top of a new scheme unless told otherwise."""

    class Meta:
        model = SchemeNode

    scheme = factory.SubFactory(SchemeFactory)
    parent = None
    position = factory.Sequence(lambda n: n)
    key = factory.Sequence(lambda n: f"n{n}")
    code = factory.Sequence(lambda n: str(n + 1))
    title = factory.Sequence(lambda n: f"Tiêu chí {n}")
    kind = NodeKind.MANUAL
    max_points = Decimal("10")


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"Phong trào thi đua thử nghiệm {n}")
    year = 2026
    starts_on = date(2026, 1, 1)
    ends_on = date(2026, 12, 31)
    scheme = factory.SubFactory(SchemeFactory)
    state = CampaignState.DRAFT


class ScorecardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scorecard

    campaign = factory.SubFactory(CampaignFactory)
    unit = factory.SubFactory(UnitFactory)


class ScoreLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScoreLine

    scorecard = factory.SubFactory(ScorecardFactory)
    node = factory.SubFactory(SchemeNodeFactory)


# --- Builders for whole tables (scorecard tests): sections with lines of every entered kind ----

MOJ_TIERS = [
    {"points": "2", "lower": "100", "upper": None, "lower_inclusive": True, "upper_inclusive": False},
    {"points": "1.75", "lower": "95", "upper": "100", "lower_inclusive": True, "upper_inclusive": False},
    {"points": "1.5", "lower": "80", "upper": "95", "lower_inclusive": True, "upper_inclusive": False},
    {"points": "1", "lower": "70", "upper": "80", "lower_inclusive": True, "upper_inclusive": False},
    {"points": "0.5", "lower": "60", "upper": "70", "lower_inclusive": True, "upper_inclusive": False},
    {"points": "0", "lower": None, "upper": "60", "lower_inclusive": True, "upper_inclusive": False},
]
LATENESS_TIERS = [
    {"points": "2", "lower": None, "upper": "0", "lower_inclusive": True, "upper_inclusive": True},
    {"points": "1.5", "lower": "1", "upper": "2", "lower_inclusive": True, "upper_inclusive": True},
    {"points": "1", "lower": "3", "upper": "5", "lower_inclusive": True, "upper_inclusive": True},
    {"points": "0.5", "lower": "6", "upper": "10", "lower_inclusive": True, "upper_inclusive": True},
    {"points": "0", "lower": "10", "upper": None, "lower_inclusive": False, "upper_inclusive": False},
]
# The kinds a unit enters, in the order build_scheme cycles through them.
LINE_KINDS = (NodeKind.MANUAL, NodeKind.YES_NO, NodeKind.TIERED, NodeKind.LATENESS, NodeKind.FORMULA)


def _line_fields(kind: str) -> dict:
    fields = {"kind": kind, "max_points": Decimal("2")}
    if kind == NodeKind.MANUAL:
        fields["step"] = Decimal("0.25")
    elif kind == NodeKind.TIERED:
        fields["tiers"], fields["measure"] = MOJ_TIERS, "%"
    elif kind == NodeKind.LATENESS:
        fields["tiers"] = LATENESS_TIERS
    elif kind == NodeKind.FORMULA:
        fields["formula"], fields["inputs"] = "b / a * 2", ["a", "b"]
    return fields


def build_scheme(*, lines: int = 10, sections: int = 3, kinds=LINE_KINDS, evidence_every: int = 0, **scheme_fields):
    """A scheme of `sections` sections (A, B, C…) holding `lines` lines in all, kinds cycling
    through `kinds` (every line worth 2 points; manual lines in steps of 0.25). With
    evidence_every=n, every n-th line requires evidence. Lines are keyed "L1", "L2"… and coded
    "1", "2"… within their section. A few queries whatever the size (bulk inserts)."""
    scheme = SchemeFactory(**scheme_fields)
    per_section = -(-lines // sections)
    section_nodes = []
    for index in range(sections):
        count = min(per_section, lines - index * per_section)
        if count <= 0:
            break
        section_nodes.append(
            SchemeNode(
                scheme=scheme, position=index, key=f"S{index + 1}", code=chr(ord("A") + index),
                title=f"Phần {chr(ord('A') + index)}", kind=NodeKind.GROUP, max_points=Decimal(2 * count),
            )
        )
    SchemeNode.objects.bulk_create(section_nodes)
    if any(node.pk is None for node in section_nodes):  # databases that do not return ids
        section_nodes = list(scheme.nodes.order_by("position"))
    line_nodes = []
    for number in range(lines):
        section = section_nodes[number // per_section]
        kind = kinds[number % len(kinds)]
        line_nodes.append(
            SchemeNode(
                scheme=scheme, parent=section, position=number % per_section, key=f"L{number + 1}",
                code=str(number % per_section + 1), title=f"Tiêu chí số {number + 1} về công tác tư pháp",
                requires_evidence=bool(evidence_every) and (number + 1) % evidence_every == 0,
                **_line_fields(kind),
            )
        )
    SchemeNode.objects.bulk_create(line_nodes)
    return scheme


def open_scorecard(*, scheme, unit, campaign=None, **campaign_fields):
    """An open campaign on `scheme` (frozen) and `unit`'s scorecard with one empty line per
    scored node, as emulation.services.campaign_transition("open") would leave them."""
    from django.utils import timezone

    from emulation.enums import GROUP_KINDS

    if scheme.frozen_at is None:
        scheme.frozen_at = timezone.now()
        scheme.save(update_fields=["frozen_at"])
    if campaign is None:
        campaign = CampaignFactory(scheme=scheme, state=CampaignState.OPEN, **campaign_fields)
    card = ScorecardFactory(campaign=campaign, unit=unit)
    nodes = scheme.nodes.exclude(kind__in=list(GROUP_KINDS))
    ScoreLine.objects.bulk_create([ScoreLine(scorecard=card, node=node) for node in nodes])
    return card
