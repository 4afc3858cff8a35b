"""The home page's legal blocks: deadlines with days left, and people detained now."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import F
from django.utils import timezone

from crossings.accounts.roles import Cap, OrgKind
from crossings.audit.reads import Reader, log_list
from crossings.legal.clocks import clocks_for, interview_rounds, interview_window, next_clock
from crossings.legal.models import Deadline, Detention, TravelDocumentStep
from crossings.today import HOME_LINES, due

register = template.Library()


@register.inclusion_tag("today/legal.html", takes_context=True)
def legal_today(context: dict[str, Any]) -> dict[str, Any]:
    """For members of an advocacy organisation: their open deadlines (past due first, "no time limit"
    last) and everyone detained now. Both lists name people, so both are logged."""
    request = context["request"]
    user = request.user
    if OrgKind.ADVOCACY not in user.organisation_kinds(Cap.PEOPLE_VIEW):
        return {"show": False}
    today = timezone.localdate()
    reader = Reader.of(request)
    deadlines = list(
        Deadline.objects.visible_to(user)
        .filter(state=Deadline.State.OPEN, task__assignee=user)
        .select_related("person")
        .order_by(F("due_on").asc(nulls_last=True), "pk")[:HOME_LINES]
    )
    log_list(reader, Deadline, [(d.pk, d.organisation_id) for d in deadlines], reason="home")
    detained = list(
        Detention.objects.visible_to(user)
        .filter(ended_on=None)
        .select_related("person")
        .order_by("started_on", "pk")[:HOME_LINES]
    )
    log_list(reader, Detention, [(d.pk, d.organisation_id) for d in detained], reason="home")
    # The consular-interview alert: the organisation's people interviewed in the window, and their clocks.
    rounds = interview_rounds(user.scope.orgs_with(Cap.PEOPLE_VIEW), today)
    interviewed = [s for steps in rounds.values() for s in steps]
    log_list(reader, TravelDocumentStep, [(s.pk, s.organisation_id) for s in interviewed], reason="home")
    clocks = clocks_for(
        [(d.person_id, d.organisation_id) for d in detained]
        + [(s.person_id, s.organisation_id) for s in interviewed],
        today,
    )
    first, _last = interview_window(today)
    return {
        "show": True,
        "deadlines": [{"deadline": d, **due(d.due_on, today)} for d in deadlines],
        "detained": [
            {
                "detention": d,
                "days": (today - d.started_on).days,
                "clock": next_clock(clocks[(d.person_id, d.organisation_id)]),
            }
            for d in detained
        ],
        "interview_rounds": [
            {
                "count": len(steps),
                "since": first,
                "people": [
                    {"step": s, "clock": next_clock(clocks[(s.person_id, s.organisation_id)])} for s in steps
                ],
            }
            for steps in rounds.values()
        ],
    }
