"""The catalogue of documents the portal prints: each app registers its kinds here.

A kind says who may ask for it, which parameters it takes (a form), how to build the document
(data selection -> template + context) and, for tables, how to build the Excel twin. Apps keep
their registrations in `<app>/documents.py`, discovered the first time the catalogue is read
(in the web process and in the worker alike).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.module_loading import autodiscover_modules

# build(params, user, progress) -> Document; progress(percent) reports 0-100 of the build step.
Progress = Callable[[int], None]


class DocumentError(Exception):
    """Raised by a build function with a message for the requester ("No plan was issued for 2025.").

    The job fails with exactly this message; use it for expected situations, not for bugs.
    """


class UnknownDocument(KeyError):
    """No document kind of that name is registered."""


@dataclass(frozen=True)
class Document:
    """What a build function returns: a Django template and its context, ready to render.

    `title` becomes the PDF's title and the job's title; `filename` is the name the user
    downloads (".pdf" is added when missing; the Excel twin gets ".xlsx").
    """

    template_name: str
    context: dict[str, Any]
    title: str
    filename: str


@dataclass(frozen=True)
class DocumentKind:
    kind: str
    label: Any  # a lazy translated string
    permission: str | Callable[[Any, dict | None], bool]
    build: Callable[[dict, Any, Progress], Document]
    excel: Callable[[dict, Any], Any] | None = None
    params_form: type | None = None
    description: Any = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def allows(self, user, params: dict | None = None) -> bool:
        """May this user have this document (with these parameters; None = "at all")?

        A permission name is checked with user.has_perm(name) (django-rules); a callable gets
        (user, params) and answers itself, params being None for the general question.
        """
        if user is None or not user.is_authenticated or not user.is_active:
            return False
        if callable(self.permission):
            return bool(self.permission(user, params))
        return user.has_perm(self.permission)


_KINDS: dict[str, DocumentKind] = {}
_discovered = False
_lock = threading.Lock()


def register_document(
    kind: str,
    *,
    label,
    permission: str | Callable[[Any, dict | None], bool],
    build: Callable[[dict, Any, Progress], Document],
    excel: Callable[[dict, Any], Any] | None = None,
    params_form: type | None = None,
    description="",
) -> DocumentKind:
    """Add a document kind to the catalogue; a name registered twice is a programming error."""
    if kind in _KINDS:
        raise ValueError(f"Document kind {kind!r} is already registered")
    if not kind or "/" in kind:
        raise ValueError(f"Invalid document kind {kind!r}")
    entry = DocumentKind(
        kind=kind, label=label, permission=permission, build=build, excel=excel,
        params_form=params_form, description=description,
    )
    _KINDS[kind] = entry
    return entry


def unregister_document(kind: str) -> None:
    """Remove a kind (tests register temporary kinds and remove them afterwards)."""
    _KINDS.pop(kind, None)


def _discover() -> None:
    global _discovered
    if _discovered:
        return
    with _lock:
        if not _discovered:
            autodiscover_modules("documents")
            _discovered = True


def get_document_kind(kind: str) -> DocumentKind:
    _discover()
    try:
        return _KINDS[kind]
    except KeyError:
        raise UnknownDocument(kind) from None


def document_kinds() -> list[DocumentKind]:
    """Every registered kind, in registration order."""
    _discover()
    return list(_KINDS.values())


def document_kinds_for(user) -> list[DocumentKind]:
    """The kinds this user may ask for."""
    return [kind for kind in document_kinds() if kind.allows(user, None)]
