"""Documents of the commendation app: the award decision and its annex list (amounts = multiple ×
base salary, total in figures and words), the council minutes (each tally against the pass mark of
all members, passed or not), the certificates of an issued decision on the pre-printed blanks (one
page per awardee, at the layout's millimetres) — permissions and constant query counts included.

Decisions and meetings are made directly with the models (the council services have their own tests).
"""

import re
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from commendations import documents
from commendations.documents import (
    CERTIFICATES,
    COUNCIL_MINUTES,
    DECISION,
    money_in_words,
    number_in_words,
    signer_lines,
)
from commendations.enums import Attendance, DecisionState, DossierState, MeetingState, NomineeState
from commendations.models import (
    Ballot,
    CertificateLayout,
    CertificateLayoutAward,
    CouncilMeeting,
    Decision,
    DecisionLine,
    MeetingMember,
)
from portal.documents import DocumentError, get_document_kind
from portal.documents.render import render_html, render_pdf
from portal.enums import Gender, ReportJobState, Role
from portal.models import ReportJob
from tests.factories import PersonFactory, user_with_role
from tests.factories.commendations import DossierFactory, NomineeFactory, award


@pytest.fixture(autouse=True)
def _messages_in_english():
    """The refusals are compared with their English msgids (the Vietnamese catalogue is checked by
    manage.py check_translations); the documents themselves are Vietnamese whatever the language."""
    with translation.override("en"):
        yield


BASE = Decimal("2340000")
SIGNED = date(2025, 12, 15)


def build(kind: str, params: dict, user=None):
    return get_document_kind(kind).build(params, user, lambda percent: None)


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def pdf_pages(pdf: bytes) -> int:
    """The page count read back from the file itself (pypdf when installed, else pdfinfo)."""
    try:
        from pypdf import PdfReader
    except ImportError:
        info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
        return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    import io

    return len(PdfReader(io.BytesIO(pdf)).pages)


def page_sizes(pdf: bytes, pages: int) -> list[tuple[float, float]]:
    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", str(pages), "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)]


def make_decision(dossier, entries, *, number="123/QĐ-BTP", state=DecisionState.ISSUED, signer_title="Thứ trưởng"):
    """A decision over (nominee) entries; each amount = the award's multiple × BASE."""
    decision = Decision.objects.create(
        number=number, signed_on=SIGNED, signer="Nguyễn Văn Ký", signer_title=signer_title, state=state,
        base_salary=BASE,
    )
    for position, nominee in enumerate(entries):
        multiple = nominee.award.reward_multiple
        DecisionLine.objects.create(
            decision=decision, nominee=nominee, reward_multiple=multiple, amount=multiple * BASE, position=position
        )
    return decision


@pytest.fixture
def meeting(db):
    return CouncilMeeting.objects.create(
        title="Phiên họp xét khen thưởng năm 2025", held_on=date(2025, 12, 5), place="Phòng họp số 1",
        chair="Nguyễn Văn Chủ", secretary="Lê Thị Thư", state=MeetingState.CLOSED,
    )


@pytest.fixture
def awarded(org, meeting):
    """An issued decision: a man for CSTĐCS (1,0), a woman for LĐTT (0,3), a collective for TTLĐTT (0,8)."""
    dossier = DossierFactory(unit=org.home, year=2025, state=DossierState.DECIDED, meeting=meeting)
    an = PersonFactory(unit=org.home_child, full_name="Nguyễn Văn An", gender=Gender.MALE, position="Chuyên viên")
    binh = PersonFactory(unit=org.home, full_name="Trần Thị Bình", gender=Gender.FEMALE, position="Phó Giám đốc")
    nominees = [
        NomineeFactory(dossier=dossier, person=an, award=award("CSTDCS"), state=NomineeState.AWARDED),
        NomineeFactory(dossier=dossier, person=binh, award=award("LDTT"), state=NomineeState.AWARDED),
        NomineeFactory(dossier=dossier, person=None, unit=org.home_child, award=award("TTLDTT"),
                       state=NomineeState.AWARDED),
    ]
    return make_decision(dossier, nominees)


# --- Words and numbers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "words"),
    [(0, "không"), (15, "mười lăm"), (21, "hai mươi mốt"), (105, "một trăm linh năm"),
     (702000, "bảy trăm linh hai nghìn"), (1000050, "một triệu không trăm năm mươi"),
     (4914000, "bốn triệu chín trăm mười bốn nghìn"), (2000000015, "hai tỷ không trăm mười lăm")],
)
def test_numbers_are_read_in_vietnamese(number, words):
    assert number_in_words(number) == words


def test_money_in_words_capitalises_and_adds_the_currency():
    assert money_in_words(Decimal("11700000")) == "Mười một triệu bảy trăm nghìn đồng"


@pytest.mark.parametrize(
    ("title", "lines"),
    [("Thứ trưởng", ("KT. BỘ TRƯỞNG", "THỨ TRƯỞNG")), ("Bộ trưởng", ("", "BỘ TRƯỞNG")),
     ("KT. Bộ trưởng\nThứ trưởng thường trực", ("KT. BỘ TRƯỞNG", "THỨ TRƯỞNG THƯỜNG TRỰC")), ("", ("", "BỘ TRƯỞNG"))],
)
def test_the_signature_block_signs_for_the_minister_when_a_deputy_signs(title, lines):
    assert signer_lines(title) == lines


# --- The decision ----------------------------------------------------------------------------------------------


def test_decision_amounts_are_the_multiple_times_the_base_salary_with_their_total(awarded):
    paper = documents.decision_paper(awarded.pk)
    assert [(line.name, line.reward_multiple, line.amount) for line in paper.lines] == [
        ("Trần Thị Bình", Decimal("0.30"), Decimal("702000")),  # in the catalogue's order of the awards
        ("Nguyễn Văn An", Decimal("1.00"), Decimal("2340000")),
        ("Văn phòng Sở", Decimal("0.80"), Decimal("1872000")),
    ]
    assert all(line.amount == line.reward_multiple * BASE for line in paper.lines)
    assert paper.total == Decimal("4914000")


def test_decision_prints_the_awardees_the_amounts_and_the_total(awarded):
    html = render_html(build(DECISION, {"decision": awarded.pk}))
    for text in (
        "Số: 123/QĐ-BTP", "Hà Nội, ngày 15 tháng 12 năm 2025", "BỘ TRƯỞNG BỘ TƯ PHÁP",
        "Căn cứ Luật Thi đua, khen thưởng số 06/2022/QH15;",
        "Căn cứ kết quả họp Hội đồng Thi đua - Khen thưởng Bộ Tư pháp ngày 05/12/2025;",
        "Tặng danh hiệu “Chiến sĩ thi đua cơ sở” năm 2025 cho 01 cá nhân có tên trong danh sách kèm theo.",
        "Tặng danh hiệu “Tập thể lao động tiên tiến” năm 2025 cho 01 tập thể",
        "mức lương cơ sở 2.340.000 đồng/tháng (Nghị định 73/2024/NĐ-CP)",
        "Chiến sĩ thi đua cơ sở: 1 × 2.340.000 đồng = 2.340.000 đồng; 01 suất",
        "Lao động tiên tiến: 0,3 × 2.340.000 đồng = 702.000 đồng",
        "Tổng số tiền thưởng: <strong>4.914.000 đồng</strong> (Bằng chữ: Bốn triệu chín trăm mười bốn nghìn đồng)",
        "KT. BỘ TRƯỞNG", "THỨ TRƯỞNG", "Nguyễn Văn Ký", "Như Điều 3;",
        "(Kèm theo Quyết định số 123/QĐ-BTP ngày 15 tháng 12 năm 2025 của Bộ trưởng Bộ Tư pháp)",
    ):
        assert text in html, text
    annex = html[html.index('id="annexTable"'):]
    rows = re.findall(r"<tr><td class=\"center\">(\d+)</td><td>([^<]+)</td><td>([^<]*)</td>"
                      r"<td class=\"num\">([^<]+)</td><td class=\"num\">([^<]+)</td></tr>", annex)
    assert rows == [
        ("1", "Bà Trần Thị Bình", "Phó Giám đốc, Sở Tư pháp Hà Nội", "0,3", "702.000"),
        ("2", "Ông Nguyễn Văn An", "Chuyên viên, Văn phòng Sở, Sở Tư pháp Hà Nội", "1", "2.340.000"),
        ("3", "Văn phòng Sở", "Sở Tư pháp Hà Nội", "0,8", "1.872.000"),
    ]
    assert '<td class="num" id="annexTotal">4.914.000</td>' in annex
    assert "DỰ THẢO" not in html


def test_a_draft_decision_is_marked_as_such(org):
    dossier = DossierFactory(unit=org.home, state=DossierState.VOTED)
    draft = make_decision(dossier, [NomineeFactory(dossier=dossier, award=award("LDTT"), state=NomineeState.PASSED)],
                          state=DecisionState.DRAFT, signer_title="Bộ trưởng")
    html = render_html(build(DECISION, {"decision": draft.pk}))
    assert 'id="draftMark"' in html
    assert "KT. BỘ TRƯỞNG" not in html
    assert "Về việc tặng danh hiệu “Lao động tiên tiến” năm 2025" in html


def test_a_decision_without_reward_money_says_so(org):
    dossier = DossierFactory(unit=org.home, state=DossierState.DECIDED)
    decision = make_decision(dossier, [NomineeFactory(dossier=dossier, award=award("GK"), state=NomineeState.AWARDED)])
    html = render_html(build(DECISION, {"decision": decision.pk}))
    assert "Các hình thức khen thưởng tại Điều 1 không kèm theo tiền thưởng." in html
    assert "Tặng Giấy khen cho 01 cá nhân có tên trong danh sách kèm theo, đã có thành tích xuất sắc" in html


def test_decision_pdf_has_the_decision_then_the_annex_list(awarded):
    rendered = render_pdf(build(DECISION, {"decision": awarded.pk}))
    text = pdf_text(rendered.pdf)
    assert rendered.page_count == pdf_pages(rendered.pdf) >= 2
    for words in ("QUYẾT ĐỊNH", "Nguyễn Văn An", "Trần Thị Bình", "4.914.000", "DANH SÁCH", "Trang 1/"):
        assert words in text, words


def test_decision_excel_lists_the_amounts_and_the_total(awarded, tmp_path):
    workbook = get_document_kind(DECISION).excel({"decision": awarded.pk}, None)
    path = tmp_path / "list.xlsx"
    workbook.save(path)
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    body = [row for row in rows if isinstance(row[0], int)]
    assert [(row[1], row[6]) for row in body] == [
        ("Bà Trần Thị Bình", 702000), ("Ông Nguyễn Văn An", 2340000), ("Văn phòng Sở", 1872000)
    ]
    assert rows[-1][1:] == ("Tổng cộng", None, None, None, None, 4914000)


def test_a_missing_decision_is_a_clear_error(db):
    with pytest.raises(DocumentError, match="no longer exists"):
        build(DECISION, {"decision": 999999})


@pytest.mark.parametrize("count", [1, 3])
def test_decision_build_reads_a_constant_number_of_queries(org, meeting, count, django_assert_num_queries):
    dossier = DossierFactory(unit=org.home, state=DossierState.DECIDED, meeting=meeting)
    nominees = [NomineeFactory(dossier=dossier, award=award(code), state=NomineeState.AWARDED)
                for code in ("LDTT", "CSTDCS", "GK")[:count]]
    decision = make_decision(dossier, nominees)
    with django_assert_num_queries(5):
        document = build(DECISION, {"decision": decision.pk})
    with django_assert_num_queries(0):
        render_html(document)


def test_who_may_print_a_decision(org, users):
    dossier = DossierFactory(unit=org.home, state=DossierState.VOTED)
    draft = make_decision(dossier, [NomineeFactory(dossier=dossier, state=NomineeState.PASSED)],
                          state=DecisionState.DRAFT, number="7/QĐ-BTP")
    issued = make_decision(dossier, [NomineeFactory(dossier=dossier, state=NomineeState.AWARDED)], number="8/QĐ-BTP")
    kind = get_document_kind(DECISION)
    allowed = {
        role: (kind.allows(getattr(users, role)), kind.allows(getattr(users, role), {"decision": issued.pk}),
               kind.allows(getattr(users, role), {"decision": draft.pk}))
        for role in ("staff", "leader", "outsider", "no_role", "council", "officer", "admin")
    }
    assert allowed == {
        "staff": (False, False, False), "leader": (False, False, False), "outsider": (False, False, False),
        "no_role": (False, False, False), "council": (True, True, False), "officer": (True, True, True),
        "admin": (True, True, True),
    }
    from portal.documents.services import report_job_request

    with pytest.raises(PermissionDenied):
        report_job_request(kind=DECISION, params={"decision": issued.pk}, user=users.staff)
    assert not ReportJob.objects.exists()
    # the form offers council members the issued decision only
    form = documents.DecisionParamsForm(user=users.council)
    assert list(form.fields["decision"].queryset) == [issued]
    assert set(documents.DecisionParamsForm(user=users.officer).fields["decision"].queryset) == {issued, draft}


# --- The council minutes ---------------------------------------------------------------------------------------


def add_members(meeting, attendances):
    people = []
    for index, attendance in enumerate(attendances):
        user = user_with_role(Role.COUNCIL_MEMBER, None, name=f"Thành Viên Số{index + 1}")
        MeetingMember.objects.create(meeting=meeting, user=user, attendance=attendance)
        people.append(user)
    return people


def ballot(meeting, nominee, *, room, written=0, against=0, abstain=0, mark, total=9):
    favour = room + written
    passed = (favour * 2 > total) if mark is None else (Decimal(favour) * 100 >= Decimal(mark) * total)
    return Ballot.objects.create(
        meeting=meeting, nominee=nominee, in_favour=room, written_in_favour=written, against=against,
        abstain=abstain, members_total=total, pass_mark_percent=Decimal(mark or 0), passed=passed,
    )


@pytest.fixture
def voted(org, meeting):
    """9 members (7 present, 1 in writing, 1 absent); CSTĐCS 8/9 ≥ 80 % passes, CSTĐ cấp Bộ 8/9 < 90 %
    fails, LĐTT 5/9 is a majority, a fourth nominee waits for its vote, an excluded one is not listed."""
    add_members(meeting, [Attendance.PRESENT] * 7 + [Attendance.WRITTEN, Attendance.ABSENT])
    dossier = DossierFactory(unit=org.home, state=DossierState.VOTED, meeting=meeting, title="Hồ sơ khen thưởng 2025")
    people = {name: PersonFactory(unit=org.home, full_name=name) for name in
              ("Phạm Văn Đạt", "Hoàng Thị Trượt", "Vũ Văn Quá", "Đỗ Thị Chờ", "Lý Văn Loại")}
    pass_ = NomineeFactory(dossier=dossier, person=people["Phạm Văn Đạt"], award=award("CSTDCS"), state=NomineeState.PASSED)
    fail = NomineeFactory(dossier=dossier, person=people["Hoàng Thị Trượt"], award=award("CSTDBO"), state=NomineeState.FAILED)
    majority = NomineeFactory(dossier=dossier, person=people["Vũ Văn Quá"], award=award("LDTT"), state=NomineeState.PASSED)
    NomineeFactory(dossier=dossier, person=people["Đỗ Thị Chờ"], award=award("LDTT"), state=NomineeState.ACCEPTED)
    NomineeFactory(dossier=dossier, person=people["Lý Văn Loại"], award=award("LDTT"), state=NomineeState.EXCLUDED)
    ballot(meeting, pass_, room=7, written=1, against=0, abstain=0, mark=80)
    ballot(meeting, fail, room=7, written=1, against=0, abstain=0, mark=90)
    ballot(meeting, majority, room=4, written=1, against=2, abstain=1, mark=None)
    return meeting


def test_minutes_show_each_tally_against_the_pass_mark_of_all_members(voted):
    paper = documents.minutes_paper(voted.pk)
    assert [(row.name, row.favour, row.arithmetic, row.result) for row in paper.rows] == [
        ("Phạm Văn Đạt", 8, "8/9 = 88,9% ≥ 80%", "Đạt"),
        ("Hoàng Thị Trượt", 8, "8/9 = 88,9% < 90%", "Không đạt"),
        ("Vũ Văn Quá", 5, "5/9 = 55,6% > 50%", "Đạt"),
        ("Đỗ Thị Chờ", 0, "", "Chưa bỏ phiếu"),
    ]
    assert (paper.total, paper.present, paper.written, paper.absent) == (9, 7, 1, 1)
    assert (paper.passed, paper.failed, paper.unvoted) == (2, 1, 1)


def test_minutes_print_the_tallies_the_results_and_the_conclusion(voted):
    html = render_html(build(COUNCIL_MINUTES, {"meeting": voted.pk}))
    rows = dict(re.findall(r'<tr data-nominee="([^"]+)">(.*?)</tr>', html))
    cells = {name: re.findall(r"<td[^>]*>(.*?)</td>", row) for name, row in rows.items()}
    assert cells["Phạm Văn Đạt"][:3] == ['1', "Phạm Văn Đạt", "Chiến sĩ thi đua cơ sở"]
    assert cells["Phạm Văn Đạt"][3:] == ["7 + 1 = 8", "0", "0", "8/9 = 88,9% ≥ 80%", "<strong>Đạt</strong>"]
    assert cells["Hoàng Thị Trượt"][3:] == ["7 + 1 = 8", "0", "0", "8/9 = 88,9% &lt; 90%", "<strong>Không đạt</strong>"]
    assert cells["Vũ Văn Quá"][3:] == ["4 + 1 = 5", "2", "1", "5/9 = 55,6% &gt; 50%", "<strong>Đạt</strong>"]
    assert cells["Đỗ Thị Chờ"][3:] == ["—", "<strong>Chưa bỏ phiếu</strong>"]
    assert "Lý Văn Loại" not in html
    assert "Tổng số thành viên Hội đồng: <strong>9</strong>; có mặt: 7; vắng mặt có phiếu bằng văn bản: 1; vắng mặt: 1." in html
    assert "Có <strong>2</strong> tập thể, cá nhân đạt" in html and "<strong>1</strong> tập thể, cá nhân không đạt" in html
    assert "THƯ KÝ" in html and "Lê Thị Thư" in html and "CHỦ TRÌ" in html and "Nguyễn Văn Chủ" in html
    assert 'id="draftMark"' not in html


def test_minutes_of_an_open_meeting_are_a_draft(voted):
    voted.state = MeetingState.OPEN
    voted.save()
    assert 'id="draftMark"' in render_html(build(COUNCIL_MINUTES, {"meeting": voted.pk}))


def test_minutes_pdf_and_excel(voted, tmp_path):
    text = pdf_text(render_pdf(build(COUNCIL_MINUTES, {"meeting": voted.pk})).pdf)
    assert "BIÊN BẢN" in text and re.search(r"8/9 = 88,9% < 90%\s+Không đạt", text)
    path = tmp_path / "minutes.xlsx"
    get_document_kind(COUNCIL_MINUTES).excel({"meeting": voted.pk}, None).save(path)
    rows = [row for row in load_workbook(path).active.iter_rows(values_only=True) if isinstance(row[0], int)]
    assert [(row[2], row[6], row[9], row[10], row[12]) for row in rows] == [
        ("Phạm Văn Đạt", 8, 9, 80, "Đạt"), ("Hoàng Thị Trượt", 8, 9, 90, "Không đạt"),
        ("Vũ Văn Quá", 5, 9, None, "Đạt"), ("Đỗ Thị Chờ", None, None, None, "Chưa bỏ phiếu"),
    ]


@pytest.mark.parametrize("count", [1, 3])
def test_minutes_build_reads_a_constant_number_of_queries(org, meeting, count, django_assert_num_queries):
    add_members(meeting, [Attendance.PRESENT] * 3)
    for _ in range(count):
        dossier = DossierFactory(unit=org.home, state=DossierState.VOTED, meeting=meeting)
        nominee = NomineeFactory(dossier=dossier, state=NomineeState.PASSED)
        ballot(meeting, nominee, room=3, mark=None, total=3)
    with django_assert_num_queries(6):
        document = build(COUNCIL_MINUTES, {"meeting": meeting.pk})
    with django_assert_num_queries(0):
        render_html(document)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("staff", False), ("leader", False), ("no_role", False), ("council", True), ("officer", True), ("admin", True)],
)
def test_who_may_print_the_minutes(users, meeting, role, allowed):
    assert get_document_kind(COUNCIL_MINUTES).allows(getattr(users, role), {"meeting": meeting.pk}) is allowed


# --- Certificates --------------------------------------------------------------------------------------------


def test_certificates_print_one_page_per_awardee_on_its_blank(awarded):
    document = build(CERTIFICATES, {"decision": awarded.pk})
    rendered = render_pdf(document)
    assert rendered.page_count == pdf_pages(rendered.pdf) == 3
    # every award of the decision is on the seeded A4 landscape "certificate of emulation titles"
    assert page_sizes(rendered.pdf, 3) == [pytest.approx((841.9, 595.3), abs=0.5)] * 3
    text = pdf_text(rendered.pdf)
    for words in ("Ông Nguyễn Văn An", "Bà Trần Thị Bình", "Văn phòng Sở", "Đạt danh hiệu “Chiến sĩ thi đua cơ sở” năm 2025",
                  "Quyết định số 123/QĐ-BTP ngày 15/12/2025", "Hà Nội, ngày 15 tháng 12 năm 2025", "KT. BỘ TRƯỞNG",
                  "Nguyễn Văn Ký"):
        assert words in text, words
    # no page numbers, no national header: the blank carries them
    assert "Trang" not in text and "CỘNG HÒA" not in text


def test_certificate_fields_sit_at_the_layouts_millimetres_shifted_by_the_printer_offset(awarded):
    layout = CertificateLayout.objects.get(name="Giấy chứng nhận danh hiệu thi đua")
    layout.offset_x, layout.offset_y = Decimal("2.5"), Decimal("-1.0")
    fields = layout.fields
    fields[0] = {**fields[0], "x": 40, "y": 95.5, "width": 200, "font_size": 24, "align": "left"}
    layout.save()
    html = render_html(build(CERTIFICATES, {"decision": awarded.pk}))
    assert html.count('data-key="recipient" style="left: 42.5mm; top: 94.5mm; width: 200.0mm; font-size: 24.0pt; '
                      'text-align: left; font-weight: bold; font-style: normal">') == 3
    assert f"@page blank-{layout.pk} {{ size: 297mm 210mm; margin: 0; }}" in html
    # and the PDF puts the name there: 42.5 mm from the left edge = 120.5 pt
    bbox = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", "-", "-"], input=render_pdf(
        build(CERTIFICATES, {"decision": awarded.pk, "only": "1"})).pdf, capture_output=True, check=True).stdout.decode()
    x_min = float(re.search(r'<word xMin="([\d.]+)"[^>]*>Bà</word>', bbox).group(1))
    assert abs(x_min - 42.5 * 72 / 25.4) < 1.5


def test_a_field_switched_off_is_not_printed(awarded):
    layout = CertificateLayout.objects.get(name="Giấy chứng nhận danh hiệu thi đua")
    layout.fields = [{**field, "enabled": field["key"] != "signer_name"} for field in layout.fields]
    layout.save()
    html = render_html(build(CERTIFICATES, {"decision": awarded.pk}))
    assert 'data-key="signer_name"' not in html and "Nguyễn Văn Ký" not in html
    assert html.count('data-key="signer_title"') == 3


def test_certificates_of_mixed_blanks_take_each_blanks_paper(org):
    dossier = DossierFactory(unit=org.home, state=DossierState.DECIDED)
    decision = make_decision(dossier, [
        NomineeFactory(dossier=dossier, award=award("BKBT"), state=NomineeState.AWARDED),
        NomineeFactory(dossier=dossier, award=award("GK"), state=NomineeState.AWARDED),
    ])
    rendered = render_pdf(build(CERTIFICATES, {"decision": decision.pk}))
    # Giấy khen (A4) before Bằng khen (A3), in the catalogue's order; both landscape
    assert page_sizes(rendered.pdf, 2) == [pytest.approx((841.9, 595.3), abs=0.5), pytest.approx((1190.6, 841.9), abs=0.5)]


def test_only_some_numbers_are_reprinted(awarded):
    document = build(CERTIFICATES, {"decision": awarded.pk, "only": "1, 3"})
    assert [sheet.fields[0].text for sheet in document.context["sheets"]] == ["Bà Trần Thị Bình", "Văn phòng Sở"]
    with pytest.raises(DocumentError, match="lists 3 awardees; there is no number 4"):
        build(CERTIFICATES, {"decision": awarded.pk, "only": "2-4"})


def test_certificates_refuse_a_draft_and_an_award_without_a_blank(org):
    dossier = DossierFactory(unit=org.home, state=DossierState.VOTED)
    draft = make_decision(dossier, [NomineeFactory(dossier=dossier, state=NomineeState.PASSED)],
                          state=DecisionState.DRAFT)
    with pytest.raises(DocumentError, match="not issued yet"):
        build(CERTIFICATES, {"decision": draft.pk})
    national = make_decision(dossier, [NomineeFactory(dossier=dossier, award=award("CSTDTQ"), state=NomineeState.AWARDED)],
                             number="9/QĐ-BTP")
    with pytest.raises(DocumentError, match="No certificate blank is set for Chiến sĩ thi đua toàn quốc"):
        build(CERTIFICATES, {"decision": national.pk})
    CertificateLayoutAward.objects.filter(award__code="LDTT").update(
        layout=CertificateLayout.objects.create(name="Phôi cũ", is_active=False)
    )
    old = make_decision(dossier, [NomineeFactory(dossier=dossier, award=award("LDTT"), state=NomineeState.AWARDED)],
                        number="10/QĐ-BTP")
    with pytest.raises(DocumentError, match="No certificate blank is set for Lao động tiên tiến"):
        build(CERTIFICATES, {"decision": old.pk})


@pytest.mark.parametrize("count", [1, 3])
def test_certificates_build_reads_a_constant_number_of_queries(org, count, django_assert_num_queries):
    dossier = DossierFactory(unit=org.home, state=DossierState.DECIDED)
    decision = make_decision(dossier, [NomineeFactory(dossier=dossier, award=award(code), state=NomineeState.AWARDED)
                                       for code in ("LDTT", "BKBT", "GK")[:count]])
    with django_assert_num_queries(3):
        document = build(CERTIFICATES, {"decision": decision.pk})
    with django_assert_num_queries(0):
        render_html(document)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("staff", False), ("leader", False), ("outsider", False), ("no_role", False), ("council", False),
     ("officer", True), ("admin", True)],
)
def test_who_may_print_certificates(users, awarded, role, allowed):
    assert get_document_kind(CERTIFICATES).allows(getattr(users, role), {"decision": awarded.pk}) is allowed


def test_certificates_form_offers_issued_decisions_and_checks_the_numbers(org, users, awarded):
    dossier = DossierFactory(unit=org.home, state=DossierState.VOTED)
    make_decision(dossier, [NomineeFactory(dossier=dossier, state=NomineeState.PASSED)], state=DecisionState.DRAFT,
                  number="11/QĐ-BTP")
    form = documents.CertificatesParamsForm(user=users.officer)
    assert list(form.fields["decision"].queryset) == [awarded]
    bad = documents.CertificatesParamsForm({"decision": awarded.pk, "only": "1, x"}, user=users.officer)
    assert not bad.is_valid() and "only" in bad.errors
    beyond = documents.CertificatesParamsForm({"decision": awarded.pk, "only": "5"}, user=users.officer)
    assert not beyond.is_valid() and "there is no number 5" in beyond.errors["only"][0]
    good = documents.CertificatesParamsForm({"decision": awarded.pk, "only": "1-2"}, user=users.officer)
    assert good.is_valid(), good.errors
    assert good.params() == {"decision": awarded.pk, "only": "1-2"}


def test_a_certificates_job_runs_through_the_pipeline_in_vietnamese(users, awarded, django_capture_on_commit_callbacks):
    from portal.documents.services import report_job_request

    # an officer reading the portal in English still prints Vietnamese certificates
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        job = report_job_request(kind=CERTIFICATES, params={"decision": awarded.pk}, user=users.officer)
    job.refresh_from_db()
    assert (job.language, job.state, job.error, job.page_count) == ("en", ReportJobState.DONE, "", 3)
    with job.file.open("rb") as handle:
        assert "Ông Nguyễn Văn An" in pdf_text(handle.read())


def test_an_officer_asks_for_the_decision_on_the_reports_page(client, users, awarded, django_capture_on_commit_callbacks):
    from django.urls import reverse

    client.force_login(users.officer)
    url = reverse("reports:request", args=[DECISION])
    page = client.get(url)
    assert page.status_code == 200 and "123/QĐ-BTP – 15/12/2025" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"decision": awarded.pk})
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reports:job", args=[job.pk])
    job.refresh_from_db()
    assert (job.kind, job.params, job.state, job.error) == (DECISION, {"decision": awarded.pk}, ReportJobState.DONE, "")
    assert job.file.name.endswith("quyet-dinh-123-qd-btp.pdf") and job.excel_file.name.endswith(".xlsx")
    # a unit's staff cannot even open the request form
    client.force_login(users.staff)
    assert client.get(url).status_code == 403


def test_the_decision_page_links_to_its_documents_preset(client, users, awarded):
    decision = awarded
    client.force_login(users.officer)
    page = client.get(reverse("commendations:decision_detail", args=[decision.pk])).content.decode()
    link = f"{reverse('reports:request', args=['commendations.decision'])}?decision={decision.pk}"
    assert link in page
    assert f"{reverse('reports:request', args=['commendations.certificates'])}?decision={decision.pk}" in page
    form = client.get(link).context["form"]
    assert str(form["decision"].value()) == str(decision.pk)
    # a unit's staff neither sees the page nor may print the decision
    client.force_login(users.staff)
    assert client.get(reverse("commendations:decision_detail", args=[decision.pk])).status_code in (403, 404)
    assert client.get(link).status_code == 403
