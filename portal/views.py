"""Pages of the organisation app: dashboard, people, units, clusters, notifications, audit log."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView
from rules.contrib.views import PermissionRequiredMixin

from portal import selectors, services
from portal.access import scope_of
from portal.audit import describe, history_for, history_rows
from portal.enums import Role
from portal.forms import PersonForm
from portal.models import EmulationCluster, Person, RoleGrant, Unit
from portal.notifications import body_of, subject_of
from portal.params import parse_int
from portal.text import SEARCH_MAX_LENGTH, nfc


def clean_query(request: HttpRequest) -> str:
    """The search box's text, normalised and cut to a sane length (longer input is ignored)."""
    return nfc(request.GET.get("q", ""))[:SEARCH_MAX_LENGTH]


def paginate(request: HttpRequest, queryset, per_page: int | None = None):
    """One page of the queryset; a missing or malformed ?page= shows the first page."""
    paginator = Paginator(queryset, per_page or settings.PORTAL_PAGE_SIZE)
    return paginator.get_page(parse_int(request.GET.get("page"), minimum=1))


class ScopedDetailMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Fetch the object from the user's visible set (outside it: 404), then check the rule (403)."""

    def get_visible_queryset(self):
        raise NotImplementedError

    def get_object(self):
        if not hasattr(self, "_object"):
            self._object = get_object_or_404(self.get_visible_queryset(), pk=self.kwargs["pk"])
        return self._object

    def get_permission_object(self):
        return self.get_object()


class DashboardView(LoginRequiredMixin, TemplateView):
    """Trang chủ: one panel per role the user holds."""

    template_name = "portal/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        scope = scope_of(user)
        year = timezone.localdate().year
        person = Person.objects.filter(user=user).select_related("unit").first()
        context.update(person=person, year=year, roles=[Role(r) for r in Role.values if r in scope.roles])
        context["recent_notifications"] = [
            (notification, subject_of(notification)) for notification in selectors.notifications_for(user=user)[:5]
        ]
        if scope.has(Role.STAFF) and person is not None:
            context["own_unit"] = person.unit
            context["own_unit_headcount"] = selectors.unit_headcount(unit=person.unit)
        if scope.has(Role.UNIT_LEADER):
            context["led_units"] = [
                {
                    "unit": unit,
                    "headcount": selectors.unit_headcount(unit=unit),
                    "sub_units": list(selectors.sub_units_with_headcount(unit=unit)),
                }
                for unit in scope.units
                if unit.pk in scope.leader_unit_ids
            ]
        if scope.has(Role.EMULATION_OFFICER) or scope.has(Role.COUNCIL_MEMBER):
            context["clusters"] = list(selectors.clusters_for_year(year=year))
        if scope.has(Role.EMULATION_OFFICER):
            context["units_without_cluster"] = list(selectors.units_without_cluster(year=year)[:20])
        if scope.has(Role.COUNCIL_MEMBER):
            context["council_members"] = list(
                Person.objects.filter(user__role_grants__role=Role.COUNCIL_MEMBER)
                .select_related("unit")
                .order_by("sort_key")
                .distinct()
            )
        if scope.has(Role.SYSTEM_ADMIN):
            context["admin_counts"] = {
                "units": Unit.objects.filter(is_active=True).count(),
                "people": Person.objects.filter(is_active=True).count(),
                "logins": Person.objects.filter(user__isnull=False).count(),
                "grants": RoleGrant.objects.count(),
            }
            context["recent_audit"] = [
                (entry, describe(entry)) for entry in selectors.audit_entries()[:10]
            ]
        return context


class PersonListView(LoginRequiredMixin, TemplateView):
    """Danh sách cán bộ: search with or without diacritics, filter by unit, Vietnamese order."""

    template_name = "portal/person/list.html"
    sort_options = {
        "name": ("sort_key", "id"),
        "-name": ("-sort_key", "-id"),
        "unit": ("unit__sort_key", "sort_key", "id"),
        "-unit": ("-unit__sort_key", "sort_key", "id"),
        "position": ("position", "sort_key", "id"),
        "-position": ("-position", "sort_key", "id"),
    }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = clean_query(self.request)
        unit = None
        unit_id = parse_int(self.request.GET.get("unit"), minimum=1)
        if unit_id is not None:
            unit = selectors.units_visible_to(self.request.user).filter(pk=unit_id).first()
        sort = self.request.GET.get("sort", "name")
        if sort not in self.sort_options:
            sort = "name"
        people = selectors.person_search(user=self.request.user, query=query, unit=unit).order_by(
            *self.sort_options[sort]
        )
        context.update(query=query, unit=unit, sort=sort, page_obj=paginate(self.request, people))
        context["too_long"] = len(self.request.GET.get("q", "")) > SEARCH_MAX_LENGTH
        return context


class PersonDetailView(ScopedDetailMixin, TemplateView):
    template_name = "portal/person/detail.html"
    permission_required = "portal.view_person"

    def get_visible_queryset(self):
        return selectors.people_visible_to(self.request.user).select_related("unit", "user")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person = self.get_object()
        context["person"] = person
        context["memberships"] = list(selectors.person_memberships(person=person))
        context["history"] = history_rows(history_for(person)[:50])
        return context


class PersonEditView(ScopedDetailMixin, View):
    """Sửa thông tin cán bộ, with a conflict message instead of a silent overwrite."""

    permission_required = "portal.change_person"
    template_name = "portal/person/edit.html"

    def get_visible_queryset(self):
        return selectors.people_visible_to(self.request.user).select_related("unit")

    def get(self, request, pk):
        person = self.get_object()
        form = PersonForm(instance=person, initial={"version": person.version})
        return self._render(form, person)

    def post(self, request, pk):
        person = self.get_object()
        form = PersonForm(request.POST, instance=Person.objects.get(pk=person.pk))
        if not form.is_valid():
            messages.error(request, _("Please correct the fields marked below."))
            return self._render(form, person, status=400)
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.person_update(
                actor=request.user, person_id=person.pk, version=form.cleaned_data["version"], data=data
            )
        except services.StaleVersionError as conflict:
            current = conflict.current
            saved = {name: getattr(current, name) for name in PersonForm.Meta.fields}
            messages.error(
                request,
                _(
                    "Someone else saved this record while you were editing it. Your changes are kept "
                    "below next to the values saved now; check them and save again."
                ),
            )
            form = PersonForm(
                data={**request.POST.dict(), "version": current.version}, instance=current
            )
            form.is_valid()
            conflicts = [
                (form.fields[name].label, saved[name], form.cleaned_data.get(name))
                for name in form.Meta.fields
                if saved[name] != form.cleaned_data.get(name)
            ]
            return self._render(form, current, status=409, conflicts=conflicts)
        messages.success(request, _("The record of %(name)s was saved.") % {"name": data["full_name"]})
        return redirect("portal:person_detail", pk=person.pk)

    def _render(self, form, person, status=200, conflicts=None):
        return render(
            self.request,
            self.template_name,
            {"form": form, "person": person, "conflicts": conflicts or []},
            status=status,
        )


class UnitListView(LoginRequiredMixin, TemplateView):
    template_name = "portal/unit/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = clean_query(self.request)
        units = selectors.unit_search(user=self.request.user, query=query)
        context.update(query=query, page_obj=paginate(self.request, units, per_page=50))
        return context


class UnitDetailView(ScopedDetailMixin, TemplateView):
    template_name = "portal/unit/detail.html"
    permission_required = "portal.view_unit"

    def get_visible_queryset(self):
        return selectors.units_visible_to(self.request.user).select_related("parent")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unit = self.get_object()
        context["unit"] = unit
        context["headcount"] = selectors.unit_headcount(unit=unit)
        context["sub_units"] = list(selectors.sub_units_with_headcount(unit=unit))
        context["clusters"] = list(unit.cluster_memberships.select_related("cluster").order_by("-year")[:5])
        people = selectors.person_search(user=self.request.user, unit=unit, include_sub_units=False)
        context["page_obj"] = paginate(self.request, people)
        context["history"] = history_rows(history_for(unit)[:50])
        return context


class ClusterListView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    template_name = "portal/cluster/list.html"
    permission_required = "portal.view_cluster"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year = _year_param(self.request)
        context.update(year=year, clusters=list(selectors.clusters_for_year(year=year)))
        return context


class ClusterDetailView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    template_name = "portal/cluster/detail.html"
    permission_required = "portal.view_cluster"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cluster = get_object_or_404(EmulationCluster, pk=self.kwargs["pk"])
        year = _year_param(self.request)
        context.update(
            cluster=cluster,
            year=year,
            years=selectors.cluster_years(cluster=cluster),
            members=list(selectors.cluster_members(cluster=cluster, year=year)),
        )
        return context


class NotificationListView(LoginRequiredMixin, TemplateView):
    template_name = "portal/notification/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = paginate(self.request, selectors.notifications_for(user=self.request.user))
        context["page_obj"] = page
        context["rows"] = [(n, subject_of(n), body_of(n)) for n in page]
        return context


class NotificationReadView(LoginRequiredMixin, View):
    """Mark one notification read and follow its link, or mark all read (POST only)."""

    def post(self, request, pk=None):
        if pk is None:
            count = services.notification_mark_read(user=request.user)
            messages.success(request, _("%(count)d notifications marked as read.") % {"count": count})
            return redirect("portal:notifications")
        notification = get_object_or_404(selectors.notifications_for(user=request.user), pk=pk)
        services.notification_mark_read(user=request.user, notification_id=notification.pk)
        target = notification.url
        if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            return redirect(target)
        return redirect("portal:notifications")


class AuditLogView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    template_name = "portal/audit/list.html"
    permission_required = "portal.view_auditlog"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        prefix = nfc(self.request.GET.get("action", ""))[:100]
        page = paginate(self.request, selectors.audit_entries(action_prefix=prefix or None), per_page=50)
        context.update(page_obj=page, action=prefix, rows=[(entry, describe(entry)) for entry in page])
        return context


def health(request: HttpRequest) -> HttpResponse:
    """Liveness for load balancers and compose: answers 200 when the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def _year_param(request: HttpRequest) -> int:
    """?year= when it is a plausible year (the range cluster seats allow), else this year."""
    year = parse_int(request.GET.get("year"), minimum=1990, maximum=2100)
    return year if year is not None else timezone.localdate().year


class AreaHomeView(LoginRequiredMixin, TemplateView):
    """Landing page of one of the three areas: what it covers and the units the user works for."""

    template_name = "portal/area_home.html"
    area_title = ""
    area_description = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            area_title=self.area_title,
            area_description=self.area_description,
            units=list(selectors.units_visible_to(self.request.user).order_by("path")[:50]),
        )
        return context
