"""Programme statistics: counts about the people an organisation serves, never a person.

Scope: people registered by one of the user's organisations where the user holds STATS_VIEW, and people
whose journey those organisations recorded (a reception NGO records the arrival of people an advocate
registered). Everything is counted in two queries whatever the number of people.

Services delivered and follow-up reintegration scores count only what the user's organisations recorded
(one grouped query each); the outreach headline indicators are those of ``crossings.outreach.indicators``
for the user's outreach organisations (a fixed number of queries).

Suppression: any count from 1 to 4 is shown as "fewer than 5" (a small count can identify someone in a
small community), and when a table would then hide exactly one cell, the next smallest cell is hidden too
so the hidden one cannot be worked out from the total. Averages over fewer than 5 people are not shown.
In the two-way tables (service × year, cohort × follow-up month) the rule is applied to every line and
every column until nothing changes.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, Min, OuterRef, Q, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crossings import suppression
from crossings.accounts.models import Organisation
from crossings.accounts.roles import Cap, OrgKind
from crossings.people.models import JourneyEvent, Person
from crossings.people.places import BirthplaceKind

if TYPE_CHECKING:
    from crossings.accounts.models import User

THRESHOLD = suppression.THRESHOLD
CENT = Decimal("0.01")


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
    services: list[ServiceCell] = field(default_factory=list)
    scores_by_month: list[ScoreCell] = field(default_factory=list)
    scores_by_cohort: list[ScoreCell] = field(default_factory=list)
    outreach: Outreach | None = None

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)

    def as_dict(self) -> dict[str, Any]:
        return {
            "organisations": self.organisations,
            "people": self.people,
            "suppression_threshold": THRESHOLD,
            "services": [s.as_dict() for s in self.services],
            "scores_by_month": [c.as_dict() for c in self.scores_by_month],
            "scores_by_cohort": [c.as_dict() for c in self.scores_by_cohort],
            "outreach": self.outreach.as_dict() if self.outreach else None,
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


@dataclass
class ServiceCell:
    """Deliveries of one service in one year: how many, to how many people, at what total cost."""

    code: str
    service: str
    year: int
    deliveries: int | None
    people: int | None
    cost: Decimal | None
    suppressed: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "service": self.service,
            "year": self.year,
            "deliveries": self.deliveries,
            "people": self.people,
            "cost": None if self.cost is None else str(self.cost),
            "suppressed": self.suppressed,
        }


DIMENSIONS = ("economic", "social", "psychosocial", "overall")
FOLLOW_UP_MONTHS = (1, 3, 6, 12)


@dataclass
class Score:
    """The mean of one reintegration score and the number of people behind it."""

    mean: float | None
    people: int | None
    suppressed: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"mean": self.mean, "people": self.people, "suppressed": self.suppressed}


@dataclass
class ScoreCell:
    months: int
    cohort: int | None  # year of arrival; None for all cohorts together
    scores: dict[str, Score]

    @property
    def ordered(self) -> list[Score]:
        return [self.scores[d] for d in DIMENSIONS]

    def as_dict(self) -> dict[str, Any]:
        return {
            "months": self.months,
            "cohort": self.cohort,
            **{d: self.scores[d].as_dict() for d in DIMENSIONS},
        }


@dataclass
class Indicator:
    key: str
    label: str
    value: int | float | None
    suppressed: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "value": self.value, "suppressed": self.suppressed}


@dataclass
class Outreach:
    organisations: list[int]
    start: dt.date
    end: dt.date
    indicators: list[Indicator]

    def as_dict(self) -> dict[str, Any]:
        return {
            "organisations": self.organisations,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "indicators": [i.as_dict() for i in self.indicators],
        }


def suppress(rows: list[Row]) -> list[Row]:
    """Hide counts of 1–4, and one more cell when a single hidden one could be derived from the total
    (crossings.suppression, the rule outreach's figures follow too)."""
    hidden = suppression.hidden_in_line({i: r.count for i, r in enumerate(rows)})
    return [Row(r.label, None, True) if i in hidden else Row(r.label, r.count) for i, r in enumerate(rows)]


suppress_grid = suppression.hidden_in_grid


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
    user: User,
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
    by_month, by_cohort = follow_up_scores(orgs, suppress_small=suppress_small, start=start, end=end)
    return ProgrammeStats(
        organisations=orgs,
        people=None if suppress_small and 0 < total < THRESHOLD else total,
        tables=tables,
        average_years_in_us=mean,
        people_with_years_in_us=None if mean is None and suppress_small else len(years_in_us),
        services=services_delivered(orgs, suppress_small=suppress_small, start=start, end=end),
        scores_by_month=by_month,
        scores_by_cohort=by_cohort,
        outreach=outreach_indicators(orgs, suppress_small=suppress_small, start=start, end=end),
    )


def services_delivered(
    orgs: list[int], *, suppress_small: bool = True, start: dt.date | None = None, end: dt.date | None = None
) -> list[ServiceCell]:
    """Deliveries recorded by the organisations, per service (by code, across their catalogues) and year."""
    from crossings.reception.models import ServiceDelivery

    qs = ServiceDelivery.objects.filter(organisation_id__in=orgs)
    if start is not None:
        qs = qs.filter(date__gte=start)
    if end is not None:
        qs = qs.filter(date__lte=end)
    rows = (
        qs.annotate(year=ExtractYear("date"))
        .values("service__code", "year")
        .annotate(
            name=Min("service__name"),
            deliveries=Count("id"),
            people=Count("person", distinct=True),
            cost=Sum("cost"),
        )
        .order_by("service__code", "year")
    )
    cells = [
        ServiceCell(
            r["service__code"],
            r["name"],
            r["year"],
            r["deliveries"],
            r["people"],
            Decimal(r["cost"] or 0).quantize(CENT),
        )
        for r in rows
    ]
    cells.sort(key=lambda c: (c.service.casefold(), c.code, c.year))
    if suppress_small:
        # A cell is as small as its smaller count: few deliveries, or many to few people, identify.
        hidden = suppress_grid({(c.code, c.year): min(c.deliveries or 0, c.people or 0) for c in cells})
        for c in cells:
            if (c.code, c.year) in hidden:
                c.deliveries = c.people = c.cost = None
                c.suppressed = True
    return cells


def follow_up_scores(
    orgs: list[int], *, suppress_small: bool = True, start: dt.date | None = None, end: dt.date | None = None
) -> tuple[list[ScoreCell], list[ScoreCell]]:
    """Mean reintegration scores of the follow-ups the organisations recorded, per follow-up month (all
    cohorts) and per arrival cohort (year of the arrival flight) and month. One query. The period, when
    given, selects follow-ups by the date they were recorded."""
    from crossings.reception.models import FollowUp

    qs = FollowUp.objects.filter(
        organisation_id__in=orgs, recorded_on__isnull=False, months__in=FOLLOW_UP_MONTHS
    )
    if start is not None:
        qs = qs.filter(recorded_on__gte=start)
    if end is not None:
        qs = qs.filter(recorded_on__lte=end)
    aggregates: dict[str, Any] = {}
    for d in DIMENSIONS:
        aggregates[f"{d}_sum"] = Sum(d)
        aggregates[f"{d}_n"] = Count(d)
    found: Any = (
        qs.annotate(cohort=ExtractYear("arrival__batch__date"))
        .values("months", "cohort")
        .annotate(**aggregates)
        .order_by("cohort", "months")
    )
    rows: list[dict[str, Any]] = list(found)

    def cell(months: int, cohort: int | None, sums: dict[str, float], ns: dict[str, int]) -> ScoreCell:
        scores = {d: Score(round(sums[d] / ns[d], 2) if ns[d] else None, ns[d]) for d in DIMENSIONS}
        return ScoreCell(months, cohort, scores)

    by_cohort: list[ScoreCell] = []
    totals: dict[int, tuple[dict[str, float], dict[str, int]]] = {
        m: ({d: 0.0 for d in DIMENSIONS}, {d: 0 for d in DIMENSIONS}) for m in FOLLOW_UP_MONTHS
    }
    for r in rows:
        sums = {d: float(r[f"{d}_sum"] or 0) for d in DIMENSIONS}
        ns = {d: int(r[f"{d}_n"]) for d in DIMENSIONS}
        months: int = r["months"]
        by_cohort.append(cell(months, r["cohort"], sums, ns))
        for d in DIMENSIONS:
            totals[months][0][d] += sums[d]
            totals[months][1][d] += ns[d]
    by_month = [cell(m, None, *totals[m]) for m in FOLLOW_UP_MONTHS if any(totals[m][1].values())]
    if suppress_small:
        for d in DIMENSIONS:
            # Cohort × month cells, plus the all-cohorts line, so no hidden mean follows from the others.
            # Only a month's column adds up (its cohorts make its all-cohorts cell), so only columns need
            # a second hidden cell.
            grid: dict[tuple[Any, Any], int] = {
                (c.cohort if c.cohort is not None else "all", c.months): c.scores[d].people or 0
                for c in [*by_cohort, *by_month]
            }
            hidden = suppress_grid(grid, axes=(1,))
            for c in [*by_cohort, *by_month]:
                if (c.cohort if c.cohort is not None else "all", c.months) in hidden:
                    c.scores[d] = Score(None, None, True)
    return by_month, by_cohort


HEADLINE_INDICATORS: list[tuple[str, Any]] = [
    ("clients_reached", gettext_lazy("Clients reached")),
    ("encounters", gettext_lazy("Encounters")),
    ("pwid_reached", gettext_lazy("People who inject drugs reached")),
    ("needles_syringes", gettext_lazy("Needles and syringes distributed")),
    ("needles_per_pwid_year", gettext_lazy("Needles and syringes per person who injects drugs per year")),
    ("regular_access_share", gettext_lazy("Share given needles in every month of the period")),
    ("condoms", gettext_lazy("Condoms distributed")),
    ("naloxone", gettext_lazy("Naloxone distributed")),
    ("hiv_tests", gettext_lazy("HIV tests")),
    ("hiv_reactive", gettext_lazy("Reactive HIV tests")),
    ("referrals_made", gettext_lazy("Referrals made")),
    ("referrals_completed", gettext_lazy("Referrals completed")),
]


# A ratio computed from a hidden count is hidden with it (``indicators.shared`` sets it to None).
RATIO_BASES = {
    "needles_per_pwid_year": "pwid_given_needles",
    "regular_access_share": "pwid_given_needles",
}


def default_outreach_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last full calendar year."""
    year = (today or timezone.localdate()).year - 1
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def outreach_indicators(
    orgs: list[int], *, suppress_small: bool = True, start: dt.date | None = None, end: dt.date | None = None
) -> Outreach | None:
    """The headline WHO/UNAIDS indicators of ``crossings.outreach.indicators`` for the outreach
    organisations among ``orgs``, over the period (by default the last full calendar year); None when
    there is no outreach organisation."""
    from crossings.outreach import indicators
    from crossings.outreach.models import Encounter

    outreach_orgs = sorted(
        Organisation.objects.filter(pk__in=orgs, kind=OrgKind.OUTREACH).values_list("pk", flat=True)
    )
    if not outreach_orgs:
        return None
    default_start, default_end = default_outreach_period()
    period = indicators.Period(start or default_start, end or default_end)
    result = indicators.compute(Encounter.objects.filter(organisation_id__in=outreach_orgs), period)
    data = indicators.shared(result) if suppress_small else result.as_dict()
    items = []
    for key, label in HEADLINE_INDICATORS:
        value = data[key]
        hidden = value == indicators.SUPPRESSED or (
            value is None and data.get(RATIO_BASES.get(key, "")) == indicators.SUPPRESSED
        )
        items.append(Indicator(key, str(label), None if hidden else value, hidden))
    return Outreach(outreach_orgs, period.start, period.end, items)
