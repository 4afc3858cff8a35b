"""Sending the outbox (``Notification``): one task per e-mail, run by ``crossings db_worker``, retried.

Nothing here runs inside the request that caused the e-mail: a mail server that is down leaves the row
pending (then failed after ``Notification.MAX_ATTEMPTS``) and the rapid-response page shows "not yet
notified" with a resend button. The text is built when it is sent and says only what the recipient needs to
act: no full name (initials), the date, the facility, the open deadlines, and absolute links built from
``CROSSINGS_BASE_URL`` (docs/privacy.md, "E-mail").
"""

from __future__ import annotations

import datetime as dt
import smtplib
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from crossings import outbox
from crossings.accounts.models import Membership, Organisation
from crossings.accounts.roles import Role
from crossings.legal import clocks
from crossings.legal import deadlines as engine
from crossings.legal.models import Deadline, Notification, RapidResponse, TravelDocumentStep

LABEL = "legal: notification"  # how the outbox names a row of this one in the log

BACKOFF = outbox.BACKOFF  # shared with every outbox (crossings/outbox.py)


def absolute_url(path: str) -> str:
    """A link for an e-mail: the recipient's mail client has no page to be relative to."""
    return settings.CROSSINGS_BASE_URL.rstrip("/") + path


def initials(person: Any) -> str:
    """ "S. D." for Sok Dara: enough for a responder who knows the caseload, not a name in a mailbox."""
    parts = [p for p in (person.family_name, person.given_name) if p and p.strip()]
    return " ".join(f"{p.strip()[0].upper()}." for p in parts)


def describe(exc: BaseException) -> str:
    """What went wrong, without personal data: an SMTP error's text can quote the address, so only the
    exception's class and the SMTP code are kept."""
    code = getattr(exc, "smtp_code", None)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({c for c, _m in exc.recipients.values()})
        return f"{type(exc).__name__} {','.join(map(str, codes))}"[:200]
    return (type(exc).__name__ + (f" {code}" if code else ""))[:200]


def rapid_response_message(response: RapidResponse, language: str) -> tuple[str, str]:
    person, detention = response.person, response.detention
    who = initials(person)
    open_deadlines = Deadline.objects.filter(
        person=person, state=Deadline.State.OPEN, due_on__isnull=False
    ).order_by("due_on")
    with translation.override(language or "en"):
        subject = _("Rapid response: a person on your caseload was detained")
        first = (
            _("A person on your caseload (%(initials)s) was detained on %(date)s at %(facility)s.")
            % {"initials": who, "date": detention.started_on, "facility": detention.facility}
            if who
            else _("A person on your caseload was detained on %(date)s at %(facility)s.")
            % {"date": detention.started_on, "facility": detention.facility}
        )
        lines = [first, "", _("Open deadlines:")]
        lines += [f"- {d.due_on}: {d.action} ({d.citation})" for d in open_deadlines] or [
            _("- none recorded")
        ]
        lines += [
            "",
            _("Their legal page: %(url)s") % {"url": absolute_url(reverse("person_legal", args=[person.pk]))},
            _("Rapid response: %(url)s") % {"url": absolute_url(reverse("rapid_response"))},
            "",
            engine.NOT_LEGAL_ADVICE,
        ]
    return subject, "\n".join(lines)


def interview_round_message(step: TravelDocumentStep, language: str) -> tuple[str, str]:
    """The supervisors' alert: initials, interview date and next clock of each person of the organisation
    interviewed in the window, as of sending."""
    today = timezone.localdate()
    steps = clocks.interview_rounds([step.organisation_id], today).get(step.organisation_id) or [step]
    person_clocks = clocks.clocks_for([(s.person_id, s.organisation_id) for s in steps], today)
    first, _last = clocks.interview_window(today)
    with translation.override(language or "en"):
        subject = _("Consular interviews: several people on your caseload were interviewed")
        lines = [
            ngettext(
                "%(n)s person of your organisation had a consular interview since %(date)s.",
                "%(n)s people of your organisation had a consular interview since %(date)s.",
                len(steps),
            )
            % {"n": len(steps), "date": first},
            _("Interview rounds often come before a removal flight."),
            "",
        ]
        for s in steps:
            clock = clocks.next_clock(person_clocks.get((s.person_id, s.organisation_id), []))
            line = f"- {initials(s.person) or '#' + str(s.person_id)}: {s.date}"
            if clock is not None:
                line += f"; {clock.label} {clock.due} ({clock.citation})"
            lines.append(line)
        lines += ["", _("Home: %(url)s") % {"url": absolute_url("/")}, "", engine.NOT_LEGAL_ADVICE]
    return subject, "\n".join(lines)


def deliver(notification_id: int) -> str:
    """Send one notification: "sent", "retry" (failed, will be tried again), "failed" (gave up) or
    "skipped" (already sent, or another worker has it)."""
    row = (
        Notification.objects.select_related(
            "recipient", "rapid_response__person", "rapid_response__detention", "interview_step__person"
        )
        .filter(pk=notification_id)
        .first()
    )
    if row is None or row.status != Notification.Status.PENDING:
        return "skipped"
    if not outbox.claim(Notification.objects, row):
        return "skipped"
    try:
        if row.kind == Notification.Kind.INTERVIEW_ROUND:
            assert row.interview_step is not None
            subject, body = interview_round_message(row.interview_step, row.recipient.language)
        else:
            assert row.rapid_response is not None
            subject, body = rapid_response_message(row.rapid_response, row.recipient.language)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [row.recipient.email], fail_silently=False)
    except Exception as exc:  # the mail server, the network, anything: kept on the row, never raised
        # (a backend that cannot defer leaves it pending until "resend" or `crossings send-notifications`)
        return outbox.failed(
            Notification.objects, row, error=describe(exc), task=deliver_notification, label=LABEL
        )
    outbox.sent(Notification.objects, row)
    if row.rapid_response_id:
        sent = Notification.objects.filter(
            rapid_response_id=row.rapid_response_id, status=Notification.Status.SENT
        ).count()
        RapidResponse.objects.filter(pk=row.rapid_response_id).update(notified=sent)
    return "sent"


@task()
def deliver_notification(notification_id: int) -> str:
    return deliver(notification_id)


def queue_notifications(response: RapidResponse) -> list[int]:
    """One outbox row per responder with an e-mail address (kept if it exists; a failed one is set pending
    again), handed to the task queue once the transaction commits. Returns the ids queued."""
    recipients = (
        Membership.objects.filter(
            organisation_id=response.organisation_id, is_responder=True, user__is_active=True
        )
        .exclude(user__email="")
        .values_list("user_id", flat=True)
        .distinct()
    )
    queued = []
    for user_id in recipients:
        row, _created = Notification.objects.get_or_create(
            rapid_response=response,
            recipient_id=user_id,
            defaults={"kind": Notification.Kind.RAPID_RESPONSE, "organisation_id": response.organisation_id},
        )
        if row.status == Notification.Status.SENT:
            continue
        if row.status == Notification.Status.FAILED:
            Notification.objects.filter(pk=row.pk).update(status=Notification.Status.PENDING, attempts=0)
        queued.append(row.pk)
    transaction.on_commit(lambda: enqueue(queued))
    return queued


def queue_interview_round(step: TravelDocumentStep) -> list[int]:
    """One outbox row per supervisor of the step's organisation when this consular-interview step brings
    the organisation to CROSSINGS_INTERVIEW_ALERT_PEOPLE or more people in the window, unless the
    supervisors were already told of this round: an interview-round alert created within the window means
    the same round (later interviews show on the home block, not by mail). Called inside the service's
    transaction; the organisation row is locked so two interviews recorded at once cannot both mail."""
    today = timezone.localdate()
    first, last = clocks.interview_window(today)
    if step.step != TravelDocumentStep.Step.INTERVIEW or not first <= step.date <= last:
        return []
    Organisation.objects.select_for_update().filter(pk=step.organisation_id).first()
    steps = clocks.interview_rounds([step.organisation_id], today).get(step.organisation_id, [])
    if step.person_id not in {s.person_id for s in steps}:
        return []  # below the threshold
    already_told = Notification.objects.filter(
        kind=Notification.Kind.INTERVIEW_ROUND,
        organisation_id=step.organisation_id,
        created_at__date__gte=first,
    ).exists()
    if already_told:
        return []
    recipients = (
        Membership.objects.filter(
            organisation_id=step.organisation_id, role=Role.SUPERVISOR, user__is_active=True
        )
        .exclude(user__email="")
        .values_list("user_id", flat=True)
        .distinct()
    )
    queued = [
        Notification.objects.create(
            kind=Notification.Kind.INTERVIEW_ROUND,
            organisation_id=step.organisation_id,
            recipient_id=user_id,
            interview_step=step,
        ).pk
        for user_id in recipients
    ]
    transaction.on_commit(lambda: enqueue(queued))
    return queued


def enqueue(ids: list[int], *, delay: dt.timedelta | None = None) -> None:
    # A row that cannot be queued stays pending, shown as "not yet notified" with a resend button.
    outbox.enqueue(deliver_notification, ids, delay=delay, label=LABEL)
