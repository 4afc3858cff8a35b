"""WHO/UNAIDS harm-reduction indicators over encounters (definitions in indicators.csv beside this file,
copied from the WHO consolidated strategic-information guidelines and the UNAIDS indicator registry).

All figures are programme-level: denominators are the clients this programme reached, not population size
estimates. Every function runs a fixed number of aggregate queries whatever the number of encounters.
Small counts (1-4) are suppressed by ``suppress`` in anything shared outside the organisation.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Case, CharField, Count, F, Func, Max, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce

from crossings import suppression
from crossings.outreach.models import AgeBand, Encounter, HivTest, KeyPopulation, Referral, Sex

NSP_TARGET_PER_PWID_YEAR = 200  # WHO/UNODC/UNAIDS "high coverage" target
DEFINITIONS_CSV = Path(__file__).resolve().parent / "indicators.csv"


def definitions() -> list[dict[str, str]]:
    with DEFINITIONS_CSV.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


YEARS = range(1900, 3000)  # what a period may be asked for (year 9999 overflowed the month arithmetic)


def _check_year(year: int) -> None:
    if year not in YEARS:
        raise ValueError(f"year {year} is outside {YEARS.start}-{YEARS.stop - 1}")


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        _check_year(year)
        if not 1 <= month <= 12:  # here: a huge month makes ``date`` raise OverflowError, not ValueError
            raise ValueError(f"month {month} is not 1-12")
        return cls(dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1]))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        _check_year(year)
        if not 1 <= quarter <= 4:
            raise ValueError(f"quarter {quarter} is not 1-4")
        first = 3 * (quarter - 1) + 1
        return cls(dt.date(year, first, 1), dt.date(year, first + 2, calendar.monthrange(year, first + 2)[1]))

    @property
    def quarter_of_start(self) -> tuple[int, int]:
        """(year, quarter) of the period's first day: the quarter a month belongs to."""
        return self.start.year, (self.start.month - 1) // 3 + 1

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def months(self) -> list[dt.date]:
        out, d = [], self.start.replace(day=1)
        while d <= self.end:
            out.append(d)
            d = (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return out


@dataclass
class Indicators:
    period: Period
    clients_reached: int = 0
    by_key_population: dict[str, int] = field(default_factory=dict)
    by_sex: dict[str, int] = field(default_factory=dict)
    by_age_band: dict[str, int] = field(default_factory=dict)
    encounters: int = 0
    pwid_reached: int = 0
    pwid_given_needles: int = 0  # HIV.IND.8 numerator (programme level)
    needles_syringes: int = 0
    needles_per_pwid_year: float | None = None  # HIV.IND.10, annualised over the period
    nsp_target: int = NSP_TARGET_PER_PWID_YEAR
    pwid_every_month: int = 0  # HIV.IND.9 numerator: given needles in every calendar month of the period
    regular_access_share: float | None = None
    clients_every_month: int = 0
    reached_monthly_share: float | None = None
    condoms: int = 0
    naloxone: int = 0
    swabs: int = 0
    hiv_tests: int = 0
    hiv_reactive: int = 0
    referrals_made: int = 0
    referrals_completed: int = 0
    referrals_by_type: dict[str, dict[str, int]] = field(default_factory=dict)
    ost_referrals: int = 0
    ost_referrals_completed: int = 0

    def as_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["period"] = {"start": self.period.start.isoformat(), "end": self.period.end.isoformat()}
        return data


def _share(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, 4)


class MonthKey(Func):
    """A date's month as "YYYY-MM". Not TruncMonth: on SQLite that calls a Python function for every row,
    which costs more than the rest of the query over a quarter of a large programme."""

    output_field = CharField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, template="substr(%(expressions)s, 1, 7)", **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, template="to_char(%(expressions)s, 'YYYY-MM')", **extra)

    def as_sql(self, compiler: Any, connection: Any, *args: Any, **extra: Any) -> Any:
        raise NotImplementedError(
            f"MonthKey has no SQL for {connection.vendor}: add an as_{connection.vendor}."
        )


# Django cannot aggregate over a grouped queryset, so the outer query is written here; the inner one is the
# ORM's (scoping and filters included, its columns named after the values() and annotate() below), and every
# value is a parameter.
_PER_DESCRIPTION = """
SELECT per_client.kp_rank, per_client.known_sex, per_client.band, COUNT(*),
       SUM(CASE WHEN per_client.months = %s THEN 1 ELSE 0 END),
       SUM(CASE WHEN per_client.ns_months > 0 THEN 1 ELSE 0 END),
       SUM(CASE WHEN per_client.ns_months = %s THEN 1 ELSE 0 END)
FROM ({inner}) per_client
GROUP BY per_client.kp_rank, per_client.known_sex, per_client.band
"""

# A client is counted once in a period, under the first key population in this order recorded for them
# in the period (someone who injected at any contact counts among people who inject drugs), the sex
# recorded (a stated sex over "not stated"), and their age band at their latest contact in the period.
KP_PRIORITY = list(KeyPopulation.values)
_KP_RANK = Case(
    *(When(key_population=kp, then=Value(len(KP_PRIORITY) - i)) for i, kp in enumerate(KP_PRIORITY)),
    default=Value(0),
)
_KNOWN_SEX = Case(When(sex=Sex.UNKNOWN, then=Value("")), default=F("sex"))
_KNOWN_BAND = Case(When(age_band=AgeBand.UNKNOWN, then=Value("")), default=F("age_band"))


def _months_flagged(period: Period, **condition: Any) -> Any:
    """How many of the period's months a client was reached in (and ``condition`` held), as one 0/1 flag per
    month added up. PostgreSQL sorts every client's rows again for COUNT(DISTINCT …) and spills to disk over
    a quarter of a large programme: the flags took a quarter's computation from 276 to 192 ms there. Over
    twelve months the 24 flags cost more than the sort (946 vs 636 ms), and on SQLite the flags are slower
    than its DISTINCT even for a quarter (193 vs 167 ms): those keep COUNT(DISTINCT month)."""
    starts = period.months()
    if not starts:  # an empty period (end before the start's month): nobody was reached in any month
        return Value(0)
    ends = [*starts[1:], period.end + dt.timedelta(days=1)]
    flags = [
        Max(Case(When(Q(date__gte=start, date__lt=end, **condition), then=Value(1)), default=Value(0)))
        for start, end in zip(starts, ends, strict=True)
    ]
    total: Any = flags[0]
    for flag in flags[1:]:
        total = total + flag
    return total


def compute(encounters: QuerySet[Encounter], period: Period) -> Indicators:
    """Indicators for the encounters given (already scoped and filtered by site/worker) within ``period``.

    Three queries whatever the size: sums over the encounters; clients reached, counted per description
    (key population, sex, age band) with how many were reached in every month; and referrals by type.
    Each query scans the period's encounters once; fewer scans matter more than anything else here."""
    qs = encounters.filter(date__gte=period.start, date__lte=period.end)
    out = Indicators(period=period)
    totals = qs.aggregate(
        encounters=Count("id"),
        ns=Sum("needles_syringes"),
        condoms=Sum("condoms"),
        naloxone=Sum("naloxone"),
        swabs=Sum("swabs"),
        tests=Count("id", filter=~Q(hiv_test=HivTest.NOT_DONE)),
        reactive=Count("id", filter=Q(hiv_test=HivTest.REACTIVE)),
        referrals=Count("id", filter=~Q(referral=Referral.NONE)),
        completed=Count("id", filter=~Q(referral=Referral.NONE) & Q(referral_completed=True)),
    )
    out.encounters = totals["encounters"]
    out.needles_syringes = totals["ns"] or 0
    out.condoms, out.naloxone, out.swabs = (
        totals["condoms"] or 0,
        totals["naloxone"] or 0,
        totals["swabs"] or 0,
    )
    out.hiv_tests, out.hiv_reactive = totals["tests"], totals["reactive"]
    out.referrals_made, out.referrals_completed = totals["referrals"], totals["completed"]

    # One row per client (its description in the period, how many months of the period it was reached in
    # and given needles in), added up per description in the outer query: at most a few dozen rows come
    # back. Descriptions come from the period's own encounters, never from later contacts.
    months = len(period.months())
    if months == 1:  # the default view: every client reached was reached in the one month, no need to count
        reached: dict[str, Any] = {
            "months": Value(1),
            "ns_months": Max(Case(When(needles_syringes__gt=0, then=Value(1)), default=Value(0))),
        }
    elif connections[qs.db].vendor == "postgresql" and months <= 3:  # quarters: see _months_flagged
        reached = {
            "months": _months_flagged(period),
            "ns_months": _months_flagged(period, needles_syringes__gt=0),
        }
    else:
        reached = {
            "months": Count(MonthKey("date"), distinct=True),
            "ns_months": Count(MonthKey("date"), distinct=True, filter=Q(needles_syringes__gt=0)),
        }
    per_client = (
        qs.values("client")
        .annotate(
            **reached,
            kp_rank=Max(_KP_RANK),
            known_sex=Max(_KNOWN_SEX),
            band=Max(_KNOWN_BAND),  # bands sort by age, and age only grows: the latest contact's band
        )
        .order_by()
    )
    by_kp: Counter[str] = Counter()
    by_sex: Counter[str] = Counter()
    by_age: Counter[str] = Counter()
    try:
        inner, params = per_client.query.sql_with_params()
    except EmptyResultSet:  # nothing can match (no organisation in scope): no clients to count
        rows: Any = []
    else:
        with connections[qs.db].cursor() as cursor:
            cursor.execute(_PER_DESCRIPTION.format(inner=inner), [months, months, *params])
            rows = cursor.fetchall()
    for rank, sex, band, clients, every_month, given_needles, needles_every_month in rows:
        key_population = KP_PRIORITY[len(KP_PRIORITY) - rank] if rank else KeyPopulation.OTHER
        out.clients_reached += clients
        by_kp[key_population] += clients
        by_sex[sex or Sex.UNKNOWN] += clients
        by_age[band or AgeBand.UNKNOWN] += clients
        out.clients_every_month += every_month
        if key_population == KeyPopulation.PWID:
            out.pwid_reached += clients
            out.pwid_given_needles += given_needles
            out.pwid_every_month += needles_every_month
    out.by_key_population, out.by_sex, out.by_age_band = (
        dict(sorted(c.items())) for c in (by_kp, by_sex, by_age)
    )
    if out.pwid_given_needles:
        per_period = out.needles_syringes / out.pwid_given_needles
        out.needles_per_pwid_year = round(per_period * 365 / period.days, 1)

    for row in (
        qs.exclude(referral=Referral.NONE)
        .values("referral")
        .annotate(made=Count("id"), completed=Count("id", filter=Q(referral_completed=True)))
        .order_by("referral")
    ):
        out.referrals_by_type[row["referral"]] = {"made": row["made"], "completed": row["completed"]}
    ost = out.referrals_by_type.get(Referral.OST, {})
    out.ost_referrals, out.ost_referrals_completed = ost.get("made", 0), ost.get("completed", 0)
    out.reached_monthly_share = _share(out.clients_every_month, out.clients_reached)
    out.regular_access_share = _share(out.pwid_every_month, out.pwid_given_needles)
    return out


def breakdown(encounters: QuerySet[Encounter], period: Period, by: str) -> list[dict[str, Any]]:
    """Clients, encounters, needles, tests, reactive and referrals per month, site, worker, province or
    district (the official codes: crossings.gazetteer names them)."""
    qs = encounters.filter(date__gte=period.start, date__lte=period.end)
    if by == "month":
        qs = qs.annotate(key=MonthKey("date"))
    elif by == "site":
        qs = qs.annotate(key=Coalesce("site__name", Value("")))
    elif by == "worker":
        qs = qs.annotate(key=F("worker__username"))
    elif by in ("province", "district"):
        qs = qs.annotate(key=F(by))
    else:
        raise ValueError(by)
    rows = (
        qs.values("key")
        .annotate(
            clients=Count("client", distinct=True),
            encounters=Count("id"),
            needles_syringes=Sum("needles_syringes"),
            hiv_tests=Count("id", filter=~Q(hiv_test=HivTest.NOT_DONE)),
            hiv_reactive=Count("id", filter=Q(hiv_test=HivTest.REACTIVE)),
            referrals_made=Count("id", filter=~Q(referral=Referral.NONE)),
            referrals_completed=Count("id", filter=~Q(referral=Referral.NONE) & Q(referral_completed=True)),
        )
        .order_by("key")
    )
    result: list[dict[str, Any]] = []
    for found in rows:
        row: dict[str, Any] = dict(found)
        row["key"] = str(row.pop("key"))
        row["needles_syringes"] = row["needles_syringes"] or 0
        result.append(row)
    return result


# ---------------------------------------------------------------------------------------------------------
# Small-count suppression
# ---------------------------------------------------------------------------------------------------------
SUPPRESSED = "<5"


def suppress_cells(cells: dict[str, int]) -> dict[str, int | str]:
    """Counts 1-4 become "<5", and the next smallest cell when only one would be hidden
    (crossings.suppression, the rule the programme statistics follow too)."""
    hidden = suppression.hidden_in_line(cells)
    return {k: SUPPRESSED if k in hidden else v for k, v in cells.items()}


def suppress_value(value: int) -> int | str:
    return SUPPRESSED if suppression.is_small(value) else value


def shared(ind: Indicators) -> dict[str, Any]:
    """The indicators as they may leave the organisation: every count of people or events 1-4 hidden.
    Ratios computed from a hidden count are hidden too."""
    data = ind.as_dict()
    for key in ("by_key_population", "by_sex", "by_age_band"):
        data[key] = suppress_cells(data[key])
    counts = [
        k for k, v in data.items() if isinstance(v, int) and not isinstance(v, bool) and k != "nsp_target"
    ]
    for key in counts:
        data[key] = suppress_value(data[key])
    data["referrals_by_type"] = {
        k: {kk: suppress_value(vv) for kk, vv in v.items()} for k, v in data["referrals_by_type"].items()
    }
    for ratio, base in (
        ("needles_per_pwid_year", "pwid_given_needles"),
        ("regular_access_share", "pwid_given_needles"),
        ("reached_monthly_share", "clients_reached"),
    ):
        if data[base] == SUPPRESSED:
            data[ratio] = None
    return data
