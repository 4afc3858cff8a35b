"""Every limit on uploaded files, in one place, and the checks that apply them before a file is parsed.

- Bytes: ``CappedUploadHandler`` (first in FILE_UPLOAD_HANDLERS) stops storing a file once it passes the
  largest limit of any kind, and refuses a request body far beyond it before reading it; each kind's own
  limit is then checked on ``upload.size`` (``check_size``) before anything reads the content.
- Real type: read from the file's first bytes (the name and the browser's claimed type are not trusted).
- Tables (manifests, statistics tables): ``read_csv`` and ``read_xlsx`` stream rows and stop at the first
  row past the kind's row, column or cell-length limit. An XLSX file is a zip: its directory is checked
  for the unpacked size before openpyxl opens it (a zip bomb is refused unread), and openpyxl reads it in
  read-only mode, never wider than the column limit.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import RequestDataTooBig, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What one kind of upload may be. Rows count data rows (the header is not one)."""

    max_bytes: int
    max_rows: int = 0
    max_columns: int = 0
    max_cell_chars: int = 0
    max_unzipped: int = 0  # sum of the uncompressed sizes in an XLSX file's zip directory
    rows_message: Promise | str = ""  # "Row %(row)s: … at most %(max)s rows."


MANIFEST = Limits(
    max_bytes=2 * MB,
    max_rows=2000,
    max_columns=60,
    max_cell_chars=1000,
    max_unzipped=40 * MB,
    rows_message=gettext_lazy("Row %(row)s: a manifest holds at most %(max)s rows."),
)
STATS_TABLE = Limits(
    max_bytes=5 * MB,
    max_rows=5000,
    max_columns=500,  # DHS's Table 43D has 218 (a column per year and breakdown)
    max_cell_chars=2000,
    max_unzipped=60 * MB,
    rows_message=gettext_lazy("Row %(row)s: a statistics table holds at most %(max)s rows."),
)
DOCUMENT = Limits(max_bytes=10 * MB)  # case documents, signed consent forms
PHOTO = Limits(max_bytes=10 * MB)
XLSFORM = Limits(max_bytes=2 * MB, max_unzipped=40 * MB)
OUTREACH_SUBMISSION = Limits(max_bytes=10 * MB)  # one OpenRosa submission with its attachments
OUTREACH_ATTACHMENT = Limits(max_bytes=5 * MB)

KINDS = (MANIFEST, STATS_TABLE, DOCUMENT, PHOTO, XLSFORM, OUTREACH_SUBMISSION, OUTREACH_ATTACHMENT)
LARGEST = max(k.max_bytes for k in KINDS)
# A request body beyond this is refused before it is read (the form fields around a file are small).
MAX_REQUEST_BYTES = LARGEST + MB

SIGNATURES: list[tuple[bytes, str]] = [
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
]
DEFAULT_ALLOWED = frozenset({"application/pdf", "image/png", "image/jpeg", "image/webp"})


class TooLarge(ValidationError):
    """A file, or what it would unpack to, is over its limit; the message says by how much."""


class TableRefused(ValidationError):
    """A table is too long, too wide, or has an over-long cell; the message names the row."""


def megabytes(size: int, *, up: bool = False) -> str:
    """Size in MB to one decimal (two below 0.1 MB); ``up`` rounds up, so that a file just over a limit
    never reads as the limit itself."""
    digits = 1 if size >= MB / 10 else 2
    scale = 10**digits
    value = (math.ceil(size * scale / MB - 1e-9) if up else round(size * scale / MB)) / scale
    return number_format(int(value) if value.is_integer() else value)


def over(size: int, limit: int) -> str:
    """A size over a limit in MB: rounded, unless that would make it read as the limit or less."""
    shown = megabytes(size)
    return shown if round(size / MB, 1) > round(limit / MB, 1) else megabytes(size, up=True)


def size_message(size: int, limit: int) -> str:
    return _("The file is %(size)s MB; the limit is %(limit)s MB.") % {
        "size": over(size, limit),
        "limit": megabytes(limit),
    }


def check_size(upload_or_size: Any, limits: Limits) -> None:
    """Refuse a file over the kind's limit, from its size alone (nothing is read)."""
    size = upload_or_size if isinstance(upload_or_size, int) else (upload_or_size.size or 0)
    if size > limits.max_bytes:
        raise TooLarge(size_message(size, limits.max_bytes), code="too_large")


def limit_label(limits: Limits) -> str:
    return megabytes(limits.max_bytes)


# --- The upload handler ----------------------------------------------------------------------------------


class OversizedUpload(UploadedFile):
    """Stands for a file that passed LARGEST while it was received: its size is the real one (so the form
    can say how large it was), its content is empty (nothing past the limit was kept)."""

    def __init__(self, name: str, content_type: str, size: int, charset: str | None) -> None:
        super().__init__(io.BytesIO(b""), name, content_type, size, charset)


class CappedUploadHandler(FileUploadHandler):
    """First of the upload handlers: passes each chunk on to Django's own handlers until the file passes
    LARGEST, then drops the rest (the later handlers never see it) and only counts it."""

    def handle_raw_input(
        self,
        input_data: Any,
        META: Any,
        content_length: int,
        boundary: Any,
        encoding: str | None = None,
    ) -> None:
        if content_length and content_length > MAX_REQUEST_BYTES:
            raise RequestDataTooBig(size_message(content_length, LARGEST))

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        return raw_data if self.received <= LARGEST else None

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.received <= LARGEST:
            return None  # Django's handlers complete the file
        return OversizedUpload(self.file_name or "", self.content_type or "", self.received, self.charset)


# --- Real type -----------------------------------------------------------------------------------------


def sniff(head: bytes) -> str | None:
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def validate_upload(
    upload: Any, allowed: frozenset[str] | set[str] = DEFAULT_ALLOWED, limits: Limits = DOCUMENT
) -> tuple[str, str]:
    """Return (content type, sha256) or raise ValidationError saying what is wrong with the file."""
    check_size(upload, limits)
    if upload.size == 0:
        raise ValidationError(_("The file is empty."))
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff(head)
    if content_type is None or content_type not in allowed:
        raise ValidationError(
            _("This file is not an accepted type (its content is not %(types)s, whatever its name says).")
            % {"types": ", ".join(sorted(t.split("/")[1].upper() for t in allowed))}
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return content_type, digest.hexdigest()


# --- Bounded tables --------------------------------------------------------------------------------------

Row = list[Any]


def _row_limit(limits: Limits, row: int) -> TableRefused:
    message = str(limits.rows_message) or _("Row %(row)s: the file holds at most %(max)s rows.")
    return TableRefused(message % {"row": row, "max": number_format(limits.max_rows, force_grouping=True)})


def _check_row(cells: Row, row: int, limits: Limits) -> Row:
    """The row without its trailing empty cells, refused when it is too wide or a cell too long."""
    end = len(cells)
    while end and cells[end - 1] in (None, ""):
        end -= 1
    cells = cells[:end]
    if limits.max_columns and len(cells) > limits.max_columns:
        raise TableRefused(
            _("Row %(row)s: a row holds at most %(max)s columns.") % {"row": row, "max": limits.max_columns}
        )
    if limits.max_cell_chars:
        for column, cell in enumerate(cells, start=1):
            if isinstance(cell, str) and len(cell) > limits.max_cell_chars:
                raise TableRefused(
                    _("Row %(row)s, column %(column)s: a cell holds at most %(max)s characters.")
                    % {"row": row, "column": column, "max": limits.max_cell_chars}
                )
    return cells


def bounded_rows(
    rows: Iterator[tuple[int, Row]], limits: Limits, *, skip_blank: bool = True, rectangular: bool = False
) -> list[Row]:
    """Rows given as (file row number, cells), refused at the first one past a limit: the first kept row
    is the header, and at most max_rows more are kept. ``rectangular``: every row is cut to the widest
    row's last filled cell and padded with None to it (what a sheet is); otherwise rows are as read."""
    out: list[Row] = []
    for number, raw in rows:
        cells = _check_row(raw, number, limits)
        if skip_blank and not any(c is not None and str(c).strip() for c in cells):
            continue
        if limits.max_rows and len(out) > limits.max_rows:
            raise _row_limit(limits, number)
        out.append(cells if rectangular else raw)
    if rectangular:
        width = max((len(r) for r in out), default=0)
        out = [r + [None] * (width - len(r)) for r in out]
    return out


def read_csv(text: str, limits: Limits, *, delimiters: str = ",;\t", skip_blank: bool = True) -> list[Row]:
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=delimiters)
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    return bounded_rows(((i, r) for i, r in enumerate(reader, start=1)), limits, skip_blank=skip_blank)


def check_zip(data: bytes, limits: Limits) -> None:
    """Refuse an XLSX (zip) whose directory says it unpacks to more than the kind's limit, before any of
    it is unpacked. (Python's zipfile never unpacks an entry past the size its directory declares.)"""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise TableRefused(_("The XLSX file cannot be opened: it may be damaged.")) from exc
    if limits.max_unzipped and unpacked > limits.max_unzipped:
        raise TooLarge(
            _("The XLSX file unpacks to %(size)s MB; the limit is %(limit)s MB.")
            % {"size": over(unpacked, limits.max_unzipped), "limit": megabytes(limits.max_unzipped)},
            code="too_large",
        )


def _sheet_rows(sheet: Any, limits: Limits) -> Iterator[tuple[int, Row]]:
    """(row number, values) of a read-only sheet, straight from openpyxl's streaming parser: unlike
    iter_rows it neither pads a row to the width the file declares (up to 16,384 columns) nor yields an
    empty row for each row number the file skips, and a cell past the column limit is seen, not dropped.
    Rows are cut at one column past the limit (enough to refuse them)."""
    from openpyxl.worksheet._reader import WorkSheetParser

    book = sheet.parent
    width = limits.max_columns + 1 if limits.max_columns else 0
    with sheet._get_source() as source:
        parser = WorkSheetParser(
            source,
            sheet._shared_strings,
            data_only=True,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        for number, cells in parser.parse():
            filled = [c for c in cells if c["value"] is not None]
            last = max((c["column"] for c in filled), default=0)
            values: Row = [None] * (min(last, width) if width else last)
            for cell in filled:
                column = min(cell["column"], len(values))  # a cell past the limit lands one past it
                if cell["column"] <= len(values) or values[column - 1] is None:
                    values[column - 1] = cell["value"]
            yield number, values


def read_xlsx(
    data: bytes, limits: Limits, *, all_sheets: bool = False, skip_blank: bool = True
) -> list[tuple[str, list[Row]]]:
    """(sheet title, rows) of the first sheet, or of every sheet; streamed in openpyxl's read-only mode,
    after the zip directory is checked. With ``skip_blank=False`` a row the file skips stays a blank row
    (the statistics layouts read positions), but no more than the row limit of them."""
    check_zip(data, limits)
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise TableRefused(_("The XLSX file cannot be opened: it may be damaged.")) from exc
    try:
        out = []
        for sheet in book.worksheets if all_sheets else book.worksheets[:1]:
            rows = _sheet_rows(sheet, limits)
            if not skip_blank:
                rows = _with_gaps(rows)
            out.append((sheet.title, bounded_rows(rows, limits, skip_blank=skip_blank, rectangular=True)))
        return out
    except (TableRefused, TooLarge):
        raise
    except Exception as exc:  # a damaged sheet
        raise TableRefused(_("The XLSX file cannot be opened: it may be damaged.")) from exc
    finally:
        book.close()


def _with_gaps(rows: Iterator[tuple[int, Row]]) -> Iterator[tuple[int, Row]]:
    expected = 1
    for number, values in rows:
        while expected < number:
            yield expected, []
            expected += 1
        yield number, values
        expected = number + 1
