"""Quiet hours: no reminder wakes a person (or a caseworker) at night. The hours are the organisation's,
in its own time zone; a message due inside them waits until they end."""

from __future__ import annotations

import datetime as dt
import zoneinfo


def is_quiet(moment: dt.datetime, zone: zoneinfo.ZoneInfo, start: dt.time, end: dt.time) -> bool:
    """``start`` to ``end`` in local time; when start > end the hours run over midnight (21:00–07:00).
    Equal times: no quiet hours."""
    local = moment.astimezone(zone).time().replace(tzinfo=None)
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


def _at(day: dt.date, when: dt.time, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """``when`` on ``day`` in ``zone``; a local time skipped by a clock change counts as the hour after."""
    moment = dt.datetime.combine(day, when, tzinfo=zone)
    # A time in a spring-forward gap does not round-trip: the instant after the gap is meant.
    return moment.astimezone(dt.UTC).astimezone(zone)


def out_of_quiet_hours(
    moment: dt.datetime, zone: zoneinfo.ZoneInfo, start: dt.time, end: dt.time
) -> dt.datetime:
    """``moment`` itself when it is outside the quiet hours, else the moment they end."""
    if not is_quiet(moment, zone, start, end):
        return moment
    local = moment.astimezone(zone)
    day = local.date()
    if start > end and local.time().replace(tzinfo=None) >= start:
        day += dt.timedelta(days=1)  # evening: the quiet hours end tomorrow morning
    ends = _at(day, end, zone)
    if ends <= moment:  # a clock change around the end: never earlier than asked
        ends = _at(day + dt.timedelta(days=1), end, zone)
    return ends.astimezone(dt.UTC)
