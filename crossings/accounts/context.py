from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from crossings.accounts.roles import Cap, OrgKind
from crossings.accounts.rules import fully_authenticated


def navigation(request: HttpRequest) -> dict[str, Any]:
    """What the menu offers: only what the user's roles open, so nobody is shown a door that is locked."""
    user = getattr(request, "user", None)
    # A session that has passed the password but not yet the second factor sees no menu at all.
    if user is None or not fully_authenticated(user):
        return {"nav": {}, "fully_authenticated": False}
    scope = user.scope
    # The legal and reception doors follow the kind of organisation: a reception worker is not offered the
    # deadlines and rapid response of a legal programme, nor an advocate the arrival flights.
    kinds = user.organisation_kinds(Cap.PEOPLE_VIEW) if scope.can(Cap.PEOPLE_VIEW) else frozenset()
    return {
        "fully_authenticated": True,
        "nav": {
            "people": scope.can(Cap.PEOPLE_VIEW),
            "legal": OrgKind.ADVOCACY in kinds,
            "reception": OrgKind.RECEPTION in kinds,
            "audit": scope.can(Cap.AUDIT_VIEW),
            "outreach": scope.can(Cap.OUTREACH_USE),
            "admin": user.is_superuser or scope.can(Cap.ORG_MANAGE),
            "webhooks": scope.can(Cap.ORG_MANAGE),
            "accompaniment": scope.can(Cap.ACCOMPANY),
            "accompaniment_staff": OrgKind.ADVOCACY in kinds,
            # A volunteer and nothing else uses one page: the menu offers only that one (and no statistics
            # or API tokens, which they have no work for).
            "general": any(scope.can(cap) for cap in Cap if cap != Cap.ACCOMPANY) or user.is_superuser,
        },
    }
