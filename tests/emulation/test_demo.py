"""The emulation demo (emulation.demo, run by seed_demo): the MoJ table for provincial Justice
Departments as a JSON fixture, and last year's and this year's campaigns of the Sở Tư pháp clusters,
self-scored, appraised and finalised; deterministic and idempotent."""

import io
import json
from datetime import date
from decimal import Decimal

import pytest

from emulation import engine
from emulation.demo import CAMPAIGN_NAME, FIXTURE, SCHEME_NAME, build_emulation_demo, scheme_document
from emulation.enums import CampaignState, NodeKind, ScorecardState, Side
from emulation.models import (
    Campaign,
    Evidence,
    Registration,
    Scheme,
    SchemeNode,
    Scorecard,
    ScoreLine,
)
from emulation.schemes import engine_scheme_from_dict, parse_scheme, scheme_create_from_dict, scheme_to_dict
from emulation.scoring import campaign_results
from emulation.services import campaign_participants
from portal.demo import build_demo
from portal.models import AuditLog

YEAR = 2026
TODAY = date(2026, 11, 27)
D = Decimal


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def demo(db):
    out = io.StringIO()
    build_demo(year=YEAR, today=TODAY, stdout=out)
    return out.getvalue()


def fixture_document() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def fixture_scheme() -> engine.Scheme:
    return engine_scheme_from_dict(parse_scheme(fixture_document()))


def perfect_inputs(scheme: engine.Scheme, **overrides) -> engine.UnitInputs:
    """Every line at its best, with evidence; no deduction."""
    entries = {}
    for node in engine.iter_nodes(scheme.root):
        if node.kind in ("manual", "yes_no", "tiered", "lateness", "formula"):
            deduction = node.key.startswith("E.")
            entries[node.key] = engine.Entry(
                points=D(0) if deduction else node.max_points,
                flag=True,
                value=D(0) if node.kind == "lateness" else D(100),
                inputs={"a": D(10), "b": D(20 if node.key == "A.VIII.1" else 10), "n": D(0)},
                evidence=True,
            )
    return engine.UnitInputs(entries=entries, metrics={"office.on_time_rate": D(100)}, **overrides)


# --- The fixture ---------------------------------------------------------------------------------


def test_fixture_parses_cleanly_with_only_the_expected_warnings():
    cleaned = parse_scheme(fixture_document())

    problems = engine.validate(engine_scheme_from_dict(cleaned))
    # The bonus and deduction lines add up to more than their caps on purpose: the cap trims them.
    assert [(p.level, p.key, p.code) for p in problems] == [
        ("warning", "D", "children_exceed_parent"),
        ("warning", "E", "children_exceed_parent"),
    ]
    assert cleaned["scheme"]["legal_basis"] == "Quyết định số 536/QĐ-BTP"
    assert cleaned["scheme"]["name"] == f"Bảng tiêu chí chấm điểm thi đua các Sở Tư pháp năm {cleaned['scheme']['year']}"


def test_fixture_maximum_is_200_standard_points_plus_10_bonus():
    nodes = {node["key"]: node for node in fixture_document()["nodes"]}

    assert [(key, nodes[key]["kind"], nodes[key]["max_points"]) for key in nodes] == [
        ("A", "group", "150"), ("B", "group", "35"), ("C", "group", "15"), ("D", "bonus", "10"), ("E", "deduction", "10"),
    ]
    assert [child["code"] for child in nodes["A"]["children"]] == [
        "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII",
    ]

    def check(node):
        if node["kind"] == "group":
            assert sum(D(child["max_points"]) for child in node["children"]) == D(node["max_points"]), node["key"]
        for child in node["children"]:
            check(child)

    for node in nodes.values():
        check(node)
    scheme = fixture_scheme()
    assert engine.score(scheme, perfect_inputs(scheme)).total == D("210.00")
    assert engine.score(scheme, engine.UnitInputs()).total == D("0.00")


def test_fixture_grades_are_shares_of_the_maximum_with_a_cap_and_tie_breakers():
    document = fixture_document()

    assert [(g["key"], g["label"], D(g["min_total"]), g["no_zero_lines"]) for g in document["grades"]] == [
        ("xuat_sac", "Xuất sắc", D(190), True),  # 95 % of 200
        ("tot", "Tốt", D(170), False),  # 85 %
        ("kha", "Khá", D(150), False),  # 75 %
        ("trung_binh", "Trung bình", D(100), False),  # 50 %
    ]
    assert document["grade_caps"] == [
        {"flag": "lanh_dao_bi_ky_luat", "label": "Người đứng đầu bị kỷ luật", "max_grade": "tot"}
    ]
    assert [(t["kind"], t["ref"]) for t in document["tie_breakers"]] == [
        ("node", "A"), ("node", "A.X.1"), ("metric", "office.on_time_rate"),
    ]
    scheme = fixture_scheme()
    assert engine.score(scheme, perfect_inputs(scheme)).grade == "xuat_sac"
    capped = perfect_inputs(scheme, flags=frozenset({"lanh_dao_bi_ky_luat"}))
    assert engine.score(scheme, capped).grade == "tot"


def test_fixture_has_about_sixty_lines_of_every_kind():
    scheme = fixture_scheme()
    leaves = [node for node in engine.iter_nodes(scheme.root) if node.kind not in engine.GROUP_KINDS]

    assert len(leaves) == 67
    assert {node.kind for node in leaves} == set(engine.LEAF_KINDS)
    assert [node.key for node in leaves if node.kind == "auto"] == ["A.X.3"]
    assert next(node for node in leaves if node.kind == "auto").measure == "office.on_time_rate"
    assert sorted(node.key for node in leaves if node.gate == "evidence") == ["A.III.2", "A.VII.3", "C.4"]
    assert sum(node.requires_evidence for node in leaves) == 28
    assert {node.step for node in leaves if node.kind == "manual" and node.key[0] in "ABC"} == {D("0.25")}


@pytest.mark.parametrize(
    ("key", "value", "points"),
    [
        # The MoJ on-time tiers: 100% = 2; 95–<100% = 1,75; 80–<95% = 1,5; 70–<80% = 1; 60–<70% = 0,5; <60% = 0.
        ("A.V.1", "100", "2.00"), ("A.V.1", "99.99", "1.75"), ("A.V.1", "95", "1.75"), ("A.V.1", "94.99", "1.50"),
        ("A.V.1", "80", "1.50"), ("A.V.1", "70", "1.00"), ("A.V.1", "60", "0.50"), ("A.V.1", "59.99", "0.00"),
        ("A.I.2", "97", "3.50"),  # the same tiers on a 4-point line
        # Reports to the Ministry: on time 2; 1–2 days late 1,5; 3–5 days 1; 6–10 days 0,5; more 0.
        ("B.2", "0", "2.00"), ("B.2", "1", "1.50"), ("B.2", "2", "1.50"), ("B.2", "3", "1.00"), ("B.2", "5", "1.00"),
        ("B.2", "6", "0.50"), ("B.2", "10", "0.50"), ("B.2", "11", "0.00"),
    ],
)
def test_fixture_tiers_score_as_the_printed_table(key, value, points):
    scheme = fixture_scheme()

    result = engine.score(scheme, engine.UnitInputs(entries={key: engine.Entry(value=D(value))}))

    assert result.nodes[key].score == D(points)


def test_fixture_formula_and_auto_lines():
    scheme = fixture_scheme()
    entries = {
        "A.X.1": engine.Entry(inputs={"a": D(20000), "b": D(19500)}),  # 19,500 / 20,000 dossiers on time × 5
        "A.VIII.1": engine.Entry(inputs={"a": D(80), "b": D(100)}),  # more cases than the quota: capped at 4
        "E.1": engine.Entry(inputs={"n": D(3)}),  # three late reports: 1,5 points off
    }

    result = engine.score(scheme, engine.UnitInputs(entries=entries, metrics={"office.on_time_rate": D("96.5")}))

    assert result.nodes["A.X.1"].score == D("4.88")
    assert result.nodes["A.VIII.1"].score == D("4.00")
    assert result.nodes["A.X.3"].score == D("3.50")
    assert result.nodes["E"].score == D("-1.50")


@pytest.mark.django_db
def test_fixture_round_trips_through_import_and_export(users):
    document = scheme_document(2031)

    scheme = scheme_create_from_dict(actor=users.admin, data=document)

    assert scheme_to_dict(scheme) == document
    assert (scheme.name, scheme.year, scheme.version) == (SCHEME_NAME.format(year=2031), 2031, 1)


# --- The campaigns ----------------------------------------------------------------------------------


def test_demo_runs_last_years_and_this_years_campaigns_of_the_justice_clusters(demo):
    last, current = Scheme.objects.order_by("year")
    assert [(s.name, s.year, s.version) for s in (last, current)] == [
        (SCHEME_NAME.format(year=YEAR - 1), YEAR - 1, 1),
        (SCHEME_NAME.format(year=YEAR), YEAR, 1),
    ]
    assert current.cloned_from == last
    assert last.is_frozen and current.is_frozen
    assert scheme_to_dict(current)["nodes"] == scheme_document(YEAR)["nodes"]

    campaigns = {c.year: c for c in Campaign.objects.all()}
    assert sorted(campaigns) == [YEAR - 1, YEAR]
    assert campaigns[YEAR].name == CAMPAIGN_NAME.format(year=YEAR)
    assert (campaigns[YEAR - 1].state, campaigns[YEAR].state) == (CampaignState.PUBLISHED, CampaignState.COUNCIL)
    assert campaigns[YEAR - 1].published_at.date() == date(YEAR, 1, 22)
    scored_nodes = {year: set(c.scheme.nodes.exclude(kind__in=["group", "bonus", "deduction"]).values_list("pk", flat=True))
                    for year, c in campaigns.items()}
    for year, campaign in campaigns.items():
        assert campaign.scheme.year == year
        assert sorted(campaign.clusters.values_list("name", flat=True)) == [
            "Cụm thi đua các Sở Tư pháp miền Bắc",
            "Cụm thi đua các Sở Tư pháp miền Trung – miền Nam",
        ]
        participants = campaign_participants(campaign)
        assert len(participants) == 10
        assert "STP-HN" in {unit.code for unit in participants}
        cards = list(campaign.scorecards.all())
        assert sorted(card.unit_id for card in cards) == sorted(unit.pk for unit in participants)
        assert sorted(Registration.objects.filter(campaign=campaign).values_list("unit_id", flat=True)) == sorted(
            unit.pk for unit in participants
        )
        for card in cards:
            assert card.state == ScorecardState.FINAL
            assert set(card.lines.values_list("node_id", flat=True)) == scored_nodes[year]
            assert card.submitted_at < card.appraised_at <= card.finalised_at
    assert "Thi đua (emulation): bảng tiêu chí (schemes) mới 2; phong trào (campaigns) 2 — mới (new) 2;" in demo


def test_demo_ranks_both_clusters_with_differing_totals_and_grades(demo):
    current = Campaign.objects.get(year=YEAR)
    last = Campaign.objects.get(year=YEAR - 1)

    orders = {}
    for campaign in (last, current):
        clusters = campaign_results(campaign)
        assert [str(group.cluster) for group in clusters] == [
            "Cụm thi đua các Sở Tư pháp miền Bắc",
            "Cụm thi đua các Sở Tư pháp miền Trung – miền Nam",
        ]
        for group in clusters:
            assert [row.position for row in group.rows] == [1, 2, 3, 4, 5]
            totals = [row.result.total for row in group.rows]
            assert totals == sorted(totals, reverse=True)
            assert len(set(totals)) == 5
            for row in group.rows:
                # The cached totals and grade are what the engine computes now.
                assert row.scorecard.appraised_total == row.result.total
                assert row.scorecard.self_total == row.self_result.total
                assert row.scorecard.grade == (row.result.grade or "")
        orders[campaign.year] = [row.scorecard.unit.code for group in clusters for row in group.rows]
    assert orders[YEAR] != orders[YEAR - 1]
    grades = set(current.scorecards.values_list("grade", flat=True))
    assert {"xuat_sac", "tot", "kha"} <= grades
    # The appraisal changes lines on every card; on most of them the total moves (a change can stay
    # within a tier or under a cap).
    assert sum(card.self_total != card.appraised_total for card in current.scorecards.all()) >= 7


def test_demo_caps_the_grade_of_the_unit_whose_head_was_disciplined(demo):
    current = Campaign.objects.get(year=YEAR)
    row = next(
        row for group in campaign_results(current, explain=True) for row in group.rows if row.scorecard.unit.code == "STP-QN"
    )

    assert row.scorecard.flags == ["lanh_dao_bi_ky_luat"]
    assert row.result.grade == "tot"
    assert [(s.params["from"], s.params["to"]) for s in row.result.grade_trace if s.code == "grade_capped"] == [
        ("xuat_sac", "tot")
    ]
    assert not Scorecard.objects.filter(campaign__year=YEAR - 1).exclude(flags=[]).exists()


def test_demo_appraisal_changes_lines_with_reasons_and_stp_hn_responds(demo):
    for card in Scorecard.objects.all():
        changed = list(card.lines.filter(appraised=True))
        assert 1 <= len(changed) <= 4, card
        assert all(line.appraisal_reason and line.appraised_by.username == "thiduakt" for line in changed)
    assert ScoreLine.objects.filter(appraised=False).exclude(appraisal_reason="").count() == 0

    for year in (YEAR - 1, YEAR):
        responses = list(
            ScoreLine.objects.filter(scorecard__campaign__year=year).exclude(response="").order_by("pk")
            .values_list("scorecard__unit__code", "appraised")
        )
        # The first explanation was accepted (the line went back to the unit's score), not the second.
        assert responses == [("STP-HN", False), ("STP-HN", True)]
    actions = set(AuditLog.objects.values_list("action", flat=True))
    assert {
        "emulation.scheme.imported", "emulation.scheme.cloned", "emulation.scheme.frozen",
        "emulation.campaign.created", "emulation.campaign.transition", "emulation.scorecard.submitted",
        "emulation.scorecard.line_appraised", "emulation.scorecard.appraised", "emulation.scorecard.responded",
        "emulation.scorecard.finalised",
    } <= actions
    hn = Scorecard.objects.get(campaign__year=YEAR, unit__code="STP-HN")
    assert hn.submitted_by.username == "lanhdao"


def test_demo_attaches_small_pdf_evidence_where_the_table_asks(demo):
    required = ScoreLine.objects.filter(node__requires_evidence=True)

    assert required.count() == 2 * 10 * 28
    assert not required.filter(evidence=None).exists()
    assert Evidence.objects.filter(line__node__gate="evidence").exists()
    sample = Evidence.objects.select_related("line__scorecard__unit").order_by("pk")[:40]
    for evidence in sample:
        content = evidence.file.read()
        evidence.file.close()
        assert content.startswith(b"%PDF-1.4") and content.rstrip().endswith(b"%%EOF")
        assert len(content) < 2048
        assert evidence.description
    hn = Evidence.objects.filter(line__scorecard__unit__code="STP-HN").select_related("uploaded_by").first()
    assert hn.uploaded_by.username == "canbo"


def test_demo_twice_changes_nothing(demo):
    models = (Scheme, SchemeNode, Campaign, Registration, Scorecard, ScoreLine, Evidence, AuditLog)
    before = {model.__name__: model.objects.count() for model in models}
    lines_before = list(ScoreLine.objects.order_by("pk").values_list("pk", "version", "appr_points", "appr_value"))
    out = io.StringIO()

    result = build_emulation_demo(year=YEAR, stdout=out)

    assert {model.__name__: model.objects.count() for model in models} == before
    assert list(ScoreLine.objects.order_by("pk").values_list("pk", "version", "appr_points", "appr_value")) == lines_before
    assert result == {"schemes": 0, "campaigns": 0, "scorecards": 0, "lines": 0, "evidence": 0, "appraised_lines": 0}
    assert "phong trào (campaigns) 2 — mới (new) 0; phiếu chấm điểm (scorecards) mới 0," in out.getvalue()


def test_demo_self_scores_are_deterministic(demo):
    snapshot = list(
        ScoreLine.objects.order_by("scorecard__campaign__year", "scorecard__unit__code", "node__key").values_list(
            "scorecard__unit__code", "node__key", "self_points", "self_flag", "self_value", "self_inputs"
        )
    )
    Campaign.objects.all().delete()

    build_emulation_demo(year=YEAR)

    assert list(
        ScoreLine.objects.order_by("scorecard__campaign__year", "scorecard__unit__code", "node__key").values_list(
            "scorecard__unit__code", "node__key", "self_points", "self_flag", "self_value", "self_inputs"
        )
    ) == snapshot


@pytest.mark.django_db
def test_demo_without_the_organisation_does_nothing():
    out = io.StringIO()

    result = build_emulation_demo(year=YEAR, stdout=out)

    assert result == {"schemes": 0, "campaigns": 0, "scorecards": 0, "lines": 0, "evidence": 0, "appraised_lines": 0}
    assert Scheme.objects.count() == Campaign.objects.count() == 0
    assert "bỏ qua" in out.getvalue()


def test_demo_lines_score_every_kind_on_the_self_side(demo):
    card = Scorecard.objects.get(campaign__year=YEAR, unit__code="STP-HCM")
    kinds = set(card.lines.values_list("node__kind", flat=True))

    assert kinds == {NodeKind.MANUAL, NodeKind.YES_NO, NodeKind.TIERED, NodeKind.LATENESS, NodeKind.FORMULA,
                     NodeKind.AUTO}
    assert not card.lines.filter(node__kind=NodeKind.FORMULA, self_inputs={}).exists()
    assert not card.lines.filter(node__kind=NodeKind.TIERED, self_value=None).exists()
    row = next(row for group in campaign_results(card.campaign, side=Side.SELF) for row in group.rows
               if row.scorecard.pk == card.pk)
    assert row.result.nodes["A.X.3"].error is False  # the work-plan figure exists for this year
