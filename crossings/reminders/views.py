"""The reminder pages: the organisation's delivery log with "resend" (staff who read people), a person's
reminders with the opt-in form (opting out is withdrawing the consent), and the administrator's settings."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crossings.accounts.models import Organisation
from crossings.accounts.roles import Cap
from crossings.accounts.rules import AuthedRequest, requires
from crossings.audit.reads import Reader
from crossings.errors import Refused
from crossings.people import selectors as people_selectors
from crossings.reminders import selectors, services
from crossings.reminders.forms import OptInForm, SettingsForm
from crossings.reminders.models import Reminder

LOG_PAGE = 50


@requires(Cap.PEOPLE_VIEW)
def reminder_log(request: AuthedRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    rows = selectors.reminders_visible(request.user).order_by("-id")
    if status in Reminder.Status.values:
        rows = rows.filter(status=status)
    page = Paginator(rows, LOG_PAGE).get_page(request.GET.get("page"))
    selectors.log_page(Reader.of(request), list(page.object_list))
    return render(
        request,
        "reminders/reminder_log.html",
        {
            "page": page,
            "status": status,
            "statuses": Reminder.Status.choices,
            "editable": request.user.scope.orgs_with(Cap.PEOPLE_EDIT),
        },
    )


@requires(Cap.PEOPLE_EDIT)
@require_POST
def reminder_resend(request: AuthedRequest, reminder_id: int) -> HttpResponse:
    row = selectors.reminder_for(request.user, reminder_id)
    try:
        services.resend(reminder=row, user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("Queued to be sent again."))
    back = request.POST.get("next", "")
    if back == "person":
        return redirect("person_reminders", person_id=row.person_id)
    return redirect("reminder_log")


@requires(Cap.PEOPLE_VIEW)
def person_reminders(request: AuthedRequest, person_id: int) -> HttpResponse:
    form = OptInForm(request.POST or None)
    status = 200
    if request.method == "POST":
        access = people_selectors.person_access(request.user, person_id)
        if form.is_valid():
            try:
                services.opt_in(person=access.person, user=request.user, **form.cleaned_data)
            except Refused as exc:
                for field, message in exc.field_errors:
                    form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(request, _("Consent to reminders recorded."))
                return redirect("person_reminders", person_id=access.person.pk)
        status = 422
    access, contacts, rows = selectors.person_reminders(Reader.of(request), person_id)
    return render(
        request,
        "reminders/person_reminders.html",
        {
            "person": access.person,
            "access": access,
            "contacts": contacts,
            "rows": rows,
            "form": form,
            "can_edit": access.holder and access.can_edit,
            "editable": request.user.scope.orgs_with(Cap.PEOPLE_EDIT),
        },
        status=status,
    )


@requires(Cap.ORG_MANAGE)
def reminder_settings(request: AuthedRequest) -> HttpResponse:
    managed = sorted(request.user.scope.orgs_with(Cap.ORG_MANAGE))
    organisations = list(Organisation.objects.filter(pk__in=managed).order_by("pk").values_list("pk", "name"))
    try:
        organisation_id = int(request.GET.get("organisation") or managed[0])
    except ValueError as exc:
        raise Http404 from exc
    if organisation_id not in managed:
        raise Http404
    config = selectors.settings_for(request.user, organisation_id)
    form = SettingsForm(request.POST or None, instance=config)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in form.Meta.fields}
            try:
                services.save_settings(
                    user=request.user,
                    organisation_id=organisation_id,
                    data=data,
                    sms_token=form.cleaned_data["sms_token_new"],
                    telegram_token=form.cleaned_data["telegram_token_new"],
                )
            except Refused as exc:
                for field, message in exc.field_errors:
                    form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(request, _("Reminder settings saved."))
                return redirect(f"{request.path}?organisation={organisation_id}")
        status = 422
    return render(
        request,
        "reminders/reminder_settings.html",
        {
            "form": form,
            "config": config,
            "organisations": organisations,
            "organisation_id": organisation_id,
        },
        status=status,
    )
