"""The call line's pages: the list and its search, taking a call, one call with its link to a person and
the one-step rapid response. Each view parses, calls one selector or service, and renders."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from crossings.accounts import keep
from crossings.accounts.roles import Cap
from crossings.accounts.rules import AuthedRequest, requires
from crossings.audit.reads import Reader
from crossings.calls import selectors, services
from crossings.calls.forms import CallForm, LinkForm, RapidResponseForm
from crossings.formtools import submit
from crossings.people import selectors as people

PAGE_SIZE = 50


@requires(Cap.PEOPLE_VIEW)
def call_list(request: AuthedRequest) -> HttpResponse:
    """The list, and the search. A search is a POST, so a name never sits in a URL (docs/privacy.md)."""
    reader = Reader.of(request)
    query = request.POST.get("q", "").strip()[: selectors.MAX_QUERY] if request.method == "POST" else ""
    calls = selectors.matching_calls(request.user, query) if query else selectors.visible_calls(request.user)
    page = Paginator(calls, PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.log_calls(reader, list(page.object_list), total=page.paginator.count, query=query)
    return render(
        request,
        "calls/call_list.html",
        {"page": page, "query": query, "can_take": request.user.scope.can(Cap.PEOPLE_EDIT)},
    )


@requires(Cap.PEOPLE_EDIT)
@keep.restorable
def call_new(request: AuthedRequest) -> HttpResponse:
    form = CallForm(keep.form_data(request), initial={"received_at": timezone.localtime().replace(second=0)})
    if request.method == "POST":
        answer = keep.replayed(request, request.POST.get("idempotency_key", ""))
        if answer is not None:
            return answer  # sent again: the call it recorded
        call = submit(
            request,
            form,
            lambda data: keep.once(
                request,
                data.get("idempotency_key") or "",
                lambda: services.take_call(
                    organisation_id=request.user.scope.acting_organisation(Cap.PEOPLE_EDIT),
                    user=request.user,
                    data=data,
                    idempotency_key=data.get("idempotency_key") or "",
                ),
                lambda call: reverse("call_detail", args=[call.pk]),
            ),
            gettext_lazy("Call recorded."),
        )
        if isinstance(call, HttpResponse):
            return call
        if call is not None:
            return redirect("call_detail", call_id=call.pk)
    return render(request, "calls/call_new.html", {"form": form})


@requires(Cap.PEOPLE_VIEW)
def call_detail(request: AuthedRequest, call_id: int) -> HttpResponse:
    reader = Reader.of(request)
    call = selectors.call_for(reader, call_id)
    can_edit = request.user.scope.can(Cap.PEOPLE_EDIT, call.organisation_id)
    candidates: list[Any] = []
    if can_edit and call.person is None and call.person_name.strip():
        # The typo-tolerant matcher over the people this user may see; the candidates shown are logged.
        found = people.search_people(reader, call.person_name, limit=10)
        candidates = [m for m in found if m.person.organisation_id == call.organisation_id]
    return render(
        request,
        "calls/call_detail.html",
        {
            "call": call,
            "can_edit": can_edit,
            "candidates": candidates,
            "response_form": RapidResponseForm(
                prefix="rr", initial={"facility": call.whereabouts[:200], "date": timezone.localdate()}
            ),
        },
    )


@requires(Cap.PEOPLE_EDIT)
@require_POST
def call_link(request: AuthedRequest, call_id: int) -> HttpResponse:
    call = selectors.call_access(request.user, call_id)
    submit(
        request,
        LinkForm(request.POST),
        lambda data: services.link_person(
            call=call, person=people.person_access(request.user, data["person"]).person, user=request.user
        ),
        gettext_lazy("The call is linked to the person."),
    )
    return redirect("call_detail", call_id=call.pk)


@requires(Cap.PEOPLE_EDIT)
@require_POST
def call_rapid_response(request: AuthedRequest, call_id: int) -> HttpResponse:
    call = selectors.call_access(request.user, call_id)
    response = submit(
        request,
        RapidResponseForm(request.POST, prefix="rr"),
        lambda data: services.open_rapid_response(call=call, user=request.user, **data),
        lambda r: (
            _("A rapid response was already opened from this call.")
            if getattr(r, "replayed", False)
            else _("Rapid response opened; responders are being alerted.")
        ),
    )
    if response is not None:
        return redirect("person_legal", person_id=response.person_id)
    return redirect("call_detail", call_id=call.pk)
