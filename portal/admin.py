"""Django admin for the organisation: units, clusters, people, roles; the audit log read-only."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.models import (
    AuditLog,
    ClusterMembership,
    EmulationCluster,
    Notification,
    Person,
    RoleGrant,
    Unit,
    UnitMembership,
)

admin.site.site_header = _("Emulation and commendation portal – administration")
admin.site.site_title = _("Portal administration")


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name", "search_text"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]


class ClusterMembershipInline(admin.TabularInline):
    model = ClusterMembership
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(EmulationCluster)
class EmulationClusterAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]
    inlines = [ClusterMembershipInline]


class UnitMembershipInline(admin.TabularInline):
    model = UnitMembership
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["full_name", "gender", "position", "unit", "user", "is_active"]
    list_filter = ["gender", "is_active", "unit__kind"]
    search_fields = ["full_name", "search_text"]
    list_select_related = ["unit", "user"]
    autocomplete_fields = ["unit", "user"]
    inlines = [UnitMembershipInline]


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "unit"]
    list_filter = ["role"]
    search_fields = ["user__username", "unit__name"]
    list_select_related = ["user", "unit"]
    autocomplete_fields = ["user", "unit"]


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    """Read-only: the audit log can be searched but never added to, changed or deleted here."""

    list_display = ["created_at", "action", "object_repr", "actor"]
    list_filter = ["action"]
    search_fields = ["object_repr", "action"]
    list_select_related = ["actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "read_at"]
    list_filter = ["kind"]
    list_select_related = ["recipient"]
