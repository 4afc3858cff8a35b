"""Reads of arrivals: one arrival of a flight the reader may see, and the access-log entry for reading it
(the person on it is named). Batches, packets and the manifest are read in ``views`` and ``handover``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from crossings.audit.reads import Reader, one_visible, read_one
from crossings.reception.models import Arrival, ArrivalBatch

if TYPE_CHECKING:
    from crossings.accounts.models import User


def arrival_access(user: User, arrival_id: object) -> Arrival:
    """One arrival on a flight the user may see, with its flight and person, unlogged: for writes (kept in
    the history) and for a page that logs its read itself. 404 otherwise."""
    return one_visible(
        Arrival.objects.select_related("batch", "person").filter(
            batch__in=ArrivalBatch.objects.visible_to(user)
        ),
        arrival_id,
    )


def arrival_for(reader: Reader, arrival_id: object) -> Arrival:
    """One arrival, read: the person on it is written in the access log."""
    arrival = arrival_access(reader.user, arrival_id)
    read_one(reader, arrival.person, reason="arrival")
    return arrival
