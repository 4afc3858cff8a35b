"""A request sent twice records once: the rule every service that takes an ``idempotency_key`` (the form's
submission token, the API's Idempotency-Key header) follows, in one place.

The key is cut to the column's 64 characters. What the first request recorded is looked up before
recording; if two requests with the same key arrive at once, the unique constraint refuses the second
(IntegrityError) and the lookup, made again, returns what the other recorded. The record returned carries
``replayed`` (True: recorded earlier, nothing recorded now), read by the pages' and the API's answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, models

M = TypeVar("M", bound=models.Model)

KEY_LENGTH = 64


def replay_or_record(
    idempotency_key: str,
    *,
    find: Callable[[str], M | None],
    record: Callable[[str], M],
    clash: Callable[[str], M | None] | None = None,
) -> M:
    """``find(key)``: what an earlier request with this key recorded, or None (it is also called with an
    empty key: a service without another way to tell a repeat answers None). ``record(key)``: record it now
    (in its own transaction, so a refused insert leaves the outer one usable); where it finds that nothing
    needs recording (a volunteer already signed up), it answers what stands with ``replayed`` set True.
    ``clash(key)``: where the unique constraint that refuses the second of two requests arriving at once is
    not the key (one sign-up per volunteer and event, whatever the key), what that constraint points to
    (``find`` if not given)."""
    key = idempotency_key.strip()[:KEY_LENGTH]
    first = find(key)
    if first is None:
        try:
            created = record(key)
        except IntegrityError:
            first = (clash or find)(key)  # the same request arrived twice at once: the other one recorded it
            if first is None:
                raise
        else:
            vars(created).setdefault("replayed", False)  # read by the answer, not a field
            return created
    setattr(first, "replayed", True)  # noqa: B010  # read by the answer, not a field
    return first


def key_once(*, within: str, name: str) -> models.UniqueConstraint:
    """The database's half of the rule: one record per key within ``within`` (the organisation, the bond);
    a request that carried no key (an empty one) is not held to it. This is the IntegrityError that
    ``replay_or_record`` turns into the first record."""
    return models.UniqueConstraint(
        fields=[within, "idempotency_key"], condition=~models.Q(idempotency_key=""), name=name
    )
