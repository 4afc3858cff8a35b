"""People API: the names and shapes here are a contract other tools rely on (see docs/api.md)."""

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from crossings.accounts.models import Organisation
from crossings.accounts.roles import Cap
from crossings.accounts.rules import AuthedRequest, requires
from crossings.api import Paginated, error_body
from crossings.audit.models import AccessLog, record_access
from crossings.people import journey, matching, services, sharing
from crossings.people.models import Consent, JourneyEvent, Person, Referral

router = Router(tags=["people"])

Sex = Literal["male", "female", "other", "unknown"]
Precision = Literal["exact", "month", "year", "estimated"]


class PersonIn(Schema):
    given_name: str = ""
    family_name: str = ""
    name_km: str = ""
    aliases: list[str] = []
    sex: Sex = "unknown"
    birth_date: dt.date | None = None
    birth_date_precision: Precision = "exact"
    birthplace_kind: Literal["unknown", "province", "camp", "other"] = "unknown"
    birthplace_province: str = ""
    birthplace_camp: str = ""
    birthplace_other: str = ""
    us_arrival_date: dt.date | None = None
    us_city: str = ""
    languages: str = ""
    khmer_ability: str = "unknown"
    a_number: str = ""
    contact: str = ""


class PersonPatch(Schema):
    version: int
    given_name: str | None = None
    family_name: str | None = None
    name_km: str | None = None
    sex: Sex | None = None
    birth_date: dt.date | None = None
    birth_date_precision: Precision | None = None
    us_arrival_date: dt.date | None = None
    us_city: str | None = None
    languages: str | None = None
    a_number: str | None = None
    contact: str | None = None


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
    status: str
    a_number: str | None = None
    contact: str | None = None
    events: list[EventOut] | None = None
    sections: list[str]


class ConsentIn(Schema):
    scope: Literal["services", "share", "photos"]
    shared_with: int | None = None
    sections: list[str] = []
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
    purpose: str
    kind: Literal["referral", "transfer"] = "referral"
    case_id: int | None = None


class ReferralOut(Schema):
    id: int
    person_id: int
    from_organisation_id: int
    to_organisation_id: int
    kind: str
    purpose: str
    status: str
    consent_id: int
    decline_reason: str


class DeclineIn(Schema):
    reason: str = ""


class MergeIn(Schema):
    duplicate_id: int
    reason: str = ""


class Conflict(Schema):
    detail: str
    errors: list[dict[str, str]]
    current_version: int
    changes: dict[str, list[Any]]


def _visible(request: AuthedRequest) -> Any:
    return Person.objects.visible_to(request.user)


def _editable_person(request: AuthedRequest, person_id: int) -> Person:
    person = get_object_or_404(_visible(request), pk=person_id)
    if not request.user.scope.can(Cap.PEOPLE_EDIT, sharing.organisation_for(request.user, person)):
        raise PermissionDenied
    return person


def _candidates(matches: list[matching.Match]) -> list[Candidate]:
    return [
        Candidate(id=m.person.pk, display_name=m.person.display_name, score=m.score, reasons=m.reasons)
        for m in matches
    ]


@router.get("/people", response=list[Hit], summary="People in scope; with ?q= ranked by name match")
@requires(Cap.PEOPLE_VIEW)
@paginate(Paginated)
def list_people(request: AuthedRequest, q: str = "") -> Any:
    if q.strip():
        return [
            Hit(id=m.person.pk, display_name=m.person.display_name, score=m.score, reasons=m.reasons)
            for m in matching.search(_visible(request), q, limit=50)
        ]
    return _visible(request).only("id", "given_name", "family_name", "name_km")


@router.post("/people/duplicates", response=list[Candidate], summary="Possible duplicates, before saving")
@requires(Cap.PEOPLE_EDIT)
def check_duplicates(request: AuthedRequest, payload: PersonIn) -> Any:
    return _candidates(matching.duplicates_for(_visible(request), payload.dict()))


@router.post("/people", response={201: Created}, summary="Register a person")
@requires(Cap.PEOPLE_EDIT)
def create_person(request: AuthedRequest, payload: PersonIn) -> Any:
    data = payload.dict()
    aliases = data.pop("aliases")
    duplicates = matching.duplicates_for(_visible(request), {**data, "aliases": aliases})
    orgs = sorted(request.user.scope.orgs_with(Cap.PEOPLE_EDIT))
    person = services.create_person(organisation_id=orgs[0], user=request.user, data=data, aliases=aliases)
    return Status(
        201, Created(id=person.pk, version=person.version, possible_duplicates=_candidates(duplicates))
    )


def person_out(request: AuthedRequest, person: Person) -> PersonOut:
    sections = sharing.sections_for(request.user, person)
    return PersonOut(
        id=person.pk,
        organisation_id=person.organisation_id,
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
        status=person.status,
        a_number=person.a_number if "identifiers" in sections else None,
        contact=person.contact if "contact" in sections else None,
        events=[EventOut.from_orm(e) for e in person.events.all()] if "journey" in sections else None,
        sections=sorted(sections),
    )


@router.get(
    "/people/{person_id}", response=PersonOut, summary="One person, limited to what the caller may see"
)
@requires(Cap.PEOPLE_VIEW)
def get_person(request: AuthedRequest, person_id: int) -> Any:
    person = get_object_or_404(_visible(request), pk=person_id)
    record_access(
        request,
        user=request.user,
        obj=person,
        organisation_id=person.organisation_id,
        action=AccessLog.Action.API,
    )
    return person_out(request, person)


@router.patch("/people/{person_id}", response={200: PersonOut, 409: Conflict}, summary="Change a person")
@requires(Cap.PEOPLE_EDIT)
def update_person(request: AuthedRequest, person_id: int, payload: PersonPatch) -> Any:
    person = _editable_person(request, person_id)
    if person.organisation_id not in request.user.scope.orgs_with(Cap.PEOPLE_EDIT):
        raise PermissionDenied
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    try:
        person = services.update_person(
            person_id=person.pk, user=request.user, data=data, expected_version=version
        )
    except services.EditConflict as exc:
        changes = {
            k: [str(a) if a is not None else None, str(b) if b is not None else None]
            for k, (a, b) in exc.changes.items()
        }
        return Status(
            409, Conflict(detail=str(exc), errors=[], current_version=exc.current_version, changes=changes)
        )
    return Status(200, person_out(request, person))


@router.post("/people/{person_id}/events", response={201: EventOut}, summary="Record a journey event")
@requires(Cap.PEOPLE_EDIT)
def add_event(request: AuthedRequest, person_id: int, payload: EventIn) -> Any:
    person = _editable_person(request, person_id)
    if payload.kind not in JourneyEvent.Kind.values:
        raise ValidationError(
            {"kind": f"Unknown event; expected one of {', '.join(JourneyEvent.Kind.values)}."}
        )
    try:
        event = journey.record_event(
            person=person,
            user=request.user,
            organisation_id=sharing.organisation_for(request.user, person),
            **payload.dict(),
        )
    except journey.JourneyError as exc:
        raise ValidationError({exc.field: exc.message}) from exc
    return Status(201, event)


@router.post("/people/{person_id}/consents", response={201: ConsentOut}, summary="Record a consent")
@requires(Cap.PEOPLE_EDIT)
def add_consent(request: AuthedRequest, person_id: int, payload: ConsentIn) -> Any:
    person = _editable_person(request, person_id)
    data = payload.dict()
    shared_with = data.pop("shared_with")
    if shared_with is not None and not Organisation.objects.filter(pk=shared_with).exists():
        raise ValidationError({"shared_with": "No such organisation."})
    consent = sharing.record_consent(
        person=person,
        organisation_id=sharing.organisation_for(request.user, person) or 0,
        user=request.user,
        shared_with_id=shared_with,
        **data,
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
    consent = get_object_or_404(Consent, pk=consent_id, person__in=_visible(request))
    _editable_person(request, consent.person_id)
    return _consent_out(sharing.withdraw_consent(consent=consent, user=request.user))


@router.post(
    "/people/{person_id}/referrals", response={201: ReferralOut, 409: dict}, summary="Refer or transfer"
)
@requires(Cap.PEOPLE_EDIT)
def add_referral(request: AuthedRequest, person_id: int, payload: ReferralIn) -> Any:
    person = _editable_person(request, person_id)
    to_org = Organisation.objects.filter(pk=payload.to_organisation).first()
    if to_org is None:
        raise ValidationError({"to_organisation": "No such organisation."})
    case = None
    if payload.case_id is not None:
        from crossings.cases.models import Case

        case = get_object_or_404(Case.objects.visible_to(request.user), pk=payload.case_id, person=person)
    try:
        referral = sharing.refer(
            person=person,
            from_organisation_id=sharing.organisation_for(request.user, person) or 0,
            to_organisation=to_org,
            purpose=payload.purpose,
            kind=payload.kind,
            user=request.user,
            case=case,
        )
    except sharing.ConsentMissing as exc:
        return Status(409, error_body(str(exc), [{"field": "to_organisation", "message": str(exc)}]))
    except ValueError as exc:
        raise ValidationError({"purpose": str(exc)}) from exc
    return Status(201, referral)


@router.get("/referrals", response=list[ReferralOut], summary="Referrals received or sent")
@requires(Cap.PEOPLE_VIEW)
@paginate(Paginated)
def list_referrals(request: AuthedRequest, box: Literal["incoming", "outgoing"] = "incoming") -> Any:
    orgs = request.user.scope.orgs_with(Cap.PEOPLE_VIEW)
    qs = Referral.objects.visible_to(request.user)
    return (
        qs.filter(to_organisation_id__in=orgs)
        if box == "incoming"
        else qs.filter(from_organisation_id__in=orgs)
    )


def _received(request: AuthedRequest, referral_id: int) -> Referral:
    return get_object_or_404(
        Referral, pk=referral_id, to_organisation_id__in=request.user.scope.orgs_with(Cap.PEOPLE_EDIT)
    )


@router.post("/referrals/{referral_id}/accept", response={200: ReferralOut, 409: dict}, summary="Accept")
@requires(Cap.PEOPLE_EDIT)
def accept(request: AuthedRequest, referral_id: int) -> Any:
    try:
        return Status(
            200, sharing.accept_referral(referral=_received(request, referral_id), user=request.user)
        )
    except (sharing.ConsentMissing, ValueError) as exc:
        return Status(409, error_body(str(exc)))


@router.post("/referrals/{referral_id}/decline", response={200: ReferralOut, 409: dict}, summary="Decline")
@requires(Cap.PEOPLE_EDIT)
def decline(request: AuthedRequest, referral_id: int, payload: DeclineIn) -> Any:
    try:
        return Status(
            200,
            sharing.decline_referral(
                referral=_received(request, referral_id), user=request.user, reason=payload.reason
            ),
        )
    except ValueError as exc:
        return Status(409, error_body(str(exc)))


@router.post("/people/{person_id}/merge", response=PersonOut, summary="Merge a duplicate into this person")
@requires(Cap.PEOPLE_MERGE)
def merge(request: AuthedRequest, person_id: int, payload: MergeIn) -> Any:
    survivor = get_object_or_404(_visible(request), pk=person_id)
    duplicate = get_object_or_404(_visible(request), pk=payload.duplicate_id)
    for person in (survivor, duplicate):
        if not request.user.scope.can(Cap.PEOPLE_MERGE, person.organisation_id):
            raise PermissionDenied
    services.merge_people(survivor=survivor, duplicate=duplicate, user=request.user, reason=payload.reason)
    survivor.refresh_from_db()
    return person_out(request, survivor)
