"""The home page's referral block: referrals waiting for the user's organisations."""

from __future__ import annotations

from typing import Any

from django import template

from crossings.accounts.roles import Cap
from crossings.audit.reads import Reader
from crossings.people import selectors
from crossings.people.models import Referral
from crossings.today import HOME_LINES

register = template.Library()


@register.inclusion_tag("today/referrals.html", takes_context=True)
def referrals_today(context: dict[str, Any]) -> dict[str, Any]:
    """Pending referrals to the organisations where the user may answer them: who, from whom, what for."""
    request = context["request"]
    orgs = request.user.scope.orgs_with(Cap.PEOPLE_EDIT)
    if not orgs:
        return {"show": False}
    pending = list(
        Referral.objects.filter(to_organisation_id__in=orgs, status=Referral.Status.PENDING)
        .select_related("person", "from_organisation")
        .order_by("created_at", "pk")[:HOME_LINES]
    )
    selectors.referrals_of(Reader.of(request), pending)
    return {"show": True, "referrals": pending}
