import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from crossings.accounts.roles import Cap
from crossings.accounts.rules import AuthedRequest, requires
from crossings.api_helpers import Paginated
from crossings.audit.reads import LoggedPages, Reader, log_list
from crossings.legal import deadlines as engine
from crossings.legal import services
from crossings.legal.models import CourtEvent, Deadline, Proceeding

router = Router(tags=["legal"])


class PreviewRow(Schema):
    action: str
    due_date: dt.date | None
    nominal_due_date: dt.date | None
    rule: str
    citation: str
    note: str


class Preview(Schema):
    notice: str
    deadlines: list[PreviewRow]


class DeadlineOut(Schema):
    id: int
    person_id: int
    action: str
    citation: str
    due_on: dt.date | None
    state: str
    rule_code: str


class ProceedingIn(Schema):
    court: str
    opened_on: dt.date | None = None


class ProceedingOut(Schema):
    id: int
    person_id: int
    court: str
    opened_on: dt.date | None


class CourtEventIn(Schema):
    kind: str
    date: dt.date
    outcome: str = ""
    oral: bool = True
    in_absentia: bool = False
    note: str = ""


class CourtEventOut(Schema):
    id: int
    kind: str
    date: dt.date
    outcome: str
    deadlines: list[DeadlineOut]


class DetainIn(Schema):
    facility: str
    date: dt.date


@router.get(
    "/legal/deadlines/preview", response=Preview, summary="Deadlines an event would start (not legal advice)"
)
@requires(Cap.PEOPLE_VIEW)
def preview(
    request: AuthedRequest, event: str, date: dt.date, outcome: str = "", in_absentia: bool = False
) -> Any:
    try:
        rows = engine.preview(trigger=event, date=date, outcome=outcome or None, in_absentia=in_absentia)
    except ValueError as exc:
        raise ValidationError({"event": str(exc)}) from exc
    return Preview(
        notice=engine.NOT_LEGAL_ADVICE,
        deadlines=[
            PreviewRow(
                action=r.rule.action,
                due_date=r.due,
                nominal_due_date=r.nominal_due,
                rule=r.rule.code,
                citation=r.rule.citation,
                note=r.rule.note,
            )
            for r in rows
        ],
    )


@router.get(
    "/legal/deadlines", response=list[DeadlineOut], summary="Open deadlines: mine or my organisation's"
)
@requires(Cap.PEOPLE_VIEW)
@paginate(Paginated)
def list_deadlines(request: AuthedRequest, who: Literal["me", "org"] = "me") -> Any:
    reader = Reader.of(request)
    deadlines = services.deadlines_for_user(request.user, who).filter(state=Deadline.State.OPEN)
    return LoggedPages(
        deadlines,
        lambda rows, total: log_list(
            reader, Deadline, [(d.pk, d.organisation_id) for d in rows], total=total, reason="deadlines"
        ),
    )


@router.post("/people/{person_id}/proceedings", response={201: ProceedingOut}, summary="Open a proceeding")
@requires(Cap.PEOPLE_EDIT)
def open_proceeding(request: AuthedRequest, person_id: int, payload: ProceedingIn) -> Any:
    person = services.own_person(request.user, person_id, Cap.PEOPLE_EDIT)
    proceeding = services.open_proceeding(
        person=person, organisation_id=person.organisation_id, user=request.user, **payload.dict()
    )
    return Status(201, proceeding)


@router.post(
    "/legal/proceedings/{proceeding_id}/events",
    response={201: CourtEventOut},
    summary="Record a court event; its deadlines are computed",
)
@requires(Cap.PEOPLE_EDIT)
def add_court_event(request: AuthedRequest, proceeding_id: int, payload: CourtEventIn) -> Any:
    proceeding = get_object_or_404(Proceeding.objects.visible_to(request.user), pk=proceeding_id)
    services.own_person(request.user, proceeding.person_id, Cap.PEOPLE_EDIT)
    if payload.kind not in CourtEvent.Kind.values:
        raise ValidationError({"kind": "Expected one of " + ", ".join(CourtEvent.Kind.values)})
    if payload.outcome not in CourtEvent.Outcome.values:
        raise ValidationError(
            {"outcome": "Expected one of " + ", ".join(v for v in CourtEvent.Outcome.values if v)}
        )
    event = services.record_court_event(proceeding=proceeding, user=request.user, **payload.dict())
    return Status(
        201,
        CourtEventOut(
            id=event.pk,
            kind=event.kind,
            date=event.date,
            outcome=event.outcome,
            deadlines=[DeadlineOut.from_orm(d) for d in event.deadlines.all()],
        ),
    )


@router.post(
    "/people/{person_id}/detained", response={201: dict}, summary="Mark detained: starts the rapid response"
)
@requires(Cap.PEOPLE_EDIT)
def detained(request: AuthedRequest, person_id: int, payload: DetainIn) -> Any:
    person = services.own_person(request.user, person_id, Cap.PEOPLE_EDIT)
    # Idempotency-Key: a client that retries after a timeout or an error gets the first answer back.
    response = services.mark_detained(
        person=person,
        organisation_id=person.organisation_id,
        user=request.user,
        idempotency_key=request.headers.get("Idempotency-Key", ""),
        **payload.dict(),
    )
    return Status(
        201,
        {
            "rapid_response_id": response.pk,
            "detention_id": response.detention_id,
            "replayed": response.replayed,
        },
    )
