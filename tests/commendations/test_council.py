"""The council's services: meetings and attendance, the secret-ballot tally against the pass mark of
ALL members (boundaries, written votes, refused tallies), closing with the minutes."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from commendations import council
from commendations.enums import Attendance, DossierState, MeetingState, NomineeState
from commendations.models import Award, Ballot, CouncilMeeting, MeetingMember, Nominee
from commendations.services import CommendationsError
from portal.enums import Role
from portal.models import AuditLog, Notification
from portal.services import StaleVersionError
from tests.factories import PersonFactory, user_with_role
from tests.factories.commendations import DossierFactory, NomineeFactory, award


@pytest.fixture(autouse=True)
def _messages_in_english():
    """The refusals are compared with their English msgids (the Vietnamese catalogue is checked by
    manage.py check_translations); the documents themselves are Vietnamese whatever the language."""
    with translation.override("en"):
        yield


Y = 2025

# --- Helpers shared by the council, decision and comment tests --------------------------------------


def council_members(count: int, unit, *, prefix: str = "Thành viên") -> list:
    return [user_with_role(Role.COUNCIL_MEMBER, unit, name=f"{prefix} Hội đồng {i + 1}") for i in range(count)]


def make_meeting(officer, unit, *, present: int, written: int = 0, absent: int = 0, title="Phiên họp Hội đồng 2025"):
    """An open meeting seating present + written + absent council members (created through the service)."""
    users = council_members(present + written + absent, unit)
    attendance = [Attendance.PRESENT] * present + [Attendance.WRITTEN] * written + [Attendance.ABSENT] * absent
    return council.meeting_create(
        actor=officer,
        data={"title": title, "held_on": date(Y, 12, 10), "place": "Hà Nội", "chair": "Nguyễn Văn Chủ",
              "secretary": "Trần Thị Ký"},
        members={user.pk: att for user, att in zip(users, attendance, strict=True)},
    )


def before_council(meeting, unit, *nominees, year=Y, title=None):
    """A dossier of ``unit`` sent to ``meeting`` with accepted nominees: (full name, award code) pairs
    or Nominee keyword dicts."""
    dossier = DossierFactory(unit=unit, year=year, state=DossierState.COUNCIL, meeting=meeting,
                             **({"title": title} if title else {}))
    made = []
    for item in nominees:
        if isinstance(item, dict):
            made.append(NomineeFactory(dossier=dossier, state=NomineeState.ACCEPTED, **item))
        else:
            name, code = item
            person = PersonFactory(unit=unit, full_name=name)
            made.append(NomineeFactory(dossier=dossier, person=person, award=award(code), state=NomineeState.ACCEPTED))
    return dossier, made


def tally(officer, meeting, nominee, favour, against=0, abstain=0, written_favour=0, written_against=0,
          written_abstain=0):
    return council.ballot_record(
        actor=officer, meeting_id=meeting.pk, nominee_id=nominee.pk, in_favour=favour, against=against,
        abstain=abstain, written_in_favour=written_favour, written_against=written_against,
        written_abstain=written_abstain,
    )


# --- The pass mark, as arithmetic ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("favour", "total", "mark", "passes"),
    [
        (9, 9, Decimal(90), True),
        (8, 9, Decimal(90), False),  # 88.9 % of ALL members: one short
        (9, 10, Decimal(90), True),  # exactly 90 %
        (8, 10, Decimal(80), True),
        (7, 10, Decimal(80), False),
        (5, 9, council.MAJORITY, True),  # no pass mark: more than half of all members
        (4, 9, council.MAJORITY, False),
        (5, 10, council.MAJORITY, False),  # half is not a majority
        (6, 10, council.MAJORITY, True),
        (0, 0, Decimal(90), False),
    ],
)
def test_vote_passes_against_the_share_of_all_members(favour, total, mark, passes):
    assert council.vote_passes(favour, total, mark) is passes


def test_arithmetic_says_the_sum_that_decides():
    with translation.override("en"):
        assert council.ballot_arithmetic(8, 9, Decimal(90)) == "8/9 members = 88.9% < 90%"
        assert council.ballot_arithmetic(9, 9, Decimal("90.00")) == "9/9 members = 100% ≥ 90%"
        assert council.ballot_arithmetic(5, 9, council.MAJORITY) == (
            "5/9 members = 55.6% > 50% (a majority of all members)")
    with translation.override("vi"):
        # Vietnamese decimal comma in the share
        assert "88,9" in council.ballot_arithmetic(8, 9, Decimal(90))


def test_arithmetic_never_rounds_a_failing_share_up_to_the_mark():
    # 1799/2000 = 89.95 % rounds half-up to 90.0 %; shown rounded down since it fails
    with translation.override("en"):
        assert council.ballot_arithmetic(1799, 2000, Decimal(90)) == "1799/2000 members = 89.9% < 90%"


def test_votes_needed():
    assert council.votes_needed(9, Decimal(90)) == 9
    assert council.votes_needed(10, Decimal(80)) == 8
    assert council.votes_needed(9, council.MAJORITY) == 5
    assert council.votes_needed(10, council.MAJORITY) == 6


# --- Meetings -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_meeting_create_seats_council_members_and_tells_them(org, users):
    meeting = make_meeting(users.officer, org.ministry, present=2, written=1, absent=1)

    seats = sorted(MeetingMember.objects.filter(meeting=meeting).values_list("attendance", flat=True))
    assert seats == sorted([Attendance.PRESENT, Attendance.PRESENT, Attendance.WRITTEN, Attendance.ABSENT])
    assert meeting.state == MeetingState.OPEN
    assert Notification.objects.filter(kind="commendations.meeting.invited").count() == 4
    assert AuditLog.objects.get(action="commendations.meeting.created").data == {"members": 4}


@pytest.mark.django_db
def test_meeting_refuses_a_member_without_the_council_role(org, users):
    with pytest.raises(CommendationsError, match="council member"):
        council.meeting_create(
            actor=users.officer, data={"title": "Phiên họp", "held_on": date(Y, 12, 1)},
            members={users.council.pk: Attendance.PRESENT, users.staff.pk: Attendance.PRESENT},
        )
    with pytest.raises(CommendationsError):
        council.meeting_create(actor=users.officer, data={"title": "Phiên họp", "held_on": date(Y, 12, 1)}, members={})
    assert not CouncilMeeting.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["staff", "leader", "council", "no_role"])
def test_only_officers_and_admins_run_meetings(org, users, role):
    with pytest.raises(PermissionDenied):
        council.meeting_create(actor=getattr(users, role), data={"title": "Phiên họp", "held_on": date(Y, 12, 1)},
                               members={users.council.pk: Attendance.PRESENT})


@pytest.mark.django_db
def test_meeting_update_refuses_a_stale_version(org, users):
    meeting = make_meeting(users.officer, org.ministry, present=1)
    members = {m.user_id: m.attendance for m in meeting.members.all()}
    council.meeting_update(actor=users.officer, meeting_id=meeting.pk, version=meeting.version,
                           data={"title": "Phiên họp mới", "held_on": meeting.held_on}, members=members)

    with pytest.raises(StaleVersionError):
        council.meeting_update(actor=users.officer, meeting_id=meeting.pk, version=meeting.version,
                               data={"title": "Phiên họp cũ", "held_on": meeting.held_on}, members=members)
    assert CouncilMeeting.objects.get(pk=meeting.pk).title == "Phiên họp mới"


# --- Ballots -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_nine_members_at_ninety_percent_need_nine_votes(org, users):
    meeting = make_meeting(users.officer, org.ministry, present=9)
    _dossier, (eight, nine) = before_council(meeting, org.home, ("Lê Văn Tám", "CSTDBO"), ("Phạm Văn Chín", "CSTDBO"))

    failed = tally(users.officer, meeting, eight, 8, against=1)
    passed = tally(users.officer, meeting, nine, 9)

    assert (failed.passed, failed.members_total, failed.pass_mark_percent) == (False, 9, Decimal("90.00"))
    assert passed.passed is True


@pytest.mark.django_db
def test_pass_mark_counts_absent_members_too(org, users):
    """10 members, 8 present: 8 in favour is 80 % of all (passes CSTĐCS at 80 %), 7 is not — although
    7 of the 8 present would be 87.5 %."""
    meeting = make_meeting(users.officer, org.ministry, present=8, absent=2)
    _dossier, (first, second) = before_council(meeting, org.home, ("Võ Thị Một", "CSTDCS"), ("Võ Thị Hai", "CSTDCS"))

    assert tally(users.officer, meeting, first, 8).passed is True
    seven = tally(users.officer, meeting, second, 7, against=1)
    assert (seven.passed, seven.members_total) == (False, 10)


@pytest.mark.django_db
def test_written_votes_of_absent_members_count(org, users):
    meeting = make_meeting(users.officer, org.ministry, present=8, written=1)
    _dossier, (nominee,) = before_council(meeting, org.home, ("Đỗ Văn Viết", "CSTDBO"))

    without = tally(users.officer, meeting, nominee, 8)
    assert without.passed is False
    with_written = tally(users.officer, meeting, nominee, 8, written_favour=1)
    assert with_written.passed is True
    assert Ballot.objects.get(nominee=nominee).written_in_favour == 1


@pytest.mark.django_db
def test_award_without_a_pass_mark_needs_a_majority_of_all_members(org, users):
    lao_dong = Award.objects.get(code="LDTT")
    assert lao_dong.pass_mark_percent is None
    meeting = make_meeting(users.officer, org.ministry, present=6, absent=4)
    _dossier, (half, more) = before_council(meeting, org.home, ("Ngô Văn Nửa", "LDTT"), ("Ngô Văn Hơn", "LDTT"))

    assert tally(users.officer, meeting, half, 5, against=1).passed is False
    ballot = tally(users.officer, meeting, more, 6)
    assert (ballot.passed, ballot.pass_mark_percent) == (True, council.MAJORITY)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("votes", "message"),
    [
        ({"favour": 5, "against": 3}, "only 7 members were present"),
        ({"favour": 6, "written_favour": 1, "written_against": 1}, "only 1 absent members voted in writing"),
        ({"favour": 2, "written_favour": 1}, None),  # fine: 2 ≤ 7 present, 1 ≤ 1 in writing
        ({"favour": -1}, "negative"),
    ],
)
def test_too_many_or_negative_votes_are_refused(org, users, votes, message):
    meeting = make_meeting(users.officer, org.ministry, present=7, written=1, absent=1)
    _dossier, (nominee,) = before_council(meeting, org.home, ("Trịnh Văn Đếm", "CSTDCS"))

    with translation.override("en"):
        if message is None:
            assert tally(users.officer, meeting, nominee, **votes).pk
            return
        with pytest.raises(CommendationsError, match=message):
            tally(users.officer, meeting, nominee, **votes)
    assert not Ballot.objects.exists()


@pytest.mark.django_db
def test_pass_mark_is_frozen_on_the_ballot(org, users):
    meeting = make_meeting(users.officer, org.ministry, present=10)
    _dossier, (nominee,) = before_council(meeting, org.home, ("Mai Văn Đóng", "CSTDCS"))
    tally(users.officer, meeting, nominee, 8)

    Award.objects.filter(code="CSTDCS").update(pass_mark_percent=Decimal(90))

    ballot = Ballot.objects.get(nominee=nominee)
    assert (ballot.pass_mark_percent, ballot.passed) == (Decimal("80.00"), True)


@pytest.mark.django_db
def test_ballot_refuses_a_tally_someone_else_recorded_in_between(org, users):
    meeting = make_meeting(users.officer, org.ministry, present=3)
    _dossier, (nominee,) = before_council(meeting, org.home, ("Hồ Văn Chậm", "CSTDCS"))
    seen = council.ballot_fingerprint(None)
    tally(users.officer, meeting, nominee, 3)

    with pytest.raises(StaleVersionError):
        council.ballot_record(actor=users.admin, meeting_id=meeting.pk, nominee_id=nominee.pk, in_favour=1,
                              against=2, abstain=0, fingerprint=seen)
    assert Ballot.objects.get(nominee=nominee).in_favour == 3


@pytest.mark.django_db
def test_only_accepted_nominees_of_council_dossiers_are_voted(org, users):
    meeting = make_meeting(users.officer, org.ministry, present=3)
    dossier, (accepted,) = before_council(meeting, org.home, ("Lý Văn Nhận", "CSTDCS"))
    excluded = NomineeFactory(dossier=dossier, award=award("CSTDCS"), state=NomineeState.EXCLUDED)
    elsewhere = NomineeFactory(award=award("CSTDCS"), state=NomineeState.ACCEPTED,
                               dossier=DossierFactory(unit=org.home, state=DossierState.APPRAISAL))

    with pytest.raises(CommendationsError, match="accepted at appraisal"), translation.override("en"):
        tally(users.officer, meeting, excluded, 3)
    with pytest.raises(Nominee.DoesNotExist):
        tally(users.officer, meeting, elsewhere, 3)
    with pytest.raises(PermissionDenied):
        tally(users.council, meeting, accepted, 3)
    assert not Ballot.objects.exists()


@pytest.mark.django_db
def test_changing_attendance_recounts_the_tallies_or_refuses_when_they_no_longer_fit(org, users):
    meeting = make_meeting(users.officer, org.ministry, present=9)
    _dossier, (nominee,) = before_council(meeting, org.home, ("Cao Văn Thêm", "CSTDBO"))
    tally(users.officer, meeting, nominee, 9)
    members = {m.user_id: m.attendance for m in meeting.members.all()}
    extra = user_with_role(Role.COUNCIL_MEMBER, org.ministry, name="Thành viên mới")

    # a tenth member (absent): 9/10 = 90 % still passes, but the total is now 10
    meeting = council.meeting_update(actor=users.officer, meeting_id=meeting.pk, version=meeting.version,
                                     data={"title": meeting.title, "held_on": meeting.held_on},
                                     members={**members, extra.pk: Attendance.ABSENT})
    assert Ballot.objects.filter(nominee=nominee).values_list("members_total", "passed").get() == (10, True)

    # one of the nine voters marked absent: 9 room votes no longer fit 8 present members
    first = next(iter(members))
    with pytest.raises(CommendationsError, match="Cao Văn Thêm"):
        council.meeting_update(actor=users.officer, meeting_id=meeting.pk, version=meeting.version,
                               data={"title": meeting.title, "held_on": meeting.held_on},
                               members={**members, first: Attendance.ABSENT, extra.pk: Attendance.ABSENT})
    assert MeetingMember.objects.get(meeting=meeting, user_id=first).attendance == Attendance.PRESENT


# --- Closing ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_close_requires_a_tally_for_every_accepted_nominee(org, users):
    meeting = make_meeting(users.officer, org.ministry, present=3)
    _dossier, (voted, waiting) = before_council(meeting, org.home, ("Bạch Văn Có", "CSTDCS"),
                                                ("Bạch Văn Chưa", "CSTDCS"))
    tally(users.officer, meeting, voted, 3)

    with pytest.raises(CommendationsError, match="Bạch Văn Chưa") as refused:
        council.meeting_close(actor=users.officer, meeting_id=meeting.pk, version=meeting.version)
    assert "Bạch Văn Có" not in str(refused.value)
    meeting.refresh_from_db()
    assert (meeting.state, meeting.minutes) == (MeetingState.OPEN, "")


@pytest.mark.django_db
def test_close_without_a_dossier_is_refused(org, users):
    meeting = make_meeting(users.officer, org.ministry, present=3)
    with pytest.raises(CommendationsError):
        council.meeting_close(actor=users.officer, meeting_id=meeting.pk, version=meeting.version)


@pytest.mark.django_db
def test_close_decides_nominees_and_dossiers_and_keeps_the_minutes(org, users):
    meeting = make_meeting(users.officer, org.ministry, present=8, written=1)
    voted, (tam, chin) = before_council(meeting, org.home, ("Lê Văn Tám", "CSTDBO"), ("Phạm Văn Chín", "CSTDBO"),
                                        title="Hồ sơ Sở Tư pháp Hà Nội 2025")
    all_failed, (khong,) = before_council(meeting, org.other, ("Đặng Văn Không", "CSTDBO"),
                                          title="Hồ sơ Sở Tư pháp Hải Phòng 2025")
    excluded = NomineeFactory(dossier=voted, award=award("CSTDCS"), state=NomineeState.EXCLUDED)
    tally(users.officer, meeting, tam, 7, against=1, written_favour=1)  # 8/9
    tally(users.officer, meeting, chin, 8, written_favour=1)  # 9/9
    tally(users.officer, meeting, khong, 2, against=6, written_against=1)

    with translation.override("en"):
        closed = council.meeting_close(actor=users.officer, meeting_id=meeting.pk, version=meeting.version)

    assert closed.state == MeetingState.CLOSED and closed.closed_at is not None
    for nominee, state in ((tam, NomineeState.FAILED), (chin, NomineeState.PASSED), (khong, NomineeState.FAILED),
                           (excluded, NomineeState.EXCLUDED)):
        nominee.refresh_from_db()
        assert nominee.state == state
    voted.refresh_from_db()
    all_failed.refresh_from_db()
    assert (voted.state, all_failed.state) == (DossierState.VOTED, DossierState.REJECTED)
    assert all_failed.reason == "None of the nominees passed the council vote at “Phiên họp Hội đồng 2025”."
    # the minutes: attendance, every tally with its arithmetic, the result
    minutes = closed.minutes
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in minutes
    assert "Hồ sơ Sở Tư pháp Hà Nội 2025" in minutes and "Hồ sơ Sở Tư pháp Hải Phòng 2025" in minutes
    assert "Lê Văn Tám" in minutes and "8/9" in minutes and "88,9%" in minutes
    assert "Phạm Văn Chín" in minutes and "9/9" in minutes
    assert "Đặng Văn Không" in minutes and "2/9" in minutes
    assert excluded.person.full_name not in minutes
    assert "Nguyễn Văn Chủ" in minutes and "Trần Thị Ký" in minutes
    assert "Thành viên Hội đồng 9" in minutes
    # audited and told to the proposing units
    assert AuditLog.objects.get(action="commendations.meeting.closed").data == {"passed": 1, "total": 3}
    assert AuditLog.objects.filter(action="commendations.dossier.voted", object_id=str(voted.pk)).exists()
    assert AuditLog.objects.filter(action="commendations.dossier.rejected_by_vote",
                                   object_id=str(all_failed.pk)).exists()
    home_kinds = set(Notification.objects.filter(recipient=users.staff).values_list("kind", flat=True))
    other_kinds = set(Notification.objects.filter(recipient=users.outsider).values_list("kind", flat=True))
    assert home_kinds == {"commendations.dossier.voted"}
    assert other_kinds == {"commendations.dossier.rejected_by_vote"}
    # the minutes are kept as they were: a later catalogue change does not touch them
    Award.objects.filter(code="CSTDBO").update(name="Tên khác")
    assert CouncilMeeting.objects.get(pk=meeting.pk).minutes == minutes


@pytest.mark.django_db
def test_closed_meeting_takes_no_more_votes_and_cannot_close_twice(org, users):
    meeting = make_meeting(users.officer, org.ministry, present=3)
    _dossier, (nominee,) = before_council(meeting, org.home, ("Kiều Văn Xong", "CSTDCS"))
    tally(users.officer, meeting, nominee, 3)
    meeting = council.meeting_close(actor=users.officer, meeting_id=meeting.pk, version=meeting.version)

    with pytest.raises(CommendationsError):
        tally(users.officer, meeting, nominee, 0, against=3)
    with pytest.raises(CommendationsError):
        council.meeting_close(actor=users.officer, meeting_id=meeting.pk, version=meeting.version)
    assert Ballot.objects.get(nominee=nominee).in_favour == 3


@pytest.mark.django_db
def test_close_refuses_a_stale_version(org, users):
    meeting = make_meeting(users.officer, org.ministry, present=3)
    _dossier, (nominee,) = before_council(meeting, org.home, ("Kha Văn Cũ", "CSTDCS"))
    tally(users.officer, meeting, nominee, 3)
    with pytest.raises(StaleVersionError):
        council.meeting_close(actor=users.officer, meeting_id=meeting.pk, version=meeting.version - 1 or 99)


@pytest.mark.django_db
def test_draft_minutes_of_an_open_meeting_show_who_is_not_voted_yet(org, users):
    meeting = make_meeting(users.officer, org.ministry, present=3)
    _dossier, (nominee,) = before_council(meeting, org.home, ("Tạ Văn Đợi", "CSTDCS"))

    text = council.minutes_text(meeting, final=False, language="en")

    assert "DRAFT — the meeting is not closed" in text
    assert "Tạ Văn Đợi — Chiến sĩ thi đua cơ sở\n        Not voted yet." in text
    assert "0 nominees passed the council vote; 0 nominees did not pass. 1 nominee has not been voted on yet." in text
