"""Results pages (kết quả thi đua): the ranking per cluster with its Excel export, one unit's
results line by line with who changed what, and the what-if run of a draft scheme."""

from __future__ import annotations

import tempfile

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import get_object_or_404, render
from django.utils.text import slugify
from django.views import View

from emulation.results_excel import XLSX_CONTENT_TYPE, results_workbook
from emulation.selectors import campaigns_visible_to
from emulation.selectors_results import (
    draft_schemes,
    line_changes,
    result_scorecards_visible_to,
    results_are_public,
    results_for,
    scored_table,
    whatif_campaigns,
    whatif_run,
)
from portal.params import parse_int
from portal.text import fold


def _require(user, perm: str, obj=None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(perm)


def _campaign(request, pk):
    campaign = get_object_or_404(campaigns_visible_to(request.user).select_related("scheme"), pk=pk)
    _require(request.user, "emulation.view_results", campaign)
    return campaign


class CampaignResultsView(LoginRequiredMixin, View):
    """Kết quả chấm điểm: per cluster the ranking, grades, section breakdown and self vs appraised.

    Officers, council members and administrators see it while the appraisal runs; everyone with
    a role once the results are published.
    """

    template_name = "emulation/results/campaign.html"

    def get(self, request, pk):
        campaign = _campaign(request, pk)
        results = results_for(campaign, user=request.user)
        return render(
            request,
            self.template_name,
            {"campaign": campaign, "results": results, "published": results_are_public(campaign)},
        )


class CampaignResultsExportView(LoginRequiredMixin, View):
    """The ranking as .xlsx, with the columns of the results page."""

    def get(self, request, pk):
        campaign = _campaign(request, pk)
        workbook = results_workbook(results_for(campaign))
        buffer = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - FileResponse closes it
        workbook.save(buffer)
        buffer.seek(0)
        name = slugify(fold(campaign.name))[:60] or "ket-qua"
        return FileResponse(buffer, as_attachment=True, filename=f"ket-qua-{name}.xlsx", content_type=XLSX_CONTENT_TYPE)


class ResultDetailView(LoginRequiredMixin, View):
    """One unit's results: every line self vs appraised with the reason, the unit's explanation and
    how the score was reached, then who changed what (from the audit log)."""

    template_name = "emulation/results/detail.html"

    def get(self, request, pk):
        scorecard = get_object_or_404(
            result_scorecards_visible_to(request.user).select_related("campaign__scheme", "unit"), pk=pk
        )
        _require(request.user, "emulation.view_results", scorecard.campaign)
        table = scored_table(scorecard)
        return render(
            request,
            self.template_name,
            {
                "scorecard": scorecard,
                "campaign": scorecard.campaign,
                "table": table,
                "changes": line_changes(scorecard, codes=table.codes),
                "published": results_are_public(scorecard.campaign),
            },
        )


class SchemeWhatIfView(LoginRequiredMixin, View):
    """Chạy thử: a draft scheme over a past campaign's submitted scorecards, old vs new per cluster."""

    template_name = "emulation/results/whatif.html"

    def get(self, request):
        _require(request.user, "emulation.manage_schemes")
        drafts = list(draft_schemes())
        campaigns = list(whatif_campaigns())
        draft_id, campaign_id = parse_int(request.GET.get("scheme")), parse_int(request.GET.get("campaign"))
        draft = next((scheme for scheme in drafts if scheme.pk == draft_id), None)
        campaign = next((campaign for campaign in campaigns if campaign.pk == campaign_id), None)
        invalid = bool((request.GET.get("scheme") and draft is None) or (request.GET.get("campaign") and campaign is None))
        if not invalid:
            if draft is None and len(drafts) == 1:
                draft = drafts[0]
            if campaign is None and draft is not None:
                # last year's campaign by default: the latest one before the draft's year, else the latest
                campaign = next((c for c in campaigns if c.year < draft.year), campaigns[0] if campaigns else None)
        run = whatif_run(draft=draft, campaign=campaign) if draft and campaign and not invalid else None
        return render(
            request,
            self.template_name,
            {"drafts": drafts, "campaigns": campaigns, "draft": draft, "campaign": campaign, "run": run, "invalid": invalid},
            status=400 if invalid else 200,
        )
