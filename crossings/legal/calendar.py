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
        event = Event()
        event.add("uid", f"deadline-{d.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", d.due_on)
        event.add("dtend", d.due_on + dt.timedelta(days=1))
        event.add("summary", f"{d.action} — #{d.person_id}")
        event.add("description", f"{d.citation}\n{NOT_LEGAL_ADVICE}")
        cal.add_component(event)
    for c in check_ins:
        event = Event()
        event.add("uid", f"checkin-{c.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", c.date)
        event.add("dtend", c.date + dt.timedelta(days=1))
        event.add("summary", f"ICE check-in — #{c.person_id}")
        event.add("location", c.office)
        cal.add_component(event)
    for (person_id, _org_id), person_clocks in sorted(clocks.items()):
        for clock in person_clocks:
            event = Event()
            event.add("uid", f"clock-{clock.code}-{person_id}-{clock.start.isoformat()}@{host}")
            event.add("dtstamp", stamp)
            event.add("dtstart", clock.due)
            event.add("dtend", clock.due + dt.timedelta(days=1))
            event.add("summary", f"{clock.rule.action} — #{person_id}")
            event.add("description", f"{clock.citation}\n{NOT_LEGAL_ADVICE}")
            cal.add_component(event)
    if reader is not None:
        log_list(reader, Detention, [(d.pk, d.organisation_id) for d in detained], reason="calendar feed")
        log_list(reader, Deadline, [(d.pk, d.organisation_id) for d in deadlines], reason="calendar feed")
        log_list(reader, CheckIn, [(c.pk, c.organisation_id) for c in check_ins], reason="calendar feed")
    return bytes(cal.to_ical())
