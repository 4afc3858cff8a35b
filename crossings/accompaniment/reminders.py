"""The volunteers' reminder the day before: one e-mail per sign-up, through the outbox every sender shares
(crossings/outbox.py: a row written first, handed to the task queue after the commit, retried with back-off).

``queue_due_reminders`` (``crossings accompaniment remind``, daily from cron) writes a ``Reminder`` for each
active sign-up whose event is today or tomorrow and has none: the database allows one per sign-up, so
running it twice, or on two servers, queues nothing twice. The mail says only what the volunteer needs to
go: the initials, the kind of event, the date, time, place and meeting point, the note, and a link.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from crossings import outbox
from crossings.accompaniment.models import Accompaniment, Reminder, Signup
from crossings.legal.notifications import absolute_url, describe

LABEL = "accompaniment: reminder"  # how the outbox names a row of this one in the log


def reminder_message(accompaniment: Accompaniment, language: str) -> tuple[str, str]:
    with translation.override(language or "en"):
        # The same digits the pages show, in either language.
        when = formats.date_format(accompaniment.date, "Y-m-d")
        time = formats.time_format(accompaniment.meets_at, "H:i")
        subject = _("Reminder: accompaniment on %(date)s") % {"date": when}
        lines = [
            _("You signed up to accompany %(initials)s to an ICE check-in.")
            % {"initials": accompaniment.initials or "—"}
            if accompaniment.check_in_id
            else _("You signed up to accompany %(initials)s to a hearing.")
            % {"initials": accompaniment.initials or "—"},
            _("When: %(date)s, meet at %(time)s") % {"date": when, "time": time},
            _("Where: %(place)s") % {"place": accompaniment.place},
            _("Meeting point: %(point)s") % {"point": accompaniment.meeting_point},
        ]
        if accompaniment.note:
            lines.append(_("Note: %(note)s") % {"note": accompaniment.note})
        lines += [
            "",
            _("Cannot go? Withdraw here so someone else can: %(url)s")
            % {"url": absolute_url(reverse("accompaniment_list"))},
        ]
    return subject, "\n".join(lines)


def queue_due_reminders(today: dt.date | None = None) -> list[int]:
    """A reminder for each active sign-up whose event is today or tomorrow, once. Returns the ids queued."""
    today = today or timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    due = (
        Signup.objects.filter(
            withdrawn_at=None,
            reminder__isnull=True,
            accompaniment__closed_at=None,
            accompaniment__person__merged_into__isnull=True,
            volunteer__is_active=True,
        )
        .exclude(volunteer__email="")
        .filter(
            Q(accompaniment__check_in__date__range=(today, tomorrow))
            | Q(accompaniment__court_event__date__range=(today, tomorrow))
        )
        .values_list("pk", flat=True)
    )
    queued = []
    for signup_id in due:
        try:
            with transaction.atomic():
                queued.append(Reminder.objects.create(signup_id=signup_id).pk)
        except IntegrityError:
            continue  # another run queued it first
    enqueue(queued)
    return queued


def deliver(reminder_id: int) -> str:
    """Send one reminder: "sent", "retry", "failed", "cancelled" (withdrawn since) or "skipped"."""
    row = (
        Reminder.objects.select_related(
            "signup__volunteer",
            "signup__accompaniment__check_in",
            "signup__accompaniment__court_event__proceeding",
        )
        .filter(pk=reminder_id)
        .first()
    )
    if row is None or row.status != Reminder.Status.PENDING:
        return "skipped"
    if row.signup.withdrawn_at is not None:
        Reminder.objects.filter(pk=row.pk).update(status=Reminder.Status.CANCELLED)
        return "cancelled"
    if not outbox.claim(Reminder.objects, row):
        return "skipped"
    volunteer = row.signup.volunteer
    try:
        subject, body = reminder_message(row.signup.accompaniment, volunteer.language)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [volunteer.email], fail_silently=False)
    except Exception as exc:  # the mail server, the network: kept on the row, never raised
        return outbox.failed(Reminder.objects, row, error=describe(exc), task=deliver_reminder, label=LABEL)
    return outbox.sent(Reminder.objects, row)


@task()
def deliver_reminder(reminder_id: int) -> str:
    return deliver(reminder_id)


def enqueue(ids: list[int], *, delay: dt.timedelta | None = None) -> None:
    outbox.enqueue(deliver_reminder, ids, delay=delay, label=LABEL)
