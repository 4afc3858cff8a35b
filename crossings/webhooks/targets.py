"""Which addresses a webhook may be sent to. Crossings makes the request, so a subscription must not be a
way to reach the machines beside it (SSRF): in production only ``https`` to a public address, checked when
the subscription is made and again, after a fresh DNS lookup, before every attempt; redirects are never
followed. Tests and the demo (``WEBHOOKS_LOCAL_TARGETS``) may also use ``http`` to this machine."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from crossings.errors import Refused

LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


def _is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def addresses(host: str, port: int) -> list[str]:
    """The addresses ``host`` stands for: itself if it is one, else what DNS answers now."""
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise Refused(_("This address cannot be found."), field="url") from exc
    return sorted({str(info[4][0]) for info in found})


def check(url: str) -> str:
    """The URL, or Refused saying why it cannot be a webhook address."""
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host:
        raise Refused(_("Give a full address starting with https://."), field="url")
    if parts.username or parts.password:
        raise Refused(_("The address must not contain a user name or password."), field="url")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise Refused(_("Give a full address starting with https://."), field="url") from exc
    if settings.WEBHOOKS_LOCAL_TARGETS and _is_loopback(host):
        return url.strip()  # tests and the demo: a receiver on this machine, http allowed
    if parts.scheme != "https":
        raise Refused(_("Webhooks are sent over https only."), field="url")
    if not settings.WEBHOOKS_LOCAL_TARGETS and (
        host.lower() in LOOPBACK_NAMES or not all(_public(a) for a in addresses(host, port))
    ):
        raise Refused(
            _("This address is on a private or local network; webhooks go to public addresses only."),
            field="url",
        )
    return url.strip()
