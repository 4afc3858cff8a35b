"""The daily digest: each user's deadlines of the next 14 days and everything overdue, by e-mail."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from crossings.accounts.models import User
from crossings.cases.models import Task
from crossings.legal.deadlines import NOT_LEGAL_ADVICE
from crossings.legal.notifications import absolute_url, describe, initials

log = logging.getLogger(__name__)

HORIZON_DAYS = 14


def digest_for(user: User, today: dt.date | None = None) -> str | None:
    """The digest text, or None when there is nothing to say. Only tasks the user may still see count."""
    today = today or timezone.localdate()
    tasks = (
        Task.objects.visible_to(user)
        .open()
        .filter(assignee=user, due_on__isnull=False, due_on__lte=today + dt.timedelta(days=HORIZON_DAYS))
        .select_related("case__person")
        .order_by("due_on")
    )
    overdue = [t for t in tasks if t.due_on and t.due_on < today]
    upcoming = [t for t in tasks if t.due_on and t.due_on >= today]
    if not overdue and not upcoming:
        return None
    with translation.override(user.language or "en"):
        lines = []
        if overdue:
            lines.append(_("Overdue:"))
            lines += [_line(t) for t in overdue]
            lines.append("")
        if upcoming:
            lines.append(_("Due in the next %(days)s days:") % {"days": HORIZON_DAYS})
            lines += [_line(t) for t in upcoming]
            lines.append("")
        lines.append(_("Your deadlines: %(url)s") % {"url": absolute_url(reverse("deadline_board"))})
        lines.append("")
        lines.append(NOT_LEGAL_ADVICE)
        return "\n".join(lines)


def _line(t: Task) -> str:
    """A deadline as the mail says it: initials, not the person's name, and a link to the case."""
    link = absolute_url(reverse("case_detail", args=[t.case_id]))
    return f"- {t.due_on} {t.title} — {initials(t.case.person) or '?'} {link}"


def send_digests(today: dt.date | None = None) -> int:
    """Mail each user their digest; a mail that fails is logged (no address) and the others still go."""
    sent = 0
    for user in User.objects.filter(is_active=True).exclude(email=""):
        body = digest_for(user, today)
        if body is None:
            continue
        with translation.override(user.language or "en"):
            subject = _("Crossings: your deadlines")
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        except Exception as exc:
            log.warning("legal: the digest for user %s was not sent: %s", user.pk, describe(exc))
            continue
        sent += 1
    return sent


@task()
def send_digests_task() -> int:
    """The digest as a Django task, for a scheduler that enqueues tasks instead of running cron commands."""
    return send_digests()
