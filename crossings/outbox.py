"""The outbox pattern every sender shares (rapid-response e-mail in ``legal.notifications``, webhook
deliveries in ``webhooks.delivery``): one database row per message, written in the transaction that caused
it, handed to the task queue (``crossings db_worker``) only once that transaction commits, retried later
after a failure when the backend can defer (the database backend), else left pending for a "resend".

Only the scheduling lives here; each sender keeps its own row, its own claim and its own text.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

log = logging.getLogger(__name__)

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
