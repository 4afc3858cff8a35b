"""Deployment checks (``crossings check --deploy``) for what the legal track needs in production."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def base_url_is_https(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """E-mails link back to the site with CROSSINGS_BASE_URL: unset, the links would be broken; over http,
    a responder's click would travel unencrypted."""
    url = getattr(settings, "CROSSINGS_BASE_URL", "")
    parts = urlsplit(url)
    if not url:
        return [
            checks.Error(
                "CROSSINGS_BASE_URL is not set: e-mails cannot link to the site.",
                hint="Set CROSSINGS_BASE_URL to the https address people use, e.g. https://crossings.example.org",
                id="crossings.E001",
            )
        ]
    if parts.scheme != "https" or not parts.netloc:
        return [
            checks.Error(
                f"CROSSINGS_BASE_URL must be an https address, not {url!r}.",
                hint="Links in e-mails must not send people to an unencrypted page.",
                id="crossings.E002",
            )
        ]
    return []
