"""The home page's reception blocks: the flights to meet, the people expected on them (pre-arrival
packets), and follow-ups due or missed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.db.models import Count, Q
from django.utils import timezone

from crossings.accounts.roles import Cap, OrgKind
from crossings.audit.reads import Reader, log_list
from crossings.people.models import Person
from crossings.reception import handover
from crossings.reception.models import ArrivalBatch, FollowUp
from crossings.today import HOME_LINES, due

register = template.Library()


@register.inclusion_tag("today/reception.html", takes_context=True)
def reception_today(context: dict[str, Any]) -> dict[str, Any]:
    """For members of a reception organisation: flights from yesterday to the next two weeks with how many
    people are not yet marked received, and follow-ups due within a week or missed (past due, not
    recorded), each naming the person (logged)."""
    request = context["request"]
    user = request.user
    if OrgKind.RECEPTION not in user.organisation_kinds(Cap.PEOPLE_VIEW):
        return {"show": False}
    today = timezone.localdate()
    flights = list(
        ArrivalBatch.objects.visible_to(user)
        .filter(date__gte=today - dt.timedelta(days=1), date__lte=today + dt.timedelta(days=14))
        .annotate(
            on_manifest=Count("arrivals"), waiting=Count("arrivals", filter=Q(arrivals__received=False))
        )
        .order_by("date", "flight")[:HOME_LINES]
    )
    follow_ups = list(
        FollowUp.objects.visible_to(user)
        .filter(recorded_on=None, due_on__lte=today + dt.timedelta(days=7))
        .select_related("person")
        .order_by("due_on", "pk")[:HOME_LINES]
    )
    # People announced by a pre-arrival packet (reception.handover), soonest first.
    expected = list(handover.expected_packets(user).order_by("expected_on", "pk")[:HOME_LINES])
    log_list(
        Reader.of(request),
        Person,
        [(f.person_id, f.person.organisation_id) for f in follow_ups]
        + [(p.person_id, p.person.organisation_id) for p in expected],
        reason="home",
    )
    return {
        "show": True,
        "today": today,
        "flights": flights,
        "expected": expected,
        "follow_ups": [{"follow_up": f, **due(f.due_on, today)} for f in follow_ups],
    }
