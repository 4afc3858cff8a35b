"""The ``tidy-csv`` layout: one figure per row, for everything else (see the package's docstring)."""

from __future__ import annotations

from typing import Any

from crossings.stats import countries
from crossings.stats.importers.common import (
    Grid,
    LayoutMismatch,
    Options,
    Parsed,
    Problem,
    SourceInfo,
    blank,
    breakdown_of,
    parse_value,
    text,
    year_of,
)
from crossings.stats.models import (
    Breakdown,
    Measure,
    Qualifier,
    SourceKind,
    YearKind,
    parse_published,
)

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
