"""The person page's Cases block, drawn by the cases app: the people app shows a person without knowing
what a case is (no import from people up to cases)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.db.models import Prefetch
from django.utils import timezone

from crossings.accounts.keep import new_token
from crossings.cases.models import Case, Task
from crossings.today import HOME_LINES, due

register = template.Library()


@register.inclusion_tag("cases/_cases_of_person.html", takes_context=True)
def cases_of(context: dict[str, Any], person: Any, can_edit: bool) -> dict[str, Any]:
    """The cases of the user's organisations about ``person``, with their open tasks, and the form to open
    one where the user may."""
    request = context["request"]
    cases = (
        Case.objects.visible_to(request.user)
        .filter(person=person)
        .select_related("owner", "organisation")
        .prefetch_related(Prefetch("tasks", queryset=Task.objects.open().select_related("assignee")))
    )
    return {
        "person": person,
        "cases": cases,
        "can_edit": can_edit,
        "case_programmes": Case.Programme.choices,
        "submission": new_token(),  # opening a case: sent twice, opened once
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("today/tasks.html", takes_context=True)
def tasks_today(context: dict[str, Any]) -> dict[str, Any]:
    """Home: the user's own open tasks that are overdue or due within a week, overdue first, each naming
    the person. Logged as a list read (the names are personal data)."""
    from crossings.accounts.roles import Cap
    from crossings.audit.reads import Reader
    from crossings.cases import selectors

    request = context["request"]
    if not request.user.scope.can(Cap.PEOPLE_VIEW):
        return {"show": False}
    today = timezone.localdate()
    tasks = list(
        Task.objects.visible_to(request.user)
        .open()
        .filter(assignee=request.user, due_on__lte=today + dt.timedelta(days=7))
        .select_related("case__person")
        .order_by("due_on", "pk")[:HOME_LINES]
    )
    selectors.log_tasks(Reader.of(request), tasks, reason="home")
    rows = [{"task": t, **due(t.due_on, today)} for t in tasks]
    return {"show": True, "rows": rows}
