"""Hội đồng Thi đua – Khen thưởng: the meetings (members and attendance), each dossier before the
council with its nominees' eligibility and the unit's quotas, the secret-ballot tally per nominee
against the pass mark of all members, closing with the minutes; and, for the voted dossiers of
state-level awards, the public comment period and the comments received.

Officers run meetings and record tallies; council members see the meetings and their dossiers.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from commendations import council, explain
from commendations.enums import Attendance, AwardLevel, DossierState, MeetingState, NomineeState
from commendations.forms_council import BallotForm, MeetingForm, VersionForm
from commendations.models import Ballot, CouncilMeeting, Dossier, Nominee, PublicComment
from commendations.quotas import quota_reports
from commendations.selectors import award_names, dossiers_visible_to
from commendations.views.common import require, run_service
from portal.audit import history_for, history_rows
from portal.idempotency import SubmitOnceMixin
from portal.text import nfc
from portal.views import paginate, parse_int

STATES = {"open": MeetingState.OPEN, "closed": MeetingState.CLOSED}


class MeetingListView(LoginRequiredMixin, TemplateView):
    """Các phiên họp Hội đồng, newest first; search by title or place, filter by state."""

    template_name = "commendations/council/list.html"

    def get_context_data(self, **kwargs):
        require(self.request.user, "commendations.view_meetings")
        context = super().get_context_data(**kwargs)
        query = nfc(self.request.GET.get("q", ""))[:100]
        state = self.request.GET.get("state", "")
        meetings = CouncilMeeting.objects.annotate(
            member_count=Count("members", distinct=True), dossier_count=Count("dossiers", distinct=True)
        ).order_by("-held_on", "-pk")
        if query:
            meetings = meetings.filter(Q(title__icontains=query) | Q(place__icontains=query))
        if state in STATES:
            meetings = meetings.filter(state=STATES[state])
        context.update(page_obj=paginate(self.request, meetings), query=query, state=state)
        return context


def _member_candidates():
    return list(council.council_member_users())


class MeetingCreateView(LoginRequiredMixin, SubmitOnceMixin, View):
    template_name = "commendations/council/form.html"

    def get(self, request):
        require(request.user, "commendations.manage_meetings")
        form = MeetingForm(candidates=_member_candidates(), initial={"held_on": timezone.localdate()})
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        require(request.user, "commendations.manage_meetings")
        form = MeetingForm(request.POST, candidates=_member_candidates())
        if form.is_valid():
            created = {}

            def create():
                created["meeting"] = council.meeting_create(
                    actor=request.user, data=form.meeting_data(), members=form.members()
                )

            if run_service(request, create, success=_("The council meeting was created; its members were told.")):
                return redirect("commendations:meeting_detail", pk=created["meeting"].pk)
        else:
            messages.error(request, _("Please correct the fields marked below."))
        return render(request, self.template_name, {"form": form}, status=400)


class MeetingEditView(LoginRequiredMixin, View):
    template_name = "commendations/council/form.html"

    def _meeting(self, request, pk) -> CouncilMeeting:
        meeting = get_object_or_404(CouncilMeeting, pk=pk)
        require(request.user, "commendations.manage_meetings")
        require(request.user, "commendations.record_votes", meeting)
        return meeting

    def get(self, request, pk):
        meeting = self._meeting(request, pk)
        form = MeetingForm(initial=MeetingForm.initial_for(meeting), candidates=_member_candidates())
        return render(request, self.template_name, {"form": form, "meeting": meeting})

    def post(self, request, pk):
        meeting = self._meeting(request, pk)
        form = MeetingForm(request.POST, candidates=_member_candidates())
        if form.is_valid():
            if run_service(
                request,
                lambda: council.meeting_update(
                    actor=request.user, meeting_id=meeting.pk, version=form.cleaned_data["version"] or 0,
                    data=form.meeting_data(), members=form.members(),
                ),
                success=_("The meeting was saved."),
            ):
                return redirect("commendations:meeting_detail", pk=meeting.pk)
        else:
            messages.error(request, _("Please correct the fields marked below."))
        return render(request, self.template_name, {"form": form, "meeting": meeting}, status=400)


# --- The meeting page ---------------------------------------------------------------------------------


@dataclass
class NomineeRow:
    """A nominee before the council: the appraisal's verdict in sentences, the tally, the form."""

    nominee: Nominee
    ballot: Ballot | None
    pass_mark: object
    members_total: int
    needed: int
    reasons: list[str]
    checks: list[explain.CheckRow]
    form: BallotForm | None = None
    comments: list[PublicComment] = field(default_factory=list)

    @property
    def arithmetic(self) -> str:
        return council.ballot_arithmetic_of(self.ballot) if self.ballot else ""

    @property
    def voted_on(self) -> bool:
        return self.nominee.state in (NomineeState.ACCEPTED, NomineeState.PASSED, NomineeState.FAILED,
                                      NomineeState.AWARDED)


def _ballot_form(ballot: Ballot | None, counts: Counter, nominee: Nominee, data=None) -> BallotForm:
    initial = {"fingerprint": council.ballot_fingerprint(ballot)}
    if ballot is not None:
        initial.update({name: getattr(ballot, name) for name in council.TALLY_FIELDS})
    return BallotForm(
        data, initial=initial, prefix=f"n{nominee.pk}",
        present=counts.get(Attendance.PRESENT, 0), written=counts.get(Attendance.WRITTEN, 0),
    )


# The meeting page shows a few dossiers at a time (a ministry's year-end meeting holds dozens of
# dossiers and hundreds of nominees, each with its explanation and tally form), with an overview of
# them all above.
DOSSIERS_PER_PAGE = 5
VOTED_ON_STATES = (NomineeState.ACCEPTED, NomineeState.PASSED, NomineeState.FAILED, NomineeState.AWARDED)


def meeting_context(request, meeting: CouncilMeeting, *, bound: BallotForm | None = None,
                    bound_nominee: Nominee | None = None, whole: bool = False) -> dict:
    """Everything the meeting page shows: the overview of every dossier, and in full the dossiers of
    the page asked for (the page of ``bound_nominee``'s dossier, whose form ``bound`` replaces after
    a refused tally; every dossier when ``whole``: the closing summary)."""
    user = request.user
    members = list(meeting.members.select_related("user__person").order_by("pk"))
    counts = Counter(member.attendance for member in members)
    visible = dossiers_visible_to(user).filter(meeting=meeting)
    tallied = dict(meeting.ballots.values("nominee__dossier_id").annotate(n=Count("pk"))
                   .values_list("nominee__dossier_id", "n"))
    overview = list(
        visible.order_by("unit__sort_key", "pk")
        # accepted before the vote, passed or failed (or awarded) after it: every nominee voted on
        .annotate(to_vote=Count("nominees", filter=Q(nominees__state__in=VOTED_ON_STATES)))
        .values("pk", "title", "state", "unit__name", "to_vote")
    )
    for number, item in enumerate(overview):
        item["page"] = number // DOSSIERS_PER_PAGE + 1
        item["tallied"] = tallied.get(item["pk"], 0)
        item["get_state_display"] = DossierState(item["state"]).label  # for the state badge
    page_of = {item["pk"]: item["page"] for item in overview}
    paginator = Paginator(overview, len(overview) or 1) if whole else Paginator(overview, DOSSIERS_PER_PAGE)
    if bound_nominee is not None and not whole:
        page_obj = paginator.get_page(page_of.get(bound_nominee.dossier_id, 1))
    else:
        page_obj = paginator.get_page(None if whole else parse_int(request.GET.get("page"), minimum=1))
    shown = [item["pk"] for item in page_obj.object_list]
    dossiers = list(
        visible.filter(pk__in=shown)
        .select_related("unit")
        .prefetch_related(
            Prefetch("nominees", queryset=Nominee.objects.select_related("award", "person__unit", "unit")
                     .order_by("position", "pk")),
            Prefetch("public_comments", queryset=PublicComment.objects.order_by("created_at", "pk")),
        )
        .order_by("unit__sort_key", "pk")
    )
    ballots = {ballot.nominee_id: ballot for ballot in meeting.ballots.filter(nominee__dossier__in=shown)}
    can_record = user.has_perm("commendations.record_votes", meeting)
    names = award_names()
    quotas = {  # (unit, year) → lines: one batch per year of the dossiers shown (usually one year)
        (unit_id, year): lines
        for year in {dossier.year for dossier in dossiers}
        for unit_id, lines in quota_reports(units=[d.unit for d in dossiers if d.year == year], year=year).items()
    }
    for dossier in dossiers:
        dossier.quota_lines = quotas[(dossier.unit_id, dossier.year)]
        comments = list(dossier.public_comments.all())
        dossier.general_comments = [c for c in comments if c.nominee_id is None]
        dossier.rows = []
        for nominee in dossier.nominees.all():
            ballot = ballots.get(nominee.pk)
            mark = ballot.pass_mark_percent if ballot else council.pass_mark_of(nominee.award)
            total = ballot.members_total if ballot else len(members)
            verdict = nominee.eligibility or {}
            row = NomineeRow(
                nominee=nominee, ballot=ballot, pass_mark=mark, members_total=total,
                needed=council.votes_needed(total, mark),
                reasons=explain.failure_summary(verdict, names=names) if verdict else [],
                checks=explain.check_rows(verdict, names=names) if verdict else [],
                comments=[c for c in comments if c.nominee_id == nominee.pk],
            )
            if can_record and dossier.state == DossierState.COUNCIL and nominee.state == NomineeState.ACCEPTED:
                row.form = bound if bound_nominee is not None and bound_nominee.pk == nominee.pk else _ballot_form(
                    ballot, counts, nominee)
            dossier.rows.append(row)
    # Every nominee of the meeting still without a tally, wherever their dossier is shown.
    without_ballot = list(
        Nominee.objects.filter(dossier__in=visible, dossier__state=DossierState.COUNCIL, state=NomineeState.ACCEPTED)
        .exclude(ballots__meeting=meeting)
        .select_related("award", "person", "unit")
        .order_by("dossier__unit__sort_key", "dossier_id", "position", "pk")
    )
    for nominee in without_ballot:
        nominee.meeting_url = f"{nominee_url(meeting, nominee, page_of.get(nominee.dossier_id, 1))}"
    return {
        "meeting": meeting,
        "members": members,
        "counts": {"present": counts.get(Attendance.PRESENT, 0), "written": counts.get(Attendance.WRITTEN, 0),
                   "absent": counts.get(Attendance.ABSENT, 0), "total": len(members)},
        "overview": overview,
        "page_obj": page_obj,
        # the page is also rendered at the ballot URL (a refused tally): links lead to the meeting page
        "detail_url": _detail_url(meeting),
        "pagination_base": _detail_url(meeting),
        "dossiers": dossiers,
        "can_record": can_record,
        "can_manage": user.has_perm("commendations.manage_meetings"),
        "without_ballot": without_ballot,
        "history": history_rows(history_for(meeting)[:50]),
    }


def nominee_url(meeting: CouncilMeeting, nominee: Nominee, page: int) -> str:
    """The nominee's row on the meeting page (on the page that shows their dossier)."""
    query = f"?page={page}" if page > 1 else ""
    return f"{_detail_url(meeting)}{query}#nominee-{nominee.pk}"


def _meeting_or_404(request, pk) -> CouncilMeeting:
    require(request.user, "commendations.view_meetings")
    return get_object_or_404(CouncilMeeting, pk=pk)


class MeetingDetailView(LoginRequiredMixin, View):
    template_name = "commendations/council/detail.html"

    def get(self, request, pk):
        meeting = _meeting_or_404(request, pk)
        return render(request, self.template_name, meeting_context(request, meeting))


class BallotRecordView(LoginRequiredMixin, SubmitOnceMixin, View):
    """Ghi kết quả bỏ phiếu of one nominee (POST from the meeting page)."""

    def post(self, request, pk, nominee_pk):
        meeting = get_object_or_404(CouncilMeeting, pk=pk)
        require(request.user, "commendations.record_votes", meeting)
        nominee = get_object_or_404(
            Nominee.objects.select_related("award", "person", "unit"), pk=nominee_pk, dossier__meeting=meeting
        )
        counts = Counter(meeting.members.values_list("attendance", flat=True))
        ballot = Ballot.objects.filter(meeting=meeting, nominee=nominee).first()
        form = _ballot_form(ballot, counts, nominee, data=request.POST)
        if form.is_valid():
            saved = {}

            def record():
                saved["ballot"] = council.ballot_record(
                    actor=request.user, meeting_id=meeting.pk, nominee_id=nominee.pk,
                    fingerprint=form.cleaned_data["fingerprint"] or "", **form.numbers(),
                )

            if run_service(request, record, success=_("The vote on %(name)s was recorded.") % {"name": nominee.name}):
                return redirect(_nominee_page_url(request, meeting, nominee))
        else:
            messages.error(request, _("The vote on %(name)s was not recorded; correct the numbers marked below.")
                           % {"name": nominee.name})
        context = meeting_context(request, meeting, bound=form, bound_nominee=nominee)
        return render(request, MeetingDetailView.template_name, context, status=400)


def _nominee_page_url(request, meeting: CouncilMeeting, nominee: Nominee) -> str:
    order = list(dossiers_visible_to(request.user).filter(meeting=meeting).order_by("unit__sort_key", "pk")
                 .values_list("pk", flat=True))
    position = order.index(nominee.dossier_id) if nominee.dossier_id in order else 0
    return nominee_url(meeting, nominee, position // DOSSIERS_PER_PAGE + 1)


def _detail_url(meeting: CouncilMeeting) -> str:
    return reverse("commendations:meeting_detail", args=[meeting.pk])


class MeetingCloseView(LoginRequiredMixin, View):
    """Close the meeting, with a confirmation listing what will happen."""

    template_name = "commendations/council/close.html"

    def _meeting(self, request, pk) -> CouncilMeeting:
        meeting = get_object_or_404(CouncilMeeting, pk=pk)
        require(request.user, "commendations.manage_meetings")
        require(request.user, "commendations.record_votes", meeting)
        return meeting

    def _render(self, request, meeting, status=200):
        context = meeting_context(request, meeting, whole=True)
        context["form"] = VersionForm(initial={"version": meeting.version})
        return render(request, self.template_name, context, status=status)

    def get(self, request, pk):
        return self._render(request, self._meeting(request, pk))

    def post(self, request, pk):
        meeting = self._meeting(request, pk)
        form = VersionForm(request.POST)
        if form.is_valid() and run_service(
            request,
            lambda: council.meeting_close(actor=request.user, meeting_id=meeting.pk, version=form.cleaned_data["version"]),
            success=_("The meeting is closed; the minutes were drawn up and the proposing units were told."),
        ):
            return redirect("commendations:meeting_minutes", pk=meeting.pk)
        return self._render(request, meeting, status=400)


_TWO_COLUMNS = re.compile(r"^(\S.*?)\s{3,}(\S.*)$")
_RIGHT_COLUMN = re.compile(r"^\s{20,}(\S.*)$")
_SECTION = re.compile(r"^[IVX]+\. ")


def minutes_rows(text: str) -> list[dict]:
    """The kept minutes laid out for print in a proportional font: the two-column lines of the
    header and the signatures (body | national motto, secretary | chair) as two centred halves, the
    date under the motto, capitalised headings in bold, the rest as written (indents kept)."""
    rows = []
    for line in text.splitlines():
        if match := _RIGHT_COLUMN.match(line):
            rows.append({"right": match.group(1)})
        elif match := _TWO_COLUMNS.match(line):
            rows.append({"left": match.group(1), "right": match.group(2)})
        elif line.strip() and line.isupper() and not _SECTION.match(line):
            rows.append({"title": line.strip()})
        elif line.strip() and rows and "title" in rows[-1]:
            rows.append({"title": line.strip(), "subtitle": True})
        else:
            rows.append({"text": line, "heading": bool(_SECTION.match(line) and line.isupper())})
    return rows


class MeetingMinutesView(LoginRequiredMixin, View):
    """Biên bản: the minutes kept at closing, or a draft of an open meeting; printable."""

    template_name = "commendations/council/minutes.html"

    def get(self, request, pk):
        meeting = _meeting_or_404(request, pk)
        final = meeting.state == MeetingState.CLOSED and bool(meeting.minutes)
        text = meeting.minutes if final else council.minutes_text(meeting, final=False)
        return render(request, self.template_name,
                      {"meeting": meeting, "text": text, "rows": minutes_rows(text), "final": final})


# --- Public comments, as officers and the council see them --------------------------------------------


def _dossier_for_council(request, pk) -> Dossier:
    dossier = get_object_or_404(dossiers_visible_to(request.user).select_related("unit", "meeting"), pk=pk)
    require(request.user, "commendations.view_meetings")
    return dossier


class DossierCommentsView(LoginRequiredMixin, View):
    """A dossier's public comment period: its dates, the state-level nominees, every comment."""

    template_name = "commendations/council/comments.html"

    def get(self, request, pk):
        return self._render(request, _dossier_for_council(request, pk))

    def _render(self, request, dossier, status=200):
        nominees = list(dossier.nominees.select_related("award", "person__unit", "unit").order_by("position", "pk"))
        comments = list(dossier.public_comments.select_related("nominee__person", "nominee__unit").order_by(
            "created_at", "pk"))
        today = timezone.localdate()
        context = {
            "dossier": dossier,
            "nominees": nominees,
            "comments": comments,
            "today": today,
            "form": VersionForm(initial={"version": dossier.version}),
            "can_open": request.user.has_perm("commendations.open_public_comments", dossier)
            and dossier.comments_until is None
            and any(n.state == NomineeState.PASSED and n.award.level == AwardLevel.STATE for n in nominees),
            "can_close": request.user.has_perm("commendations.close_public_comments", dossier),
            "closable": dossier.comments_until is not None and today > dossier.comments_until,
            "would_run": council.comment_period(today),
        }
        return render(request, self.template_name, context, status=status)


class DossierCommentsActionView(DossierCommentsView):
    """Open (or close) the public comment period: POST with the version from the comments page."""

    action = "open"

    def post(self, request, pk):
        dossier = _dossier_for_council(request, pk)
        perm = "commendations.open_public_comments" if self.action == "open" else "commendations.close_public_comments"
        require(request.user, perm, dossier)
        form = VersionForm(request.POST)
        service = council.dossier_open_comments if self.action == "open" else council.dossier_close_comments
        success = (
            _("The dossier is published for public comments; the proposing unit was told.")
            if self.action == "open"
            else _("The public comment period is closed; the dossier can go into a decision.")
        )
        if form.is_valid() and run_service(
            request,
            lambda: service(actor=request.user, dossier_id=dossier.pk, version=form.cleaned_data["version"]),
            success=success,
        ):
            return redirect("commendations:dossier_comments", pk=dossier.pk)
        dossier.refresh_from_db()
        return self._render(request, dossier, status=400)

    def get(self, request, pk):
        return redirect("commendations:dossier_comments", pk=pk)


urlpatterns = [
    path("council/", MeetingListView.as_view(), name="meeting_list"),
    path("council/new/", MeetingCreateView.as_view(), name="meeting_create"),
    path("council/<int:pk>/", MeetingDetailView.as_view(), name="meeting_detail"),
    path("council/<int:pk>/edit/", MeetingEditView.as_view(), name="meeting_edit"),
    path("council/<int:pk>/nominees/<int:nominee_pk>/ballot/", BallotRecordView.as_view(), name="ballot_record"),
    path("council/<int:pk>/close/", MeetingCloseView.as_view(), name="meeting_close"),
    path("council/<int:pk>/minutes/", MeetingMinutesView.as_view(), name="meeting_minutes"),
    path("council/dossiers/<int:pk>/comments/", DossierCommentsView.as_view(), name="dossier_comments"),
    path("council/dossiers/<int:pk>/comments/open/", DossierCommentsActionView.as_view(action="open"),
         name="dossier_comments_open"),
    path("council/dossiers/<int:pk>/comments/close/", DossierCommentsActionView.as_view(action="close"),
         name="dossier_comments_close"),
]
