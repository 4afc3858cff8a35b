"""The one scoping helper: who may see what.

Every view and API endpoint reaches records through ``Model.objects.visible_to(user)``. Each scoped model
states its rule once, in a ``scope_filter(scope)`` classmethod returning a ``Q``; ``ScopedQuerySet`` applies
it. ``Scope`` holds the user's memberships, read once per request.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

from django.conf import settings
from django.db import models

from crossings.accounts.roles import ROLE_CAPABILITIES, Cap


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    # organisation id -> roles held there
    roles: dict[int, frozenset[str]] = field(default_factory=dict)
    is_superuser: bool = False

    @classmethod
    def from_memberships(
        cls, *, user_id: int, memberships: Iterable[tuple[int, str]], is_superuser: bool = False
    ) -> Scope:
        """The scope of a user from their (organisation id, role) pairs. The caller reads the memberships
        (``User.scope``), so this module never imports the models that use it."""
        roles: dict[int, set[str]] = {}
        for org_id, role in memberships:
            roles.setdefault(org_id, set()).add(role)
        return cls(
            user_id=user_id,
            roles={org: frozenset(r) for org, r in roles.items()},
            is_superuser=is_superuser,
        )

    def capabilities(self, org_id: int) -> frozenset[Cap]:
        caps: set[Cap] = set()
        for role in self.roles.get(org_id, ()):
            caps |= ROLE_CAPABILITIES.get(role, frozenset())
        return frozenset(caps)

    def orgs_with(self, cap: Cap) -> frozenset[int]:
        """The organisations in which this user holds ``cap``."""
        return frozenset(org for org in self.roles if cap in self.capabilities(org))

    def acting_organisation(self, cap: Cap, requested: int | None = None) -> int:
        """The organisation a new record is made for: the one asked for if the user holds ``cap`` there,
        else the user's first organisation with it (by id, so the choice is stable). PermissionDenied when
        the user holds ``cap`` nowhere."""
        from django.core.exceptions import PermissionDenied

        orgs = sorted(self.orgs_with(cap))
        if requested is not None and requested in orgs:
            return requested
        if not orgs:
            raise PermissionDenied
        return orgs[0]

    def can(self, cap: Cap, org_id: int | None = None) -> bool:
        if org_id is None:
            return bool(self.orgs_with(cap))
        return cap in self.capabilities(org_id)

    @property
    def all_roles(self) -> frozenset[str]:
        return frozenset().union(*self.roles.values()) if self.roles else frozenset()

    def needs_two_factor(self) -> bool:
        return bool(self.all_roles & set(settings.TWO_FACTOR_ROLES))


class ScopedQuerySet(models.QuerySet):
    """Base queryset for every model that holds data some users must not see."""

    def visible_to(self, user: Any) -> Self:
        scope: Scope = user.scope if getattr(user, "is_authenticated", False) else Scope(user_id=None)
        if scope.user_id is None:
            return self.none()
        return self.filter(self.model.scope_filter(scope))  # type: ignore[attr-defined]


class OrganisationScoped(models.Model):
    """The scoping rule of a record an organisation owns, declared once: visible to the members of the
    owning organisation who hold ``SCOPE_CAP`` there; with ``HIDES_MERGED``, not once the person it is about
    was merged into another record (the survivor's page shows the moved records). A model with another rule
    (people, referrals, tasks) writes its own ``scope_filter``."""

    SCOPE_CAP: ClassVar[Cap] = Cap.PEOPLE_VIEW
    HIDES_MERGED: ClassVar[bool] = False

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def scope_filter(cls, scope: Scope) -> models.Q:
        q = models.Q(organisation_id__in=scope.orgs_with(cls.SCOPE_CAP))
        if cls.HIDES_MERGED:
            q &= models.Q(person__merged_into__isnull=True)
        return q
