"""The outbox pattern every sender shares (rapid-response e-mail in ``legal.notifications``, webhook
deliveries in ``webhooks.delivery``, volunteers' reminders in ``accompaniment.reminders``, the person's
reminders in ``reminders.delivery``): one database row per message, written in the transaction that caused
it, handed to the task queue (``crossings db_worker``) only once that transaction commits, retried later
after a failure when the backend can defer (the database backend), else left pending for a "resend".

The scheduling and one try's bookkeeping live here: the claim (``claim``), what a failure writes and whether
it is tried again (``failed``), what a success writes (``sent``). Each sender keeps its own row, what it
checks before the claim, and its own text.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import models
from django.db.models import F
from django.utils import timezone

log = logging.getLogger(__name__)

# The states every outbox row's Status names (each row may add its own, e.g. "cancelled").
PENDING, SENT, FAILED = "pending", "sent", "failed"


class Row(models.Model):
    """The bookkeeping columns every outbox row has, declared once. Each row adds what it sends and its own
    ``status`` (PENDING, SENT and FAILED at least, each with the row's own words), and may give itself more
    or fewer tries than ``MAX_ATTEMPTS``."""

    MAX_ATTEMPTS = 5

    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)  # the kind of failure only
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


R = TypeVar("R", bound=Row)

# Seconds before the next try after a failure: 1 min, 5 min, 30 min, 2 h (backends that can defer).
BACKOFF = (60, 300, 1800, 7200)


def backoff(attempts: int) -> dt.timedelta:
    """How long to wait after the ``attempts``-th failed try (1-based; the last step repeats)."""
    return dt.timedelta(seconds=BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1])


def can_defer(task: Any) -> bool:
    return bool(task.get_backend().supports_defer)


def enqueue(task: Any, ids: Iterable[int], *, delay: dt.timedelta | None = None, label: str = "") -> None:
    """Hand each row id to ``task``, after ``delay`` when the backend can wait. A queue that cannot be
    reached is logged, never raised: the row stays pending and its page offers "resend"."""
    for row_id in ids:
        try:
            run = task
            if delay is not None and can_defer(task):
                run = task.using(run_after=timezone.now() + delay)
            run.enqueue(row_id)
        except Exception as exc:
            log.error("%s %s could not be queued: %s", label or "outbox: row", row_id, type(exc).__name__)


def claim(rows: models.Manager[R], row: R, **also: Any) -> bool:
    """Of two workers handed the same pending row, the one that moves its attempts on sends it (``also``:
    more to write with the claim). True for that one, whose ``row.attempts`` then counts this try."""
    claimed = rows.filter(pk=row.pk, status=PENDING, attempts=row.attempts).update(
        attempts=F("attempts") + 1, **also
    )
    if claimed:
        row.attempts += 1
    return bool(claimed)


def failed(
    rows: models.Manager[R],
    row: R,
    *,
    error: str,
    task: Any,
    label: str,
    delay: dt.timedelta | None = None,
    permanent: bool = False,
    **also: Any,
) -> str:
    """A claimed try that failed: the error (and ``also``) kept on the row, logged, never raised. Given up
    ("failed") after the row's MAX_ATTEMPTS, or at once when ``permanent``; else ("retry") pending, handed to
    ``task`` again after ``delay`` (the back-off if not given) when the backend can defer, or left for a
    "resend" or the next run when it cannot."""
    gave_up = permanent or row.attempts >= row.MAX_ATTEMPTS
    rows.filter(pk=row.pk).update(status=FAILED if gave_up else PENDING, last_error=error, **also)
    log.warning("%s %s attempt %s failed: %s", label, row.pk, row.attempts, error)
    if gave_up:
        return "failed"
    if can_defer(task):
        enqueue(task, [row.pk], delay=backoff(row.attempts) if delay is None else delay, label=label)
    return "retry"


def sent(rows: models.Manager[R], row: R, *, at: dt.datetime | None = None, **also: Any) -> str:
    """A claimed try that went through (``also``: more to write with it)."""
    rows.filter(pk=row.pk).update(status=SENT, sent_at=at or timezone.now(), last_error="", **also)
    return "sent"
