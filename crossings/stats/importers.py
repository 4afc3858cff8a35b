"""Importers for published tables: detect the layout, parse every cell, check, then write all or nothing.

Layouts tried, in order (each says why it does not fit, and the error lists every reason):

- ``dhs-wide``: the DHS Yearbook "Aliens removed by criminal status and region and country of
  nationality" across several years: one row per year and breakdown (Total / Criminal / Non-criminal),
  one column per region and country. Found by content, not position: the breakdown column is the one full
  of Total/Criminal/Non-criminal labels, the year column the one full of years, the header the nearest full
  row above; title rows, column order, spelling and spacing of labels may differ between editions.
- ``dhs-single-year``: one year of the same table: one row per country, Total / Criminal / Non-criminal
  columns (any order, footnote markers allowed), thousands separators, footnote rows under the table. The
  year comes from the title ("Fiscal year 2016") or from ``--year``.
- ``ice-citizenship``: the ICE ERO annual report's "Removals by country of citizenship": a "Country of
  citizenship" column and one column per fiscal year ("FY2016", "FY 2017", "2018"), or a single count
  column ("Removals") with the year in the title or ``--year``. Totals only. A blank cell means the
  country is not in that year's table: no figure, not zero.
- ``tidy-csv``: ``measure,country,year,breakdown,value[,source,published,…]`` for everything else.

Cell markers: ``D`` and ``NA`` (the re-published DHS files write NA where DHS wrote D) are *withheld*;
``-`` is zero; ``X`` and blank are *not available*. In a tidy CSV, ``NA`` and blank mean not available.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from crossings import uploads
from crossings.stats import countries
from crossings.stats import series as series_defs
from crossings.stats.models import (
    Breakdown,
    Figure,
    Measure,
    Publication,
    Qualifier,
    Series,
    SourceKind,
    Status,
    YearKind,
    parse_published,
)

if TYPE_CHECKING:
    from crossings.accounts.models import User

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


def _width(grid: Grid) -> int:
    return max((len(r) for r in grid), default=0)


def _at(grid: Grid, r: int, c: int) -> Any:
    row = grid[r]
    return row[c] if c < len(row) else ""


def parse_dhs_wide(grid: Grid, opts: Options) -> tuple[list[Parsed], list[Problem]]:
    width = _width(grid)
    scan = range(min(len(grid), 2000))
    hits = {c: [r for r in scan if breakdown_of(_at(grid, r, c))] for c in range(width)}
    type_col = max(hits, key=lambda c: len(hits[c]), default=None)
    if type_col is None or len(hits[type_col]) < 3:
        raise LayoutMismatch("no column holds Total / Criminal / Non-criminal row labels")
    data_rows = hits[type_col]
    first, last = data_rows[0], data_rows[-1]
    if not {breakdown_of(_at(grid, r, type_col)) for r in data_rows} >= {
        Breakdown.CRIMINAL,
        Breakdown.NON_CRIMINAL,
    }:
        raise LayoutMismatch("the Total / Criminal / Non-criminal labels are not in one column")
    header_row = next((r for r in range(first - 1, -1, -1) if sum(not blank(c) for c in grid[r]) >= 3), None)
    if header_row is None:
        raise LayoutMismatch("no header row of countries above the first Total / Criminal row")

    def year_score(c: int) -> int:
        years = [year_of(_at(grid, r, c)) for r in data_rows]
        if any(y is None and not blank(_at(grid, r, c)) for y, r in zip(years, data_rows, strict=True)):
            return -1
        return sum(y is not None for y in years)

    candidates = [c for c in range(width) if c != type_col and year_score(c) > 0]
    if not candidates:
        raise LayoutMismatch("no column of years (such as 1993) beside the Total / Criminal labels")
    year_col = max(
        candidates,
        key=lambda c: (countries.key(text(_at(grid, header_row, c))) in YEAR_HEADER_KEYS, year_score(c)),
    )
    # A two-row header (regions above countries) leaves gaps in the lower row: take the label above.
    labels: dict[int, str] = {}
    for c in range(width):
        if c in (type_col, year_col):
            continue
        label = text(_at(grid, header_row, c))
        if not label and header_row > 0:
            label = text(_at(grid, header_row - 1, c))
        if label:
            labels[c] = label
    if not labels:
        raise LayoutMismatch("the header row names no countries")

    parsed: list[Parsed] = []
    problems: list[Problem] = []
    year: int | None = None
    for r in range(first, last + 1):
        kind = breakdown_of(_at(grid, r, type_col))
        if kind is None:
            if all(blank(c) for c in grid[r]) or (r > first and _looks_like_header(grid[r], labels)):
                continue  # blank line, or the header repeated on a new printed page
            problems.append(
                Problem(f"row {r + 1}", "neither a Total / Criminal / Non-criminal row nor blank")
            )
            continue
        year = year_of(_at(grid, r, year_col)) or year
        if year is None:
            problems.append(Problem(cell_ref(r, year_col), "no year for this row"))
            continue
        for c, label in labels.items():
            _figure(
                _at(grid, r, c),
                opts=opts,
                label=label,
                year=year,
                breakdown=kind,
                location=cell_ref(r, c),
                where=f"{cell_ref(r, c)} ({label}, {year})",
                parsed=parsed,
                problems=problems,
            )
    return parsed, problems


def _looks_like_header(row: list[Any], labels: dict[int, str]) -> bool:
    same = sum(1 for c, label in labels.items() if c < len(row) and text(row[c]) == label)
    return same >= max(1, len(labels) // 2)


def parse_dhs_single_year(grid: Grid, opts: Options) -> tuple[list[Parsed], list[Problem]]:
    header_row = None
    columns: dict[str, int] = {}
    for r in range(min(len(grid), 40)):
        found: dict[str, int] = {}
        for c, cell in enumerate(grid[r]):
            kind = breakdown_of(cell)
            if kind and kind not in found:
                found[kind] = c
        if len(found) == 3:
            header_row, columns = r, found
            break
    if header_row is None:
        raise LayoutMismatch("no header row with Total, Criminal and Non-criminal columns")
    label_col = next(
        (
            c
            for c, cell in enumerate(grid[header_row])
            if any(w in text(cell).lower() for w in COUNTRY_HEADER_WORDS)
        ),
        None,
    )
    if label_col is None:
        label_col = 0 if min(columns.values()) > 0 else None
    if label_col is None:
        raise LayoutMismatch("no column of country names left of the Total / Criminal columns")
    year = opts.year
    if year is None:
        title = " ".join(text(c) for r in range(header_row + 1) for c in grid[r])
        found_years = set(
            re.findall(r"(?:fiscal\s+years?|FY|calendar\s+year)\s*((?:19|20)\d\d)", title, re.I)
        )
        if len(found_years) != 1:
            found_years = set(re.findall(r"\b((?:19|20)\d\d)\b", title))
        if len(found_years) != 1:
            raise LayoutMismatch("the title names no single year; give it with --year")
        year = int(found_years.pop())

    parsed: list[Parsed] = []
    problems: list[Problem] = []
    for r in range(header_row + 1, len(grid)):
        label = text(_at(grid, r, label_col))
        cells = {kind: _at(grid, r, c) for kind, c in columns.items()}
        if all(blank(v) for v in cells.values()):
            continue  # blank line, a region sub-heading without figures, or a footnote
        if not label:
            problems.append(Problem(f"row {r + 1}", "figures without a country name"))
            continue
        if _is_footnote(label):
            continue
        for kind, raw in cells.items():
            _figure(
                raw,
                opts=opts,
                label=label,
                year=year,
                breakdown=kind,
                location=cell_ref(r, columns[kind]),
                where=f"{cell_ref(r, columns[kind])} ({label})",
                parsed=parsed,
                problems=problems,
            )
    return parsed, problems


def _is_footnote(label: str) -> bool:
    return bool(re.match(r"^(\d+\s|note|notes|source|sources|d\s|x\s|-\s|\*)", label, re.I))


ICE_LABEL_WORDS = ("citizenship", "country", "nationality")
ICE_COUNT_KEYS = {"removals", "total removals", "removed", "count", "number", "total"}


def _title_year(grid: Grid, upto: int) -> int | None:
    title = " ".join(text(c) for r in range(upto) for c in grid[r])
    found = set(re.findall(r"(?:fiscal\s+years?|FY)\s*((?:19|20)\d\d)", title, re.I))
    if len(found) != 1:
        found = set(re.findall(r"\b((?:19|20)\d\d)\b", title))
    return int(found.pop()) if len(found) == 1 else None


def parse_ice_citizenship(grid: Grid, opts: Options) -> tuple[list[Parsed], list[Problem]]:
    header_row = None
    label_col = None
    year_cols: dict[int, int] = {}
    for r in range(min(len(grid), 40)):
        row = grid[r]
        lcol = next(
            (c for c, cell in enumerate(row) if any(w in text(cell).lower() for w in ICE_LABEL_WORDS)), None
        )
        if lcol is None:
            continue
        years = {c: y for c, cell in enumerate(row) if c != lcol and (y := year_of(cell)) is not None}
        count = [c for c, cell in enumerate(row) if c != lcol and countries.key(text(cell)) in ICE_COUNT_KEYS]
        if years:
            header_row, label_col, year_cols = r, lcol, years
            break
        if len(count) == 1:
            year = opts.year if opts.year is not None else _title_year(grid, r + 1)
            if year is None:
                raise LayoutMismatch("the title names no single fiscal year; give it with --year")
            header_row, label_col, year_cols = r, lcol, {count[0]: year}
            break
    if header_row is None or label_col is None:
        raise LayoutMismatch(
            "no header row with a Country of citizenship column and fiscal-year (or Removals) columns"
        )
    parsed: list[Parsed] = []
    problems: list[Problem] = []
    for r in range(header_row + 1, len(grid)):
        label = text(_at(grid, r, label_col))
        cells = {year: _at(grid, r, c) for c, year in year_cols.items()}
        if all(blank(v) for v in cells.values()):
            continue  # blank line, sub-heading, or footnote
        if not label:
            problems.append(Problem(f"row {r + 1}", "figures without a country name"))
            continue
        if _is_footnote(label):
            continue
        for c, year in year_cols.items():
            raw = _at(grid, r, c)
            if blank(raw):
                continue  # not in that year's table: no figure, not zero
            _figure(
                raw,
                opts=opts,
                label=label,
                year=year,
                breakdown=Breakdown.TOTAL,
                location=cell_ref(r, c),
                where=f"{cell_ref(r, c)} ({label}, {year})",
                parsed=parsed,
                problems=problems,
            )
    if not parsed and not problems:
        raise LayoutMismatch("no country rows with figures under the header")
    return parsed, problems


TIDY_REQUIRED = ("measure", "country", "year", "breakdown", "value")


def parse_tidy(
    grid: Grid, opts: Options, default_source: SourceInfo | None
) -> tuple[list[Parsed], list[Problem]]:
    if not grid:
        raise LayoutMismatch("the file is empty")
    header = [countries.key(text(c)).replace(" ", "_") for c in grid[0]]
    missing = [name for name in TIDY_REQUIRED if name not in header]
    if missing:
        raise LayoutMismatch("the first row lacks the column(s) " + ", ".join(missing))
    col = {name: i for i, name in enumerate(header)}
    parsed: list[Parsed] = []
    problems: list[Problem] = []
    for r in range(1, len(grid)):
        row = grid[r]
        if all(blank(c) for c in row):
            continue

        def get(name: str, row: list[Any] = row) -> str:
            i = col.get(name)
            return text(row[i]) if i is not None and i < len(row) else ""

        where = f"row {r + 1}"
        measure = get("measure").lower().replace(" ", "_").replace("-", "_")
        if measure not in Measure.values:
            problems.append(
                Problem(where, f"unknown measure {get('measure')!r} (one of {', '.join(Measure.values)})")
            )
            continue
        breakdown = breakdown_of(get("breakdown")) or (
            get("breakdown") if get("breakdown") in Breakdown.values else None
        )
        if breakdown is None:
            problems.append(
                Problem(where, f"unknown breakdown {get('breakdown')!r} (total, criminal, non_criminal)")
            )
            continue
        year = year_of(get("year"))
        if year is None:
            problems.append(Problem(where, f"not a year: {get('year')!r}"))
            continue
        year_kind = get("year_kind") or opts.year_kind
        if year_kind not in YearKind.values:
            problems.append(Problem(where, f"unknown year_kind {year_kind!r}"))
            continue
        as_of = None
        if get("as_of"):
            try:
                as_of = parse_published(get("as_of"))
            except ValueError:
                problems.append(Problem(where, f"not a date: {get('as_of')!r}"))
                continue
        try:
            status, value, qualifier = parse_value(get("value"), na_is_withheld=False)
        except ValueError as exc:
            problems.append(Problem(f"{where} value", str(exc)))
            continue
        if get("qualifier"):
            qualifier = get("qualifier").replace(" ", "_")
            if qualifier not in Qualifier.values:
                problems.append(Problem(where, f"unknown qualifier {get('qualifier')!r} (about, more_than)"))
                continue
        source = default_source
        if get("source"):
            kind = get("kind") or (default_source.kind if default_source else SourceKind.OFFICIAL)
            if kind not in SourceKind.values:
                problems.append(Problem(where, f"unknown kind {kind!r} (official, press, ngo)"))
                continue
            source = SourceInfo(
                title=get("source"),
                published=get("published") or (default_source.published if default_source else ""),
                publisher=get("publisher"),
                url=get("url"),
                kind=kind,
                series=get("series"),
            )
        if source is None or not source.published:
            problems.append(Problem(where, "no source and publication date (columns source, published)"))
            continue
        try:
            source.published_on  # noqa: B018 - validates the date text
        except ValueError:
            problems.append(Problem(where, f"no year in the publication date {source.published!r}"))
            continue
        parsed.append(
            Parsed(
                measure=measure,
                label=get("country"),
                year=year,
                year_kind=year_kind,
                breakdown=breakdown,
                status=status,
                value=value,
                qualifier=qualifier,
                original=get("value")[:100],
                location=where,
                note=get("note"),
                source=source,
                as_of=as_of,
            )
        )
    return parsed, problems


# --- The import itself ----------------------------------------------------------------------------------


def import_file(
    path: Path | str,
    *,
    source: SourceInfo | None,
    measure: str = Measure.REMOVALS,
    year_kind: str = YearKind.FISCAL,
    year: int | None = None,
    aliases: dict[str, str] | None = None,
    user: User | None = None,
    dry_run: bool = False,
    data: bytes | None = None,
    series: str | None = None,
    model_classes: tuple[Any, Any, Any] | None = None,
) -> ImportReport:
    """Import one file, all or nothing. Raises ImportFailed (with the report) on any problem."""
    path = Path(path)
    report = ImportReport(file=path.name)
    if data is None:
        try:  # the size first: a file past the limit is refused unread
            uploads.check_size(path.stat().st_size, uploads.STATS_TABLE)
        except uploads.TooLarge as exc:
            report.errors.append(Problem("", " ".join(exc.messages)))
            raise ImportFailed(report) from exc
        data = path.read_bytes()
    opts = Options(measure=measure, year_kind=year_kind, year=year)
    try:
        grids = read_grids(path, data)
    except LayoutMismatch as exc:
        report.errors.append(Problem("", str(exc)))
        raise ImportFailed(report) from exc
    except Exception as exc:  # a corrupt workbook: say so rather than crash
        report.errors.append(Problem("", f"the file cannot be read as {path.suffix}: {exc}"))
        raise ImportFailed(report) from exc

    parsed: list[Parsed] | None = None
    problems: list[Problem] = []
    is_csv = path.suffix.lower() in (".csv", ".txt", ".tsv")
    layouts: list[tuple[str, Any]] = []
    if is_csv:
        layouts.append(("tidy-csv", lambda g: parse_tidy(g, opts, source)))
    layouts += [
        ("dhs-wide", lambda g: parse_dhs_wide(g, opts)),
        ("dhs-single-year", lambda g: parse_dhs_single_year(g, opts)),
        ("ice-citizenship", lambda g: parse_ice_citizenship(g, opts)),
    ]
    for name, parse in layouts:
        for sheet, grid in grids:
            try:
                parsed, problems = parse(grid)
            except LayoutMismatch as exc:
                label = name if len(grids) == 1 else f"{name} (sheet {sheet!r})"
                report.tried.append((label, str(exc)))
                continue
            report.layout = name if len(grids) == 1 else f"{name} (sheet {sheet!r})"
            break
        if parsed is not None:
            break
    if parsed is None:
        report.errors.append(Problem("", "not one of the known layouts"))
        raise ImportFailed(report)
    report.errors += problems
    if not is_csv or report.layout != "tidy-csv":
        if source is None:
            report.errors.append(Problem("", "a table needs --source and --published"))
        else:
            for p in parsed:
                p.source = source
    _resolve_series(parsed, series, report)
    _resolve_countries(parsed, aliases, report)
    _check_conflicts(parsed, report)
    _check_sums(parsed, report)
    report.figures = len(parsed)
    if report.errors:
        raise ImportFailed(report)
    if not parsed:
        report.errors.append(Problem("", "the file holds no figures"))
        raise ImportFailed(report)
    extra = {"model_classes": model_classes} if model_classes else {}
    _write(parsed, data, path.name, report, user=user, dry_run=dry_run, **extra)
    return report


def known_series() -> set[str]:
    return set(series_defs.BUILT_IN) | set(Series.objects.values_list("slug", flat=True))


def _resolve_series(parsed: list[Parsed], chosen: str | None, report: ImportReport) -> None:
    """Every source in a series: the one named (``--series`` or a ``series`` column), else inferred."""
    known: set[str] | None = None
    done: dict[SourceInfo, SourceInfo] = {}
    for p in parsed:
        src = p.source
        if src is None:
            continue
        if src not in done:
            slug = (
                src.series
                or chosen
                or series_defs.infer(
                    kind=src.kind, publisher=src.publisher, title=src.title, layout=report.layout
                )
            )
            if slug not in series_defs.BUILT_IN and known is None:
                known = known_series()
            if slug not in series_defs.BUILT_IN and slug not in (known or set()):
                report.errors.append(
                    Problem(p.location, f"unknown series {slug!r} (one of {', '.join(sorted(known or []))})")
                )
            done[src] = dataclasses.replace(src, series=slug)
        p.source = done[src]


def _resolve_countries(parsed: list[Parsed], aliases: dict[str, str] | None, report: ImportReport) -> None:
    unknown: dict[str, str] = {}
    for p in parsed:
        name = countries.canonical(p.label, aliases)
        if name is None:
            unknown.setdefault(p.label, p.location)
        else:
            p.country = name
    for label, where in unknown.items():
        hint = countries.suggestions(label)
        maybe = f"; did you mean {' or '.join(hint)}?" if hint else ""
        report.errors.append(
            Problem(where, f"unknown country or region {label!r}{maybe} (fix the file or pass --alias)")
        )


def _key(p: Parsed) -> tuple[Any, ...]:
    src = p.source
    return (
        src.title if src else "",
        src.published if src else "",
        p.measure,
        p.country,
        p.year,
        p.year_kind,
        p.breakdown,
    )


def _check_conflicts(parsed: list[Parsed], report: ImportReport) -> None:
    """Two cells of one file for the same figure must agree; an exact repeat is merged silently."""
    seen: dict[tuple[Any, ...], Parsed] = {}
    keep: list[Parsed] = []
    for p in parsed:
        if not p.country:
            continue
        k = _key(p)
        first = seen.get(k)
        if first is None:
            seen[k] = p
            keep.append(p)
        elif (first.status, first.value, first.qualifier) != (p.status, p.value, p.qualifier):
            report.errors.append(
                Problem(
                    f"{first.location} and {p.location}",
                    f"conflicting figures for {p.country} {p.year} {p.breakdown}: "
                    f"{first.original or '(blank)'} and {p.original or '(blank)'}",
                )
            )
    parsed[:] = keep


def _check_sums(parsed: list[Parsed], report: ImportReport) -> None:
    """Criminal + non-criminal should make the total; a mismatch is published as is, so only warned."""
    cells: dict[tuple[Any, ...], dict[str, Parsed]] = {}
    for p in parsed:
        cells.setdefault(_key(p)[:-1], {})[p.breakdown] = p
    for parts in cells.values():
        total, crim, non = (
            parts.get(b) for b in (Breakdown.TOTAL, Breakdown.CRIMINAL, Breakdown.NON_CRIMINAL)
        )
        if total and crim and non and None not in (total.value, crim.value, non.value):
            assert total.value is not None and crim.value is not None and non.value is not None
            if crim.value + non.value != total.value:
                report.warnings.append(
                    Problem(
                        total.location,
                        f"{total.country} {total.year}: criminal {crim.value} + non-criminal {non.value} "
                        f"≠ total {total.value} (kept as published)",
                    )
                )


def _write(
    parsed: list[Parsed],
    data: bytes,
    file_name: str,
    report: ImportReport,
    *,
    user: User | None,
    dry_run: bool,
    model_classes: tuple[Any, Any, Any] = (Series, Publication, Figure),
) -> None:
    """Write the figures. ``model_classes`` (Series, Publication, Figure) lets a data migration pass its
    historical models."""
    series_model, publication_model, figure_model = model_classes
    fingerprint = hashlib.sha256(data).hexdigest()
    groups: dict[SourceInfo, list[Parsed]] = {}
    for p in parsed:
        assert p.source is not None
        groups.setdefault(p.source, []).append(p)
    with transaction.atomic():
        for src, items in groups.items():
            slug = src.series or series_defs.OTHER_OFFICIAL
            known = series_defs.BUILT_IN.get(slug)
            series_row, _new = series_model.objects.get_or_create(
                slug=slug, defaults=known.fields() if known else {"name": slug, "kind": src.kind}
            )
            publication, created = publication_model.objects.get_or_create(
                publisher=src.publisher,
                title=src.title,
                published_on=src.published_on,
                fingerprint=fingerprint,
                defaults={
                    "series": series_row,
                    "published_label": src.published,
                    "url": src.url,
                    "file_name": file_name,
                    "kind": src.kind,
                    "layout": report.layout,
                    "note": src.note,
                    "imported_by": user if getattr(user, "is_authenticated", False) else None,
                },
            )
            citation = Publication.citation.fget(publication)  # type: ignore[attr-defined]
            report.publications.append(citation + ("" if created else " (already imported)"))
            existing = (
                {
                    (f.measure, f.country, f.year, f.year_kind, f.breakdown): f
                    for f in figure_model.objects.filter(publication=publication)
                }
                if not created
                else {}
            )
            new: list[Any] = []
            for p in items:
                values = {
                    "is_region": countries.is_region(p.country),
                    "as_of": p.as_of,
                    "value": p.value,
                    "status": p.status,
                    "qualifier": p.qualifier,
                    "original": p.original,
                    "location": p.location[:50],
                    "note": p.note,
                }
                old = existing.get((p.measure, p.country, p.year, p.year_kind, p.breakdown))
                if old is None:
                    new.append(
                        figure_model(
                            publication=publication,
                            measure=p.measure,
                            country=p.country,
                            year=p.year,
                            year_kind=p.year_kind,
                            breakdown=p.breakdown,
                            **values,
                        )
                    )
                elif any(getattr(old, k) != v for k, v in values.items()):
                    for k, v in values.items():
                        setattr(old, k, v)
                    old.save()
                    report.updated += 1
                else:
                    report.unchanged += 1
            figure_model.objects.bulk_create(new, batch_size=500)
            report.created += len(new)
        if dry_run:
            transaction.set_rollback(True)


def _figure(
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
