"""Reads of calls: the only way pages and the API reach them. A call is personal data (who called, about
whom, where they are held), so every read is written in the access log here, like a person's record. A call
of another organisation is a 404, its existence not revealed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from crossings.audit.reads import Reader, log_list, one_visible, read_one
from crossings.calls.models import Call, name_words, word_digests

if TYPE_CHECKING:
    from crossings.accounts.models import User

# A search box holds a name: anything longer is cut before any work is done.
MAX_QUERY = 200


def visible_calls(user: User) -> QuerySet[Call]:
    """Calls the user may see, unlogged: for composing queries (a selector logs what it returns)."""
    return Call.objects.visible_to(user).select_related("taken_by", "person")


def matching_calls(user: User, query: str) -> QuerySet[Call]:
    """Calls whose caller or person name holds every word of ``query`` (exact words, any order)."""
    calls = visible_calls(user)
    words = name_words(query[:MAX_QUERY])
    if not words:
        return calls.none()
    for word in words:
        either = Q()
        for digest in word_digests(word):
            either |= Q(name_index__contains=digest)
        calls = calls.filter(either)
    return calls


def log_calls(reader: Reader, calls: list[Call], *, total: int, query: str = "") -> None:
    log_list(
        reader,
        Call,
        [(c.pk, c.organisation_id) for c in calls],
        query=query,
        total=total,
        reason="search" if query else "list",
    )


def call_access(user: User, call_id: object) -> Call:
    """One call the user may see, without logging a read: for writes (kept in the history)."""
    return one_visible(visible_calls(user), call_id)


def call_for(reader: Reader, call_id: object) -> Call:
    """One call, read: the access-log entry is written here."""
    return read_one(reader, call_access(reader.user, call_id), reason="call")
