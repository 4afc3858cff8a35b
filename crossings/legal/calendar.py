"""iCalendar feeds of deadlines and check-ins, for Google Calendar, Outlook and Thunderbird.

Calendars end up on third-party servers, so events name the person by record number only, never by name.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from icalendar import Calendar, Event

from crossings.audit.reads import Reader, log_list
from crossings.legal.clocks import clocks_for
from crossings.legal.deadlines import NOT_LEGAL_ADVICE
from crossings.legal.models import CalendarFeed, CheckIn, Deadline, Detention


def build_feed(feed: CalendarFeed, host: str, reader: Reader | None = None) -> bytes:
    """The feed's calendar. With a ``reader`` the deadlines and check-ins it hands out are logged: a
    calendar app reading the feed is a read of the organisation's legal schedule."""
    user = feed.user
    deadlines: Any = Deadline.objects.visible_to(user).filter(state=Deadline.State.OPEN, due_on__isnull=False)
    check_ins: Any = CheckIn.objects.visible_to(user).filter(outcome=CheckIn.Outcome.SCHEDULED)
    detained: Any = Detention.objects.visible_to(user).filter(ended_on=None)
    if feed.scope == CalendarFeed.Scope.MINE:
        deadlines = deadlines.filter(task__assignee=user)
        check_ins = check_ins.filter(person__cases__owner=user).distinct()
        detained = detained.filter(person__cases__owner=user).distinct()
    deadlines, check_ins, detained = list(deadlines), list(check_ins), list(detained)
    # The detention clocks of everyone detained now (derived, so their uid is the person's and the rule's).
    clocks = clocks_for({(d.person_id, d.organisation_id) for d in detained}, timezone.localdate())
    cal = Calendar()
    cal.add("prodid", "-//Crossings//Deadlines//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "Crossings")
    stamp = timezone.now()
    for d in deadlines:
        cal.add_component(
            _all_day(
                f"deadline-{d.pk}@{host}",
                stamp,
                d.due_on,
                f"{d.action} — #{d.person_id}",
                description=f"{d.citation}\n{NOT_LEGAL_ADVICE}",
            )
        )
    for c in check_ins:
        cal.add_component(
            _all_day(
                f"checkin-{c.pk}@{host}", stamp, c.date, f"ICE check-in — #{c.person_id}", location=c.office
            )
        )
    for (person_id, _org_id), person_clocks in sorted(clocks.items()):
        for clock in person_clocks:
            cal.add_component(
                _all_day(
                    f"clock-{clock.code}-{person_id}-{clock.start.isoformat()}@{host}",
                    stamp,
                    clock.due,
                    f"{clock.rule.action} — #{person_id}",
                    description=f"{clock.citation}\n{NOT_LEGAL_ADVICE}",
                )
            )
    if reader is not None:
        log_list(reader, Detention, [(d.pk, d.organisation_id) for d in detained], reason="calendar feed")
        log_list(reader, Deadline, [(d.pk, d.organisation_id) for d in deadlines], reason="calendar feed")
        log_list(reader, CheckIn, [(c.pk, c.organisation_id) for c in check_ins], reason="calendar feed")
    return bytes(cal.to_ical())


def _all_day(uid: str, stamp: dt.datetime, day: dt.date, summary: str, **more: str) -> Event:
    """One all-day entry of the feed (every entry is one: a deadline, a check-in, a clock's due day), with
    ``more`` properties (description, location) after the summary."""
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("summary", summary)
    for name, value in more.items():
        event.add(name, value)
    return event
