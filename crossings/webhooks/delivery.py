"""The webhook outbox: a ``Delivery`` row per event and subscription, written in the transaction of the
change (``on_event``, connected to ``crossings.events.occurred``), sent by ``crossings db_worker`` once that
transaction commits, retried with the shared back-off (crossings/outbox.py), every attempt logged.

A request never waits for a receiver: the timeout is short (``WEBHOOKS_TIMEOUT``), a redirect is a failure,
and the attempt log keeps the HTTP status and the kind of failure, never the answer's body.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django_tasks import task

from crossings import outbox
from crossings.errors import Refused
from crossings.webhooks import signing, targets
from crossings.webhooks.models import Attempt, Delivery, Subscription

LABEL = "webhooks: delivery"  # how the outbox names a row of this one in the log


def body_of(delivery: Delivery) -> bytes:
    """The bytes sent and signed: the stored payload, the same for every attempt."""
    return json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()


def payload(delivery: Delivery, *, organisation_id: int, ids: dict[str, int | str]) -> dict[str, Any]:
    return {
        "id": str(delivery.uuid),
        "type": delivery.event,
        "created": delivery.created_at.isoformat(),
        "organisation_id": organisation_id,
        "data": dict(sorted(ids.items())),
    }


def on_event(
    sender: Any, *, event: str, organisation_ids: frozenset[int], ids: dict[str, int | str], **_: Any
) -> None:
    """A row per active subscription of the organisations concerned that asked for ``event``; queued once
    the emitting transaction commits (a rollback leaves neither the change nor the delivery)."""
    subscriptions = Subscription.objects.filter(organisation_id__in=organisation_ids, active=True).only(
        "id", "organisation_id", "events"
    )
    rows = []
    for subscription in subscriptions:
        if not subscription.wants(event):
            continue
        row = Delivery(subscription=subscription, event=event, payload={})
        row.payload = payload(row, organisation_id=subscription.organisation_id, ids=ids)
        rows.append(row)
    if not rows:
        return
    Delivery.objects.bulk_create(rows)
    queued = [r.pk for r in rows]
    transaction.on_commit(lambda: enqueue(queued))


def enqueue(ids: Iterable[int], *, delay: Any = None) -> None:
    outbox.enqueue(send_delivery, ids, delay=delay, label=LABEL)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect could point anywhere, past the address check: it is answered as the failure it is."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def describe(exc: BaseException) -> str:
    """The kind of failure, short, with nothing the receiver wrote back."""
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code}"
    if isinstance(exc, urllib.error.URLError):
        reason = exc.reason
        return f"URLError {reason if isinstance(reason, str) else type(reason).__name__}"[:200]
    if isinstance(exc, Refused):
        return "Refused address"
    return type(exc).__name__[:200]


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST and return the status; any answer outside 2xx raises."""
    targets.check(url)  # again, now: the name may point elsewhere since the subscription was made
    # http(s) only: targets.check refused every other scheme just above.
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    request.add_header("User-Agent", "Crossings-Webhooks/1")
    with _opener.open(request, timeout=settings.WEBHOOKS_TIMEOUT) as response:
        status = int(response.status)
    if not 200 <= status < 300:
        raise urllib.error.HTTPError(url, status, "not a success", None, None)  # type: ignore[arg-type]
    return status


def deliver(delivery_id: int) -> str:
    """One attempt: "sent", "retry" (failed, tried again later), "failed" (gave up) or "skipped" (already
    sent, paused, or another worker has it)."""
    row = Delivery.objects.select_related("subscription").filter(pk=delivery_id).first()
    if row is None or row.status != Delivery.Status.PENDING or not row.subscription.active:
        return "skipped"
    if not outbox.claim(Delivery.objects, row):
        return "skipped"
    body = body_of(row)
    started = time.monotonic()
    status: int | None = None
    error = ""
    try:
        headers = signing.headers(
            secret=row.subscription.secret, body=body, delivery_id=str(row.uuid), event=row.event
        )
        status = post(row.subscription.url, body, headers)
    except Exception as exc:  # the network, the receiver, anything: kept on the row, never raised
        error = describe(exc)
        status = exc.code if isinstance(exc, urllib.error.HTTPError) else None
    Attempt.objects.create(
        delivery=row,
        number=row.attempts,
        status_code=status,
        error=error,
        duration_ms=int((time.monotonic() - started) * 1000),
    )
    if not error:
        return outbox.sent(Delivery.objects, row, last_status_code=status)
    return outbox.failed(
        Delivery.objects, row, error=error, task=send_delivery, label=LABEL, last_status_code=status
    )


@task()
def send_delivery(delivery_id: int) -> str:
    return deliver(delivery_id)
