"""The ``ice-citizenship`` layout: ICE ERO removals by country of citizenship (see the package docstring)."""

from __future__ import annotations

from crossings.stats import countries
from crossings.stats.importers.common import (
    Grid,
    LayoutMismatch,
    Options,
    Parsed,
    Problem,
    add_figure,
    blank,
    cell_at,
    cell_ref,
    is_footnote,
    text,
    title_year,
    year_of,
)
from crossings.stats.models import (
    Breakdown,
)

ICE_LABEL_WORDS = ("citizenship", "country", "nationality")
ICE_COUNT_KEYS = {"removals", "total removals", "removed", "count", "number", "total"}


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
            year = opts.year if opts.year is not None else title_year(grid, r + 1)
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
        label = text(cell_at(grid, r, label_col))
        cells = {year: cell_at(grid, r, c) for c, year in year_cols.items()}
        if all(blank(v) for v in cells.values()):
            continue  # blank line, sub-heading, or footnote
        if not label:
            problems.append(Problem(f"row {r + 1}", "figures without a country name"))
            continue
        if is_footnote(label):
            continue
        for c, year in year_cols.items():
            raw = cell_at(grid, r, c)
            if blank(raw):
                continue  # not in that year's table: no figure, not zero
            add_figure(
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
