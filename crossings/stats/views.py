"""Statistics pages: the public page of official figures, programme statistics, and donor reports."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from crossings import exports
from crossings.accounts.roles import Cap
from crossings.accounts.rules import AuthedRequest, public, requires
from crossings.stats import charts, countries, lineage, programme, reports
from crossings.stats.models import Figure, Publication, Report

COMPARED = ["Cambodia", "Laos", "Vietnam"]


def _labels() -> dict[str, str]:
    return {k: str(v) for k, v in countries.LABELS.items()}


@dataclass
class SpanRow:
    """One fiscal year of the removals table: each series' figures, or a gap."""

    year: int
    cells: list[tuple[lineage.Series, lineage.YearRow | None]]
    difference: lineage.Difference | None
    breaks: list[str]

    @property
    def gap(self) -> bool:
        return all(row is None for _s, row in self.cells)

    @property
    def default(self) -> lineage.YearRow | None:
        return self.cells[0][1] if self.cells else None

    @property
    def others(self) -> list[tuple[lineage.Series, lineage.YearRow | None]]:
        return self.cells[1:]


def _official_context() -> dict[str, Any]:
    comparison = lineage.many_series(COMPARED)
    found = comparison["Cambodia"]
    cambodia = found[0] if found else lineage.Series(country="Cambodia", measure="removals")
    diffs = lineage.differences(found)
    marks = lineage.breaks(found)
    span = lineage.span(found)
    rows = [
        SpanRow(
            year=y, cells=[(s, s.row(y)) for s in found], difference=diffs.get(y), breaks=marks.get(y, [])
        )
        for y in span
    ]
    orders = lineage.final_orders(COMPARED)
    labels = _labels()
    removal_title = _("Removals of Cambodians from the US, by fiscal year")
    compare_title = _("Removals to Cambodia, Laos and Vietnam, by fiscal year")
    orders_title = _("People under final orders of removal")
    official = _official_only(comparison)
    gaps = [r.year for r in rows if r.gap]
    return {
        "cambodia": cambodia,
        "series_list": found,
        "span_rows": rows,
        "gap_years": gaps,
        "gap_ranges": _ranges(gaps),
        "differences": list(diffs.values()),
        "comparison": official,
        "comparison_columns": [(c, s) for c, items in official.items() for s in items],
        "comparison_years": _comparison_rows(official),
        "orders": orders,
        "labels": labels,
        "removals_svg": charts.for_page(charts.series_chart(found, removal_title), removal_title),
        "comparison_svg": charts.for_page(
            charts.comparison_chart(official, labels, compare_title), compare_title
        ),
        "orders_svg": charts.for_page(charts.final_orders_chart(orders, labels, orders_title), orders_title),
        "removal_sources": _sources(s.publications for s in found),
        "comparison_sources": _sources(s.publications for items in official.values() for s in items),
        "orders_sources": _sources([f.publication] for f in orders),
        "average": lineage.average("Cambodia", 2001, 2010) if cambodia.rows else None,
        "titles": {"removals": removal_title, "comparison": compare_title, "orders": orders_title},
    }


def _official_only(comparison: dict[str, list[lineage.Series]]) -> dict[str, list[lineage.Series]]:
    """The comparison across countries shows the official series only (press and NGO counts are about
    Cambodia and are secondary)."""
    return {
        c: [s for s in items if s.rows and s.source_series and not s.source_series.is_secondary]
        for c, items in comparison.items()
    }


def _ranges(years: list[int]) -> list[str]:
    out: list[list[int]] = []
    for y in years:
        if out and out[-1][-1] == y - 1:
            out[-1].append(y)
        else:
            out.append([y])
    return [f"{r[0]}–{r[-1]}" if len(r) > 1 else str(r[0]) for r in out]


def _sources(groups: Any) -> list[Any]:
    seen: dict[int, Any] = {}
    for group in groups:
        for p in group:
            seen.setdefault(p.pk, p)
    return sorted(seen.values(), key=lambda p: (p.published_on, p.pk))


def _comparison_rows(
    official: dict[str, list[lineage.Series]],
) -> list[tuple[int, list[Figure | None]]]:
    columns = [s for items in official.values() for s in items]
    out = []
    for year in lineage.span(columns):
        cells = []
        for s in columns:
            row = s.row(year)
            cells.append(row.total if row else None)
        out.append((year, cells))
    return out


@public
def public_page(request: HttpRequest) -> HttpResponse:
    context = _official_context()
    if request.GET.get("revisions"):
        context["revisions"] = lineage.revisions("removals", "Cambodia")
    if request.GET.get("compare"):
        context.update(_compare_context(request))
    return render(request, "stats/public.html", context)


def _publication_id(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "")
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


def _compare_context(request: HttpRequest) -> dict[str, Any]:
    """Two publications of one table side by side (``?compare=1&a=ID&b=ID``); without ids, the first
    pair of editions of the default series."""
    pairs = lineage.edition_pairs()
    context: dict[str, Any] = {"compare_pairs": pairs, "comparison_of": None, "compare_error": ""}
    a_id, b_id = _publication_id(request, "a"), _publication_id(request, "b")
    if a_id is None or b_id is None:
        if not pairs:
            return context
        a, b = pairs[0]
    else:
        found = {p.pk: p for p in Publication.objects.select_related("series").filter(pk__in=[a_id, b_id])}
        if a_id not in found or b_id not in found:
            context["compare_error"] = _("No such publication.")
            return context
        a, b = found[a_id], found[b_id]
    try:
        context["comparison_of"] = lineage.compare(a, b)
    except lineage.NotTheSameTable as exc:
        context["compare_error"] = str(exc)
    return context


# HXL hashtags (https://hxlstandard.org) under the header row, so humanitarian tools can read the columns.
DATASETS: dict[str, tuple[list[str], list[str]]] = {
    "removals": (
        ["year", "country", "series", "total", "criminal", "non_criminal", "source", "differs"],
        [
            "#date+year+fiscal",
            "#country+name",
            "#meta+series",
            "#affected+removed+total",
            "#affected+removed+criminal",
            "#affected+removed+noncriminal",
            "#meta+source",
            "#meta+differs",
        ],
    ),
    "comparison": (
        ["year", "country", "series", "total", "source"],
        ["#date+year+fiscal", "#country+name", "#meta+series", "#affected+removed+total", "#meta+source"],
    ),
    "final-orders": (
        ["as_of", "country", "people", "qualifier", "source"],
        ["#date+reported", "#country+name", "#affected+final_order", "#meta+qualifier", "#meta+source"],
    ),
}


@public
def download_csv(request: HttpRequest, dataset: str) -> HttpResponse:
    if dataset not in DATASETS:
        raise Http404
    header, tags = DATASETS[dataset]
    rows: list[list[Any]] = []
    if dataset == "removals":
        for row in lineage.removal_rows("Cambodia"):
            rows.append(
                [
                    row["year"],
                    "Cambodia",
                    row["series"],
                    *("" if row[k] is None else row[k] for k in ("total", "criminal", "non_criminal")),
                    row["source"],
                    row["differs"],
                ]
            )
    elif dataset == "comparison":
        for country, items in _official_only(lineage.many_series(COMPARED)).items():
            for s in items:
                for r in s.rows:
                    rows.append([r.year, country, s.slug, lineage.cell_text(r.total), r.source])
    else:
        for f in lineage.final_orders(COMPARED):
            as_of = f"{f.as_of:%Y-%m}" if f.as_of else f.publication.published_label
            rows.append([as_of, f.country, lineage.cell_text(f), f.qualifier, f.publication.citation])
    out = io.StringIO()
    writer = exports.csv_writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerow(tags)
    writer.writerows(rows)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="crossings-{dataset}.csv"'
    return response


@requires(Cap.STATS_VIEW)
def programme_page(request: AuthedRequest) -> HttpResponse:
    stats = programme.compute(request.user)
    svgs = []
    for table in stats.tables:
        chart = charts.simple_bar(
            table.title,
            [r.label for r in table.rows],
            [r.count for r in table.rows],
            pgettext("unit of a count", "people"),
        )
        svgs.append((table, charts.for_page(chart, table.title)))
    today = timezone.localdate()
    return render(
        request,
        "stats/programme.html",
        {
            "stats": stats,
            "tables": svgs,
            "threshold": programme.THRESHOLD,
            "reports": Report.objects.visible_to(request.user).defer("content")[:10],
            "default_start": dt.date(today.year - 1, 1, 1),
            "default_end": dt.date(today.year - 1, 12, 31),
            "organisations": reports.organisations_for(request.user),
            "score_tables": [
                (_("All arrivals, per follow-up"), stats.scores_by_month, "table-scores-month"),
                (_("Per year of arrival"), stats.scores_by_cohort, "table-scores-cohort"),
            ],
        },
    )


@requires(Cap.STATS_VIEW)
def report_new(request: AuthedRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("stats_programme")
    try:
        report = reports.request_report(
            user=request.user,
            organisation_id=int(request.POST.get("organisation", "0") or 0),
            start=dt.date.fromisoformat(request.POST.get("start", "")),
            end=dt.date.fromisoformat(request.POST.get("end", "")),
            language=request.POST.get("language", "en"),
            fmt=request.POST.get("format", "pdf"),
        )
    except (ValueError, reports.ReportError) as exc:
        messages.error(request, str(exc) if isinstance(exc, reports.ReportError) else _("Give valid dates."))
        return redirect("stats_programme")
    return redirect("stats_report", report_id=report.pk)


@requires(Cap.STATS_VIEW)
def report_detail(request: AuthedRequest, report_id: int) -> HttpResponse:
    report = get_object_or_404(Report.objects.visible_to(request.user).defer("content"), pk=report_id)
    template = "stats/_report_status.html" if getattr(request, "htmx", False) else "stats/report.html"
    return render(request, template, {"report": report})


@requires(Cap.STATS_VIEW)
def report_download(request: AuthedRequest, report_id: int) -> HttpResponse:
    report = get_object_or_404(Report.objects.visible_to(request.user), pk=report_id, state=Report.State.DONE)
    content_type = {
        Report.Format.PDF: "application/pdf",
        Report.Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }[Report.Format(report.format)]
    response = HttpResponse(bytes(report.content or b""), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{report.filename}"'
    return response
