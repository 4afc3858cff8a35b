"""Sending the reminder outbox: one task per reminder, run by ``crossings db_worker`` (crossings/outbox.py:
handed over after the commit, retried with the shared back-off), never from a request.

Before each try, again: the person's reminders consent must be valid today (withdrawn after the reminder
was queued, it is cancelled, "consent withdrawn"), the event must still be due on the same date, the channel
still on, and the hour outside the organisation's quiet hours (else it waits for their end). A failure keeps
the kind of failure only (``SendError.description``); a permanent one (a wrong number, a blocked bot) is not
tried again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone
from django_tasks import task

from crossings import outbox
from crossings.legal.models import CheckIn, CourtEvent, Deadline
from crossings.people.models import Consent
from crossings.reception.models import FollowUp
from crossings.reminders import texts
from crossings.reminders.channels import CHANNELS, Message, SendError
from crossings.reminders.models import Reminder, ReminderSettings
from crossings.reminders.quiet import is_quiet, out_of_quiet_hours

LABEL = "reminders: reminder"  # how the outbox names a row of this one in the log


def enqueue(ids: Iterable[int], *, delay: dt.timedelta | None = None) -> None:
    outbox.enqueue(send_reminder, ids, delay=delay, label=LABEL)


def _cancel(row: Reminder, because: str) -> str:
    Reminder.objects.filter(pk=row.pk, status=Reminder.Status.PENDING).update(
        status=Reminder.Status.CANCELLED, cancelled_because=because
    )
    return "cancelled"


def event_still_due(row: Reminder, today: dt.date) -> tuple[bool, str]:
    """Whether the event is still coming on the date it was queued for, and what a deadline asks."""
    if row.event_on < today:
        return False, ""
    if row.kind == Reminder.Kind.CHECK_IN:
        ok = CheckIn.objects.filter(
            pk=row.event_id, date=row.event_on, outcome=CheckIn.Outcome.SCHEDULED
        ).exists()
        return ok, ""
    if row.kind == Reminder.Kind.HEARING:
        ok = CourtEvent.objects.filter(
            pk=row.event_id, date=row.event_on, kind=CourtEvent.Kind.HEARING
        ).exists()
        return ok, ""
    if row.kind == Reminder.Kind.FOLLOW_UP:
        ok = FollowUp.objects.filter(pk=row.event_id, due_on=row.event_on, recorded_on__isnull=True).exists()
        return ok, ""
    action = (
        Deadline.objects.filter(pk=row.event_id, due_on=row.event_on, state=Deadline.State.OPEN)
        .values_list("action", flat=True)
        .first()
    )
    return action is not None, action or ""


def consent_still_valid(row: Reminder, day: dt.date) -> bool:
    contact = row.contact  # no query when there is none; else already read with the row, or read now
    if contact is None:
        return True  # staff: their own work, no consent needed
    return (
        Consent.objects.filter(
            pk=contact.consent_id,
            scope=Consent.Scope.REMINDERS,
            organisation_id=row.organisation_id,
            person__organisation_id=row.organisation_id,
            person__merged_into__isnull=True,
        )
        .filter(Consent.valid_q(day=day))
        .exists()
    )


def deliver(reminder_id: int, *, now: dt.datetime | None = None) -> str:
    """One try: "sent", "retry", "failed", "cancelled", "deferred" (quiet hours), "waiting" (not yet its
    time) or "skipped" (not pending, or another worker has it)."""
    now = now or timezone.now()
    row = (
        Reminder.objects.select_related("contact", "user", "person", "organisation")
        .filter(pk=reminder_id)
        .first()
    )
    if row is None or row.status != Reminder.Status.PENDING:
        return "skipped"
    if row.next_attempt_at > now:
        return "waiting"  # the task queued for its time, or the next `send-due`, sends it
    config = (
        ReminderSettings.objects.filter(organisation_id=row.organisation_id)
        .select_related("organisation")
        .first()
    )
    today = timezone.localdate(now)
    if not consent_still_valid(row, today):
        return _cancel(row, Reminder.Because.CONSENT)
    due, action = event_still_due(row, today)
    if not due:
        return _cancel(row, Reminder.Because.EVENT)
    if config is None or not (row.to_staff or config.enabled(row.channel)):
        return _cancel(row, Reminder.Because.CHANNEL)
    if is_quiet(now, config.zone, config.quiet_start, config.quiet_end):
        later = out_of_quiet_hours(now, config.zone, config.quiet_start, config.quiet_end)
        Reminder.objects.filter(pk=row.pk, status=Reminder.Status.PENDING).update(next_attempt_at=later)
        if outbox.can_defer(send_reminder):  # else the next `send-due` after ``later`` hands it over
            enqueue([row.pk], delay=later - now)
        return "deferred"
    if not outbox.claim(Reminder.objects, row, last_attempt_at=now):
        return "skipped"
    try:
        if row.user is not None:
            if not row.user.email:
                raise SendError("no e-mail address", permanent=True)
            subject, body = texts.staff_text(reminder=row, action=action, language=row.user.language)
            message = Message(address=row.user.email, text=body, subject=subject)
        else:
            assert row.contact is not None
            body = texts.person_text(
                kind=row.kind,
                day=row.event_on,
                detail=row.contact.detail,
                config=config,
                language=row.contact.language,
            )
            subject = texts.person_subject(config=config, language=row.contact.language)
            message = Message(address=row.contact.address, text=body, subject=subject)
        CHANNELS[row.channel].send(config, message)
    except SendError as exc:
        # The next try after the back-off, moved out of the quiet hours.
        later = out_of_quiet_hours(
            now + outbox.backoff(row.attempts), config.zone, config.quiet_start, config.quiet_end
        )
        return outbox.failed(
            Reminder.objects,
            row,
            error=exc.description,
            task=send_reminder,
            label=LABEL,
            delay=later - now,
            permanent=exc.permanent,
            next_attempt_at=later,
        )
    return outbox.sent(Reminder.objects, row, at=now)


def send_waiting(now: dt.datetime | None = None) -> list[int]:
    """Hand over every pending reminder whose time has come: for a queue that cannot wait, and for a row
    whose task was lost. Handing one twice is harmless (the claim above)."""
    now = now or timezone.now()
    ids = list(
        Reminder.objects.filter(status=Reminder.Status.PENDING, next_attempt_at__lte=now).values_list(
            "pk", flat=True
        )
    )
    enqueue(ids)
    return ids


@task()
def send_reminder(reminder_id: int) -> str:
    return deliver(reminder_id)
