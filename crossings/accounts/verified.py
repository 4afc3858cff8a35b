"""Whether a session may see anything personal yet: one small rule with no imports of its own, so that both
the access rules (``rules``) and the draft keeping (``keep``), which call each other's door, can ask it."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeGuard, cast

if TYPE_CHECKING:
    from crossings.accounts.models import User


def fully_authenticated(user: object) -> TypeGuard[User]:
    """Logged in, and past the second factor when the user's roles need one. Until then a session has
    passed the password only: nothing personal and no navigation may be shown to it. (Whatever the request
    carried, an anonymous user or none: once this is True, it is a ``User``.)"""
    if not getattr(user, "is_authenticated", False):
        return False
    if not cast("User", user).needs_two_factor():
        return True
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified is not None and is_verified())
