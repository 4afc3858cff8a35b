"""Which version of a figure to show, what the others said, and honest aggregates.

Rules (docs/statistics.md):
- every publication is kept; the figure shown for a cell is the one from the best kind of source
  (official table, then press citing an agency, then NGO count) and, among those, the most recent
  publication (a revised table supersedes the earlier edition);
- other versions are shown on request, with what changed;
- a year nobody published is missing, never interpolated; a withheld cell is withheld, never zero;
- an aggregate says how many years had data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from crossings.stats.models import (
    KIND_RANK,
    Breakdown,
    Figure,
    Measure,
    Publication,
    SourceKind,
    Status,
    YearKind,
)

Cell = tuple[str, str, int, str, str]  # measure, country, year, year_kind, breakdown


def _rank(f: Figure) -> tuple[int, int, int]:
    pub = f.publication
    return (KIND_RANK.get(SourceKind(pub.kind), 9), -pub.published_on.toordinal(), -pub.pk)


def figures(measure: str, countries: Iterable[str], year_kind: str | None = None) -> list[Figure]:
    qs = Figure.objects.filter(measure=measure, country__in=list(countries)).select_related("publication")
    if year_kind:
        qs = qs.filter(year_kind=year_kind)
    return list(qs)


def pick_current(items: Iterable[Figure]) -> dict[Cell, Figure]:
    """The figure to show for each cell."""
    best: dict[Cell, Figure] = {}
    for f in items:
        if f.cell not in best or _rank(f) < _rank(best[f.cell]):
            best[f.cell] = f
    return best


@dataclass
class Version:
    figure: Figure
    current: bool
    changed: bool  # differs from the version published before it


@dataclass
class Revision:
    cell: Cell
    versions: list[Version]


def revisions(measure: str, country: str) -> list[Revision]:
    """Cells published more than once with different values, oldest version first."""
    by_cell: dict[Cell, list[Figure]] = defaultdict(list)
    for f in figures(measure, [country]):
        by_cell[f.cell].append(f)
    found = []
    for cell, items in sorted(by_cell.items()):
        if len({(f.status, f.value, f.qualifier) for f in items}) < 2:
            continue
        current = pick_current(items)[cell]
        items.sort(key=lambda f: (f.publication.published_on, f.publication.pk))
        versions = []
        prev: Figure | None = None
        for f in items:
            changed = prev is not None and (f.status, f.value) != (prev.status, prev.value)
            versions.append(Version(figure=f, current=f is current, changed=changed))
            prev = f
        found.append(Revision(cell=cell, versions=versions))
    return found


@dataclass
class YearRow:
    year: int
    total: Figure | None = None
    criminal: Figure | None = None
    non_criminal: Figure | None = None
    others: int = 0  # how many other versions of these cells exist

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


@dataclass
class Series:
    country: str
    measure: str
    rows: list[YearRow] = field(default_factory=list)

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


def series(
    country: str,
    measure: str = Measure.REMOVALS,
    year_kind: str = YearKind.FISCAL,
    _items: list[Figure] | None = None,
) -> Series:
    items = _items if _items is not None else figures(measure, [country], year_kind)
    items = [f for f in items if f.country == country and f.year_kind == year_kind]
    current = pick_current(items)
    counts: dict[Cell, int] = defaultdict(int)
    for f in items:
        counts[f.cell] += 1
    rows: dict[int, YearRow] = {}
    for cell, f in current.items():
        row = rows.setdefault(f.year, YearRow(year=f.year))
        setattr(row, f.breakdown, f)
        row.others += counts[cell] - 1
    return Series(country=country, measure=measure, rows=[rows[y] for y in sorted(rows)])


def many_series(
    countries: list[str], measure: str = Measure.REMOVALS, year_kind: str = YearKind.FISCAL
) -> dict[str, Series]:
    """Several countries' series from one query."""
    items = figures(measure, countries, year_kind)
    return {c: series(c, measure, year_kind, _items=items) for c in countries}


def removals(country: str) -> Series:
    return series(country, Measure.REMOVALS, YearKind.FISCAL)


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
            f"from {self.years_with_data} of {self.years_in_range} years with published figures"
        )


def average(
    country: str, start: int, end: int, measure: str = Measure.REMOVALS, breakdown: str = Breakdown.TOTAL
) -> Aggregate:
    s = series(country, measure)
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
    """People under final orders: each published count, current version per date, oldest first."""
    current = pick_current(figures(Measure.FINAL_ORDERS, countries, YearKind.AS_OF))
    return sorted(
        (f for f in current.values() if f.breakdown == Breakdown.TOTAL),
        key=lambda f: (f.as_of or f.publication.published_on, f.country),
    )


def removal_rows(country: str) -> list[dict[str, int | str | None]]:
    """One row per fiscal year with any published figure: what the CLI prints and the API answers."""
    return [
        {
            "year": r.year,
            "total": cell_json(r.total),
            "criminal": cell_json(r.criminal),
            "non_criminal": cell_json(r.non_criminal),
            "source": r.source,
        }
        for r in removals(country).rows
    ]
