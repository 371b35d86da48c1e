"""Campaign pages (phong trào thi đua): the list, create and edit while a draft, the detail with
its participants and next transitions, and the units' registrations (đăng ký thi đua)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from emulation import selectors, services
from emulation.enums import CampaignState
from emulation.forms import CampaignForm, RegistrationForm
from emulation.services import CAMPAIGN_TRANSITIONS, EmulationError
from office.rules import works_for
from portal.access import scope_of
from portal.params import parse_int
from portal.services import StaleVersionError

PAGE_SIZE = 25

TRANSITION_LABELS = {
    "open": gettext_lazy("Open for self-scoring"),
    "start_appraisal": gettext_lazy("Close self-scoring and start the appraisal"),
    "to_council": gettext_lazy("Send to the council"),
    "publish": gettext_lazy("Publish the results"),
}
TRANSITION_SUCCESS = {
    "open": gettext_lazy("The campaign is open: every participating unit has its scorecard."),
    "start_appraisal": gettext_lazy("Self-scoring is closed; the appraisal has started."),
    "to_council": gettext_lazy("The campaign is before the council."),
    "publish": gettext_lazy("The results are published."),
}
# Transitions that cannot be undone and reach every participant ask for confirmation first.
CONFIRMED_TRANSITIONS = frozenset({"open", "publish"})


def run_service(request, call, *, success: str) -> bool:
    """Call a service; turn a domain refusal or a stale version into a message. True on success."""
    try:
        call()
    except EmulationError as error:
        messages.error(request, str(error))
        return False
    except StaleVersionError:
        messages.error(
            request,
            _("Someone else changed this record while you were working on it. Reload the page and try again; "
              "what you typed is kept below."),
        )
        return False
    messages.success(request, success)
    return True


def require(user, perm: str, obj=None) -> None:
    """403 for an object the user can see but may not act on."""
    if not user.has_perm(perm, obj):
        raise PermissionDenied(perm)


def visible_campaign(request, pk):
    return get_object_or_404(selectors.campaigns_visible_to(request.user).select_related("scheme"), pk=pk)


class CampaignListView(LoginRequiredMixin, TemplateView):
    """Danh sách phong trào thi đua, by year and state, with the user's own scorecards."""

    template_name = "emulation/campaign/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        year = parse_int(self.request.GET.get("year"), minimum=1990, maximum=2100)
        state = self.request.GET.get("state")
        state = state if state in CampaignState.values else None
        page = Paginator(selectors.campaign_list(user=user, year=year, state=state), PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        scope = scope_of(user)
        own_units = scope.staff_unit_ids | scope.leader_unit_ids
        own_cards: dict[int, list] = {}
        if own_units and page.object_list:
            for card in (
                selectors.scorecards_visible_to(user)
                .filter(campaign__in=[c.pk for c in page.object_list], unit_id__in=own_units)
                .select_related("unit")
                .order_by("unit__sort_key")
            ):
                own_cards.setdefault(card.campaign_id, []).append(card)
        for campaign in page.object_list:
            campaign.own_scorecards = own_cards.get(campaign.pk, [])
        context.update(
            page_obj=page,
            year=year,
            state=state or "",
            states=CampaignState.choices,
            years=selectors.campaign_years(user=user),
            can_create=user.has_perm("emulation.manage_campaigns"),
        )
        return context


def _campaign_service_data(form: CampaignForm) -> dict:
    data = form.cleaned_data
    return {name: data[name] for name in services.CAMPAIGN_FIELDS}


class CampaignCreateView(LoginRequiredMixin, View):
    template_name = "emulation/campaign/form.html"

    def get(self, request):
        require(request.user, "emulation.manage_campaigns")
        from django.utils import timezone

        year = timezone.localdate().year
        form = CampaignForm(initial={"year": year})
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        require(request.user, "emulation.manage_campaigns")
        form = CampaignForm(request.POST)
        if form.is_valid():
            created = {}

            def create():
                created["campaign"] = services.campaign_create(
                    actor=request.user,
                    data=_campaign_service_data(form),
                    clusters=form.cleaned_data["clusters"],
                    units=form.cleaned_data["units"],
                )

            if run_service(request, create, success=_("The campaign was created as a draft.")):
                return redirect("emulation:campaign_detail", pk=created["campaign"].pk)
        return render(request, self.template_name, {"form": form}, status=400)


class CampaignEditView(LoginRequiredMixin, View):
    """Change a draft campaign; once open, its scheme and participants are fixed (403)."""

    template_name = "emulation/campaign/form.html"

    def _campaign(self, request, pk):
        campaign = visible_campaign(request, pk)
        require(request.user, "emulation.manage_campaigns")
        if campaign.state != CampaignState.DRAFT:
            raise PermissionDenied("emulation.manage_campaigns")
        return campaign

    def get(self, request, pk):
        campaign = self._campaign(request, pk)
        form = CampaignForm(initial=CampaignForm.initial_for(campaign))
        return render(request, self.template_name, {"form": form, "campaign": campaign})

    def post(self, request, pk):
        campaign = self._campaign(request, pk)
        form = CampaignForm(request.POST)
        if form.is_valid() and run_service(
            request,
            lambda: services.campaign_update(
                actor=request.user,
                campaign_id=campaign.pk,
                version=form.cleaned_data["version"] or 0,
                data=_campaign_service_data(form),
                clusters=form.cleaned_data["clusters"],
                units=form.cleaned_data["units"],
            ),
            success=_("The campaign was saved."),
        ):
            return redirect("emulation:campaign_detail", pk=campaign.pk)
        return render(request, self.template_name, {"form": form, "campaign": campaign}, status=400)


def _registrable_units(user, participants) -> list:
    return [row.unit for row in participants if works_for(user, row.unit)]


class CampaignDetailView(LoginRequiredMixin, TemplateView):
    template_name = "emulation/campaign/detail.html"

    def get_context_data(self, **kwargs):
        from portal.audit import history_for, history_rows

        context = super().get_context_data(**kwargs)
        user = self.request.user
        campaign = visible_campaign(self.request, self.kwargs["pk"])
        participants = selectors.campaign_participant_rows(user=user, campaign=campaign)
        can_manage = user.has_perm("emulation.manage_campaigns")
        transitions = [
            {"action": action, "label": TRANSITION_LABELS[action], "confirm": action in CONFIRMED_TRANSITIONS}
            for action, transition in CAMPAIGN_TRANSITIONS.items()
            if can_manage and transition.source == campaign.state
        ]
        register_units = (
            _registrable_units(user, participants) if user.has_perm("emulation.register", campaign) else []
        )
        context.update(
            campaign=campaign,
            participants=participants,
            registrations=[row for row in participants if row.registration is not None],
            own_scorecards=[row.scorecard for row in participants if row.scorecard and works_for(user, row.unit)],
            clusters=list(campaign.clusters.all()),
            named_units=list(campaign.units.all()),
            transitions=transitions,
            can_edit=can_manage and campaign.state == CampaignState.DRAFT,
            register_form=RegistrationForm(units=register_units) if register_units else None,
            history=history_rows(history_for(campaign)[:30]),
        )
        return context


class CampaignTransitionView(LoginRequiredMixin, View):
    """GET: the confirmation page; POST: move the campaign (emulation.services.campaign_transition)."""

    template_name = "emulation/campaign/transition.html"

    def _campaign(self, request, pk, action):
        if action not in CAMPAIGN_TRANSITIONS:
            raise Http404
        campaign = visible_campaign(request, pk)
        require(request.user, "emulation.manage_campaigns")
        return campaign

    def get(self, request, pk, action):
        campaign = self._campaign(request, pk, action)
        if CAMPAIGN_TRANSITIONS[action].source != campaign.state:
            messages.error(
                request,
                _("The campaign is “%(state)s”; it cannot be moved that way now.")
                % {"state": campaign.get_state_display()},
            )
            return redirect("emulation:campaign_detail", pk=campaign.pk)
        participants = selectors.campaign_participant_rows(user=request.user, campaign=campaign)
        return render(
            request,
            self.template_name,
            {"campaign": campaign, "action": action, "label": TRANSITION_LABELS[action], "participants": participants},
        )

    def post(self, request, pk, action):
        campaign = self._campaign(request, pk, action)
        version = parse_int(request.POST.get("version"), minimum=1) or 0
        run_service(
            request,
            lambda: services.campaign_transition(
                actor=request.user, campaign_id=campaign.pk, action=action, version=version
            ),
            success=str(TRANSITION_SUCCESS[action]),
        )
        return redirect("emulation:campaign_detail", pk=campaign.pk)


class CampaignRegisterView(LoginRequiredMixin, View):
    """Đăng ký thi đua for a unit the user works for, while the campaign is a draft."""

    template_name = "emulation/campaign/register.html"

    def _context(self, request, pk):
        campaign = visible_campaign(request, pk)
        require(request.user, "emulation.register", campaign)
        participants = selectors.campaign_participant_rows(user=request.user, campaign=campaign)
        units = _registrable_units(request.user, participants)
        if not units:
            raise PermissionDenied("emulation.register")
        return campaign, participants, units

    def get(self, request, pk):
        campaign, participants, units = self._context(request, pk)
        registrations = {row.unit.pk: row.registration for row in participants if row.registration}
        initial = {}
        if len(units) == 1 and units[0].pk in registrations:
            current = registrations[units[0].pk]
            initial = {"target": current.target, "commitments": current.commitments}
        form = RegistrationForm(units=units, initial=initial)
        return render(request, self.template_name, {"campaign": campaign, "form": form})

    def post(self, request, pk):
        campaign, _participants, units = self._context(request, pk)
        form = RegistrationForm(request.POST, units=units)
        if form.is_valid() and run_service(
            request,
            lambda: services.registration_save(
                actor=request.user,
                campaign=campaign,
                unit=form.cleaned_data["unit"],
                target=form.cleaned_data["target"],
                commitments=form.cleaned_data["commitments"],
            ),
            success=_("The registration was saved."),
        ):
            return redirect("emulation:campaign_detail", pk=campaign.pk)
        return render(request, self.template_name, {"campaign": campaign, "form": form}, status=400)
