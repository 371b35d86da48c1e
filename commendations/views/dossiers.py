"""Hồ sơ đề nghị khen thưởng pages: the list, a new dossier, its detail (nominees with their
eligibility verdicts, papers, quotas, history), nominees and papers, the transitions with their
confirmations, the appraisal of a nominee and the return for revision.

Every page starts from commendations.selectors.dossiers_visible_to (outside it: 404); the rules of
commendations/rules.py answer 403 and hide the buttons; the writes are commendations.dossiers."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from commendations import dossiers as services
from commendations import explain, selectors
from commendations.enums import AwardKind, MeetingState, NomineeState, Subject
from commendations.forms_dossiers import (
    AppraiseForm,
    ConfirmForm,
    DocumentForm,
    DossierCreateForm,
    DossierEditForm,
    DossierFilterForm,
    NomineeEditForm,
    NomineeForm,
    ReturnForm,
    TransitionForm,
)
from commendations.models import Award, CouncilMeeting, Dossier, DossierDocument, Nominee
from commendations.services import CommendationsError
from commendations.views.common import require
from portal.access import scope_of
from portal.audit import history_for, history_rows
from portal.enums import Role
from portal.files import file_response
from portal.idempotency import SubmitOnceMixin
from portal.models import Unit
from portal.selectors import people_visible_to, units_visible_to
from portal.services import StaleVersionError
from portal.text import SEARCH_MAX_LENGTH, search_terms

PAGE_SIZE = 25


# --- Shared helpers ---------------------------------------------------------------------------------


def _visible_dossier(user, pk: int) -> Dossier:
    return get_object_or_404(
        selectors.dossiers_visible_to(user).select_related("unit", "meeting", "approved_by__person"), pk=pk
    )


def _nominee_of(dossier: Dossier, pk: int) -> Nominee:
    return get_object_or_404(dossier.nominees.select_related("person__unit", "unit", "award"), pk=pk)


def _stale_message(request) -> None:
    messages.error(
        request,
        _("Someone else changed this dossier while you were working on it. What you typed is kept below: "
          "check the dossier as it is now, then save again."),
    )


def _run(request, call, *, success: str, form=None) -> str:
    """Call a service: "ok" (with a success message), "refused" (the reason as a message, or on the
    form's fields) or "stale" (a conflict message; the form then carries the current version, so
    saving again after a look at the dossier keeps what was typed)."""
    try:
        call()
    except CommendationsError as error:
        messages.error(request, str(error))
        return "refused"
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return "refused"
    except StaleVersionError as error:
        _stale_message(request)
        if form is not None and form.is_bound:
            data = form.data.copy()
            data[form.add_prefix("version")] = str(error.current.version)
            form.data = data
        return "stale"
    messages.success(request, success)
    return "ok"


STATUS = {"ok": 302, "refused": 400, "stale": 409}


def _awards():
    return Award.objects.filter(is_active=True).order_by("position", "code")


def _units_to_propose_for(user):
    """Units the user works for (staff: their unit; leaders: their sub-tree), active ones."""
    scope = scope_of(user)
    condition = Q(pk__in=[])
    if Role.STAFF in scope.roles and scope.staff_unit_ids:
        condition |= Q(pk__in=list(scope.staff_unit_ids))
    for unit_path in scope.leader_paths:
        condition |= Q(path__startswith=unit_path)
    return Unit.objects.filter(condition, is_active=True).order_by("path")


# --- The list ---------------------------------------------------------------------------------------


def dossier_search(queryset, query: str):
    """Dossiers whose title, or one nominee's name, has every word of the query, with or without
    diacritics (Dossier.search_text and Nominee.search_text hold the folded texts)."""
    terms = search_terms(query)
    if not terms:
        return queryset
    nominees = Nominee.objects.filter(dossier_id=OuterRef("pk"))
    titled = Q()
    for term in terms:
        nominees = nominees.filter(search_text__contains=term)
        titled &= Q(search_text__contains=term)
    return queryset.filter(titled | Exists(nominees))


class DossierListView(LoginRequiredMixin, View):
    template_name = "commendations/dossier/list.html"

    def get(self, request):
        user = request.user
        units = units_visible_to(user).filter(is_active=True).order_by("path")
        form = DossierFilterForm(request.GET or None, units=units)
        dossiers = selectors.dossiers_visible_to(user)
        query = ""
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            if data["state"]:
                dossiers = dossiers.filter(state=data["state"])
            if data["year"]:
                dossiers = dossiers.filter(year=data["year"])
            if data["unit"]:
                dossiers = dossiers.filter(unit__path__startswith=data["unit"].path)
            query = data["q"] or ""
            dossiers = dossier_search(dossiers, query)
        dossiers = (
            dossiers.select_related("unit")
            .annotate(nominee_count=Count("nominees"))
            .order_by("-year", "unit__path", "-pk")
        )
        page = Paginator(dossiers, PAGE_SIZE).get_page(request.GET.get("page"))
        context = {
            "form": form,
            "page_obj": page,
            "query_cut": len(query) > SEARCH_MAX_LENGTH,
            "can_create": _units_to_propose_for(user).exists(),
        }
        return render(request, self.template_name, context)


# --- Create, edit, delete ---------------------------------------------------------------------------


class DossierCreateView(LoginRequiredMixin, SubmitOnceMixin, View):
    template_name = "commendations/dossier/create.html"

    def _units(self, request):
        require(request.user, "commendations.create_dossier")
        units = _units_to_propose_for(request.user)
        if not units.exists():
            raise PermissionDenied("commendations.create_dossier")
        return units

    def get(self, request):
        return render(request, self.template_name, {"form": DossierCreateForm(units=self._units(request))})

    def post(self, request):
        form = DossierCreateForm(request.POST, units=self._units(request))
        created = {}
        if form.is_valid():
            def create():
                created["dossier"] = services.dossier_create(actor=request.user, **form.cleaned_data)

            if _run(request, create, success=_("The dossier was created.")) == "ok":
                dossier = created["dossier"]
                for problem in dossier.skipped_targets:
                    messages.warning(request, _("A registered target was left out: %(reason)s") % {"reason": problem})
                return redirect("commendations:dossier_detail", pk=dossier.pk)
        return render(request, self.template_name, {"form": form}, status=400)


class _DossierView(LoginRequiredMixin, View):
    """A page of one visible dossier (404 otherwise) guarded by ``permission`` (403)."""

    permission = ""
    template_name = ""

    def get_dossier(self, request, pk) -> Dossier:
        dossier = _visible_dossier(request.user, pk)
        if self.permission:
            require(request.user, self.permission, dossier)
        return dossier

    def page(self, request, dossier, status=200, **context):
        return render(request, self.template_name, {"dossier": dossier, **context}, status=status)


class DossierEditView(_DossierView):
    permission = "commendations.edit_dossier"
    template_name = "commendations/dossier/edit.html"

    def get(self, request, pk):
        dossier = self.get_dossier(request, pk)
        form = DossierEditForm(initial={"version": dossier.version, "title": dossier.title, "kind": dossier.kind})
        return self.page(request, dossier, form=form)

    def post(self, request, pk):
        dossier = self.get_dossier(request, pk)
        form = DossierEditForm(request.POST)
        if form.is_valid():
            outcome = _run(
                request,
                lambda: services.dossier_update(
                    actor=request.user, dossier_id=dossier.pk, version=form.cleaned_data["version"],
                    title=form.cleaned_data["title"], kind=form.cleaned_data["kind"],
                ),
                success=_("The dossier was saved."),
                form=form,
            )
            if outcome == "ok":
                return redirect("commendations:dossier_detail", pk=dossier.pk)
            return self.page(request, dossier, status=STATUS[outcome], form=form)
        return self.page(request, dossier, status=400, form=form)


class DossierDeleteView(_DossierView):
    permission = "commendations.delete_dossier"
    template_name = "commendations/dossier/delete.html"

    def get(self, request, pk):
        dossier = self.get_dossier(request, pk)
        return self.page(request, dossier, form=ConfirmForm(initial={"version": dossier.version}))

    def post(self, request, pk):
        dossier = self.get_dossier(request, pk)
        form = ConfirmForm(request.POST)
        if form.is_valid():
            outcome = _run(
                request,
                lambda: services.dossier_delete(
                    actor=request.user, dossier_id=dossier.pk, version=form.cleaned_data["version"]
                ),
                success=_("The draft dossier was deleted."),
                form=form,
            )
            if outcome == "ok":
                return redirect("commendations:dossier_list")
            return self.page(request, dossier, status=STATUS[outcome], form=form)
        return self.page(request, dossier, status=400, form=form)


# --- The detail page --------------------------------------------------------------------------------


@dataclass
class NomineeRow:
    nominee: Nominee
    documents: list[DossierDocument]
    checks: list[explain.CheckRow] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    editable: bool = False


def _member_names(user, verdicts) -> dict[str, str]:
    """Names of the members a collective's verdicts name by id (members rated below the mark), among
    the people the user may see (one query, none when no verdict names anyone)."""
    ids: set[int] = set()

    def walk(check) -> None:
        ids.update(int(pk) for pk in (check.get("params") or {}).get("below") or () if str(pk).isdigit())
        for child in check.get("children") or ():
            walk(child)

    for verdict in verdicts:
        if verdict and isinstance(verdict.get("checks"), dict):
            walk(verdict["checks"])
    if not ids:
        return {}
    return {str(pk): name for pk, name in people_visible_to(user).filter(pk__in=ids).values_list("pk", "full_name")}


def _quota_lines(dossier: Dossier):
    """The unit's quotas for the year (only merit dossiers count toward them)."""
    if dossier.kind != AwardKind.MERIT:
        return None
    from commendations.quotas import quota_report

    return quota_report(unit=dossier.unit, year=dossier.year)


class DossierDetailView(_DossierView):
    template_name = "commendations/dossier/detail.html"

    def get(self, request, pk):
        dossier = self.get_dossier(request, pk)
        user = request.user
        nominees = list(
            dossier.nominees.select_related("person__unit", "unit", "award").prefetch_related(
                Prefetch("documents", queryset=DossierDocument.objects.order_by("kind", "pk"))
            )
        )
        names = selectors.award_names() if any(n.eligibility for n in nominees) else {}
        members = _member_names(user, [n.eligibility for n in nominees if n.unit_id])
        may_edit = user.has_perm("commendations.edit_dossier", dossier)
        rows = []
        for nominee in nominees:
            row = NomineeRow(nominee, list(nominee.documents.all()),
                             editable=may_edit and services.content_open(dossier, nominee))
            if nominee.eligibility:
                row.checks = explain.check_rows(nominee.eligibility, names=names, people=members)
                row.reasons = explain.failure_summary(nominee.eligibility, names=names, people=members)
            rows.append(row)
        context = {
            "rows": rows,
            "documents": list(dossier.documents.filter(nominee__isnull=True).order_by("kind", "pk")),
            "dossier_open": may_edit and services.content_open(dossier),
            "problems": (
                services.submission_problems(dossier) if user.has_perm("commendations.submit_dossier", dossier) else []
            ),
            "quota_lines": _quota_lines(dossier),
            "history": history_rows(history_for(dossier)[:50]),
        }
        return self.page(request, dossier, **context)


# --- Nominees ---------------------------------------------------------------------------------------


class NomineeAddView(_DossierView):
    permission = "commendations.edit_dossier"
    template_name = "commendations/dossier/nominee_form.html"

    def _form(self, request, dossier, data=None, files=None):
        people = (
            people_visible_to(request.user)
            .filter(is_active=True, unit__path__startswith=dossier.unit.path)
            .select_related("unit")
            .order_by("sort_key", "pk")
        )
        collectives = units_visible_to(request.user).filter(is_active=True, path__startswith=dossier.unit.path)
        return NomineeForm(
            data, files, people=people, collectives=collectives.order_by("path"), awards=_awards(),
            initial={"version": dossier.version},
        )

    def get(self, request, pk):
        dossier = self.get_dossier(request, pk)
        if not services.content_open(dossier):
            messages.error(request, _("Only the nominees returned for revision can be changed now."))
            return redirect("commendations:dossier_detail", pk=dossier.pk)
        return self.page(request, dossier, form=self._form(request, dossier))

    def post(self, request, pk):
        dossier = self.get_dossier(request, pk)
        form = self._form(request, dossier, request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, _("Please correct the fields marked below."))
            return self.page(request, dossier, status=400, form=form)
        data = form.cleaned_data
        person = data["person"] if data["subject"] == Subject.PERSON else None
        collective = data["collective"] if data["subject"] == Subject.COLLECTIVE else None
        outcome = _run(
            request,
            lambda: services.nominee_add(
                actor=request.user, dossier_id=dossier.pk, version=data["version"], award=data["award"],
                person=person, unit=collective, achievements=data["achievements"], report_file=data["report_file"],
            ),
            success=_("The nominee was added."),
            form=form,
        )
        if outcome == "ok":
            if "add_another" in request.POST:
                return redirect("commendations:nominee_add", pk=dossier.pk)
            return redirect("commendations:dossier_detail", pk=dossier.pk)
        return self.page(request, dossier, status=STATUS[outcome], form=form)


class NomineeEditView(_DossierView):
    permission = "commendations.edit_dossier"
    template_name = "commendations/dossier/nominee_edit.html"

    def get(self, request, pk, nominee_pk):
        dossier = self.get_dossier(request, pk)
        nominee = _nominee_of(dossier, nominee_pk)
        if not services.content_open(dossier, nominee):
            messages.error(request, _("Only the nominees returned for revision can be changed now."))
            return redirect("commendations:dossier_detail", pk=dossier.pk)
        form = NomineeEditForm(
            awards=_awards(),
            initial={"version": dossier.version, "award": nominee.award, "achievements": nominee.achievements},
        )
        return self.page(request, dossier, nominee=nominee, form=form)

    def post(self, request, pk, nominee_pk):
        dossier = self.get_dossier(request, pk)
        nominee = _nominee_of(dossier, nominee_pk)
        form = NomineeEditForm(request.POST, request.FILES, awards=_awards())
        if not form.is_valid():
            messages.error(request, _("Please correct the fields marked below."))
            return self.page(request, dossier, status=400, nominee=nominee, form=form)
        data = form.cleaned_data
        outcome = _run(
            request,
            lambda: services.nominee_update(
                actor=request.user, dossier_id=dossier.pk, version=data["version"], nominee_id=nominee.pk,
                award=data["award"], achievements=data["achievements"], report_file=data["report_file"],
            ),
            success=_("The nomination was saved."),
            form=form,
        )
        if outcome == "ok":
            return redirect("commendations:dossier_detail", pk=dossier.pk)
        return self.page(request, dossier, status=STATUS[outcome], nominee=nominee, form=form)


class NomineeRemoveView(_DossierView):
    permission = "commendations.edit_dossier"
    template_name = "commendations/dossier/nominee_remove.html"

    def get(self, request, pk, nominee_pk):
        dossier = self.get_dossier(request, pk)
        nominee = _nominee_of(dossier, nominee_pk)
        return self.page(request, dossier, nominee=nominee, form=ConfirmForm(initial={"version": dossier.version}))

    def post(self, request, pk, nominee_pk):
        dossier = self.get_dossier(request, pk)
        nominee = _nominee_of(dossier, nominee_pk)
        form = ConfirmForm(request.POST)
        if form.is_valid():
            outcome = _run(
                request,
                lambda: services.nominee_remove(
                    actor=request.user, dossier_id=dossier.pk, version=form.cleaned_data["version"],
                    nominee_id=nominee.pk,
                ),
                success=_("The nominee was removed from the dossier."),
                form=form,
            )
            if outcome == "ok":
                return redirect("commendations:dossier_detail", pk=dossier.pk)
            return self.page(request, dossier, status=STATUS[outcome], nominee=nominee, form=form)
        return self.page(request, dossier, status=400, nominee=nominee, form=form)


class NomineeAppraiseView(_DossierView):
    """The standing body's word on one nominee, next to the engine's verdict."""

    permission = "commendations.appraise_dossier"
    template_name = "commendations/dossier/appraise.html"

    def _page(self, request, dossier, nominee, form, status=200):
        names = selectors.award_names()
        members = _member_names(request.user, [nominee.eligibility] if nominee.unit_id else [])
        checks = explain.check_rows(nominee.eligibility, names=names, people=members) if nominee.eligibility else []
        reasons = (
            explain.failure_summary(nominee.eligibility, names=names, people=members) if nominee.eligibility else []
        )
        documents = list(nominee.documents.order_by("kind", "pk"))
        return self.page(request, dossier, status=status, nominee=nominee, form=form, checks=checks, reasons=reasons,
                         nominee_documents=documents)

    def get(self, request, pk, nominee_pk):
        dossier = self.get_dossier(request, pk)
        nominee = _nominee_of(dossier, nominee_pk)
        initial = {"version": dossier.version, "note": nominee.appraisal_note}
        if nominee.state in services.APPRAISED_STATES:
            initial["decision"] = "accept" if nominee.state == NomineeState.ACCEPTED else "exclude"
        return self._page(request, dossier, nominee, AppraiseForm(initial=initial))

    def post(self, request, pk, nominee_pk):
        dossier = self.get_dossier(request, pk)
        nominee = _nominee_of(dossier, nominee_pk)
        form = AppraiseForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Please correct the fields marked below."))
            return self._page(request, dossier, nominee, form, status=400)
        data = form.cleaned_data
        outcome = _run(
            request,
            lambda: services.nominee_appraise(
                actor=request.user, dossier_id=dossier.pk, version=data["version"], nominee_id=nominee.pk,
                decision=data["decision"], note=data["note"],
            ),
            success=_("The appraisal of %(nominee)s was recorded.") % {"nominee": nominee.name},
            form=form,
        )
        if outcome == "ok":
            return redirect(reverse("commendations:dossier_detail", args=[dossier.pk]) + f"#nominee-{nominee.pk}")
        return self._page(request, dossier, nominee, form, status=STATUS[outcome])


# --- Papers -----------------------------------------------------------------------------------------


class DocumentUploadView(_DossierView):
    permission = "commendations.edit_dossier"
    template_name = "commendations/dossier/document_form.html"

    def _nominees(self, dossier):
        nominees = dossier.nominees.select_related("person", "unit", "award")
        if not services.content_open(dossier):
            nominees = nominees.filter(state=NomineeState.RETURNED)
        return nominees

    def get(self, request, pk):
        dossier = self.get_dossier(request, pk)
        nominees = self._nominees(dossier)
        initial = {"version": dossier.version}
        chosen = request.GET.get("nominee", "")
        if chosen.isdigit() and nominees.filter(pk=int(chosen)).exists():
            initial["nominee"] = int(chosen)
            initial["kind"] = "achievement_report"
        return self.page(request, dossier, form=DocumentForm(initial=initial, nominees=nominees))

    def post(self, request, pk):
        dossier = self.get_dossier(request, pk)
        form = DocumentForm(request.POST, request.FILES, nominees=self._nominees(dossier))
        if not form.is_valid():
            messages.error(request, _("The file was not attached. Correct the fields marked below; "
                                      "choose the file again, the browser does not keep it."))
            return self.page(request, dossier, status=400, form=form)
        data = form.cleaned_data
        outcome = _run(
            request,
            lambda: services.document_upload(
                actor=request.user, dossier_id=dossier.pk, version=data["version"], kind=data["kind"],
                file=data["file"], nominee_id=data["nominee"].pk if data["nominee"] else None,
            ),
            success=_("The file was attached."),
            form=form,
        )
        if outcome == "ok":
            if "add_another" in request.POST:
                return redirect("commendations:document_upload", pk=dossier.pk)
            return redirect("commendations:dossier_detail", pk=dossier.pk)
        return self.page(request, dossier, status=STATUS[outcome], form=form)


@login_required
def document_download(request, pk, document_pk):
    """A paper of a dossier the user can see (404 otherwise), through the permission-checked response."""
    dossier = _visible_dossier(request.user, pk)
    document = get_object_or_404(DossierDocument, pk=document_pk, dossier=dossier)
    return file_response(document.file)


class DocumentDeleteView(_DossierView):
    permission = "commendations.edit_dossier"
    template_name = "commendations/dossier/document_delete.html"

    def _document(self, dossier, document_pk):
        return get_object_or_404(
            DossierDocument.objects.select_related("nominee__person", "nominee__unit"), pk=document_pk, dossier=dossier
        )

    def get(self, request, pk, document_pk):
        dossier = self.get_dossier(request, pk)
        document = self._document(dossier, document_pk)
        return self.page(request, dossier, document=document, form=ConfirmForm(initial={"version": dossier.version}))

    def post(self, request, pk, document_pk):
        dossier = self.get_dossier(request, pk)
        document = self._document(dossier, document_pk)
        form = ConfirmForm(request.POST)
        if form.is_valid():
            outcome = _run(
                request,
                lambda: services.document_delete(
                    actor=request.user, dossier_id=dossier.pk, version=form.cleaned_data["version"],
                    document_id=document.pk,
                ),
                success=_("The file was removed."),
                form=form,
            )
            if outcome == "ok":
                return redirect("commendations:dossier_detail", pk=dossier.pk)
            return self.page(request, dossier, status=STATUS[outcome], document=document, form=form)
        return self.page(request, dossier, status=400, document=document, form=form)


# --- Transitions ------------------------------------------------------------------------------------

SUCCESS = {
    "submit": gettext_lazy("The dossier was submitted to the unit leader."),
    "send_back": gettext_lazy("The dossier was sent back to draft."),
    "approve": gettext_lazy("The dossier was approved and sent to the standing body."),
    "start_appraisal": gettext_lazy("The appraisal started; the eligibility check is attached to each nominee."),
    "send_to_council": gettext_lazy("The dossier was sent to the council."),
    "reject": gettext_lazy("The dossier was marked as not approved."),
}


class DossierTransitionView(_DossierView):
    """A confirmation page (GET) and the move itself (POST) for every transition but the return,
    which has its own form (DossierReturnView)."""

    template_name = "commendations/dossier/transition.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        action = kwargs.get("action")
        if action == "return":
            return redirect("commendations:dossier_return", pk=kwargs["pk"])
        if action not in services.TRANSITIONS:
            raise Http404
        self.transition = services.TRANSITIONS[action]
        self.permission = self.transition.permission
        return super().dispatch(request, *args, **kwargs)

    def _form(self, dossier, action, data=None):
        meetings = None
        if action == "send_to_council":
            meetings = CouncilMeeting.objects.filter(state=MeetingState.OPEN).order_by("held_on", "pk")
        return TransitionForm(
            data, action=action, needs_reason=self.transition.needs_reason, meetings=meetings,
            initial={"version": dossier.version},
        )

    def _page(self, request, dossier, action, form, status=200):
        context = {"action": action, "form": form, "quota_lines": None}
        if action in ("submit", "approve"):
            context["quota_lines"] = _quota_lines(dossier)
        if action == "submit":
            context["problems"] = services.submission_problems(dossier)
        if action == "send_to_council":
            context["nominees"] = list(dossier.nominees.select_related("person", "unit", "award"))
        return self.page(request, dossier, status=status, **context)

    def get(self, request, pk, action):
        dossier = self.get_dossier(request, pk)
        return self._page(request, dossier, action, self._form(dossier, action))

    def post(self, request, pk, action):
        dossier = self.get_dossier(request, pk)
        form = self._form(dossier, action, request.POST)
        if not form.is_valid():
            messages.error(request, _("Please correct the fields marked below."))
            return self._page(request, dossier, action, form, status=400)
        data = form.cleaned_data
        meeting = data.get("meeting")
        outcome = _run(
            request,
            lambda: services.dossier_transition(
                actor=request.user, dossier_id=dossier.pk, action=action, version=data["version"],
                reason=data.get("reason", ""), meeting_id=meeting.pk if meeting else None,
            ),
            success=str(SUCCESS[action]),
            form=form,
        )
        if outcome == "ok":
            return redirect("commendations:dossier_detail", pk=dossier.pk)
        dossier.refresh_from_db()
        return self._page(request, dossier, action, form, status=STATUS[outcome])


class DossierReturnView(_DossierView):
    """Trả lại hồ sơ: the whole dossier, or chosen nominees each with its reason."""

    permission = "commendations.return_dossier"
    template_name = "commendations/dossier/return.html"

    def _form(self, dossier, data=None):
        nominees = dossier.nominees.select_related("person", "unit", "award")
        return ReturnForm(data, nominees=nominees, initial={"version": dossier.version})

    def get(self, request, pk):
        dossier = self.get_dossier(request, pk)
        return self.page(request, dossier, form=self._form(dossier))

    def post(self, request, pk):
        dossier = self.get_dossier(request, pk)
        form = self._form(dossier, request.POST)
        if not form.is_valid():
            messages.error(request, _("Please correct the fields marked below."))
            return self.page(request, dossier, status=400, form=form)
        data = form.cleaned_data
        outcome = _run(
            request,
            lambda: services.dossier_return(
                actor=request.user, dossier_id=dossier.pk, version=data["version"], reason=data["reason"],
                returns=form.returns(), whole=data["whole"],
            ),
            success=_("The dossier was returned to the unit for revision."),
            form=form,
        )
        if outcome == "ok":
            return redirect("commendations:dossier_detail", pk=dossier.pk)
        return self.page(request, dossier, status=STATUS[outcome], form=form)


class RefreshEligibilityView(_DossierView):
    """POST only: run the eligibility checks again (after the history was corrected)."""

    permission = "commendations.appraise_dossier"

    def post(self, request, pk):
        dossier = self.get_dossier(request, pk)
        form = ConfirmForm(request.POST)
        version = form.cleaned_data["version"] if form.is_valid() else 0
        _run(
            request,
            lambda: services.dossier_refresh_eligibility(actor=request.user, dossier_id=dossier.pk, version=version),
            success=_("The eligibility of the nominees was checked again."),
        )
        return redirect("commendations:dossier_detail", pk=dossier.pk)


urlpatterns = [
    path("dossiers/", DossierListView.as_view(), name="dossier_list"),
    path("dossiers/new/", DossierCreateView.as_view(), name="dossier_create"),
    path("dossiers/<int:pk>/", DossierDetailView.as_view(), name="dossier_detail"),
    path("dossiers/<int:pk>/edit/", DossierEditView.as_view(), name="dossier_edit"),
    path("dossiers/<int:pk>/delete/", DossierDeleteView.as_view(), name="dossier_delete"),
    path("dossiers/<int:pk>/do/<str:action>/", DossierTransitionView.as_view(), name="dossier_transition"),
    path("dossiers/<int:pk>/return/", DossierReturnView.as_view(), name="dossier_return"),
    path("dossiers/<int:pk>/eligibility/", RefreshEligibilityView.as_view(), name="dossier_refresh_eligibility"),
    path("dossiers/<int:pk>/nominees/new/", NomineeAddView.as_view(), name="nominee_add"),
    path("dossiers/<int:pk>/nominees/<int:nominee_pk>/edit/", NomineeEditView.as_view(), name="nominee_edit"),
    path("dossiers/<int:pk>/nominees/<int:nominee_pk>/remove/", NomineeRemoveView.as_view(), name="nominee_remove"),
    path(
        "dossiers/<int:pk>/nominees/<int:nominee_pk>/appraise/", NomineeAppraiseView.as_view(), name="nominee_appraise"
    ),
    path("dossiers/<int:pk>/documents/new/", DocumentUploadView.as_view(), name="document_upload"),
    path("dossiers/<int:pk>/documents/<int:document_pk>/", document_download, name="document_download"),
    path(
        "dossiers/<int:pk>/documents/<int:document_pk>/delete/", DocumentDeleteView.as_view(), name="document_delete"
    ),
]
