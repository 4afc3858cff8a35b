"""One optimistic edit check for every record two people can edit at once.

A record that can be edited carries ``version`` (a positive integer, 1 when created). Whoever opens it reads
the version; saving sends it back, and the save happens only if the record is still at that version, under a
row lock, after which the version goes up by one. Otherwise :class:`EditConflict` says who was first and what
they changed (from the record's history), and nothing is written: the second save never silently undoes the
first. Pages answer 409 and show the form again with the stored values; the API answers 409 with
:class:`ConflictOut`.

    with transaction.atomic():
        record = conflicts.lock_at_version(Arrival.objects, arrival_id, expected_version, fields=FIELDS)
        ...change record...
        conflicts.save_next_version(record, user)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from django.db import models
from django.utils.translation import gettext as _
from ninja import Schema

from crossings.errors import Conflict
from crossings.history import written_by

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

M = TypeVar("M", bound=models.Model)


class Versioned(Protocol):
    """What a record two people can edit carries (a ``version`` column, 1 when created)."""

    version: int


class EditConflict(Conflict):
    """Someone else saved the record since it was opened. ``changes`` is field -> (then, now). One of the
    409 conflicts of crossings/errors.py: a door that does not show ``changes`` needs no handler."""

    def __init__(self, current_version: int, changes: dict[str, tuple[Any, Any]]):
        super().__init__(
            _("Someone else saved this record (now version %(v)s) after you opened it.")
            % {"v": current_version}
        )
        self.current_version = current_version
        self.changes = changes


class ConflictOut(Schema):
    """The API's 409 body: what the caller must re-read before trying again."""

    detail: str
    errors: list[dict[str, Any]]
    current_version: int
    changes: dict[str, list[str | None]]


def changes_since(record: models.Model, version: int, fields: Iterable[str]) -> dict[str, tuple[Any, Any]]:
    """Field -> (value at ``version``, value now), from the record's history (django-simple-history)."""
    history = getattr(record, "history", None)
    then = history.filter(version=version).order_by("-history_date").first() if history is not None else None
    if then is None:
        return {}
    changes = {}
    for name in fields:
        old, new = getattr(then, name), getattr(record, name)
        if old != new:
            changes[name] = (old, new)
    return changes


def check_version(record: models.Model, expected_version: int | None, fields: Iterable[str]) -> None:
    """EditConflict unless ``record`` (read under a row lock) is still at ``expected_version``."""
    current = cast(Versioned, record).version
    if expected_version != current:
        raise EditConflict(current, changes_since(record, expected_version or 0, fields))


def lock_at_version(
    queryset: models.QuerySet[M] | models.Manager[M],
    pk: int,
    expected_version: int | None,
    fields: Iterable[str],
) -> M:
    """The record, locked for the rest of the transaction, if it is still at ``expected_version``."""
    record = queryset.select_for_update().get(pk=pk)
    check_version(record, expected_version, fields)
    return record


def save_next_version(record: models.Model, user: AbstractBaseUser) -> None:
    cast(Versioned, record).version += 1
    written_by(record, user)
    record.save()


def conflict_out(exc: EditConflict) -> ConflictOut:
    def text(value: Any) -> str | None:
        return None if value is None else str(value)

    return ConflictOut(
        detail=str(exc),
        errors=[],
        current_version=exc.current_version,
        changes={k: [text(a), text(b)] for k, (a, b) in exc.changes.items()},
    )
