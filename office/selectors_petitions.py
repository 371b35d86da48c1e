"""Read functions for voters' petitions, scoped to the user who asks: batches with their
counts, petitions flagged overdue, and the per-classification figures of a batch."""

from __future__ import annotations

from datetime import date

from django.db.models import BooleanField, Case, Count, F, Q, QuerySet, Value, When
from django.utils import timezone

from office.enums import PetitionClass
from office.models import Petition, PetitionBatch
from office.selectors import batches_visible_to, petitions_visible_to
from portal.access import scope_of


def overdue_condition(today: date, prefix: str = "") -> Q:
    """Not answered by a deadline already past, or answered after the deadline ("answered late")."""
    return Q(**{f"{prefix}classification": PetitionClass.UNANSWERED, f"{prefix}answer_deadline__lt": today}) | Q(
        **{f"{prefix}answered_on__gt": F(f"{prefix}answer_deadline")}
    )


def with_overdue(petitions: QuerySet[Petition], today: date | None = None) -> QuerySet[Petition]:
    """Annotate `is_overdue` (see overdue_condition) for the red badge and the "overdue only" filter."""
    today = today or timezone.localdate()
    return petitions.annotate(
        is_overdue=Case(When(overdue_condition(today), then=Value(True)), default=Value(False), output_field=BooleanField())
    )


def petition_list_queryset(*, user, batch: PetitionBatch, today: date | None = None) -> QuerySet[Petition]:
    """The petitions of a batch the user may see, flagged overdue, ready for PetitionFilter."""
    return (
        with_overdue(petitions_visible_to(user).filter(batch=batch), today)
        .select_related("lead_unit")
        .order_by("code", "id")
    )


def petition_detail_queryset(*, user, today: date | None = None) -> QuerySet[Petition]:
    return with_overdue(petitions_visible_to(user), today).select_related("batch", "lead_unit")


def batch_list_queryset(*, user, today: date | None = None) -> QuerySet[PetitionBatch]:
    """Batches, newest first, with the counts of the petitions of each the user may see."""
    today = today or timezone.localdate()
    scope = scope_of(user)
    visible = Q() if scope.ministry_wide else scope.unit_filter("petitions__lead_unit__")
    return (
        batches_visible_to(user)
        .annotate(
            petition_count=Count("petitions", filter=visible),
            unanswered_count=Count(
                "petitions", filter=visible & Q(petitions__classification=PetitionClass.UNANSWERED)
            ),
            overdue_count=Count("petitions", filter=visible & overdue_condition(today, "petitions__")),
        )
        .order_by("-received_on", "-id")
    )


def classification_counts(petitions: QuerySet[Petition], today: date | None = None) -> dict[str, int]:
    """{classification: count} for every classification (zeros included), plus "total",
    "overdue" (late or unanswered past the deadline) and "answered_late", in one query."""
    today = today or timezone.localdate()
    aggregates = {value: Count("id", filter=Q(classification=value)) for value in PetitionClass.values}
    aggregates["total"] = Count("id")
    aggregates["overdue"] = Count("id", filter=overdue_condition(today))
    aggregates["answered_late"] = Count("id", filter=Q(answered_on__gt=F("answer_deadline")))
    return petitions.order_by().aggregate(**aggregates)
