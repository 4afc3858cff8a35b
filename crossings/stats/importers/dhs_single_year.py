"""The ``dhs-single-year`` layout: one year of the DHS Yearbook table (see the package's docstring)."""

from __future__ import annotations

import re

from crossings.stats.importers.common import (
    COUNTRY_HEADER_WORDS,
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
    is_footnote,
    text,
)


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
        label = text(cell_at(grid, r, label_col))
        cells = {kind: cell_at(grid, r, c) for kind, c in columns.items()}
        if all(blank(v) for v in cells.values()):
            continue  # blank line, a region sub-heading without figures, or a footnote
        if not label:
            problems.append(Problem(f"row {r + 1}", "figures without a country name"))
            continue
        if is_footnote(label):
            continue
        for kind, raw in cells.items():
            add_figure(
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
