"""Detention clocks: the post-order custody periods, derived from the final order and the detention
episodes (never typed in). Rules as data (detention_clock_rules.csv, each with its citation), in the style
of the deadline rules (deadlines.py).

Detention days are *calendar* days and never roll over to a business day: 8 U.S.C. § 1231(a)(1) speaks of
"a period of 90 days" of custody and Zadvydas of six months, not of a filing deadline. A custody clock
starts at the later of the final order and the start of the current custody (a move between facilities is
the same custody); a release stops it; a new detention after a release starts it again.

Not legal advice: every date must be checked by an attorney against the file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crossings.legal.deadlines import Rule, read_rules

CLOCK_RULES_FILE = Path(__file__).with_name("detention_clock_rules.csv")

# What each clock is called on a page, in the user's language (the CSV's action is the English source).
LABELS = {
    "removal_period_end": _("Day 90: end of the removal period"),
    "custody_review": _("Post-order custody review due (before day 90)"),
    "zadvydas_180": _("Day 180: presumptively reasonable period ends (habeas or § 241.13 request)"),
    "court_notice": _("Court-ordered notice period ends"),
}
START_LABELS = {
    "final_order": pgettext_lazy("start of a detention clock", "final order"),
    "detention": _("detention began"),
}


@cache
def clock_rules() -> tuple[Rule, ...]:
    return read_rules(CLOCK_RULES_FILE)


@dataclass(frozen=True)
class Episode:
    """One detention row, as the clock needs it."""

    pk: int
    started_on: dt.date
    ended_on: dt.date | None
    transferred_to_id: int | None = None


@dataclass(frozen=True)
class Clock:
    rule: Rule
    start: dt.date
    start_event: str  # "final_order" or "detention": whichever came later
    due: dt.date
    days_left: int  # negative once passed

    @property
    def code(self) -> str:
        return self.rule.code

    @property
    def label(self) -> Any:
        return LABELS.get(self.rule.code, self.rule.action)

    @property
    def start_label(self) -> Any:
        return START_LABELS[self.start_event]

    @property
    def citation(self) -> str:
        return self.rule.citation

    @property
    def late(self) -> int:
        return max(0, -self.days_left)


def court_notice_days() -> int | None:
    """The court-ordered notice period in days, from settings; None (the default) leaves the clock off,
    because the term must be verified against the order before it is used."""
    value = getattr(settings, "CROSSINGS_COURT_NOTICE_DAYS", None)
    return int(value) if value else None


def current_custody_start(episodes: Iterable[Episode]) -> dt.date | None:
    """The first day of the custody going on now, or None when the person is not detained. Episodes linked
    by ``transferred_to`` (a move between facilities) are one custody; an episode ended without a transfer
    is a release."""
    rows = sorted(episodes, key=lambda e: (e.started_on, e.pk))
    by_pk = {e.pk: e for e in rows}
    came_from = {e.transferred_to_id: e for e in rows if e.transferred_to_id in by_pk}
    open_now = [e for e in rows if e.ended_on is None]
    if not open_now:
        return None
    episode = open_now[-1]
    seen = {episode.pk}
    while episode.pk in came_from and came_from[episode.pk].pk not in seen:
        episode = came_from[episode.pk]
        seen.add(episode.pk)
    return episode.started_on


def compute(
    *,
    final_order: dt.date | None,
    episodes: Sequence[Episode],
    today: dt.date,
    notice_days: int | None = None,
) -> list[Clock]:
    """The running detention clocks: none without a final order, none unless detained now."""
    custody = current_custody_start(episodes)
    if final_order is None or custody is None:
        return []
    start, event = (custody, "detention") if custody >= final_order else (final_order, "final_order")
    out = []
    for order, rule in enumerate(clock_rules()):
        if rule.condition == "configured":
            if not notice_days:
                continue
            rule = dataclasses.replace(rule, days=notice_days)
        assert rule.days is not None
        due = start + dt.timedelta(days=rule.days)  # calendar days, no roll-over
        out.append((order, Clock(rule, start, event, due, (due - today).days)))
    # by due date; on the same day, in the order of the rules file (day 90 before its custody review)
    return [c for _o, c in sorted(out, key=lambda oc: (oc[1].due, oc[0]))]


# The court events that make an order final, and those that undo it (journey rules in services.JOURNEY).
FINAL = {("ij_decision", "removal_ordered"), ("bia_decision", "dismissed")}
UNDOES = {"relief_granted", "sustained", "remanded", "terminated"}


def final_order_date(events: Iterable[tuple[str, str, dt.date]]) -> dt.date | None:
    """The date the current final order was entered, from (kind, outcome, date) court events: the latest
    removal order or dismissed appeal, unless a later decision granted relief, sustained the appeal,
    remanded or terminated. An IJ order later appealed is final only with the BIA's dismissal."""
    latest: dt.date | None = None
    for kind, outcome, date in sorted(events, key=lambda e: e[2]):
        if (kind, outcome) in FINAL:
            latest = date
        elif kind == "bia_appeal" or outcome in UNDOES:
            latest = None
    return latest


def clocks_for(pairs: Iterable[tuple[int, int]], today: dt.date) -> dict[tuple[int, int], list[Clock]]:
    """The running clocks of each (person id, organisation id): that organisation's own court events and
    detentions of the person, in two queries for any number of people. The caller has already scoped and
    logged the people it asks about."""
    from crossings.legal.models import CourtEvent, Detention

    wanted = set(pairs)
    if not wanted:
        return {}
    person_ids = {p for p, _o in wanted}
    org_ids = {o for _p, o in wanted}
    events: dict[tuple[int, int], list[tuple[str, str, dt.date]]] = {}
    for person_id, org_id, kind, outcome, date in CourtEvent.objects.filter(
        proceeding__person_id__in=person_ids, proceeding__organisation_id__in=org_ids
    ).values_list("proceeding__person_id", "proceeding__organisation_id", "kind", "outcome", "date"):
        events.setdefault((person_id, org_id), []).append((kind, outcome, date))
    episodes: dict[tuple[int, int], list[Episode]] = {}
    for pk, person_id, org_id, started, ended, moved in Detention.objects.filter(
        person_id__in=person_ids, organisation_id__in=org_ids
    ).values_list("pk", "person_id", "organisation_id", "started_on", "ended_on", "transferred_to_id"):
        episodes.setdefault((person_id, org_id), []).append(Episode(pk, started, ended, moved))
    notice = court_notice_days()
    return {
        key: compute(
            final_order=final_order_date(events.get(key, [])),
            episodes=episodes.get(key, []),
            today=today,
            notice_days=notice,
        )
        for key in wanted
    }


def interview_window(today: dt.date) -> tuple[dt.date, dt.date]:
    """The alert's window: the last CROSSINGS_INTERVIEW_ALERT_DAYS days, today included."""
    days = int(getattr(settings, "CROSSINGS_INTERVIEW_ALERT_DAYS", 14))
    return today - dt.timedelta(days=days - 1), today


def interview_rounds(org_ids: Iterable[int], today: dt.date) -> dict[int, list[Any]]:
    """For each of ``org_ids`` where CROSSINGS_INTERVIEW_ALERT_PEOPLE or more distinct people had a
    consular interview in the window (interview rounds tend to precede a removal flight), that
    organisation's interview steps in the window, one per person (the latest), with ``person`` loaded.
    Only the organisation's own steps are read: another organisation's people are never counted."""
    from crossings.legal.models import TravelDocumentStep

    threshold = int(getattr(settings, "CROSSINGS_INTERVIEW_ALERT_PEOPLE", 3))
    first, last = interview_window(today)
    steps = (
        TravelDocumentStep.objects.filter(
            organisation_id__in=list(org_ids),
            step=TravelDocumentStep.Step.INTERVIEW,
            date__gte=first,
            date__lte=last,
            person__merged_into=None,
        )
        .select_related("person")
        .order_by("organisation_id", "person_id", "-date", "-pk")
    )
    per_org: dict[int, dict[int, Any]] = {}
    for step in steps:
        per_org.setdefault(step.organisation_id, {}).setdefault(step.person_id, step)
    return {
        org: sorted(people.values(), key=lambda s: (s.date, s.pk))
        for org, people in per_org.items()
        if len(people) >= threshold
    }


def next_clock(clocks: Sequence[Clock]) -> Clock | None:
    """The clock to show on one line: the next one still to come, else the last one passed."""
    upcoming = [c for c in clocks if c.days_left >= 0]
    return upcoming[0] if upcoming else (clocks[-1] if clocks else None)
