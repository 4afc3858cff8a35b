"""The ``dhs-wide`` layout: the DHS Yearbook table across several years (see the package's docstring)."""

from __future__ import annotations

from typing import Any

from crossings.stats import countries
from crossings.stats.importers.common import (
    YEAR_HEADER_KEYS,
    Grid,
    LayoutMismatch,
    Options,
    Parsed,
    Problem,
    add_figure,
    blank,
    breakdown_of,
    cell_at,
    cell_ref,
    grid_width,
    text,
    year_of,
)
from crossings.stats.models import (
    Breakdown,
)


def parse_dhs_wide(grid: Grid, opts: Options) -> tuple[list[Parsed], list[Problem]]:
    width = grid_width(grid)
    scan = range(min(len(grid), 2000))
    hits = {c: [r for r in scan if breakdown_of(cell_at(grid, r, c))] for c in range(width)}
    type_col = max(hits, key=lambda c: len(hits[c]), default=None)
    if type_col is None or len(hits[type_col]) < 3:
        raise LayoutMismatch("no column holds Total / Criminal / Non-criminal row labels")
    data_rows = hits[type_col]
    first, last = data_rows[0], data_rows[-1]
    if not {breakdown_of(cell_at(grid, r, type_col)) for r in data_rows} >= {
        Breakdown.CRIMINAL,
        Breakdown.NON_CRIMINAL,
    }:
        raise LayoutMismatch("the Total / Criminal / Non-criminal labels are not in one column")
    header_row = next((r for r in range(first - 1, -1, -1) if sum(not blank(c) for c in grid[r]) >= 3), None)
    if header_row is None:
        raise LayoutMismatch("no header row of countries above the first Total / Criminal row")

    def year_score(c: int) -> int:
        years = [year_of(cell_at(grid, r, c)) for r in data_rows]
        if any(y is None and not blank(cell_at(grid, r, c)) for y, r in zip(years, data_rows, strict=True)):
            return -1
        return sum(y is not None for y in years)

    candidates = [c for c in range(width) if c != type_col and year_score(c) > 0]
    if not candidates:
        raise LayoutMismatch("no column of years (such as 1993) beside the Total / Criminal labels")
    year_col = max(
        candidates,
        key=lambda c: (countries.key(text(cell_at(grid, header_row, c))) in YEAR_HEADER_KEYS, year_score(c)),
    )
    # A two-row header (regions above countries) leaves gaps in the lower row: take the label above.
    labels: dict[int, str] = {}
    for c in range(width):
        if c in (type_col, year_col):
            continue
        label = text(cell_at(grid, header_row, c))
        if not label and header_row > 0:
            label = text(cell_at(grid, header_row - 1, c))
        if label:
            labels[c] = label
    if not labels:
        raise LayoutMismatch("the header row names no countries")

    parsed: list[Parsed] = []
    problems: list[Problem] = []
    year: int | None = None
    for r in range(first, last + 1):
        kind = breakdown_of(cell_at(grid, r, type_col))
        if kind is None:
            if all(blank(c) for c in grid[r]) or (r > first and _looks_like_header(grid[r], labels)):
                continue  # blank line, or the header repeated on a new printed page
            problems.append(
                Problem(f"row {r + 1}", "neither a Total / Criminal / Non-criminal row nor blank")
            )
            continue
        year = year_of(cell_at(grid, r, year_col)) or year
        if year is None:
            problems.append(Problem(cell_ref(r, year_col), "no year for this row"))
            continue
        for c, label in labels.items():
            add_figure(
                cell_at(grid, r, c),
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
