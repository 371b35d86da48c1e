"""Council, decision and public comment pages: the URL × role matrix, the tally form (live result,
refusals keeping what was typed), closing, decisions with their VND amounts, constant query counts."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from commendations import council
from commendations.enums import (
    Attendance,
    DecisionState,
    DossierState,
    MeetingState,
    NomineeState,
    QuotaPopulation,
)
from commendations.models import Ballot, CouncilMeeting, Decision, Dossier, PublicComment, Quota
from tests.commendations.test_council import before_council, make_meeting, tally
from tests.factories import PersonFactory
from tests.factories.commendations import DossierFactory, NomineeFactory, award

ROLES = ["anonymous", "no_role", "staff", "leader", "officer", "council", "admin", "outsider"]
Y = 2025

COVERED_URLS = {
    f"commendations:{name}"
    for name in (
        "meeting_list", "meeting_create", "meeting_detail", "meeting_edit", "ballot_record", "meeting_close",
        "meeting_minutes", "dossier_comments", "dossier_comments_open", "dossier_comments_close",
        "decision_list", "decision_create", "decision_detail", "decision_edit", "decision_issue", "decision_delete",
        "public_comments", "public_comment_create",
    )
}


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


def login(client, users, role, *, english=False):
    if role != "anonymous":
        client.force_login(getattr(users, role))
    if english:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _all(value, **changes):
    return {**dict.fromkeys(ROLES, value), "anonymous": 302, **changes}


RUNS = {"officer": 200, "admin": 200}
SEES = {"officer": 200, "council": 200, "admin": 200}


def in_period(dossier):
    today = timezone.localdate()
    dossier.state = DossierState.PUBLIC_COMMENT
    dossier.comments_from, dossier.comments_until = today, council.add_working_days(today, 4)
    dossier.save()


@pytest.fixture
def objects(org, users):
    meeting = make_meeting(users.officer, org.ministry, present=3)
    meeting.members.create(user=users.council, attendance=Attendance.PRESENT)
    _dossier, (nominee,) = before_council(meeting, org.home, ("Lê Văn Họp", "CSTDCS"))
    voted = DossierFactory(unit=org.home, state=DossierState.VOTED)
    state_level = NomineeFactory(dossier=voted, award=award("CSTDTQ"), state=NomineeState.PASSED)
    commenting = DossierFactory(unit=org.home, state=DossierState.VOTED)
    public = NomineeFactory(dossier=commenting, award=award("CSTDTQ"), state=NomineeState.PASSED)
    in_period(commenting)
    to_close = DossierFactory(unit=org.home, state=DossierState.PUBLIC_COMMENT,
                              comments_from=date(2025, 6, 2), comments_until=date(2025, 6, 6))
    awardee = NomineeFactory(dossier=DossierFactory(unit=org.home, state=DossierState.VOTED), award=award("LDTT"),
                             state=NomineeState.PASSED)
    decision = council.decision_create(
        actor=users.officer, data={"number": "1/QĐ-BTP", "signed_on": date(Y, 12, 20), "signer": "Bộ trưởng"},
        nominee_ids=[awardee.pk],
    )
    spare = NomineeFactory(dossier=DossierFactory(unit=org.home, state=DossierState.VOTED), award=award("LDTT"),
                           state=NomineeState.PASSED)
    return {
        "meeting": meeting, "nominee": nominee, "voted": voted, "state_level": state_level, "to_close": to_close,
        "public": public, "decision": decision, "spare": spare,
    }


GET_MATRIX = {
    ("meeting_list", None): _all(403, **SEES),
    ("meeting_create", None): _all(403, **RUNS),
    ("meeting_detail", "meeting"): _all(403, **SEES),
    ("meeting_edit", "meeting"): _all(403, **RUNS),
    ("meeting_close", "meeting"): _all(403, **RUNS),
    ("meeting_minutes", "meeting"): _all(403, **SEES),
    # the proposing unit's people see the dossier (403), other units' do not (404)
    ("dossier_comments", "voted"): _all(404, staff=403, leader=403, **SEES),
    ("decision_list", None): _all(403, **SEES),
    ("decision_create", None): _all(403, **RUNS),
    ("decision_detail", "decision"): _all(403, **SEES),
    ("decision_edit", "decision"): _all(403, **RUNS),
    ("decision_issue", "decision"): _all(403, **RUNS),
    ("decision_delete", "decision"): _all(403, **RUNS),
    ("public_comments", None): _all(200, anonymous=200),
    ("public_comment_create", "public"): _all(200, anonymous=200),
}


def get_cases():
    for (name, kind), expected in GET_MATRIX.items():
        for role in ROLES:
            yield pytest.param(name, kind, role, expected[role], id=f"{name}-{role}")


@pytest.mark.django_db
@pytest.mark.parametrize(("url_name", "kind", "role", "expected"), list(get_cases()))
def test_council_get_matrix(client, users, objects, url_name, kind, role, expected):
    login(client, users, role)
    url = reverse(f"commendations:{url_name}", args=[objects[kind].pk] if kind else [])
    response = client.get(url)
    assert response.status_code == expected
    if expected == 302:
        assert response.url.startswith(reverse("login"))


def post_action(case, objects, users):
    """(url, data, done) for one POST: ``done`` tells from the database that the action happened."""
    meeting, nominee, decision = objects["meeting"], objects["nominee"], objects["decision"]
    if case == "ballot_record":
        prefix = f"n{nominee.pk}-"
        data = {f"{prefix}{name}": value for name, value in
                {"fingerprint": "", "in_favour": 3, "against": 1, "abstain": 0, "written_in_favour": 0,
                 "written_against": 0, "written_abstain": 0}.items()}
        return (reverse("commendations:ballot_record", args=[meeting.pk, nominee.pk]), data,
                lambda: Ballot.objects.filter(nominee=nominee).exists())
    if case == "meeting_close":
        tally(users.officer, meeting, nominee, 4)
        meeting.refresh_from_db()
        return (reverse("commendations:meeting_close", args=[meeting.pk]), {"version": meeting.version},
                lambda: CouncilMeeting.objects.get(pk=meeting.pk).state == MeetingState.CLOSED)
    if case == "meeting_create":
        data = {"title": "Phiên họp bổ sung", "held_on": "20/12/2025", f"member_{users.council.pk}": "present"}
        return (reverse("commendations:meeting_create"), data,
                lambda: CouncilMeeting.objects.filter(title="Phiên họp bổ sung").exists())
    if case == "meeting_edit":
        data = {"version": meeting.version, "title": "Phiên họp đổi tên", "held_on": "10/12/2025",
                **{f"member_{m.user_id}": m.attendance for m in meeting.members.all()}}
        return (reverse("commendations:meeting_edit", args=[meeting.pk]), data,
                lambda: CouncilMeeting.objects.get(pk=meeting.pk).title == "Phiên họp đổi tên")
    if case == "dossier_comments_open":
        voted = objects["voted"]
        return (reverse("commendations:dossier_comments_open", args=[voted.pk]), {"version": voted.version},
                lambda: Dossier.objects.get(pk=voted.pk).state == DossierState.PUBLIC_COMMENT)
    if case == "dossier_comments_close":
        to_close = objects["to_close"]
        return (reverse("commendations:dossier_comments_close", args=[to_close.pk]), {"version": to_close.version},
                lambda: Dossier.objects.get(pk=to_close.pk).state == DossierState.VOTED)
    if case == "decision_create":
        data = {"number": "2/QĐ-BTP", "signed_on": "20/12/2025", "signer": "Bộ trưởng", "nominees": [objects["spare"].pk]}
        return (reverse("commendations:decision_create"), data, lambda: Decision.objects.filter(number="2/QĐ-BTP").exists())
    if case == "decision_edit":
        data = {"version": decision.version, "number": "1/QĐ-BTP", "signed_on": "20/12/2025", "signer": "Thứ trưởng",
                "nominees": [line.nominee_id for line in decision.lines.all()]}
        return (reverse("commendations:decision_edit", args=[decision.pk]), data,
                lambda: Decision.objects.get(pk=decision.pk).signer == "Thứ trưởng")
    if case == "decision_issue":
        return (reverse("commendations:decision_issue", args=[decision.pk]), {"version": decision.version},
                lambda: Decision.objects.get(pk=decision.pk).state == DecisionState.ISSUED)
    if case == "decision_delete":
        return (reverse("commendations:decision_delete", args=[decision.pk]), {"version": decision.version},
                lambda: not Decision.objects.filter(pk=decision.pk).exists())
    public = objects["public"]
    data = {"name": "Người dân", "contact": "0912345678", "body": "Tôi đồng ý với đề nghị khen thưởng này."}
    return (reverse("commendations:public_comment_create", args=[public.pk]), data,
            lambda: PublicComment.objects.filter(nominee=public).exists())


RUN = {"officer": 302, "admin": 302}
POST_MATRIX = {
    "ballot_record": _all(403, **RUN),
    "meeting_close": _all(403, **RUN),
    "meeting_create": _all(403, **RUN),
    "meeting_edit": _all(403, **RUN),
    "dossier_comments_open": _all(404, staff=403, leader=403, council=403, **RUN),
    "dossier_comments_close": _all(404, staff=403, leader=403, council=403, **RUN),
    "decision_create": _all(403, **RUN),
    "decision_edit": _all(403, **RUN),
    "decision_issue": _all(403, **RUN),
    "decision_delete": _all(403, **RUN),
    "public_comment_create": _all(302),  # anyone, without a login
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", list(POST_MATRIX))
def test_council_post_matrix(client, users, objects, role, case):
    url, data, done = post_action(case, objects, users)
    login(client, users, role)
    response = client.post(url, data)
    expected = POST_MATRIX[case][role]
    assert response.status_code == expected
    acted = expected == 302 and (role != "anonymous" or case == "public_comment_create")
    assert done() is acted
    if role == "anonymous" and case != "public_comment_create":
        assert response.url.startswith(reverse("login"))


# --- The meeting page and the tally form ----------------------------------------------------------------


@pytest.mark.django_db
def test_tally_form_shows_the_arithmetic_against_the_pass_mark_of_all_members(client, org, users):
    meeting = make_meeting(users.officer, org.ministry, present=8, written=1)
    _dossier, (nominee,) = before_council(meeting, org.home, ("Lê Văn Tám", "CSTDBO"))
    login(client, users, "officer", english=True)
    prefix = f"n{nominee.pk}-"
    data = {f"{prefix}fingerprint": "", f"{prefix}in_favour": "7", f"{prefix}against": "1", f"{prefix}abstain": "0",
            f"{prefix}written_in_favour": "1", f"{prefix}written_against": "0", f"{prefix}written_abstain": "0"}

    response = client.post(reverse("commendations:ballot_record", args=[meeting.pk, nominee.pk]), data)

    assert response.status_code == 302
    assert response.url.endswith(f"#nominee-{nominee.pk}")
    page = client.get(reverse("commendations:meeting_detail", args=[meeting.pk])).content.decode()
    assert "8/9 members = 88.9% &lt; 90%" in page
    assert 'data-ballot-result="failed"' in page
    assert "90% of all 9 members: at least 9 in favour" in page
    assert 'data-total="9" data-mark="90.00"' in page  # what the live result script reads


@pytest.mark.django_db
def test_refused_tally_keeps_the_numbers_and_says_why(client, org, users):
    meeting = make_meeting(users.officer, org.ministry, present=3, written=1)
    _dossier, (nominee,) = before_council(meeting, org.home, ("Bùi Văn Thừa", "CSTDCS"))
    login(client, users, "officer", english=True)
    prefix = f"n{nominee.pk}-"
    data = {f"{prefix}fingerprint": "", f"{prefix}in_favour": "3", f"{prefix}against": "1", f"{prefix}abstain": "0",
            f"{prefix}written_in_favour": "0", f"{prefix}written_against": "0", f"{prefix}written_abstain": "0"}

    response = client.post(reverse("commendations:ballot_record", args=[meeting.pk, nominee.pk]), data)

    assert response.status_code == 400
    content = response.content.decode()
    assert "4 votes in the room, but only 3 members are present." in content
    assert f'name="{prefix}against" value="1"' in content
    assert not Ballot.objects.exists()


@pytest.mark.django_db
def test_tally_recorded_by_someone_else_meanwhile_is_not_overwritten(client, org, users):
    meeting = make_meeting(users.officer, org.ministry, present=3)
    _dossier, (nominee,) = before_council(meeting, org.home, ("Đinh Văn Trước", "CSTDCS"))
    tally(users.admin, meeting, nominee, 3)
    login(client, users, "officer", english=True)
    prefix = f"n{nominee.pk}-"
    data = {f"{prefix}fingerprint": "", f"{prefix}in_favour": "0", f"{prefix}against": "3", f"{prefix}abstain": "0"}

    response = client.post(reverse("commendations:ballot_record", args=[meeting.pk, nominee.pk]), data)

    assert response.status_code == 400
    assert "Someone else changed this record" in response.content.decode()
    assert Ballot.objects.get(nominee=nominee).in_favour == 3


@pytest.mark.django_db
def test_meeting_page_shows_the_quota_and_the_appraisal(client, org, users):
    meeting = make_meeting(users.officer, org.ministry, present=3)
    nominee = {"person": PersonFactory(unit=org.home, full_name="Vũ Văn Hạn"), "award": award("CSTDBO"),
               "eligibility": {"eligible": False, "award": "CSTDBO", "year": Y, "rule_version": "06/2022/QH15",
                               "checks": {"rule": "NotOnHold", "passed": False, "article": "Điều 9", "params": {},
                                          "message_code": "not_cluster_lead", "evidence": [], "children": []},
                               "consumed_initiatives": []}}
    before_council(meeting, org.home, nominee)
    Quota.objects.create(year=Y, unit=org.home, award=award("CSTDBO"), population=QuotaPopulation.STAFF,
                         max_percent=Decimal(15))
    login(client, users, "council", english=True)

    content = client.get(reverse("commendations:meeting_detail", args=[meeting.pk])).content.decode()

    assert "data-quota-table" in content and "data-quota-exceeded" in content
    assert "Does not lead its emulation cluster (Điều 9)" in content
    assert 'class="tally-form"' not in content  # council members see, officers record


@pytest.mark.django_db
def test_close_page_lists_the_nominees_without_a_tally_then_closes(client, org, users):
    meeting = make_meeting(users.officer, org.ministry, present=3)
    _dossier, (done, waiting) = before_council(meeting, org.home, ("Tô Văn Xong", "CSTDCS"), ("Tô Văn Chờ", "CSTDCS"))
    tally(users.officer, meeting, done, 3)
    login(client, users, "officer", english=True)
    url = reverse("commendations:meeting_close", args=[meeting.pk])

    page = client.get(url).content.decode()
    assert 'id="missingTallies"' in page and "Tô Văn Chờ" in page
    refused = client.post(url, {"version": meeting.version})
    assert refused.status_code == 400
    assert CouncilMeeting.objects.get(pk=meeting.pk).state == MeetingState.OPEN

    tally(users.officer, meeting, waiting, 1, against=2)
    closed = client.post(url, {"version": meeting.version})

    assert closed.status_code == 302 and closed.url == reverse("commendations:meeting_minutes", args=[meeting.pk])
    minutes = client.get(closed.url)
    assert minutes.context["final"] is True
    assert "Tô Văn Chờ" in minutes.context["text"] and "1/3" in minutes.context["text"]


def _meeting_with_dossiers(org, users, count: int):
    """A meeting with ``count`` dossiers of the home unit, one accepted nominee each, in page order."""
    meeting = make_meeting(users.officer, org.ministry, present=3)
    made = [before_council(meeting, org.home, (f"Ứng Viên {n:02d}", "CSTDCS"), title=f"Hồ sơ {n:02d}")
            for n in range(count)]
    return meeting, [dossier for dossier, _ in made], [nominee for _, (nominee,) in made]


@pytest.mark.django_db
def test_meeting_page_shows_every_dossier_in_the_overview_and_five_in_full_per_page(client, org, users):
    meeting, dossiers, nominees = _meeting_with_dossiers(org, users, 7)
    tally(users.officer, meeting, nominees[6], 3)
    login(client, users, "officer", english=True)
    url = reverse("commendations:meeting_detail", args=[meeting.pk])

    first = client.get(url)
    second = client.get(url, {"page": 2})

    assert [item["pk"] for item in first.context["overview"]] == [d.pk for d in dossiers]
    assert [d.pk for d in first.context["dossiers"]] == [d.pk for d in dossiers[:5]]
    assert [d.pk for d in second.context["dossiers"]] == [d.pk for d in dossiers[5:]]
    assert [(item["tallied"], item["to_vote"], item["page"]) for item in second.context["overview"]][5:] == [
        (0, 1, 2), (1, 1, 2)]
    # the nominees still without a tally, across every page, each linked to its own page
    assert [n.pk for n in first.context["without_ballot"]] == [n.pk for n in nominees[:6]]
    assert first.context["without_ballot"][5].meeting_url == f"{url}?page=2#nominee-{nominees[5].pk}"
    content = second.content.decode()
    assert f'id="tally-{nominees[5].pk}"' in content and f'id="tally-{nominees[0].pk}"' not in content
    assert f'href="{url}?page=2#dossier-{dossiers[6].pk}"' in first.content.decode()


@pytest.mark.django_db
def test_a_recorded_tally_returns_to_the_page_of_its_dossier_and_a_refused_one_shows_it(client, org, users):
    meeting, dossiers, nominees = _meeting_with_dossiers(org, users, 6)
    login(client, users, "officer", english=True)
    nominee = nominees[5]
    prefix = f"n{nominee.pk}-"
    url = reverse("commendations:ballot_record", args=[meeting.pk, nominee.pk])
    data = {f"{prefix}fingerprint": "", f"{prefix}in_favour": "3", f"{prefix}against": "0", f"{prefix}abstain": "0"}

    refused = client.post(url, {**data, f"{prefix}against": "1"})
    recorded = client.post(url, data)

    assert refused.status_code == 400 and refused.context["page_obj"].number == 2
    assert f'name="{prefix}against" value="1"' in refused.content.decode()
    # shown at the ballot URL (POST only): its links still lead to the meeting page
    page_url = reverse("commendations:meeting_detail", args=[meeting.pk])
    links = re.findall(r'href="([^"]*(?:page=|#dossier-)[^"]*)"', refused.content.decode())
    assert links and all(link.startswith(page_url) for link in links), links
    assert recorded.status_code == 302
    assert recorded.url == reverse("commendations:meeting_detail", args=[meeting.pk]) + f"?page=2#nominee-{nominee.pk}"


@pytest.mark.django_db
def test_the_overview_still_counts_the_tallies_once_the_meeting_is_closed(client, org, users):
    meeting, _dossiers, nominees = _meeting_with_dossiers(org, users, 2)
    for nominee in nominees:
        tally(users.officer, meeting, nominee, 3)
    council.meeting_close(actor=users.officer, meeting_id=meeting.pk, version=CouncilMeeting.objects.get(pk=meeting.pk).version)
    login(client, users, "officer", english=True)
    response = client.get(reverse("commendations:meeting_detail", args=[meeting.pk]))
    assert [(item["tallied"], item["to_vote"]) for item in response.context["overview"]] == [(1, 1), (1, 1)]


@pytest.mark.django_db
def test_close_page_summarises_every_dossier_not_one_page(client, org, users):
    meeting, _dossiers, nominees = _meeting_with_dossiers(org, users, 7)
    login(client, users, "officer", english=True)
    page = client.get(reverse("commendations:meeting_close", args=[meeting.pk])).content.decode()
    assert all(f"Ứng Viên {n:02d}" in page for n in range(7))
    assert f"?page=2#nominee-{nominees[6].pk}" in page


@pytest.mark.django_db
@pytest.mark.parametrize("dossiers", [1, 5])
def test_meeting_page_query_count(client, org, users, dossiers, django_assert_num_queries):
    meeting, _dossiers, nominees = _meeting_with_dossiers(org, users, dossiers)
    for nominee in nominees:
        NomineeFactory(dossier=nominee.dossier, award=award("CSTDCS"), state=NomineeState.ACCEPTED)
    Quota.objects.create(year=Y, unit=org.home, award=award("CSTDCS"), population=QuotaPopulation.STAFF,
                         max_percent=Decimal(15))
    tally(users.officer, meeting, nominees[0], 3)
    login(client, users, "officer")
    with django_assert_num_queries(18):
        response = client.get(reverse("commendations:meeting_detail", args=[meeting.pk]))
    assert len(response.context["dossiers"]) == dossiers


@pytest.mark.django_db
def test_meeting_form_keeps_what_was_typed_when_no_member_is_chosen(client, users):
    login(client, users, "officer", english=True)
    response = client.post(reverse("commendations:meeting_create"), {"title": "Phiên họp thiếu", "held_on": "1/12/2025"})
    assert response.status_code == 400
    assert "Choose the council members of the meeting" in response.content.decode()
    assert 'value="Phiên họp thiếu"' in response.content.decode()
    assert not CouncilMeeting.objects.exists()


# --- Decisions --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_decision_page_shows_the_awardees_with_vietnamese_amounts(client, org, users):
    hero = NomineeFactory(dossier=DossierFactory(unit=org.home, state=DossierState.VOTED),
                          person=PersonFactory(unit=org.home, full_name="Lưu Văn Thưởng"), award=award("CSTDBO"),
                          state=NomineeState.PASSED)
    decision = council.decision_create(
        actor=users.officer, data={"number": "9/QĐ-BTP", "signed_on": date(Y, 12, 20), "signer": "Bộ trưởng"},
        nominee_ids=[hero.pk],
    )
    login(client, users, "council")

    content = client.get(reverse("commendations:decision_detail", args=[decision.pk])).content.decode()

    assert "Lưu Văn Thưởng" in content
    assert "7.020.000" in content and "2.340.000" in content
    assert 'id="issueDecision"' not in content  # council members see, officers issue


@pytest.mark.django_db
def test_issuing_with_an_old_version_says_so_and_changes_nothing(client, org, users):
    nominee = NomineeFactory(dossier=DossierFactory(unit=org.home, state=DossierState.VOTED), award=award("LDTT"),
                             state=NomineeState.PASSED)
    decision = council.decision_create(
        actor=users.officer, data={"number": "10/QĐ-BTP", "signed_on": date(Y, 12, 20), "signer": "Bộ trưởng"},
        nominee_ids=[nominee.pk],
    )
    login(client, users, "officer", english=True)

    response = client.post(reverse("commendations:decision_issue", args=[decision.pk]), {"version": decision.version + 1})

    assert response.status_code == 400
    assert "Someone else changed this record" in response.content.decode()
    assert Decision.objects.get(pk=decision.pk).state == DecisionState.DRAFT


@pytest.mark.django_db
def test_decision_form_offers_only_the_candidates(client, org, users):
    offered = NomineeFactory(dossier=DossierFactory(unit=org.home, state=DossierState.VOTED), award=award("LDTT"),
                             state=NomineeState.PASSED)
    NomineeFactory(dossier=offered.dossier, award=award("CSTDCS"), state=NomineeState.FAILED)
    login(client, users, "officer")

    response = client.get(reverse("commendations:decision_create"))

    assert list(response.context["form"].fields["nominees"].queryset) == [offered]


# --- Query counts --------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 3])
def test_meeting_list_query_count(client, org, users, rows, django_assert_num_queries):
    for number in range(rows):
        meeting = make_meeting(users.officer, org.ministry, present=2, title=f"Phiên họp {number}")
        before_council(meeting, org.home, (f"Người {number}", "LDTT"))
    login(client, users, "council")
    with django_assert_num_queries(8):
        response = client.get(reverse("commendations:meeting_list"))
    assert [m.member_count for m in response.context["page_obj"]] == [2] * rows


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 3])
def test_decision_list_query_count(client, org, users, rows, django_assert_num_queries):
    for number in range(rows):
        nominee = NomineeFactory(dossier=DossierFactory(unit=org.home, state=DossierState.VOTED), award=award("LDTT"),
                                 state=NomineeState.PASSED)
        council.decision_create(
            actor=users.officer, data={"number": f"{number + 1}/QĐ-BTP", "signed_on": date(Y, 12, 20),
                                       "signer": "Bộ trưởng"}, nominee_ids=[nominee.pk])
    login(client, users, "officer")
    with django_assert_num_queries(6):
        response = client.get(reverse("commendations:decision_list"))
    assert [d.total for d in response.context["page_obj"]] == [Decimal(702000)] * rows


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 3])
def test_public_list_query_count(client, org, rows, django_assert_num_queries):
    for _ in range(rows):
        dossier = DossierFactory(unit=org.home, state=DossierState.VOTED)
        NomineeFactory(dossier=dossier, award=award("CSTDTQ"), state=NomineeState.PASSED)
        in_period(dossier)
    with django_assert_num_queries(2):
        response = client.get(reverse("commendations:public_comments"))
    assert len(response.context["page_obj"]) == rows


@pytest.mark.django_db
def test_dates_helper_is_not_a_weekend():
    assert council.next_working_day(date(2025, 6, 6)) - date(2025, 6, 6) == timedelta(days=3)


@pytest.mark.django_db
def test_lists_search_and_filter(client, org, users):
    open_meeting = make_meeting(users.officer, org.ministry, present=1, title="Phiên họp xét Cờ thi đua")
    make_meeting(users.officer, org.ministry, present=1, title="Phiên họp cuối năm")
    nominee = NomineeFactory(dossier=DossierFactory(unit=org.home, state=DossierState.VOTED), award=award("LDTT"),
                             state=NomineeState.PASSED)
    council.decision_create(actor=users.officer, data={"number": "77/QĐ-BTP", "signed_on": date(Y, 12, 20),
                                                       "signer": "Lê Văn Ký"}, nominee_ids=[nominee.pk])
    login(client, users, "officer")

    found = client.get(reverse("commendations:meeting_list"), {"q": "Cờ thi đua", "state": "open"})
    assert list(found.context["page_obj"]) == [open_meeting]
    assert list(client.get(reverse("commendations:meeting_list"), {"state": "closed"}).context["page_obj"]) == []
    decisions = client.get(reverse("commendations:decision_list"), {"q": "Lê Văn"}).context["page_obj"]
    assert [d.number for d in decisions] == ["77/QĐ-BTP"]
    assert list(client.get(reverse("commendations:decision_list"), {"state": "issued"}).context["page_obj"]) == []


@pytest.mark.django_db
def test_admins_keep_the_base_salary_in_the_django_admin_with_an_audit(client, users):
    from commendations.models import BaseSalary
    from portal.models import AuditLog

    users.admin.is_staff = users.admin.is_superuser = True
    users.admin.save()
    client.force_login(users.admin)
    assert client.get(reverse("admin:commendations_basesalary_changelist")).status_code == 200
    assert client.get(reverse("admin:commendations_quota_changelist")).status_code == 200

    response = client.post(reverse("admin:commendations_basesalary_add"),
                           {"amount": "2530000", "effective_from": "2026-07-01", "legal_basis": "Nghị định mới"})

    assert response.status_code == 302
    salary = BaseSalary.objects.get(effective_from=date(2026, 7, 1))
    assert council.base_salary_on(date(2026, 7, 2)) == salary
    assert AuditLog.objects.filter(action="portal.admin.added", object_id=str(salary.pk)).exists()
