"""Commendations in the browser, end to end (issue 5, acceptance "browser test of the whole path").

A unit's staff prepare a year-end dossier proposing two people for Chiến sĩ thi đua cấp Bộ: A has
the history the rule asks for, B has a broken streak of Chiến sĩ thi đua cơ sở. They type the
achievement reports (one comes as a PDF), attach the papers and submit; the unit leader approves;
the officer starts the appraisal, which shows B not eligible with the failing condition and the
article it comes from; the officer accepts B for the council's say (a note is required) and returns A
for revision; the unit fixes A's report and resubmits, the leader approves again, the officer accepts
A, seats a council meeting and sends the dossier to it; the tallies pass A and fail B against the
award's pass mark of all members; the meeting is closed (minutes drawn up); a decision awarding A
is created and issued with the reward = multiple × base salary; A's commendation history shows the
new award with the decision number.

What is not the journey is set with factories: the history of A and B, the council members' logins.
Every browser context carries the language cookie ``django_language=en``, so the pages are in
English and the assertions match the English messages: they do not depend on how complete the
Vietnamese catalogue is. Data (names, awards, articles of law) and the minutes stay Vietnamese.
"""

from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from commendations import eligibility
from commendations.enums import DecisionState, DocumentKind, DossierState, MeetingState, NomineeState
from commendations.forms import default_proposal_year
from commendations.models import AwardRecord, AwardRule, CouncilMeeting, Decision, Dossier, Initiative
from portal.enums import Role
from tests.factories import PASSWORD, PersonFactory, user_with_role
from tests.factories.commendations import award, cstdbo_history, ensure_catalogue

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BASE_SALARY = Decimal("2340000")  # lương cơ sở from 1 July 2024 (Nghị định 73/2024/NĐ-CP, migration 0005)



def log_in(browser, live_server, user):
    """A browser context of its own for ``user``, in English (language cookie), logged in."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 900})
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("#loginButton")
    page.wait_for_url(f"{live_server.url}/")
    return context, page


def write_pdf(folder: Path, name: str, text: str) -> Path:
    """A small one-page PDF saying ``text`` (ASCII), with a correct cross-reference table."""
    stream = f"BT /F1 12 Tf 72 760 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    body, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n%s\nendobj\n" % (number, content)
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path = folder / name
    path.write_bytes(bytes(body))
    return path


def vietnamese(message: str) -> str:
    with translation.override("vi"):
        return gettext(message)


def amount_text(value: Decimal) -> str:
    """A whole amount of đồng as the English pages print it (floatformat "0g"): 7,020,000."""
    return f"{int(value):,}"


def success_message(page) -> str:
    return " ".join(page.locator(".alert-success").all_inner_texts())


def open_dossier(page, dossier: Dossier) -> None:
    """Find the dossier in the list (what the user can see) and open it."""
    page.goto(reverse("commendations:dossier_list"))
    page.click(f"#dossierTable tr[data-dossier='{dossier.pk}'] a")
    page.wait_for_selector("#nomineeTable")


def transition(page, button: str, *, meeting: CouncilMeeting | None = None) -> None:
    """Click a transition button of the dossier page, then confirm on the confirmation page."""
    page.click(button)
    page.wait_for_selector("#transitionForm")
    if meeting is not None:
        page.select_option("#id_meeting", str(meeting.pk))
    with page.expect_navigation():
        page.click("#confirmTransition")
    page.wait_for_selector("#nomineeTable")
    assert page.locator(".alert-danger").count() == 0, page.inner_text("main")


def state_of(page) -> str:
    """The state shown in the dossier page's header."""
    return page.get_attribute("h1 + p [data-state]", "data-state")


def appraise(page, dossier: Dossier, nominee, *, decision: str, note: str = "", expect_refusal: str = ""):
    """Open the nominee's appraisal page from the dossier and record accept/exclude (with a note)."""
    page.click(f"#nominee-{nominee.pk} a[data-appraise]")
    page.wait_for_selector("#appraiseForm")
    page.check("#id_decision_0" if decision == "accept" else "#id_decision_1")
    page.fill("#id_note", note)
    with page.expect_navigation():
        page.click("#appraiseForm button[type=submit]")
    if expect_refusal:
        assert expect_refusal in page.inner_text(".alert-danger")
        page.goto(reverse("commendations:dossier_detail", args=[dossier.pk]))
    else:
        assert success_message(page), page.inner_text("main")


def record_tally(page, nominee, *, room: tuple[int, int, int], written: tuple[int, int, int], live: str) -> None:
    """Type the tally of one nominee (the live line shows the pass/fail sum) and record it."""
    prefix = f"#id_n{nominee.pk}-"
    for name, value in zip(("in_favour", "against", "abstain"), room, strict=True):
        page.fill(prefix + name, str(value))
    for name, value in zip(("written_in_favour", "written_against", "written_abstain"), written, strict=True):
        page.fill(prefix + name, str(value))
    assert page.inner_text(f"#tally-{nominee.pk} .tally-live") == live
    with page.expect_navigation():
        page.click(f"#tally-{nominee.pk} button[type=submit]")
    assert success_message(page), page.inner_text("main")


def test_commendation_journey(browser, live_server, users, org, tmp_path):
    ensure_catalogue()
    year = default_proposal_year()
    today = timezone.localdate()
    cstdbo = award(eligibility.CSTDBO)
    multiple, pass_mark = cstdbo.reward_multiple, cstdbo.pass_mark_percent
    assert (multiple, pass_mark) == (Decimal("3.0"), Decimal("90"))
    assert DocumentKind.INITIATIVE_CERTIFICATE in cstdbo.required_documents
    article = AwardRule.objects.get(award=cstdbo, subject="person").rule["article"]
    assert article.startswith("Điều ")  # "Điều 22 Luật Thi đua, khen thưởng 2022"

    # The history the rules read: A holds CSTĐCS in the three years ending at the proposal year and
    # has a ministry-level initiative; B missed CSTĐCS the year before (a broken streak).
    person_a = PersonFactory(unit=org.home, full_name="Trần Thị Lan", position="Phó Chánh Văn phòng")
    person_b = PersonFactory(unit=org.home, full_name="Nguyễn Văn Bình", position="Chuyên viên chính")
    initiative_a = cstdbo_history(person_a, year=year)
    cstdbo_history(person_b, year=year, cstdcs_years=[year - 2, year])
    # Five council members: the officer seats four in the room and one who votes in writing.
    members = [users.council] + [
        user_with_role(Role.COUNCIL_MEMBER, org.ministry, name=name)
        for name in ("Lý Văn Chủ", "Mai Thị Tịch", "Tô Văn Viên", "Hà Thị Thư")
    ]
    papers = {
        kind: write_pdf(tmp_path, f"{kind}.pdf", f"{kind} {year}")
        for kind in ("to-trinh", "danh-sach", "bien-ban", "sang-kien-a", "sang-kien-b", "bao-cao-b")
    }

    # 1. The unit's staff create the dossier, propose A (report typed) and B (report as a PDF).
    staff_context, staff = log_in(browser, live_server, users.staff)
    staff.goto(reverse("commendations:dossier_list"))
    staff.click("#newDossier")
    assert staff.input_value("#id_year") == str(year)
    assert staff.input_value("#id_unit") == str(org.home.pk)
    staff.fill("#id_title", f"Đề nghị khen thưởng năm {year} – Sở Tư pháp Hà Nội")
    with staff.expect_navigation():
        staff.click("#dossierCreateForm button[type=submit]")
    dossier = Dossier.objects.get(unit=org.home, year=year)
    assert "The dossier was created." in success_message(staff)

    staff.click("#addNominee")
    staff.select_option("#id_person", str(person_a.pk))
    staff.select_option("#id_award", str(cstdbo.pk))
    staff.fill("#id_achievements", "Chủ trì xây dựng 12 văn bản quy phạm pháp luật của Thành phố, đúng hạn.")
    with staff.expect_navigation():
        staff.click("#nomineeForm button[name=add_another]")
    assert "The nominee was added." in success_message(staff)
    staff.select_option("#id_person", str(person_b.pk))
    staff.select_option("#id_award", str(cstdbo.pk))
    staff.set_input_files("#id_report_file", papers["bao-cao-b"])
    with staff.expect_navigation():
        staff.click("#nomineeForm button[type=submit]:not([name])")
    staff.wait_for_selector("#nomineeTable")
    nominee_a, nominee_b = dossier.nominees.order_by("position")
    assert (nominee_a.person_id, nominee_b.person_id) == (person_a.pk, person_b.pk)
    assert "bao-cao-b.pdf" in staff.inner_text(f"#nominee-{nominee_b.pk}")

    # The checklist says what is missing before the dossier can be submitted.
    checklist = staff.inner_text("#submissionChecklist")
    assert "The dossier lacks: Cover memo (tờ trình); List of nominees (danh sách); Minutes" in checklist
    assert f"{person_a.full_name} ({cstdbo.name}) lacks: Certification of the initiative." in checklist
    assert f"{person_b.full_name} ({cstdbo.name}) lacks: Certification of the initiative." in checklist

    # The papers: three for the whole dossier, the initiative certification of each nominee.
    staff.click("#uploadDocument")
    uploads = [
        (None, DocumentKind.COVER_MEMO, "to-trinh"),
        (None, DocumentKind.NOMINEE_LIST, "danh-sach"),
        (None, DocumentKind.MINUTES, "bien-ban"),
        (nominee_a, DocumentKind.INITIATIVE_CERTIFICATE, "sang-kien-a"),
        (nominee_b, DocumentKind.INITIATIVE_CERTIFICATE, "sang-kien-b"),
    ]
    for index, (nominee, kind, paper) in enumerate(uploads):
        staff.select_option("#id_nominee", str(nominee.pk) if nominee else "")
        staff.select_option("#id_kind", kind)
        staff.set_input_files("#id_file", papers[paper])
        last = index == len(uploads) - 1
        with staff.expect_navigation():
            staff.click("#documentForm button[type=submit]" + (":not([name])" if last else "[name=add_another]"))
        assert "The file was attached." in success_message(staff), staff.inner_text("main")
    staff.wait_for_selector("#nomineeTable")
    assert staff.locator("#dossierDocuments li").count() == 3
    assert "Every nominee has its achievement report and papers" in staff.inner_text("#submissionChecklist")
    transition(staff, "#submitDossier")
    assert "The dossier was submitted to the unit leader." in success_message(staff)
    assert state_of(staff) == DossierState.SUBMITTED

    # 2. The unit leader approves.
    leader_context, leader = log_in(browser, live_server, users.leader)
    open_dossier(leader, dossier)
    transition(leader, "#approveDossier")
    assert state_of(leader) == DossierState.APPROVED

    # 3. The officer starts the appraisal: each nominee gets the engine's verdict.
    officer_context, officer = log_in(browser, live_server, users.officer)
    open_dossier(officer, dossier)
    transition(officer, "#startAppraisal")
    assert state_of(officer) == DossierState.APPRAISAL
    assert officer.get_attribute(f"#nominee-{nominee_a.pk} .eligibility", "data-eligible") == "yes"
    assert officer.get_attribute(f"#nominee-{nominee_b.pk} .eligibility", "data-eligible") == "no"
    # Why B is not eligible, citing the article: CSTĐCS missing the year before the proposal.
    reasons = officer.locator(f"#nominee-{nominee_b.pk} [data-reasons] li").all_inner_texts()
    cstdcs = award(eligibility.CSTDCS).name
    assert reasons == [
        f"{cstdcs} in 3 consecutive years ending {year}: found {year - 2}, {year} — {year - 1} missing ({article})"
    ]
    assert officer.locator(f"#nominee-{nominee_a.pk} [data-reasons]").count() == 0

    # B's appraisal page: every condition, the failing one with its article and evidence.
    officer.click(f"#nominee-{nominee_b.pk} a[data-appraise]")
    officer.wait_for_selector("#appraiseForm")
    assert "Not eligible" in officer.inner_text(".eligibility")
    officer.click(".eligibility details summary")
    conditions = officer.locator(".eligibility details li").all_inner_texts()
    failing = [text for text in conditions if text.startswith("not met") and f"{year - 1} missing" in text]
    assert len(failing) == 1 and f"({article})" in failing[0]
    assert f"judged under {AwardRule.objects.get(award=cstdbo, subject='person').legal_basis.code}" in officer.inner_text(
        ".eligibility"
    )
    officer.goto(reverse("commendations:dossier_detail", args=[dossier.pk]))
    # Accepting a nominee the check found ineligible needs a note; the council will have its say.
    appraise(officer, dossier, nominee_b, decision="accept",
             expect_refusal=f"The check found {person_b.full_name} not eligible; say why you accept the nomination.")
    note_b = "Có sáng kiến cấp Bộ; đơn vị đề nghị Hội đồng xem xét dù thiếu danh hiệu CSTĐCS năm trước."
    appraise(officer, dossier, nominee_b, decision="accept", note=note_b)
    assert note_b in officer.inner_text(f"#nominee-{nominee_b.pk} [data-appraisal-note]")
    # A is returned: the report lacks the figures of the initiative's effect.
    reason_a = "Bổ sung số liệu về hiệu quả áp dụng sáng kiến trong báo cáo thành tích."
    officer.click("#returnDossier")
    officer.check(f"#id_return_{nominee_a.pk}")
    officer.fill(f"#id_reason_{nominee_a.pk}", reason_a)
    with officer.expect_navigation():
        officer.click("#confirmReturn")
    assert "The dossier was returned to the unit for revision." in success_message(officer)
    assert state_of(officer) == DossierState.RETURNED

    # 4. The unit fixes A (only A can be changed), resubmits; the leader approves again.
    open_dossier(staff, dossier)
    assert reason_a in staff.inner_text("#returnReason")
    assert reason_a in staff.inner_text(f"#nominee-{nominee_a.pk} [data-return-reason]")
    assert staff.locator(f"#nominee-{nominee_b.pk} a[href$='/edit/']").count() == 0
    assert staff.locator("#addNominee").count() == 0
    staff.click(f"#nominee-{nominee_a.pk} a[href$='/nominees/{nominee_a.pk}/edit/']")
    staff.wait_for_selector("#nomineeEditForm")
    fixed_report = (
        "Chủ trì xây dựng 12 văn bản quy phạm pháp luật của Thành phố, đúng hạn. Sáng kiến số hoá hồ sơ "
        "lý lịch tư pháp rút thời gian giải quyết từ 10 xuống 5 ngày cho 18.400 hồ sơ."
    )
    staff.fill("#id_achievements", fixed_report)
    with staff.expect_navigation():
        staff.click("#nomineeEditForm button[type=submit]")
    assert "The nomination was saved." in success_message(staff)
    transition(staff, "#submitDossier")
    assert state_of(staff) == DossierState.SUBMITTED
    nominee_a.refresh_from_db()
    assert (nominee_a.state, nominee_a.achievements) == (NomineeState.PENDING, fixed_report)
    open_dossier(leader, dossier)
    transition(leader, "#approveDossier")
    leader_context.close()

    # The officer appraises A again (B keeps its appraisal) and accepts A.
    open_dossier(officer, dossier)
    transition(officer, "#startAppraisal")
    assert officer.get_attribute(f"#nominee-{nominee_a.pk} .eligibility", "data-eligible") == "yes"
    assert officer.get_attribute(f"#nominee-{nominee_b.pk} [data-nominee-state]", "data-nominee-state") == "accepted"
    appraise(officer, dossier, nominee_a, decision="accept")

    # The council meeting, seated through its page, and the dossier sent to it.
    officer.goto(reverse("commendations:meeting_list"))
    officer.click("#newMeeting")
    officer.wait_for_selector("#meetingForm")
    officer.fill("#id_title", f"Phiên họp Hội đồng Thi đua – Khen thưởng xét khen thưởng năm {year}")
    officer.fill("#id_held_on", today.strftime("%d/%m/%Y"))
    officer.fill("#id_place", "Hà Nội")
    officer.fill("#id_chair", "Lý Văn Chủ")
    officer.fill("#id_secretary", "Mai Thị Tịch")
    for member in members:
        officer.select_option(f"#id_member_{member.pk}", "written" if member == members[-1] else "present")
    with officer.expect_navigation():
        officer.click("#saveMeeting")
    meeting = CouncilMeeting.objects.get()
    assert officer.inner_text("#attendanceSummary").startswith(
        "5 members: 4 present, 1 absent who voted in writing, 0 absent."
    )
    open_dossier(officer, dossier)
    transition(officer, "#sendToCouncil", meeting=meeting)
    assert state_of(officer) == DossierState.COUNCIL

    # 5. The tallies: A 5 of 5 in favour passes; B 4 of 5 (a majority, but 80 % < 90 %) fails.
    officer.goto(reverse("commendations:meeting_detail", args=[meeting.pk]))
    assert "2 nominees still have no tally" in officer.inner_text("#withoutBallot")
    assert "90% of all 5 members: at least 5 in favour" in officer.inner_text(f"#nominee-{nominee_b.pk}")
    assert "Not eligible" in officer.inner_text(f"#nominee-{nominee_b.pk}")  # the council sees the verdict
    record_tally(officer, nominee_a, room=(4, 0, 0), written=(1, 0, 0),
                 live="5/5 members = 100% ≥ 90% — passes")
    record_tally(officer, nominee_b, room=(3, 1, 0), written=(1, 0, 0),
                 live="4/5 members = 80% < 90% — does not pass")
    row_a, row_b = officer.locator(f"#nominee-{nominee_a.pk}"), officer.locator(f"#nominee-{nominee_b.pk}")
    assert row_a.locator("[data-ballot-result]").get_attribute("data-ballot-result") == "passed"
    assert "5/5 members = 100% ≥ 90%" in row_a.inner_text()
    assert row_b.locator("[data-ballot-result]").get_attribute("data-ballot-result") == "failed"
    assert "Not passed" in row_b.inner_text() and "4/5 members = 80% < 90%" in row_b.inner_text()

    officer.click("#closeMeeting")
    summary = officer.inner_text("#closeSummary")
    assert "Passed" in summary and "Not passed" in summary
    with officer.expect_navigation():
        officer.click("#confirmClose")
    assert officer.url.endswith(reverse("commendations:meeting_minutes", args=[meeting.pk]))
    minutes = officer.inner_text("#minutesText")  # the record is Vietnamese whoever closes the meeting
    lines = minutes.splitlines()
    verdict_lines = [line for line in lines if "/5" in line]
    assert len(verdict_lines) == 2
    assert verdict_lines[0].endswith(vietnamese("PASSED")) and not verdict_lines[0].endswith(vietnamese("NOT PASSED"))
    assert verdict_lines[1].endswith(vietnamese("NOT PASSED"))
    assert person_a.full_name in minutes and person_b.full_name in minutes
    nominee_a.refresh_from_db()
    nominee_b.refresh_from_db()
    dossier.refresh_from_db()
    meeting.refresh_from_db()
    assert (nominee_a.state, nominee_b.state) == (NomineeState.PASSED, NomineeState.FAILED)
    assert (dossier.state, meeting.state) == (DossierState.VOTED, MeetingState.CLOSED)

    # 6. The decision: only A is offered (B failed the vote); reward = 3.0 × 2,340,000.
    number = "1234/QĐ-BTP"
    officer.goto(reverse("commendations:decision_list"))
    officer.click("#newDecision")
    officer.wait_for_selector("#decisionForm")
    candidates = officer.locator("#candidateTable tbody tr")
    assert candidates.count() == 1 and person_a.full_name in candidates.inner_text()
    officer.fill("#id_number", number)
    officer.fill("#id_signed_on", today.strftime("%d/%m/%Y"))
    officer.fill("#id_signer", "Nguyễn Hải Ninh")
    officer.fill("#id_signer_title", "Bộ trưởng")
    officer.check(f"#nominee-{nominee_a.pk}")
    with officer.expect_navigation():
        officer.click("#saveDecision")
    assert "The draft decision was saved." in success_message(officer), officer.inner_text("main")
    decision = Decision.objects.get(number=number)
    reward = multiple * BASE_SALARY
    assert reward == Decimal("7020000")
    assert f"Base salary in force on the signing date: {amount_text(BASE_SALARY)} VND" in officer.inner_text(
        "#baseSalary"
    )
    line = officer.locator(f"#awardeeTable tr[data-nominee='{nominee_a.pk}']")
    assert Decimal(line.locator("[data-amount]").get_attribute("data-amount")) == reward
    assert line.locator("[data-amount]").inner_text() == amount_text(reward)
    assert officer.inner_text("#decisionTotal") == amount_text(reward)
    assert officer.locator(f"#awardeeTable tr[data-nominee='{nominee_b.pk}']").count() == 0

    officer.click("#issueDecision")
    officer.wait_for_selector("#issueForm")
    with officer.expect_navigation():
        officer.click("#confirmIssue")
    assert f"The decision {number} is issued; the awards are in the history." in success_message(officer)
    assert "in the history" in line.inner_text()
    assert officer.locator("#issueDecision").count() == 0
    officer_context.close()

    # 7. A's commendation history (the unit's staff look) shows the new award with the decision.
    staff.goto(reverse("commendations:person_history", args=[person_a.pk]))
    row = staff.locator("#timelineTable tbody tr", has=staff.locator(f"th:text-is('{year}')"))
    merit = row.locator("td").nth(1).inner_text()
    assert cstdbo.name in merit
    assert f"({number}, {today.strftime('%d/%m/%Y')})" in merit
    # The initiative the award relied on (recognised the year before) is now marked as used by it.
    initiative_row = staff.locator("#timelineTable tbody tr", has=staff.locator(f"th:text-is('{initiative_a.year}')"))
    assert f"used for {cstdbo.name} {year}" in initiative_row.inner_text()
    staff_context.close()

    # The final state: A's award written with the decision number, B's not; the dossier decided.
    record = AwardRecord.objects.get(person=person_a, award=cstdbo, year=year)
    assert (record.decision_number, record.decided_on, record.signer) == (number, today, "Nguyễn Hải Ninh")
    assert record.nominee_id == nominee_a.pk
    assert not AwardRecord.objects.filter(person=person_b, award=cstdbo).exists()
    initiative_a.refresh_from_db()
    assert initiative_a.consumed_by_id == record.pk
    assert not Initiative.objects.filter(authors=person_b, consumed_by__isnull=False).exists()
    dossier.refresh_from_db()
    decision.refresh_from_db()
    assert dossier.state == DossierState.DECIDED
    assert (decision.state, decision.base_salary) == (DecisionState.ISSUED, BASE_SALARY)
