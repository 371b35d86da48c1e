"""URLs of the whole portal: the organisation app's pages, auth, i18n and the three areas."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from portal import views
from portal.forms_auth import PortalAuthenticationForm

app_patterns = (
    [
        path("", views.DashboardView.as_view(), name="dashboard"),
        path("people/", views.PersonListView.as_view(), name="person_list"),
        path("people/<int:pk>/", views.PersonDetailView.as_view(), name="person_detail"),
        path("people/<int:pk>/edit/", views.PersonEditView.as_view(), name="person_edit"),
        path("units/", views.UnitListView.as_view(), name="unit_list"),
        path("units/<int:pk>/", views.UnitDetailView.as_view(), name="unit_detail"),
        path("clusters/", views.ClusterListView.as_view(), name="cluster_list"),
        path("clusters/<int:pk>/", views.ClusterDetailView.as_view(), name="cluster_detail"),
        path("notifications/", views.NotificationListView.as_view(), name="notifications"),
        path("notifications/read-all/", views.NotificationReadView.as_view(), name="notifications_read_all"),
        path("notifications/<int:pk>/read/", views.NotificationReadView.as_view(), name="notification_read"),
        path("audit/", views.AuditLogView.as_view(), name="audit_log"),
    ],
    "portal",
)

urlpatterns = [
    path("", include(app_patterns)),
    path("office/", include("office.urls")),
    path("emulation/", include("emulation.urls")),
    path("commendations/", include("commendations.urls")),
    path("reports/", include("portal.documents.urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=PortalAuthenticationForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("health/", views.health, name="health"),
    path("admin/", admin.site.urls),
]
