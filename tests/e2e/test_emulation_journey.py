"""Emulation in the browser, end to end (issue 4): an administrator builds a small scheme with one
line of each kind and opens a campaign on it; a unit's staff self-score with an evidence file and
the leader submits; an officer changes two lines with reasons; the results show the ranking; a
what-if run of a new version of the scheme shows the ranking flip."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from emulation import services
from emulation.enums import CampaignState, ScorecardState
from emulation.models import Campaign, Scheme, Scorecard
from portal.enums import Role
from tests.factories import PASSWORD, ClusterFactory, ClusterMembershipFactory, user_with_role
from tests.factories.office import IssuedPlanFactory, PlanYearFactory, TaskFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

D = Decimal
SCHEME_NAME = "Bảng tiêu chí chấm điểm thi đua đối với Sở Tư pháp (thử nghiệm)"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def log_in(browser, live_server, user):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("#loginButton")
    page.wait_for_url(f"{live_server.url}/")
    return context, page


def shown(text: str) -> Decimal:
    """A number as the Vietnamese pages print it ("44,5", "1.234,5") as a Decimal."""
    return D(text.strip().replace(".", "").replace(",", "."))


def wait_for_number(page, selector: str, expected: str) -> None:
    """Wait until the element shows `expected` (live updates land after the response)."""
    page.wait_for_function(
        """([selector, expected]) => {
            const text = document.querySelector(selector).textContent.trim();
            return Number(text.replaceAll(".", "").replace(",", ".")) === Number(expected);
        }""",
        arg=[selector, expected],
    )


def vietnamese(message: str) -> str:
    with translation.override("vi"):
        return gettext(message)


# --- The scheme editor ------------------------------------------------------------------------------


def save_line(page, *, kind, code, title, max_points="", step="", measure="", metric="", formula="", inputs="",
              tiers=(), gate="", another=False):
    """Fill the line form as a user would (the kind first: it shows the fields it uses) and save.

    `tiers` are (from, to, points) rows; rows beyond the form's empty ones are added with its button."""
    page.select_option("#id_kind", kind)
    page.fill("#id_code", code)
    page.fill("#id_title", title)
    for selector, value in (("#id_max_points", max_points), ("#id_step", step), ("#id_measure", measure),
                            ("#id_formula", formula), ("#id_inputs", inputs)):
        if value:
            page.fill(selector, value)
    if metric:
        page.select_option("#id_metric", metric)
    for index, (lower, upper, points) in enumerate(tiers):
        if page.locator("#tierTable tbody tr.tier-row").count() <= index:
            page.click("#addTier")
        for name, value in (("lower", lower), ("upper", upper), ("points", points)):
            if value:
                page.fill(f"#id_tiers-{index}-{name}", value)
    if gate:
        page.select_option("#id_gate_kind", gate)
    with page.expect_navigation():
        page.click("#saveAndAdd" if another else "#saveNode")
    assert page.locator("#nodeForm .is-invalid, #formErrors").count() == 0, page.inner_text("main")


def build_scheme_in_the_ui(page) -> Scheme:
    page.goto(reverse("emulation:scheme_create"))
    page.fill("#id_name", SCHEME_NAME)
    page.fill("#id_legal_basis", "Quyết định số 536/QĐ-BTP ngày 15/3/2024")
    page.click("#createScheme")
    page.wait_for_selector("#addTopLine")
    scheme = Scheme.objects.get(name=SCHEME_NAME)

    def section(key):
        return scheme.nodes.get(key=key)

    # A. A section with one line of each kind entered by the unit, and one scored from portal data.
    page.click("#addTopLine")
    save_line(page, kind="group", code="A", title="Thực hiện nhiệm vụ chuyên môn", max_points="50")
    page.click(f"#node-{section('A').pk} a[href$='?parent={section('A').pk}']")
    save_line(page, kind="manual", code="1", title="Kết quả xây dựng, kiểm tra văn bản", max_points="10", step="0,25",
              gate="evidence", another=True)
    save_line(page, kind="yes_no", code="2", title="Ban hành kế hoạch phổ biến pháp luật đúng hạn", max_points="5",
              another=True)
    save_line(page, kind="tiered", code="3", title="Tỷ lệ hồ sơ lý lịch tư pháp giải quyết đúng hạn", max_points="10",
              measure="%", tiers=[("90", "", "10"), ("50", "90", "5")], another=True)
    save_line(page, kind="lateness", code="4", title="Gửi báo cáo tổng kết năm", max_points="5",
              tiers=[("", "1", "5"), ("1", "6", "2"), ("6", "", "0")], another=True)
    save_line(page, kind="formula", code="5", title="Tỷ lệ vụ việc trợ giúp pháp lý hoàn thành", max_points="10",
              formula="b / a * 10", inputs="a, b", another=True)
    save_line(page, kind="auto", code="6", title="Nhiệm vụ trong kế hoạch công tác hoàn thành đúng hạn",
              max_points="10", metric="office.on_time_rate", tiers=[("80", "", "10")])
    # B. Bonus points, capped; C. deduction points, capped.
    page.click("#addTopLine")
    save_line(page, kind="bonus", code="B", title="Điểm thưởng", max_points="5")
    page.click(f"#node-{section('B').pk} a[href$='?parent={section('B').pk}']")
    save_line(page, kind="manual", code="1", title="Sáng kiến được công nhận", max_points="5")
    page.click("#addTopLine")
    save_line(page, kind="deduction", code="C", title="Điểm trừ", max_points="5")
    page.click(f"#node-{section('C').pk} a[href$='?parent={section('C').pk}']")
    save_line(page, kind="manual", code="1", title="Chậm gửi báo cáo định kỳ", max_points="5")

    # Grades on the rules page (the empty grade-cap and tie-breaker rows are left as shown).
    page.click("#editRules")
    page.fill("#id_grades-0-key", "excellent")
    page.fill("#id_grades-0-label", "Hoàn thành xuất sắc nhiệm vụ")
    page.fill("#id_grades-0-min_total", "40")
    page.click("button.add-row[data-prefix=grades]")
    page.fill("#id_grades-1-key", "good")
    page.fill("#id_grades-1-label", "Hoàn thành tốt nhiệm vụ")
    page.fill("#id_grades-1-min_total", "30")
    with page.expect_navigation():
        page.click("#saveRules")
    assert page.locator("#gradeTable tbody tr").count() == 2, page.inner_text("main")

    # The table as built, and a validation panel without a single problem.
    assert [row.get_attribute("data-key") for row in page.locator("#schemeTree tbody tr").all()] == [
        "A", "A.1", "A.2", "A.3", "A.4", "A.5", "A.6", "B", "B.1", "C", "C.1"
    ]
    with page.expect_response(lambda response: response.url.endswith(f"/schemes/{scheme.pk}/validate/")):
        page.click("#recheck")
    page.wait_for_selector("#schemeProblems [data-testid=no-problems]")
    assert page.get_attribute("#schemeProblems", "data-errors") == "0"
    assert page.get_attribute("#schemeProblems", "data-warnings") == "0"
    kinds = dict(scheme.nodes.values_list("key", "kind"))
    assert kinds == {"A": "group", "A.1": "manual", "A.2": "yes_no", "A.3": "tiered", "A.4": "lateness",
                     "A.5": "formula", "A.6": "auto", "B": "bonus", "B.1": "manual", "C": "deduction", "C.1": "manual"}
    a1, a4 = section("A.1"), section("A.4")
    assert (a1.step, a1.gate) == (D("0.25"), "evidence")
    assert [tier["points"] for tier in a4.tiers] == ["5", "2", "0"]
    return scheme


# --- The journey ------------------------------------------------------------------------------------


def test_emulation_journey(browser, live_server, users, org):
    year = timezone.localdate().year
    cluster = ClusterFactory(name="Cụm thi đua các Sở Tư pháp khu vực đồng bằng sông Hồng")
    for unit in (org.home, org.other):
        ClusterMembershipFactory(cluster=cluster, unit=unit, year=year)
    # Work-plan figures for the automatic line: home completed its task on time, other late.
    PlanYearFactory(year=year)
    for unit, completed in ((org.home, date(year, 1, 2)), (org.other, date(year, 1, 9))):
        TaskFactory(plan=IssuedPlanFactory(unit=unit, year=year), due_date=date(year, 1, 2), completed_on=completed)
    other_leader = user_with_role(Role.UNIT_LEADER, org.other, name="Đinh Văn Trưởng")

    # 1. The administrator builds the scheme and 2. opens a campaign on it.
    admin_context, admin = log_in(browser, live_server, users.admin)
    scheme = build_scheme_in_the_ui(admin)

    admin.goto(reverse("emulation:campaign_create"))
    admin.fill("#id_name", f"Phong trào thi đua năm {year} của các Sở Tư pháp")
    admin.fill("#id_starts_on", f"01/01/{year}")
    admin.fill("#id_ends_on", f"31/12/{year}")
    admin.select_option("#id_scheme", str(scheme.pk))
    admin.check(f"#campaignForm input[name=clusters][value='{cluster.pk}']")
    admin.click("#saveCampaign")
    admin.wait_for_selector("#transition-open")
    campaign = Campaign.objects.get(scheme=scheme)
    assert campaign.state == CampaignState.DRAFT and Scheme.objects.get(pk=scheme.pk).frozen_at is None
    admin.click("#transition-open")  # a confirmation page first, listing the units
    admin.wait_for_selector("#transitionWarning")
    assert admin.locator("#transitionWarning + ul li").all_inner_texts() == [org.home.name, org.other.name]
    admin.click("#confirmTransition")
    admin.wait_for_selector("#transition-start_appraisal")
    campaign.refresh_from_db()
    scheme.refresh_from_db()
    assert campaign.state == CampaignState.OPEN
    assert scheme.frozen_at is not None
    cards = {card.unit_id: card for card in Scorecard.objects.filter(campaign=campaign)}
    assert set(cards) == {org.home.pk, org.other.pk}
    assert all(card.lines.count() == 8 for card in cards.values())
    home_card, other_card = cards[org.home.pk], cards[org.other.pk]
    home = {line.node.key: line for line in home_card.lines.select_related("node")}
    other = {line.node.key: line for line in other_card.lines.select_related("node")}

    # 3. The other unit scores itself through the services: 0 (no evidence) + 5 + 5 + 2 + 8 + 0, +2.
    entries = {
        "A.1": {"points": D("8")}, "A.2": {"flag": True}, "A.3": {"value": D("60")}, "A.4": {"value": D("3")},
        "A.5": {"inputs": {"a": "10", "b": "8"}}, "B.1": {"points": D("2")}, "C.1": {"points": D("0")},
    }
    services.scorecard_save_self(
        actor=users.outsider, scorecard_id=other_card.pk,
        entries={other[key].pk: services.LineInput(version=other[key].version, **entry)
                 for key, entry in entries.items()},
    )
    other_card.refresh_from_db()
    assert other_card.self_total == D("22")
    services.scorecard_submit(actor=other_leader, scorecard_id=other_card.pk, version=other_card.version)

    # Home's staff open their scorecard from the campaign and fill every line; the totals follow live.
    staff_context, page = log_in(browser, live_server, users.staff)
    page.goto(reverse("emulation:campaign_detail", args=[campaign.pk]))
    page.click("#ownScorecards a")
    page.wait_for_selector("#scorecardTable")
    assert shown(page.inner_text("#scorecard-total")) == D("10")  # the automatic line: 100 % on time

    def enter(key, value, total, field="points", *, outcome="saved"):
        """Type (or choose) a value and leave the field, as a user does: the row saves itself
        (htmx) and the totals are swapped in. `outcome`: "saved" (the line's version moves on),
        "refused" (an error shows under the line) or "unchanged" (nothing new to save)."""
        line = home[key].pk
        selector = f"#id_l{line}-{field}"
        version = page.input_value(f"#version-{line}")
        with page.expect_response(lambda response: response.url.endswith(f"/scorecards/{home_card.pk}/save/")):
            if field == "flag":
                page.select_option(selector, value)
            else:
                page.fill(selector, value)
                page.press(selector, "Tab")
        if outcome == "saved":
            page.wait_for_function("([id, old]) => document.getElementById(id).value !== old",
                                   arg=[f"version-{line}", version])
        elif outcome == "refused":
            page.wait_for_selector(f"#feedback-{line} [data-line-error]")
        else:
            page.wait_for_selector(f"#feedback-{line} [data-line-error]", state="detached")
        wait_for_number(page, "#scorecard-total", total)
        assert shown(page.inner_text("#scorecard-total-foot")) == D(total)

    enter("A.1", "8,5", "10")  # saved, but withheld by the evidence gate for now
    assert page.locator(f"#line-{home['A.1'].pk} [data-evidence-badge=missing]").is_visible()
    assert vietnamese("No evidence attached: the line scores 0.") in page.inner_text(f"#outcome-{home['A.1'].node_id}")
    enter("A.2", "no", "10", field="flag")
    enter("A.3", "95", "20", field="value")
    enter("A.4", "0", "25", field="value")
    enter("A.5", "10", "25", field="in_a")
    enter("A.5", "9", "34", field="in_b")
    enter("B.1", "3", "37")
    enter("C.1", "1", "36")
    enter("A.3", "Đã giải quyết 95/100 hồ sơ đúng hạn", "36", field="note")
    # A wrong entry is refused on its line and changes nothing; correcting it clears the message.
    enter("B.1", "7", "36", outcome="refused")
    assert vietnamese("At most %(max)s points on this line.") % {"max": "5"} in page.inner_text(
        f"#feedback-{home['B.1'].pk}"
    )
    enter("B.1", "3", "36", outcome="unchanged")
    saved = {line.node.key: line for line in home_card.lines.select_related("node")}
    assert (saved["A.1"].self_points, saved["A.2"].self_flag, saved["A.4"].self_value) == (D("8.5"), False, D("0"))
    assert saved["A.5"].self_inputs == {"a": "10", "b": "9"}
    assert saved["A.3"].self_note == "Đã giải quyết 95/100 hồ sơ đúng hạn"

    # The evidence file for the gated line: its points count from now on.
    page.click(f"#line-{home['A.1'].pk} a[href$='/lines/{home['A.1'].pk}/evidence/']")
    page.set_input_files("#id_file", files=[{"name": "bao-cao-kiem-tra-van-ban.pdf", "mimeType": "application/pdf",
                                             "buffer": PDF}])
    page.fill("#id_description", "Báo cáo kết quả kiểm tra văn bản năm")
    with page.expect_navigation():
        page.click("#evidenceForm button[name=next][value=scorecard]")
    page.wait_for_selector("#scorecardTable")
    assert shown(page.inner_text("#scorecard-total")) == D("44.5")
    assert page.locator(f"#line-{home['A.1'].pk} [data-evidence-badge=ok]").is_visible()
    with page.expect_navigation():
        page.click("#saveScorecard")
    assert page.locator(".alert-success").count() >= 1
    assert shown(page.inner_text("#scorecard-total")) == D("44.5")
    home_card.refresh_from_db()
    assert home_card.state == ScorecardState.DRAFT
    staff_context.close()

    # The leader submits (after a confirmation page).
    leader_context, page = log_in(browser, live_server, users.leader)
    page.goto(reverse("emulation:scorecard_detail", args=[home_card.pk]))
    page.click("#submitScorecard")
    assert shown(page.inner_text("#submitTotal")) == D("44.5")
    assert page.locator("#submitMissing, #submitEmpty").count() == 0
    page.click("#confirmSubmit")
    page.wait_for_selector("#scorecardTable")
    assert page.locator("#submitScorecard").count() == 0
    leader_context.close()
    home_card.refresh_from_db()
    assert (home_card.state, home_card.submitted_by_id, home_card.self_total) == (
        ScorecardState.SUBMITTED, users.leader.pk, D("44.5")
    )

    # 4. Appraisal: the administrator closes self-scoring; the officer changes two of home's lines.
    admin.goto(reverse("emulation:campaign_detail", args=[campaign.pk]))
    admin.click("#transition-start_appraisal")
    admin.wait_for_selector("#transition-to_council")
    officer_context, page = log_in(browser, live_server, users.officer)
    page.goto(reverse("emulation:scorecard_detail", args=[home_card.pk]))
    page.click("#appraiseLink")
    page.wait_for_selector("#appraisalTable")
    assert shown(page.inner_text("#appraisedTotal")) == D("44.5")

    tiered, formula = home["A.3"].pk, home["A.5"].pk
    page.fill(f"#id_l{tiered}-value", "85")
    page.click(f"#line-{tiered} button[value=change]")  # no reason: refused
    page.wait_for_selector(f"#line-{tiered} textarea.is-invalid")
    assert page.inner_text(f"#line-{tiered} .invalid-feedback") == vietnamese(
        "Give the reason for changing the unit's score."
    )
    assert page.input_value(f"#id_l{tiered}-value") == "85"
    assert shown(page.inner_text("#appraisedTotal")) == D("44.5")
    page.fill(f"#id_l{tiered}-reason", "Danh sách kèm theo chỉ có 85/100 hồ sơ đúng hạn")
    page.click(f"#line-{tiered} button[value=change]")
    page.wait_for_selector(f"#line-{tiered}.table-warning")
    wait_for_number(page, "#appraisedTotal", "39.5")
    page.fill(f"#id_l{formula}-input_b", "7")
    page.fill(f"#id_l{formula}-reason", "Hai vụ việc chưa có quyết định kết thúc")
    page.click(f"#line-{formula} button[value=change]")
    page.wait_for_selector(f"#line-{formula}.table-warning")
    wait_for_number(page, "#appraisedTotal", "37.5")
    home["A.3"].refresh_from_db()
    assert (home["A.3"].appraised, home["A.3"].appr_value) == (True, D("85"))
    assert home["A.3"].appraisal_reason == "Danh sách kèm theo chỉ có 85/100 hồ sơ đúng hạn"

    page.click("#sendAppraisal")
    page.wait_for_selector("#finaliseLink")
    page.click("#finaliseLink")
    assert shown(page.inner_text("#finalTotal")) == D("37.5")
    page.click("#confirmFinalise")
    page.wait_for_url(f"**{reverse('emulation:result_detail', args=[home_card.pk])}")
    officer_context.close()
    home_card.refresh_from_db()
    assert (home_card.state, home_card.appraised_total, home_card.grade) == (ScorecardState.FINAL, D("37.5"), "good")

    # The other unit's appraisal accepts its entries; then the council, and publication.
    other_card.refresh_from_db()
    other_card = services.scorecard_send_appraisal(actor=users.officer, scorecard_id=other_card.pk,
                                                   version=other_card.version)
    services.scorecard_finalise(actor=users.officer, scorecard_id=other_card.pk, version=other_card.version)
    admin.goto(reverse("emulation:campaign_detail", args=[campaign.pk]))
    admin.click("#transition-to_council")
    admin.wait_for_selector("#transition-publish")
    admin.click("#transition-publish")
    with admin.expect_navigation():
        admin.click("#confirmTransition")
    assert admin.locator("#campaignActions [id^=transition-]").count() == 0
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.PUBLISHED

    # 5. The results: home first on its appraised total, below what it gave itself.
    admin.goto(reverse("emulation:campaign_results", args=[campaign.pk]))
    rows = admin.locator("table[data-testid=ranking] tbody tr")
    assert [row.get_attribute("data-unit") for row in rows.all()] == [org.home.code, org.other.code]
    cells = [[cell.strip() for cell in row.locator("td").all_inner_texts()] for row in rows.all()]
    (home_rank, _name, home_total, home_grade, home_self, home_difference, *_rest) = cells[0]
    (other_rank, _name, other_total, _grade, other_self, other_difference, *_rest) = cells[1]
    assert (home_rank, other_rank) == ("1", "2")
    assert (shown(home_total), shown(home_self), shown(home_difference)) == (D("37.5"), D("44.5"), D("-7"))
    assert shown(home_total) != shown(home_self)
    assert home_grade == "Hoàn thành tốt nhiệm vụ"
    assert (shown(other_total), shown(other_self), shown(other_difference)) == (D("22"), D("22"), D("0"))

    # 6. What-if: a new version of the scheme where "yes" on line A.2 is worth 40 instead of 5;
    # only the other unit said yes, so it would now rank first.
    admin.goto(reverse("emulation:scheme_detail", args=[scheme.pk]))
    assert admin.locator("#frozenNotice").is_visible()
    admin.click("#newVersion")
    admin.wait_for_selector("#addTopLine")
    draft = Scheme.objects.get(name=SCHEME_NAME, version=2)
    assert draft.frozen_at is None and draft.year == year
    admin.click(f"#schemeTree tr[data-key='A.2'] a[href$='/lines/{draft.nodes.get(key='A.2').pk}/edit/']")
    admin.fill("#id_max_points", "40")
    with admin.expect_navigation():
        admin.click("#saveNode")
    assert draft.nodes.get(key="A.2").max_points == D("40")
    assert admin.get_attribute("#schemeProblems", "data-errors") == "0"

    admin.goto(reverse("emulation:scheme_whatif"))
    admin.select_option("#whatifScheme", str(draft.pk))
    admin.select_option("#whatifCampaign", str(campaign.pk))
    admin.click("#runWhatif")
    admin.wait_for_selector("#whatifSummary")
    rows = admin.locator("table[data-testid=whatif] tbody tr")
    assert [row.get_attribute("data-unit") for row in rows.all()] == [org.other.code, org.home.code]
    up = admin.locator(f"table[data-testid=whatif] tr[data-unit='{org.other.code}']")
    down = admin.locator(f"table[data-testid=whatif] tr[data-unit='{org.home.code}']")
    assert (up.get_attribute("data-direction"), down.get_attribute("data-direction")) == ("up", "down")
    assert "▲" in up.locator("[data-testid=change]").inner_text()
    assert "▼" in down.locator("[data-testid=change]").inner_text()
    # old rank → new rank, and the totals: other 22 → 52 (its section capped at 50), home unchanged
    up_cells = [cell.strip() for cell in up.locator("td").all_inner_texts()]
    down_cells = [cell.strip() for cell in down.locator("td").all_inner_texts()]
    assert (up_cells[3], up_cells[6]) == ("2", "1")
    assert (down_cells[3], down_cells[6]) == ("1", "2")
    assert (shown(up_cells[1]), shown(up_cells[4])) == (D("22"), D("52"))
    assert (shown(down_cells[1]), shown(down_cells[4])) == (D("37.5"), D("37.5"))
    admin_context.close()
