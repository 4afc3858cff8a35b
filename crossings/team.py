"""The home page's blocks for those who look after the others (issue 13 item 1): for a supervisor or an
organisation administrator, the team's overdue work per worker, unusual access-log activity (emergency
access, unusual volumes of reads) and background jobs that failed (alert e-mails, webhook deliveries,
reminders); for an analyst, the latest figures and their own reports. Counts and user names only — no
person is named — so nothing here is a read of personal data. A few grouped queries per block, whatever the
size of the caseload (tests/test_home_shows_what_is_due.py).

A template-tag library of its own (``{% load team %}``, registered in settings), above the apps it counts,
so that none of them imports another to be counted."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django import template
from django.db.models import Count
from django.utils import timezone

from crossings.accounts.roles import Cap, Role

if TYPE_CHECKING:
    from crossings.accounts.models import User

register = template.Library()

# Reads of records by one user in one day above which a supervisor is told: a typical caseworker opens a
# few dozen records a day; a sweep of hundreds is either a bulk job or someone looking where they should not.
UNUSUAL_READS_A_DAY = 200
LINES = 8


def _watched_orgs(user: User) -> frozenset[int]:
    """The organisations whose team this user looks after: where they are a supervisor or administrator."""
    return frozenset(
        org for org, roles in user.scope.roles.items() if {Role.SUPERVISOR, Role.ORG_ADMIN} & set(roles)
    )


@register.inclusion_tag("today/team.html", takes_context=True)
def team_today(context: dict[str, Any]) -> dict[str, Any]:
    from crossings.audit.models import AccessLog
    from crossings.cases.models import Task
    from crossings.legal.models import Notification
    from crossings.reminders.models import Reminder
    from crossings.webhooks.models import Delivery

    user = context["request"].user
    orgs = _watched_orgs(user)
    if not orgs:
        return {"show": False}
    now = timezone.now()
    today = timezone.localdate()
    overdue = list(
        Task.objects.filter(case__organisation_id__in=orgs)
        .overdue(today)
        .values("assignee__username")
        .annotate(n=Count("pk"))
        .order_by("-n", "assignee__username")[:LINES]
    )
    audit = bool(user.scope.orgs_with(Cap.AUDIT_VIEW) & orgs)
    week = now - dt.timedelta(days=7)
    break_glass = (
        list(
            AccessLog.objects.filter(
                organisation_id__in=orgs, action=AccessLog.Action.BREAK_GLASS, at__gte=week
            )
            .values("user__username")
            .annotate(n=Count("pk"))
            .order_by("-n")[:LINES]
        )
        if audit
        else []
    )
    heavy = (
        list(
            AccessLog.objects.filter(organisation_id__in=orgs, at__gte=now - dt.timedelta(days=1))
            .values("user__username")
            .annotate(n=Count("pk"))
            .filter(n__gt=UNUSUAL_READS_A_DAY)
            .order_by("-n")[:LINES]
        )
        if audit
        else []
    )
    failed = {
        "alerts": Notification.objects.filter(
            organisation_id__in=orgs, status=Notification.Status.FAILED
        ).count(),
        "webhooks": Delivery.objects.filter(
            subscription__organisation_id__in=orgs, status=Delivery.Status.FAILED
        ).count(),
        "reminders": Reminder.objects.filter(organisation_id__in=orgs, status=Reminder.Status.FAILED).count(),
    }
    return {
        "show": True,
        "overdue": overdue,
        "audit": audit,
        "break_glass": break_glass,
        "heavy": heavy,
        "unusual": UNUSUAL_READS_A_DAY,
        "failed": failed,
        "any_failed": any(failed.values()),
        "can_people": user.scope.can(Cap.PEOPLE_VIEW),
        "can_manage": user.scope.can(Cap.ORG_MANAGE),
    }


@register.inclusion_tag("today/figures.html", takes_context=True)
def figures_today(context: dict[str, Any]) -> dict[str, Any]:
    """For an analyst (aggregate data only): the latest official publications loaded, and their reports."""
    from crossings.stats.models import Publication, Report

    user = context["request"].user
    roles = {r for rs in user.scope.roles.values() for r in rs}
    if Role.ANALYST not in roles:
        return {"show": False}
    return {
        "show": True,
        "publications": list(Publication.objects.order_by("-published_on", "-pk")[:5]),
        "reports": list(Report.objects.filter(requested_by=user).order_by("-created_at")[:5]),
    }
