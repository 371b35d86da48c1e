"""Đăng ký thi đua: at the start of the year a unit registers the titles it aims at, for itself
(a collective target, no person) and for its people; the year-end dossier starts from these
(``registered_targets``).

Who registers: the unit's staff and its leaders (leaders also for the units below theirs), the
same people who prepare its dossiers. Registration is for the current year or the next one; a past
year's registrations are history and stay as they were.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commendations.enums import Subject
from commendations.models import Award, TitleRegistration
from commendations.services import CommendationsError
from office.rules import works_for
from portal.audit import audit_log, register_actions
from portal.models import Person, Unit

register_actions(
    {
        "commendations.registration.added": gettext_lazy(
            "%(actor)s registered %(count)s target(s) “%(award)s” for %(year)s in %(object)s: %(targets)s"
        ),
        "commendations.registration.deleted": gettext_lazy(
            "%(actor)s removed the target “%(award)s” for %(year)s of %(target)s in %(object)s"
        ),
    }
)


def registration_years(today=None) -> tuple[int, int]:
    """The years open to registration: the current one and the next."""
    year = (today or timezone.localdate()).year
    return year, year + 1


def may_register(user, unit: Unit) -> bool:
    """Staff of exactly this unit, or a leader of it or of a unit above it."""
    return works_for(user, unit)


def _check_year(year: int) -> None:
    first, last = registration_years()
    if year < first:
        raise CommendationsError(
            _("Registrations for %(year)s are closed: targets are registered for the current year (%(first)s) "
              "or the next one (%(last)s).") % {"year": year, "first": first, "last": last}
        )
    if year > last:
        raise CommendationsError(
            _("Registrations for %(year)s are not open yet: targets are registered for the current year "
              "(%(first)s) or the next one (%(last)s).") % {"year": year, "first": first, "last": last}
        )


def registration_save(
    *, actor, unit_id: int, year: int, award_id: int, person_ids: Iterable[int] = (), for_unit: bool = False
) -> list[TitleRegistration]:
    """Register one target title for the unit itself (``for_unit``, a collective award) and/or for
    some of its people (an individual award; each must work in the unit or a unit below it).
    Targets already registered are left alone, so sending the same list twice changes nothing.
    Returns the registrations created."""
    person_ids = sorted({int(pk) for pk in person_ids})
    with transaction.atomic():
        # Locking the unit serialises two people registering for it at once.
        unit = Unit.objects.select_for_update().filter(pk=unit_id).first()
        if unit is None or not may_register(actor, unit):
            raise PermissionDenied("commendations.register_titles")
        _check_year(year)
        award = Award.objects.filter(pk=award_id).first()
        if award is None or not award.is_active:
            raise CommendationsError(_("Choose a title from the catalogue that is still awarded."))
        if not person_ids and not for_unit:
            raise CommendationsError(_("Choose the people to register, or the unit itself."))
        if for_unit and award.subject == Subject.PERSON:
            raise CommendationsError(
                _("“%(award)s” is awarded to individuals only; the unit itself cannot register for it.")
                % {"award": award.name}
            )
        if person_ids and award.subject == Subject.COLLECTIVE:
            raise CommendationsError(
                _("“%(award)s” is awarded to collectives only; register it for the unit, not for people.")
                % {"award": award.name}
            )
        people = list(
            Person.objects.filter(pk__in=person_ids, unit__path__startswith=unit.path, is_active=True).order_by(
                "sort_key", "pk"
            )
        )
        if len(people) != len(person_ids):
            raise CommendationsError(
                _("Only active people of %(unit)s and the units below it can be registered; reload the page "
                  "and choose again.") % {"unit": unit.name}
            )
        existing = set(
            TitleRegistration.objects.filter(unit=unit, year=year, award=award).values_list("person_id", flat=True)
        )
        targets: list[Person | None] = ([None] if for_unit else []) + people
        new = [
            TitleRegistration(year=year, unit=unit, person=person, award=award, created_by=actor)
            for person in targets
            if (person.pk if person else None) not in existing
        ]
        if not new:
            return []
        TitleRegistration.objects.bulk_create(new)
        names = [reg.person.full_name if reg.person else unit.name for reg in new]
        audit_log(
            actor=actor, obj=unit, action="commendations.registration.added",
            data={"award": award.name, "year": year, "count": len(new), "targets": ", ".join(names)},
        )
    return new


def registration_delete(*, actor, registration_id: int) -> None:
    """Remove one registered target (of the current or next year)."""
    with transaction.atomic():
        registration = (
            TitleRegistration.objects.select_for_update(of=("self",))
            .select_related("unit", "person", "award")
            .filter(pk=registration_id)
            .first()
        )
        if registration is None or not may_register(actor, registration.unit):
            raise PermissionDenied("commendations.register_titles")
        _check_year(registration.year)
        target = registration.person.full_name if registration.person_id else registration.unit.name
        audit_log(
            actor=actor, obj=registration.unit, action="commendations.registration.deleted",
            data={"award": registration.award.name, "year": registration.year, "target": target},
        )
        registration.delete()


def registrations_of(*, unit: Unit, year: int):
    """A unit's registrations for a year: the unit's own targets first, then its people's by name."""
    return (
        TitleRegistration.objects.filter(unit=unit, year=year)
        .select_related("person__unit", "award")
        .order_by(F("person__sort_key").asc(nulls_first=True), "person_id", "award__position", "award__code")
    )


def registered_targets(*, unit: Unit, year: int) -> list[tuple[Person | None, Award]]:
    """What a year-end dossier of the unit starts from: (None, award) for the unit's own targets,
    (person, award) for its people's, active people only (one query)."""
    rows = registrations_of(unit=unit, year=year).filter(award__is_active=True)
    return [(reg.person, reg.award) for reg in rows if reg.person is None or reg.person.is_active]
