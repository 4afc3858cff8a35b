"""Case workflows. Other apps open cases and add tasks through these functions."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from crossings.cases.models import Case, Document, Task

if TYPE_CHECKING:
    from crossings.accounts.models import User


@transaction.atomic
def open_case(*, person: Any, organisation_id: int, programme: str, owner: Any) -> Case:
    return Case.objects.create(
        person=person, organisation_id=organisation_id, programme=programme, owner=owner
    )


def add_task(
    *, case: Case, title: str, due_on: dt.date | None, created_by: Any, assignee: Any = None
) -> Task:
    return Task.objects.create(
        case=case, title=title, due_on=due_on, created_by=created_by, assignee=assignee or case.owner
    )


@transaction.atomic
def resolve_task(*, task: Task, user: User, outcome: str, note: str = "") -> Task:
    task._history_user = user  # type: ignore[attr-defined]
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
