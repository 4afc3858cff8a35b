"""X-Forwarded-For and X-Forwarded-Proto are believed only from a configured reverse proxy
(CROSSINGS_TRUSTED_PROXIES); from anyone else they are dropped, so a client can neither pose as HTTPS nor
as another address (the lockout and the access log key on the client's address)."""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from crossings.accounts.middleware import TrustedProxyMiddleware


def seen(settings, trusted: list[str], **meta: str) -> tuple[str, bool, str | None]:
    settings.CROSSINGS_TRUSTED_PROXIES = trusted
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    captured: dict[str, object] = {}

    def view(request: HttpRequest) -> HttpResponse:
        captured["addr"] = request.META["REMOTE_ADDR"]
        captured["secure"] = request.is_secure()
        captured["xff"] = request.META.get("HTTP_X_FORWARDED_FOR")
        return HttpResponse()

    TrustedProxyMiddleware(view)(RequestFactory().get("/", **meta))
    return captured["addr"], captured["secure"], captured["xff"]  # type: ignore[return-value]


def test_headers_from_an_untrusted_peer_are_dropped(settings):
    addr, secure, xff = seen(
        settings,
        ["10.0.0.1"],
        REMOTE_ADDR="203.0.113.9",
        HTTP_X_FORWARDED_FOR="198.51.100.1",
        HTTP_X_FORWARDED_PROTO="https",
    )
    assert (addr, secure, xff) == ("203.0.113.9", False, None)


def test_no_trusted_proxy_configured_means_no_header_is_believed(settings):
    addr, secure, _ = seen(
        settings,
        [],
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.1",
        HTTP_X_FORWARDED_PROTO="https",
    )
    assert (addr, secure) == ("127.0.0.1", False)


def test_a_trusted_proxy_gives_the_client_address_and_scheme(settings):
    addr, secure, _ = seen(
        settings,
        ["10.0.0.0/8"],
        REMOTE_ADDR="10.0.0.1",
        # A client-supplied entry on the left is ignored; the right-most untrusted hop is the client.
        HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7, 10.0.0.2",
        HTTP_X_FORWARDED_PROTO="https",
    )
    assert (addr, secure) == ("198.51.100.7", True)


def test_a_malformed_forwarded_address_keeps_the_proxy_address(settings):
    addr, _, _ = seen(settings, ["10.0.0.1"], REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="not-an-ip")
    assert addr == "10.0.0.1"


@pytest.mark.django_db
def test_a_forged_forwarded_for_does_not_reach_the_access_log(settings, caseworker, person, login):
    from crossings.audit.models import AccessLog

    settings.CROSSINGS_TRUSTED_PROXIES = ["10.0.0.1"]
    client = login(caseworker)
    client.get(f"/people/{person.pk}/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert AccessLog.objects.latest("pk").ip_address == "203.0.113.9"
    client.get(f"/people/{person.pk}/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert AccessLog.objects.latest("pk").ip_address == "198.51.100.1"
