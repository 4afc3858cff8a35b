"""The call line in the API: the same selectors and services as the pages, so the same scoping and the
same access log. The search is a POST, like the page's, so a name never sits in a URL."""

import datetime as dt
from typing import Any

from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from crossings.accounts.roles import Cap
from crossings.accounts.rules import AuthedRequest, requires
from crossings.api_helpers import Paginated
from crossings.audit.reads import LoggedPages, Reader
from crossings.calls import selectors, services
from crossings.calls.models import Call
from crossings.people.selectors import person_access

router = Router(tags=["calls"])


class CallIn(Schema):
    caller_name: str = Field("", max_length=200)
    relationship: Call.Relationship = Call.Relationship.OTHER
    caller_language: Call.Language = Call.Language.ENGLISH
    person_name: str = Field("", max_length=200)
    whereabouts: str = Field("", max_length=2000)
    what_happened: str = Field("", max_length=10000)
    callback_number: str = Field("", max_length=50)
    received_at: dt.datetime | None = None


class CallOut(Schema):
    id: int
    organisation_id: int
    caller_name: str
    relationship: str
    caller_language: str
    person_name: str
    whereabouts: str
    what_happened: str
    callback_number: str
    received_at: dt.datetime
    taken_by_id: int
    person_id: int | None
    verified_at: dt.datetime | None
    rapid_response_id: int | None


class SearchIn(Schema):
    q: str = Field("", max_length=selectors.MAX_QUERY)


class LinkIn(Schema):
    person_id: int = Field(..., ge=1, le=10**17)


class RapidResponseIn(Schema):
    verified: bool
    facility: str = Field(..., max_length=200)
    date: dt.date | None = None


def _logged(request: AuthedRequest, calls: Any, query: str = "") -> LoggedPages:
    reader = Reader.of(request)
    return LoggedPages(calls, lambda rows, total: selectors.log_calls(reader, rows, total=total, query=query))


@router.get("/calls", response=list[CallOut], summary="Calls taken by my organisations, newest first")
@requires(Cap.PEOPLE_VIEW)
@paginate(Paginated)
def list_calls(request: AuthedRequest) -> Any:
    return _logged(request, selectors.visible_calls(request.user))


@router.post("/calls/search", response=list[CallOut], summary="Calls by the caller's or the person's name")
@requires(Cap.PEOPLE_VIEW)
@paginate(Paginated)
def search_calls(request: AuthedRequest, payload: SearchIn) -> Any:
    query = payload.q.strip()
    return _logged(request, selectors.matching_calls(request.user, query), query)


@router.post("/calls", response={201: CallOut}, summary="Take a call")
@requires(Cap.PEOPLE_EDIT)
def take_call(request: AuthedRequest, payload: CallIn) -> Any:
    data = {k: v for k, v in payload.dict().items() if v is not None}
    # Idempotency-Key: a client that retries after a timeout gets the first call back, not a second one.
    call = services.take_call(
        organisation_id=request.user.scope.acting_organisation(Cap.PEOPLE_EDIT),
        user=request.user,
        data=data,
        idempotency_key=request.headers.get("Idempotency-Key", ""),
    )
    return Status(201, call)


@router.get("/calls/{call_id}", response=CallOut, summary="One call")
@requires(Cap.PEOPLE_VIEW)
def get_call(request: AuthedRequest, call_id: int) -> Any:
    return selectors.call_for(Reader.of(request), call_id)


@router.post("/calls/{call_id}/link", response=CallOut, summary="Link the call to a person")
@requires(Cap.PEOPLE_EDIT)
def link_call(request: AuthedRequest, call_id: int, payload: LinkIn) -> Any:
    call = selectors.call_access(request.user, call_id)
    person = person_access(request.user, payload.person_id).person
    return services.link_person(call=call, person=person, user=request.user)


@router.post(
    "/calls/{call_id}/rapid-response",
    response={201: dict},
    summary="After verification, open the rapid response (mark detained) in one step",
)
@requires(Cap.PEOPLE_EDIT)
def open_rapid_response(request: AuthedRequest, call_id: int, payload: RapidResponseIn) -> Any:
    call = selectors.call_access(request.user, call_id)
    response = services.open_rapid_response(call=call, user=request.user, **payload.dict())
    return Status(
        201,
        {
            "rapid_response_id": response.pk,
            "detention_id": response.detention_id,
            "replayed": getattr(response, "replayed", False),
        },
    )
