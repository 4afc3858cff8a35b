from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crossings.accounts import keep
from crossings.accounts.roles import Cap
from crossings.accounts.rules import AuthedRequest, requires
from crossings.audit.models import AccessLog
from crossings.audit.reads import Reader, log_view
from crossings.cases import selectors, services
from crossings.cases.forms import CaseForm, CloseCaseForm, DocumentForm, NoteForm, ResolveTaskForm, TaskForm
from crossings.cases.models import Case, Document, Task
from crossings.errors import Refused
from crossings.formtools import confirm_then, form_errors
from crossings.people.selectors import person_access, received_referral


def _case(request: AuthedRequest, case_id: int, *, edit: bool = False) -> Case:
    return selectors.case_of(request.user, case_id, edit=edit)


@requires(Cap.PEOPLE_EDIT)
@require_POST
def case_new(request: AuthedRequest, person_id: int) -> HttpResponse:
    access = person_access(request.user, person_id)
    access.require_edit("cases")
    form = CaseForm(request.POST)
    if not form.is_valid():
        raise PermissionDenied
    case = keep.once(
        request,
        form.cleaned_data["submission"],
        lambda: services.open_case(
            person=access.person,
            organisation_id=access.organisation_id,
            programme=form.cleaned_data["programme"],
            owner=request.user,
        ),
        lambda case: reverse("case_detail", args=[case.pk]),
    )
    if isinstance(case, HttpResponse):
        return case
    messages.success(request, _("Case opened."))
    return redirect("case_detail", case_id=case.pk)


@requires(Cap.PEOPLE_VIEW)
def case_detail(request: AuthedRequest, case_id: int) -> HttpResponse:
    return _case_page(request, case_id)


def _case_page(
    request: AuthedRequest,
    case_id: int,
    *,
    task_form: TaskForm | None = None,
    note_form: NoteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The case page; a refused task or note is shown again on it as typed (``status`` 422), and one
    restored after a login is shown filled in (accounts.keep)."""
    case = selectors.case_for(Reader.of(request), case_id)
    if task_form is None:
        task_form = TaskForm(
            keep.restored(request, reverse("task_add", args=[case.pk])), organisation_id=case.organisation_id
        )
    if note_form is None:
        note_form = NoteForm(keep.restored(request, reverse("note_add", args=[case.pk])))
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "tasks": case.tasks.select_related("assignee"),
            "notes": case.notes.select_related("author"),
            "documents": case.documents.select_related("uploaded_by"),
            "task_form": task_form,
            "note_form": note_form,
            "document_form": DocumentForm(),
            "close_form": CloseCaseForm(),
            "can_edit": request.user.scope.can(Cap.PEOPLE_EDIT, case.organisation_id),
        },
        status=status,
    )


@requires(Cap.PEOPLE_EDIT)
@require_POST
def case_close(request: AuthedRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id, edit=True)
    form = CloseCaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("case_detail", case_id=case.pk)
    reason = Case.ClosureReason(form.cleaned_data["closure_reason"])
    person = case.person
    who = f"{person.display_name} ({person.name_km})" if person.name_km else person.display_name
    return confirm_then(
        request,
        title=_("Close this case?"),
        lines=[
            _("%(case)s of %(person)s will be closed as “%(reason)s”.")
            % {"case": case, "person": who, "reason": reason.label},
            _("Its tasks, notes and documents are kept, and it can be reopened."),
        ],
        action=_("Close the case"),
        back=reverse("case_detail", args=[case.pk]),
        do=lambda: services.close_case(case=case, user=request.user, reason=reason),
        success=_("Case closed. If that was a mistake, reopen it below."),
    )


@requires(Cap.PEOPLE_EDIT)
@require_POST
def case_reopen(request: AuthedRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id, edit=True)
    try:
        services.reopen_case(case=case, user=request.user)
    except Refused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Case reopened."))
    return redirect("case_detail", case_id=case.pk)


@requires(Cap.PEOPLE_EDIT)
@require_POST
@keep.restorable(page="case_detail")
def task_add(request: AuthedRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id, edit=True)
    form = TaskForm(request.POST, organisation_id=case.organisation_id)
    if not form.is_valid():
        return _case_page(request, case.pk, task_form=form, status=422)

    data = form.cleaned_data
    added = keep.once(
        request,
        data["submission"],
        lambda: services.add_task(
            case=case,
            title=data["title"],
            due_on=data["due_on"],
            assignee=data["assignee"],
            created_by=request.user,
        ),
        lambda _task: _case_url(case),
    )
    if isinstance(added, HttpResponse):
        return added
    messages.success(request, _("Task added."))
    return redirect("case_detail", case_id=case.pk)


def _case_url(case: Case) -> str:
    return reverse("case_detail", args=[case.pk])


@requires(Cap.PEOPLE_EDIT)
@require_POST
def task_resolve(request: AuthedRequest, task_id: int) -> HttpResponse:
    task = get_object_or_404(Task.objects.visible_to(request.user).select_related("case"), pk=task_id)
    if not request.user.scope.can(Cap.PEOPLE_EDIT, task.case.organisation_id):
        raise PermissionDenied
    form = ResolveTaskForm(request.POST)
    if form.is_valid():
        services.resolve_task(
            task=task, user=request.user, outcome=form.cleaned_data["outcome"], note=form.cleaned_data["note"]
        )
        messages.success(request, _("Task updated."))
    else:
        messages.error(request, form_errors(form))
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        return redirect(next_url)
    return redirect("case_detail", case_id=task.case_id)


@requires(Cap.PEOPLE_EDIT)
@require_POST
@keep.restorable(page="case_detail")
def note_add(request: AuthedRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id, edit=True)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case.pk, note_form=form, status=422)
    added = keep.once(
        request,
        form.cleaned_data["submission"],
        lambda: services.add_note(case=case, body=form.cleaned_data["body"], author=request.user),
        lambda _note: _case_url(case),
    )
    if isinstance(added, HttpResponse):
        return added
    messages.success(request, _("Note added."))
    return redirect("case_detail", case_id=case.pk)


@requires(Cap.PEOPLE_EDIT)
@require_POST
def document_upload(request: AuthedRequest, case_id: int) -> HttpResponse:
    case = _case(request, case_id, edit=True)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        services.store_document(
            case=case,
            user=request.user,
            title=form.cleaned_data["title"],
            upload=form.cleaned_data["file"],
            content_type=form.content_type,
            sha256=form.sha256,
        )
        messages.success(request, _("Document stored."))
    else:
        messages.error(request, form_errors(form))
    return redirect("case_detail", case_id=case.pk)


@requires(Cap.PEOPLE_VIEW)
def document_download(request: AuthedRequest, document_id: int) -> FileResponse:
    document = get_object_or_404(
        Document.objects.filter(case__in=Case.objects.visible_to(request.user)).select_related("case"),
        pk=document_id,
    )
    log_view(
        Reader.of(request),
        document,
        organisation_id=document.case.organisation_id,
        action=AccessLog.Action.DOWNLOAD,
    )
    response = FileResponse(
        document.file.open("rb"),
        content_type=document.content_type,
        as_attachment=True,
        filename=document.original_name,
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@requires(Cap.PEOPLE_VIEW)
def overdue(request: AuthedRequest) -> HttpResponse:
    """Overdue tasks: the user's own, or (?who=org) everyone's in the user's organisations."""
    who = request.GET.get("who", "me")
    tasks = Task.objects.visible_to(request.user).overdue().select_related("case__person", "assignee")
    if who != "org":
        tasks = tasks.filter(assignee=request.user)
    shown = list(tasks)
    selectors.log_tasks(Reader.of(request), shown, reason="overdue")
    return render(request, "cases/overdue.html", {"tasks": shown, "who": who, "today": timezone.localdate()})


@requires(Cap.PEOPLE_EDIT)
@require_POST
def referral_accept(request: AuthedRequest, referral_id: int) -> HttpResponse:
    """Accepting lives with cases: a transfer moves the case it names (cases.services.accept_referral)."""
    referral = received_referral(request.user, referral_id)
    try:
        services.accept_referral(referral=referral, user=request.user)
    except Refused as exc:
        messages.error(request, exc.message)
        return redirect("referral_inbox")
    messages.success(request, _("Referral accepted."))
    return redirect("person_detail", person_id=referral.person_id)
