"""The exchange with OSCaR and Primero (through OpenFn-style jobs), docs/exchange.md: a feed of the people
shared with the caller's organisation, changed since a date, and an inbound referral another system proposes
for review. Both need the ``exchange.use`` capability; the organisation is the caller's own (the first where
they hold it, or ``organisation_id`` when they hold it in several)."""

import datetime as dt
import uuid
from functools import cache
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from crossings import gazetteer
from crossings.accounts.roles import Cap
from crossings.accounts.rules import AuthedRequest, requires
from crossings.api_helpers import Paginated
from crossings.audit.reads import LoggedPages, Reader
from crossings.errors import Refused
from crossings.exchange import selectors, services
from crossings.people.places import Province

router = Router(tags=["exchange"])

# An inbound referral is a few names and a reason: a body past this is refused before anything is looked up
# or written. Django ninja has parsed it by then (what it reads is capped by DATA_UPLOAD_MAX_MEMORY_SIZE,
# like every API body), and the schema's own limits bound each field.
MAX_INBOUND_BYTES = 64 * 1024

Name = Annotated[str, Field(max_length=100)]


class ServiceOut(Schema):
    code: str
    name: str
    date: dt.date


class ResidenceOut(Schema):
    province: str  # Cambodia's official codes (MEF 2025, crossings.gazetteer); "" when not recorded
    district: str
    commune: str
    assessed_on: dt.date | None


class ReferralStatusOut(Schema):
    id: int
    direction: str  # "received" (to the caller's organisation) or "sent" (by it)
    kind: str
    status: str
    from_organisation_id: int
    to_organisation_id: int
    created_at: dt.datetime
    decided_at: dt.datetime | None


class ExchangePerson(Schema):
    global_id: uuid.UUID
    held_by_you: bool
    given_name: str
    family_name: str
    name_km: str
    birth_date: dt.date | None
    birth_date_precision: str
    sex: str
    birthplace_province_code: str
    residence: ResidenceOut
    services: list[ServiceOut]
    referrals: list[ReferralStatusOut]
    updated_at: dt.datetime


class InboundIn(Schema):
    global_id: uuid.UUID | None = None
    given_name: Name = ""
    family_name: Name = ""
    name_km: Annotated[str, Field(max_length=200)] = ""
    birth_year: int | None = Field(None, ge=1900, le=2100)
    reason: Annotated[str, Field(max_length=4000)] = ""
    from_organisation_name: Annotated[str, Field(min_length=1, max_length=200)]
    from_system: Annotated[str, Field(max_length=100)] = ""
    sender_reference: Annotated[str, Field(max_length=100)] = ""


class InboundOut(Schema):
    id: int
    status: str
    global_id: uuid.UUID | None
    from_organisation_name: str
    from_system: str
    sender_reference: str
    received_at: dt.datetime
    replayed: bool = False


@cache
def province_code(slug: str) -> str:
    """The official code of a birth province stored by its name (people.places), "" if none is known."""
    if not slug:
        return ""
    try:
        return gazetteer.read_place("province", str(Province(slug).label))
    except (Refused, ValueError):
        return ""


def _organisation(request: AuthedRequest, requested: int | None) -> int:
    """The caller's organisation for the exchange; one named where the caller may not use it is refused,
    never silently replaced by another."""
    if requested is not None and not request.user.scope.can(Cap.EXCHANGE, requested):
        raise PermissionDenied(_("You may not use the exchange for this organisation."))
    return request.user.scope.acting_organisation(Cap.EXCHANGE, requested)


def entry(person: Any, organisation_id: int) -> ExchangePerson:
    latest = person.exchange_assessments[0] if person.exchange_assessments else None
    return ExchangePerson(
        global_id=person.global_id,
        held_by_you=person.organisation_id == organisation_id,
        given_name=person.given_name,
        family_name=person.family_name,
        name_km=person.name_km,
        birth_date=person.birth_date,
        birth_date_precision=person.birth_date_precision,
        sex=person.sex,
        birthplace_province_code=province_code(person.birthplace_province),
        residence=ResidenceOut(
            province=latest.province if latest else "",
            district=latest.district if latest else "",
            commune=latest.commune if latest else "",
            assessed_on=latest.taken_on if latest else None,
        ),
        services=[
            ServiceOut(code=s.service.code, name=s.service.name, date=s.date)
            for s in person.exchange_services
        ],
        referrals=[
            ReferralStatusOut(
                id=r.pk,
                direction="received" if r.to_organisation_id == organisation_id else "sent",
                kind=r.kind,
                status=r.status,
                from_organisation_id=r.from_organisation_id,
                to_organisation_id=r.to_organisation_id,
                created_at=r.created_at,
                decided_at=r.decided_at,
            )
            for r in person.exchange_referrals
        ],
        updated_at=person.updated_at,
    )


class Entries:
    """The logged page, turned into the feed's entries once it is read (and logged)."""

    def __init__(self, pages: LoggedPages, organisation_id: int):
        self.pages, self.organisation_id = pages, organisation_id

    def __len__(self) -> int:
        return len(self.pages)

    def __getitem__(self, window: slice) -> list[ExchangePerson]:
        return [entry(p, self.organisation_id) for p in self.pages[window]]


@router.get(
    "/exchange/people",
    response=list[ExchangePerson],
    summary="People shared with my organisation (or held by it), changed since a date",
)
@requires(Cap.EXCHANGE)
@paginate(Paginated)
def exchange_people(request: AuthedRequest, since_date: dt.date, organisation_id: int | None = None) -> Any:
    org = _organisation(request, organisation_id)
    reader = Reader.of(request)
    rows: Any = selectors.feed(org, since_date)
    pages = LoggedPages(rows, lambda people, total: selectors.log_feed(reader, people, total=total))
    return Entries(pages, org)


def _check_size(request: HttpRequest) -> None:
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > MAX_INBOUND_BYTES or len(request.body) > MAX_INBOUND_BYTES:
        raise HttpError(413, _("The request body is too large."))


@router.post(
    "/exchange/referrals",
    response={201: InboundOut, 200: InboundOut, 413: dict},
    summary="Propose a referral to my organisation, for review (creates no person)",
)
@requires(Cap.EXCHANGE)
def propose_referral(request: AuthedRequest, payload: InboundIn, organisation_id: int | None = None) -> Any:
    _check_size(request)
    inbound = services.receive_inbound(
        organisation_id=_organisation(request, organisation_id),
        user=request.user,
        data=payload.dict(),
        idempotency_key=request.headers.get("Idempotency-Key", ""),
    )
    replayed = getattr(inbound, "replayed", False)
    out = InboundOut(
        id=inbound.pk,
        status=inbound.status,
        global_id=inbound.global_id,
        from_organisation_name=inbound.from_organisation_name,
        from_system=inbound.from_system,
        sender_reference=inbound.sender_reference,
        received_at=inbound.received_at,
        replayed=replayed,
    )
    return Status(200 if replayed else 201, out)


__all__ = ["router"]
