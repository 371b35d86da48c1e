"""The blank types certificates are printed on (CertificateLayout): creating and changing one from
the calibration page — positions and font sizes of the variable texts, the printer's shift, the
awards printed on it — with a version check and an audit entry. Printing lives in
commendations/documents.py."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commendations.models import CERTIFICATE_FIELDS, Award, CertificateLayout, CertificateLayoutAward
from commendations.services import CommendationsError
from portal.audit import audit_log, field_changes, register_actions
from portal.services import StaleVersionError

# Who calibrates the blanks and prints certificates: the emulation office and administrators
# (commendations/rules.py). It guards the page, the test print and the certificates of a decision.
MANAGE_PERMISSION = "commendations.manage_certificates"

register_actions(
    {
        "commendations.certificate_layout.created": gettext_lazy("%(actor)s created the certificate blank type %(object)s"),
        "commendations.certificate_layout.updated": gettext_lazy(
            "%(actor)s changed the positions on the certificate blank type %(object)s"
        ),
    }
)

LAYOUT_FIELDS = ("name", "paper", "orientation", "offset_x", "offset_y", "place", "achievement_text", "is_active")
FIELD_ATTRIBUTES = ("x", "y", "width", "font_size", "align", "bold", "italic", "enabled")

# Where a new blank type starts (A4 landscape; the seeded blanks of migration 0009 look alike).
NEW_LAYOUT_FIELDS = [
    {"key": "recipient", "x": 35, "y": 90, "width": 227, "font_size": 22, "align": "center", "bold": True},
    {"key": "position", "x": 35, "y": 103, "width": 227, "font_size": 14, "align": "center"},
    {"key": "achievement", "x": 35, "y": 114, "width": 227, "font_size": 14, "align": "center", "italic": True},
    {"key": "decision", "x": 25, "y": 162, "width": 110, "font_size": 11, "align": "left", "italic": True},
    {"key": "place_date", "x": 160, "y": 142, "width": 120, "font_size": 12, "align": "center", "italic": True},
    {"key": "signer_title", "x": 160, "y": 149, "width": 120, "font_size": 12, "align": "center", "bold": True},
    {"key": "signer_name", "x": 160, "y": 184, "width": 120, "font_size": 14, "align": "center", "bold": True},
]


def complete_fields(fields: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Every certificate field in the catalogue's order: the stored position, or a switched-off
    default for a field the layout does not have yet."""
    stored = {field.get("key"): field for field in fields if isinstance(field, Mapping)}
    rows = []
    for index, key in enumerate(CERTIFICATE_FIELDS):
        field = stored.get(key)
        if field is None:
            rows.append({"key": key, "x": 20, "y": 20 + 15 * index, "width": 150, "font_size": 14,
                         "align": CertificateLayout.Align.LEFT, "bold": False, "italic": False, "enabled": False})
        else:
            rows.append({
                "key": key, "x": field.get("x", 0), "y": field.get("y", 0), "width": field.get("width", 100),
                "font_size": field.get("font_size", 12), "align": field.get("align", CertificateLayout.Align.LEFT),
                "bold": bool(field.get("bold")), "italic": bool(field.get("italic")),
                "enabled": bool(field.get("enabled", True)),
            })
    return rows


def _require(actor) -> None:
    if not actor.has_perm(MANAGE_PERMISSION):
        raise PermissionDenied(MANAGE_PERMISSION)


def _check_awards_free(layout: CertificateLayout, award_ids: set[int]) -> None:
    taken = (
        CertificateLayoutAward.objects.filter(award_id__in=award_ids)
        .exclude(layout_id=layout.pk)
        .select_related("award", "layout")
        .order_by("award__position")
    )
    problems = [
        _("%(award)s is printed on “%(layout)s”") % {"award": link.award.name, "layout": link.layout.name}
        for link in taken
    ]
    if problems:
        raise CommendationsError(
            _("An award is printed on one blank type only: %(problems)s. Remove it there first.")
            % {"problems": "; ".join(problems)}
        )


def _field_summary(field: Mapping[str, Any]) -> str:
    style = "".join(mark for flag, mark in (("bold", " B"), ("italic", " I")) if field.get(flag))
    shown = "" if field.get("enabled", True) else " (off)"
    return (f"{field['key']} {field['x']}×{field['y']} mm, {field['width']} mm, {field['font_size']} pt "
            f"{field['align']}{style}{shown}")


def _position_changes(before: list[dict], after: list[dict]) -> list[str] | None:
    """[old, new] summaries of the fields whose position, size or style changed (None: none did)."""
    old = {field["key"]: field for field in complete_fields(before)}
    moved = [field for field in complete_fields(after) if old.get(field["key"]) != field]
    if not moved:
        return None
    return ["; ".join(_field_summary(old[field["key"]]) for field in moved),
            "; ".join(_field_summary(field) for field in moved)]


def layout_save(
    *,
    actor,
    layout_id: int | None,
    version: int | None,
    data: Mapping[str, Any],
    fields: list[dict[str, Any]],
    award_ids: Iterable[int],
) -> CertificateLayout:
    """Create a blank type (``layout_id`` None) or change one: StaleVersionError when someone saved
    it since the form was opened; ValidationError for positions outside the sheet; CommendationsError
    for an award already printed on another blank. Audited with what changed."""
    _require(actor)
    award_ids = {int(pk) for pk in award_ids}
    with transaction.atomic():
        if layout_id is None:
            layout, before, before_fields, before_awards = CertificateLayout(), {}, [], set()
        else:
            layout = CertificateLayout.objects.select_for_update().get(pk=layout_id)
            if version is None or layout.version != int(version):
                raise StaleVersionError(layout)
            before = {name: getattr(layout, name) for name in LAYOUT_FIELDS}
            before_fields = list(layout.fields)
            before_awards = set(layout.award_links.values_list("award_id", flat=True))
        for name in LAYOUT_FIELDS:
            if name in data:
                setattr(layout, name, data[name])
        layout.fields = [{key: field[key] for key in ("key", *FIELD_ATTRIBUTES) if key in field} for field in fields]
        layout.updated_by = actor
        layout.full_clean(exclude=["updated_by"])
        _check_awards_free(layout, award_ids)
        if layout_id is not None:
            layout.version += 1
        layout.save()
        if award_ids != before_awards:
            CertificateLayoutAward.objects.filter(layout=layout).exclude(award_id__in=award_ids).delete()
            CertificateLayoutAward.objects.bulk_create(
                [CertificateLayoutAward(layout=layout, award_id=pk) for pk in sorted(award_ids - before_awards)]
            )
        names = dict(Award.objects.filter(pk__in=award_ids | before_awards).values_list("pk", "name"))
        if layout_id is None:
            audit_log(actor=actor, obj=layout, action="commendations.certificate_layout.created",
                      data={"awards": ", ".join(sorted(names[pk] for pk in award_ids))})
        else:
            changes = field_changes(before, {name: getattr(layout, name) for name in LAYOUT_FIELDS})
            moved = _position_changes(before_fields, layout.fields)
            if moved:
                changes["fields"] = moved
            if award_ids != before_awards:
                changes["awards"] = [", ".join(sorted(names[pk] for pk in before_awards)),
                                     ", ".join(sorted(names[pk] for pk in award_ids))]
            if changes:
                audit_log(actor=actor, obj=layout, action="commendations.certificate_layout.updated",
                          data={"changes": changes})
    return layout


def validation_messages(error: ValidationError) -> list[str]:
    """The sentences of a model's ValidationError, field names dropped (they name themselves)."""
    if hasattr(error, "error_dict"):
        return [message for messages in error.message_dict.values() for message in messages]
    return list(error.messages)
