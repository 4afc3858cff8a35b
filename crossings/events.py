"""What happened, told to whoever listens: the few domain events other systems may subscribe to
(webhooks, docs/webhooks.md).

A service calls ``emit(...)`` inside its own transaction; listeners (``crossings.webhooks`` connects one)
run at once, in that transaction, so whatever they write (an outbox row) commits or rolls back with the
change itself, and anything they send leaves only after the commit. This module sits beside
``errors.py``, below every app, so ``people``, ``cases``, ``legal`` and ``reception`` say what happened
without importing the app that delivers it.

An event carries ids only (``person_id=12``), never a name or a field of the record: a listener that needs
more must read it through the selectors, like any other reader. Referral events also carry the person's
``person_global_id``: a random UUID that says nothing about the person (no name, date or place is derived
from it), the same id the referral's receiver already reads, so a receiving system can tell which person
the referral is about without asking for a name (docs/exchange.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from django.dispatch import Signal
from django.utils.translation import gettext_lazy as _


class Event(StrEnum):
    PERSON_REGISTERED = "person.registered"
    REFERRAL_SENT = "referral.sent"
    REFERRAL_ACCEPTED = "referral.accepted"
    PERSON_DETAINED = "person.detained"
    PERSON_REMOVED = "person.removed"
    PERSON_ARRIVED = "person.arrived"

    @property
    def label(self) -> str:
        return str(LABELS[self])


LABELS = {
    Event.PERSON_REGISTERED: _("A person was registered"),
    Event.REFERRAL_SENT: _("A referral was sent"),
    Event.REFERRAL_ACCEPTED: _("A referral was accepted"),
    Event.PERSON_DETAINED: _("A person was detained"),
    Event.PERSON_REMOVED: _("A person was removed"),
    Event.PERSON_ARRIVED: _("A person arrived in Cambodia"),
}

# Sent with event=Event, organisation_ids=frozenset[int] (whose subscribers hear it),
# ids=dict[str, int | str] (database ids, and the person's global_id as text).
occurred = Signal()


def emit(event: Event, *, organisation_ids: Iterable[int | None], **ids: int | str | None) -> None:
    """Tell the listeners that ``event`` happened to the records named by ``ids``, for the organisations
    concerned (the sender and the receiver of a referral, the holder of a person). Call it inside the
    service's transaction, after the write."""
    orgs = frozenset(o for o in organisation_ids if o is not None)
    if orgs:
        occurred.send(
            sender=Event,
            event=event,
            organisation_ids=orgs,
            ids={k: v for k, v in ids.items() if v is not None},
        )
