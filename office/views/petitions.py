"""Voters' petition pages (kiến nghị cử tri): batches, a batch's petitions, one petition and its answer.

Every batch is visible to anyone with a role; its petitions only within the user's scope
(outside it: 404). Opening batches and recording petitions is the Office's job; answering is the
lead unit's (or the Office's): visible but not allowed answers 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from office import selectors, selectors_petitions, services_petitions
from office.forms_petitions import PetitionAnswerForm, PetitionBatchForm, PetitionFilter, PetitionForm
from office.models import Petition, PetitionBatch
from office.services import OfficeError
from office.views.common import require, run_service, visible_or_404
from portal.audit import history_for, history_rows
from portal.selectors import units_visible_to
from portal.services import StaleVersionError
from portal.views import paginate


class PetitionBatchListView(LoginRequiredMixin, TemplateView):
    """Các đợt kiến nghị cử tri, newest first, with the counts of the user's petitions."""

    template_name = "office/petition/batch_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        batches = selectors_petitions.batch_list_queryset(user=self.request.user)
        page = paginate(self.request, batches)
        batches = list(page.object_list)
        dues = services_petitions.report_dues([batch.next_session_on for batch in batches])
        for batch, due in zip(batches, dues, strict=True):
            batch.report_due = due
        context.update(page_obj=page, today=timezone.localdate())
        return context


class PetitionBatchCreateView(LoginRequiredMixin, View):
    template_name = "office/petition/batch_form.html"

    def get(self, request):
        require(request.user, "office.add_petition", None)
        return render(request, self.template_name, {"form": PetitionBatchForm()})

    def post(self, request):
        require(request.user, "office.add_petition", None)
        form = PetitionBatchForm(request.POST)
        if form.is_valid():
            created = {}

            def create():
                created["batch"] = services_petitions.petition_batch_create(actor=request.user, **form.cleaned_data)

            if run_service(request, create, success=_("The petition batch was opened.")):
                return redirect("office:petition_batch_detail", pk=created["batch"].pk)
        else:
            messages.error(request, _("Please correct the fields marked below."))
        return render(request, self.template_name, {"form": form}, status=400)


class PetitionBatchDetailView(LoginRequiredMixin, TemplateView):
    """A batch and the petitions of it the user may see: filters, search, overdue flags."""

    template_name = "office/petition/batch_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        batch = visible_or_404(selectors.batches_visible_to(user), self.kwargs["pk"])
        today = timezone.localdate()
        petitions = selectors_petitions.petition_list_queryset(user=user, batch=batch, today=today)
        petition_filter = PetitionFilter(
            self.request.GET or None,
            queryset=petitions,
            units=units_visible_to(user).filter(is_active=True).order_by("path"),
        )
        shown = petition_filter.qs if petition_filter.is_bound else petitions
        context.update(
            batch=batch,
            filter=petition_filter,
            sort=self.request.GET.get("sort", ""),
            page_obj=paginate(self.request, shown),
            counts=selectors_petitions.classification_counts(
                selectors.petitions_visible_to(user).filter(batch=batch), today
            ),
            report_due=services_petitions.report_due(batch.next_session_on),
            today=today,
        )
        return context


class PetitionCreateView(LoginRequiredMixin, View):
    template_name = "office/petition/form.html"

    def _batch(self, request, pk) -> PetitionBatch:
        batch = visible_or_404(selectors.batches_visible_to(request.user), pk)
        require(request.user, "office.add_petition", batch)
        return batch

    def get(self, request, pk):
        batch = self._batch(request, pk)
        return render(request, self.template_name, {"form": PetitionForm(batch=batch), "batch": batch})

    def post(self, request, pk):
        batch = self._batch(request, pk)
        form = PetitionForm(request.POST, batch=batch)
        if form.is_valid():
            created = {}

            def create():
                created["petition"] = services_petitions.petition_create(actor=request.user, batch=batch, **form.cleaned_data)

            if run_service(
                request,
                create,
                success=_("The petition was recorded; the lead unit's leaders have been notified."),
            ):
                if "add_another" in request.POST:
                    return redirect("office:petition_create", pk=batch.pk)
                return redirect("office:petition_detail", pk=created["petition"].pk)
        else:
            messages.error(request, _("Please correct the fields marked below."))
        return render(request, self.template_name, {"form": form, "batch": batch}, status=400)


class PetitionDetailView(LoginRequiredMixin, TemplateView):
    template_name = "office/petition/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        petition = visible_or_404(selectors_petitions.petition_detail_queryset(user=self.request.user), self.kwargs["pk"])
        context.update(
            petition=petition,
            batch=petition.batch,
            report_due=services_petitions.report_due(petition.batch.next_session_on),
            history=history_rows(history_for(petition)[:50]),
        )
        return context


class PetitionAnswerView(LoginRequiredMixin, View):
    """Trả lời kiến nghị: record or correct the answer; a concurrent answer is shown, not overwritten."""

    template_name = "office/petition/answer.html"

    def _petition(self, request, pk) -> Petition:
        petition = visible_or_404(selectors_petitions.petition_detail_queryset(user=request.user), pk)
        require(request.user, "office.answer_petition", petition)
        return petition

    def get(self, request, pk):
        petition = self._petition(request, pk)
        answered = petition.classification != "unanswered"
        initial = {
            "version": petition.version,
            "classification": petition.classification if answered else None,
            "answer_text": petition.answer_text,
            "answered_on": petition.answered_on or timezone.localdate(),
            "roadmap": petition.roadmap,
            "roadmap_deadline": petition.roadmap_deadline,
        }
        return self._render(PetitionAnswerForm(initial=initial, petition=petition), petition)

    def post(self, request, pk):
        petition = self._petition(request, pk)
        form = PetitionAnswerForm(request.POST, request.FILES, petition=petition)
        if not form.is_valid():
            messages.error(request, _("Please correct the fields marked below."))
            return self._render(form, petition, status=400)
        data = form.cleaned_data
        try:
            services_petitions.petition_answer(
                actor=request.user,
                petition_id=petition.pk,
                version=data["version"],
                classification=data["classification"],
                answer_text=data["answer_text"],
                answered_on=data["answered_on"],
                answer_file=data["answer_file"],
                roadmap=data["roadmap"],
                roadmap_deadline=data["roadmap_deadline"],
            )
        except OfficeError as error:
            messages.error(request, str(error))
            return self._render(form, petition, status=400)
        except StaleVersionError as conflict:
            current = conflict.current
            text = _(
                "Someone else answered this petition while you were writing. Their answer is shown above and "
                "yours is kept below; check both and save again to replace theirs."
            )
            if data["answer_file"]:
                text += " " + _("Attach your file again: browsers do not keep a chosen file.")
            messages.error(request, text)
            form = PetitionAnswerForm(
                data={**request.POST.dict(), "version": current.version}, petition=petition
            )
            form.is_valid()
            return self._render(form, petition, status=409, current=current)
        messages.success(request, _("The answer to petition %(code)s was saved.") % {"code": petition.code})
        return redirect("office:petition_detail", pk=petition.pk)

    def _render(self, form, petition, status=200, current=None):
        return render(
            self.request,
            self.template_name,
            {"form": form, "petition": petition, "batch": petition.batch, "current": current},
            status=status,
        )
