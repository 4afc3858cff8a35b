"""Who made a change, for the history tables (django-simple-history), set in one place.

simple_history reads ``instance._history_user`` and ``instance._change_reason`` when the instance is saved;
services call ``written_by`` just before ``save()`` rather than setting private attributes by hand.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser


def written_by(instance: models.Model, user: AbstractBaseUser | None, reason: str = "") -> None:
    """Record ``user`` (and why, when given) as the author of ``instance``'s next save; None for a change
    no one made by hand. (Django's user base type: this module stands below the accounts app.)"""
    # setattr: these are simple_history's hooks, not fields the model declares
    setattr(instance, "_history_user", user)  # noqa: B010
    if reason:
        setattr(instance, "_change_reason", reason)  # noqa: B010
