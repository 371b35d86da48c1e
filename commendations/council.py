"""The council's part of a nomination: council meetings with their members and attendance, the
secret-ballot tally of each nominee against the award's pass mark of ALL members, closing a meeting
with its minutes (biên bản); the public comment period of state-level awards (lấy ý kiến nhân dân);
and the award decisions (Quyết định khen thưởng) that write the history and consume initiatives.

Every write locks its rows, checks the version the user saw (StaleVersionError), checks the
permission (commendations/rules.py), writes the audit log and tells the proposing units.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commendations import eligibility, explain
from commendations.dossiers import dossier_url
from commendations.enums import (
    Attendance,
    AwardKind,
    AwardLevel,
    DecisionState,
    DossierState,
    MeetingState,
    NomineeState,
)
from commendations.histories import (
    cluster_results,
    initiative_pk,
    person_histories,
    rule_reads_clusters,
    rule_set,
    unit_histories,
)
from commendations.models import (
    AwardRecord,
    Ballot,
    BaseSalary,
    CouncilMeeting,
    Decision,
    DecisionLine,
    Dossier,
    Hold,
    Initiative,
    MeetingMember,
    Nominee,
    PublicComment,
)
from commendations.selectors import award_names
from commendations.services import CommendationsError
from portal.audit import actor_name, audit_log, field_changes, register_actions
from portal.calendar import WorkingCalendar, add_working_days
from portal.display import register_param_display
from portal.enums import Role
from portal.models import RoleGrant, Unit
from portal.notifications import notify, register_kinds
from portal.selectors import unit_users
from portal.services import StaleVersionError
from portal.text import nfc

register_actions(
    {
        "commendations.meeting.created": gettext_lazy(
            "%(actor)s created the council meeting %(object)s with %(members)s members"
        ),
        "commendations.meeting.updated": gettext_lazy("%(actor)s changed the council meeting %(object)s"),
        "commendations.meeting.ballot_passed": gettext_lazy(
            "%(actor)s recorded the vote on %(nominee)s at %(object)s: %(arithmetic)s, passed"
        ),
        "commendations.meeting.ballot_failed": gettext_lazy(
            "%(actor)s recorded the vote on %(nominee)s at %(object)s: %(arithmetic)s, not passed"
        ),
        "commendations.meeting.closed": gettext_lazy(
            "%(actor)s closed the council meeting %(object)s: %(passed)s of %(total)s nominees passed"
        ),
        "commendations.dossier.voted": gettext_lazy(
            "%(actor)s recorded the council's vote on the dossier %(object)s: %(passed)s of %(total)s nominees passed"
        ),
        "commendations.dossier.rejected_by_vote": gettext_lazy(
            "The dossier %(object)s was not approved: none of its %(total)s nominees passed the council vote "
            "(meeting closed by %(actor)s)"
        ),
        "commendations.dossier.comments_opened": gettext_lazy(
            "%(actor)s opened the public comment period of %(object)s, from %(comments_from)s to %(comments_until)s"
        ),
        "commendations.dossier.comment_received": gettext_lazy(
            "A public comment from %(name)s was received on the dossier %(object)s"
        ),
        "commendations.dossier.comments_closed": gettext_lazy(
            "%(actor)s closed the public comment period of %(object)s with %(count)s comments"
        ),
        "commendations.dossier.decided": gettext_lazy(
            "%(actor)s issued the decision %(decision)s: every nominee of the dossier %(object)s who passed is awarded"
        ),
        "commendations.decision.created": gettext_lazy(
            "%(actor)s prepared the decision %(object)s with %(count)s awardees"
        ),
        "commendations.decision.updated": gettext_lazy("%(actor)s changed the draft decision %(object)s"),
        "commendations.decision.deleted": gettext_lazy("%(actor)s deleted the draft decision %(object)s"),
        "commendations.decision.issued": gettext_lazy(
            "%(actor)s issued the decision %(object)s: %(count)s awardees, %(reward_total)s VND in rewards"
        ),
    }
)
register_kinds(
    {
        "commendations.meeting.invited": (
            gettext_lazy("Council meeting: %(meeting)s"),
            gettext_lazy("%(actor)s named you a member of the council meeting “%(meeting)s” on %(held_on)s."),
        ),
        "commendations.dossier.voted": (
            gettext_lazy("The council voted on your dossier"),
            gettext_lazy("The council voted on the dossier “%(dossier)s”: %(passed)s of %(total)s nominees passed."),
        ),
        "commendations.dossier.rejected_by_vote": (
            gettext_lazy("Your dossier was not approved"),
            gettext_lazy(
                "None of the %(total)s nominees of the dossier “%(dossier)s” passed the council vote; "
                "the dossier is not approved."
            ),
        ),
        "commendations.dossier.comments_opened": (
            gettext_lazy("Public comments on your dossier"),
            gettext_lazy(
                "The dossier “%(dossier)s” is published for public comments from %(comments_from)s to %(comments_until)s."
            ),
        ),
        "commendations.dossier.comments_closed": (
            gettext_lazy("Public comment period ended"),
            gettext_lazy("The public comment period of the dossier “%(dossier)s” ended with %(count)s comments."),
        ),
        "commendations.decision.issued": (
            gettext_lazy("Award decision %(decision)s issued"),
            gettext_lazy(
                "The decision %(decision)s of %(signed_on)s awards %(count)s nominees of the dossier “%(dossier)s”."
            ),
        ),
    }
)



def _iso_date_text(value: Any) -> str:
    try:
        return formats.date_format(date.fromisoformat(str(value)), "SHORT_DATE_FORMAT")
    except ValueError:
        return str(value)


register_param_display(dict.fromkeys(("comments_from", "comments_until", "held_on", "signed_on"), _iso_date_text))
register_param_display({"reward_total": lambda value: formats.number_format(value, force_grouping=True)})

User = get_user_model()

# An award without a pass mark in the catalogue needs a majority (more than half) of ALL members;
# a ballot stores it as a pass mark of 0.
MAJORITY = Decimal(0)
HUNDRED = Decimal(100)


def _require(actor, perm: str, obj=None) -> None:
    if actor is None or not actor.has_perm(perm, obj):
        raise PermissionDenied(perm)


def _date_text(day: date | None) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT") if day else "—"


def _names(items: Iterable[str], limit: int = 10) -> str:
    items = list(items)
    text = "; ".join(items[:limit])
    if len(items) > limit:
        text += " " + _("and %(count)s more") % {"count": len(items) - limit}
    return text


def _notify_unit(dossier: Dossier, kind: str, params: dict[str, Any]) -> None:
    notify(
        recipients=unit_users(dossier.unit),
        kind=kind,
        params={"dossier": dossier.title, **params},
        url=dossier_url(dossier),
    )


# --- Working days -----------------------------------------------------------------------------------


def next_working_day(day: date) -> date:
    return add_working_days(day, 1)


# The public comment period of a state-level award lasts five working days (DOMAIN.md "Dossier").
COMMENT_WORKING_DAYS = 5


def comment_period(today: date) -> tuple[date, date]:
    """The period a dossier published today runs: from the next working day, five working days
    (public holidays skipped, compensatory working days counted: portal.calendar)."""
    calendar = WorkingCalendar()
    calendar.read_periods([today], COMMENT_WORKING_DAYS)
    start = calendar.add_working_days(today, 1)
    return start, calendar.add_working_days(start, COMMENT_WORKING_DAYS - 1)


# --- The pass mark ----------------------------------------------------------------------------------


def pass_mark_of(award) -> Decimal:
    """The award's pass mark as a share of all council members, or MAJORITY when the catalogue
    sets none (then more than half of all members must vote in favour)."""
    return Decimal(award.pass_mark_percent) if award.pass_mark_percent else MAJORITY


def vote_passes(favour: int, members_total: int, pass_mark: Decimal) -> bool:
    """In-favour votes (room + written) against the pass mark of ALL members, exactly: 9 members at
    90 % need 9 votes (8/9 = 88.9 % fails)."""
    if members_total <= 0:
        return False
    if not pass_mark:
        return favour * 2 > members_total
    return Decimal(favour) * HUNDRED >= Decimal(pass_mark) * members_total


def _percent_text(favour: int, total: int, mark: Decimal, passed: bool) -> str:
    """The share with one decimal; rounded down when rounding would make a failing share look like it
    reached the mark (89.96 % is never shown as 90.0 %)."""
    share = Decimal(favour) * HUNDRED / total
    shown = share.quantize(Decimal("0.1"), ROUND_HALF_UP)
    threshold = mark if mark else Decimal(50)
    if not passed and shown >= threshold:
        shown = share.quantize(Decimal("0.1"), ROUND_DOWN)
    return explain.number_text(shown)


def ballot_arithmetic(favour: int, members_total: int, pass_mark: Decimal) -> str:
    """"8/9 members = 88.9% < 90%": the sum that decides, in the active language."""
    if members_total <= 0:
        return _("no council member is recorded for this meeting")
    passed = vote_passes(favour, members_total, pass_mark)
    values = {
        "favour": favour,
        "total": members_total,
        "percent": _percent_text(favour, members_total, pass_mark, passed),
        "mark": explain.number_text(pass_mark),
    }
    if not pass_mark:
        if passed:
            return _("%(favour)s/%(total)s members = %(percent)s%% > 50%% (a majority of all members)") % values
        return _("%(favour)s/%(total)s members = %(percent)s%% ≤ 50%% (a majority of all members is needed)") % values
    if passed:
        return _("%(favour)s/%(total)s members = %(percent)s%% ≥ %(mark)s%%") % values
    return _("%(favour)s/%(total)s members = %(percent)s%% < %(mark)s%%") % values


def votes_needed(members_total: int, pass_mark: Decimal) -> int:
    """The fewest in-favour votes that pass (shown next to the tally form)."""
    for favour in range(members_total + 1):
        if vote_passes(favour, members_total, pass_mark):
            return favour
    return members_total + 1


def ballot_fingerprint(ballot: Ballot | None) -> str:
    """What the tally form carries to tell that someone else recorded the tally in between."""
    if ballot is None:
        return ""
    numbers = (
        ballot.in_favour, ballot.against, ballot.abstain,
        ballot.written_in_favour, ballot.written_against, ballot.written_abstain,
    )
    return hashlib.sha256(repr(numbers).encode()).hexdigest()[:16]


def ballot_arithmetic_of(ballot: Ballot) -> str:
    return ballot_arithmetic(ballot.in_favour + ballot.written_in_favour, ballot.members_total, ballot.pass_mark_percent)


# --- Meetings ---------------------------------------------------------------------------------------

MEETING_FIELDS = ("title", "held_on", "place", "chair", "secretary")


def council_member_users() -> QuerySet:
    """The active logins holding the council member role: who a meeting can seat."""
    return (
        User.objects.filter(is_active=True, role_grants__role=Role.COUNCIL_MEMBER)
        .select_related("person")
        .distinct()
        .order_by("person__sort_key", "username", "pk")
    )


def _clean_meeting_data(data: Mapping[str, Any]) -> dict[str, Any]:
    values = {name: data.get(name) for name in MEETING_FIELDS}
    for name in ("title", "place", "chair", "secretary"):
        values[name] = nfc(values[name] or "")
    if not values["title"]:
        raise CommendationsError(_("Give the meeting a title, for example “Phiên họp xét khen thưởng năm 2025”."))
    if not values["held_on"]:
        raise CommendationsError(_("Enter the date of the meeting."))
    return values


def _clean_members(members: Mapping[int, str]) -> dict[int, str]:
    """{user id: attendance}; every member must hold the council member role."""
    members = {int(user_id): attendance for user_id, attendance in members.items() if attendance}
    if not members:
        raise CommendationsError(_("Choose the council members of the meeting."))
    wrong = [attendance for attendance in members.values() if attendance not in Attendance.values]
    if wrong:
        raise CommendationsError(_("Choose present, absent (voted in writing) or absent for each member."))
    seated = set(
        RoleGrant.objects.filter(
            user_id__in=list(members), role=Role.COUNCIL_MEMBER, user__is_active=True
        ).values_list("user_id", flat=True)
    )
    outsiders = set(members) - seated
    if outsiders:
        names = [actor_name(user) for user in User.objects.filter(pk__in=outsiders).select_related("person")]
        raise CommendationsError(
            _("Only council members can sit on the council: %(names)s do not hold that role.") % {"names": _names(names)}
        )
    return members


def meeting_create(*, actor, data: Mapping[str, Any], members: Mapping[int, str]) -> CouncilMeeting:
    """A new (open) council meeting with its members and their attendance (``members``: user id →
    Attendance value). The members are told."""
    _require(actor, "commendations.manage_meetings")
    values = _clean_meeting_data(data)
    members = _clean_members(members)
    with transaction.atomic():
        meeting = CouncilMeeting.objects.create(**values, created_by=actor)
        MeetingMember.objects.bulk_create(
            [MeetingMember(meeting=meeting, user_id=user_id, attendance=att) for user_id, att in members.items()]
        )
        audit_log(actor=actor, obj=meeting, action="commendations.meeting.created", data={"members": len(members)})
        _invite(actor, meeting, members)
    return meeting


def _invite(actor, meeting: CouncilMeeting, user_ids: Iterable[int]) -> None:
    notify(
        recipients=list(User.objects.filter(pk__in=list(user_ids))),
        kind="commendations.meeting.invited",
        params={"actor": actor_name(actor), "meeting": meeting.title, "held_on": meeting.held_on.isoformat()},
        url=reverse("commendations:meeting_detail", args=[meeting.pk]),
    )


def _attendance_counts(members: Iterable[MeetingMember] | Mapping[int, str]) -> Counter:
    values = members.values() if isinstance(members, Mapping) else (member.attendance for member in members)
    return Counter(values)


def _check_tally(counts: Mapping[str, int], numbers: Mapping[str, int]) -> None:
    """Room votes fit the members present, written votes the members who voted in writing."""
    if any(value is None or int(value) < 0 for value in numbers.values()):
        raise CommendationsError(_("Votes cannot be negative."))
    room = numbers["in_favour"] + numbers["against"] + numbers["abstain"]
    written = numbers["written_in_favour"] + numbers["written_against"] + numbers["written_abstain"]
    present, in_writing = counts.get(Attendance.PRESENT, 0), counts.get(Attendance.WRITTEN, 0)
    if room > present:
        raise CommendationsError(
            _("%(room)s votes were cast in the room but only %(present)s members were present.")
            % {"room": room, "present": present}
        )
    if written > in_writing:
        raise CommendationsError(
            _("%(written)s written votes were counted but only %(count)s absent members voted in writing.")
            % {"written": written, "count": in_writing}
        )


TALLY_FIELDS = ("in_favour", "against", "abstain", "written_in_favour", "written_against", "written_abstain")


def meeting_update(
    *, actor, meeting_id: int, version: int, data: Mapping[str, Any], members: Mapping[int, str]
) -> CouncilMeeting:
    """Change an open meeting's details, members or attendance. Tallies already recorded are checked
    against the new attendance (refused when they no longer fit) and re-counted against the new
    number of members; their pass marks stay as frozen."""
    _require(actor, "commendations.manage_meetings")
    values = _clean_meeting_data(data)
    members = _clean_members(members)
    with transaction.atomic():
        meeting = CouncilMeeting.objects.select_for_update().get(pk=meeting_id)
        if meeting.version != version:
            raise StaleVersionError(meeting)
        if meeting.state != MeetingState.OPEN:
            raise CommendationsError(_("The meeting is closed; its record can no longer be changed."))
        before = {name: getattr(meeting, name) for name in MEETING_FIELDS}
        current = {member.user_id: member for member in meeting.members.all()}
        before["members"] = _members_text(current)
        counts = _attendance_counts(members)
        ballots = list(meeting.ballots.select_for_update(of=("self",)).select_related("nominee__person", "nominee__unit"))
        misfits = []
        for ballot in ballots:
            try:
                _check_tally(counts, {name: getattr(ballot, name) for name in TALLY_FIELDS})
            except CommendationsError:
                misfits.append(ballot.nominee.name)
        if misfits:
            raise CommendationsError(
                _("With this attendance the votes already recorded for %(names)s no longer add up; correct those "
                  "tallies first.") % {"names": _names(misfits)}
            )
        for name, value in values.items():
            setattr(meeting, name, value)
        added = [user_id for user_id in members if user_id not in current]
        MeetingMember.objects.filter(meeting=meeting).exclude(user_id__in=list(members)).delete()
        MeetingMember.objects.bulk_create(
            [MeetingMember(meeting=meeting, user_id=user_id, attendance=members[user_id]) for user_id in added]
        )
        for user_id, member in current.items():
            if user_id in members and member.attendance != members[user_id]:
                member.attendance = members[user_id]
                member.save(update_fields=["attendance"])
        total = len(members)
        for ballot in ballots:
            ballot.members_total = total
            ballot.passed = vote_passes(ballot.in_favour + ballot.written_in_favour, total, ballot.pass_mark_percent)
        Ballot.objects.bulk_update(ballots, ["members_total", "passed"])
        after = {**values, "members": _members_text(MeetingMember.objects.filter(meeting=meeting))}
        changes = field_changes(before, after)
        meeting.version += 1
        meeting.save(update_fields=[*MEETING_FIELDS, "version"])
        if changes:
            audit_log(actor=actor, obj=meeting, action="commendations.meeting.updated", data={"changes": changes})
        if added:
            _invite(actor, meeting, added)
    return meeting


def _members_text(members) -> str:
    """A stable description of the seats for the audit log: "user id: attendance" in id order."""
    rows = members.values() if isinstance(members, Mapping) else members
    return ", ".join(f"{m.user_id}:{m.attendance}" for m in sorted(rows, key=lambda m: m.user_id))


def ballot_record(
    *,
    actor,
    meeting_id: int,
    nominee_id: int,
    in_favour: int,
    against: int,
    abstain: int,
    written_in_favour: int = 0,
    written_against: int = 0,
    written_abstain: int = 0,
    fingerprint: str | None = None,
) -> Ballot:
    """Record (or correct) the secret-ballot tally of one nominee at an open meeting. The pass mark
    and the number of members are frozen on the ballot, so a later catalogue change never rewrites
    a vote. ``fingerprint`` (ballot_fingerprint of the tally the user saw, "" for none) detects a
    tally someone else recorded in between; None skips that check."""
    numbers = {
        "in_favour": in_favour, "against": against, "abstain": abstain,
        "written_in_favour": written_in_favour, "written_against": written_against,
        "written_abstain": written_abstain,
    }
    _require(actor, "commendations.manage_meetings")
    with transaction.atomic():
        meeting = CouncilMeeting.objects.select_for_update().get(pk=meeting_id)
        if meeting.state != MeetingState.OPEN:
            raise CommendationsError(_("The meeting is closed; its votes can no longer be changed."))
        _require(actor, "commendations.record_votes", meeting)
        nominee = (
            Nominee.objects.select_related("award", "dossier", "person", "unit")
            .filter(dossier__meeting=meeting)
            .get(pk=nominee_id)
        )
        if nominee.dossier.state != DossierState.COUNCIL:
            raise CommendationsError(_("This dossier is no longer before the council."))
        if nominee.state != NomineeState.ACCEPTED:
            raise CommendationsError(
                _("%(name)s is “%(state)s”; only nominees accepted at appraisal go to the vote.")
                % {"name": nominee.name, "state": nominee.get_state_display()}
            )
        members = list(meeting.members.all())
        _check_tally(_attendance_counts(members), numbers)
        ballot = Ballot.objects.select_for_update().filter(meeting=meeting, nominee=nominee).first()
        if fingerprint is not None and fingerprint != ballot_fingerprint(ballot):
            raise StaleVersionError(ballot)
        if ballot is None:
            ballot = Ballot(meeting=meeting, nominee=nominee)
        for name, value in numbers.items():
            setattr(ballot, name, int(value))
        ballot.members_total = len(members)
        ballot.pass_mark_percent = pass_mark_of(nominee.award)
        ballot.passed = vote_passes(in_favour + written_in_favour, ballot.members_total, ballot.pass_mark_percent)
        ballot.save()
        audit_log(
            actor=actor,
            obj=meeting,
            action="commendations.meeting.ballot_passed" if ballot.passed else "commendations.meeting.ballot_failed",
            data={
                "nominee": f"{nominee.name} — {nominee.award.name}",
                "arithmetic": f"{in_favour + written_in_favour}/{ballot.members_total}",
                **numbers,
                "pass_mark": str(ballot.pass_mark_percent),
            },
        )
    return ballot


def _voted_nominees(dossiers: Iterable[Dossier]) -> QuerySet[Nominee]:
    return (
        Nominee.objects.filter(dossier__in=list(dossiers), state=NomineeState.ACCEPTED)
        .select_related("award", "person", "unit", "dossier")
        .order_by("dossier_id", "position", "pk")
    )


def meeting_close(*, actor, meeting_id: int, version: int) -> CouncilMeeting:
    """Close the meeting: every accepted nominee of its dossiers must have a tally. Nominees pass or
    fail from their ballots, dossiers become "voted" — or "not approved" when none of their nominees
    passed (decided here, automatically, so that no dossier waits for nothing) — and the minutes are
    generated and kept on the meeting as they were at closing."""
    _require(actor, "commendations.manage_meetings")
    with transaction.atomic():
        meeting = CouncilMeeting.objects.select_for_update().get(pk=meeting_id)
        if meeting.version != version:
            raise StaleVersionError(meeting)
        if meeting.state != MeetingState.OPEN:
            raise CommendationsError(_("The meeting is already closed."))
        dossiers = list(
            Dossier.objects.select_for_update(of=("self",))
            .filter(meeting=meeting, state=DossierState.COUNCIL)
            .select_related("unit")
            .order_by("unit__sort_key", "pk")
        )
        if not dossiers:
            raise CommendationsError(_("No dossier is before this meeting; send the dossiers to it before closing."))
        nominees = list(_voted_nominees(dossiers).select_for_update(of=("self",)))
        ballots = {ballot.nominee_id: ballot for ballot in meeting.ballots.filter(nominee__in=nominees)}
        missing = [f"{n.name} ({n.award.name}, {n.dossier.title})" for n in nominees if n.pk not in ballots]
        if missing:
            raise CommendationsError(
                _("Record the vote of every nominee before closing the meeting; still without a tally: %(names)s.")
                % {"names": _names(missing)}
            )
        minutes = minutes_text(meeting, final=True)
        for nominee in nominees:
            nominee.state = NomineeState.PASSED if ballots[nominee.pk].passed else NomineeState.FAILED
        Nominee.objects.bulk_update(nominees, ["state"])
        by_dossier: dict[int, list[Nominee]] = defaultdict(list)
        for nominee in nominees:
            by_dossier[nominee.dossier_id].append(nominee)
        passed_total = 0
        for dossier in dossiers:
            voted = by_dossier.get(dossier.pk, [])
            passed = sum(1 for nominee in voted if nominee.state == NomineeState.PASSED)
            passed_total += passed
            params = {"passed": passed, "total": len(voted)}
            fields = ["state", "version", "updated_at"]
            if passed:
                dossier.state = DossierState.VOTED
                action = kind = "commendations.dossier.voted"
            else:
                dossier.state = DossierState.REJECTED
                dossier.reason = _("None of the nominees passed the council vote at “%(meeting)s”.") % {
                    "meeting": meeting.title
                }
                fields.append("reason")
                action = kind = "commendations.dossier.rejected_by_vote"
            dossier.version += 1
            dossier.save(update_fields=fields)
            audit_log(actor=actor, obj=dossier, action=action, data={**params, "meeting": meeting.title})
            _notify_unit(dossier, kind, params)
        meeting.state = MeetingState.CLOSED
        meeting.closed_at = timezone.now()
        meeting.minutes = minutes
        meeting.version += 1
        meeting.save(update_fields=["state", "closed_at", "minutes", "version"])
        audit_log(
            actor=actor, obj=meeting, action="commendations.meeting.closed",
            data={"passed": passed_total, "total": len(nominees)},
        )
    return meeting


# --- The minutes (biên bản) ---------------------------------------------------------------------------


@dataclass
class MinutesLine:
    nominee: Nominee
    ballot: Ballot | None

    @property
    def arithmetic(self) -> str:
        return ballot_arithmetic_of(self.ballot) if self.ballot else ""


def _ministry_name() -> str:
    root = Unit.objects.filter(parent__isnull=True).order_by("sort_key", "pk").first()
    return root.name if root else ""


def minutes_text(meeting: CouncilMeeting, *, final: bool, language: str | None = None) -> str:
    """The minutes of the meeting as plain text in the portal's language (Vietnamese), in the layout
    of an administrative record (NĐ 30/2020): issuing body and national motto, place and date, the
    attendance, each dossier's nominees with their tallies against the pass mark, the result, and
    the signatures of the chair and the secretary. ``final`` False marks a draft of an open meeting;
    ``language`` defaults to the portal's (the record is Vietnamese whoever closes the meeting)."""
    with translation.override(language or settings.LANGUAGE_CODE):
        members = list(meeting.members.select_related("user__person").order_by("pk"))
        dossiers = list(
            meeting.dossiers.exclude(state__in=[DossierState.DRAFT, DossierState.SUBMITTED])
            .select_related("unit")
            .order_by("unit__sort_key", "pk")
        )
        ballots = {ballot.nominee_id: ballot for ballot in meeting.ballots.all()}
        voted_states = (NomineeState.ACCEPTED, NomineeState.PASSED, NomineeState.FAILED, NomineeState.AWARDED)
        nominees = (
            Nominee.objects.filter(dossier__in=dossiers, state__in=voted_states)
            .select_related("award", "person", "unit")
            .order_by("position", "pk")
        )
        lines: dict[int, list[MinutesLine]] = defaultdict(list)
        for nominee in nominees:
            if nominee.pk in ballots or nominee.state == NomineeState.ACCEPTED:
                lines[nominee.dossier_id].append(MinutesLine(nominee, ballots.get(nominee.pk)))
        counts = _attendance_counts(members)
        all_lines = [line for dossier in dossiers for line in lines[dossier.pk]]
        context = {
            "meeting": meeting,
            "final": final,
            "ministry": _ministry_name(),
            "members": members,
            "total": len(members),
            "present": counts.get(Attendance.PRESENT, 0),
            "written": counts.get(Attendance.WRITTEN, 0),
            "absent": counts.get(Attendance.ABSENT, 0),
            "dossiers": [(dossier, lines[dossier.pk]) for dossier in dossiers],
            "passed": sum(1 for line in all_lines if line.ballot and line.ballot.passed),
            "failed": sum(1 for line in all_lines if line.ballot and not line.ballot.passed),
            "unvoted": sum(1 for line in all_lines if not line.ballot),
        }
        text = render_to_string("commendations/council/minutes.txt", context)
    return "\n".join(line.rstrip() for line in text.strip().splitlines()) + "\n"


# --- Public comments (lấy ý kiến nhân dân) -----------------------------------------------------------


def _state_level_passed(dossier: Dossier) -> QuerySet[Nominee]:
    return dossier.nominees.filter(state=NomineeState.PASSED, award__level=AwardLevel.STATE)


def dossier_open_comments(*, actor, dossier_id: int, version: int, today: date | None = None) -> Dossier:
    """Publish a voted dossier with a state-level nominee who passed for public comments: from the next
    working day, for five working days (the first one included)."""
    _require(actor, "commendations.manage_meetings")
    today = today or timezone.localdate()
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier_id)
        if dossier.version != version:
            raise StaleVersionError(dossier)
        if dossier.state != DossierState.VOTED:
            raise CommendationsError(
                _("Only a dossier voted by the council can be published for comments; this one is “%(state)s”.")
                % {"state": dossier.get_state_display()}
            )
        _require(actor, "commendations.open_public_comments", dossier)
        if dossier.comments_until is not None:
            raise CommendationsError(
                _("The public comment period of this dossier already ran from %(start)s to %(end)s.")
                % {"start": _date_text(dossier.comments_from), "end": _date_text(dossier.comments_until)}
            )
        if not _state_level_passed(dossier).exists():
            raise CommendationsError(
                _("Only state-level awards are published for public comments, and no nominee of this dossier "
                  "passed for one.")
            )
        dossier.comments_from, dossier.comments_until = comment_period(today)
        dossier.state = DossierState.PUBLIC_COMMENT
        dossier.version += 1
        dossier.save(update_fields=["comments_from", "comments_until", "state", "version", "updated_at"])
        period = {"comments_from": dossier.comments_from.isoformat(), "comments_until": dossier.comments_until.isoformat()}
        audit_log(actor=actor, obj=dossier, action="commendations.dossier.comments_opened", data=period)
        _notify_unit(dossier, "commendations.dossier.comments_opened", period)
    return dossier


def dossier_close_comments(*, actor, dossier_id: int, version: int, today: date | None = None) -> Dossier:
    """End the comment period once its last day has passed; the dossier is "voted" again (ready for
    the decision) and the comments stay recorded with it."""
    _require(actor, "commendations.manage_meetings")
    today = today or timezone.localdate()
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().get(pk=dossier_id)
        if dossier.version != version:
            raise StaleVersionError(dossier)
        if dossier.state != DossierState.PUBLIC_COMMENT:
            raise CommendationsError(_("This dossier is not in a public comment period."))
        _require(actor, "commendations.close_public_comments", dossier)
        if dossier.comments_until and today <= dossier.comments_until:
            raise CommendationsError(
                _("The public comment period runs until %(end)s; it can be closed from %(next)s.")
                % {"end": _date_text(dossier.comments_until), "next": _date_text(dossier.comments_until + timedelta(days=1))}
            )
        dossier.state = DossierState.VOTED
        dossier.version += 1
        dossier.save(update_fields=["state", "version", "updated_at"])
        count = dossier.public_comments.count()
        audit_log(actor=actor, obj=dossier, action="commendations.dossier.comments_closed", data={"count": count})
        _notify_unit(dossier, "commendations.dossier.comments_closed", {"count": count})
    return dossier


def comment_open_nominees(today: date | None = None) -> QuerySet[Nominee]:
    """The state-level nominees the public may comment on today."""
    today = today or timezone.localdate()
    return Nominee.objects.filter(
        state=NomineeState.PASSED,
        award__level=AwardLevel.STATE,
        dossier__state=DossierState.PUBLIC_COMMENT,
        dossier__comments_from__lte=today,
        dossier__comments_until__gte=today,
    )


# Sensible limits on an anonymous form: a few comments an hour from one address, and sizes that fit
# a comment rather than a file.
COMMENTS_PER_HOUR = 5
NAME_MAX, CONTACT_MAX, BODY_MIN, BODY_MAX = 200, 200, 10, 5000


def _rate_key(client_key: str) -> str:
    return "commendations:public-comment:" + hashlib.sha256(client_key.encode()).hexdigest()[:32]


def comment_rate_exceeded(client_key: str) -> bool:
    return cache.get(_rate_key(client_key), 0) >= COMMENTS_PER_HOUR


def public_comment_add(
    *, nominee_id: int, name: str, contact: str, body: str, client_key: str, today: date | None = None
) -> PublicComment:
    """A comment from anyone (no login) on a state-level nominee during the dossier's comment period.
    ``client_key`` (the sender's address) limits how many comments one sender may post an hour."""
    today = today or timezone.localdate()
    name, contact = nfc(name), nfc(contact)
    body = "\n".join(nfc(line) for line in (body or "").replace("\r\n", "\n").split("\n")).strip()
    if comment_rate_exceeded(client_key):
        raise CommendationsError(
            _("You have sent %(count)s comments within an hour; please wait before sending another.")
            % {"count": COMMENTS_PER_HOUR}
        )
    if not name or len(name) > NAME_MAX:
        raise CommendationsError(_("Enter your name (at most %(max)s characters).") % {"max": NAME_MAX})
    if not contact or len(contact) > CONTACT_MAX:
        raise CommendationsError(_("Enter a phone number or an e-mail address where you can be reached."))
    if not BODY_MIN <= len(body) <= BODY_MAX:
        raise CommendationsError(
            _("Write your comment in %(min)s to %(max)s characters.") % {"min": BODY_MIN, "max": BODY_MAX}
        )
    with transaction.atomic():
        nominee = Nominee.objects.select_related("dossier", "award", "person", "unit").get(pk=nominee_id)
        dossier = Dossier.objects.select_for_update().get(pk=nominee.dossier_id)
        in_period = (
            dossier.state == DossierState.PUBLIC_COMMENT
            and dossier.comments_from is not None
            and dossier.comments_from <= today <= dossier.comments_until
        )
        if not in_period or nominee.state != NomineeState.PASSED or nominee.award.level != AwardLevel.STATE:
            raise CommendationsError(_("Comments on this nomination are not being received now."))
        comment = PublicComment.objects.create(dossier=dossier, nominee=nominee, name=name, contact=contact, body=body)
        audit_log(actor=None, obj=dossier, action="commendations.dossier.comment_received", data={"name": name})
    key = _rate_key(client_key)
    cache.add(key, 0, timeout=3600)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
    return comment


# --- Decisions (Quyết định khen thưởng) -------------------------------------------------------------

DECISION_FIELDS = ("number", "signed_on", "signer", "signer_title")


def base_salary_on(day: date) -> BaseSalary | None:
    """The base salary (lương cơ sở) in force on ``day``."""
    return BaseSalary.objects.filter(effective_from__lte=day).order_by("-effective_from").first()


def reward_amount(multiple: Decimal, base: Decimal) -> Decimal:
    """multiple × base salary, rounded to whole đồng (half up)."""
    return (Decimal(multiple) * Decimal(base)).quantize(Decimal(1), ROUND_HALF_UP)


def _base_salary_or_error(day: date) -> BaseSalary:
    base = base_salary_on(day)
    if base is None:
        raise CommendationsError(
            _("No base salary is recorded in force on %(day)s; an administrator must add it first.")
            % {"day": _date_text(day)}
        )
    return base


def decision_candidates() -> QuerySet[Nominee]:
    """Nominees a new decision may award: passed the council, dossier voted (not in a comment
    period), not in another decision; a state-level award only once its comment period has run."""
    return (
        Nominee.objects.filter(state=NomineeState.PASSED, dossier__state=DossierState.VOTED, decision_line__isnull=True)
        .exclude(award__level=AwardLevel.STATE, dossier__comments_until__isnull=True)
        .select_related("award", "person", "unit", "dossier__unit")
        .order_by("dossier__unit__sort_key", "dossier_id", "position", "pk")
    )


def _clean_decision_data(data: Mapping[str, Any]) -> dict[str, Any]:
    values = {name: data.get(name) for name in DECISION_FIELDS}
    for name in ("number", "signer", "signer_title"):
        values[name] = nfc(values[name] or "")
    if not values["number"]:
        raise CommendationsError(_("Enter the decision number, for example 123/QĐ-BTP."))
    if not values["signed_on"]:
        raise CommendationsError(_("Enter the date the decision is signed."))
    if not values["signer"]:
        raise CommendationsError(_("Enter who signs the decision."))
    return values


def _check_number_free(number: str, decision_id: int | None = None) -> None:
    """Numbers differ by more than case ("123/qđ-btp" is "123/QĐ-BTP"). SQLite folds only ASCII in
    iexact, so the case of "Đ" is compared here, among the numbers with the same leading part."""
    candidates = Decision.objects.filter(number__istartswith=number.split("/")[0]).exclude(pk=decision_id)
    for other in candidates.values_list("number", flat=True):
        if other.casefold() == number.casefold():
            raise CommendationsError(_("Another decision already has the number %(number)s.") % {"number": other})


def _existing_record(nominee: Nominee, kind: str) -> AwardRecord | None:
    """The merit award the nominee's subject already holds for that award and year, if any."""
    if kind != AwardKind.MERIT:
        return None
    subject = {"person_id": nominee.person_id} if nominee.person_id else {"unit_id": nominee.unit_id}
    return AwardRecord.objects.filter(
        **subject, award_id=nominee.award_id, year=nominee.dossier.year, kind=AwardKind.MERIT
    ).first()


def _lock_decision_nominees(actor, nominee_ids: Iterable[int], decision: Decision | None = None) -> list[Nominee]:
    """The chosen nominees, locked, each checked for a decision: passed, dossier voted, not in another
    decision, comment period run for a state-level award, not already awarded the same merit title."""
    ids = sorted({int(pk) for pk in nominee_ids})
    if not ids:
        raise CommendationsError(_("Choose at least one awardee."))
    nominees = list(
        Nominee.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related("award", "person", "unit", "dossier")
        .order_by("dossier_id", "position", "pk")
    )
    if len(nominees) != len(ids):
        raise CommendationsError(_("Some of the chosen nominees no longer exist; reload the page."))
    taken = dict(
        DecisionLine.objects.filter(nominee_id__in=ids).exclude(decision=decision).values_list(
            "nominee_id", "decision__number"
        )
    )
    problems = []
    seen: dict[tuple, str] = {}
    for nominee in nominees:
        label = f"{nominee.name} ({nominee.award.name})"
        if nominee.pk in taken:
            problems.append(_("%(nominee)s is already in the decision %(number)s") % {
                "nominee": label, "number": taken[nominee.pk]})
        elif nominee.state != NomineeState.PASSED or nominee.dossier.state != DossierState.VOTED:
            problems.append(_("%(nominee)s has not passed the council vote, or the dossier is not ready for a "
                              "decision") % {"nominee": label})
        elif nominee.award.level == AwardLevel.STATE and nominee.dossier.comments_until is None:
            problems.append(_("%(nominee)s needs the public comment period first") % {"nominee": label})
        elif not actor.has_perm("commendations.decide_dossier", nominee.dossier):
            raise PermissionDenied("commendations.decide_dossier")
        record = _existing_record(nominee, nominee.dossier.kind)
        if record is not None:
            problems.append(_("%(nominee)s already holds this award for %(year)s (decision %(number)s)") % {
                "nominee": label, "year": record.year, "number": record.decision_number or "—"})
        key = (nominee.person_id, nominee.unit_id, nominee.award_id, nominee.dossier.year, nominee.dossier.kind)
        if nominee.dossier.kind == AwardKind.MERIT and key in seen:
            problems.append(_("%(nominee)s is chosen twice for the same award and year") % {"nominee": label})
        seen[key] = label
    if problems:
        raise CommendationsError(_("These awardees cannot be in the decision: %(problems)s.") % {
            "problems": _names(problems)})
    return nominees


def _write_lines(decision: Decision, nominees: list[Nominee], base: Decimal) -> None:
    current = {line.nominee_id: line for line in decision.lines.all()}
    chosen = {nominee.pk for nominee in nominees}
    decision.lines.exclude(nominee_id__in=chosen).delete()
    new_lines, changed = [], []
    for position, nominee in enumerate(nominees):
        line = current.get(nominee.pk)
        if line is None:
            multiple = nominee.award.reward_multiple
            new_lines.append(DecisionLine(decision=decision, nominee=nominee, reward_multiple=multiple,
                                          amount=reward_amount(multiple, base), position=position))
        else:
            line.amount = reward_amount(line.reward_multiple, base)
            line.position = position
            changed.append(line)
    DecisionLine.objects.bulk_create(new_lines)
    DecisionLine.objects.bulk_update(changed, ["amount", "position"])


def decision_create(*, actor, data: Mapping[str, Any], nominee_ids: Iterable[int]) -> Decision:
    """A draft decision with its awardees; each line's reward is the award's multiple × the base
    salary in force on the signing date (recomputed when the decision is issued)."""
    _require(actor, "commendations.manage_decisions")
    values = _clean_decision_data(data)
    base = _base_salary_or_error(values["signed_on"])
    with transaction.atomic():
        _check_number_free(values["number"])
        nominees = _lock_decision_nominees(actor, nominee_ids)
        decision = Decision.objects.create(**values, base_salary=base.amount, created_by=actor)
        _write_lines(decision, nominees, base.amount)
        audit_log(actor=actor, obj=decision, action="commendations.decision.created", data={"count": len(nominees)})
    return decision


def _decision_for_change(decision_id: int, version: int) -> Decision:
    decision = Decision.objects.select_for_update().get(pk=decision_id)
    if decision.version != version:
        raise StaleVersionError(decision)
    if decision.state != DecisionState.DRAFT:
        raise CommendationsError(_("The decision is issued; it can no longer be changed."))
    return decision


def decision_update(
    *, actor, decision_id: int, version: int, data: Mapping[str, Any], nominee_ids: Iterable[int]
) -> Decision:
    """Change a draft decision's number, date, signer or awardees."""
    _require(actor, "commendations.manage_decisions")
    values = _clean_decision_data(data)
    base = _base_salary_or_error(values["signed_on"])
    with transaction.atomic():
        decision = _decision_for_change(decision_id, version)
        _check_number_free(values["number"], decision.pk)
        nominees = _lock_decision_nominees(actor, nominee_ids, decision)
        before = {name: getattr(decision, name) for name in DECISION_FIELDS}
        before["awardees"] = ", ".join(str(pk) for pk in sorted(decision.lines.values_list("nominee_id", flat=True)))
        for name, value in values.items():
            setattr(decision, name, value)
        decision.base_salary = base.amount
        decision.version += 1
        decision.save(update_fields=[*DECISION_FIELDS, "base_salary", "version"])
        _write_lines(decision, nominees, base.amount)
        after = {**values, "awardees": ", ".join(str(n.pk) for n in sorted(nominees, key=lambda n: n.pk))}
        changes = field_changes(before, after)
        if changes:
            audit_log(actor=actor, obj=decision, action="commendations.decision.updated", data={"changes": changes})
    return decision


def decision_delete(*, actor, decision_id: int, version: int) -> None:
    """Delete a draft decision; its nominees become free for another one."""
    _require(actor, "commendations.manage_decisions")
    with transaction.atomic():
        decision = _decision_for_change(decision_id, version)
        audit_log(actor=actor, obj=decision, action="commendations.decision.deleted", data={"number": decision.number})
        decision.delete()


def _stored_verdict(nominee: Nominee) -> Mapping:
    return nominee.eligibility if isinstance(nominee.eligibility, Mapping) else {}


def _subject(nominee: Nominee) -> str:
    return eligibility.PERSON if nominee.person_id else eligibility.COLLECTIVE


def _rule_for(rules, nominee: Nominee, on: date):
    """The rule version the appraisal judged by (its legal basis is on the stored verdict), else the
    one in force on ``on``."""
    code, subject = nominee.award.code, _subject(nominee)
    same_basis = [rule for rule in rules if rule.award == code and rule.subject == subject
                  and rule.legal_basis == _stored_verdict(nominee).get("rule_version")]
    if same_basis:
        return eligibility.rules_in_force(same_basis, code, on, subject) or max(
            same_basis, key=lambda rule: rule.effective_from)
    return eligibility.rules_in_force(rules, code, on, subject)


def verdicts_on(nominees: list[Nominee], on: date) -> dict[int, eligibility.Verdict]:
    """The nominees judged again on ``on`` (holds) for their dossier's year, each by the rule version
    its appraisal used, from the history as it is now. A few queries per proposal year."""
    rules = rule_set()
    verdicts: dict[int, eligibility.Verdict] = {}
    by_year: dict[int, list[Nominee]] = defaultdict(list)
    for nominee in nominees:
        by_year[nominee.dossier.year].append(nominee)
    for year, group in by_year.items():
        chosen = {nominee.pk: _rule_for(rules, nominee, on) for nominee in group}
        people = {n.person_id: n.person for n in group if n.person_id}
        units = {n.unit_id: n.unit for n in group if n.unit_id}
        person_history = person_histories(list(people.values()), up_to_year=year) if people else {}
        unit_history = {}
        if units:
            reads = any(chosen[n.pk] is not None and rule_reads_clusters(chosen[n.pk]) for n in group if n.unit_id)
            unit_history = unit_histories(
                list(units.values()), year=year, cluster_results=cluster_results(year) if reads else None
            )
        for nominee in group:
            rule = chosen[nominee.pk]
            if rule is None:
                verdicts[nominee.pk] = eligibility.no_rule_verdict(nominee.award.code, year, on)
                continue
            history = person_history[nominee.person_id] if nominee.person_id else unit_history[nominee.unit_id]
            verdicts[nominee.pk] = eligibility.evaluate(rule, history, year, on)
    return verdicts


def _issue_problems(nominees: list[Nominee], on: date) -> tuple[list[str], dict[int, list[int]]]:
    """What stops the awards being written on the signing date ``on``, and the initiatives (ids)
    each nominee consumes.

    A nominee whose appraisal found them eligible is judged again by the same rule version, on the
    signing date, from the history as it is now: an initiative used for another award since, a new
    hold or a changed history shows here with its reason and article. (A nominee accepted although
    the engine said no stays the council's call; the holds are still checked.) Every initiative the
    appraisal's verdict named must still be unused, and used only once within this decision."""
    problems: list[str] = []
    names = award_names()
    named: dict[int, list[int]] = {
        nominee.pk: [pk for pk in (initiative_pk(key) for key in _stored_verdict(nominee).get("consumed_initiatives")
                                   or ()) if pk]
        for nominee in nominees
    }
    initiatives = {
        initiative.pk: initiative
        for initiative in Initiative.objects.select_for_update(of=("self",))
        .filter(pk__in=[pk for pks in named.values() for pk in pks])
        .select_related("consumed_by__award")
    }
    rejudged = verdicts_on([n for n in nominees if _stored_verdict(n).get("eligible")], on)
    used_here: dict[int, str] = {}
    for nominee in nominees:
        label = f"{nominee.name} ({nominee.award.name})"
        for pk in named[nominee.pk]:
            initiative = initiatives.get(pk)
            if initiative is None:
                problems.append(_("%(nominee)s: the initiative SK-%(pk)s named at appraisal no longer exists") % {
                    "nominee": label, "pk": pk})
            elif initiative.consumed_by_id is not None:
                used_for = initiative.consumed_by
                problems.append(
                    _("%(nominee)s: the initiative “%(title)s” (SK-%(pk)s) was used since the appraisal for "
                      "%(award)s %(year)s (decision %(number)s); appraise the nominee again") % {
                        "nominee": label, "title": initiative.title, "pk": pk, "award": used_for.award.name,
                        "year": used_for.year, "number": used_for.decision_number or "—"})
            elif pk in used_here:
                problems.append(
                    _("%(nominee)s: the initiative “%(title)s” (SK-%(pk)s) is also used by %(other)s in this "
                      "decision; an initiative serves one award only") % {
                        "nominee": label, "title": initiative.title, "pk": pk, "other": used_here[pk]})
            else:
                used_here[pk] = label
        verdict = rejudged.get(nominee.pk)
        if verdict is not None and not verdict.eligible:
            reasons = explain.failure_summary(verdict, names=names) or [_("the conditions are no longer met")]
            problems.append(_("%(nominee)s is no longer eligible on %(day)s: %(reasons)s") % {
                "nominee": label, "day": _date_text(on), "reasons": "; ".join(reasons)})
        elif verdict is None:
            holds = _active_holds(nominee, on)
            if holds:
                problems.append(_("%(nominee)s is under %(hold)s on %(day)s") % {
                    "nominee": label, "day": _date_text(on),
                    "hold": ", ".join(explain.hold_kind_text(hold.kind).lower() for hold in holds)})
    return problems, named


def _active_holds(nominee: Nominee, on: date) -> list[Hold]:
    subject = {"person_id": nominee.person_id} if nominee.person_id else {"unit_id": nominee.unit_id}
    return list(Hold.objects.filter(**subject, start__lte=on).filter(Q(end__isnull=True) | Q(end__gte=on)))


def decision_issue(*, actor, decision_id: int, version: int) -> Decision:
    """Issue the decision: each awardee's record is written into the history (so next year's checks
    see it), the initiatives their verdict named are marked used by it, nominees become "awarded", and
    a dossier whose every passed nominee is awarded becomes "decided". Refused as a whole, with every
    reason, when any awardee can no longer receive the award."""
    _require(actor, "commendations.manage_decisions")
    with transaction.atomic():
        decision = Decision.objects.select_for_update().get(pk=decision_id)
        if decision.version != version:
            raise StaleVersionError(decision)
        if decision.state != DecisionState.DRAFT:
            raise CommendationsError(_("The decision %(number)s is already issued.") % {"number": decision.number})
        lines = list(decision.lines.order_by("position", "pk"))
        if not lines:
            raise CommendationsError(_("The decision has no awardee."))
        base = _base_salary_or_error(decision.signed_on)
        nominees = _lock_decision_nominees(actor, [line.nominee_id for line in lines], decision)
        by_pk = {nominee.pk: nominee for nominee in nominees}
        problems, consumes = _issue_problems(nominees, decision.signed_on)
        if problems:
            raise CommendationsError(
                _("The decision cannot be issued: %(problems)s.") % {"problems": _names(problems, limit=20)}
            )
        total = Decimal(0)
        for line in lines:
            nominee = by_pk[line.nominee_id]
            line.amount = reward_amount(line.reward_multiple, base.amount)
            total += line.amount
            record = AwardRecord.objects.create(
                person_id=nominee.person_id,
                unit_id=nominee.unit_id,
                award_id=nominee.award_id,
                year=nominee.dossier.year,
                kind=nominee.dossier.kind,
                decision_number=decision.number,
                decided_on=decision.signed_on,
                signer=decision.signer,
                nominee=nominee,
            )
            if consumes[nominee.pk]:
                Initiative.objects.filter(pk__in=consumes[nominee.pk]).update(consumed_by=record)
            nominee.state = NomineeState.AWARDED
        DecisionLine.objects.bulk_update(lines, ["amount"])
        Nominee.objects.bulk_update(nominees, ["state"])
        decision.state = DecisionState.ISSUED
        decision.base_salary = base.amount
        decision.issued_at = timezone.now()
        decision.issued_by = actor
        decision.version += 1
        decision.save(update_fields=["state", "base_salary", "issued_at", "issued_by", "version"])
        audit_log(
            actor=actor, obj=decision, action="commendations.decision.issued",
            data={"count": len(lines), "reward_total": int(total)},
        )
        _close_dossiers(actor, decision, nominees)
    return decision


def _close_dossiers(actor, decision: Decision, nominees: list[Nominee]) -> None:
    """Tell each proposing unit; a dossier with no passed nominee left waiting becomes "decided"."""
    awarded: dict[int, int] = Counter(nominee.dossier_id for nominee in nominees)
    dossiers = Dossier.objects.select_for_update().filter(pk__in=list(awarded)).order_by("pk")
    waiting = set(
        Nominee.objects.filter(dossier_id__in=list(awarded), state=NomineeState.PASSED).values_list(
            "dossier_id", flat=True)
    )
    for dossier in dossiers:
        if dossier.pk not in waiting:
            dossier.state = DossierState.DECIDED
            dossier.version += 1
            dossier.save(update_fields=["state", "version", "updated_at"])
            audit_log(actor=actor, obj=dossier, action="commendations.dossier.decided",
                      data={"decision": decision.number})
        _notify_unit(dossier, "commendations.decision.issued", {
            "decision": decision.number, "signed_on": decision.signed_on.isoformat(), "count": awarded[dossier.pk]})

