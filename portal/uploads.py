"""Checks for uploaded files, by content and size, shared by every app that accepts attachments."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Extension -> accepted leading bytes. Office files (docx, xlsx) are ZIP containers.
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
}


def validate_upload(upload) -> None:
    """Refuse empty, oversized, or mislabelled files (an .exe renamed to .pdf, say)."""
    limit_mb = getattr(settings, "PORTAL_MAX_UPLOAD_MB", 20)
    name = getattr(upload, "name", "") or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if upload.size == 0:
        raise ValidationError(_("The file %(name)s is empty."), params={"name": name}, code="empty")
    if upload.size > limit_mb * 1024 * 1024:
        raise ValidationError(
            _("The file %(name)s is larger than %(limit)d MB."), params={"name": name, "limit": limit_mb}, code="too_large"
        )
    if extension not in SIGNATURES:
        raise ValidationError(
            _("Files of this type are not accepted; use PDF, DOCX, XLSX, PNG or JPEG."), code="bad_type"
        )
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(8)
    upload.seek(position)
    if not any(head.startswith(signature) for signature in SIGNATURES[extension]):
        raise ValidationError(
            _("The content of %(name)s does not match its .%(extension)s name."),
            params={"name": name, "extension": extension},
            code="mismatch",
        )
