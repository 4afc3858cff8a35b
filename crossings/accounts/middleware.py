from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import Callable
from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _


class UserLanguageMiddleware:
    """A logged-in user's chosen language wins over the browser's, on every device they use."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            request.LANGUAGE_CODE = user.language
            # override() restores the previous language afterwards, so it never leaks into whatever this
            # thread does next (another request, a task, a test).
            with translation.override(user.language):
                return self.get_response(request)
        return self.get_response(request)


class TwoFactorRequiredMiddleware:
    """Users holding a role listed in TWO_FACTOR_ROLES see nothing until they pass a TOTP check."""

    ALWAYS_OPEN = ("/account/2fa/", "/logout/", "/static/", "/i18n/", "/healthz")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user: Any = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and user.needs_two_factor()
            and not request.path.startswith(self.ALWAYS_OPEN)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": _("Two-factor verification required."), "errors": []}, status=403
                )
            return redirect(reverse("two_factor") + "?next=" + request.get_full_path())
        return self.get_response(request)


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _trusted(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)
    except ValueError as exc:
        raise ImproperlyConfigured(f"CROSSINGS_TRUSTED_PROXIES: {exc}") from exc


def _is_trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in net for net in networks)


class TrustedProxyMiddleware:
    """Believe X-Forwarded-For and X-Forwarded-Proto only from a configured reverse proxy.

    From a trusted proxy (CROSSINGS_TRUSTED_PROXIES: addresses or networks), REMOTE_ADDR becomes the
    client's address: the right-most X-Forwarded-For entry that is not itself a trusted proxy (the entries
    left of it are whatever the client sent). From anyone else both headers are removed, so a client cannot
    pose as HTTPS (SECURE_PROXY_SSL_HEADER) or as another address (lockout, access log). First in the
    middleware list, so everything after sees the corrected request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        networks = _trusted(tuple(settings.CROSSINGS_TRUSTED_PROXIES))
        meta = request.META
        peer = meta.get("REMOTE_ADDR", "")
        if networks and _is_trusted(peer, networks):
            hops = [h.strip() for h in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
            client = next((h for h in reversed(hops) if not _is_trusted(h, networks)), None)
            if client is not None:
                # A malformed entry: keep the proxy's own address.
                with contextlib.suppress(ValueError):
                    meta["REMOTE_ADDR"] = str(ipaddress.ip_address(client))
        else:
            meta.pop("HTTP_X_FORWARDED_FOR", None)
            meta.pop("HTTP_X_FORWARDED_PROTO", None)
        return self.get_response(request)
