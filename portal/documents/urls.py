"""URLs of the printed documents, under /reports/."""

from django.urls import path

from portal.documents import views

app_name = "reports"

urlpatterns = [
    path("", views.ReportHomeView.as_view(), name="home"),
    path("jobs/<int:pk>/", views.ReportJobView.as_view(), name="job"),
    path("jobs/<int:pk>/status/", views.ReportJobStatusView.as_view(), name="job_status"),
    path("jobs/<int:pk>/pdf/", views.ReportJobDownloadView.as_view(), name="job_pdf"),
    path("jobs/<int:pk>/excel/", views.ReportJobDownloadView.as_view(excel=True), name="job_excel"),
    path("jobs/<int:pk>/again/", views.ReportJobAgainView.as_view(), name="job_again"),
    path("<str:kind>/", views.ReportRequestView.as_view(), name="request"),
]
