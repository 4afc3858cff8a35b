"""Which version of a figure to show, what the others said, and honest aggregates.

Rules (docs/statistics.md):
- every figure belongs to a series (one publisher's one table across editions, or the press, or NGO
  counts); every publication is kept;
- within a series, the most recent publication of a cell is shown (a revised edition supersedes the
  earlier one, which stays visible as a revision);
- series never replace each other: each is shown, the measure's default series first, and a year where
  two series differ says so and why (they count differently); nothing is averaged across series;
- a year nobody published is missing, never interpolated; a withheld cell is withheld, never zero;
- an aggregate is over one series and says how many years had data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from crossings.stats import series as series_defs
from crossings.stats.models import (
    Breakdown,
    Figure,
    Measure,
    Publication,
    Status,
    YearKind,
)
from crossings.stats.models import Series as SeriesRow

Cell = tuple[str, str, int, str, str]  # measure, country, year, year_kind, breakdown
SeriesCell = tuple[int, Cell]  # series id, cell


def _rank(f: Figure) -> tuple[int, int]:
    pub = f.publication
    return (-pub.published_on.toordinal(), -pub.pk)


def figures(measure: str, countries: Iterable[str], year_kind: str | None = None) -> list[Figure]:
    qs = Figure.objects.filter(measure=measure, country__in=list(countries)).select_related(
        "publication__series"
    )
    if year_kind:
        qs = qs.filter(year_kind=year_kind)
    return list(qs)


def _skey(f: Figure) -> SeriesCell:
    return (f.publication.series_id, f.cell)


def pick_current(items: Iterable[Figure]) -> dict[SeriesCell, Figure]:
    """The figure to show for each cell of each series: the newest publication within the series."""
    best: dict[SeriesCell, Figure] = {}
    for f in items:
        k = _skey(f)
        if k not in best or _rank(f) < _rank(best[k]):
            best[k] = f
    return best


@dataclass
class Version:
    figure: Figure
    current: bool
    changed: bool  # differs from the version published before it


@dataclass
class Revision:
    cell: Cell
    series: SeriesRow
    versions: list[Version]


def revisions(measure: str, country: str) -> list[Revision]:
    """Cells published more than once with different values within one series, oldest version first."""
    by_cell: dict[SeriesCell, list[Figure]] = defaultdict(list)
    for f in figures(measure, [country]):
        by_cell[_skey(f)].append(f)
    found = []
    for k, items in sorted(by_cell.items(), key=lambda kv: (kv[0][1], kv[1][0].publication.series.rank)):
        if len({(f.status, f.value, f.qualifier) for f in items}) < 2:
            continue
        current = pick_current(items)[k]
        items.sort(key=lambda f: (f.publication.published_on, f.publication.pk))
        versions = []
        prev: Figure | None = None
        for f in items:
            changed = prev is not None and (f.status, f.value) != (prev.status, prev.value)
            versions.append(Version(figure=f, current=f is current, changed=changed))
            prev = f
        found.append(Revision(cell=k[1], series=items[0].publication.series, versions=versions))
    return found


@dataclass
class YearRow:
    year: int
    total: Figure | None = None
    criminal: Figure | None = None
    non_criminal: Figure | None = None
    others: int = 0  # how many other versions of these cells exist in this series

    @property
    def parts(self) -> list[Figure | None]:
        return [self.total, self.criminal, self.non_criminal]

    @property
    def publications(self) -> list[Publication]:
        seen: dict[int, Publication] = {}
        for f in self.parts:
            if f is not None:
                seen.setdefault(f.publication.pk, f.publication)
        return list(seen.values())

    @property
    def source(self) -> str:
        return "; ".join(p.citation for p in self.publications)

    @property
    def url(self) -> str:
        return "; ".join(p.url for p in self.publications if p.url)


@dataclass
class Series:
    """One series' figures for one country and measure, a row per year with any figure."""

    country: str
    measure: str
    rows: list[YearRow] = field(default_factory=list)
    source_series: SeriesRow | None = None
    default: bool = False

    @property
    def slug(self) -> str:
        return self.source_series.slug if self.source_series else ""

    @property
    def label(self) -> str:
        return self.source_series.label if self.source_series else ""

    @property
    def years(self) -> list[int]:
        return [r.year for r in self.rows]

    @property
    def span(self) -> list[int]:
        """Every year from the first to the last known one: the gaps are shown, not hidden."""
        return list(range(self.rows[0].year, self.rows[-1].year + 1)) if self.rows else []

    @property
    def missing_years(self) -> list[int]:
        known = set(self.years)
        return [y for y in self.span if y not in known]

    def row(self, year: int) -> YearRow | None:
        return next((r for r in self.rows if r.year == year), None)

    @property
    def publications(self) -> list[Publication]:
        seen: dict[int, Publication] = {}
        for r in self.rows:
            for p in r.publications:
                seen.setdefault(p.pk, p)
        return sorted(seen.values(), key=lambda p: (p.published_on, p.pk))


def _build(country: str, measure: str, items: list[Figure], source: SeriesRow | None) -> Series:
    current = pick_current(items)
    counts: dict[SeriesCell, int] = defaultdict(int)
    for f in items:
        counts[_skey(f)] += 1
    rows: dict[int, YearRow] = {}
    for k, f in current.items():
        row = rows.setdefault(f.year, YearRow(year=f.year))
        setattr(row, f.breakdown, f)
        row.others += counts[k] - 1
    return Series(
        country=country, measure=measure, rows=[rows[y] for y in sorted(rows)], source_series=source
    )


def all_series(
    country: str,
    measure: str = Measure.REMOVALS,
    year_kind: str = YearKind.FISCAL,
    _items: list[Figure] | None = None,
) -> list[Series]:
    """Every series with a figure for this country and measure: the measure's default series first (or,
    when it has none here, the best-ranked series that has), then the others by rank."""
    items = _items if _items is not None else figures(measure, [country], year_kind)
    items = [f for f in items if f.country == country and f.year_kind == year_kind]
    by_series: dict[int, list[Figure]] = defaultdict(list)
    rows: dict[int, SeriesRow] = {}
    for f in items:
        by_series[f.publication.series_id].append(f)
        rows[f.publication.series_id] = f.publication.series
    default_slug = series_defs.DEFAULT_SERIES.get(measure)
    out = [_build(country, measure, by_series[sid], rows[sid]) for sid in by_series]
    out.sort(key=lambda s: (s.slug != default_slug, s.source_series.rank if s.source_series else 0, s.slug))
    if out:
        out[0].default = True
    return out


def series(
    country: str,
    measure: str = Measure.REMOVALS,
    year_kind: str = YearKind.FISCAL,
    _items: list[Figure] | None = None,
    slug: str | None = None,
) -> Series:
    """One series (the measure's default unless ``slug`` names another) for one country."""
    found = all_series(country, measure, year_kind, _items)
    if slug is None:
        return found[0] if found else Series(country=country, measure=measure)
    return next((s for s in found if s.slug == slug), Series(country=country, measure=measure))


def many_series(
    countries: list[str], measure: str = Measure.REMOVALS, year_kind: str = YearKind.FISCAL
) -> dict[str, list[Series]]:
    """Several countries' series from one query."""
    items = figures(measure, countries, year_kind)
    return {c: all_series(c, measure, year_kind, _items=items) for c in countries}


def removals(country: str, slug: str | None = None) -> Series:
    return series(country, Measure.REMOVALS, YearKind.FISCAL, slug=slug)


def span(found: Iterable[Series]) -> list[int]:
    years = sorted({y for s in found for y in s.years})
    return list(range(years[0], years[-1] + 1)) if years else []


@dataclass
class Difference:
    """A year two or more series give different totals for: shown side by side, with the reason."""

    year: int
    values: list[tuple[Series, Figure]]

    @property
    def why(self) -> str:
        return (
            _("Different series, not a revision: they count by different rules.")
            + " "
            + " ".join(
                f"{s.label}: {s.source_series.counting_label if s.source_series else ''}"
                for s, _f in self.values
            )
        )

    @property
    def summary(self) -> str:
        """ "DHS Yearbook: 72; ICE annual report: 74" (short names, the page's language)."""
        return "; ".join(
            f"{s.source_series.short_label if s.source_series else s.slug}: {cell_text(f)}"
            for s, f in self.values
        )


def differences(found: list[Series]) -> dict[int, Difference]:
    out: dict[int, Difference] = {}
    for year in span(found):
        values = []
        for s in found:
            row = s.row(year)
            if row and row.total is not None and row.total.status == Status.REPORTED:
                values.append((s, row.total))
        if len({f.value for _s, f in values}) > 1:
            out[year] = Difference(year=year, values=values)
    return out


def breaks(found: list[Series]) -> dict[int, list[str]]:
    """Years where a series begins, ends, or resumes after a gap: a chart and table mark them."""
    marks: dict[int, list[str]] = defaultdict(list)
    for s in found:
        if not s.rows:
            continue
        years = s.years
        name = s.source_series.short_label if s.source_series else s.slug
        for i, y in enumerate(years):
            if i == 0:
                marks[y].append(_("%(series)s begins") % {"series": name})
            elif years[i - 1] != y - 1:
                marks[y].append(_("%(series)s resumes after a gap") % {"series": name})
            if i == len(years) - 1:
                marks[y].append(_("%(series)s ends") % {"series": name})
            elif years[i + 1] != y + 1:
                marks[y].append(_("%(series)s has no figure the next year") % {"series": name})
    return dict(marks)


def cell_text(f: Figure | None) -> str:
    """A figure for CSV and the command line: the number, ``withheld``, or empty when not available."""
    if f is None or f.status == Status.NOT_AVAILABLE:
        return ""
    if f.status == Status.WITHHELD:
        return "withheld"
    return str(f.value)


def cell_json(f: Figure | None) -> int | str | None:
    if f is None or f.status == Status.NOT_AVAILABLE:
        return None
    if f.status == Status.WITHHELD:
        return "withheld"
    return f.value


@dataclass
class Aggregate:
    country: str
    series: str
    measure: str
    breakdown: str
    start: int
    end: int
    years_in_range: int
    years_with_data: int
    sum: int
    missing_years: list[int]
    withheld_years: list[int]

    @property
    def average(self) -> float | None:
        """The mean over the years that have a published figure; None when none has."""
        return round(self.sum / self.years_with_data, 1) if self.years_with_data else None

    @property
    def sentence(self) -> str:
        avg = "no data" if self.average is None else f"{self.average:g} per year"
        return (
            f"{self.country}, {self.measure} ({self.breakdown}), {self.start}–{self.end}: {avg}, "
            f"from {self.years_with_data} of {self.years_in_range} years with published figures "
            f"({self.series})"
        )


def average(
    country: str,
    start: int,
    end: int,
    measure: str = Measure.REMOVALS,
    breakdown: str = Breakdown.TOTAL,
    slug: str | None = None,
) -> Aggregate:
    """The mean of one series (the default unless ``slug`` names another): never across series."""
    s = series(country, measure, slug=slug)
    total = 0
    have: list[int] = []
    withheld: list[int] = []
    for year in range(start, end + 1):
        row = s.row(year)
        f = getattr(row, breakdown) if row else None
        if f is not None and f.status == Status.REPORTED and f.value is not None:
            total += f.value
            have.append(year)
        elif f is not None and f.status == Status.WITHHELD:
            withheld.append(year)
    return Aggregate(
        country=country,
        series=s.label,
        measure=measure,
        breakdown=breakdown,
        start=start,
        end=end,
        years_in_range=end - start + 1,
        years_with_data=len(have),
        sum=total,
        missing_years=[y for y in range(start, end + 1) if y not in have],
        withheld_years=withheld,
    )


def final_orders(countries: list[str]) -> list[Figure]:
    """People under final orders: each published count, current version per date and series."""
    current = pick_current(figures(Measure.FINAL_ORDERS, countries, YearKind.AS_OF))
    return sorted(
        (f for f in current.values() if f.breakdown == Breakdown.TOTAL),
        key=lambda f: (f.as_of or f.publication.published_on, f.country),
    )


def removal_rows(country: str) -> list[dict[str, int | str | bool | None]]:
    """One row per fiscal year and series with any published figure, the default series first within a
    year: what the CLI prints and the API answers. ``differs`` explains a year where series disagree."""
    found = all_series(country)
    diffs = differences(found)
    why = _("different series, different counting rules")
    out: list[dict[str, int | str | bool | None]] = []
    for year in span(found):
        for s in found:
            r = s.row(year)
            if r is None:
                continue
            out.append(
                {
                    "year": r.year,
                    "series": s.slug,
                    "default_series": s.default,
                    "total": cell_json(r.total),
                    "criminal": cell_json(r.criminal),
                    "non_criminal": cell_json(r.non_criminal),
                    "source": r.source,
                    "url": r.url,
                    "differs": f"{diffs[year].summary} ({why})" if year in diffs else "",
                }
            )
    return out


def default_rows(s: Series) -> list[dict[str, int | str | None]]:
    """One series' years, as the API listed them before series existed."""
    return [
        {
            "year": r.year,
            "total": cell_json(r.total),
            "criminal": cell_json(r.criminal),
            "non_criminal": cell_json(r.non_criminal),
            "source": r.source,
        }
        for r in s.rows
    ]


# --- Two publications of one table side by side ------------------------------------------------------


class Change:
    SAME = "same"
    CHANGED = "changed"
    WITHHELD_IN_A = "withheld_in_a"  # withheld in the first, published in the second
    WITHHELD_IN_B = "withheld_in_b"  # published in the first, withheld in the second
    ONLY_A = "only_a"
    ONLY_B = "only_b"
    STATUS = "status"  # e.g. not available in one, a figure in the other

    ORDER = (CHANGED, WITHHELD_IN_A, WITHHELD_IN_B, STATUS, ONLY_A, ONLY_B, SAME)


def change_label(change: str) -> str:
    return {
        Change.SAME: _("the same"),
        Change.CHANGED: _("changed"),
        Change.WITHHELD_IN_A: _("withheld in the first, published in the second"),
        Change.WITHHELD_IN_B: _("published in the first, withheld in the second"),
        Change.ONLY_A: _("only in the first"),
        Change.ONLY_B: _("only in the second"),
        Change.STATUS: _("not available in one of them"),
    }[change]


@dataclass
class CellChange:
    cell: Cell
    a: Figure | None
    b: Figure | None
    change: str

    @property
    def delta(self) -> int | None:
        """By how much the second publication differs from the first (both published figures)."""
        if self.a is None or self.b is None or self.a.value is None or self.b.value is None:
            return None
        if self.a.status != Status.REPORTED or self.b.status != Status.REPORTED:
            return None
        return self.b.value - self.a.value

    @property
    def label(self) -> str:
        return change_label(self.change)


@dataclass
class Comparison:
    a: Publication
    b: Publication
    cells: list[CellChange]

    @property
    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(Change.ORDER, 0)
        for c in self.cells:
            out[c.change] += 1
        return out

    @property
    def count_rows(self) -> list[tuple[str, str, int]]:
        return [(k, change_label(k), n) for k, n in self.counts.items()]

    @property
    def differing(self) -> list[CellChange]:
        return [c for c in self.cells if c.change != Change.SAME]


class NotTheSameTable(ValueError):
    pass


def _change(a: Figure | None, b: Figure | None) -> str:
    if b is None:
        return Change.ONLY_A
    if a is None:
        return Change.ONLY_B
    if (a.status, a.value, a.qualifier) == (b.status, b.value, b.qualifier):
        return Change.SAME
    if a.status == Status.WITHHELD and b.status == Status.REPORTED:
        return Change.WITHHELD_IN_A
    if a.status == Status.REPORTED and b.status == Status.WITHHELD:
        return Change.WITHHELD_IN_B
    if a.status == Status.REPORTED and b.status == Status.REPORTED:
        return Change.CHANGED
    return Change.STATUS


def compare(a: Publication, b: Publication) -> Comparison:
    """Every cell of two publications of the same series, the earlier one first: what changed, by how
    much, and which cells were withheld in one and published in the other. Two queries."""
    if a.series_id != b.series_id:
        raise NotTheSameTable(
            _("These two publications are not editions of the same series: compare within one series.")
        )
    if (b.published_on, b.pk) < (a.published_on, a.pk):
        a, b = b, a
    by: dict[int, dict[Cell, Figure]] = {a.pk: {}, b.pk: {}}
    for f in Figure.objects.filter(publication_id__in=[a.pk, b.pk]).order_by():
        by[f.publication_id][f.cell] = f
    cells = sorted(set(by[a.pk]) | set(by[b.pk]))
    changes = [CellChange(cell=c, a=by[a.pk].get(c), b=by[b.pk].get(c), change="") for c in cells]
    for c in changes:
        c.change = _change(c.a, c.b)
    changes.sort(key=lambda c: (Change.ORDER.index(c.change), c.cell))
    return Comparison(a=a, b=b, cells=changes)


def edition_pairs() -> list[tuple[Publication, Publication]]:
    """Pairs of publications of one series that share at least one cell (earlier first): the editions
    worth comparing. Two queries."""
    pubs = list(Publication.objects.select_related("series").order_by("series__rank", "published_on", "pk"))
    cells: dict[int, set[tuple[str, str, int, str]]] = defaultdict(set)
    for pid, measure, country, year, breakdown in Figure.objects.values_list(
        "publication_id", "measure", "country", "year", "breakdown"
    ):
        cells[pid].add((measure, country, year, breakdown))
    pairs = []
    for i, a in enumerate(pubs):
        for b in pubs[i + 1 :]:
            if b.series_id == a.series_id and cells[a.pk] & cells[b.pk]:
                pairs.append((a, b))
    return pairs
