"""Django admin for the organisation: units, clusters, people, roles, logins, the public holiday calendar;
the audit log read-only."""

from datetime import MAXYEAR, MINYEAR

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from portal import services
from portal.audit import audit_log
from portal.models import (
    AuditLog,
    ClusterMembership,
    EmulationCluster,
    Notification,
    Person,
    PublicHoliday,
    RoleGrant,
    Unit,
    UnitMembership,
)

admin.site.site_header = _("Emulation and commendation portal – administration")
admin.site.site_title = _("Portal administration")


class AuditedModelAdmin(admin.ModelAdmin):
    """Admin pages write to the portal's audit log like every other change, and bump the
    record's version so that a page open elsewhere detects the edit.

    Inline rows are audited one by one, each on its own object."""

    def audited_fields(self, form) -> list[str]:
        """The names of the fields the form changed (names only: values may be secrets)."""
        return sorted(form.changed_data)

    def save_model(self, request, obj, form, change):
        if change and hasattr(obj, "version"):
            obj.version += 1
        super().save_model(request, obj, form, change)
        audit_log(
            actor=request.user,
            obj=obj,
            action="portal.admin.changed" if change else "portal.admin.added",
            data={"model": obj._meta.label_lower, "fields": self.audited_fields(form)},
        )

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            # Audited before the delete, which clears the object's primary key.
            audit_log(
                actor=request.user, obj=obj, action="portal.admin.deleted", data={"model": obj._meta.label_lower}
            )
            obj.delete()
        # Both lists hold the forms' own instances, so identity tells which form saved what.
        forms_by_instance = {id(inline_form.instance): inline_form for inline_form in formset.forms}
        added_ids = {id(obj) for obj in formset.new_objects}
        changed_fields = {id(obj): fields for obj, fields in formset.changed_objects}
        for obj in instances:
            added = id(obj) in added_ids
            obj.save()
            fields = self.audited_fields(forms_by_instance[id(obj)]) if added else sorted(changed_fields[id(obj)])
            audit_log(
                actor=request.user,
                obj=obj,
                action="portal.admin.added" if added else "portal.admin.changed",
                data={"model": obj._meta.label_lower, "fields": fields},
            )
        formset.save_m2m()

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
    """Granting and revoking go through the services, which audit (and notify) like the portal does;
    editing an existing grant is audited as an admin change."""

    list_display = ["user", "role", "unit"]
    list_filter = ["role"]
    search_fields = ["user__username", "unit__name"]
    list_select_related = ["user", "unit"]
    autocomplete_fields = ["user", "unit"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        grant = services.role_grant(actor=request.user, user=obj.user, role=obj.role, unit=obj.unit)
        # The admin goes on with `obj` (its message, its log entry): make it the stored row.
        obj.pk = grant.pk
        obj._state.adding = False
        obj._state.db = grant._state.db

    def delete_model(self, request, obj):
        services.role_revoke(actor=request.user, grant=obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for grant in queryset.select_related("user", "unit"):
                services.role_revoke(actor=request.user, grant=grant)


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(AuditedModelAdmin, UserAdmin):
    """Django's user pages, audited: who made whom a superuser, who disabled or reset a login."""

    # The creation form's password1/password2/usable_password all mean "the password was set".
    _PASSWORD_FIELDS = frozenset({"password", "password1", "password2", "usable_password"})

    def audited_fields(self, form) -> list[str]:
        fields = set(form.changed_data)
        if fields & self._PASSWORD_FIELDS:
            fields = (fields - self._PASSWORD_FIELDS) | {"password"}
        return sorted(fields)

    def user_change_password(self, request, id, form_url=""):
        # Django's password page saves the form itself (no save_model): compare the stored hash
        # before and after to know whether it changed, and audit the fact, never the hash.
        user = self.get_object(request, unquote(id))
        old_hash = user.password if user is not None else None
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and user is not None:
            user.refresh_from_db(fields=["password"])
            if user.password != old_hash:
                audit_log(
                    actor=request.user,
                    obj=user,
                    action="portal.admin.changed",
                    data={"model": user._meta.label_lower, "fields": ["password"]},
                )
        return response


class HolidayYearFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        return [(str(day.year), str(day.year)) for day in model_admin.get_queryset(request).dates("date", "year", "DESC")]

    def queryset(self, request, queryset):
        try:
            year = int(self.value() or "")
        except ValueError:
            return queryset
        return queryset.filter(date__year=year) if MINYEAR <= year <= MAXYEAR else queryset.none()


@admin.register(PublicHoliday)
class PublicHolidayAdmin(AuditedModelAdmin):
    """Each year's days off and compensatory working days, entered as the Government announces them
    (portal.calendar counts working days from them)."""

    list_display = ["date", "weekday", "name", "kind", "basis"]
    list_filter = [HolidayYearFilter, "kind"]
    search_fields = ["name", "basis"]
    date_hierarchy = "date"
    ordering = ["-date"]

    @admin.display(description=_("day of the week"), ordering="date")
    def weekday(self, obj) -> str:
        return formats.date_format(obj.date, "l")


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
