"""The home page's block for volunteers: the check-ins and hearings they signed up for, next first."""

from __future__ import annotations

from typing import Any

from django import template

from crossings.accompaniment import selectors
from crossings.accounts.roles import Cap
from crossings.audit.reads import Reader
from crossings.today import HOME_LINES

register = template.Library()


@register.inclusion_tag("today/accompaniment.html", takes_context=True)
def accompaniment_today(context: dict[str, Any]) -> dict[str, Any]:
    request = context["request"]
    if not request.user.scope.can(Cap.ACCOMPANY):
        return {"show": False}
    return {"show": True, "events": selectors.my_next(Reader.of(request), HOME_LINES)}
