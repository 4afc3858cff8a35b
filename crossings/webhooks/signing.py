"""How a delivery is signed, and how a receiver checks it (docs/webhooks.md has the same check for
receivers to copy).

    Crossings-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<body>" under the subscription's secret>
    Crossings-Timestamp: <Unix time of this attempt, in seconds>
    Crossings-Delivery: <delivery id: the same for every retry and resend of one event>
    Crossings-Event: <event type>

The timestamp is inside the signed text, so an old request cannot be given a fresh one: a receiver that
refuses timestamps outside ``REPLAY_WINDOW`` and remembers delivery ids it has seen refuses replays.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE = "Crossings-Signature"
TIMESTAMP = "Crossings-Timestamp"
DELIVERY = "Crossings-Delivery"
EVENT = "Crossings-Event"
VERSION = "v1"
REPLAY_WINDOW = 300  # seconds either side of the receiver's clock


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return f"{VERSION}={mac.hexdigest()}"


def headers(
    *, secret: str, body: bytes, delivery_id: str, event: str, timestamp: int | None = None
) -> dict[str, str]:
    ts = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": "application/json",
        SIGNATURE: signature(secret, ts, body),
        TIMESTAMP: str(ts),
        DELIVERY: delivery_id,
        EVENT: event,
    }


def verify(
    secret: str, *, body: bytes, signature_header: str, timestamp_header: str, now: float | None = None
) -> bool:
    """The receiver's check: a well-formed, recent timestamp and a signature that matches it."""
    try:
        ts = int(timestamp_header)
    except ValueError:
        return False
    current = time.time() if now is None else now
    if abs(current - ts) > REPLAY_WINDOW:
        return False
    expected = signature(secret, ts, body)
    return any(hmac.compare_digest(expected, part.strip()) for part in signature_header.split(","))
