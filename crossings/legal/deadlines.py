"""The deadline engine: rules as data (deadline_rules.csv, each with its citation), due dates computed from
court events, rolled forward off weekends and US federal holidays.

Not legal advice. The rules encode general time limits; every computed date must be verified by an
attorney against the file (service by mail, the exact decision date, circuit practice).
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import holidays

RULES_FILE = Path(__file__).with_name("deadline_rules.csv")
NOT_LEGAL_ADVICE = "Not legal advice — verify every deadline against the file and the regulation."


@dataclass(frozen=True)
class Rule:
    code: str
    trigger: str  # the court event kind that starts the clock
    condition: str  # outcome (e.g. removal_ordered, dismissed) or "in_absentia"
    days: int | None  # None: no time limit (a note, never a task)
    action: str
    citation: str
    note: str

    @property
    def has_limit(self) -> bool:
        return self.days is not None


@dataclass(frozen=True)
class Computed:
    rule: Rule
    trigger_date: dt.date
    nominal_due: dt.date | None  # trigger + days, before roll-over
    due: dt.date | None  # the business day it actually falls due

    @property
    def rolled_over(self) -> bool:
        return self.due is not None and self.due != self.nominal_due


def read_rules(path: Path) -> tuple[Rule, ...]:
    """The rules in one rules CSV (code, trigger, condition, days, action, citation, note; an empty days
    column is no time limit). The deadline rules and the detention clock rules share this format."""
    with path.open(newline="", encoding="utf-8") as fh:
        return tuple(
            Rule(
                code=row["code"],
                trigger=row["trigger"],
                condition=row["condition"],
                days=int(row["days"]) if row["days"].strip() else None,
                action=row["action"],
                citation=row["citation"],
                note=row["note"],
            )
            for row in csv.DictReader(fh)
        )


@cache
def rules() -> tuple[Rule, ...]:
    return read_rules(RULES_FILE)


TRIGGERS = sorted({r.trigger for r in rules()})


@cache
def _federal_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("US", years=[year, year + 1])


def is_business_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _federal_holidays(day.year)


def next_business_day(day: dt.date) -> dt.date:
    """A deadline that falls on a Saturday, Sunday or federal holiday moves to the next business day."""
    while not is_business_day(day):
        day += dt.timedelta(days=1)
    return day


def applies(rule: Rule, *, trigger: str, outcome: str = "", in_absentia: bool = False) -> bool:
    if rule.trigger != trigger:
        return False
    if rule.condition == "in_absentia":
        return in_absentia
    if rule.condition == "removal_ordered_present":
        # An in-absentia order is not appealed to the BIA; the remedy is a motion to reopen.
        return outcome == "removal_ordered" and not in_absentia
    return rule.condition in ("", outcome)


def compute(*, trigger: str, date: dt.date, outcome: str = "", in_absentia: bool = False) -> list[Computed]:
    """Every deadline (and every no-time-limit note) that an event of kind ``trigger`` on ``date`` starts."""
    out = []
    for rule in rules():
        if not applies(rule, trigger=trigger, outcome=outcome, in_absentia=in_absentia):
            continue
        if rule.days is None:
            out.append(Computed(rule, date, None, None))
        else:
            nominal = date + dt.timedelta(days=rule.days)
            out.append(Computed(rule, date, nominal, next_business_day(nominal)))
    return sorted(out, key=lambda c: (c.due is None, c.due or dt.date.max, c.rule.code))


# For a preview without an outcome, assume the decision a respondent would challenge.
DEFAULT_OUTCOME = {"ij_decision": "removal_ordered", "bia_decision": "dismissed"}


def preview(
    *, trigger: str, date: dt.date, outcome: str | None = None, in_absentia: bool = False
) -> list[Computed]:
    if trigger not in TRIGGERS:
        raise ValueError(f"unknown event {trigger!r}; expected one of {', '.join(TRIGGERS)}")
    return compute(
        trigger=trigger,
        date=date,
        outcome=outcome or DEFAULT_OUTCOME.get(trigger, ""),
        in_absentia=in_absentia,
    )
