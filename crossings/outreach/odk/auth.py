"""OpenRosa authentication: per-user ODK credentials (a password of its own, stored as the Digest HA1),
HTTP Digest with server-signed nonces, Basic over HTTPS only, and the lockout after repeated failures."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit
from urllib.request import parse_http_list, parse_keqv_list

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from crossings import fastsql
from crossings.accounts.models import Organisation, User
from crossings.accounts.roles import Cap
from crossings.accounts.rules import Rule
from crossings.formtools import row_id
from crossings.outreach.models import OpenRosaCredential

log = logging.getLogger(__name__)

REALM = "Crossings OpenRosa"
NONCE_SECONDS = 300
MAX_FAILURES = 10
LOCK_MINUTES = 15
RULE = Rule("cap", Cap.OUTREACH_USE)


# ---------------------------------------------------------------------------------------------------------
# Credentials
# ---------------------------------------------------------------------------------------------------------
def ha1_of(username: str, realm: str, password: str) -> str:
    return hashlib.md5(f"{username}:{realm}:{password}".encode()).hexdigest()  # noqa: S324 - RFC 7616 MD5


@transaction.atomic
def set_credential(
    *, user: User, organisation: Organisation, password: str, by: User | None
) -> OpenRosaCredential:
    """Give ``user`` an ODK Collect password for ``organisation`` (replacing any earlier one)."""
    if len(password) < 10:
        raise ValueError("An ODK password needs at least 10 characters.")
    if not user.scope.can(Cap.OUTREACH_USE, organisation.pk):
        raise PermissionDenied("This user has no outreach role in that organisation.")
    credential, _ = OpenRosaCredential.objects.update_or_create(
        user=user,
        defaults={
            "organisation": organisation,
            "realm": REALM,
            "ha1": ha1_of(user.username, REALM, password),
            "is_active": True,
            "failures": 0,
            "locked_until": None,
            "set_by": by,
        },
    )
    return credential


def make_nonce(now: float | None = None) -> str:
    stamp = str(int(now if now is not None else time.time()))
    sig = hmac.new(settings.SECRET_KEY.encode(), f"openrosa-nonce:{stamp}".encode(), "sha256").hexdigest()[
        :32
    ]
    return f"{stamp}.{sig}"


def _nonce_state(nonce: str) -> str:
    """ "ok", "stale" (ours but expired: the client retries with a fresh one silently) or "bad"."""
    stamp = row_id(nonce.partition(".")[0])
    # bytes: compare_digest refuses str with non-ASCII characters, which a header can carry (a 500 before)
    if stamp is None or not hmac.compare_digest(make_nonce(stamp).encode(), nonce.encode()):
        return "bad"
    return "ok" if time.time() - stamp <= NONCE_SECONDS else "stale"


def make_opaque() -> str:
    return hashlib.sha256(f"opaque:{settings.SECRET_KEY}".encode()).hexdigest()[:32]


@dataclass
class AuthResult:
    credential: OpenRosaCredential | None
    stale: bool = False


def _credential(username: str) -> OpenRosaCredential | None:
    # Two lookups by key through fastsql: this runs on every request of the ingest hot path.
    user = fastsql.fetch(User, username=username, is_active=True)
    if user is None:
        return None
    credential = fastsql.fetch(OpenRosaCredential, user_id=user.pk, is_active=True)
    if credential is not None:
        credential.user = user
    return credential


def _basic_allowed(request: HttpRequest) -> bool:
    # Basic sends the password itself: only inside TLS. Tests and the laptop demo run plain HTTP.
    return request.is_secure() or not settings.PRODUCTION


def _check(credential: OpenRosaCredential | None, ok: Callable[[OpenRosaCredential], bool]) -> AuthResult:
    if credential is None:
        return AuthResult(None)
    now = timezone.now()
    if credential.locked_until is not None and credential.locked_until > now:
        return AuthResult(None)
    if ok(credential):
        if credential.failures:
            OpenRosaCredential.objects.filter(pk=credential.pk).update(failures=0, locked_until=None)
        return AuthResult(credential)
    # Counted in the database, not from the value read: parallel wrong guesses must each count.
    OpenRosaCredential.objects.filter(pk=credential.pk).update(failures=F("failures") + 1)
    OpenRosaCredential.objects.filter(pk=credential.pk, failures__gte=MAX_FAILURES).update(
        failures=0, locked_until=now + timedelta(minutes=LOCK_MINUTES)
    )
    log.warning("openrosa: failed authentication for credential %s", credential.pk)  # an id, not a name
    return AuthResult(None)


def authenticate(request: HttpRequest) -> AuthResult:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "basic" and _basic_allowed(request):
        try:
            username, _, password = base64.b64decode(value.strip()).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return AuthResult(None)
        return _check(
            _credential(username),
            lambda c: hmac.compare_digest(c.ha1, ha1_of(c.user.username, c.realm, password)),
        )
    if scheme.lower() == "digest":
        params = parse_keqv_list(parse_http_list(value))
        required = ("username", "realm", "nonce", "uri", "response")
        if not all(params.get(k) for k in required) or params["realm"] != REALM:
            return AuthResult(None)
        state = _nonce_state(params["nonce"])
        if state == "bad":
            return AuthResult(None)
        # The uri the client signed must be this request's (path and query), or a signature for one URL
        # could be replayed against another.
        if urlsplit(params["uri"]).path != request.path:
            return AuthResult(None)

        def digest_ok(c: OpenRosaCredential) -> bool:
            ha2 = hashlib.md5(f"{request.method}:{params['uri']}".encode()).hexdigest()  # noqa: S324
            if params.get("qop"):
                parts = [
                    c.ha1,
                    params["nonce"],
                    params.get("nc", ""),
                    params.get("cnonce", ""),
                    params["qop"],
                    ha2,
                ]
            else:
                parts = [c.ha1, params["nonce"], ha2]
            expected = hashlib.md5(":".join(parts).encode()).hexdigest()  # noqa: S324
            return hmac.compare_digest(expected.encode(), params["response"].encode())

        result = _check(_credential(params["username"]), digest_ok)
        if result.credential is not None and state == "stale":
            return AuthResult(None, stale=True)  # right password, old nonce: ask again with stale=true
        return result
    return AuthResult(None)
