"""The Django admin is the back office: open to superusers and to organisation administrators (the
``org.manage`` capability of their membership role, not Django model permissions or the staff flag), once
they are fully authenticated (past the second factor when their role needs one). What each administrator
may do there is decided per model in ``crossings/accounts/admin.py``."""

from __future__ import annotations

from typing import Any

from django.contrib.admin import AdminSite
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from crossings.accounts.roles import Cap
from crossings.accounts.rules import fully_authenticated


def admin_allows(request: HttpRequest) -> bool:
    user = request.user
    if not fully_authenticated(user) or not user.is_active:
        return False
    return bool(user.is_superuser or user.scope.can(Cap.ORG_MANAGE))


def _login(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """The back office has no login of its own (Django's asks for the staff flag and skips the second
    factor): the application's login, then back here."""
    if request.user.is_authenticated:
        return redirect("home")
    return redirect_to_login(request.GET.get("next") or "/admin/")


def restrict_admin(site: AdminSite) -> None:
    site.has_permission = admin_allows  # type: ignore[method-assign]
    site.login = _login  # type: ignore[method-assign]
    site.site_header = "Crossings"
    site.site_title = "Crossings back office"
