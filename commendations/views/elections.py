"""Suy tôn: each emulation cluster's choice of the unit it proposes for the Cờ thi đua, beside the
published campaign result (who leads the cluster). The Cờ thi đua rules read both."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from commendations import services
from commendations.histories import cluster_results
from commendations.models import ClusterElection
from commendations.views.common import require, run_service
from portal.forms import VietnameseDateField
from portal.models import ClusterMembership, EmulationCluster, Unit
from portal.params import parse_int


class ElectionForm(forms.Form):
    # Choices from the cluster's seats already read (a queryset would cost a query per cluster).
    unit = forms.TypedChoiceField(label=gettext_lazy("Elected unit"), coerce=int, required=False, empty_value=None)
    held_on = VietnameseDateField(label=gettext_lazy("Date of the cluster meeting"), required=False)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("— none recorded —"))] + [(unit.pk, unit.name) for unit in units]


@dataclass
class ClusterRow:
    cluster: EmulationCluster
    units: list[Unit]
    leaders: list[Unit]
    election: ClusterElection | None
    form: ElectionForm


def _year(request) -> int:
    year = parse_int(request.GET.get("year") or request.POST.get("year"), minimum=1990, maximum=2100)
    return year or timezone.localdate().year - 1


def _rows(year: int, bound: tuple[int, ElectionForm] | None = None) -> list[ClusterRow]:
    seats = (
        ClusterMembership.objects.filter(year=year).select_related("cluster", "unit").order_by("cluster__code", "unit__sort_key")
    )
    by_cluster: dict[int, tuple[EmulationCluster, list[Unit]]] = {}
    for seat in seats:
        by_cluster.setdefault(seat.cluster_id, (seat.cluster, []))[1].append(seat.unit)
    elections = {e.cluster_id: e for e in ClusterElection.objects.filter(year=year).select_related("unit")}
    results = cluster_results(year)
    rows = []
    for cluster_id, (cluster, units) in by_cluster.items():
        election = elections.get(cluster_id)
        if bound is not None and bound[0] == cluster_id:
            form = bound[1]
        else:
            initial = {"unit": election.unit_id, "held_on": election.held_on, "note": election.note} if election else {}
            form = ElectionForm(initial=initial, units=units, prefix=f"c{cluster_id}")
        leaders = [unit for unit in units if results.get(unit.pk, (None, None))[0]]
        rows.append(ClusterRow(cluster, units, leaders, election, form))
    return rows


class ElectionListView(LoginRequiredMixin, View):
    template_name = "commendations/election/list.html"

    def get(self, request):
        require(request.user, "commendations.view_elections")
        year = _year(request)
        return render(request, self.template_name, {"year": year, "rows": _rows(year)})

    def post(self, request):
        require(request.user, "commendations.manage_elections")
        year = _year(request)
        cluster = get_object_or_404(EmulationCluster, pk=parse_int(request.POST.get("cluster")) or 0)
        units = [seat.unit for seat in ClusterMembership.objects.filter(cluster=cluster, year=year).select_related("unit")]
        form = ElectionForm(request.POST, units=units, prefix=f"c{cluster.pk}")
        if form.is_valid():
            data = form.cleaned_data
            if run_service(
                request,
                lambda: services.cluster_election_record(
                    actor=request.user, year=year, cluster_id=cluster.pk,
                    unit_id=data["unit"], held_on=data["held_on"], note=data["note"],
                ),
                success=_("The election of %(cluster)s was saved.") % {"cluster": cluster.name},
            ):
                return redirect(f"{request.path}?year={year}")
        return render(request, self.template_name, {"year": year, "rows": _rows(year, (cluster.pk, form))}, status=400)


urlpatterns = [path("elections/", ElectionListView.as_view(), name="elections")]
