"""The import itself: detect the layout, parse every cell, resolve series and countries, check conflicts
and sums, then write all or nothing."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction

from crossings import uploads
from crossings.stats import countries
from crossings.stats import series as series_defs
from crossings.stats.importers.common import (
    ImportFailed,
    ImportReport,
    LayoutMismatch,
    Options,
    Parsed,
    Problem,
    SourceInfo,
    read_grids,
)
from crossings.stats.importers.dhs_single_year import parse_dhs_single_year
from crossings.stats.importers.dhs_wide import parse_dhs_wide
from crossings.stats.importers.ice_citizenship import parse_ice_citizenship
from crossings.stats.importers.tidy import parse_tidy
from crossings.stats.models import (
    Breakdown,
    Figure,
    Measure,
    Publication,
    Series,
    YearKind,
)

if TYPE_CHECKING:
    from crossings.accounts.models import User

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
