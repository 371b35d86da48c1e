"""Write functions for voters' petitions (kiến nghị cử tri): batches, petitions and their answers,
plus the date rules (legal answer deadline, consolidated-report due date)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from office.enums import PetitionBody, PetitionClass
from office.models import Petition, PetitionBatch
from office.services import OfficeError, _require
from portal.audit import actor_name, audit_log, field_changes
from portal.calendar import WorkingCalendar, add_working_days
from portal.models import Unit
from portal.notifications import notify
from portal.selectors import leaders_of
from portal.services import StaleVersionError
from portal.text import nfc

# Legal answer period, in calendar days, by the body whose session sent the petitions:
# Luật Tiếp công dân / Luật Tổ chức Quốc hội give 60 days; People's Councils ask for 30.
# The batch stores its own value, so a batch with a different period only changes that batch.
DEFAULT_ANSWER_DAYS: dict[str, int] = {
    PetitionBody.NATIONAL_ASSEMBLY: 60,
    PetitionBody.PEOPLES_COUNCIL: 30,
}
MAX_ANSWER_DAYS = 365
# The consolidated answer report reaches the National Assembly at least this many working days
# before its next session opens.
REPORT_LEAD_WORKING_DAYS = 20
_BLANK_LINES = re.compile(r"\n{3,}")


# --- Date rules --------------------------------------------------------------------------------


def answer_deadline(received_on: date, answer_days: int) -> date:
    """The last day to answer: the received date plus the batch's period, in calendar days."""
    return received_on + timedelta(days=answer_days)


def working_days_before(day: date, count: int) -> date:
    """The date `count` working days (portal.calendar: Monday–Friday less public holidays, plus
    compensatory working days) before `day`."""
    return add_working_days(day, -count)


def report_due(next_session_on: date | None, *, calendar: WorkingCalendar | None = None) -> date | None:
    """When the consolidated report on a batch's answers is due: 20 working days before the
    next session opens (None when that date is not known yet)."""
    if next_session_on is None:
        return None
    return (calendar or WorkingCalendar()).add_working_days(next_session_on, -REPORT_LEAD_WORKING_DAYS)


def report_dues(sessions: list[date | None]) -> list[date | None]:
    """report_due() of each next-session date, the holidays of them all read in one query (a list page)."""
    calendar = WorkingCalendar()
    calendar.read_periods([day for day in sessions if day is not None], -REPORT_LEAD_WORKING_DAYS)
    return [report_due(day, calendar=calendar) for day in sessions]


# --- Batches -----------------------------------------------------------------------------------


def petition_batch_create(
    *,
    actor,
    body: str,
    session: str,
    received_on: date,
    answer_days: int | None = None,
    next_session_on: date | None = None,
) -> PetitionBatch:
    """Open a batch (đợt) of petitions sent after one session; the Office's job."""
    _require(actor, "office.add_petition", None)
    if body not in PetitionBody.values:
        raise OfficeError(_("Choose the body whose session sent the petitions."))
    session = nfc(session)
    if not session:
        raise OfficeError(_("Name the session, for example “Kỳ họp thứ 10, Quốc hội khóa XV”."))
    if answer_days is None:
        answer_days = DEFAULT_ANSWER_DAYS[body]
    if not 1 <= answer_days <= MAX_ANSWER_DAYS:
        raise OfficeError(
            _("The answer period must be between 1 and %(max)d days.") % {"max": MAX_ANSWER_DAYS}
        )
    if next_session_on is not None and next_session_on <= received_on:
        raise OfficeError(_("The next session must open after the petitions were received."))
    with transaction.atomic():
        batch = PetitionBatch.objects.create(
            body=body,
            session=session,
            received_on=received_on,
            answer_days=answer_days,
            next_session_on=next_session_on,
        )
        audit_log(
            actor=actor,
            obj=batch,
            action="office.petition.batch_created",
            data={"received_on": received_on.isoformat(), "answer_days": answer_days},
        )
    return batch


# --- Petitions ---------------------------------------------------------------------------------


def petition_create(
    *,
    actor,
    batch: PetitionBatch,
    code: str,
    content: str,
    constituency: str,
    lead_unit: Unit,
    received_on: date | None = None,
) -> Petition:
    """Record one petition of a batch and assign it to its lead unit, whose leaders are told."""
    _require(actor, "office.add_petition", batch)
    code, content = nfc(code), nfc(content)
    if not code or not content:
        raise OfficeError(_("A petition needs its code and content."))
    if not lead_unit.is_active:
        raise OfficeError(_("The unit %(unit)s is no longer active.") % {"unit": lead_unit.name})
    received_on = received_on or batch.received_on
    if received_on < batch.received_on:
        raise OfficeError(_("A petition cannot be received before its batch."))
    with transaction.atomic():
        if Petition.objects.filter(batch=batch, code=code).exists():
            raise OfficeError(_("The code %(code)s is already used in this batch.") % {"code": code})
        petition = Petition.objects.create(
            batch=batch,
            code=code,
            content=content,
            constituency=nfc(constituency),
            lead_unit=lead_unit,
            received_on=received_on,
            answer_deadline=answer_deadline(received_on, batch.answer_days),
        )
        audit_log(
            actor=actor,
            obj=petition,
            action="office.petition.created",
            data={"lead_unit": lead_unit.name, "answer_deadline": petition.answer_deadline.isoformat()},
        )
        notify(
            recipients=[user for user in leaders_of(lead_unit) if user.pk != actor.pk],
            kind="office.petition.assigned",
            params={
                "actor": actor_name(actor),
                "petition": petition.code,
                "deadline": petition.answer_deadline.strftime("%d/%m/%Y"),
            },
            url=reverse("office:petition_detail", args=[petition.pk]),
        )
    return petition


def _paragraphs(text: str | None) -> str:
    """Like portal.text.nfc, but an answer keeps its paragraphs (one blank line at most between them)."""
    lines = [nfc(line) for line in (text or "").splitlines()]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


ANSWER_FIELDS = ("classification", "answer_text", "answered_on", "roadmap", "roadmap_deadline")


def petition_answer(
    *,
    actor,
    petition_id: int,
    version: int,
    classification: str,
    answer_text: str,
    answered_on: date,
    answer_file=None,
    roadmap: str = "",
    roadmap_deadline: date | None = None,
) -> Petition:
    """Record (or correct) the answer to a petition and how it is classified.

    "In progress" answers carry the roadmap and the date it should be resolved by; the other
    classes have none. A new file replaces the previous one; without one, the old file stays.
    """
    with transaction.atomic():
        petition = Petition.objects.select_for_update().select_related("lead_unit", "batch").get(pk=petition_id)
        if petition.version != version:
            raise StaleVersionError(petition)
        _require(actor, "office.answer_petition", petition)
        answer_text, roadmap = _paragraphs(answer_text), _paragraphs(roadmap)
        if classification == PetitionClass.UNANSWERED or classification not in PetitionClass.values:
            raise OfficeError(_("Choose how the petition was answered."))
        if not answer_text:
            raise OfficeError(_("Write the answer given to the voters."))
        if answered_on > timezone.localdate():
            raise OfficeError(_("The answer date cannot be in the future."))
        if answered_on < petition.received_on:
            raise OfficeError(_("The answer date cannot be before the petition was received."))
        if classification == PetitionClass.IN_PROGRESS:
            if not roadmap or roadmap_deadline is None:
                raise OfficeError(_("A petition being resolved needs its roadmap and the date it will be resolved by."))
            if roadmap_deadline < answered_on:
                raise OfficeError(_("The roadmap cannot end before the answer date."))
        else:
            roadmap, roadmap_deadline = "", None
        before = {name: getattr(petition, name) for name in ANSWER_FIELDS}
        petition.classification = classification
        petition.answer_text = answer_text
        petition.answered_on = answered_on
        petition.roadmap = roadmap
        petition.roadmap_deadline = roadmap_deadline
        fields = [*ANSWER_FIELDS, "version"]
        if answer_file:
            petition.answer_file = answer_file
            fields.append("answer_file")
        changes = field_changes(before, {name: getattr(petition, name) for name in ANSWER_FIELDS})
        petition.version += 1
        petition.save(update_fields=fields)
        audit_log(
            actor=actor,
            obj=petition,
            action="office.petition.answered",
            data={
                "changes": changes,
                "classification": classification,
                "answered_on": answered_on.isoformat(),
                "late": answered_on > petition.answer_deadline,
            },
        )
    return petition
