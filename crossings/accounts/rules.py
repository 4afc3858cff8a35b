"""Access rules for views and API operations.

Every view function and API operation carries exactly one rule: ``@public``, ``@login_only`` or
``@requires(Cap.X)``. The role-matrix test walks every route and fails when one has no rule, so a new
route cannot ship without deciding who may use it. Object-level limits are the scoping helper's job
(``Model.objects.visible_to(user)``); these rules decide whether the page or endpoint is open at all.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from crossings.accounts.roles import Cap
from crossings.accounts.verified import fully_authenticated as fully_authenticated  # re-exported

F = TypeVar("F", bound=Callable[..., Any])

if TYPE_CHECKING:
    from crossings.accounts.models import User


class AuthedRequest(HttpRequest):
    """The request a view behind ``@login_only`` or ``@requires`` receives: its user is logged in."""

    user: User


@dataclass(frozen=True)
class Rule:
    kind: str  # "public" | "login" | "cap"
    cap: Cap | None = None

    def allows(self, user: Any) -> bool:
        if self.kind == "public":
            return True
        if not getattr(user, "is_authenticated", False):
            return False
        if self.kind == "login":
            return True
        assert self.cap is not None
        return bool(user.scope.can(self.cap))


def _attach(rule: Rule) -> Callable[[F], F]:
    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if rule.kind != "public" and not request.user.is_authenticated:
                if request.path.startswith("/api/"):
                    raise PermissionDenied
                if request.method == "POST":
                    # The session ended while the form was open: keep what was typed for after the login.
                    from crossings.accounts.keep import login_again

                    return login_again(request)
                return redirect_to_login(request.get_full_path())
            if not rule.allows(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.crossings_rule = rule  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorate


public = _attach(Rule("public"))
login_only = _attach(Rule("login"))


def requires(cap: Cap) -> Callable[[F], F]:
    return _attach(Rule("cap", cap))


def rule_of(view: Callable[..., Any]) -> Rule | None:
    """The rule declared on a view, looking through decorators that keep ``__wrapped__``."""
    seen = view
    while seen is not None:
        rule = getattr(seen, "crossings_rule", None)
        if rule is not None:
            return rule
        seen = getattr(seen, "__wrapped__", None)  # type: ignore[assignment]
    return None
