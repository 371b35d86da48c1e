"""Hồ sơ đề nghị khen thưởng: the write functions of a dossier from the unit's draft to the council —
its nominees and papers, and ONE table-driven transition service (submit, send back, approve, start
the appraisal, return for revision, send to the council, reject) with a named wrapper per action.

Every write locks the dossier row, checks its version (StaleVersionError), the state and the
permission (commendations/rules.py), saves with update_fields, bumps the version, writes an audit
entry on the dossier and, for the transitions, tells the proposing unit (portal.notifications).
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commendations import eligibility
from commendations.enums import (
    DOSSIER_DOCUMENTS,
    NOMINEE_DOCUMENTS,
    UNIT_EDITABLE_STATES,
    AwardKind,
    DocumentKind,
    DossierState,
    MeetingState,
    NomineeState,
    Subject,
)
from commendations.models import Award, AwardRecord, CouncilMeeting, Dossier, DossierDocument, Nominee
from commendations.services import CommendationsError
from office.rules import works_for
from portal.audit import actor_name, audit_log, field_changes, register_actions
from portal.display import register_param_display
from portal.enums import Role
from portal.models import Person, Unit
from portal.notifications import notify, register_kinds
from portal.selectors import leaders_of, unit_users
from portal.services import StaleVersionError
from portal.text import fold, nfc
from portal.uploads import validate_upload

EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
# Nominee states the unit's papers are still checked for (an excluded nominee is not voted on).
LIVE_NOMINEE_STATES = (NomineeState.PENDING, NomineeState.ACCEPTED, NomineeState.RETURNED)
APPRAISED_STATES = (NomineeState.ACCEPTED, NomineeState.EXCLUDED)


class DossierError(CommendationsError):
    """A rule of the dossier's path refused the change; the message is for the user."""


# --- Audit sentences and notification kinds (registered on import; apps.ready imports us) ---------

register_actions(
    {
        "commendations.dossier.created": gettext_lazy("%(actor)s created the dossier %(object)s"),
        "commendations.dossier.changed": gettext_lazy("%(actor)s changed the dossier %(object)s"),
        "commendations.dossier.deleted": gettext_lazy("%(actor)s deleted the draft dossier %(object)s"),
        "commendations.dossier.nominee_added": gettext_lazy(
            "%(actor)s proposed %(nominee)s for %(award)s in the dossier %(object)s"
        ),
        "commendations.dossier.nominee_changed": gettext_lazy(
            "%(actor)s changed the nomination of %(nominee)s for %(award)s in the dossier %(object)s"
        ),
        "commendations.dossier.nominee_removed": gettext_lazy(
            "%(actor)s removed %(nominee)s (%(award)s) from the dossier %(object)s"
        ),
        "commendations.dossier.document_uploaded": gettext_lazy(
            "%(actor)s attached %(file)s (%(document_kind)s) to the dossier %(object)s"
        ),
        "commendations.dossier.document_deleted": gettext_lazy(
            "%(actor)s removed %(file)s (%(document_kind)s) from the dossier %(object)s"
        ),
        "commendations.dossier.submitted": gettext_lazy(
            "%(actor)s submitted the dossier %(object)s to the unit leader"
        ),
        "commendations.dossier.sent_back": gettext_lazy(
            "%(actor)s sent the dossier %(object)s back to the drafters: %(reason)s"
        ),
        "commendations.dossier.approved": gettext_lazy(
            "%(actor)s approved the dossier %(object)s and sent it to the standing body"
        ),
        "commendations.dossier.appraisal_started": gettext_lazy(
            "%(actor)s started the appraisal of the dossier %(object)s and attached the eligibility checks"
        ),
        "commendations.dossier.eligibility_refreshed": gettext_lazy(
            "%(actor)s checked the eligibility of the nominees of the dossier %(object)s again"
        ),
        "commendations.dossier.nominee_appraised": gettext_lazy(
            "%(actor)s appraised %(nominee)s (%(award)s) in the dossier %(object)s: %(nominee_decision)s"
        ),
        "commendations.dossier.returned": gettext_lazy(
            "%(actor)s returned the dossier %(object)s for revision: %(reason)s"
        ),
        "commendations.dossier.sent_to_council": gettext_lazy(
            "%(actor)s sent the dossier %(object)s to the council meeting %(meeting)s"
        ),
        "commendations.dossier.rejected": gettext_lazy("%(actor)s did not approve the dossier %(object)s: %(reason)s"),
    }
)


def _document_kind_label(value: str) -> str:
    return str(DocumentKind(value).label) if value in DocumentKind.values else value


def _nominee_decision_label(value: str) -> str:
    return str(NomineeState(value).label).lower() if value in NomineeState.values else value


register_param_display({"document_kind": _document_kind_label, "nominee_decision": _nominee_decision_label})

register_kinds(
    {
        "commendations.dossier.submitted": (
            gettext_lazy("A dossier awaits your approval: %(dossier)s"),
            gettext_lazy("%(actor)s submitted the dossier %(dossier)s. Check it and approve it or send it back."),
        ),
        "commendations.dossier.sent_back": (
            gettext_lazy("The dossier %(dossier)s was sent back to you"),
            gettext_lazy("%(actor)s sent the dossier %(dossier)s back to draft: %(reason)s"),
        ),
        "commendations.dossier.approved": (
            gettext_lazy("The dossier %(dossier)s was approved by the unit"),
            gettext_lazy("%(actor)s approved the dossier %(dossier)s; it now goes to the standing body for appraisal."),
        ),
        "commendations.dossier.awaiting_appraisal": (
            gettext_lazy("A dossier awaits appraisal: %(dossier)s"),
            gettext_lazy("%(unit)s sent the dossier %(dossier)s for appraisal."),
        ),
        "commendations.dossier.appraisal_started": (
            gettext_lazy("The appraisal of the dossier %(dossier)s has started"),
            gettext_lazy("%(actor)s started the appraisal of the dossier %(dossier)s."),
        ),
        "commendations.dossier.nominee_excluded": (
            gettext_lazy("A nominee of the dossier %(dossier)s was excluded"),
            gettext_lazy("%(actor)s excluded %(nominee)s from the dossier %(dossier)s at appraisal: %(reason)s"),
        ),
        "commendations.dossier.returned": (
            gettext_lazy("The dossier %(dossier)s was returned for revision"),
            gettext_lazy("%(actor)s returned the dossier %(dossier)s for revision: %(reason)s"),
        ),
        "commendations.dossier.sent_to_council": (
            gettext_lazy("The dossier %(dossier)s goes before the council"),
            gettext_lazy("%(actor)s sent the dossier %(dossier)s to the council meeting %(meeting)s."),
        ),
        "commendations.dossier.rejected": (
            gettext_lazy("The dossier %(dossier)s was not approved"),
            gettext_lazy("%(actor)s did not approve the dossier %(dossier)s: %(reason)s"),
        ),
    }
)


# --- Helpers ---------------------------------------------------------------------------------------


def _require(actor, perm: str, dossier: Dossier) -> None:
    if actor is None or not actor.has_perm(perm, dossier):
        raise PermissionDenied(perm)


def _lock(dossier_id: int, version: int) -> Dossier:
    """The dossier row, locked for the rest of the transaction, unless someone saved it in between."""
    dossier = Dossier.objects.select_for_update(of=("self",)).select_related("unit").get(pk=dossier_id)
    if dossier.version != version:
        raise StaleVersionError(dossier)
    return dossier


def _bump(dossier: Dossier, *fields: str) -> None:
    dossier.version += 1
    dossier.save(update_fields=["version", "updated_at", *fields])


def dossier_url(dossier: Dossier) -> str:
    return reverse("commendations:dossier_detail", args=[dossier.pk])


def _officers() -> list:
    return list(
        get_user_model().objects.filter(is_active=True, role_grants__role=Role.EMULATION_OFFICER).distinct()
    )


def _tell(actor, recipients, kind: str, dossier: Dossier, **params) -> None:
    users = [user for user in recipients if user.pk != getattr(actor, "pk", None)]
    if users:
        notify(
            recipients=users,
            kind=kind,
            params={"actor": actor_name(actor), "dossier": dossier.title, "unit": dossier.unit.name, **params},
            url=dossier_url(dossier),
        )


def _default_title(unit: Unit, year: int, kind: str) -> str:
    """"Proposal for commendation 2025 – Sở Tư pháp Hà Nội": the year-end (merit) dossier is the usual
    one; another kind is named after it ("… – ad hoc")."""
    title = _("Proposal for commendation %(year)s – %(unit)s") % {"year": year, "unit": unit.name}
    if kind != AwardKind.MERIT:
        title = f"{title} – {str(AwardKind(kind).label).lower()}"
    return title


def content_open(dossier: Dossier, nominee: Nominee | None = None) -> bool:
    """Whether the unit may change this part of the dossier now (its permission aside): anything of a
    draft or of a dossier returned whole; of a dossier returned in part, only a returned nominee."""
    if dossier.state == DossierState.DRAFT or (dossier.state == DossierState.RETURNED and dossier.returned_whole):
        return True
    return dossier.state == DossierState.RETURNED and nominee is not None and nominee.state == NomineeState.RETURNED


def _check_content_editable(actor, dossier: Dossier, nominee: Nominee | None = None) -> None:
    """Refuse a change to the dossier's content (``nominee`` None: to the dossier itself — its title,
    kind, new nominees, its own papers) unless content_open says so and the actor may edit it."""
    if dossier.state not in UNIT_EDITABLE_STATES:
        raise DossierError(
            _("The dossier is “%(state)s”; its content can no longer be changed.")
            % {"state": dossier.get_state_display()}
        )
    _require(actor, "commendations.edit_dossier", dossier)
    if not content_open(dossier, nominee):
        if nominee is None:
            raise DossierError(
                _("Only the nominees returned for revision can be changed; the rest of the dossier stays as appraised.")
            )
        raise DossierError(
            _("%(nominee)s was not returned for revision; only the returned nominees can be changed.")
            % {"nominee": nominee.name}
        )


def _award_fits(award: Award, person: Person | None, unit: Unit | None) -> None:
    if not award.is_active:
        raise DossierError(_("%(award)s is no longer offered for nominations.") % {"award": award.name})
    if person is not None and award.subject == Subject.COLLECTIVE:
        raise DossierError(_("%(award)s is for collectives, not for individuals.") % {"award": award.name})
    if unit is not None and award.subject == Subject.PERSON:
        raise DossierError(_("%(award)s is for individuals, not for collectives.") % {"award": award.name})


def _check_subject(dossier: Dossier, person: Person | None, unit: Unit | None) -> None:
    if (person is None) == (unit is None):
        raise DossierError(_("Choose either a person or a collective."))
    if person is not None and (not person.is_active or not person.unit.path.startswith(dossier.unit.path)):
        raise DossierError(
            _("%(person)s does not work in %(unit)s or its sub-units; a unit proposes its own people only.")
            % {"person": person.full_name, "unit": dossier.unit.name}
        )
    if unit is not None and (not unit.is_active or not unit.path.startswith(dossier.unit.path)):
        raise DossierError(
            _("%(collective)s is not %(unit)s or one of its sub-units; a unit proposes its own collectives only.")
            % {"collective": unit.name, "unit": dossier.unit.name}
        )


def _check_duplicate(dossier: Dossier, person: Person | None, unit: Unit | None, award: Award,
                     exclude_pk: int | None = None) -> None:
    """The same subject and award once per dossier, once per year across the unit's live dossiers,
    and never a merit award the subject already holds for that year."""
    subject = {"person": person} if person is not None else {"unit": unit}
    name = person.full_name if person is not None else unit.name
    same = Nominee.objects.filter(award=award, dossier__year=dossier.year, **subject).exclude(
        dossier__state=DossierState.REJECTED
    )
    if exclude_pk is not None:
        same = same.exclude(pk=exclude_pk)
    other = same.select_related("dossier").first()
    if other is not None and other.dossier_id == dossier.pk:
        raise DossierError(
            _("%(name)s is already proposed for %(award)s in this dossier.") % {"name": name, "award": award.name}
        )
    if other is not None:
        raise DossierError(
            _("%(name)s is already proposed for %(award)s %(year)s in the dossier “%(dossier)s”.")
            % {"name": name, "award": award.name, "year": dossier.year, "dossier": other.dossier.title}
        )
    if dossier.kind == AwardKind.MERIT and AwardRecord.objects.filter(
        award=award, year=dossier.year, kind=AwardKind.MERIT, **subject
    ).exists():
        raise DossierError(
            _("%(name)s already holds %(award)s for %(year)s.") % {"name": name, "award": award.name, "year": dossier.year}
        )


def _reopen(nominee: Nominee) -> list[str]:
    """A nominee whose content changed after appraisal goes back to be appraised again."""
    if nominee.state in APPRAISED_STATES:
        nominee.state = NomineeState.PENDING
        nominee.eligibility = None
        nominee.eligible = None
        return ["state", "eligibility", "eligible"]
    return []


def _store_document(*, actor, dossier: Dossier, nominee: Nominee | None, kind: str, file) -> DossierDocument:
    validate_upload(file)
    allowed = NOMINEE_DOCUMENTS if nominee is not None else (*DOSSIER_DOCUMENTS, DocumentKind.OTHER)
    if kind not in allowed:
        if nominee is not None:
            message = _("A nominee's papers are the achievement report, certifications and other documents.")
        else:
            message = _("Papers of one nominee are attached to that nominee, not to the whole dossier.")
        raise DossierError(message)
    original = nfc(posixpath.basename(file.name.replace("\\", "/")))[:255]
    document = DossierDocument.objects.create(
        dossier=dossier, nominee=nominee, kind=kind, file=file, original_name=original, size=file.size,
        uploaded_by=actor,
    )
    audit_log(
        actor=actor, obj=dossier, action="commendations.dossier.document_uploaded",
        data={"file": original, "document_kind": kind, "nominee": nominee.name if nominee else ""},
    )
    return document


def _delete_file_after_commit(field_file) -> None:
    name, storage = field_file.name, field_file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))


# --- The dossier ------------------------------------------------------------------------------------


def dossier_create(*, actor, unit: Unit, year: int, kind: str = AwardKind.MERIT, title: str = "",
                   from_registrations: bool = False) -> Dossier:
    """A new draft of ``unit`` (one the actor works for). With ``from_registrations``, one nominee per
    target the unit registered for the year (commendations.registrations.registered_targets); targets
    that no longer fit (a person who left, an inactive award, one already proposed) are skipped and
    listed in ``dossier.skipped_targets``."""
    if actor is None or not actor.has_perm("commendations.create_dossier") or not works_for(actor, unit):
        raise PermissionDenied("commendations.create_dossier")
    if not unit.is_active:
        raise DossierError(_("%(unit)s is no longer active.") % {"unit": unit.name})
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise DossierError(_("Give a year between %(low)d and %(high)d.") % {"low": EARLIEST_YEAR, "high": LATEST_YEAR})
    if kind not in AwardKind.values:
        raise DossierError(_("Choose the kind of commendation."))
    skipped: list[str] = []
    with transaction.atomic():
        dossier = Dossier.objects.create(
            unit=unit, year=year, kind=kind, title=nfc(title) or _default_title(unit, year, kind), created_by=actor
        )
        created = 0
        if from_registrations:
            from commendations.registrations import registered_targets

            for person, award in registered_targets(unit=unit, year=year):
                target = {"person": person, "unit": None} if person is not None else {"person": None, "unit": unit}
                try:
                    _check_subject(dossier, **target)
                    _award_fits(award, **target)
                    _check_duplicate(dossier, award=award, **target)
                except DossierError as error:
                    skipped.append(str(error))
                    continue
                name = person.full_name if person is not None else unit.name
                Nominee.objects.create(
                    dossier=dossier, award=award, position=created + 1, search_text=fold(name), **target
                )
                created += 1
        audit_log(
            actor=actor, obj=dossier, action="commendations.dossier.created",
            data={"year": year, "kind": kind, "unit": unit.code, "from_registrations": created,
                  "skipped": len(skipped)},
        )
    dossier.skipped_targets = skipped
    return dossier


DOSSIER_FIELDS = ("title", "kind")


def dossier_update(*, actor, dossier_id: int, version: int, title: str, kind: str) -> Dossier:
    """Change the title or the kind of a draft (or of a dossier returned whole)."""
    with transaction.atomic():
        dossier = _lock(dossier_id, version)
        _check_content_editable(actor, dossier)
        if kind not in AwardKind.values:
            raise DossierError(_("Choose the kind of commendation."))
        title = nfc(title)
        if not title:
            raise DossierError(_("Give the dossier a title."))
        before = {name: getattr(dossier, name) for name in DOSSIER_FIELDS}
        changes = field_changes(before, {"title": title, "kind": kind})
        if not changes:
            return dossier
        dossier.title, dossier.kind = title, kind
        _bump(dossier, *DOSSIER_FIELDS)
        audit_log(actor=actor, obj=dossier, action="commendations.dossier.changed", data={"changes": changes})
    return dossier


def dossier_delete(*, actor, dossier_id: int, version: int) -> None:
    """Delete a draft with its nominees and papers (the files go once the deletion is committed)."""
    with transaction.atomic():
        dossier = _lock(dossier_id, version)
        if dossier.state != DossierState.DRAFT:
            raise DossierError(_("Only a draft can be deleted; this dossier is “%(state)s”.")
                               % {"state": dossier.get_state_display()})
        _require(actor, "commendations.delete_dossier", dossier)
        for document in dossier.documents.all():
            _delete_file_after_commit(document.file)
        audit_log(
            actor=actor, obj=dossier, action="commendations.dossier.deleted",
            data={"year": dossier.year, "unit": dossier.unit.code, "nominees": dossier.nominees.count()},
        )
        dossier.delete()


# --- Nominees ---------------------------------------------------------------------------------------


def nominee_add(*, actor, dossier_id: int, version: int, award: Award, person: Person | None = None,
                unit: Unit | None = None, achievements: str = "", report_file=None) -> Nominee:
    """Propose a person of the unit's sub-tree, or the unit or a sub-unit as a collective, for an award
    that fits them; ``report_file`` attaches the achievement report as a file."""
    with transaction.atomic():
        dossier = _lock(dossier_id, version)
        _check_content_editable(actor, dossier)
        _check_subject(dossier, person, unit)
        _award_fits(award, person, unit)
        _check_duplicate(dossier, person, unit, award)
        position = (dossier.nominees.aggregate(last=Max("position"))["last"] or 0) + 1
        name = person.full_name if person is not None else unit.name
        nominee = Nominee.objects.create(
            dossier=dossier, person=person, unit=unit, award=award, achievements=achievements.strip(),
            position=position, search_text=fold(name),
        )
        audit_log(
            actor=actor, obj=dossier, action="commendations.dossier.nominee_added",
            data={"nominee": name, "award": award.name},
        )
        if report_file:
            _store_document(
                actor=actor, dossier=dossier, nominee=nominee, kind=DocumentKind.ACHIEVEMENT_REPORT, file=report_file
            )
        _bump(dossier)
    return nominee


def nominee_update(*, actor, dossier_id: int, version: int, nominee_id: int, award: Award,
                   achievements: str = "", report_file=None) -> Nominee:
    """Change a nominee's award or achievement report (a new report file is added to the others)."""
    with transaction.atomic():
        dossier = _lock(dossier_id, version)
        nominee = dossier.nominees.select_related("person__unit", "unit", "award").get(pk=nominee_id)
        _check_content_editable(actor, dossier, nominee)
        fields = []
        changes = field_changes(
            {"award": nominee.award.name, "achievements": nominee.achievements},
            {"award": award.name, "achievements": achievements.strip()},
        )
        if award.pk != nominee.award_id:
            _award_fits(award, nominee.person, nominee.unit)
            _check_duplicate(dossier, nominee.person, nominee.unit, award, exclude_pk=nominee.pk)
            nominee.award = award
            fields.append("award")
        if achievements.strip() != nominee.achievements:
            nominee.achievements = achievements.strip()
            fields.append("achievements")
        if not fields and not report_file:
            return nominee
        fields += _reopen(nominee)
        if fields:
            nominee.save(update_fields=fields)
        if changes:
            audit_log(
                actor=actor, obj=dossier, action="commendations.dossier.nominee_changed",
                data={"nominee": nominee.name, "award": nominee.award.name, "changes": changes},
            )
        if report_file:
            _store_document(
                actor=actor, dossier=dossier, nominee=nominee, kind=DocumentKind.ACHIEVEMENT_REPORT, file=report_file
            )
        _bump(dossier)
    return nominee


def nominee_remove(*, actor, dossier_id: int, version: int, nominee_id: int) -> None:
    """Take a nominee (and their papers) out of the dossier."""
    with transaction.atomic():
        dossier = _lock(dossier_id, version)
        nominee = dossier.nominees.select_related("person", "unit", "award").get(pk=nominee_id)
        _check_content_editable(actor, dossier, nominee)
        for document in nominee.documents.all():
            _delete_file_after_commit(document.file)
        audit_log(
            actor=actor, obj=dossier, action="commendations.dossier.nominee_removed",
            data={"nominee": nominee.name, "award": nominee.award.name},
        )
        nominee.delete()
        _bump(dossier)


# --- Papers -----------------------------------------------------------------------------------------


def document_upload(*, actor, dossier_id: int, version: int, kind: str, file, nominee_id: int | None = None
                    ) -> DossierDocument:
    """Attach a paper to the dossier or to one nominee, checked by content and size
    (portal.uploads.validate_upload: PDF, DOCX, XLSX, PNG, JPEG; never empty; at most
    settings.PORTAL_MAX_UPLOAD_MB). Raises ValidationError for a refused file."""
    with transaction.atomic():
        dossier = _lock(dossier_id, version)
        nominee = None
        if nominee_id is not None:
            nominee = dossier.nominees.select_related("person", "unit", "award").get(pk=nominee_id)
        _check_content_editable(actor, dossier, nominee)
        document = _store_document(actor=actor, dossier=dossier, nominee=nominee, kind=kind, file=file)
        if nominee is not None:
            fields = _reopen(nominee)
            if fields:
                nominee.save(update_fields=fields)
        _bump(dossier)
    return document


def document_delete(*, actor, dossier_id: int, version: int, document_id: int) -> None:
    with transaction.atomic():
        dossier = _lock(dossier_id, version)
        document = dossier.documents.select_related("nominee__person", "nominee__unit").get(pk=document_id)
        _check_content_editable(actor, dossier, document.nominee)
        audit_log(
            actor=actor, obj=dossier, action="commendations.dossier.document_deleted",
            data={"file": document.original_name, "document_kind": document.kind,
                  "nominee": document.nominee.name if document.nominee else ""},
        )
        _delete_file_after_commit(document.file)
        document.delete()
        _bump(dossier)


# --- What a submission needs ------------------------------------------------------------------------


def submission_problems(dossier: Dossier) -> list[str]:
    """What keeps the dossier from being submitted, one sentence each (empty: nothing). Two queries.

    At least one nominee; the dossier's own papers (DOSSIER_DOCUMENTS); per nominee not excluded, an
    achievement report (typed or as a file) and the papers its award requires."""
    nominees = list(
        dossier.nominees.exclude(state=NomineeState.EXCLUDED).select_related("person", "unit", "award")
    )
    kinds: dict[int | None, set[str]] = defaultdict(set)
    for nominee_id, kind in dossier.documents.values_list("nominee_id", "kind"):
        kinds[nominee_id].add(kind)
    problems = []
    if not nominees:
        problems.append(_("Propose at least one nominee."))
    missing = [str(DocumentKind(kind).label) for kind in DOSSIER_DOCUMENTS if kind not in kinds[None]]
    if missing:
        problems.append(_("The dossier lacks: %(documents)s.") % {"documents": "; ".join(missing)})
    for nominee in nominees:
        held = kinds[nominee.pk]
        lacking = []
        if not nominee.achievements.strip() and DocumentKind.ACHIEVEMENT_REPORT not in held:
            lacking.append(_("the achievement report (typed or as a file)"))
        for kind in nominee.award.required_documents or []:
            if kind != DocumentKind.ACHIEVEMENT_REPORT and kind not in held:
                lacking.append(_document_kind_label(kind))
        if lacking:
            problems.append(
                _("%(nominee)s (%(award)s) lacks: %(documents)s.")
                % {"nominee": nominee.name, "award": nominee.award.name, "documents": "; ".join(lacking)}
            )
    return problems


# --- Eligibility attached at appraisal ---------------------------------------------------------------


def nominee_verdicts(nominees: list[Nominee], *, year: int, on: date) -> dict[int, eligibility.Verdict]:
    """nominee id → the engine's verdict for its award in ``year`` under the rules in force on ``on``.

    A constant number of queries: the rule set, the people's histories, the collectives' histories."""
    from commendations.histories import (
        cluster_results,
        person_histories,
        rule_reads_clusters,
        rule_set,
        unit_histories,
    )

    rules = rule_set(on)
    groups: dict[tuple[str, str], list[Nominee]] = defaultdict(list)
    for nominee in nominees:
        groups[(nominee.award.code, Subject.PERSON if nominee.person_id else Subject.COLLECTIVE)].append(nominee)
    in_force = {key: eligibility.rules_in_force(rules, key[0], on, key[1]) for key in groups}
    people = {n.person_id: n.person for n in nominees if n.person_id}
    units = {n.unit_id: n.unit for n in nominees if n.unit_id}
    person_history = person_histories(list(people.values()), up_to_year=year) if people else {}
    unit_history = {}
    if units:
        # The cluster's ranking and election matter only for the Cờ thi đua rules: read them only then.
        reads_clusters = any(
            rule is not None and rule_reads_clusters(rule)
            for (_code, subject), rule in in_force.items() if subject == Subject.COLLECTIVE
        )
        unit_history = unit_histories(
            list(units.values()), year=year, cluster_results=cluster_results(year) if reads_clusters else None
        )
    verdicts: dict[int, eligibility.Verdict] = {}
    for (code, subject), members in groups.items():
        rule = in_force[(code, subject)]
        if rule is None:
            verdicts.update((n.pk, eligibility.no_rule_verdict(code, year, on)) for n in members)
            continue
        histories = person_history if subject == Subject.PERSON else unit_history
        owner = "person_id" if subject == Subject.PERSON else "unit_id"
        items = [(n.pk, histories[getattr(n, owner)]) for n in members]
        verdicts.update(eligibility.evaluate_many(rule, items, year, on))
    return verdicts


def _attach_verdicts(dossier: Dossier, states) -> int:
    nominees = list(dossier.nominees.filter(state__in=states).select_related("person", "unit", "award"))
    verdicts = nominee_verdicts(nominees, year=dossier.year, on=timezone.localdate())
    for nominee in nominees:
        verdict = verdicts[nominee.pk]
        nominee.eligibility = verdict.as_dict()
        nominee.eligible = verdict.eligible
    Nominee.objects.bulk_update(nominees, ["eligibility", "eligible"])
    return len(nominees)


def dossier_refresh_eligibility(*, actor, dossier_id: int, version: int) -> Dossier:
    """Run the eligibility checks again for the nominees still in play (after the history changed)."""
    with transaction.atomic():
        dossier = _lock(dossier_id, version)
        if dossier.state != DossierState.APPRAISAL:
            raise DossierError(_("The eligibility is checked while the dossier is under appraisal."))
        _require(actor, "commendations.appraise_dossier", dossier)
        count = _attach_verdicts(dossier, (NomineeState.PENDING, NomineeState.ACCEPTED))
        _bump(dossier)
        audit_log(actor=actor, obj=dossier, action="commendations.dossier.eligibility_refreshed", data={"count": count})
    return dossier


def nominee_appraise(*, actor, dossier_id: int, version: int, nominee_id: int, decision: str, note: str = "") -> Nominee:
    """The standing body's word on one nominee: accept it for the council, or exclude it (with a note).
    Accepting a nominee the check found ineligible needs a note saying why."""
    if decision not in ("accept", "exclude"):
        raise DossierError(_("Choose to accept or to exclude the nominee."))
    note = nfc(note)
    with transaction.atomic():
        dossier = _lock(dossier_id, version)
        if dossier.state != DossierState.APPRAISAL:
            raise DossierError(_("Nominees are appraised while the dossier is under appraisal."))
        _require(actor, "commendations.appraise_dossier", dossier)
        nominee = dossier.nominees.select_related("person", "unit", "award").get(pk=nominee_id)
        if nominee.state not in (NomineeState.PENDING, *APPRAISED_STATES):
            raise DossierError(_("%(nominee)s is “%(state)s” and cannot be appraised now.")
                               % {"nominee": nominee.name, "state": nominee.get_state_display()})
        if decision == "exclude" and not note:
            raise DossierError(_("Say why the nominee is excluded."))
        if decision == "accept" and nominee.eligible is False and not note:
            raise DossierError(_("The check found %(nominee)s not eligible; say why you accept the nomination.")
                               % {"nominee": nominee.name})
        nominee.state = NomineeState.ACCEPTED if decision == "accept" else NomineeState.EXCLUDED
        nominee.appraisal_note = note
        nominee.return_reason = ""
        nominee.save(update_fields=["state", "appraisal_note", "return_reason"])
        _bump(dossier)
        audit_log(
            actor=actor, obj=dossier, action="commendations.dossier.nominee_appraised",
            data={"nominee": nominee.name, "award": nominee.award.name, "nominee_decision": nominee.state,
                  "reason": note},
        )
        if nominee.state == NomineeState.EXCLUDED:
            _tell(actor, unit_users(dossier.unit), "commendations.dossier.nominee_excluded", dossier,
                  nominee=nominee.name, reason=note)
    return nominee


# --- The one transition service ---------------------------------------------------------------------


@dataclass(frozen=True)
class DossierTransition:
    sources: frozenset[str]
    target: str
    permission: str
    action: str  # the audit key; also the notification kind
    needs_reason: bool = False
    # Who hears of it: the proposing unit's people ("unit"), only the leaders who approve ("leaders"),
    # or the unit and the standing body's officers who appraise next ("unit_and_officers").
    tell: str = "unit"


TRANSITIONS: dict[str, DossierTransition] = {
    "submit": DossierTransition(
        frozenset(UNIT_EDITABLE_STATES), DossierState.SUBMITTED, "commendations.submit_dossier",
        "commendations.dossier.submitted", tell="leaders",
    ),
    "send_back": DossierTransition(
        frozenset({DossierState.SUBMITTED}), DossierState.DRAFT, "commendations.send_back_dossier",
        "commendations.dossier.sent_back", needs_reason=True,
    ),
    "approve": DossierTransition(
        frozenset({DossierState.SUBMITTED}), DossierState.APPROVED, "commendations.approve_dossier",
        "commendations.dossier.approved", tell="unit_and_officers",
    ),
    "start_appraisal": DossierTransition(
        frozenset({DossierState.APPROVED}), DossierState.APPRAISAL, "commendations.appraise_dossier",
        "commendations.dossier.appraisal_started",
    ),
    "return": DossierTransition(
        frozenset({DossierState.APPRAISAL}), DossierState.RETURNED, "commendations.return_dossier",
        "commendations.dossier.returned",
    ),
    "send_to_council": DossierTransition(
        frozenset({DossierState.APPRAISAL}), DossierState.COUNCIL, "commendations.send_to_council",
        "commendations.dossier.sent_to_council",
    ),
    "reject": DossierTransition(
        frozenset({DossierState.APPRAISAL, DossierState.VOTED}), DossierState.REJECTED,
        "commendations.reject_dossier", "commendations.dossier.rejected", needs_reason=True,
    ),
}


def _names(nominees) -> str:
    return ", ".join(nominee.name for nominee in nominees)


def _on_submit(actor, dossier: Dossier, **_options) -> list[str]:
    problems = submission_problems(dossier)
    if problems:
        raise DossierError(" ".join([_("The dossier cannot be submitted yet."), *problems]))
    # Returned nominees were revised: they are appraised again; accepted ones keep their state.
    dossier.nominees.filter(state=NomineeState.RETURNED).update(
        state=NomineeState.PENDING, eligibility=None, eligible=None
    )
    dossier.submitted_at = timezone.now()
    dossier.returned_whole = False
    return ["submitted_at", "returned_whole"]


def _on_approve(actor, dossier: Dossier, **_options) -> list[str]:
    dossier.approved_by, dossier.approved_at = actor, timezone.now()
    return ["approved_by", "approved_at"]


def _on_start_appraisal(actor, dossier: Dossier, **_options) -> list[str]:
    _attach_verdicts(dossier, (NomineeState.PENDING,))
    return []


def _on_return(actor, dossier: Dossier, *, reason: str, returns: Mapping[int, str] | None, whole: bool,
               **_options) -> list[str]:
    """Return the whole dossier, or the nominees named in ``returns`` (id → reason, each required)."""
    nominees = {n.pk: n for n in dossier.nominees.select_related("person", "unit")}
    returns = {int(pk): nfc(text) for pk, text in (returns or {}).items()}
    unknown = set(returns) - set(nominees)
    if unknown:
        raise DossierError(_("Choose nominees of this dossier."))
    if whole:
        if not reason:
            raise DossierError(_("Give the reason for returning the dossier."))
        chosen = list(nominees.values())
    else:
        if not returns:
            raise DossierError(_("Choose the nominees to return, or return the whole dossier."))
        without = [nominees[pk].name for pk, text in returns.items() if not text]
        if without:
            raise DossierError(_("Give the reason for returning %(names)s.") % {"names": ", ".join(without)})
        chosen = [nominees[pk] for pk in returns]
    for nominee in chosen:
        nominee.state = NomineeState.RETURNED
        nominee.return_reason = returns.get(nominee.pk, "")
    Nominee.objects.bulk_update(chosen, ["state", "return_reason"])
    if not reason:
        reason = "; ".join(f"{nominee.name}: {nominee.return_reason}" for nominee in chosen)
    dossier.reason = reason
    dossier.returned_whole = whole
    return ["reason", "returned_whole"]


def _on_send_to_council(actor, dossier: Dossier, *, meeting_id: int | None, **_options) -> list[str]:
    meeting = CouncilMeeting.objects.filter(pk=meeting_id).first() if meeting_id else None
    if meeting is None:
        raise DossierError(_("Choose the council meeting."))
    if meeting.state != MeetingState.OPEN:
        raise DossierError(_("The meeting %(meeting)s is closed; choose an open one.") % {"meeting": meeting.title})
    nominees = list(dossier.nominees.select_related("person", "unit"))
    unappraised = [n for n in nominees if n.state not in APPRAISED_STATES]
    if unappraised:
        raise DossierError(_("Accept or exclude every nominee first: %(names)s.") % {"names": _names(unappraised)})
    if not any(n.state == NomineeState.ACCEPTED for n in nominees):
        raise DossierError(_("No nominee was accepted; the dossier cannot go to the council. Reject it instead."))
    dossier.meeting = meeting
    return ["meeting"]


def _on_reject(actor, dossier: Dossier, *, reason: str, **_options) -> list[str]:
    dossier.reason = reason
    return ["reason"]


HOOKS = {
    "submit": _on_submit,
    "approve": _on_approve,
    "start_appraisal": _on_start_appraisal,
    "return": _on_return,
    "send_to_council": _on_send_to_council,
    "reject": _on_reject,
}


def dossier_transition(*, actor, dossier_id: int, action: str, version: int, reason: str = "",
                       meeting_id: int | None = None, returns: Mapping[int, str] | None = None,
                       whole: bool = False) -> Dossier:
    """Move a dossier along its path (TRANSITIONS): draft → submitted → approved → appraisal ⇄
    returned → council, or back to draft (send_back) or rejected, with the checks of each step."""
    if action not in TRANSITIONS:
        raise DossierError(_("Unknown action."))
    transition = TRANSITIONS[action]
    reason = nfc(reason)
    with transaction.atomic():
        dossier = _lock(dossier_id, version)
        if dossier.state not in transition.sources:
            raise DossierError(
                _("The dossier is “%(state)s”; it cannot be moved that way now.") % {"state": dossier.get_state_display()}
            )
        _require(actor, transition.permission, dossier)
        if transition.needs_reason and not reason:
            raise DossierError(_("Give the reason."))
        previous = dossier.state
        hook = HOOKS.get(action)
        fields = hook(actor, dossier, reason=reason, meeting_id=meeting_id, returns=returns, whole=whole) if hook else []
        if transition.needs_reason and "reason" not in fields:
            dossier.reason = reason
            fields.append("reason")
        dossier.state = transition.target
        _bump(dossier, "state", *fields)
        params = {"reason": dossier.reason if "reason" in fields else ""}
        if action == "send_to_council":
            params["meeting"] = dossier.meeting.title
        data = {"previous_state": previous, "state": dossier.state, **params}
        if action == "return":
            data["whole"] = whole
            data["nominees"] = {str(n.pk): n.return_reason for n in dossier.nominees.filter(state=NomineeState.RETURNED)}
        audit_log(actor=actor, obj=dossier, action=transition.action, data=data)
        if transition.tell == "leaders":
            _tell(actor, leaders_of(dossier.unit), transition.action, dossier, **params)
        else:
            _tell(actor, unit_users(dossier.unit), transition.action, dossier, **params)
        if transition.tell == "unit_and_officers":
            _tell(actor, _officers(), "commendations.dossier.awaiting_appraisal", dossier)
    return dossier


def dossier_submit(*, actor, dossier_id: int, version: int) -> Dossier:
    """The unit sends its draft (or its revised dossier) to the unit leader."""
    return dossier_transition(actor=actor, dossier_id=dossier_id, action="submit", version=version)


def dossier_send_back(*, actor, dossier_id: int, version: int, reason: str) -> Dossier:
    """The unit leader sends a submitted dossier back to draft, saying why."""
    return dossier_transition(actor=actor, dossier_id=dossier_id, action="send_back", version=version, reason=reason)


def dossier_approve(*, actor, dossier_id: int, version: int) -> Dossier:
    """The unit leader approves the dossier: it goes to the standing body."""
    return dossier_transition(actor=actor, dossier_id=dossier_id, action="approve", version=version)


def dossier_start_appraisal(*, actor, dossier_id: int, version: int) -> Dossier:
    """The standing body takes the dossier up and attaches the eligibility verdict to each new nominee."""
    return dossier_transition(actor=actor, dossier_id=dossier_id, action="start_appraisal", version=version)


def dossier_return(*, actor, dossier_id: int, version: int, reason: str = "",
                   returns: Mapping[int, str] | None = None, whole: bool = False) -> Dossier:
    """Return the whole dossier (``whole``, with ``reason``) or some nominees (``returns``: id → reason)."""
    return dossier_transition(actor=actor, dossier_id=dossier_id, action="return", version=version, reason=reason,
                              returns=returns, whole=whole)


def dossier_send_to_council(*, actor, dossier_id: int, version: int, meeting_id: int) -> Dossier:
    """Every nominee accepted or excluded, at least one accepted: the dossier goes to ``meeting_id``."""
    return dossier_transition(actor=actor, dossier_id=dossier_id, action="send_to_council", version=version,
                              meeting_id=meeting_id)


def dossier_reject(*, actor, dossier_id: int, version: int, reason: str) -> Dossier:
    """Not approved (under appraisal, or after the vote), with the reason."""
    return dossier_transition(actor=actor, dossier_id=dossier_id, action="reject", version=version, reason=reason)
