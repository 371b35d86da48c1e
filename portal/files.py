"""Uploaded files are never served from a public URL: each download goes through a view that
first finds the owning object in the user's scope (404 otherwise)."""

from __future__ import annotations

import mimetypes
import posixpath

from django.http import FileResponse, Http404


def file_response(field_file) -> FileResponse:
    """Stream a stored file as an attachment, under its own base name."""
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    name = posixpath.basename(field_file.name)
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
