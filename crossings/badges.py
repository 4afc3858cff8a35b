"""The counts beside the menu's doors: referrals waiting for an answer, the user's overdue tasks, and (for a
reception organisation) the people announced before their flight. Numbers only, no person named, so no read
is logged; computed only when a page's menu shows them (lazily, a few COUNT queries on indexed columns)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from crossings.accounts.roles import Cap, OrgKind
from crossings.accounts.rules import fully_authenticated

if TYPE_CHECKING:
    from crossings.accounts.models import User


def _counts(user: User) -> dict[str, int]:
    from crossings.cases.models import Task
    from crossings.people.models import Referral
    from crossings.reception import handover

    scope = user.scope
    counts = {
        "referrals": Referral.objects.filter(
            to_organisation_id__in=scope.orgs_with(Cap.PEOPLE_EDIT), status=Referral.Status.PENDING
        ).count()
        if scope.can(Cap.PEOPLE_EDIT)
        else 0,
        "overdue": Task.objects.visible_to(user).overdue().filter(assignee=user).count(),
        "expected": 0,
    }
    if OrgKind.RECEPTION in user.organisation_kinds(Cap.PEOPLE_VIEW):
        counts["expected"] = handover.expected_packets(user).count()
    # A phone's folded menu shows one number on its button: everything the open menu would count.
    counts["total"] = counts["referrals"] + counts["overdue"] + counts["expected"]
    return counts


def badges(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not fully_authenticated(user) or not user.scope.can(Cap.PEOPLE_VIEW):
        return {"badges": {}}
    return {"badges": SimpleLazyObject(lambda: _counts(user))}
