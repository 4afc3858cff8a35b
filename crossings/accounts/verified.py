"""Whether a session may see anything personal yet: one small rule with no imports of its own, so that both
the access rules (``rules``) and the draft keeping (``keep``), which call each other's door, can ask it."""

from __future__ import annotations

from typing import Any


def fully_authenticated(user: Any) -> bool:
    """Logged in, and past the second factor when the user's roles need one. Until then a session has
    passed the password only: nothing personal and no navigation may be shown to it."""
    if not getattr(user, "is_authenticated", False):
        return False
    if not user.needs_two_factor():
        return True
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified is not None and is_verified())
