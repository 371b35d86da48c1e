"""The year-end summary (Báo cáo tổng kết công tác thi đua, khen thưởng năm N): its figures against
the database (awards by title, kind, level, unit sub-tree and gender; campaign leaders and grades per
cluster; dossiers; work plans), the PDF's text, the Excel twin, a constant number of queries, who may
print it — and, on a real Celery worker, the report of the demo data checked against the database.

Importing commendations.documents_summary registers the kind (in the portal, commendations/documents.py
imports it)."""

import io
import re
import time
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from commendations.documents_summary import YEAR_END_SUMMARY, year_end_summary
from commendations.enums import AwardKind, DossierState, NomineeState
from commendations.models import AwardRecord
from emulation.enums import CampaignState
from emulation.models import Campaign, SchemeGrade, ScoreLine
from emulation.selectors_results import results_for
from portal.documents import DocumentError, charts, get_document_kind
from portal.documents.render import render_html, render_pdf
from portal.enums import Gender, ReportJobState, UnitKind
from portal.models import ReportJob
from portal.templatetags.documents import format_vn_number
from tests.factories import ClusterFactory, ClusterMembershipFactory, PersonFactory, UnitFactory
from tests.factories.commendations import (
    AwardRecordFactory,
    DossierFactory,
    NomineeFactory,
    award,
    ensure_catalogue,
)
from tests.factories.emulation import build_scheme, open_scorecard
from tests.factories.office import IssuedPlanFactory, PlanYearFactory, TaskFactory
from tests.portal.reports_support import pdf_text

YEAR = 2025
TODAY = date(2025, 12, 15)
D = Decimal


def flat(text: str) -> str:
    """The PDF's words on one line, without the page footers (a sentence may run across pages)."""
    return " ".join(re.sub(r"Trang \d+/\d+", " ", text).split())


def give(owner, code: str, *, year: int = YEAR, kind: str = AwardKind.MERIT, number: str = "") -> AwardRecord:
    subject = {"person": owner, "unit": None} if owner._meta.model_name == "person" else {"person": None, "unit": owner}
    extra = {"decision_number": number} if number else {}
    return AwardRecordFactory(award=award(code), year=year, kind=kind, **subject, **extra)


def grades_for(scheme) -> None:
    SchemeGrade.objects.create(scheme=scheme, position=0, key="excellent", label="Xuất sắc", min_total=D("3"))
    SchemeGrade.objects.create(scheme=scheme, position=1, key="good", label="Tốt", min_total=D("1"))


def scored(campaign_scheme, unit, points: str, campaign=None):
    card = open_scorecard(scheme=campaign_scheme, unit=unit, campaign=campaign, year=YEAR, name=f"Thi đua năm {YEAR}")
    ScoreLine.objects.filter(scorecard=card, node__key="L1").update(self_points=D(points))
    return card



@pytest.fixture
def year_data(org):
    """2025 in a small ministry: people of Hà Nội (and its division), Hải Phòng, the Office's
    division and the ministry itself with titles and forms; two collectives; a published campaign
    with two clusters; dossiers; one issued plan. Plus awards of 2024 that must not count."""
    ensure_catalogue()  # a transactional test that ran before this one may have flushed it
    office = UnitFactory(code="VP", name="Văn phòng Bộ", kind=UnitKind.OFFICE, parent=org.ministry)
    office_division = UnitFactory(code="VP-TH", name="Phòng Tổng hợp", kind=UnitKind.DIVISION, parent=office)
    people = {
        "lan": PersonFactory(unit=org.home, full_name="Trần Thị Lan", gender=Gender.FEMALE),
        "binh": PersonFactory(unit=org.home_child, full_name="Lê Văn Bình", gender=Gender.MALE),
        "cuc": PersonFactory(unit=org.other, full_name="Phạm Thị Cúc", gender=Gender.FEMALE),
        "dung": PersonFactory(unit=office_division, full_name="Hoàng Văn Dũng", gender=Gender.MALE),
        "em": PersonFactory(unit=org.ministry, full_name="Ngô Văn Em", gender=Gender.MALE),
    }
    for key in ("lan", "binh", "cuc", "em"):
        give(people[key], "LDTT", number="12/QĐ-STP")
    give(people["lan"], "CSTDCS", number="13/QĐ-STP")
    give(people["binh"], "CSTDCS", number="13/QĐ-STP")
    give(people["dung"], "BKBT", kind=AwardKind.AD_HOC, number="3001/QĐ-BTP")
    give(org.home, "TTLDTT", number="14/QĐ-STP")
    give(org.other, "TTLDXS", number="3002/QĐ-BTP")
    give(people["lan"], "CSTDCS", year=YEAR - 1)  # another year
    give(people["cuc"], "LDTT", year=YEAR - 1)

    scheme = build_scheme(lines=6, sections=2, year=YEAR)
    grades_for(scheme)
    north, centre = ClusterFactory(name="Cụm thi đua phía Bắc"), ClusterFactory(name="Cụm thi đua Văn phòng")
    for cluster, unit in ((north, org.home), (north, org.other), (centre, office)):
        ClusterMembershipFactory(cluster=cluster, unit=unit, year=YEAR)
    campaign = scored(scheme, org.home, "1.5").campaign
    scored(scheme, org.other, "2", campaign)
    scored(scheme, office, "0.5", campaign)
    Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.PUBLISHED)

    submitted = DossierFactory(unit=org.home, year=YEAR, state=DossierState.SUBMITTED)
    NomineeFactory(dossier=submitted, person=people["lan"], award=award("CSTDCS"))
    NomineeFactory(dossier=submitted, person=people["binh"], award=award("CSTDCS"), state=NomineeState.RETURNED)
    DossierFactory(unit=org.other, year=YEAR, state=DossierState.DRAFT)
    DossierFactory(unit=org.other, year=YEAR - 1, state=DossierState.DECIDED)

    PlanYearFactory(year=YEAR)
    plan = IssuedPlanFactory(unit=org.home, year=YEAR, issued_on=date(YEAR, 1, 20))
    TaskFactory(plan=plan, due_date=date(YEAR, 3, 31), completed_on=date(YEAR, 3, 30))
    TaskFactory(plan=plan, due_date=date(YEAR, 6, 30), completed_on=date(YEAR, 7, 10))
    TaskFactory(plan=plan, due_date=date(YEAR, 9, 30))
    return {"people": people, "office": office, "campaign": campaign}


def test_summary_counts_the_years_awards_by_title_kind_level_unit_and_gender(org, year_data):
    summary = year_end_summary(year=YEAR, today=TODAY)

    assert (summary.ministry_name, summary.totals.persons, summary.totals.collectives) == ("Bộ Tư pháp", 7, 2)
    assert (summary.people_awarded, summary.units_awarded) == (5, 2)
    assert [(line.code, line.tally.persons, line.tally.collectives) for line in summary.by_award] == [
        ("LDTT", 4, 0), ("CSTDCS", 2, 0), ("TTLDTT", 0, 1), ("TTLDXS", 0, 1), ("BKBT", 1, 0),
    ]
    assert summary.award("CSTDCS").tally.persons == AwardRecord.objects.filter(year=YEAR, award__code="CSTDCS").count()
    assert [(line.key, line.tally.total) for line in summary.by_kind] == [("merit", 8), ("ad_hoc", 1)]
    assert [(line.key, line.tally.persons, line.tally.collectives, line.percent) for line in summary.by_level] == [
        ("unit", 6, 1, 77.8), ("ministry", 1, 1, 22.2), ("state", 0, 0, 0.0),
    ]
    # top-level units with their sub-trees: Hà Nội counts its division's Bình; the Office its division's Dũng
    by_unit = {line.code: (line.tally.persons, line.tally.collectives, line.titles) for line in summary.by_unit}
    assert by_unit == {"BTP": (1, 0, 1), "STP-HN": (4, 1, 5), "STP-HP": (1, 1, 2), "VP": (1, 0, 0)}
    assert [(line.gender, line.awards, line.people, line.percent) for line in summary.by_gender] == [
        ("male", 4, 3, 57.1), ("female", 3, 2, 42.9),
    ]
    assert [(line.state, line.count) for line in summary.dossiers] == [("draft", 1), ("submitted", 1)]
    assert [(line.state, line.count) for line in summary.nominees] == [("pending", 1), ("returned", 1)]
    assert (summary.work_plans.totals.total, summary.work_plans.totals.completed, summary.work_plans.plans.issued) == (3, 2, 1)


def test_summary_gives_each_clusters_leader_and_grades(org, year_data):
    summary = year_end_summary(year=YEAR, today=TODAY)

    (campaign,) = summary.campaigns
    assert (campaign.name, campaign.published, campaign.unit_count) == (f"Thi đua năm {YEAR}", True, 3)
    assert campaign.grade_labels == ("Xuất sắc", "Tốt", "Không đạt xếp loại")
    # the results page's ranking, cluster by cluster, in its order
    results = results_for(Campaign.objects.get(pk=year_data["campaign"].pk))
    leaders = {group.cluster.name: group.rows[0].scorecard.unit.name for group in results.clusters}
    assert leaders == {"Cụm thi đua phía Bắc": "Sở Tư pháp Hải Phòng", "Cụm thi đua Văn phòng": "Văn phòng Bộ"}
    assert [c.name for c in campaign.clusters] == [group.cluster.name for group in results.clusters]
    assert {c.name: (c.leader, c.leader_total, c.grade_counts) for c in campaign.clusters} == {
        "Cụm thi đua phía Bắc": ("Sở Tư pháp Hải Phòng", D("2"), (0, 2, 0)),
        "Cụm thi đua Văn phòng": ("Văn phòng Bộ", D("0.5"), (0, 0, 1)),
    }
    assert campaign.grade_totals == (0, 2, 1)
    assert campaign.chart.startswith("<svg") and "Cụm thi đua phía Bắc" in campaign.chart


def test_summary_annex_lists_every_awardee_by_unit_and_decision(org, year_data):
    summary = year_end_summary(year=YEAR, today=TODAY)

    ldtt = summary.annex[0]
    assert (ldtt.award_name, ldtt.count) == ("Lao động tiên tiến", 4)
    assert [(s.unit_name, s.decision, [(r.number, r.name, r.unit) for r in s.rows]) for s in ldtt.sections] == [
        ("Bộ Tư pháp", "Quyết định số 12/QĐ-STP ngày 15/12/2025", [(1, "Ngô Văn Em", "Bộ Tư pháp")]),
        ("Sở Tư pháp Hà Nội", "Quyết định số 12/QĐ-STP ngày 15/12/2025",
         [(2, "Lê Văn Bình", "Văn phòng Sở"), (3, "Trần Thị Lan", "Sở Tư pháp Hà Nội")]),
        ("Sở Tư pháp Hải Phòng", "Quyết định số 12/QĐ-STP ngày 15/12/2025", [(4, "Phạm Thị Cúc", "Sở Tư pháp Hải Phòng")]),
    ]
    assert [(group.award_name, group.kind_label, group.count) for group in summary.annex][1:] == [
        ("Chiến sĩ thi đua cơ sở", "Khen thưởng công trạng (tổng kết năm)", 2),
        ("Tập thể lao động tiên tiến", "Khen thưởng công trạng (tổng kết năm)", 1),
        ("Tập thể lao động xuất sắc", "Khen thưởng công trạng (tổng kết năm)", 1),
        ("Bằng khen của Bộ trưởng", "Khen thưởng đột xuất", 1),
    ]
    collective = summary.annex[2].sections[0].rows[0]
    assert (collective.name, collective.unit, collective.is_person) == ("Sở Tư pháp Hà Nội", "Bộ Tư pháp", False)
    assert year_end_summary(year=YEAR, today=TODAY, annex=False).annex == ()


@pytest.mark.parametrize("units", [1, 3])
def test_summary_query_count_is_constant(org, django_assert_num_queries, units):
    scheme = build_scheme(lines=6, sections=2, year=YEAR)
    grades_for(scheme)
    cluster = ClusterFactory()
    campaign = None
    PlanYearFactory(year=YEAR)
    for index in range(units):
        unit = UnitFactory(parent=org.ministry)
        division = UnitFactory(parent=unit)
        ClusterMembershipFactory(cluster=cluster, unit=unit, year=YEAR)
        campaign = scored(scheme, unit, "1", campaign).campaign
        for number in range(2):
            person = PersonFactory(unit=division, gender=Gender.FEMALE if number else Gender.MALE)
            give(person, "LDTT")
            give(person, "CSTDCS" if index % 2 else "BKBT", kind=AwardKind.CAMPAIGN)
        give(unit, "TTLDTT")
        dossier = DossierFactory(unit=unit, year=YEAR, state=DossierState.SUBMITTED)
        NomineeFactory(dossier=dossier, person=person)
        plan = IssuedPlanFactory(unit=unit, year=YEAR)
        TaskFactory(plan=plan, due_date=date(YEAR, 3, 31), completed_on=date(YEAR, 3, 1))
        TaskFactory(plan=plan, lead_unit=division, due_date=date(YEAR, 6, 30))
    Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.PUBLISHED)

    with django_assert_num_queries(6 + 6 + 14):  # summary + work plans + one campaign
        summary = year_end_summary(year=YEAR, today=TODAY)
    assert summary.totals.total == 5 * units
    assert summary.campaigns[0].unit_count == units
    assert sum(len(section.rows) for group in summary.annex for section in group.sections) == 5 * units


def leaders_sentence(results) -> str:
    """The results page's leader of each cluster, in its order, as the paper words it."""
    return "; ".join(
        f"{group.cluster.name} – {group.rows[0].scorecard.unit.name} ({format_vn_number(group.rows[0].total)} điểm)"
        for group in results.clusters
    )


def test_pdf_carries_the_figures_the_leaders_and_the_annex(org, users, year_data):
    kind = get_document_kind(YEAR_END_SUMMARY)
    progress = []
    document = kind.build({"year": YEAR, "annex": True}, users.officer, progress.append)
    assert progress[-1] == 100 and progress == sorted(progress)
    html = render_html(document)
    assert html.count("<svg") == 6  # campaign, awards by title, level, unit, gender, tasks

    rendered = render_pdf(document)
    text = flat(pdf_text(rendered.pdf))
    assert "BÁO CÁO" in text and f"Tổng kết công tác thi đua, khen thưởng năm {YEAR}" in text
    cstdcs = AwardRecord.objects.filter(year=YEAR, award__code="CSTDCS").count()
    assert f"2 Chiến sĩ thi đua cơ sở Cấp cơ sở {cstdcs} 0 {cstdcs}" in text
    assert "Năm 2025, toàn Bộ Tư pháp có 9 lượt khen thưởng, trong đó 7 lượt cá nhân (5 người) và 2 lượt tập thể" in text
    results = results_for(Campaign.objects.get(pk=year_data["campaign"].pk))
    assert {"Cụm thi đua phía Bắc – Sở Tư pháp Hải Phòng (2 điểm)", "Cụm thi đua Văn phòng – Văn phòng Bộ (0,5 điểm)"} == \
        set(leaders_sentence(results).split("; "))
    assert f"Đơn vị dẫn đầu: {leaders_sentence(results)}." in text
    assert "Kết quả xếp loại: Xuất sắc 0 đơn vị; Tốt 2 đơn vị; Không đạt xếp loại 1 đơn vị." in text
    assert "Tổng số nhiệm vụ: 3; đã hoàn thành 2 nhiệm vụ (đạt 66,7%)" in text
    assert "PHỤ LỤC DANH SÁCH CÁ NHÂN, TẬP THỂ ĐƯỢC KHEN THƯỞNG NĂM 2025" in text
    assert "Sở Tư pháp Hà Nội – Quyết định số 13/QĐ-STP ngày 15/12/2025" in text
    assert text.index("KT. BỘ TRƯỞNG") < text.index("PHỤ LỤC")  # the annex follows the signature
    assert "Trang 1/" in pdf_text(rendered.pdf)


def test_excel_twin_has_the_tables_and_the_list(org, users, year_data):
    workbook = get_document_kind(YEAR_END_SUMMARY).excel({"year": YEAR, "annex": True}, users.officer)
    buffer = io.BytesIO()
    workbook.save(buffer)
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    assert book.sheetnames == [
        "Phong trào thi đua", "Theo danh hiệu", "Theo loại hình", "Theo cấp", "Theo đơn vị", "Theo giới tính",
        "Hồ sơ đề nghị", "Kế hoạch công tác", "Danh sách khen thưởng",
    ]
    titles = list(book["Theo danh hiệu"].iter_rows(min_row=4, values_only=True))
    assert titles[1] == ("Chiến sĩ thi đua cơ sở", "Danh hiệu thi đua", "Cấp cơ sở", 2, 0, 2)
    assert titles[-1] == ("Tổng số", None, None, 7, 2, 9)
    clusters = {row[2]: row[3:6] for row in book["Phong trào thi đua"].iter_rows(min_row=4, values_only=True)}
    assert clusters == {"Cụm thi đua phía Bắc": (2, "Sở Tư pháp Hải Phòng", 2), "Cụm thi đua Văn phòng": (1, "Văn phòng Bộ", 0.5)}
    names = [row[3] for row in book["Danh sách khen thưởng"].iter_rows(min_row=4, values_only=True)]
    assert len(names) == 9 and "Trần Thị Lan" in names


def test_only_officers_admins_and_council_members_may_print_it(users):
    kind = get_document_kind(YEAR_END_SUMMARY)
    allowed = {name for name in vars(users) if kind.allows(getattr(users, name), {"year": YEAR})}
    assert allowed == {"officer", "admin", "council"}
    assert kind.allows(users.council, None) and not kind.allows(users.leader, None)


@pytest.mark.django_db(transaction=True)
def test_the_request_page_makes_the_pdf_and_its_excel_twin(client, org, users, year_data):
    url = reverse("reports:request", args=[YEAR_END_SUMMARY])
    client.force_login(users.staff)
    assert client.get(url).status_code == 403
    client.force_login(users.council)
    form = client.get(url).context["form"]
    assert (set(form.fields), form.fields["annex"].initial) == ({"year", "annex"}, True)
    response = client.post(url, {"year": YEAR})  # annex unticked
    job = ReportJob.objects.get()
    assert response.status_code == 302 and (job.params, job.state) == ({"year": YEAR, "annex": False}, "done")
    assert job.title == f"Báo cáo tổng kết công tác thi đua, khen thưởng năm {YEAR}" and job.page_count >= 3
    assert "PHỤ LỤC" not in pdf_text(job.file.path) and job.excel_file


def test_a_year_without_anything_fails_with_a_message(org, users):
    with translation.override("en"), pytest.raises(DocumentError, match="nothing to report for 2031"):
        get_document_kind(YEAR_END_SUMMARY).build({"year": 2031}, users.officer, lambda percent: None)


def test_charts_escape_labels_and_draw_nothing_without_data():
    svg = charts.bar_chart([("<Cục> & \"Vụ\"", 3), ("Sở", 0)], title="Số lượt")
    assert "&lt;Cục&gt; &amp; &quot;Vụ&quot;" in svg and "<Cục>" not in svg
    assert charts.pie_chart([("Nam", 0), ("Nữ", 0)]) == "" and charts.bar_chart([]) == ""
    whole = charts.pie_chart([("Nam", 5), ("Nữ", 0)], percent=lambda share: f"{share:.0f}%")
    assert "<circle" in whole and "Nam: 5 (100%)" in whole and "Nữ: 0 (0%)" in whole
    assert charts.shorten("Cục Quản lý thi hành án dân sự", 60, 12).endswith("…")


# --- The acceptance test: the demo data through a real worker ------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_year_end_report_of_the_demo_data_through_a_real_worker(celery_worker):
    from django.contrib.auth import get_user_model

    from portal.documents.services import report_job_request

    ensure_catalogue()
    started = time.monotonic()
    call_command("seed_demo", stdout=io.StringIO())
    seeded = time.monotonic() - started
    year = timezone.localdate().year - 1  # the demo's last year of history, with a published campaign
    officer = get_user_model().objects.get(username="thiduakt")

    job = report_job_request(kind=YEAR_END_SUMMARY, params={"year": year, "annex": True}, user=officer)
    deadline = time.monotonic() + 180
    while job.state not in (ReportJobState.DONE, ReportJobState.FAILED) and time.monotonic() < deadline:
        time.sleep(0.2)
        job.refresh_from_db()
    assert job.state == ReportJobState.DONE, (job.state, job.progress, job.error)
    assert (job.progress, job.worker) == (100, celery_worker.node)
    assert job.page_count > 5 and job.excel_file, seeded

    text = flat(pdf_text(job.file.path))
    cstdcs = AwardRecord.objects.filter(year=year, award__code="CSTDCS")
    assert cstdcs.count() > 20
    assert f"Chiến sĩ thi đua cơ sở Cấp cơ sở {cstdcs.count()} 0 {cstdcs.count()}" in text
    assert f"Chiến sĩ thi đua cơ sở: {cstdcs.count()};" in text
    campaign = Campaign.objects.get(year=year, state=CampaignState.PUBLISHED)
    results = results_for(campaign)
    assert len(results.clusters) >= 2
    assert f"Đơn vị dẫn đầu: {leaders_sentence(results)}." in text
    first_cstdcs = cstdcs.filter(person__isnull=False).order_by("person__sort_key").first().person.full_name
    assert first_cstdcs in text[text.index("PHỤ LỤC"):]
