"""Login lockout per account, with an exponential backoff (django-axes does the counting).

Failures are counted per user name, from any address: keyed on name *and* address, anyone behind the
documented reverse proxy (one address for all) locked out everyone, while an attacker with many addresses
was not slowed at all. CROSSINGS_LOCKOUT_FAILURES (5) failures within CROSSINGS_LOCKOUT_MAX_MINUTES (30)
lock the account for CROSSINGS_LOCKOUT_FIRST_MINUTES (1) after the last failure; every further failure
while locked, or a further lockout within a day, doubles that, up to the maximum. So a lock an attacker
causes ends by itself within half an hour of their last try, and password guessing slows to five tries per
half hour. A successful login forgets it all."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from axes.helpers import get_client_username
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db.models import F
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

if TYPE_CHECKING:
    from crossings.accounts.models import User

REMEMBERED = timedelta(days=1)


def _first() -> timedelta:
    return timedelta(minutes=settings.CROSSINGS_LOCKOUT_FIRST_MINUTES)


def _cap() -> timedelta:
    return timedelta(minutes=settings.CROSSINGS_LOCKOUT_MAX_MINUTES)


def _username(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    try:
        return str(get_client_username(request, getattr(request, "axes_credentials", None)) or "")
    except Exception:
        return ""


def lock_duration(lockouts: int) -> timedelta:
    """How long the account stays locked after its ``lockouts``-th lock: 1, 2, 4 … minutes, up to the cap."""
    if lockouts <= 0:
        return _cap()
    return min(_cap(), _first() * 2 ** min(lockouts - 1, 30))


def cool_off(request: HttpRequest | None) -> timedelta:
    """AXES_COOLOFF_TIME: before any lock, failures are remembered for the maximum; once locked, the lock
    (and the memory of the failures) lasts lock_duration(number of recent lockouts)."""
    from crossings.accounts.models import LoginLockout

    username = _username(request)
    if not username:
        return _cap()
    row = LoginLockout.objects.filter(username=username, last_at__gte=timezone.now() - REMEMBERED).first()
    return lock_duration(row.count if row else 0)


@receiver(user_locked_out)
def _count_lockout(sender: Any, username: str | None = None, **kw: Any) -> None:
    from crossings.accounts.models import LoginLockout

    if not username:
        return
    now = timezone.now()
    updated = LoginLockout.objects.filter(username=username, last_at__gte=now - REMEMBERED).update(
        count=F("count") + 1, last_at=now
    )
    if not updated:
        LoginLockout.objects.update_or_create(username=username, defaults={"count": 1, "last_at": now})


@receiver(user_logged_in)
def _forget_lockouts(
    sender: Any, request: HttpRequest | None = None, user: User | None = None, **kw: Any
) -> None:
    from crossings.accounts.models import LoginLockout

    if user is not None:
        LoginLockout.objects.filter(username=user.get_username()).delete()
