"""Charts drawn server-side as SVG by pygal, so they work without JavaScript and inside PDFs.

pygal puts a <style> and a <script> inside each SVG. The pages' Content-Security-Policy allows neither
inline, so for pages we strip both (and inline style attributes) and serve the same CSS, scoped to
``.pygal-chart``, as the static file stats/charts.css (``crossings stats chart-css`` writes it; a test checks
it is current). PDFs get the SVG untouched, as an image.
"""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

import pygal
from defusedxml.ElementTree import fromstring as defused_fromstring
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from pygal.style import Style

from crossings.stats.lineage import Series
from crossings.stats.models import Figure, Status

SVG_NS = "http://www.w3.org/2000/svg"
ET.register_namespace("svg", SVG_NS)
ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#222222",
    foreground_strong="#111111",
    foreground_subtle="#666666",
    opacity=".9",
    opacity_hover="1",
    # Criminal, non-criminal, split not published; then countries. Distinguishable in grey scale too.
    colors=("#9b2226", "#277da1", "#adb5bd", "#43aa8b", "#f8961e", "#6d597a"),
    font_family='"Noto Sans Khmer", "Noto Sans", sans-serif',
    title_font_size=18,
    label_font_size=13,
    major_label_font_size=13,
    legend_font_size=14,
    value_font_size=13,
)
CSS_FILE = Path(__file__).resolve().parent / "static" / "stats" / "charts.css"


def _config(**extra: object) -> dict[str, object]:
    return {
        "style": STYLE,
        "js": [],
        "disable_xml_declaration": True,
        "width": 760,
        "height": 380,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 3,
        "print_values": False,
        "show_minor_x_labels": True,
        "truncate_legend": -1,
        "margin": 12,
        **extra,
    }


def _value(f: Figure | None) -> int | None:
    return f.value if f is not None and f.status == Status.REPORTED else None


def removals_chart(series: Series, title: str) -> pygal.Graph:
    """Stacked bars: criminal + non-criminal; where a part is withheld, the rest of the total in grey.
    A year with no published figure has no bar (and says so in the table); nothing is filled in."""
    chart = pygal.StackedBar(**_config(x_label_rotation=-45, allow_interruptions=True))
    chart.title = title
    chart.x_labels = [str(y) for y in series.span]
    crim, non, unknown = [], [], []
    for year in series.span:
        row = series.row(year)
        total = _value(row.total) if row else None
        c = _value(row.criminal) if row else None
        n = _value(row.non_criminal) if row else None
        crim.append(c)
        non.append(n)
        rest = total - (c or 0) - (n or 0) if total is not None and (c is None or n is None) else None
        unknown.append(rest if rest else None)
    chart.add(_("Criminal"), crim)
    chart.add(_("Non-criminal"), non)
    chart.add(_("Split not published"), unknown)
    return chart


GAP_MARK = "∅"
BREAK_MARK = "¦"


def axis_labels(found: Sequence[Series]) -> list[str]:
    """Year labels for the x axis: a year without a figure in any series is marked ∅, a year where a
    series begins, ends or resumes is marked ¦ (the legend under the chart says so)."""
    from crossings.stats.lineage import breaks, span

    marks = breaks(list(found))
    known = {y for s in found for y in s.years}
    out = []
    for year in span(found):
        label = str(year)
        if year not in known:
            label = f"{GAP_MARK} {label}"
        elif year in marks:
            label = f"{BREAK_MARK} {label}"
        out.append(label)
    return out


def series_chart(found: Sequence[Series], title: str) -> pygal.Graph:
    """One line of totals per series (never merged, never averaged). A year a series has no figure breaks
    its line; years without a figure in any series and series breaks are marked on the axis."""
    from crossings.stats.lineage import span

    chart = pygal.Line(**_config(x_label_rotation=-45, allow_interruptions=True, dots_size=4))
    chart.title = title
    years = span(found)
    chart.x_labels = axis_labels(found)
    for s in found:
        if not s.rows:
            continue
        values = []
        for year in years:
            row = s.row(year)
            values.append(_value(row.total) if row else None)
        chart.add(s.source_series.short_label if s.source_series else s.slug, values)
    return chart


def comparison_chart(official: dict[str, list[Series]], labels: dict[str, str], title: str) -> pygal.Graph:
    """One line per country and official series."""
    from crossings.stats.lineage import span as years_of

    columns = [s for items in official.values() for s in items]
    span = years_of(columns)
    chart = pygal.Line(**_config(x_label_rotation=-45, allow_interruptions=True, dots_size=4))
    chart.title = title
    chart.x_labels = axis_labels(columns)
    for country, items in official.items():
        for s in items:
            values = []
            for year in span:
                row = s.row(year)
                values.append(_value(row.total) if row else None)
            short = s.source_series.short_label if s.source_series else s.slug
            chart.add(f"{labels.get(country, country)} — {short}", values)
    return chart


def final_orders_chart(items: Sequence[Figure], labels: dict[str, str], title: str) -> pygal.Graph:
    chart = pygal.Bar(**_config(x_label_rotation=-30))
    chart.title = title
    dates = sorted({f.publication.published_label if f.as_of is None else f"{f.as_of:%Y-%m}" for f in items})
    chart.x_labels = dates
    for country in dict.fromkeys(f.country for f in items):
        by_date = {
            (f"{f.as_of:%Y-%m}" if f.as_of else f.publication.published_label): f
            for f in items
            if f.country == country
        }
        chart.add(labels.get(country, country), [_value(by_date.get(d)) for d in dates])
    return chart


def simple_bar(title: str, labels: list[str], values: list[int | None], series_label: str) -> pygal.Graph:
    chart = pygal.Bar(**_config(show_legend=False, x_label_rotation=0 if len(labels) < 8 else -45))
    chart.title = title
    chart.x_labels = labels
    chart.add(series_label, values)
    return chart


_STYLE_ATTR = re.compile(r'\sstyle="[^"]*"')


def for_page(chart: pygal.Graph, label: str) -> SafeString:
    """The SVG for an HTML page: no inline <style>/<script> (CSP), scaled to the container."""
    # defusedxml parses; ElementTree (its base) edits and writes the tree.
    root = defused_fromstring(chart.render(is_unicode=True))
    for parent in root.iter():
        for child in list(parent):
            if child.tag in (f"{{{SVG_NS}}}style", f"{{{SVG_NS}}}script"):
                parent.remove(child)
    for el in root.iter():
        el.attrib.pop("style", None)
    root.set("role", "img")
    root.set("aria-label", label)
    root.attrib.pop("id", None)
    svg = ET.tostring(root, encoding="unicode")
    # ElementTree writes svg:-prefixed tags; HTML wants plain <svg> with a default namespace.
    svg = svg.replace("<svg:", "<").replace("</svg:", "</").replace('xmlns:svg="', 'xmlns="')
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    return mark_safe(svg)  # noqa: S308 - generated by pygal from numbers and our own labels, escaped by etree


def for_pdf(chart: pygal.Graph) -> str:
    """A data: URI of the complete SVG (with its own style), for WeasyPrint's <img>."""
    data = chart.render(is_unicode=True).encode()
    return "data:image/svg+xml;base64," + base64.b64encode(data).decode()


def stylesheet() -> str:
    """pygal's CSS for our style, scoped to .pygal-chart instead of a random chart id."""
    chart = pygal.Bar(**_config())
    chart.add("x", [1])
    svg = chart.render(is_unicode=True)
    css = "\n".join(re.findall(r"<style[^>]*>(.*?)</style>", svg, flags=re.S))
    css = re.sub(r"#chart-[0-9a-f-]+", ".pygal-chart", css)
    css = css.replace("&gt;", ">")
    return "/* Generated by `crossings stats chart-css` from pygal's own CSS: do not edit. */\n" + css + "\n"
