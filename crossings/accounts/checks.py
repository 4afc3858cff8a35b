"""System checks for settings that Django's own deployment checks let through."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register


@register("security", deploy=True)
def allowed_hosts_are_named(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """In production every host must be named: ``*`` (or a bare ``.``) accepts any Host header, so password
    reset links, absolute URLs and calendar-feed addresses could be built on an attacker's host name."""
    if settings.MODE != "production":
        return []
    wild = [host for host in settings.ALLOWED_HOSTS if host in ("*", ".")]
    if not wild:
        return []
    return [
        Error(
            "CROSSINGS_ALLOWED_HOSTS holds a wildcard (" + ", ".join(map(repr, wild)) + ").",
            hint="Name the service's host names, e.g. CROSSINGS_ALLOWED_HOSTS=crossings.example.org",
            id="crossings.E010",
        )
    ]
