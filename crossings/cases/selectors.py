"""Reads of cases, tasks, notes and documents: what the reader may see, and the access-log entry for it.

Cases are never shared: each organisation sees its own (``Case.scope_filter``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

from crossings.accounts.roles import Cap
from crossings.audit.reads import Reader, log_list, one_visible, read_one
from crossings.cases.models import Case, Task

if TYPE_CHECKING:
    from crossings.accounts.models import User


def case_of(user: User, case_id: object, *, edit: bool = False) -> Case:
    """The case, unlogged (for writes): 404 outside scope, 403 without the right to change it."""
    case = one_visible(
        Case.objects.visible_to(user).select_related("person", "organisation", "owner"), case_id
    )
    if edit and not user.scope.can(Cap.PEOPLE_EDIT, case.organisation_id):
        raise PermissionDenied
    return case


def case_for(reader: Reader, case_id: object, *, reason: str = "") -> Case:
    """One case, read (its notes and documents are shown with it): logged."""
    return read_one(reader, case_of(reader.user, case_id), reason=reason)


def log_cases(reader: Reader, cases: Sequence[Case], *, reason: str = "") -> Sequence[Case]:
    log_list(reader, Case, [(c.pk, c.organisation_id) for c in cases], reason=reason)
    return cases


def log_tasks(
    reader: Reader, tasks: Sequence[Task], *, total: int | None = None, reason: str = ""
) -> Sequence[Task]:
    """Tasks name the person of their case: the tasks shown are logged (by task id, under the case's
    organisation)."""
    log_list(reader, Task, [(t.pk, t.case.organisation_id) for t in tasks], total=total, reason=reason)
    return tasks
