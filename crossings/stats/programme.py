"""Programme statistics: counts about the people an organisation serves, never a person.

Scope: people registered by one of the user's organisations where the user holds STATS_VIEW, and people
whose journey those organisations recorded (a reception NGO records the arrival of people an advocate
registered). Everything is counted in two queries whatever the number of people.

Suppression: any count from 1 to 4 is shown as "fewer than 5" (a small count can identify someone in a
small community), and when a table would then hide exactly one cell, the next smallest cell is hidden too
so the hidden one cannot be worked out from the total. Averages over fewer than 5 people are not shown.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crossings.accounts.roles import Cap
from crossings.people.models import JourneyEvent, Person
from crossings.people.places import BirthplaceKind

THRESHOLD = 5


@dataclass
class Row:
    label: str
    count: int | None
    suppressed: bool = False


@dataclass
class Table:
    key: str
    title: str
    rows: list[Row]
    note: str = ""

    @property
    def total(self) -> int | None:
        if any(r.suppressed for r in self.rows):
            return None
        return sum(r.count or 0 for r in self.rows)


@dataclass
class ProgrammeStats:
    organisations: list[int]
    people: int | None
    tables: list[Table] = field(default_factory=list)
    average_years_in_us: float | None = None
    people_with_years_in_us: int | None = 0

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    def as_dict(self) -> dict[str, Any]:
        return {
            "organisations": self.organisations,
            "people": self.people,
            "suppression_threshold": THRESHOLD,
            "tables": [
                {
                    "key": t.key,
                    "title": t.title,
                    "rows": [
                        {"label": r.label, "count": r.count, "suppressed": r.suppressed} for r in t.rows
                    ],
                }
                for t in self.tables
            ],
        }


def suppress(rows: list[Row]) -> list[Row]:
    """Hide counts of 1–4, and one more cell when a single hidden one could be derived from the total."""
    out = [Row(r.label, r.count) for r in rows]
    for r in out:
        if r.count is not None and 0 < r.count < THRESHOLD:
            r.count, r.suppressed = None, True
    hidden = [r for r in out if r.suppressed]
    if len(hidden) == 1:
        shown = sorted((r for r in out if not r.suppressed and r.count), key=lambda r: r.count or 0)
        if shown:
            shown[0].count, shown[0].suppressed = None, True
    return out


def _years_between(start: dt.date, end: dt.date) -> int:
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def _banded(values: Iterable[int], bands: list[tuple[int, int | None]]) -> list[Row]:
    counts: Counter[int] = Counter()
    for v in values:
        for i, (low, high) in enumerate(bands):
            if v >= low and (high is None or v <= high):
                counts[i] += 1
                break
    rows = []
    for i, (low, high) in enumerate(bands):
        label = f"{low}+" if high is None else f"{low}–{high}"
        rows.append(Row(label, counts[i]))
    return rows


AGE_BANDS = [(0, 17), (18, 24), (25, 34), (35, 44), (45, 54), (55, None)]
YEARS_IN_US_BANDS = [(0, 4), (5, 9), (10, 14), (15, 19), (20, 24), (25, 29), (30, None)]
ARRIVAL_AGE_BANDS = [(0, 4), (5, 9), (10, 14), (15, 17), (18, None)]

BIRTHPLACE_LABELS = {
    BirthplaceKind.PROVINCE: gettext_lazy("Cambodia"),
    BirthplaceKind.CAMP: gettext_lazy("Thai border camps"),
    BirthplaceKind.OTHER: gettext_lazy("elsewhere"),
    BirthplaceKind.UNKNOWN: gettext_lazy("not recorded"),
}


def people_in_scope(org_ids: Iterable[int]) -> Any:
    orgs = list(org_ids)
    recorded = JourneyEvent.objects.filter(person_id=OuterRef("pk"), organisation_id__in=orgs)
    return Person.objects.filter(Q(organisation_id__in=orgs) | Q(Exists(recorded)), merged_into__isnull=True)


def compute(
    user: Any,
    *,
    suppress_small: bool = True,
    start: dt.date | None = None,
    end: dt.date | None = None,
    org_ids: Iterable[int] | None = None,
) -> ProgrammeStats:
    """The programme tables for the user's organisations (or ``org_ids``, which must be among them)."""
    allowed = set(user.scope.orgs_with(Cap.STATS_VIEW))
    orgs = sorted(allowed if org_ids is None else allowed & set(org_ids))
    people = list(people_in_scope(orgs).values_list("pk", "birth_date", "us_arrival_date", "birthplace_kind"))
    ids = [p[0] for p in people]
    removed: dict[int, dt.date] = {}
    arrivals: list[tuple[int, dt.date]] = []
    events = JourneyEvent.objects.filter(
        person__in=people_in_scope(orgs), kind__in=[JourneyEvent.Kind.REMOVED, JourneyEvent.Kind.ARRIVED]
    ).values_list("person_id", "kind", "date")
    for person_id, kind, date in events:
        if kind == JourneyEvent.Kind.REMOVED:
            if person_id not in removed or date < removed[person_id]:
                removed[person_id] = date
        elif (start is None or date >= start) and (end is None or date <= end):
            arrivals.append((person_id, date))

    def in_period(day: dt.date) -> bool:
        return (start is None or day >= start) and (end is None or day <= end)

    first_arrival: dict[int, dt.date] = {}
    for person_id, date in arrivals:
        if person_id not in first_arrival or date < first_arrival[person_id]:
            first_arrival[person_id] = date
    per_year = Counter(d.year for d in first_arrival.values())
    years = range(min(per_year), max(per_year) + 1) if per_year else range(0)
    arrivals_rows = [Row(str(y), per_year.get(y, 0)) for y in years]

    ages_at_removal, years_in_us, arrival_ages = [], [], []
    birthplaces: Counter[str] = Counter()
    for pk, birth, us_arrival, birthplace in people:
        birthplaces[birthplace] += 1
        removal = removed.get(pk)
        if birth and us_arrival and us_arrival >= birth:
            arrival_ages.append(_years_between(birth, us_arrival))
        if removal and in_period(removal):
            if birth:
                ages_at_removal.append(_years_between(birth, removal))
            if us_arrival and removal >= us_arrival:
                years_in_us.append(_years_between(us_arrival, removal))

    tables = [
        Table("arrivals", _("Arrivals in Cambodia per year"), arrivals_rows),
        Table("age_at_removal", _("Age at removal"), _banded(ages_at_removal, AGE_BANDS)),
        Table("years_in_us", _("Years in the US before removal"), _banded(years_in_us, YEARS_IN_US_BANDS)),
        Table("age_at_us_arrival", _("Age at arrival in the US"), _banded(arrival_ages, ARRIVAL_AGE_BANDS)),
        Table(
            "birthplace",
            _("Place of birth"),
            [Row(str(label), birthplaces.get(kind, 0)) for kind, label in BIRTHPLACE_LABELS.items()],
        ),
    ]
    if suppress_small:
        for t in tables:
            t.rows = suppress(t.rows)
    total = len(ids)
    mean = round(sum(years_in_us) / len(years_in_us), 1) if years_in_us else None
    if suppress_small and len(years_in_us) < THRESHOLD:
        mean = None
    return ProgrammeStats(
        organisations=orgs,
        people=None if suppress_small and 0 < total < THRESHOLD else total,
        tables=tables,
        average_years_in_us=mean,
        people_with_years_in_us=None if mean is None and suppress_small else len(years_in_us),
    )
