"""Write functions of the emulation app: campaigns and their transitions, registrations, self-scoring,
submission, appraisal line by line, the unit's response and the final appraisal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from emulation import engine
from emulation.enums import CampaignState, NodeKind, ScorecardState, Side
from emulation.models import Campaign, Evidence, Registration, Scorecard, ScoreLine
from emulation.schemes import engine_scheme, scheme_freeze, scheme_problems
from emulation.scoring import score_scorecard
from portal.audit import actor_name, audit_log
from portal.enums import Role
from portal.models import ClusterMembership, RoleGrant, Unit
from portal.notifications import notify
from portal.services import StaleVersionError
from portal.text import nfc

SCORED_KINDS = frozenset(set(NodeKind.values) - {NodeKind.GROUP, NodeKind.BONUS, NodeKind.DEDUCTION})


class EmulationError(Exception):
    """A rule of the emulation domain refused the change; the message is for the user."""


def _require(actor, perm: str, obj=None) -> None:
    if not actor.has_perm(perm, obj):
        raise PermissionDenied(perm)


# --- Campaigns -----------------------------------------------------------------------------------


def campaign_participants(campaign: Campaign) -> list[Unit]:
    """Units seated in the campaign's clusters that year, plus the units added by name."""
    seated = ClusterMembership.objects.filter(cluster__in=campaign.clusters.all(), year=campaign.year).values("unit_id")
    named = campaign.units.values("pk")
    return list(Unit.objects.filter(Q(pk__in=seated) | Q(pk__in=named)).order_by("sort_key"))


CAMPAIGN_FIELDS = (
    "name", "kind", "year", "starts_on", "ends_on", "self_scoring_deadline", "response_days", "scheme",
)


def _campaign_values(campaign: Campaign) -> dict[str, Any]:
    values = {name: getattr(campaign, name) for name in CAMPAIGN_FIELDS}
    values["clusters"] = ", ".join(sorted(str(c) for c in campaign.clusters.all()))
    values["units"] = ", ".join(sorted(str(u) for u in campaign.units.all()))
    return values


def _check_campaign_data(data: dict[str, Any]) -> None:
    if data["ends_on"] < data["starts_on"]:
        raise EmulationError(_("The campaign cannot end before it starts."))


def campaign_create(*, actor, data: dict[str, Any], clusters=(), units=()) -> Campaign:
    """A new campaign, as a draft: units register while it is prepared, scorecards come on opening.

    `data` holds CAMPAIGN_FIELDS (the scheme as a Scheme)."""
    _require(actor, "emulation.manage_campaigns")
    _check_campaign_data(data)
    with transaction.atomic():
        campaign = Campaign.objects.create(**{name: data[name] for name in CAMPAIGN_FIELDS if name in data})
        campaign.clusters.set(clusters)
        campaign.units.set(units)
        audit_log(actor=actor, obj=campaign, action="emulation.campaign.created", data={"scheme": str(campaign.scheme)})
    return campaign


def campaign_update(*, actor, campaign_id: int, version: int, data: dict[str, Any], clusters=(), units=()) -> Campaign:
    """Change a campaign while it is a draft (after opening, its scheme and units are fixed)."""
    _require(actor, "emulation.manage_campaigns")
    _check_campaign_data(data)
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
        if campaign.version != version:
            raise StaleVersionError(campaign)
        if campaign.state != CampaignState.DRAFT:
            raise EmulationError(_("Only a draft campaign can be changed; this one is already open."))
        before = _campaign_values(campaign)
        for name in CAMPAIGN_FIELDS:
            if name in data:
                setattr(campaign, name, data[name])
        campaign.version += 1
        campaign.save()
        campaign.clusters.set(clusters)
        campaign.units.set(units)
        from portal.audit import field_changes

        changes = field_changes(before, _campaign_values(campaign))
        if changes:
            audit_log(actor=actor, obj=campaign, action="emulation.campaign.changed", data={"changes": changes})
    return campaign


@dataclass(frozen=True)
class CampaignTransition:
    source: str
    target: str


CAMPAIGN_TRANSITIONS = {
    "open": CampaignTransition(CampaignState.DRAFT, CampaignState.OPEN),
    "start_appraisal": CampaignTransition(CampaignState.OPEN, CampaignState.APPRAISAL),
    "to_council": CampaignTransition(CampaignState.APPRAISAL, CampaignState.COUNCIL),
    "publish": CampaignTransition(CampaignState.COUNCIL, CampaignState.PUBLISHED),
}


def campaign_transition(*, actor, campaign_id: int, action: str, version: int) -> Campaign:
    """Move a campaign along draft → open → appraisal → council → published.

    Opening freezes the scheme and gives every participating unit its scorecard; going before the
    council needs every scorecard's appraisal to be final; publishing tells every participant.
    """
    transition = CAMPAIGN_TRANSITIONS[action]
    _require(actor, "emulation.manage_campaigns")
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().select_related("scheme").get(pk=campaign_id)
        if campaign.version != version:
            raise StaleVersionError(campaign)
        if campaign.state != transition.source:
            raise EmulationError(
                _("The campaign is “%(state)s”; it cannot be moved that way now.") % {"state": campaign.get_state_display()}
            )
        previous = campaign.state
        if action == "open":
            units = campaign_participants(campaign)
            if not units:
                raise EmulationError(_("Choose the participating clusters or units before opening the campaign."))
            if any(problem.level == "error" for problem in scheme_problems(campaign.scheme)):
                raise EmulationError(_("The scoring scheme has errors; correct them in the scheme editor before opening."))
            scheme_freeze(actor=actor, scheme_id=campaign.scheme_id)
            _create_scorecards(campaign, units)
        if action == "to_council":
            unfinished = campaign.scorecards.exclude(state=ScorecardState.FINAL).select_related("unit")
            if unfinished.exists():
                names = ", ".join(card.unit.name for card in unfinished[:10])
                raise EmulationError(_("Finalise the appraisal of every scorecard first: %(units)s.") % {"units": names})
        campaign.state = transition.target
        campaign.version += 1
        fields = ["state", "version"]
        if action == "publish":
            campaign.published_at = timezone.now()
            fields.append("published_at")
        campaign.save(update_fields=fields)
        audit_log(
            actor=actor, obj=campaign, action="emulation.campaign.transition",
            data={"previous_state": previous, "state": campaign.state},
        )
        if action in ("open", "publish"):
            recipients = _participant_users(campaign)
            notify(
                recipients=recipients,
                kind="emulation.campaign.opened" if action == "open" else "emulation.campaign.published",
                params={"campaign": campaign.name},
                url=reverse("emulation:campaign_detail", args=[campaign.pk]),
            )
    return campaign


def _create_scorecards(campaign: Campaign, units: list[Unit]) -> None:
    nodes = list(campaign.scheme.nodes.filter(kind__in=SCORED_KINDS))
    existing = set(campaign.scorecards.values_list("unit_id", flat=True))
    cards = Scorecard.objects.bulk_create([Scorecard(campaign=campaign, unit=u) for u in units if u.pk not in existing])
    ScoreLine.objects.bulk_create([ScoreLine(scorecard=card, node=node) for card in cards for node in nodes])


def _participant_users(campaign: Campaign):
    from django.contrib.auth import get_user_model

    unit_ids = campaign.scorecards.values("unit_id")
    return list(
        get_user_model()
        .objects.filter(is_active=True, role_grants__unit__in=unit_ids, role_grants__role__in=[Role.STAFF, Role.UNIT_LEADER])
        .distinct()
    )


def registration_save(*, actor, campaign: Campaign, unit: Unit, target: str, commitments: str = "") -> Registration:
    """Đăng ký thi đua: a unit's target title, while the campaign is being prepared."""
    from office.rules import works_for

    _require(actor, "emulation.register", campaign)
    if not works_for(actor, unit):
        raise PermissionDenied("emulation.register")
    if not nfc(target):
        raise EmulationError(_("Name the title the unit aims for."))
    with transaction.atomic():
        registration, _created = Registration.objects.update_or_create(
            campaign=campaign, unit=unit,
            defaults={"target": nfc(target), "commitments": commitments.strip(), "registered_by": actor},
        )
        audit_log(actor=actor, obj=registration, action="emulation.registration.saved", data={"target": registration.target})
    return registration


# --- Self-scoring ----------------------------------------------------------------------------------


@dataclass
class LineInput:
    """What a form sends for one line: the entry fields of its kind, and the line's version."""

    version: int
    points: Decimal | None = None
    flag: bool | None = None
    value: Decimal | None = None
    inputs: dict[str, Any] | None = None
    note: str = ""


def _lock_scorecard(scorecard_id: int) -> Scorecard:
    return Scorecard.objects.select_for_update().select_related("campaign__scheme", "unit").get(pk=scorecard_id)


def scorecard_save_self(*, actor, scorecard_id: int, entries: dict[int, LineInput]) -> tuple[Scorecard, list[ScoreLine]]:
    """Save the unit's entries (a draft; no evidence required yet). Lines someone else saved in
    between are not overwritten: they are returned as conflicts and the rest is saved."""
    conflicts: list[ScoreLine] = []
    with transaction.atomic():
        scorecard = _lock_scorecard(scorecard_id)
        _require(actor, "emulation.edit_scorecard", scorecard)
        lines = {line.pk: line for line in scorecard.lines.select_for_update().filter(pk__in=list(entries))}
        changed = []
        for line_id, entry in entries.items():
            line = lines.get(line_id)
            if line is None:
                continue
            if line.version != entry.version:
                conflicts.append(line)
                continue
            new = (entry.points, entry.flag, entry.value, entry.inputs or {}, nfc(entry.note))
            if new == (line.self_points, line.self_flag, line.self_value, line.self_inputs or {}, line.self_note):
                continue
            line.self_points, line.self_flag, line.self_value, line.self_inputs, line.self_note = new
            line.version += 1
            changed.append(line)
        ScoreLine.objects.bulk_update(
            changed, ["self_points", "self_flag", "self_value", "self_inputs", "self_note", "version"]
        )
        if changed:
            scorecard.self_total = score_scorecard(scorecard, Side.SELF).total
            scorecard.version += 1
            scorecard.save(update_fields=["self_total", "version"])
            audit_log(actor=actor, obj=scorecard, action="emulation.scorecard.saved", data={"lines": len(changed)})
    return scorecard, conflicts


def _refresh_self_total(scorecard: Scorecard) -> None:
    """Evidence can open or close a gated line, so the cached self-scored total follows it; the
    version moves so that a page opened before the change notices it."""
    scorecard.self_total = score_scorecard(scorecard, Side.SELF).total
    scorecard.version += 1
    scorecard.save(update_fields=["self_total", "version"])


def evidence_add(*, actor, line_id: int, file, description: str = "") -> Evidence:
    with transaction.atomic():
        scorecard_id = ScoreLine.objects.values_list("scorecard_id", flat=True).get(pk=line_id)
        scorecard = _lock_scorecard(scorecard_id)  # serialises with submission
        _require(actor, "emulation.edit_scorecard", scorecard)
        line = ScoreLine.objects.get(pk=line_id)
        evidence = Evidence.objects.create(line=line, file=file, description=nfc(description), uploaded_by=actor)
        _refresh_self_total(scorecard)
    return evidence


def evidence_delete(*, actor, evidence_id: int) -> None:
    with transaction.atomic():
        scorecard_id = Evidence.objects.values_list("line__scorecard_id", flat=True).get(pk=evidence_id)
        scorecard = _lock_scorecard(scorecard_id)
        _require(actor, "emulation.edit_scorecard", scorecard)
        evidence = Evidence.objects.get(pk=evidence_id)
        evidence.file.delete(save=False)
        evidence.delete()
        _refresh_self_total(scorecard)


def scorecard_submit(*, actor, scorecard_id: int, version: int) -> Scorecard:
    """The unit leader countersigns and submits: every line that needs evidence must have it."""
    with transaction.atomic():
        scorecard = _lock_scorecard(scorecard_id)
        if scorecard.version != version:
            raise StaleVersionError(scorecard)
        _require(actor, "emulation.submit_scorecard", scorecard)
        scheme = engine_scheme(scorecard.campaign.scheme)
        from emulation.scoring import _lines_with_evidence, unit_inputs

        by_card, counts = _lines_with_evidence([scorecard.pk])
        lines = by_card.get(scorecard.pk, [])
        missing = engine.missing_evidence(scheme, unit_inputs(lines, Side.SELF, {}, scorecard.flags, counts))
        if missing:
            from emulation.selectors import node_labels

            codes = node_labels(scorecard.campaign.scheme_id)
            raise EmulationError(
                _("Attach evidence to these lines before submitting: %(lines)s.")
                % {"lines": ", ".join(codes.get(key, key) for key in missing)}
            )
        scorecard.self_total = score_scorecard(scorecard, Side.SELF, scheme=scheme).total
        scorecard.state = ScorecardState.SUBMITTED
        scorecard.submitted_by, scorecard.submitted_at = actor, timezone.now()
        scorecard.version += 1
        scorecard.save(update_fields=["self_total", "state", "submitted_by", "submitted_at", "version"])
        audit_log(actor=actor, obj=scorecard, action="emulation.scorecard.submitted", data={"total": str(scorecard.self_total)})
        officers = [grant.user for grant in RoleGrant.objects.filter(role=Role.EMULATION_OFFICER).select_related("user")]
        notify(
            recipients=officers,
            kind="emulation.scorecard.submitted",
            params={"actor": actor_name(actor), "unit": scorecard.unit.name, "campaign": scorecard.campaign.name},
            url=reverse("emulation:scorecard_detail", args=[scorecard.pk]),
        )
    return scorecard


# --- Appraisal -----------------------------------------------------------------------------------


def _entry_text(points, flag, value, inputs) -> str:
    parts = [str(part) for part in (points, flag, value) if part is not None]
    parts += [f"{name}={val}" for name, val in sorted((inputs or {}).items())]
    return ", ".join(parts) or "—"


def _same_entry(a: tuple, b: tuple) -> bool:
    """Two entries (points, flag, value, inputs) mean the same: "10" and "10.0" are one input value."""

    def inputs(raw: dict) -> dict:
        values = {}
        for name, value in (raw or {}).items():
            if value in (None, ""):
                continue
            try:
                values[name] = Decimal(str(value))
            except ArithmeticError:
                values[name] = value
        return values

    return a[:3] == b[:3] and inputs(a[3]) == inputs(b[3])


def appraisal_save_line(
    *, actor, line_id: int, version: int, entry: LineInput, reason: str
) -> ScoreLine:
    """The officer accepts or changes one line; any change from the unit's entry needs a reason.

    A stale version raises StaleVersionError carrying the line as saved now, so the page can show
    both values and keep what the officer typed.
    """
    with transaction.atomic():
        # The scorecard is locked first (the order every writer uses), so a line cannot change while
        # the appraisal is being sent or finalised.
        _lock_scorecard(ScoreLine.objects.values_list("scorecard_id", flat=True).get(pk=line_id))
        line = ScoreLine.objects.select_for_update().select_related("node", "scorecard__campaign", "scorecard__unit").get(pk=line_id)
        if line.version != version:
            raise StaleVersionError(line)
        _require(actor, "emulation.appraise_scorecard", line.scorecard)
        new = (entry.points, entry.flag, entry.value, entry.inputs or {})
        same_as_unit = _same_entry(new, (line.self_points, line.self_flag, line.self_value, line.self_inputs or {}))
        if not same_as_unit and not nfc(reason):
            raise EmulationError(_("Give the reason for changing the unit's score."))
        before = _entry_text(*(
            (line.appr_points, line.appr_flag, line.appr_value, line.appr_inputs) if line.appraised
            else (line.self_points, line.self_flag, line.self_value, line.self_inputs)
        ))
        line.appraised = not same_as_unit
        line.appr_points, line.appr_flag, line.appr_value, line.appr_inputs = new if not same_as_unit else (None, None, None, {})
        line.appraisal_reason = nfc(reason) if not same_as_unit else ""
        line.appraised_by, line.appraised_at = actor, timezone.now()
        line.version += 1
        line.save()
        audit_log(
            actor=actor, obj=line.scorecard, action="emulation.scorecard.line_appraised",
            data={
                "line": line.node.code or line.node.key, "key": line.node.key,
                "old": before, "new": _entry_text(*new), "reason": line.appraisal_reason,
            },
        )
    return line


def scorecard_send_appraisal(*, actor, scorecard_id: int, version: int) -> Scorecard:
    """Send the appraisal to the unit, which may explain itself until the response deadline."""
    with transaction.atomic():
        scorecard = _lock_scorecard(scorecard_id)
        if scorecard.version != version:
            raise StaleVersionError(scorecard)
        _require(actor, "emulation.appraise_scorecard", scorecard)
        if scorecard.state != ScorecardState.SUBMITTED:
            raise EmulationError(_("Only a submitted scorecard can be sent back with its appraisal."))
        result = score_scorecard(scorecard, Side.APPRAISED)
        scorecard.appraised_total, scorecard.grade = result.total, result.grade or ""
        scorecard.state = ScorecardState.APPRAISED
        scorecard.appraised_at = timezone.now()
        scorecard.response_deadline = timezone.localdate() + timedelta(days=scorecard.campaign.response_days)
        scorecard.version += 1
        scorecard.save(update_fields=["appraised_total", "grade", "state", "appraised_at", "response_deadline", "version"])
        changed = scorecard.lines.filter(appraised=True).count()
        audit_log(actor=actor, obj=scorecard, action="emulation.scorecard.appraised", data={"changed": changed})
        notify(
            recipients=_unit_users(scorecard.unit),
            kind="emulation.scorecard.appraised",
            params={
                "unit": scorecard.unit.name, "campaign": scorecard.campaign.name, "changed": changed,
                "deadline": scorecard.response_deadline.strftime("%d/%m/%Y"),
            },
            url=reverse("emulation:scorecard_detail", args=[scorecard.pk]),
        )
    return scorecard


def _unit_users(unit: Unit):
    from django.contrib.auth import get_user_model

    return list(
        get_user_model().objects.filter(is_active=True, role_grants__unit=unit, role_grants__role__in=[Role.STAFF, Role.UNIT_LEADER]).distinct()
    )


def scorecard_respond(*, actor, line_id: int, response: str) -> ScoreLine:
    """Giải trình: the unit explains itself on an appraised line, within the response window."""
    with transaction.atomic():
        scorecard = _lock_scorecard(ScoreLine.objects.values_list("scorecard_id", flat=True).get(pk=line_id))
        line = ScoreLine.objects.select_for_update().select_related("node", "scorecard__campaign", "scorecard__unit").get(pk=line_id)
        _require(actor, "emulation.respond_scorecard", line.scorecard)
        if not line.appraised:
            raise EmulationError(_("Only a line the appraisal changed can be explained."))
        if line.scorecard.response_deadline and timezone.localdate() > line.scorecard.response_deadline:
            raise EmulationError(_("The time for responding ended on %(day)s.") % {"day": line.scorecard.response_deadline.strftime("%d/%m/%Y")})
        if not response.strip():
            raise EmulationError(_("Write the explanation."))
        line.response, line.responded_at = response.strip(), timezone.now()
        line.version += 1
        line.save(update_fields=["response", "responded_at", "version"])
        # An officer finalising from a page opened before this response gets a conflict, not a
        # silent finalisation that never saw the explanation.
        scorecard.version += 1
        scorecard.save(update_fields=["version"])
        audit_log(actor=actor, obj=line.scorecard, action="emulation.scorecard.responded", data={"line": line.node.code or line.node.key})
    return line


def scorecard_finalise(*, actor, scorecard_id: int, version: int) -> Scorecard:
    with transaction.atomic():
        scorecard = _lock_scorecard(scorecard_id)
        if scorecard.version != version:
            raise StaleVersionError(scorecard)
        _require(actor, "emulation.finalise_scorecard", scorecard)
        result = score_scorecard(scorecard, Side.APPRAISED)
        scorecard.appraised_total, scorecard.grade = result.total, result.grade or ""
        scorecard.state = ScorecardState.FINAL
        scorecard.finalised_at = timezone.now()
        scorecard.version += 1
        scorecard.save(update_fields=["appraised_total", "grade", "state", "finalised_at", "version"])
        audit_log(actor=actor, obj=scorecard, action="emulation.scorecard.finalised", data={"total": str(result.total)})
    return scorecard
