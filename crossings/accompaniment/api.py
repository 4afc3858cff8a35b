"""Accompaniment in the API: the same selectors and services as the pages, so the same scoping, access log
and cap. A volunteer's answer carries ``Accompaniment.VOLUNTEER_FIELDS`` only; who signed up is staff's."""

import datetime as dt
from typing import Any

from django.http import Http404
from ninja import Field, Router, Schema, Status

from crossings.accompaniment import selectors, services
from crossings.accompaniment.models import MAX_VOLUNTEERS, Accompaniment, Signup
from crossings.accounts.roles import Cap
from crossings.accounts.rules import AuthedRequest, requires
from crossings.audit.reads import Reader
from crossings.legal.models import CheckIn, CourtEvent, Proceeding

router = Router(tags=["accompaniment"])


class EventOut(Schema):
    """What a volunteer may know of an event (``Accompaniment.VOLUNTEER_FIELDS``), and the places."""

    id: int
    kind: str
    date: dt.date
    meets_at: dt.time
    place: str
    meeting_point: str
    note: str
    initials: str
    language: str
    cap: int
    spaces_left: int
    signed_up: bool
    open: bool

    @staticmethod
    def resolve_signed_up(obj: Accompaniment) -> bool:
        return bool(getattr(obj, "mine", False))

    @staticmethod
    def resolve_open(obj: Accompaniment) -> bool:
        return obj.closed_at is None


class SignupOut(Schema):
    id: int
    accompaniment_id: int
    volunteer_id: int
    signed_up_at: dt.datetime
    withdrawn_at: dt.datetime | None
    replayed: bool = False

    @staticmethod
    def resolve_replayed(obj: Signup) -> bool:
        return bool(getattr(obj, "replayed", False))


class StaffSignupOut(Schema):
    volunteer_id: int
    volunteer: str
    signed_up_at: dt.datetime
    withdrawn_at: dt.datetime | None

    @staticmethod
    def resolve_volunteer(obj: Signup) -> str:
        return obj.volunteer.get_full_name() or obj.volunteer.get_username()


class OpenIn(Schema):
    check_in_id: int | None = Field(None, ge=1, le=10**17)
    court_event_id: int | None = Field(None, ge=1, le=10**17)
    cap: int = Field(..., ge=1, le=MAX_VOLUNTEERS)
    meets_at: dt.time
    meeting_point: str = Field(..., max_length=200)
    note: str = Field("", max_length=500)
    language: Accompaniment.Language = Accompaniment.Language.ENGLISH


@router.get("/accompaniment", response=list[EventOut], summary="Check-ins and hearings open to volunteers")
@requires(Cap.ACCOMPANY)
def list_events(request: AuthedRequest) -> Any:
    return selectors.upcoming_for_volunteer(Reader.of(request))


@router.post(
    "/accompaniment/{accompaniment_id}/signup",
    response={201: SignupOut},
    summary="Sign up (the Idempotency-Key header makes a retry safe); 409 when the places are taken",
)
@requires(Cap.ACCOMPANY)
def sign_up(request: AuthedRequest, accompaniment_id: int) -> Any:
    event = selectors.accompaniment_access(request.user, accompaniment_id)
    signup = services.sign_up(
        accompaniment=event, user=request.user, idempotency_key=request.headers.get("Idempotency-Key", "")
    )
    return Status(201, signup)


@router.post(
    "/accompaniment/{accompaniment_id}/withdraw", response={204: None}, summary="Give the place back"
)
@requires(Cap.ACCOMPANY)
def withdraw(request: AuthedRequest, accompaniment_id: int) -> Any:
    event = selectors.accompaniment_access(request.user, accompaniment_id)
    services.withdraw(accompaniment=event, user=request.user)
    return Status(204, None)


@router.post(
    "/accompaniment", response={201: EventOut}, summary="Ask for volunteers for a check-in or hearing"
)
@requires(Cap.PEOPLE_EDIT)
def open_event(request: AuthedRequest, payload: OpenIn) -> Any:
    data = payload.dict()
    event: dict[str, Any] = {}
    check_in_id, court_event_id = data.pop("check_in_id"), data.pop("court_event_id")
    if check_in_id is not None:
        found = CheckIn.objects.visible_to(request.user).filter(pk=check_in_id).first()
        if found is None:
            raise Http404
        event["check_in"] = found
    if court_event_id is not None:
        hearing = CourtEvent.objects.filter(
            pk=court_event_id, proceeding__in=Proceeding.objects.visible_to(request.user)
        ).first()
        if hearing is None:
            raise Http404
        event["court_event"] = hearing
    opened = services.open_accompaniment(user=request.user, **event, **data)
    return Status(201, selectors.accompaniment_access(request.user, opened.pk))


@router.get(
    "/accompaniment/{accompaniment_id}/signups",
    response=list[StaffSignupOut],
    summary="Who signed up (staff)",
)
@requires(Cap.PEOPLE_VIEW)
def signups(request: AuthedRequest, accompaniment_id: int) -> Any:
    event = selectors.staff_access(request.user, accompaniment_id)
    return selectors.signups_of(Reader.of(request), event)
