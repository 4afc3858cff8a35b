"""Statistics API: official figures are public (they are public tables, with their sources); programme
statistics and reports need STATS_VIEW and cover only the caller's organisations."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from crossings.accounts.roles import Cap
from crossings.accounts.rules import AuthedRequest, public, requires
from crossings.stats import countries, lineage, programme
from crossings.stats import series as series_defs
from crossings.stats.models import Breakdown, Measure, Publication

router = Router(tags=["stats"])


def _country(label: str) -> str:
    name = countries.canonical(label)
    if name is None:
        hint = countries.suggestions(label)
        raise HttpError(
            422, f"Unknown country {label!r}." + (f" Did you mean {' or '.join(hint)}?" if hint else "")
        )
    return name


class RemovalYear(Schema):
    year: int
    total: int | str | None = Field(description="a number, 'withheld', or null when not available")
    criminal: int | str | None
    non_criminal: int | str | None
    source: str


class RemovalRow(Schema):
    year: int
    series: str = Field(description="the series key; see `series` for its name and counting rules")
    default_series: bool
    total: int | str | None = Field(description="a number, 'withheld', or null when not available")
    criminal: int | str | None
    non_criminal: int | str | None
    source: str
    url: str
    differs: str = Field(description="where series give different totals this year: each series' figure")


class SeriesOut(Schema):
    key: str
    name: str
    kind: str
    secondary: bool
    default: bool
    counting: str = Field(description="what the series counts and how: why it may differ from another")
    years: list[RemovalYear]
    missing_years: list[int]


class DifferenceOut(Schema):
    year: int
    values: dict[str, int | str | None] = Field(description="series key -> total")
    why: str


class Removals(Schema):
    country: str
    measure: str = "removals"
    year_kind: str = "fiscal"
    default_series: str
    years: list[RemovalYear] = Field(description="the default series, one row per year")
    missing_years: list[int] = Field(description="years inside the span with no figure in any series")
    rows: list[RemovalRow] = Field(description="one row per year and series (what the CLI prints)")
    series: list[SeriesOut]
    differences: list[DifferenceOut]


def _series_out(s: lineage.Series) -> dict:
    row = s.source_series
    return {
        "key": s.slug,
        "name": s.label,
        "kind": row.kind if row else "",
        "secondary": row.is_secondary if row else False,
        "default": s.default,
        "counting": row.counting_label if row else "",
        "years": lineage.default_rows(s),
        "missing_years": s.missing_years,
    }


@router.get(
    "/stats/removals",
    response=Removals,
    auth=None,
    summary="Removals by year and series, with sources",
)
@public
def removals(request: HttpRequest, country: str = "Cambodia") -> dict:
    name = _country(country)
    found = lineage.all_series(name)
    default = found[0] if found else lineage.Series(country=name, measure=Measure.REMOVALS)
    known = {y for s in found for y in s.years}
    return {
        "country": name,
        "default_series": default.slug,
        "years": lineage.default_rows(default),
        "missing_years": [y for y in lineage.span(found) if y not in known],
        "rows": lineage.removal_rows(name),
        "series": [_series_out(s) for s in found],
        "differences": [
            {"year": d.year, "values": {s.slug: lineage.cell_json(f) for s, f in d.values}, "why": d.why}
            for d in lineage.differences(found).values()
        ],
    }


class AverageOut(Schema):
    country: str
    series: str = Field(description="the one series averaged: figures of different series never mix")
    measure: str
    breakdown: str
    start: int
    end: int
    average: float | None
    years_with_data: int
    years_in_range: int
    sum: int
    missing_years: list[int]
    withheld_years: list[int]
    sentence: str


@router.get(
    "/stats/removals/average", response=AverageOut, auth=None, summary="Average per year over a range"
)
@public
def removals_average(
    request: HttpRequest,
    start: int,
    end: int,
    country: str = "Cambodia",
    breakdown: str = Breakdown.TOTAL,
    series: str | None = None,
) -> dict:
    if end < start or end - start > 200:
        raise HttpError(422, "The range must run forwards and span at most 200 years.")
    if breakdown not in Breakdown.values:
        raise HttpError(422, f"breakdown is one of {', '.join(Breakdown.values)}.")
    if series is not None and series not in series_defs.BUILT_IN:
        raise HttpError(422, f"series is one of {', '.join(series_defs.BUILT_IN)}.")
    agg = lineage.average(_country(country), start, end, Measure.REMOVALS, breakdown, slug=series)
    return {**agg.__dict__, "average": agg.average, "sentence": agg.sentence}


class VersionOut(Schema):
    series: str
    value: int | None
    status: str
    original: str
    source: str
    published: str
    kind: str
    current: bool
    changed: bool


class RevisionOut(Schema):
    series: str = Field(description="revisions are within one series: a later edition of the same table")
    year: int
    year_kind: str
    breakdown: str
    versions: list[VersionOut]


@router.get(
    "/stats/revisions",
    response=list[RevisionOut],
    auth=None,
    summary="Figures published with different values",
)
@public
def revisions(request: HttpRequest, country: str = "Cambodia", measure: str = Measure.REMOVALS) -> list[dict]:
    if measure not in Measure.values:
        raise HttpError(422, f"measure is one of {', '.join(Measure.values)}.")
    out = []
    for rev in lineage.revisions(measure, _country(country)):
        _m, _c, year, year_kind, breakdown = rev.cell
        out.append(
            {
                "year": year,
                "year_kind": year_kind,
                "breakdown": breakdown,
                "series": rev.series.slug,
                "versions": [
                    {
                        "series": rev.series.slug,
                        "value": v.figure.value,
                        "status": v.figure.status,
                        "original": v.figure.original,
                        "source": v.figure.publication.citation,
                        "published": v.figure.publication.published_label,
                        "kind": v.figure.publication.kind,
                        "current": v.current,
                        "changed": v.changed,
                    }
                    for v in rev.versions
                ],
            }
        )
    return out


class PublicationOut(Schema):
    id: int
    citation: str
    series: str
    published: str
    url: str
    kind: str


def _publication_out(p: Publication) -> dict:
    return {
        "id": p.pk,
        "citation": p.citation,
        "series": p.series.slug,
        "published": p.published_label,
        "url": p.url,
        "kind": p.kind,
    }


@router.get(
    "/stats/publications",
    response=list[PublicationOut],
    auth=None,
    summary="Every publication a figure comes from, with its series",
)
@public
def publications(request: HttpRequest, series: str | None = None) -> list[dict]:
    qs = Publication.objects.select_related("series").order_by("series__rank", "published_on", "pk")
    if series is not None:
        qs = qs.filter(series__slug=series[:60])
    return [_publication_out(p) for p in qs[:1000]]


class CellChangeOut(Schema):
    measure: str
    country: str
    year: int
    year_kind: str
    breakdown: str
    a: int | str | None = Field(description="the first (earlier) publication: number, 'withheld' or null")
    b: int | str | None
    change: str = Field(
        description="same, changed, withheld_in_a (withheld in the first, published in the second), "
        "withheld_in_b, only_a, only_b, or status (not available in one of them)"
    )
    delta: int | None = Field(description="b - a when both published a figure")


class ComparisonOut(Schema):
    a: PublicationOut
    b: PublicationOut
    counts: dict[str, int]
    cells: list[CellChangeOut]


@router.get(
    "/stats/compare",
    response=ComparisonOut,
    auth=None,
    summary="Two publications of the same table side by side: what changed, by how much, what was withheld",
)
@public
def compare(request: HttpRequest, a: int, b: int, changed_only: bool = False) -> dict:
    found = {p.pk: p for p in Publication.objects.select_related("series").filter(pk__in=[a, b])}
    if a not in found or b not in found:
        raise HttpError(404, "No such publication.")
    try:
        result = lineage.compare(found[a], found[b])
    except lineage.NotTheSameTable as exc:
        raise HttpError(422, str(exc)) from exc
    cells = result.differing if changed_only else result.cells
    return {
        "a": _publication_out(result.a),
        "b": _publication_out(result.b),
        "counts": result.counts,
        "cells": [
            {
                "measure": c.cell[0],
                "country": c.cell[1],
                "year": c.cell[2],
                "year_kind": c.cell[3],
                "breakdown": c.cell[4],
                "a": lineage.cell_json(c.a) if c.a else None,
                "b": lineage.cell_json(c.b) if c.b else None,
                "change": c.change,
                "delta": c.delta,
            }
            for c in cells
        ],
    }


class Count(Schema):
    label: str
    count: int | None = Field(description="null when suppressed (fewer than 5)")
    suppressed: bool


class ProgrammeTable(Schema):
    key: str
    title: str
    rows: list[Count]


class ServiceYear(Schema):
    code: str
    service: str
    year: int
    deliveries: int | None = Field(description="null when suppressed")
    people: int | None = Field(description="distinct people served; null when suppressed")
    cost: str | None = Field(description="total cost in USD as a decimal string; null when suppressed")
    suppressed: bool


class ScoreOut(Schema):
    mean: float | None = Field(description="null when suppressed or no score recorded")
    people: int | None = Field(description="people behind the mean; null when suppressed")
    suppressed: bool


class ScoreCellOut(Schema):
    months: int = Field(description="follow-up month: 1, 3, 6 or 12")
    cohort: int | None = Field(description="year of arrival; null for all cohorts together")
    economic: ScoreOut
    social: ScoreOut
    psychosocial: ScoreOut
    overall: ScoreOut


class IndicatorOut(Schema):
    key: str
    label: str
    value: int | float | None
    suppressed: bool


class OutreachOut(Schema):
    organisations: list[int]
    start: str
    end: str
    indicators: list[IndicatorOut]


class ProgrammeOut(Schema):
    organisations: list[int]
    people: int | None
    suppression_threshold: int
    tables: list[ProgrammeTable]
    services: list[ServiceYear]
    scores_by_month: list[ScoreCellOut]
    scores_by_cohort: list[ScoreCellOut]
    outreach: OutreachOut | None = Field(description="null when none of your organisations does outreach")


@router.get("/stats/programme", response=ProgrammeOut, summary="Programme statistics for your organisations")
@requires(Cap.STATS_VIEW)
def programme_stats(request: AuthedRequest) -> dict:
    """Aggregates only; cells below the threshold are suppressed, as in anything that leaves the page."""
    stats = programme.compute(request.user, suppress_small=True)
    return stats.as_dict()
