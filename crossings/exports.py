"""Every CSV and XLSX file the application writes goes through here, so that no cell can become a live
spreadsheet formula (CSV/formula injection, OWASP). A family name ``=HYPERLINK("http://evil", "x")``,
``@SUM(A1)``, ``+cmd|' /C calc'!A0``, ``-1+1`` or one starting with a tab or carriage return is written with
a leading single quote, which spreadsheets show as text and never evaluate. Real numbers, dates and booleans
are left as they are, so sums still work.

Use :func:`csv_writer` / :func:`csv_dict_writer` instead of ``csv.writer`` / ``csv.DictWriter`` and
:func:`workbook` instead of ``openpyxl.Workbook``; tests/test_exports_neutralise_formulas.py fails when
a module writes a CSV or workbook another way.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

# A text cell starting with one of these is a formula (or a DDE command) to Excel, LibreOffice or Sheets.
# The full-width forms are read as their ASCII twins by some East Asian spreadsheet locales.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def neutralise(value: Any) -> Any:
    """The value as it is safe to write in a spreadsheet cell: text that a spreadsheet would read as a
    formula gets a leading ``'``; numbers, dates, booleans and None are returned unchanged."""
    if value is None or isinstance(value, (bool, int, float, Decimal, dt.date, dt.time, dt.timedelta)):
        return value
    text = value if isinstance(value, str) else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [neutralise(v) for v in values]


class CsvWriter:
    """csv.writer with every cell neutralised."""

    def __init__(self, stream: Any, **kwargs: Any) -> None:
        self._writer = csv.writer(stream, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream: Any, **kwargs: Any) -> CsvWriter:
    return CsvWriter(stream, **kwargs)


class CsvDictWriter(csv.DictWriter):
    """csv.DictWriter with every value neutralised (the header is ours and is written as it is)."""

    def writerow(self, rowdict: Mapping[str, Any]) -> Any:
        return super().writerow({k: neutralise(v) for k, v in rowdict.items()})

    def writerows(self, rowdicts: Iterable[Mapping[str, Any]]) -> None:
        for row in rowdicts:
            self.writerow(row)


def csv_dict_writer(stream: Any, fieldnames: Iterable[str], **kwargs: Any) -> CsvDictWriter:
    return CsvDictWriter(stream, fieldnames=list(fieldnames), **kwargs)


class SafeWorksheet(Worksheet):
    """A worksheet whose append(), cell(value=…) and ws["A1"] = … neutralise the value."""

    def append(self, iterable: Any) -> None:
        if isinstance(iterable, dict):
            super().append({k: neutralise(v) for k, v in iterable.items()})
        else:
            super().append(safe_row(iterable))

    def cell(self, row: int, column: int, value: Any = None) -> Any:
        return super().cell(row, column, neutralise(value))

    def __setitem__(self, key: Any, value: Any) -> None:
        self[key].value = neutralise(value)


class SafeWorkbook(Workbook):
    """openpyxl's Workbook whose sheets are all SafeWorksheets."""

    def __init__(self) -> None:
        super().__init__()
        self._sheets = [SafeWorksheet(self)]

    def create_sheet(self, title: str | None = None, index: int | None = None) -> Any:
        sheet = SafeWorksheet(parent=self, title=title)
        self._add_sheet(sheet=sheet, index=index)
        return sheet


def workbook() -> SafeWorkbook:
    return SafeWorkbook()
