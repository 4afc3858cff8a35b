"""Which reminders are due, queued once: ``schedule_due`` (``crossings reminders send-due``, from cron every
hour or so) writes a ``Reminder`` for each event coming within an organisation's ``days_before``:

- to the person, for their ICE check-ins (still scheduled), hearings and follow-up visits (not yet recorded)
  that the organisation holding their record recorded itself, by each channel of a reminders consent valid
  today;
- to staff, by e-mail, for the organisation's open legal deadlines: the deadline task's assignee, else the
  organisation's supervisors.

Of the offsets an event has reached, the nearest one is queued (a run that comes late sends one reminder,
not three). The database allows one row per event, date, offset and recipient, so running it twice, or on
two servers, queues nothing twice. Each row waits for the end of the quiet hours when it is written in them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from crossings.accounts.models import Membership
from crossings.accounts.roles import Role
from crossings.legal.models import CheckIn, CourtEvent, Deadline
from crossings.people.models import Consent
from crossings.reception.models import FollowUp
from crossings.reminders import delivery
from crossings.reminders.models import Channel, Contact, Reminder, ReminderSettings
from crossings.reminders.quiet import out_of_quiet_hours


def nearest_offset(event_on: dt.date, today: dt.date, offsets: Iterable[int]) -> int | None:
    """The smallest offset already reached (``event_on - offset <= today``), for an event not yet past."""
    to_go = (event_on - today).days
    if to_go < 0:
        return None
    reached = [d for d in offsets if d >= to_go]
    return min(reached) if reached else None


def live_contacts(organisation_id: int, day: dt.date) -> list[Contact]:
    """The contacts under a reminders consent valid on ``day``, recorded by the organisation that still
    holds the person's record."""
    return list(
        Contact.objects.filter(
            consent__organisation_id=organisation_id,
            consent__scope=Consent.Scope.REMINDERS,
            consent__person__organisation_id=organisation_id,
            consent__person__merged_into__isnull=True,
        )
        .filter(Consent.valid_q("consent__", day=day))
        .select_related("consent")
    )


def person_events(
    organisation_id: int, person_ids: set[int], first: dt.date, last: dt.date
) -> list[tuple[str, int, int, dt.date]]:
    """(kind, event id, person id, date) of the person's appointments in [first, last]."""
    # (kind, the organisation's open appointments of that kind for these people, person field, date field)
    sources: tuple[tuple[str, QuerySet[Any], str, str], ...] = (
        (
            Reminder.Kind.CHECK_IN,
            CheckIn.objects.filter(
                organisation_id=organisation_id, person_id__in=person_ids, outcome=CheckIn.Outcome.SCHEDULED
            ),
            "person_id",
            "date",
        ),
        (
            Reminder.Kind.HEARING,
            CourtEvent.objects.filter(
                proceeding__organisation_id=organisation_id,
                proceeding__person_id__in=person_ids,
                kind=CourtEvent.Kind.HEARING,
            ),
            "proceeding__person_id",
            "date",
        ),
        (
            Reminder.Kind.FOLLOW_UP,
            FollowUp.objects.filter(
                organisation_id=organisation_id, person_id__in=person_ids, recorded_on__isnull=True
            ),
            "person_id",
            "due_on",
        ),
    )
    return [
        (kind, pk, person_id, day)
        for kind, rows, person_field, date_field in sources
        for pk, person_id, day in rows.filter(**{f"{date_field}__range": (first, last)}).values_list(
            "pk", person_field, date_field
        )
    ]


def supervisors_of(organisation_id: int) -> list[int]:
    """The organisation's supervisors with an e-mail address (for deadlines nobody is assigned)."""
    return list(
        Membership.objects.filter(organisation_id=organisation_id, role=Role.SUPERVISOR, user__is_active=True)
        .exclude(user__email="")
        .values_list("user_id", flat=True)
        .distinct()
    )


def _create(row: Reminder) -> int | None:
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        return None  # queued already (an earlier run, or another server at the same time)
    return row.pk


def schedule_for(config: ReminderSettings, now: dt.datetime) -> list[Reminder]:
    zone = config.zone
    today = now.astimezone(zone).date()
    offsets = config.offsets
    last = today + dt.timedelta(days=max(offsets))
    send_at = out_of_quiet_hours(now, zone, config.quiet_start, config.quiet_end)
    org = config.organisation_id
    queued: list[Reminder] = []

    contacts = [c for c in live_contacts(org, timezone.localdate()) if config.enabled(c.channel)]
    by_person: dict[int, list[Contact]] = defaultdict(list)
    for contact in contacts:
        by_person[contact.consent.person_id].append(contact)
    if by_person:
        for kind, event_id, person_id, day in person_events(org, set(by_person), today, last):
            offset = nearest_offset(day, today, offsets)
            if offset is None:
                continue
            for contact in by_person[person_id]:
                row = Reminder(
                    organisation_id=org,
                    person_id=person_id,
                    contact=contact,
                    channel=contact.channel,
                    kind=kind,
                    event_id=event_id,
                    event_on=day,
                    days_before=offset,
                    next_attempt_at=send_at,
                )
                if _create(row):
                    queued.append(row)

    if config.staff_deadlines:
        deadlines = Deadline.objects.filter(
            organisation_id=org,
            state=Deadline.State.OPEN,
            due_on__range=(today, last),
            person__merged_into__isnull=True,
        ).select_related("task__assignee")
        supervisors: list[int] | None = None
        for deadline in deadlines:
            assert deadline.due_on is not None
            offset = nearest_offset(deadline.due_on, today, offsets)
            if offset is None:
                continue
            assignee = deadline.task.assignee if deadline.task is not None else None
            if assignee is not None and assignee.is_active and assignee.email:
                users = [assignee.pk]
            else:
                if supervisors is None:
                    supervisors = supervisors_of(org)
                users = supervisors
            for user_id in users:
                row = Reminder(
                    organisation_id=org,
                    person_id=deadline.person_id,
                    user_id=user_id,
                    channel=Channel.EMAIL,
                    kind=Reminder.Kind.DEADLINE,
                    event_id=deadline.pk,
                    event_on=deadline.due_on,
                    days_before=offset,
                    next_attempt_at=send_at,
                )
                if _create(row):
                    queued.append(row)
    return queued


def schedule_due(now: dt.datetime | None = None) -> list[int]:
    """Queue every reminder now due, in every organisation that set reminders up; returns the new ids."""
    now = now or timezone.now()
    queued: list[Reminder] = []
    for config in ReminderSettings.objects.select_related("organisation"):
        queued += schedule_for(config, now)
    by_time: dict[dt.datetime, list[int]] = defaultdict(list)
    for row in queued:
        by_time[row.next_attempt_at].append(row.pk)
    for when, ids in by_time.items():
        _enqueue_after_commit(ids, when - now if when > now else None)
    return [row.pk for row in queued]


def _enqueue_after_commit(ids: list[int], delay: dt.timedelta | None) -> None:
    transaction.on_commit(lambda: delivery.enqueue(ids, delay=delay))
