import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from crossings.accounts.models import User
from crossings.accounts.roles import Cap
from crossings.accounts.rules import AuthedRequest, requires
from crossings.api_helpers import Paginated
from crossings.audit.reads import LoggedPages, Reader
from crossings.cases import selectors, services
from crossings.cases.models import Case, Note, Task
from crossings.people.api import ReferralOut
from crossings.people.selectors import person_access, received_referral

router = Router(tags=["cases"])


class CaseIn(Schema):
    programme: Literal["legal_defence", "reception", "reintegration"]


class CaseOut(Schema):
    id: int
    person_id: int
    organisation_id: int
    programme: str
    owner_id: int
    opened_on: dt.date
    closed_on: dt.date | None
    closure_reason: str


class CloseIn(Schema):
    closure_reason: str


class TaskIn(Schema):
    title: str
    due_on: dt.date | None = None
    assignee_id: int | None = None


class TaskOut(Schema):
    id: int
    case_id: int
    title: str
    due_on: dt.date | None
    assignee_id: int | None
    done_at: dt.datetime | None
    not_applicable: bool
    resolution_note: str
    is_overdue: bool


class TaskPatch(Schema):
    outcome: Literal["done", "not_applicable"]
    note: str = ""


class NoteIn(Schema):
    body: str


class NoteOut(Schema):
    id: int
    body: str
    author_id: int
    created_at: dt.datetime


def _case(request: AuthedRequest, case_id: int, *, edit: bool = False) -> Case:
    return selectors.case_of(request.user, case_id, edit=edit)


@router.get("/people/{person_id}/cases", response=list[CaseOut], summary="The caller's cases of a person")
@requires(Cap.PEOPLE_VIEW)
def person_cases(request: AuthedRequest, person_id: int) -> Any:
    access = person_access(request.user, person_id)
    cases = list(Case.objects.visible_to(request.user).filter(person=access.person))
    return selectors.log_cases(Reader.of(request), cases, reason="cases of a person")


@router.post("/people/{person_id}/cases", response={201: CaseOut}, summary="Open a case")
@requires(Cap.PEOPLE_EDIT)
def open_case(request: AuthedRequest, person_id: int, payload: CaseIn) -> Any:
    access = person_access(request.user, person_id)
    access.require_edit("cases")
    return Status(
        201,
        services.open_case(
            person=access.person,
            organisation_id=access.organisation_id,
            programme=payload.programme,
            owner=request.user,
        ),
    )


@router.get("/cases/{case_id}", response=CaseOut, summary="One case (the read is logged)")
@requires(Cap.PEOPLE_VIEW)
def get_case(request: AuthedRequest, case_id: int) -> Any:
    return selectors.case_for(Reader.of(request), case_id)


@router.post(
    "/cases/{case_id}/close", response={200: CaseOut, 409: dict}, summary="Close a case with a reason"
)
@requires(Cap.PEOPLE_EDIT)
def close_case(request: AuthedRequest, case_id: int, payload: CloseIn) -> Any:
    case = _case(request, case_id, edit=True)
    if payload.closure_reason not in Case.ClosureReason.values:
        raise ValidationError({"closure_reason": "Expected one of " + ", ".join(Case.ClosureReason.values)})
    return services.close_case(case=case, user=request.user, reason=payload.closure_reason)  # closed: 409


@router.post("/cases/{case_id}/reopen", response={200: CaseOut, 409: dict}, summary="Reopen a closed case")
@requires(Cap.PEOPLE_EDIT)
def reopen_case(request: AuthedRequest, case_id: int) -> Any:
    """Undo a closing; 409 when it is open, or another case of the same programme is open for the person."""
    return services.reopen_case(case=_case(request, case_id, edit=True), user=request.user)


@router.get("/cases/{case_id}/tasks", response=list[TaskOut], summary="Tasks of a case")
@requires(Cap.PEOPLE_VIEW)
def case_tasks(request: AuthedRequest, case_id: int) -> Any:
    case = _case(request, case_id)
    tasks = list(case.tasks.select_related("case"))
    return selectors.log_tasks(Reader.of(request), tasks, reason="tasks of a case")


@router.post("/cases/{case_id}/tasks", response={201: TaskOut}, summary="Add a task")
@requires(Cap.PEOPLE_EDIT)
def add_task(request: AuthedRequest, case_id: int, payload: TaskIn) -> Any:
    case = _case(request, case_id, edit=True)
    assignee = None
    if payload.assignee_id is not None:
        assignee = get_object_or_404(
            User, pk=payload.assignee_id, memberships__organisation_id=case.organisation_id
        )
    return Status(
        201,
        services.add_task(
            case=case, title=payload.title, due_on=payload.due_on, created_by=request.user, assignee=assignee
        ),
    )


@router.get("/tasks", response=list[TaskOut], summary="Tasks: the caller's, or the organisation's")
@requires(Cap.PEOPLE_VIEW)
@paginate(Paginated)
def list_tasks(request: AuthedRequest, who: Literal["me", "org"] = "me", overdue: bool = False) -> Any:
    tasks = Task.objects.visible_to(request.user).open().select_related("case")
    if overdue:
        tasks = tasks.overdue()
    if who != "org":
        tasks = tasks.filter(assignee=request.user)
    reader = Reader.of(request)
    return LoggedPages(
        tasks, lambda rows, total: selectors.log_tasks(reader, rows, total=total, reason="tasks")
    )


@router.patch("/tasks/{task_id}", response=TaskOut, summary="Mark a task done or not applicable")
@requires(Cap.PEOPLE_EDIT)
def resolve_task(request: AuthedRequest, task_id: int, payload: TaskPatch) -> Any:
    task = get_object_or_404(Task.objects.visible_to(request.user).select_related("case"), pk=task_id)
    if not request.user.scope.can(Cap.PEOPLE_EDIT, task.case.organisation_id):
        raise PermissionDenied
    return services.resolve_task(task=task, user=request.user, outcome=payload.outcome, note=payload.note)


@router.get(
    "/cases/{case_id}/notes", response=list[NoteOut], summary="Notes of a case (decrypted for the caller)"
)
@requires(Cap.PEOPLE_VIEW)
def case_notes(request: AuthedRequest, case_id: int) -> Any:
    # Notes are decrypted for the caller: reading them is a read of the case, logged.
    case = selectors.case_for(Reader.of(request), case_id, reason="notes")
    return Note.objects.filter(case=case)


@router.post("/cases/{case_id}/notes", response={201: NoteOut}, summary="Add a note (stored encrypted)")
@requires(Cap.PEOPLE_EDIT)
def add_note(request: AuthedRequest, case_id: int, payload: NoteIn) -> Any:
    case = _case(request, case_id, edit=True)
    return Status(201, services.add_note(case=case, body=payload.body, author=request.user))


@router.post("/referrals/{referral_id}/accept", response={200: ReferralOut, 409: dict}, summary="Accept")
@requires(Cap.PEOPLE_EDIT)
def accept_referral(request: AuthedRequest, referral_id: int) -> Any:
    """Accept a referral; a transfer moves the case it names (cases.services.accept_referral)."""
    referral = received_referral(request.user, referral_id)
    return Status(200, services.accept_referral(referral=referral, user=request.user))
