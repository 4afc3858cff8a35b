"""People API: the names and shapes here are a contract other tools rely on (see docs/api.md)."""

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Annotated, Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from crossings.accounts.models import Organisation
from crossings.accounts.roles import Cap
from crossings.accounts.rules import AuthedRequest, requires
from crossings.api_helpers import Paginated
from crossings.audit.reads import LoggedPages, Reader
from crossings.people import journey, matching, selectors, services, sharing
from crossings.people.access import PersonAccess
from crossings.people.models import Consent, FamilyMember, JourneyEvent, Person, PersonName, Referral
from crossings.schemas import model_fields_schema

router = Router(tags=["people"])

# Every list in an input is bounded, checked before any work: 20,000 aliases once held a worker for 600 s.
AliasName = Annotated[str, Field(max_length=PersonName.MAX_LENGTH)]
Aliases = Annotated[list[AliasName], Field(max_length=PersonName.MAX_PER_PERSON)]
Section = Literal["identifiers", "contact", "journey", "photo", "health"]


# The fields come from Person.EDITABLE_FIELDS, as the web form's do (types checked by ninja at run time).
if TYPE_CHECKING:
    PersonIn = Schema
    PersonPatch = Schema
    FamilyIn = Schema
else:
    # The same list as the web form's (FamilyMember.FIELDS).
    FamilyIn = model_fields_schema("FamilyIn", FamilyMember, FamilyMember.FIELDS)
    PersonIn = model_fields_schema(
        "PersonIn", Person, Person.EDITABLE_FIELDS, extra={"aliases": (Aliases, [])}
    )
    # Only what the client sends is changed; ``version`` is the one the client read (optimistic check).
    PersonPatch = model_fields_schema(
        "PersonPatch", Person, Person.EDITABLE_FIELDS, partial=True, extra={"version": (int, ...)}
    )


class Candidate(Schema):
    id: int
    display_name: str
    score: float
    reasons: list[str]


class Created(Schema):
    id: int
    version: int
    possible_duplicates: list[Candidate]


class Hit(Schema):
    id: int
    display_name: str
    score: float | None = None
    reasons: list[str] = []


class EventIn(Schema):
    kind: str
    date: dt.date
    place: str = ""
    flight: str = ""
    in_custody: bool = False
    note: str = ""


class EventOut(Schema):
    id: int
    kind: str
    date: dt.date
    place: str
    flight: str
    in_custody: bool
    note: str


class PersonOut(Schema):
    id: int
    global_id: uuid.UUID  # stable across systems and merges (docs/exchange.md)
    organisation_id: int
    version: int
    display_name: str
    given_name: str
    family_name: str
    name_km: str
    aliases: list[str]
    sex: str
    birth_date: dt.date | None
    birth_date_precision: str
    birthplace: str
    us_arrival_date: dt.date | None
    us_city: str
    languages: str
    khmer_ability: str
    status: str | None = None  # part of the journey section
    a_number: str | None = None
    contact: str | None = None
    events: list[EventOut] | None = None
    sections: list[str]
    held_by: int


class ConsentIn(Schema):
    scope: Literal["services", "share", "photos"]
    shared_with: int | None = None
    # What a sharing consent lets the named organisation see beyond identity; [] = identity only.
    sections: Annotated[list[Section], Field(max_length=4)] = []
    given_on: dt.date
    expires_on: dt.date | None = None


class ConsentOut(Schema):
    id: int
    scope: str
    shared_with: int | None
    sections: list[str]
    given_on: dt.date
    expires_on: dt.date | None
    withdrawn_on: dt.date | None


class ReferralIn(Schema):
    to_organisation: int
    purpose: Annotated[str, Field(max_length=4000)]
    kind: Literal["referral", "transfer"] = "referral"
    case_id: int | None = None


class ReferralOut(Schema):
    id: int
    person_id: int
    # The person's stable identifier travels with every referral, so the receiver (and any later system)
    # recognises the same person without a name match.
    person_global_id: uuid.UUID
    from_organisation_id: int
    to_organisation_id: int
    kind: str
    purpose: str
    status: str
    consent_id: int
    sections: list[str]
    decline_reason: str

    @staticmethod
    def resolve_person_global_id(obj: Referral) -> uuid.UUID:
        return obj.person.global_id


class DeclineIn(Schema):
    reason: Annotated[str, Field(max_length=4000)] = ""


class MergeIn(Schema):
    duplicate_id: int
    reason: str = ""


class Conflict(Schema):
    detail: str
    errors: list[dict[str, str]]
    current_version: int
    changes: dict[str, list[Any]]


def _editable(request: AuthedRequest, person_id: int, part: str | None = None) -> PersonAccess:
    access = selectors.person_access(request.user, person_id)
    access.require_edit(part)
    return access


class SearchIn(Schema):
    q: Annotated[str, Field(min_length=1, max_length=matching.MAX_QUERY)]


def _candidates(matches: list[matching.Match]) -> list[Candidate]:
    return [
        Candidate(id=m.person.pk, display_name=m.person.display_name, score=m.score, reasons=m.reasons)
        for m in matches
    ]


@router.get("/people", response=list[Hit], summary="People in scope, a page at a time")
@requires(Cap.PEOPLE_VIEW)
@paginate(Paginated)
def list_people(request: AuthedRequest, q: str = "") -> Any:
    if q.strip():
        # A name or an A-number in a URL stays in proxy logs: searches are posted (POST /people/search).
        raise ValidationError({"q": _("Search with POST /api/people/search; a query is never put in a URL.")})
    reader = Reader.of(request)
    people = selectors.visible_people(request.user).only(
        "id", "given_name", "family_name", "name_km", "organisation_id"
    )
    return LoggedPages(people, lambda rows, total: selectors.people_page(reader, rows, total=total))


@router.post("/people/search", response=list[Hit], summary="Search people in scope by name or A-number")
@requires(Cap.PEOPLE_VIEW)
def search_people(request: AuthedRequest, payload: SearchIn) -> Any:
    return [
        Hit(id=m.person.pk, display_name=m.person.display_name, score=m.score, reasons=m.reasons)
        for m in selectors.search_people(Reader.of(request), payload.q, limit=50)
    ]


@router.post("/people/duplicates", response=list[Candidate], summary="Possible duplicates, before saving")
@requires(Cap.PEOPLE_EDIT)
def check_duplicates(request: AuthedRequest, payload: PersonIn) -> Any:
    return _candidates(selectors.duplicate_candidates(Reader.of(request), payload.dict()))


@router.post("/people", response={201: Created}, summary="Register a person")
@requires(Cap.PEOPLE_EDIT)
def create_person(request: AuthedRequest, payload: PersonIn) -> Any:
    data = payload.dict()
    aliases = services.clean_aliases(data.pop("aliases"))
    duplicates = selectors.duplicate_candidates(Reader.of(request), {**data, "aliases": aliases})
    person = services.create_person(
        organisation_id=request.user.scope.acting_organisation(Cap.PEOPLE_EDIT),
        user=request.user,
        data=data,
        aliases=aliases,
    )
    return Status(
        201, Created(id=person.pk, version=person.version, possible_duplicates=_candidates(duplicates))
    )


def person_out(access: PersonAccess) -> PersonOut:
    person, shows = access.person, access.shows
    return PersonOut(
        id=person.pk,
        global_id=person.global_id,
        organisation_id=person.organisation_id,
        held_by=person.organisation_id,
        version=person.version,
        display_name=person.display_name,
        given_name=person.given_name,
        family_name=person.family_name,
        name_km=person.name_km,
        aliases=[a.name for a in person.aliases.all()],
        sex=person.sex,
        birth_date=person.birth_date,
        birth_date_precision=person.birth_date_precision,
        birthplace=person.birthplace_display,
        us_arrival_date=person.us_arrival_date,
        us_city=person.us_city,
        languages=person.languages,
        khmer_ability=person.khmer_ability,
        status=access.status,
        a_number=person.a_number if shows("identifiers") else None,
        contact=person.contact if shows("contact") else None,
        events=[EventOut.from_orm(e) for e in person.events.all()] if shows("journey") else None,
        sections=sorted(access.sections),
    )


@router.get(
    "/people/{person_id}", response=PersonOut, summary="One person, limited to what the caller may see"
)
@requires(Cap.PEOPLE_VIEW)
def get_person(request: AuthedRequest, person_id: int) -> Any:
    return person_out(selectors.person_for(Reader.of(request), person_id))


@router.patch("/people/{person_id}", response={200: PersonOut, 409: Conflict}, summary="Change a person")
@requires(Cap.PEOPLE_EDIT)
def update_person(request: AuthedRequest, person_id: int, payload: PersonPatch) -> Any:
    person = _editable(request, person_id).person
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    try:
        services.update_person(person_id=person.pk, user=request.user, data=data, expected_version=version)
    except services.EditConflict as exc:
        changes = {
            k: [str(a) if a is not None else None, str(b) if b is not None else None]
            for k, (a, b) in exc.changes.items()
        }
        return Status(
            409, Conflict(detail=str(exc), errors=[], current_version=exc.current_version, changes=changes)
        )
    # The answer holds the whole record: a read, logged.
    return Status(200, person_out(selectors.person_for(Reader.of(request), person.pk, reason="after change")))


class FamilyOut(Schema):
    id: int
    name: str
    relationship: str
    location: str
    contact: str | None
    us_citizen: str
    minor: bool
    custody_follow_up: bool
    child_support_follow_up: bool


@router.get("/people/{person_id}/family", response=list[FamilyOut], summary="The person's family")
@requires(Cap.PEOPLE_VIEW)
def list_family(request: AuthedRequest, person_id: int) -> Any:
    access = selectors.person_for(Reader.of(request), person_id, reason="family")
    if not access.shows(Consent.Section.CONTACT):
        raise PermissionDenied(
            _("The person's consent does not share the %(section)s with your organisation.")
            % {"section": Consent.Section.CONTACT.label}
        )
    return list(FamilyMember.objects.filter(person=access.person).order_by("pk")[:200])


@router.post("/people/{person_id}/family", response={201: FamilyOut}, summary="Add a family member")
@requires(Cap.PEOPLE_EDIT)
def add_family(request: AuthedRequest, person_id: int, payload: FamilyIn) -> Any:
    access = _editable(request, person_id, "family")
    return Status(
        201, services.add_family_member(person=access.person, user=request.user, data=payload.dict())
    )


@router.post("/people/{person_id}/events", response={201: EventOut}, summary="Record a journey event")
@requires(Cap.PEOPLE_EDIT)
def add_event(request: AuthedRequest, person_id: int, payload: EventIn) -> Any:
    access = _editable(request, person_id, "journey")
    if payload.kind not in JourneyEvent.Kind.values:
        raise ValidationError(
            {"kind": f"Unknown event; expected one of {', '.join(JourneyEvent.Kind.values)}."}
        )
    event = journey.record_event(
        person=access.person, user=request.user, organisation_id=access.organisation_id, **payload.dict()
    )
    return Status(201, event)


@router.post("/people/{person_id}/consents", response={201: ConsentOut}, summary="Record a consent")
@requires(Cap.PEOPLE_EDIT)
def add_consent(request: AuthedRequest, person_id: int, payload: ConsentIn) -> Any:
    access = _editable(request, person_id)
    data = payload.dict()
    shared_with = data.pop("shared_with")
    if shared_with is not None and not Organisation.objects.filter(pk=shared_with).exists():
        raise ValidationError({"shared_with": _("No such organisation.")})
    consent = sharing.record_consent(
        person=access.person, user=request.user, shared_with_id=shared_with, **data
    )
    return Status(201, _consent_out(consent))


def _consent_out(consent: Consent) -> ConsentOut:
    return ConsentOut(
        id=consent.pk,
        scope=consent.scope,
        shared_with=consent.shared_with_id,
        sections=consent.sections,
        given_on=consent.given_on,
        expires_on=consent.expires_on,
        withdrawn_on=consent.withdrawn_on,
    )


@router.post("/consents/{consent_id}/withdraw", response=ConsentOut, summary="Withdraw a consent")
@requires(Cap.PEOPLE_EDIT)
def withdraw(request: AuthedRequest, consent_id: int) -> Any:
    consent = get_object_or_404(Consent, pk=consent_id, person__in=selectors.visible_people(request.user))
    _editable(request, consent.person_id)
    return _consent_out(sharing.withdraw_consent(consent=consent, user=request.user))


@router.post(
    "/people/{person_id}/referrals", response={201: ReferralOut, 409: dict}, summary="Refer or transfer"
)
@requires(Cap.PEOPLE_EDIT)
def add_referral(request: AuthedRequest, person_id: int, payload: ReferralIn) -> Any:
    access = _editable(request, person_id, "referral")
    to_org = Organisation.objects.filter(pk=payload.to_organisation).first()
    if to_org is None:
        raise ValidationError({"to_organisation": _("No such organisation.")})
    case = None
    if payload.case_id is not None:
        from crossings.cases.models import Case

        case = get_object_or_404(
            Case.objects.visible_to(request.user), pk=payload.case_id, person=access.person
        )
    # no consent covering it: 409 naming to_organisation; a blank purpose: 422 (crossings/errors.py)
    referral = sharing.refer(
        person=access.person,
        to_organisation=to_org,
        purpose=payload.purpose,
        kind=payload.kind,
        user=request.user,
        case=case,
    )
    return Status(201, referral)


@router.get("/referrals", response=list[ReferralOut], summary="Referrals received or sent")
@requires(Cap.PEOPLE_VIEW)
@paginate(Paginated)
def list_referrals(request: AuthedRequest, box: Literal["incoming", "outgoing"] = "incoming") -> Any:
    orgs = request.user.scope.orgs_with(Cap.PEOPLE_VIEW)
    qs = Referral.objects.visible_to(request.user).select_related("person")
    qs = (
        qs.filter(to_organisation_id__in=orgs)
        if box == "incoming"
        else qs.filter(from_organisation_id__in=orgs)
    )
    reader = Reader.of(request)
    return LoggedPages(qs, lambda rows, _total: selectors.referrals_of(reader, rows))


@router.post("/referrals/{referral_id}/decline", response={200: ReferralOut, 409: dict}, summary="Decline")
@requires(Cap.PEOPLE_EDIT)
def decline(request: AuthedRequest, referral_id: int, payload: DeclineIn) -> Any:
    referral = selectors.received_referral(request.user, referral_id)
    return Status(200, sharing.decline_referral(referral=referral, user=request.user, reason=payload.reason))


@router.post("/referrals/{referral_id}/cancel", response={200: ReferralOut, 409: dict}, summary="Cancel")
@requires(Cap.PEOPLE_EDIT)
def cancel(request: AuthedRequest, referral_id: int) -> Any:
    """The sender takes back a referral not yet answered (409 once it is answered)."""
    referral = selectors.sent_referral(request.user, referral_id)
    return Status(200, sharing.cancel_referral(referral=referral, user=request.user))


@router.post("/people/{person_id}/merge", response=PersonOut, summary="Merge a duplicate into this person")
@requires(Cap.PEOPLE_MERGE)
def merge(request: AuthedRequest, person_id: int, payload: MergeIn) -> Any:
    survivor = selectors.person_access(request.user, person_id)
    duplicate = selectors.person_access(request.user, payload.duplicate_id)
    for access in (survivor, duplicate):
        if not access.holder or not request.user.scope.can(Cap.PEOPLE_MERGE, access.person.organisation_id):
            raise PermissionDenied
    services.merge_people(
        survivor=survivor.person, duplicate=duplicate.person, user=request.user, reason=payload.reason
    )
    return person_out(selectors.person_for(Reader.of(request), survivor.person.pk, reason="after merge"))
