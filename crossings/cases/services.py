"""Case workflows: the only writer of cases and tasks. Legal, reception and referral acceptance open cases
and add tasks through these functions, so a case's rules (one open case per programme, a task's default
assignee, the history user) live here once."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crossings.cases.models import Case, Document, Note, Task
from crossings.errors import Conflict
from crossings.history import written_by
from crossings.people import sharing
from crossings.people.models import Person, Referral

if TYPE_CHECKING:
    from crossings.accounts.models import User


@transaction.atomic
def open_case(*, person: Person, organisation_id: int, programme: str, owner: User) -> Case:
    return Case.objects.create(
        person=person, organisation_id=organisation_id, programme=programme, owner=owner
    )


@transaction.atomic
def programme_case(*, person: Person, organisation_id: int, programme: str, user: User) -> Case:
    """The organisation's open case of this programme for the person, opened (owned by ``user``) if there is
    none, so that deadlines and follow-ups always land on someone's task list."""
    case = Case.objects.filter(
        person=person, organisation_id=organisation_id, programme=programme, closed_on=None
    ).first()
    return case or open_case(person=person, organisation_id=organisation_id, programme=programme, owner=user)


def add_task(
    *,
    case: Case,
    title: str,
    due_on: dt.date | None = None,
    created_by: User,
    assignee: User | None = None,
) -> Task:
    """A task on the case, for its owner unless someone else is named."""
    return Task.objects.create(
        case=case, title=title, due_on=due_on, created_by=created_by, assignee=assignee or case.owner
    )


def add_note(*, case: Case, body: str, author: User) -> Note:
    """A note on the case (stored encrypted), for the page and the API alike."""
    return Note.objects.create(case=case, body=body, author=author)


@transaction.atomic
def close_case(*, case: Case, user: User, reason: str) -> Case:
    """Close the case with its reason. Its tasks, notes and documents stay; ``reopen_case`` undoes it."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if not locked.is_open:
        raise Conflict(_("This case was already closed on %(date)s.") % {"date": locked.closed_on})
    written_by(locked, user)
    locked.close(reason=reason)
    return locked


@transaction.atomic
def reopen_case(*, case: Case, user: User) -> Case:
    """Undo a closing: the case is open again as it was, and the history keeps that it was closed and by
    whom. Refused while the organisation has another open case of the same programme for the person (one
    open case per programme: deadlines and follow-ups must know where to land)."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.is_open:
        raise Conflict(_("This case is open."))
    other = Case.objects.filter(
        person_id=locked.person_id,
        organisation_id=locked.organisation_id,
        programme=locked.programme,
        closed_on=None,
    ).first()
    if other is not None:
        raise Conflict(
            _("Case #%(id)s of the same programme is open for this person: work there instead.")
            % {"id": other.pk}
        )
    written_by(locked, user, reason="reopened")
    locked.closed_on = None
    locked.closure_reason = ""
    locked.save(update_fields=["closed_on", "closure_reason"])
    return locked


@transaction.atomic
def accept_referral(*, referral: Referral, user: User) -> Referral:
    """Accept a referral (people.sharing checks consent and the chain). A transfer that names a case closes
    it as transferred at the sender and opens the same programme at the receiver: the case part of the
    handover lives here, with the other case rules."""
    referral = sharing.accept_referral(referral=referral, user=user)
    if referral.kind == Referral.Kind.TRANSFER and referral.case_id:
        old = Case.objects.select_for_update().get(pk=referral.case_id)
        if old.is_open:
            old.close(reason=Case.ClosureReason.TRANSFERRED)
        open_case(
            person=referral.person,
            organisation_id=referral.to_organisation_id,
            programme=old.programme,
            owner=user,
        )
    return referral


@transaction.atomic
def resolve_task(*, task: Task, user: User, outcome: str, note: str = "") -> Task:
    written_by(task, user)
    if outcome == "not_applicable":
        task.not_applicable = True
    else:
        task.done_at = timezone.now()
    task.resolution_note = note
    task.save()
    return task


@transaction.atomic
def store_document(
    *, case: Case, user: User, title: str, upload: Any, content_type: str, sha256: str
) -> Document:
    document = Document(
        case=case,
        title=title,
        original_name=upload.name[:255],
        content_type=content_type,
        size=upload.size,
        sha256=sha256,
        uploaded_by=user,
    )
    document.file.save("upload", upload, save=False)
    document.save()
    return document
