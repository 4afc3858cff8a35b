import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from crossings import uploads
from crossings.accounts.roles import Cap
from crossings.accounts.rules import AuthedRequest, requires
from crossings.api_helpers import Paginated, error_body
from crossings.audit.reads import Reader, log_view
from crossings.conflicts import ConflictOut, EditConflict, conflict_out
from crossings.errors import Refused
from crossings.people import selectors as people
from crossings.people.models import Person
from crossings.reception import manifest, selectors, services
from crossings.reception.models import (
    Arrival,
    ArrivalBatch,
    Assessment,
    FollowUp,
    Goal,
    Service,
)

router = Router(tags=["reception"])


class BatchIn(Schema):
    flight: str
    date: dt.date
    expected: int = 0


class BatchOut(Schema):
    id: int
    flight: str
    date: dt.date
    expected: int


class ManifestResult(Schema):
    import_id: int
    status: str
    mapping: dict[str, int | None]
    missing_columns: list[str]
    errors: list[dict[str, Any]]
    rows: list[dict[str, Any]]
    report: dict[str, Any]


class AssessmentIn(Schema):
    taken_on: dt.date | None = None
    housing: str = ""
    # official place codes, or names in either script (read by crossings.gazetteer)
    province: str = Field("", max_length=100)
    district: str = Field("", max_length=100)
    commune: str = Field("", max_length=100)
    has_id_card: bool = False
    has_family_book: bool = False
    has_birth_certificate: bool = False
    khmer_level: str = "none"
    work_skills: str = ""
    health: str = ""
    family_cambodia: str = ""
    family_us: str = ""
    safety_risks: str = ""


class AssessmentOut(Schema):
    id: int
    version: int
    taken_on: dt.date


class GoalIn(Schema):
    title: str
    dimension: str
    target_on: dt.date | None = None


class GoalOut(Schema):
    id: int
    title: str
    dimension: str
    target_on: dt.date | None
    achieved_on: dt.date | None


class ServiceIn(Schema):
    service: str  # the catalogue code, e.g. khmer_class
    date: dt.date
    provider_id: int | None = None
    cost: Decimal = Decimal("0")
    outcome: str = ""


class ServiceOut(Schema):
    id: int
    service_id: int
    date: dt.date
    provider_id: int | None
    cost: Decimal
    outcome: str


class FollowUpIn(Schema):
    submission: str
    answers: dict[str, int | None]


class FollowUpOut(Schema):
    id: int
    months: int
    due_on: dt.date
    recorded_on: dt.date | None
    economic: float | None
    social: float | None
    psychosocial: float | None
    overall: float | None


def _batch(request: AuthedRequest, batch_id: int, edit: bool = False) -> ArrivalBatch:
    batch = get_object_or_404(ArrivalBatch.objects.visible_to(request.user), pk=batch_id)
    if edit and not request.user.scope.can(Cap.PEOPLE_EDIT, batch.organisation_id):
        raise PermissionDenied
    return batch


@router.get("/reception/batches", response=list[BatchOut], summary="Arrival batches (flights)")
@requires(Cap.PEOPLE_VIEW)
@paginate(Paginated)
def list_batches(request: AuthedRequest) -> Any:
    return ArrivalBatch.objects.visible_to(request.user)


@router.post("/reception/batches", response={201: BatchOut}, summary="Record a flight")
@requires(Cap.PEOPLE_EDIT)
def create_batch(request: AuthedRequest, payload: BatchIn) -> Any:
    organisation_id = request.user.scope.acting_organisation(Cap.PEOPLE_EDIT)
    return Status(
        201, services.record_flight(organisation_id=organisation_id, user=request.user, **payload.dict())
    )


class ArrivalOut(Schema):
    id: int
    batch_id: int
    person_id: int
    received: bool
    released_to: str
    housing: bool
    phone: bool
    cash: bool
    medical_need: str
    version: int  # send it back in PATCH: the optimistic edit check (crossings/conflicts.py)


class ArrivalPatch(Schema):
    version: int
    received: bool | None = None
    released_to: Arrival.ReleasedTo | None = None
    housing: bool | None = None
    phone: bool | None = None
    cash: bool | None = None
    medical_need: str | None = Field(None, max_length=300)


@router.get("/reception/arrivals/{arrival_id}", response=ArrivalOut, summary="One arrival's checklist")
@requires(Cap.PEOPLE_VIEW)
def get_arrival(request: AuthedRequest, arrival_id: int) -> Any:
    return selectors.arrival_for(Reader.of(request), arrival_id)


@router.patch(
    "/reception/arrivals/{arrival_id}",
    response={200: ArrivalOut, 409: ConflictOut},
    summary="Tick the arrival-day checklist (send the version you read)",
)
@requires(Cap.PEOPLE_EDIT)
def update_arrival(request: AuthedRequest, arrival_id: int, payload: ArrivalPatch) -> Any:
    arrival = selectors.arrival_access(request.user, arrival_id)
    if not request.user.scope.can(Cap.PEOPLE_EDIT, arrival.batch.organisation_id):
        raise PermissionDenied
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    if any(value is None for value in data.values()):
        raise ValidationError({k: "May not be null." for k, v in data.items() if v is None})
    try:
        services.update_checklist(arrival=arrival, user=request.user, expected_version=version, **data)
    except EditConflict as exc:
        return Status(409, conflict_out(exc))
    return Status(200, Arrival.objects.get(pk=arrival.pk))


def _result(record: Any, preview: services.Preview | None) -> ManifestResult:
    rows = []
    if preview is not None:
        for row in preview.rows:
            match = preview.matches.get(row.number)
            rows.append(
                {
                    "row": row.number,
                    "errors": [{"field": f, "message": m} for f, m in row.errors],
                    "match": match.person.pk if match else None,
                    "notes": row.notes,
                }
            )
    return ManifestResult(
        import_id=record.pk,
        status=record.status,
        mapping=preview.mapping if preview else record.mapping,
        missing_columns=preview.missing if preview else [],
        errors=[{"row": n, "field": f, "message": m} for n, f, m in preview.errors] if preview else [],
        rows=rows,
        report=record.report,
    )


@router.post(
    "/reception/batches/{batch_id}/manifests",
    response={201: ManifestResult},
    summary="Upload a manifest (CSV/XLSX): checked and previewed, nothing imported yet",
)
@requires(Cap.PEOPLE_EDIT)
def upload_manifest(request: AuthedRequest, batch_id: int, file: UploadedFile = File(...)) -> Any:  # noqa: B008
    batch = _batch(request, batch_id, edit=True)
    try:
        uploads.check_size(file, uploads.MANIFEST)  # before anything reads it
        record = services.store_upload(
            batch=batch, data=file.read(), filename=file.name or "manifest", user=request.user
        )
    except uploads.TooLarge as exc:
        raise ValidationError({"file": " ".join(exc.messages)}) from exc
    except manifest.ManifestError as exc:
        raise ValidationError({"file": str(exc)}) from exc
    result = _result(record, services.preview(record, Person.objects.visible_to(request.user)))
    log_view(Reader.of(request), record, organisation_id=batch.organisation_id, reason="manifest preview")
    return Status(201, result)


@router.post(
    "/reception/manifests/{import_id}/import",
    response={200: ManifestResult, 422: dict},
    summary="Import a checked manifest: all rows, or only_valid=true after reading the report",
)
@requires(Cap.PEOPLE_EDIT)
def import_manifest(request: AuthedRequest, import_id: int, only_valid: bool = False) -> Any:
    from crossings.reception.models import ManifestImport

    record = get_object_or_404(
        ManifestImport, pk=import_id, batch__in=ArrivalBatch.objects.visible_to(request.user)
    )
    _batch(request, record.batch_id, edit=True)
    visible = Person.objects.visible_to(request.user)
    try:
        services.run_import(record=record, visible=visible, user=request.user, only_valid=only_valid)
    except ValidationError as exc:
        return Status(422, error_body(" ".join(exc.messages)))
    return Status(200, _result(record, None))


@router.post(
    "/people/{person_id}/assessments", response={201: AssessmentOut}, summary="Intake or re-assessment"
)
@requires(Cap.PEOPLE_EDIT)
def add_assessment(request: AuthedRequest, person_id: int, payload: AssessmentIn) -> Any:
    person, org = services.person_to_work_on(request.user, person_id)
    data = {k: v for k, v in payload.dict().items() if v is not None}
    return Status(
        201, services.create_assessment(person=person, organisation_id=org, user=request.user, **data)
    )


@router.get("/people/{person_id}/assessments", response=list[AssessmentOut], summary="Assessment versions")
@requires(Cap.PEOPLE_VIEW)
def list_assessments(request: AuthedRequest, person_id: int) -> Any:
    access = people.person_for(Reader.of(request), person_id, reason="assessments")
    return Assessment.objects.visible_to(request.user).filter(person=access.person)


@router.post("/people/{person_id}/goals", response={201: GoalOut}, summary="Add a plan goal")
@requires(Cap.PEOPLE_EDIT)
def add_goal(request: AuthedRequest, person_id: int, payload: GoalIn) -> Any:
    person, org = services.person_to_work_on(request.user, person_id)
    if payload.dimension not in Goal.Dimension.values:
        raise ValidationError({"dimension": "Expected economic, social or psychosocial."})
    return Status(
        201, services.add_goal(person=person, organisation_id=org, user=request.user, **payload.dict())
    )


@router.post("/people/{person_id}/services", response={201: ServiceOut}, summary="Record a service delivered")
@requires(Cap.PEOPLE_EDIT)
def add_service(request: AuthedRequest, person_id: int, payload: ServiceIn) -> Any:
    person, org = services.person_to_work_on(request.user, person_id)
    services.ensure_catalogue(org)
    service = Service.objects.filter(organisation_id=org, code=payload.service, active=True).first()
    if service is None:
        codes = ", ".join(
            Service.objects.filter(organisation_id=org, active=True).values_list("code", flat=True)
        )
        raise ValidationError({"service": f"Unknown service; expected one of {codes}."})
    data = payload.dict()
    data.pop("service")
    return Status(
        201,
        services.record_service(
            person=person, organisation_id=org, service=service, user=request.user, **data
        ),
    )


@router.get(
    "/people/{person_id}/follow-ups", response=list[FollowUpOut], summary="Follow-ups and their scores"
)
@requires(Cap.PEOPLE_VIEW)
def list_follow_ups(request: AuthedRequest, person_id: int) -> Any:
    access = people.person_for(Reader.of(request), person_id, reason="follow-ups")
    return FollowUp.objects.visible_to(request.user).filter(person=access.person)


@router.post(
    "/reception/follow-ups/{follow_up_id}",
    response={200: FollowUpOut, 409: dict},
    summary="Record a follow-up survey (a retried submission is stored once)",
)
@requires(Cap.PEOPLE_EDIT)
def record_follow_up(request: AuthedRequest, follow_up_id: int, payload: FollowUpIn) -> Any:
    follow_up = get_object_or_404(FollowUp.objects.visible_to(request.user), pk=follow_up_id)
    if not request.user.scope.can(Cap.PEOPLE_EDIT, follow_up.organisation_id):
        raise PermissionDenied
    try:
        token = uuid.UUID(payload.submission)
    except ValueError as exc:
        raise Refused(_("The submission token is not valid."), field="submission") from exc
    # a repeated token answers the first result; another submission for a recorded follow-up is a 409
    return Status(
        200,
        services.record_follow_up(
            follow_up=follow_up, answers=payload.answers, submission=token, user=request.user
        ),
    )
