"""The certificate calibration page (căn chỉnh phôi bằng khen, giấy khen): the blank types, editing
where each variable text goes on one (millimetres, font sizes, the printer's shift, the awards printed
on it), and a test page — the sample texts over a millimetre grid — to hold against a blank. The test
page is one sheet, rendered in the request; a decision's certificates go through the report jobs
(commendations.documents, kind "commendations.certificates").

Emulation officers and administrators calibrate (commendations.certificates.MANAGE_PERMISSION)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from commendations.certificates import MANAGE_PERMISSION, NEW_LAYOUT_FIELDS, layout_save, validation_messages
from commendations.documents import calibration_page_document, sheet_for
from commendations.forms_certificates import LayoutEditor
from commendations.models import Award, CertificateLayout, CertificateLayoutAward
from commendations.services import CommendationsError
from commendations.views.common import require
from portal.audit import history_for, history_rows
from portal.documents.render import pdf_filename, render_pdf
from portal.services import StaleVersionError
from portal.views import paginate


def pdf_response(document) -> HttpResponse:
    """The test page, opened in the browser (inline) to be printed on a blank."""
    rendered = render_pdf(document)
    response = HttpResponse(rendered.pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{pdf_filename(document)}"'
    response["Cache-Control"] = "no-store"
    return response


def _layouts():
    return CertificateLayout.objects.select_related("updated_by__person").prefetch_related(
        Prefetch("award_links", queryset=CertificateLayoutAward.objects.select_related("award").order_by("award__position"))
    )


class LayoutListView(LoginRequiredMixin, TemplateView):
    """The blank types, the awards printed on each, and the awards no blank is set for."""

    template_name = "commendations/certificate/list.html"

    def get_context_data(self, **kwargs):
        require(self.request.user, MANAGE_PERMISSION)
        context = super().get_context_data(**kwargs)
        context["page_obj"] = paginate(self.request, _layouts().order_by("-is_active", "name"))
        context["without_blank"] = list(
            Award.objects.filter(is_active=True, certificate_layout_links__isnull=True).order_by("position", "code")
        )
        return context


def _first_award_name(layout: CertificateLayout | None) -> str:
    if layout is None or layout.pk is None:
        return ""
    link = layout.award_links.select_related("award").order_by("award__position").first()
    return link.award.name if link else ""


class LayoutEditMixin(LoginRequiredMixin):
    template_name = "commendations/certificate/edit.html"

    def page(self, editor: LayoutEditor, layout: CertificateLayout | None, *, status: int = 200):
        context = {
            "editor": editor,
            "form": editor.form,
            "rows": editor.rows,
            "layout": layout,
            "preview": sheet_for(layout, {}) if layout is not None and not editor.form.is_bound else None,
            "history": history_rows(history_for(layout)[:30]) if layout is not None else [],
        }
        return render(self.request, self.template_name, context, status=status)

    def handle(self, request, layout: CertificateLayout | None):
        editor = LayoutEditor(request.POST, layout=layout)
        if not editor.is_valid():
            messages.error(request, _("Please correct the fields marked below; nothing was saved."))
            return self.page(editor, layout, status=400)
        if request.POST.get("action") == "test":
            # A test print of what is typed, before saving it: the calibration loop is
            # print, hold against a blank, adjust, print again.
            unsaved = editor.unsaved_layout()
            return pdf_response(calibration_page_document(unsaved, award_name=_first_award_name(layout)))
        try:
            saved = layout_save(
                actor=request.user, layout_id=layout.pk if layout else None, version=editor.version,
                data=editor.layout_data(), fields=editor.fields_value(), award_ids=editor.award_ids(),
            )
        except StaleVersionError:
            messages.error(
                request,
                _("Someone else changed this blank type while you were working on it. Reload the page to see "
                  "their positions; what you typed is kept below."),
            )
            return self.page(editor, layout, status=409)
        except (CommendationsError, ValidationError) as error:
            for message in validation_messages(error) if isinstance(error, ValidationError) else [str(error)]:
                messages.error(request, message)
            return self.page(editor, layout, status=400)
        messages.success(request, _("The positions were saved. Print a test page to check them on a blank."))
        return redirect("commendations:certificate_layout_edit", pk=saved.pk)


class LayoutCreateView(LayoutEditMixin, View):
    def get(self, request):
        require(request.user, MANAGE_PERMISSION)
        return self.page(LayoutEditor(layout=None).with_fields(NEW_LAYOUT_FIELDS), None)

    def post(self, request):
        require(request.user, MANAGE_PERMISSION)
        return self.handle(request, None)


class LayoutEditView(LayoutEditMixin, View):
    def layout(self, request, pk) -> CertificateLayout:
        require(request.user, MANAGE_PERMISSION)
        return get_object_or_404(CertificateLayout, pk=pk)

    def get(self, request, pk):
        layout = self.layout(request, pk)
        return self.page(LayoutEditor(layout=layout), layout)

    def post(self, request, pk):
        return self.handle(request, self.layout(request, pk))


class LayoutTestPrintView(LoginRequiredMixin, View):
    """The saved layout's test page (sample texts over a millimetre grid), as a PDF."""

    def get(self, request, pk):
        require(request.user, MANAGE_PERMISSION)
        layout = get_object_or_404(CertificateLayout, pk=pk)
        return pdf_response(calibration_page_document(layout, award_name=_first_award_name(layout)))


urlpatterns = [
    path("certificates/", LayoutListView.as_view(), name="certificate_layouts"),
    path("certificates/new/", LayoutCreateView.as_view(), name="certificate_layout_create"),
    path("certificates/<int:pk>/", LayoutEditView.as_view(), name="certificate_layout_edit"),
    path("certificates/<int:pk>/test-page/", LayoutTestPrintView.as_view(), name="certificate_layout_test"),
]
