"""URLs of the emulation area. Views live in emulation/views/<topic>.py."""

from django.urls import path

from emulation.views import appraisal, campaigns, files, results, schemes, scorecards

app_name = "emulation"
urlpatterns = [
    # campaigns (emulation/views/campaigns.py)
    path("", campaigns.CampaignListView.as_view(), name="home"),
    path("campaigns/new/", campaigns.CampaignCreateView.as_view(), name="campaign_create"),
    path("campaigns/<int:pk>/", campaigns.CampaignDetailView.as_view(), name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", campaigns.CampaignEditView.as_view(), name="campaign_edit"),
    path(
        "campaigns/<int:pk>/transition/<str:action>/",
        campaigns.CampaignTransitionView.as_view(),
        name="campaign_transition",
    ),
    path("campaigns/<int:pk>/register/", campaigns.CampaignRegisterView.as_view(), name="campaign_register"),
    # evidence downloads, through a permission check (emulation/views/files.py)
    path("evidence/<int:pk>/file/", files.evidence_file, name="evidence_file"),
    # schemes (emulation/views/schemes.py)
    path("schemes/", schemes.SchemeListView.as_view(), name="scheme_list"),
    path("schemes/new/", schemes.SchemeCreateView.as_view(), name="scheme_create"),
    path("schemes/import/", schemes.SchemeImportView.as_view(), name="scheme_import"),
    path("schemes/clone/", schemes.SchemeCloneView.as_view(), name="scheme_clone"),
    path("schemes/<int:pk>/", schemes.SchemeDetailView.as_view(), name="scheme_detail"),
    path("schemes/<int:pk>/edit/", schemes.SchemeEditView.as_view(), name="scheme_edit"),
    path("schemes/<int:pk>/rules/", schemes.SchemeRulesView.as_view(), name="scheme_rules"),
    path("schemes/<int:pk>/validate/", schemes.SchemeValidateView.as_view(), name="scheme_validate"),
    path("schemes/<int:pk>/new-version/", schemes.SchemeNewVersionView.as_view(), name="scheme_new_version"),
    path("schemes/<int:pk>/export.json", schemes.SchemeExportJsonView.as_view(), name="scheme_export_json"),
    path("schemes/<int:pk>/export.xlsx", schemes.SchemeExportExcelView.as_view(), name="scheme_export_excel"),
    path("schemes/<int:pk>/lines/new/", schemes.NodeCreateView.as_view(), name="node_create"),
    path("schemes/lines/<int:pk>/edit/", schemes.NodeEditView.as_view(), name="node_edit"),
    path("schemes/lines/<int:pk>/move/", schemes.NodeMoveView.as_view(), name="node_move"),
    path("schemes/lines/<int:pk>/delete/", schemes.NodeDeleteView.as_view(), name="node_delete"),
    # scorecards: self-scoring, evidence, submission, Excel (emulation/views/scorecards.py)
    path("scorecards/<int:pk>/", scorecards.ScorecardDetailView.as_view(), name="scorecard_detail"),
    path("scorecards/<int:pk>/save/", scorecards.ScorecardSaveView.as_view(), name="scorecard_save"),
    path("scorecards/<int:pk>/submit/", scorecards.ScorecardSubmitView.as_view(), name="scorecard_submit"),
    path("scorecards/<int:pk>/export/", scorecards.ScorecardExportView.as_view(), name="scorecard_export"),
    path("scorecards/<int:pk>/import/", scorecards.ScorecardImportView.as_view(), name="scorecard_import"),
    path("lines/<int:pk>/evidence/", scorecards.LineEvidenceView.as_view(), name="line_evidence"),
    path("evidence/<int:pk>/delete/", scorecards.EvidenceDeleteView.as_view(), name="evidence_delete"),
    # appraisal, results, what-if (emulation/views/appraisal.py, emulation/views/results.py)
    path("scorecards/<int:pk>/appraise/", appraisal.ScorecardAppraiseView.as_view(), name="scorecard_appraise"),
    path("lines/<int:pk>/appraise/", appraisal.LineAppraiseView.as_view(), name="line_appraise"),
    path(
        "scorecards/<int:pk>/send-appraisal/",
        appraisal.ScorecardSendAppraisalView.as_view(),
        name="scorecard_send_appraisal",
    ),
    path("scorecards/<int:pk>/respond/", appraisal.ScorecardRespondView.as_view(), name="scorecard_respond"),
    path("lines/<int:pk>/respond/", appraisal.LineRespondView.as_view(), name="line_respond"),
    path("scorecards/<int:pk>/finalise/", appraisal.ScorecardFinaliseView.as_view(), name="scorecard_finalise"),
    path("campaigns/<int:pk>/results/", results.CampaignResultsView.as_view(), name="campaign_results"),
    path("campaigns/<int:pk>/results/export/", results.CampaignResultsExportView.as_view(), name="campaign_results_export"),
    path("scorecards/<int:pk>/result/", results.ResultDetailView.as_view(), name="result_detail"),
    path("schemes/what-if/", results.SchemeWhatIfView.as_view(), name="scheme_whatif"),
]
