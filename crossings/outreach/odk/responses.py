"""OpenRosa responses: the headers every answer carries, the message envelope, the Digest challenge, and
``openrosa_view``, which authenticates the HTTP way and then applies the same ``Rule`` as every page.

Why not ``@requires(Cap.OUTREACH_USE)``: the rule system authenticates by the browser session and answers
an anonymous request with a redirect to the login page, which ODK Collect cannot follow. ``openrosa_view``
authenticates the HTTP way first, then applies the very same ``Rule`` object the rule system uses, and sets
``crossings_rule`` so the role-matrix test sees the route's rule like any other."""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from typing import Any
from xml.sax.xmlreader import AttributesImpl

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import http_date
from django.utils.xmlutils import SimplerXMLGenerator
from django.views.decorators.csrf import csrf_exempt

from crossings.accounts.models import User
from crossings.accounts.roles import Cap
from crossings.outreach.odk.auth import REALM, RULE, authenticate, make_nonce, make_opaque
from crossings.outreach.odk.ingest import ACCEPT_CONTENT_LENGTH


# ---------------------------------------------------------------------------------------------------------
# Responses
# ---------------------------------------------------------------------------------------------------------
def _headers(response: HttpResponse) -> HttpResponse:
    response["X-OpenRosa-Version"] = "1.0"
    response["X-OpenRosa-Accept-Content-Length"] = str(ACCEPT_CONTENT_LENGTH)
    response["Date"] = http_date()
    return response


def attrs(**values: str) -> AttributesImpl[str]:
    return AttributesImpl(values)


def openrosa_message(message: str, *, status: int, nature: str = "") -> HttpResponse:
    """An OpenRosaResponse body: Collect shows ``message`` to the worker."""
    out = io.StringIO()
    xml = SimplerXMLGenerator(out, "utf-8")
    xml.startDocument()
    xml.startElement("OpenRosaResponse", attrs(xmlns="http://openrosa.org/http/response"))
    xml.addQuickElement("message", message, {"nature": nature} if nature else {})
    xml.endElement("OpenRosaResponse")
    xml.endDocument()
    return _headers(HttpResponse(out.getvalue(), status=status, content_type="text/xml; charset=utf-8"))


def challenge(request: HttpRequest, *, stale: bool = False) -> HttpResponse:
    response = openrosa_message("Authentication required: check the user name and password.", status=401)
    value = (
        f'Digest realm="{REALM}", qop="auth", algorithm=MD5, nonce="{make_nonce()}", opaque="{make_opaque()}"'
        + (", stale=true" if stale else "")
    )
    if request.is_secure():
        # One header carrying two challenges (RFC 7235 §4.1): Django keeps one value per header name.
        value += f', Basic realm="{REALM}", charset="UTF-8"'
    response["WWW-Authenticate"] = value
    return response


class OpenRosaRequest(HttpRequest):
    user: User
    openrosa_org_id: int


def openrosa_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """HTTP Basic/Digest authentication, then the OUTREACH_USE rule, then the OpenRosa headers."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        result = authenticate(request)
        if result.credential is None:
            return challenge(request, stale=result.stale)
        credential = result.credential
        request.user = credential.user
        request.openrosa_org_id = credential.organisation_id  # type: ignore[attr-defined]
        if not RULE.allows(credential.user) or not credential.user.scope.can(
            Cap.OUTREACH_USE, credential.organisation_id
        ):
            return openrosa_message("This account may not send outreach data.", status=403)
        try:
            return _headers(view(request, *args, **kwargs))
        except Http404:
            return openrosa_message("Not found.", status=404)

    wrapped.crossings_rule = RULE  # type: ignore[attr-defined]
    return csrf_exempt(wrapped)


# ---------------------------------------------------------------------------------------------------------
# Forms
# ---------------------------------------------------------------------------------------------------------
def xml_response(build: Callable[[SimplerXMLGenerator], None]) -> HttpResponse:
    out = io.StringIO()
    xml = SimplerXMLGenerator(out, "utf-8")
    xml.startDocument()
    build(xml)
    xml.endDocument()
    return HttpResponse(out.getvalue(), content_type="text/xml; charset=utf-8")
