"""The Django admin is the back office: open only to staff accounts that are superusers or organisation
administrators, after two-factor verification when their role requires it."""

from __future__ import annotations

from typing import Any

from django.contrib.admin import AdminSite
from django.http import HttpRequest

from crossings.accounts.roles import Cap


def admin_allows(request: HttpRequest) -> bool:
    user: Any = request.user
    if not (user.is_active and user.is_staff):
        return False
    if user.needs_two_factor() and not user.is_verified():
        return False
    return bool(user.is_superuser or user.scope.can(Cap.ORG_MANAGE))


def restrict_admin(site: AdminSite) -> None:
    site.has_permission = admin_allows  # type: ignore[method-assign]
    site.site_header = "Crossings"
    site.site_title = "Crossings back office"
