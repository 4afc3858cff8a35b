"""Reads of personal data, logged where they happen: in the selectors.

Every page, API operation, export and command that shows personal data reaches it through a selector
(``people.selectors``, ``cases.selectors``, …) that takes a ``Reader``: who reads, through which door. The
selector writes the access-log entry itself, so logging is a property of the read path, not a line each
view has to remember. ``tests/test_every_read_is_logged.py`` walks every route and fails on one that shows
personal data without an entry.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from django.db import models
from django.http import Http404

from crossings.accounts.roles import Cap
from crossings.audit.models import AccessLog, client_ip
from crossings.formtools import row_id

if TYPE_CHECKING:
    from crossings.accounts.models import User
    from crossings.accounts.rules import AuthedRequest

# The ids of at most this many records are written on one list entry (a page shows at most 200; an export
# says how many it held and the first of them).
MAX_IDS = 1000


@dataclass(frozen=True)
class Reader:
    """Who is reading, and through which door: a page or API request, or a command."""

    user: User
    path: str = ""
    ip: str | None = None
    api: bool = False

    @classmethod
    def of(cls, request: AuthedRequest) -> Reader:
        """The reader of a request that passed its access rule (``@requires``, ``@login_only``)."""
        return cls(
            user=request.user,
            path=request.path[:300],
            ip=client_ip(request),
            api=request.path.startswith("/api/"),
        )

    @classmethod
    def command(cls, user: User, name: str) -> Reader:
        return cls(user=user, path=f"command:{name}"[:300])

    @property
    def own_organisation(self) -> int | None:
        """Where a read that touched no one's record is filed (an empty search): the user's first
        organisation with case access, so its supervisors see the search."""
        orgs = sorted(self.user.scope.orgs_with(Cap.PEOPLE_VIEW))
        return orgs[0] if orgs else None


def log_view(
    reader: Reader,
    obj: models.Model,
    *,
    organisation_id: int | None,
    reason: str = "",
    action: str | None = None,
) -> AccessLog:
    """One record read: who, what (type and id only), when, from where, why."""
    return AccessLog.objects.create(
        user=reader.user,
        organisation_id=organisation_id,
        action=action or (AccessLog.Action.API if reader.api else AccessLog.Action.VIEW),
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        path=reader.path,
        ip_address=reader.ip,
        reason=reason,
    )


M = TypeVar("M", bound=models.Model)


class _Held(Protocol):
    organisation_id: int | None


def one_visible(rows: models.QuerySet[M], record_id: object) -> M:
    """One record of ``rows`` (already narrowed to what the user may see) by the id a URL or a payload
    carried, unlogged: for writes (kept in the history). A malformed id, or one of a record the user may not
    see, is a 404: its existence is not revealed."""
    pk = row_id(record_id)
    found = rows.filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise Http404
    return found


def read_one(reader: Reader, obj: M, *, reason: str) -> M:
    """``obj`` (found by ``one_visible``), read: the access-log entry is written, filed under the
    organisation holding the record."""
    log_view(reader, obj, organisation_id=cast(_Held, obj).organisation_id, reason=reason)
    return obj


def log_list(
    reader: Reader,
    model: type[models.Model],
    rows: Iterable[tuple[object, int | None]],
    *,
    query: str = "",
    total: int | None = None,
    export: bool = False,
    reason: str = "",
) -> list[AccessLog]:
    """A list, a search or an export: one entry per organisation whose records were shown, with the
    query, how many answered and the ids shown, so each organisation's supervisors see who listed their
    people. ``rows`` are (record id, organisation holding it). A search that found nobody is still
    written (the query itself may be an A-number), filed under the reader's own organisation."""
    by_org: dict[int | None, list[str]] = defaultdict(list)
    for pk, org_id in rows:
        by_org[org_id].append(str(pk))
    if not by_org:
        by_org[reader.own_organisation] = []
    shown = sum(len(ids) for ids in by_org.values())
    entries = [
        AccessLog(
            user=reader.user,
            organisation_id=org_id,
            action=AccessLog.Action.EXPORT if export else AccessLog.Action.LIST,
            object_type=model._meta.label_lower,
            object_id="",
            object_ids=",".join(ids[:MAX_IDS]),
            count=total if total is not None else shown,
            query=query or None,
            path=reader.path,
            ip_address=reader.ip,
            reason=reason,
        )
        for org_id, ids in by_org.items()
    ]
    return AccessLog.objects.bulk_create(entries)


class LoggedPages:
    """A queryset handed to the API paginator that logs the page it slices out: the records a caller
    receives are the ones written in the access log (``on_page`` logs them), not the whole query."""

    def __init__(self, queryset: Any, on_page: Callable[[list[Any], int], object]):
        self.queryset = queryset
        self.on_page = on_page
        self._count: int | None = None

    def __len__(self) -> int:
        if self._count is None:
            self._count = int(self.queryset.count())
        return self._count

    def __getitem__(self, window: slice) -> list[Any]:
        rows = list(self.queryset[window])
        self.on_page(rows, len(self))
        return rows
