"""Excel files in and out, shared by every import and export: a guarded reader for uploaded
workbooks (no zip bombs, damaged files become a clear message) and the download response."""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Callable
from typing import IO, TypeVar

import openpyxl
from django.http import FileResponse
from django.utils.translation import gettext as _

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What an uploaded workbook may unpack to; a real one of 5,000 rows is a few MB.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024

T = TypeVar("T")


def not_a_workbook_message() -> str:
    return _(
        "This file is not an Excel workbook (.xlsx), or it is damaged. Open it in Excel, save it as "
        "“Excel Workbook (*.xlsx)” and upload it again."
    )


def read_workbook(upload: IO[bytes], *, read: Callable[[openpyxl.Workbook], T], fail: Callable[[str], Exception]) -> T:
    """Open an uploaded .xlsx read-only and hand it to `read`; any way the file cannot be read
    raises `fail(message)` (the caller's own error type), never an openpyxl or zip exception."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise fail(_("This workbook is too large to import; split it into several files."))
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise fail(not_a_workbook_message()) from error
    upload.seek(0)
    try:
        workbook = openpyxl.load_workbook(upload, read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - openpyxl signals a bad file with many exception types
        raise fail(not_a_workbook_message()) from error
    failure = type(fail(""))
    try:
        return read(workbook)
    except failure:
        raise
    except Exception as error:  # noqa: BLE001 - a damaged sheet fails while its rows are read
        raise fail(not_a_workbook_message()) from error
    finally:
        workbook.close()


def sheet_named(workbook: openpyxl.Workbook, name: str):
    """The sheet of that name, or the first sheet (people rename sheets)."""
    return workbook[name] if name in workbook.sheetnames else workbook.worksheets[0]


def workbook_response(workbook: openpyxl.Workbook, filename: str) -> FileResponse:
    """Send a workbook as an attachment; spooled to disk once large, streamed in chunks."""
    buffer = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - FileResponse closes it
    workbook.save(buffer)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
