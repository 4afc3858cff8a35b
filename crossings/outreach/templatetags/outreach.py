"""The home page's outreach block: the worker's week, stock at or below its low-stock level, and the
phones' failed submissions, the clients due a follow-up (anonymous data:
clients are UICs, so nothing here is a read of a person's record)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.db.models import F
from django.utils import timezone

from crossings.accounts.roles import Cap
from crossings.outreach import followup
from crossings.outreach.models import Encounter, StockBalance, Submission

register = template.Library()


@register.inclusion_tag("today/outreach.html", takes_context=True)
def outreach_today(context: dict[str, Any]) -> dict[str, Any]:
    request = context["request"]
    user = request.user
    if not user.scope.can(Cap.OUTREACH_USE):
        return {"show": False}
    today = timezone.localdate()
    week_start = today - dt.timedelta(days=today.weekday())
    mine = Encounter.objects.visible_to(user).filter(worker=user, date__gte=week_start)
    failed = (
        Submission.objects.visible_to(user)
        .filter(status=Submission.Status.FAILED, received_at__date__gte=today - dt.timedelta(days=7))
        .order_by("-received_at")
    )
    # The same list the phones' clients_due.csv carries, for this worker's sites (anonymous: UICs)
    org = user.scope.acting_organisation(Cap.OUTREACH_USE)
    due = followup.due_clients(organisation_id=org, worker=user, today=today, limit=10)
    due_count = (
        followup.count_due(organisation_id=org, worker=user, today=today) if len(due) == 10 else len(due)
    )
    return {
        "show": True,
        "due": due,
        "due_count": due_count,
        "encounters": mine.count(),
        "clients": mine.values("client_id").distinct().count(),
        "failed": list(failed.values("pk", "reason", "received_at")[:5]),
        "failed_count": failed.count(),
        # Items at or below their site's low-stock level: order before the needles run out.
        "low_stock": list(
            StockBalance.objects.visible_to(user)
            .filter(balance__lte=F("site__low_stock_level"))
            .select_related("site")
            .order_by("balance", "site__name")[:10]
        ),
    }
