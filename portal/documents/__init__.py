"""Printed documents (PDF through WeasyPrint, Excel twins) and the report jobs that produce them.

Apps register kinds with `register_document` in `<app>/documents.py`; see docs/reports.md.
"""

from portal.documents.registry import (
    Document,
    DocumentError,
    DocumentKind,
    UnknownDocument,
    document_kinds,
    document_kinds_for,
    get_document_kind,
    register_document,
    unregister_document,
)

__all__ = [
    "Document",
    "DocumentError",
    "DocumentKind",
    "UnknownDocument",
    "document_kinds",
    "document_kinds_for",
    "get_document_kind",
    "register_document",
    "unregister_document",
]
