"""Deployment check (``crossings check --deploy``): production does not send webhooks into its own network."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def webhooks_stay_public(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if settings.PRODUCTION and settings.WEBHOOKS_LOCAL_TARGETS:
        return [
            checks.Warning(
                "CROSSINGS_WEBHOOKS_LOCAL_TARGETS is on in production: webhooks may be sent over plain http "
                "and to private and local addresses (SSRF).",
                hint="Unset CROSSINGS_WEBHOOKS_LOCAL_TARGETS; see docs/webhooks.md, Addresses.",
                id="crossings.W020",
            )
        ]
    return []
