"""Lấy ý kiến nhân dân: the public page (no login) listing the state-level nominees whose dossier is in
its comment period, and the form anyone may use to comment on one of them while the period runs."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from commendations import council
from commendations.forms_council import PublicCommentForm
from commendations.services import CommendationsError
from portal.security import client_ip
from portal.text import SEARCH_MAX_LENGTH, search_terms
from portal.views import paginate


def _open_nominees():
    return council.comment_open_nominees(timezone.localdate()).select_related(
        "award", "person__unit", "unit", "dossier__unit"
    )


class PublicCommentListView(TemplateView):
    """Who is proposed for a state-level award and until when comments are received; searchable by
    name with or without diacritics."""

    template_name = "commendations/public/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = (self.request.GET.get("q") or "")[:SEARCH_MAX_LENGTH]
        nominees = _open_nominees().order_by("dossier__comments_until", "dossier_id", "position", "pk")
        for term in search_terms(query):
            nominees = nominees.filter(search_text__contains=term)
        context.update(page_obj=paginate(self.request, nominees), query=query)
        return context


def _client_key(request) -> str:
    # The sender's address as the login throttle sees it (portal.security.client_ip): behind the
    # reverse proxy, the address our proxy recorded, never a header the sender could forge.
    return client_ip(request) or "unknown"


class PublicCommentCreateView(View):
    template_name = "commendations/public/comment.html"

    def _nominee(self, pk):
        return get_object_or_404(_open_nominees(), pk=pk)

    def get(self, request, pk):
        return render(request, self.template_name, {"nominee": self._nominee(pk), "form": PublicCommentForm()})

    def post(self, request, pk):
        nominee = self._nominee(pk)
        form = PublicCommentForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                council.public_comment_add(
                    nominee_id=nominee.pk, name=data["name"], contact=data["contact"], body=data["body"],
                    client_key=_client_key(request),
                )
            except CommendationsError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("Thank you: your comment on %(name)s was recorded and will be read by the "
                                            "emulation and commendation council.") % {"name": nominee.name})
                return redirect("commendations:public_comments")
        else:
            messages.error(request, _("Your comment was not sent; please correct the fields marked below."))
        return render(request, self.template_name, {"nominee": nominee, "form": form}, status=400)


urlpatterns = [
    path("public/comments/", PublicCommentListView.as_view(), name="public_comments"),
    path("public/comments/<int:pk>/", PublicCommentCreateView.as_view(), name="public_comment_create"),
]
