"""What every layout shares: the records a parser makes, the problems it reports, the report, and reading
a grid's cells (markers for withheld, zero and not available; breakdowns; years; cell references)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError

from crossings import uploads
from crossings.stats import countries
from crossings.stats.models import (
    Breakdown,
    Measure,
    Qualifier,
    SourceKind,
    Status,
    YearKind,
    parse_published,
)

Grid = list[list[Any]]


@dataclass(frozen=True)
class SourceInfo:
    title: str
    published: str
    publisher: str = ""
    url: str = ""
    kind: str = SourceKind.OFFICIAL
    note: str = ""
    series: str = ""  # slug of the series (crossings/stats/series.py); inferred when empty

    @property
    def published_on(self) -> dt.date:
        return parse_published(self.published)


@dataclass
class Parsed:
    measure: str
    label: str  # the area as written in the file
    year: int
    year_kind: str
    breakdown: str
    status: str
    value: int | None
    qualifier: str
    original: str
    location: str
    note: str = ""
    source: SourceInfo | None = None  # per row in a tidy CSV; otherwise the one given for the file
    as_of: dt.date | None = None
    country: str = ""


@dataclass(frozen=True)
class Problem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


@dataclass
class ImportReport:
    file: str
    layout: str = ""
    tried: list[tuple[str, str]] = field(default_factory=list)
    figures: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    publications: list[str] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def lines(self) -> list[str]:
        out = [f"File: {self.file}"]
        if self.layout:
            out.append(f"Layout: {self.layout}")
        elif self.tried:
            out.append("No known layout fits this file. Layouts tried:")
            out += [f"  - {name}: {why}" for name, why in self.tried]
        if self.ok:
            out.append(
                f"Figures: {self.figures} read, {self.created} new, {self.updated} changed, "
                f"{self.unchanged} already there"
            )
            out += [f"Source: {p}" for p in self.publications]
        else:
            out.append(f"Nothing was imported: {len(self.errors)} problem(s).")
            out += [f"  ERROR {p}" for p in self.errors]
        out += [f"  warning {p}" for p in self.warnings]
        return out


class ImportFailed(Exception):
    def __init__(self, report: ImportReport):
        super().__init__("; ".join(str(p) for p in report.errors[:5]) or "import failed")
        self.report = report


class LayoutMismatch(Exception):
    """This layout does not fit; the message says why (shown to the operator)."""


# --- Reading files into grids ---------------------------------------------------------------------------


def read_grids(path: Path, data: bytes) -> list[tuple[str, Grid]]:
    """Every sheet of the file as rows of cell values (numbers stay numbers), within the statistics-table
    limits of crossings.uploads (bytes, unpacked size, rows, columns, cell length): refused at the first
    row past them, before the rest is read."""
    limits = uploads.STATS_TABLE
    try:
        uploads.check_size(len(data), limits)
        suffix = path.suffix.lower()
        if suffix == ".xls":
            import xlrd

            book = xlrd.open_workbook(file_contents=data, on_demand=True)
            grids = []
            for sheet in book.sheets():
                if sheet.ncols > limits.max_columns:
                    raise uploads.TableRefused(
                        f"Sheet {sheet.name}: {sheet.ncols} columns; the limit is {limits.max_columns}."
                    )
                rows = ((r + 1, sheet.row_values(r)) for r in range(sheet.nrows))
                grids.append((sheet.name, uploads.bounded_rows(rows, limits, skip_blank=False)))
            return grids
        if suffix in (".xlsx", ".xlsm"):
            return [
                (title, [["" if v is None else v for v in row] for row in rows])
                for title, rows in uploads.read_xlsx(data, limits, all_sheets=True, skip_blank=False)
            ]
        if suffix in (".csv", ".txt", ".tsv"):
            text = data.decode("utf-8-sig")
            return [("csv", uploads.read_csv(text, limits, delimiters=",;\t|", skip_blank=False))]
    except ValidationError as exc:
        raise LayoutMismatch(" ".join(exc.messages)) from exc
    raise LayoutMismatch(f"unknown file type {suffix or '(none)'}: use .xls, .xlsx or .csv")


def text(cell: Any) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return " ".join(str(cell).split())


def blank(cell: Any) -> bool:
    return text(cell) == ""


BREAKDOWN_KEYS = {
    "total": Breakdown.TOTAL,
    "criminal": Breakdown.CRIMINAL,
    "criminals": Breakdown.CRIMINAL,
    "non criminal": Breakdown.NON_CRIMINAL,
    "noncriminal": Breakdown.NON_CRIMINAL,
    "non criminals": Breakdown.NON_CRIMINAL,
    "other than criminal": Breakdown.NON_CRIMINAL,
}
YEAR_HEADER_KEYS = {"year", "fiscal year", "fy", "calendar year"}
COUNTRY_HEADER_WORDS = ("country", "nationality", "region")


def breakdown_of(cell: Any) -> str | None:
    return BREAKDOWN_KEYS.get(countries.key(text(cell)))


def year_of(cell: Any) -> int | None:
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        return int(cell) if float(cell).is_integer() and 1900 <= cell <= 2100 else None
    match = re.fullmatch(r"(?:FY\s*)?((?:19|20)\d\d)(?:\s*\d)?", text(cell), re.IGNORECASE)
    return int(match.group(1)) if match else None


_WITHHELD = {"D", "(D)", "NA", "N/A", "N.A.", "WITHHELD"}
_TIDY_WITHHELD = {"D", "(D)", "WITHHELD"}
_NOT_AVAILABLE = {"", "X", "(X)", "..", "NOT AVAILABLE", "N/A"}
_ZERO = {"-", "–", "—", "--", "(Z)"}


def parse_value(cell: Any, *, na_is_withheld: bool = True) -> tuple[str, int | None, str]:
    """(status, value, qualifier) of one published cell. Raises ValueError with a reason."""
    if isinstance(cell, bool):
        raise ValueError(f"not a number: {cell!r}")
    if isinstance(cell, (int, float)):
        if not float(cell).is_integer():
            raise ValueError(f"not a whole number: {cell}")
        if cell < 0:
            raise ValueError(f"negative: {cell}")
        return Status.REPORTED, int(cell), Qualifier.EXACT
    raw = text(cell)
    upper = raw.upper()
    if upper in _ZERO:
        return Status.REPORTED, 0, Qualifier.EXACT
    if upper in (_WITHHELD if na_is_withheld else _TIDY_WITHHELD):
        return Status.WITHHELD, None, Qualifier.EXACT
    if upper in _NOT_AVAILABLE or upper == "NA":
        return Status.NOT_AVAILABLE, None, Qualifier.EXACT
    qualifier = Qualifier.EXACT
    lowered = raw.lower()
    for words, qual in (
        (("more than", "over", ">"), Qualifier.MORE_THAN),
        (("about", "approximately", "c.", "~"), Qualifier.ABOUT),
    ):
        for word in words:
            if lowered.startswith(word):
                qualifier, raw = qual, raw[len(word) :].strip()
                break
    digits = raw.replace(",", "").replace("\u00a0", "").replace(" ", "")
    if not digits.isdigit():
        raise ValueError(f"not a number: {text(cell)!r}")
    return Status.REPORTED, int(digits), qualifier


def cell_ref(row: int, col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


# --- Layouts --------------------------------------------------------------------------------------------


@dataclass
class Options:
    measure: str = Measure.REMOVALS
    year_kind: str = YearKind.FISCAL
    year: int | None = None


def grid_width(grid: Grid) -> int:
    return max((len(r) for r in grid), default=0)


def cell_at(grid: Grid, r: int, c: int) -> Any:
    row = grid[r]
    return row[c] if c < len(row) else ""


def is_footnote(label: str) -> bool:
    return bool(re.match(r"^(\d+\s|note|notes|source|sources|d\s|x\s|-\s|\*)", label, re.I))


def title_year(grid: Grid, upto: int) -> int | None:
    title = " ".join(text(c) for r in range(upto) for c in grid[r])
    found = set(re.findall(r"(?:fiscal\s+years?|FY)\s*((?:19|20)\d\d)", title, re.I))
    if len(found) != 1:
        found = set(re.findall(r"\b((?:19|20)\d\d)\b", title))
    return int(found.pop()) if len(found) == 1 else None


def add_figure(
    raw: Any,
    *,
    opts: Any,
    label: str,
    year: int,
    breakdown: str,
    location: str,
    where: str,
    parsed: list[Parsed],
    problems: list[Problem],
) -> None:
    """One cell of a table, read by every layout the same way: a figure appended to ``parsed``, or a problem
    naming the cell (``where``) and what is wrong with it."""
    try:
        status, value, qualifier = parse_value(raw)
    except ValueError as exc:
        problems.append(Problem(where, str(exc)))
        return
    parsed.append(
        Parsed(
            measure=opts.measure,
            label=label,
            year=year,
            year_kind=opts.year_kind,
            breakdown=breakdown,
            status=status,
            value=value,
            qualifier=qualifier,
            original=text(raw)[:100],
            location=location,
        )
    )
