"""The person page's Cases block, drawn by the cases app: the people app shows a person without knowing
what a case is (no import from people up to cases)."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Prefetch

from crossings.cases.models import Case, Task

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
        "csrf_token": context.get("csrf_token"),
    }
