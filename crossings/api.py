"""The JSON API under /api/: one NinjaAPI, one router per app, one error shape.

Every error body is ``{"detail": str, "errors": [{"field": str, "message": str}]}``. Authentication is a
bearer token (``Authorization: Bearer cx_…``) or the browser session (with its CSRF check); both put the
same user on ``request.user`` so the scoping helper applies unchanged.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer

from crossings.accounts.models import ApiToken
from crossings.accounts.rules import public
from crossings.api_helpers import Paginated, error_body
from crossings.errors import Refused

logger = logging.getLogger(__name__)


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = ApiToken.authenticate(token)
        if user is not None:
            request.user = user
        return user


class Session(APIKeyCookie):
    """The logged-in browser session, subject to the same two-factor rule as the pages."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if user.needs_two_factor() and not user.is_verified():
            return None
        return user


api = NinjaAPI(
    title="Crossings API",
    version="1",
    description="Scoped JSON API for Crossings. Field names are English snake_case. Errors: "
    '`{"detail": …, "errors": [{"field": …, "message": …}]}`.',
    auth=[BearerToken(), Session()],
    urls_namespace="api",
    # The schema and its docs hold no data: open to all, so client authors and schemathesis can read them.
    docs_decorator=public,
)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = []
    for err in exc.errors:
        loc = [str(part) for part in err.get("loc", ()) if part not in ("body", "payload", "query", "path")]
        errors.append({"field": ".".join(loc), "message": str(err.get("msg", ""))})
    return api.create_response(request, error_body(_("The request is not valid."), errors), status=422)


@api.exception_handler(DjangoValidationError)
def on_invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    """A model or service said no: 422 for refused input, 409 for a state that forbids it now
    (crossings/errors.py), one entry per field, like schema validation errors."""
    if hasattr(exc, "error_dict"):
        errors = [
            {"field": "" if field == NON_FIELD_ERRORS else field, "message": str(message)}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    else:
        errors = [{"field": "", "message": str(m)} for m in exc.messages]
    status = exc.status if isinstance(exc, Refused) else 422
    return api.create_response(request, error_body(errors[0]["message"], errors), status=status)


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def on_unstorable(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A value the database cannot hold that no schema rule caught (PostgreSQL refuses a NUL character in any
    text, and text or numbers too big for their column; SQLite's driver raises OverflowError for an id past
    64 bits, ``?a=-1747022757592502370304``): the client's input, so 422, not a server error. Logged by
    exception type and path only, never the value."""
    logger.warning("API input refused by the database (%s) on %s", type(exc).__name__, request.path)
    message = _("A value in the request cannot be stored: too long, out of range, or with a NUL character.")
    return api.create_response(request, error_body(message), status=422)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(request, error_body(_("Authentication required.")), status=401)
    response["WWW-Authenticate"] = 'Bearer realm="crossings"'
    return response


@api.exception_handler(PermissionDenied)
def on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, error_body(str(exc) or _("You may not do this.")), status=403)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, error_body(_("Not found.")), status=404)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, error_body(str(exc)), status=exc.status_code)


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE: the API's error shape, not Django's HTML 400 page."""
    return api.create_response(request, error_body(_("The request body is too large.")), status=413)


@api.exception_handler(Exception)
def on_unhandled(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Any other failure: a JSON 500 that names nothing of the inside (no exception text, no path, no
    trace). The log gets the exception type, the route and the stack, but not the exception's message,
    which may quote a value (a database error repeats the offending key)."""
    logger.error(
        "Unhandled %s on %s %s\n%s",
        type(exc).__name__,
        request.method,
        request.path,
        "".join(traceback.format_tb(exc.__traceback__)),
    )
    return api.create_response(request, error_body(_("Something went wrong on our side.")), status=500)


__all__ = ["Paginated", "api", "error_body"]


def _register_routers() -> None:
    from crossings.accompaniment.api import router as accompaniment_router
    from crossings.accounts.api import router as accounts_router
    from crossings.bonds.api import router as bonds_router
    from crossings.calls.api import router as calls_router
    from crossings.cases.api import router as cases_router
    from crossings.exchange.api import router as exchange_router
    from crossings.legal.api import router as legal_router
    from crossings.outreach.api import router as outreach_router
    from crossings.people.api import router as people_router
    from crossings.reception.api import router as reception_router
    from crossings.reception.handover_api import router as handover_router
    from crossings.reminders.api import router as reminders_router
    from crossings.stats.api import router as stats_router

    api.add_router("/", accounts_router)
    api.add_router("/", people_router)
    api.add_router("/", cases_router)
    api.add_router("/", legal_router)
    api.add_router("/", reception_router)
    api.add_router("/", handover_router)
    api.add_router("/", calls_router)
    api.add_router("/", bonds_router)
    api.add_router("/", accompaniment_router)
    api.add_router("/", outreach_router)
    api.add_router("/", stats_router)
    api.add_router("/", exchange_router)
    api.add_router("/", reminders_router)


_register_routers()
