"""URLs of the commendation area. Views live in commendations/views/<topic>.py; the workflow topics
(dossiers, council, decisions, the public comment page, registrations, search, elections,
certificates) each declare their own ``urlpatterns`` next to their views, added here."""

from django.urls import path

from commendations.views import (
    catalogue,
    certificates,
    council,
    decisions,
    dossiers,
    elections,
    eligibility,
    history_import,
    public,
    registrations,
    search,
    timelines,
)

app_name = "commendations"
urlpatterns = [
    # the award catalogue (commendations/views/catalogue.py)
    path("", catalogue.AwardListView.as_view(), name="home"),
    path("awards/<int:pk>/", catalogue.AwardDetailView.as_view(), name="award_detail"),
    path("awards/<int:pk>/edit/", catalogue.AwardEditView.as_view(), name="award_edit"),
    # timelines (commendations/views/timelines.py)
    path("people/<int:person_id>/history/", timelines.PersonHistoryView.as_view(), name="person_history"),
    path("units/<int:unit_id>/history/", timelines.UnitHistoryView.as_view(), name="unit_history"),
    # who is eligible (commendations/views/eligibility.py)
    path("eligibility/", eligibility.EligibilityView.as_view(), name="eligibility"),
    # history from Excel (commendations/views/history_import.py)
    path("history/import/", history_import.HistoryImportView.as_view(), name="history_import"),
    path(
        "history/import/template/<str:table>/",
        history_import.HistoryTemplateView.as_view(),
        name="history_import_template",
    ),
]


# Each topic module declares its own url list next to its views.
for _topic in (dossiers, council, decisions, public, registrations, search, elections, certificates):
    urlpatterns += _topic.urlpatterns
