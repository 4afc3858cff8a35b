"""Reads of cases, tasks, notes and documents: what the reader may see, and the access-log entry for it.

Cases are never shared: each organisation sees its own (``Case.scope_filter``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404

from crossings.accounts.roles import Cap
from crossings.audit.reads import Reader, log_list, log_view
from crossings.cases.models import Case, Task
from crossings.formtools import row_id

if TYPE_CHECKING:
    from crossings.accounts.models import User


def case_of(user: User, case_id: object, *, edit: bool = False) -> Case:
    """The case, unlogged (for writes): 404 outside scope, 403 without the right to change it."""
    pk = row_id(case_id)
    case = (
        Case.objects.visible_to(user).select_related("person", "organisation", "owner").filter(pk=pk).first()
        if pk is not None
        else None
    )
    if case is None:
        raise Http404
    if edit and not user.scope.can(Cap.PEOPLE_EDIT, case.organisation_id):
        raise PermissionDenied
    return case


def case_for(reader: Reader, case_id: object, *, reason: str = "") -> Case:
    """One case, read (its notes and documents are shown with it): logged."""
    case = case_of(reader.user, case_id)
    log_view(reader, case, organisation_id=case.organisation_id, reason=reason)
    return case


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
