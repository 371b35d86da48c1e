"""Django admin for the organisation: units, clusters, people, roles; the audit log read-only."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.audit import audit_log
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


class AuditedModelAdmin(admin.ModelAdmin):
    """Admin pages write to the portal's audit log like every other change, and bump the
    record's version so that a page open elsewhere detects the edit."""

    def save_model(self, request, obj, form, change):
        if change and hasattr(obj, "version"):
            obj.version += 1
        super().save_model(request, obj, form, change)
        audit_log(
            actor=request.user,
            obj=obj,
            action="portal.admin.changed" if change else "portal.admin.added",
            data={"model": obj._meta.label_lower, "fields": sorted(form.changed_data)},
        )

    def delete_model(self, request, obj):
        audit_log(actor=request.user, obj=obj, action="portal.admin.deleted", data={"model": obj._meta.label_lower})
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audit_log(
                actor=request.user, obj=obj, action="portal.admin.deleted", data={"model": obj._meta.label_lower}
            )
        super().delete_queryset(request, queryset)


@admin.register(Unit)
class UnitAdmin(AuditedModelAdmin):
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
class EmulationClusterAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]
    inlines = [ClusterMembershipInline]


class UnitMembershipInline(admin.TabularInline):
    model = UnitMembership
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(Person)
class PersonAdmin(AuditedModelAdmin):
    list_display = ["full_name", "gender", "position", "unit", "user", "is_active"]
    list_filter = ["gender", "is_active", "unit__kind"]
    search_fields = ["full_name", "search_text"]
    list_select_related = ["unit", "user"]
    autocomplete_fields = ["unit", "user"]
    inlines = [UnitMembershipInline]


@admin.register(RoleGrant)
class RoleGrantAdmin(AuditedModelAdmin):
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
