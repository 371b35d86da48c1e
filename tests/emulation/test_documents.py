"""Documents of the emulation app: a campaign's ranking per cluster with its section breakdown and a
unit's scorecard as appraised — the data against the results pages' figures, constant query counts."""

from decimal import Decimal

import pytest
from django.utils import translation

from emulation.documents import campaign_ranking, scorecard_report
from emulation.enums import CampaignState, ScorecardState
from emulation.models import Campaign, Scorecard, ScoreLine
from tests.emulation.test_results import publish, results_campaign  # noqa: F401 - a fixture
from tests.factories import ClusterFactory, ClusterMembershipFactory, UnitFactory
from tests.factories.emulation import build_scheme, open_scorecard

D = Decimal


@pytest.fixture(autouse=True)
def _in_english():
    """Sentences (how a tie was settled) are compared with their English msgids."""
    with translation.override("en"):
        yield


def test_campaign_ranking_per_cluster_with_tie_breaks_and_votes(results_campaign):  # noqa: F811
    ranking = campaign_ranking(campaign_id=results_campaign.pk)

    assert (ranking.campaign_name, ranking.year, ranking.state, ranking.published) == (
        "Thi đua 2026", 2026, CampaignState.COUNCIL, False,
    )
    assert [(s.code, s.title, s.max_points) for s in ranking.sections] == [
        ("A", "Công tác chỉ đạo", D("20")),
        ("B", "Kết quả thực hiện", D("10")),
    ]
    assert ranking.grade_labels == ("Xuất sắc", "Tốt")
    north, south = ranking.clusters
    assert (north.cluster_name, south.cluster_name) == ("Cụm phía Bắc", "Cụm phía Nam")
    assert [(r.position, r.unit_name, r.total, r.grade, r.decided_by) for r in north.rows] == [
        (1, "Sở Tư pháp Hải Phòng", D("25"), "Xuất sắc", ""),
        (2, "Sở Tư pháp Hà Nội", D("25"), "Xuất sắc", "tie broken by line A.1"),
    ]
    assert [(r.position, r.unit_name, r.decided_by) for r in south.rows] == [
        (1, "Sở Tư pháp Cà Mau", "decided by vote"),
        (1, "Sở Tư pháp Cần Thơ", "decided by vote"),
        (3, "Sở Tư pháp An Giang", ""),
    ]
    an_giang = south.rows[2]
    assert (an_giang.total, an_giang.self_total, an_giang.difference, an_giang.sections) == (
        D("23"), D("25"), D("-2"), (D("14"), D("9")),
    )
    assert an_giang.scorecard_id == results_campaign.cards["an_giang"].pk
    assert [(g.grade, g.count) for g in north.grades] == [("Xuất sắc", 2), ("Tốt", 0)]
    assert [(g.grade, g.count) for g in south.grades] == [("Xuất sắc", 2), ("Tốt", 1)]
    assert (north.leader.unit_name, south.leader.unit_name) == ("Sở Tư pháp Hải Phòng", "Sở Tư pháp Cà Mau")
    assert ranking.unit_count == 5


def test_campaign_ranking_puts_units_outside_any_cluster_last_and_counts_missing_grades(results_campaign):  # noqa: F811
    loner = UnitFactory(name="Cục Bổ trợ tư pháp")
    from tests.emulation.test_appraisal import make_scorecard

    make_scorecard(results_campaign, loner, {"a1": {"points": D("1")}}, state=ScorecardState.FINAL)
    publish(results_campaign)
    ranking = campaign_ranking(campaign_id=results_campaign.pk)

    assert ranking.published is True
    last = ranking.clusters[-1]
    assert (last.cluster_id, last.cluster_name, [r.unit_name for r in last.rows]) == (None, "", ["Cục Bổ trợ tư pháp"])
    assert [(g.grade, g.count) for g in last.grades] == [("Xuất sắc", 0), ("Tốt", 0), ("", 1)]


def test_campaign_ranking_of_a_missing_campaign_raises(db):
    with pytest.raises(Campaign.DoesNotExist):
        campaign_ranking(campaign_id=999_999)


@pytest.mark.parametrize("units", [1, 3])
def test_campaign_ranking_query_count_is_constant(db, django_assert_num_queries, units):
    scheme = build_scheme(lines=6, sections=2)
    cluster = ClusterFactory()
    campaign = None
    for _ in range(units):
        unit = UnitFactory()
        ClusterMembershipFactory(cluster=cluster, unit=unit, year=2026)
        card = open_scorecard(scheme=scheme, unit=unit, campaign=campaign)
        campaign = card.campaign
        ScoreLine.objects.filter(scorecard=card, node__key="L1").update(self_points=D("1.5"))
    with django_assert_num_queries(14):
        ranking = campaign_ranking(campaign_id=campaign.pk)
    assert [len(cluster.rows) for cluster in ranking.clusters] == [units]
    assert ranking.clusters[0].rows[0].total == D("1.5")


# --- A unit's scorecard as appraised ------------------------------------------------------------------


def test_scorecard_report_has_self_and_appraised_scores_with_reasons(org, results_campaign):  # noqa: F811
    card = results_campaign.cards["an_giang"]
    report = scorecard_report(scorecard_id=card.pk)

    assert (report.unit_name, report.campaign_name, report.year, report.state, report.final) == (
        "Sở Tư pháp An Giang", "Thi đua 2026", 2026, ScorecardState.FINAL, True,
    )
    assert [(line.number, line.is_group, line.self_score, line.appraised_score, line.changed) for line in report.lines] == [
        ("A", True, D("16"), D("14"), False),
        ("A.1", False, D("8"), D("6"), True),
        ("A.2", False, D("5"), D("5"), False),
        ("A.3", False, D("3"), D("3"), False),
        ("B", True, D("9"), D("9"), False),
        ("B.1", False, D("9"), D("9"), False),
    ]
    a1 = report.lines[1]
    assert (a1.self_entry, a1.appraised_entry, a1.difference, a1.max_points) == ("8", "6", D("-2"), D("10"))
    assert (a1.reason, a1.response, a1.note) == ("Kế hoạch ban hành muộn", "Do thay đổi lãnh đạo", "Kế hoạch số 12/KH-STP")
    a2 = report.lines[2]
    assert (a2.self_entry, a2.appraised_entry, a2.reason) == ("Yes", "Yes", "")
    assert (report.self_total, report.appraised_total, report.difference, report.max_total) == (
        D("25"), D("23"), D("-2"), D("30"),
    )
    assert (report.self_grade, report.appraised_grade) == ("Xuất sắc", "Tốt")
    assert [line.number for line in report.changed] == ["A.1"]
    assert report.scored_count == 4


def test_scorecard_report_of_a_missing_scorecard_raises(db):
    with pytest.raises(Scorecard.DoesNotExist):
        scorecard_report(scorecard_id=999_999)


@pytest.mark.parametrize("lines", [1, 3])
def test_scorecard_report_query_count_is_constant(org, django_assert_num_queries, lines):
    scheme = build_scheme(lines=lines * 5, sections=lines)
    card = open_scorecard(scheme=scheme, unit=org.home)
    Campaign.objects.filter(pk=card.campaign_id).update(state=CampaignState.APPRAISAL)
    Scorecard.objects.filter(pk=card.pk).update(state=ScorecardState.APPRAISED)
    ScoreLine.objects.filter(scorecard=card, node__key="L1").update(
        self_points=D("2"), appraised=True, appr_points=D("1"), appraisal_reason="Thiếu minh chứng"
    )
    with django_assert_num_queries(8):
        report = scorecard_report(scorecard_id=card.pk)
    assert report.scored_count == lines * 5
    assert (report.self_total, report.appraised_total, [line.reason for line in report.changed]) == (
        D("2"), D("1"), ["Thiếu minh chứng"],
    )


# --- The printed documents ---------------------------------------------------------------------------


class PdfText(str):
    """The PDF's text as pdftotext -layout prints it, with white space collapsed; `lines` keeps
    each printed line (collapsed too), so a table row reads "1 Sở Tư pháp Hải Phòng 25 15 10"."""

    lines: list[str]


def pdf_text(pdf: bytes) -> PdfText:
    import subprocess

    raw = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    text = PdfText(" ".join(raw.split()))
    text.lines = [" ".join(line.split()) for line in raw.splitlines() if line.strip()]
    return text


def row(text: PdfText, start: str) -> str:
    """The printed line that starts with `start` (a table row's first cells)."""
    return next((line for line in text.lines if line.startswith(start)), "")


def build(kind_name: str, params: dict, user):
    from portal.documents import get_document_kind

    return get_document_kind(kind_name).build(params, user, lambda percent: None)


def render(kind_name: str, params: dict, user) -> tuple[str, int]:
    from portal.documents.render import render_pdf

    rendered = render_pdf(build(kind_name, params, user))
    return pdf_text(rendered.pdf), rendered.page_count


def workbook_rows(kind_name: str, params: dict, user, sheet=None) -> list[tuple]:
    import io

    import openpyxl

    from portal.documents import get_document_kind

    buffer = io.BytesIO()
    get_document_kind(kind_name).excel(params, user).save(buffer)
    workbook = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    return list((workbook[sheet] if sheet else workbook.worksheets[0]).iter_rows(values_only=True))


def test_campaign_ranking_prints_each_cluster_with_its_figures(users, results_campaign):  # noqa: F811
    text, pages = render("emulation.campaign_ranking", {"campaign": results_campaign.pk}, users.officer)

    assert pages >= 1
    assert "BỘ TƯ PHÁP" in text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "BẢNG XẾP HẠNG THI ĐUA" in text and "Thi đua 2026" in text
    assert "Kết quả chưa công bố" in text
    # the clusters in order, each unit with position, self total, sections A and B, total, grade
    assert text.index("1. Cụm phía Bắc") < text.index("Sở Tư pháp Hải Phòng") < text.index("2. Cụm phía Nam")
    assert row(text, "1 Sở Tư pháp Hải Phòng") == "1 Sở Tư pháp Hải Phòng 25 15 10 25 Xuất sắc"
    assert row(text, "2 Sở Tư pháp Hà Nội").startswith("2 Sở Tư pháp Hà Nội 25 16 9 25 Xuất sắc phân định")
    assert row(text, "3 Sở Tư pháp An Giang") == "3 Sở Tư pháp An Giang 25 14 9 23 Tốt"
    assert row(text, "1 Sở Tư pháp Cà Mau").startswith("1 Sở Tư pháp Cà Mau 25 16 9 25 Xuất sắc do Hội đồng")
    assert "tiêu chí A.1" in text and text.count("bỏ phiếu") == 2
    assert "A (20)" in text and "B (10)" in text
    assert "Tổng hợp xếp loại: Xuất sắc: 2 đơn vị; Tốt: 1 đơn vị" in text
    assert "TM. HỘI ĐỒNG THI ĐUA - KHEN THƯỞNG" in text and "Trang 1/" in text


def test_campaign_ranking_prints_in_vietnamese_whatever_the_readers_language(users, results_campaign):  # noqa: F811
    with translation.override("en"):
        text, _pages = render("emulation.campaign_ranking", {"campaign": results_campaign.pk}, users.officer)
    assert "phân định theo điểm tiêu chí A.1" in text and "tie broken" not in text


def test_campaign_ranking_excel_is_the_results_export(users, results_campaign):  # noqa: F811
    rows = workbook_rows("emulation.campaign_ranking", {"campaign": results_campaign.pk}, users.officer)
    assert len(rows[0]) == 10
    assert rows[1][:7] == ("Cụm phía Bắc", 1, "Sở Tư pháp Hải Phòng", 25, "Xuất sắc", 25, 0)
    assert rows[5][2:9] == ("Sở Tư pháp An Giang", 23, "Tốt", 25, -2, 14, 9)


def test_scorecard_prints_self_and_appraised_scores_with_reasons(users, results_campaign):  # noqa: F811
    card = results_campaign.cards["an_giang"]
    text, _pages = render("emulation.scorecard", {"scorecard": card.pk}, users.officer)

    assert "BẢNG TỔNG HỢP KẾT QUẢ CHẤM ĐIỂM THI ĐUA" in text
    assert "Sở Tư pháp An Giang – Thi đua 2026" in text
    assert "Đã hoàn tất thẩm định" in text
    assert row(text, "A Công tác chỉ đạo") == "A Công tác chỉ đạo 20 16 14"
    assert row(text, "A.1 ") == "A.1 Ban hành kế hoạch 10 8 8 6 6 Kế hoạch ban hành muộn"
    assert "Đơn vị giải trình: Do thay đổi lãnh đạo" in text
    assert row(text, "A.2 ") == "A.2 Tổ chức phát động 5 Có 5 Giữ nguyên 5"
    assert row(text, "B.1 ") == "B.1 Tỷ lệ báo cáo đúng hạn 10 a = 10; b = 9 9 Giữ nguyên 9"
    assert row(text, "Tổng điểm 30") == "Tổng điểm 30 25 23"
    assert "tổng điểm thẩm định: 23 (Tốt); chênh lệch -2 điểm" in text
    assert "Số tiêu chí được điều chỉnh khi thẩm định: 1/4" in text


def test_scorecard_excel_has_both_sides_of_every_line(users, results_campaign):  # noqa: F811
    card = results_campaign.cards["an_giang"]
    rows = workbook_rows("emulation.scorecard", {"scorecard": card.pk}, users.officer)
    header = rows.index(next(row for row in rows if row and row[0] == "STT"))
    assert rows[header][:8] == (
        "STT", "Tiêu chí", "Điểm chuẩn", "Đơn vị tự chấm", "Điểm tự chấm", "Kết quả thẩm định", "Điểm thẩm định", "Chênh lệch",
    )
    lines = {row[0]: row for row in rows[header + 1:] if row and row[0]}
    assert lines["A.1"][2:] == (10, "8", 8, "6", 6, -2, "Kế hoạch ban hành muộn", "Do thay đổi lãnh đạo")
    assert lines["A.2"][3:8] == ("Có", 5, "Giữ nguyên", 5, None)
    totals = next(row for row in rows if row and row[1] == "TỔNG ĐIỂM")
    assert totals[2:8] == (30, None, 25, None, 23, -2)


def test_a_missing_campaign_or_scorecard_fails_with_a_message(users, db):
    from portal.documents import DocumentError

    with pytest.raises(DocumentError, match="campaign no longer exists"):
        build("emulation.campaign_ranking", {"campaign": 999_999}, users.officer)
    with pytest.raises(DocumentError, match="scorecard no longer exists"):
        build("emulation.scorecard", {"scorecard": 999_999}, users.officer)


# --- Who may print them, and the parameter forms -------------------------------------------------------

ROLES = ("no_role", "staff", "leader", "officer", "council", "admin", "outsider")


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        (False, dict(no_role=False, staff=False, leader=False, officer=True, council=True, admin=True, outsider=False)),
        (True, dict(no_role=False, staff=True, leader=True, officer=True, council=True, admin=True, outsider=True)),
    ],
)
def test_the_ranking_is_printed_by_whoever_sees_the_results_page(users, results_campaign, published, expected):  # noqa: F811
    from portal.documents import get_document_kind

    if published:
        publish(results_campaign)
    kind = get_document_kind("emulation.campaign_ranking")
    assert {role: kind.allows(getattr(users, role), {"campaign": results_campaign.pk}) for role in ROLES} == expected
    assert kind.allows(users.officer, {"campaign": "not a number"}) is False
    assert kind.allows(users.no_role, None) is False and kind.allows(users.staff, None) is True


def test_the_scorecard_is_printed_by_its_unit_once_appraised_and_by_the_results_readers(users, results_campaign):  # noqa: F811
    from portal.documents import get_document_kind

    kind = get_document_kind("emulation.scorecard")
    home = {"scorecard": results_campaign.cards["home"].pk}  # FINAL, results not published
    allowed = {role: kind.allows(getattr(users, role), home) for role in ROLES}
    assert allowed == dict(no_role=False, staff=True, leader=True, officer=True, council=True, admin=True, outsider=False)
    # while the appraisal is being made the unit does not see it yet; the officers do
    Scorecard.objects.filter(pk=home["scorecard"]).update(state=ScorecardState.SUBMITTED)
    Campaign.objects.filter(pk=results_campaign.pk).update(state=CampaignState.APPRAISAL)
    allowed = {role: kind.allows(getattr(users, role), home) for role in ROLES}
    assert allowed == dict(no_role=False, staff=False, leader=False, officer=True, council=True, admin=True, outsider=False)
    # published results are everyone's
    publish(results_campaign)
    assert kind.allows(users.outsider, home) is True
    assert kind.allows(users.officer, {"scorecard": 999_999}) is False


def test_parameter_forms_offer_only_what_the_user_may_print(users, results_campaign):  # noqa: F811
    from emulation.documents import CampaignRankingForm, ScorecardReportForm

    assert CampaignRankingForm(user=users.staff).fields["campaign"].choices == []
    assert [pk for pk, _label in CampaignRankingForm(user=users.officer).fields["campaign"].choices] == [results_campaign.pk]
    form = ScorecardReportForm({"scorecard": str(results_campaign.cards["home"].pk)}, user=users.staff)
    assert [[unit for _pk, unit in cards] for _campaign, cards in form.fields["scorecard"].choices] == [["Sở Tư pháp Hà Nội"]]
    assert form.is_valid()
    assert form.params() == {"scorecard": results_campaign.cards["home"].pk}
    assert form.describe() == "Sở Tư pháp Hà Nội – Thi đua 2026 (2026)"
    other = ScorecardReportForm({"scorecard": str(results_campaign.cards["other"].pk)}, user=users.staff)
    assert not other.is_valid() and "scorecard" in other.errors
    officer_cards = ScorecardReportForm(user=users.officer).fields["scorecard"].choices
    assert len(officer_cards[0][1]) == 5
