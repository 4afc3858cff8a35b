"""The reviewer's pages for referrals proposed by other systems: the list of those waiting, and one of them
with the people it may be (the typo-tolerant matcher over the organisation's own records) and the three
answers. Each view parses, calls one selector or service, and renders."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from crossings.accounts.roles import Cap
from crossings.accounts.rules import AuthedRequest, requires
from crossings.audit.reads import Reader
from crossings.exchange import selectors, services
from crossings.formtools import submit
from crossings.people import selectors as people
from crossings.people.models import Person

PAGE_SIZE = 50


class MatchForm(forms.Form):
    person = forms.IntegerField(min_value=1, max_value=10**17, widget=forms.HiddenInput)


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for declining"), max_length=4000, required=False, widget=forms.Textarea
    )


@requires(Cap.PEOPLE_EDIT)
def inbound_list(request: AuthedRequest) -> HttpResponse:
    reader = Reader.of(request)
    page = Paginator(selectors.pending_inbound(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.log_inbound(reader, list(page.object_list), total=page.paginator.count)
    return render(request, "exchange/inbound_list.html", {"page": page})


@requires(Cap.PEOPLE_EDIT)
def inbound_detail(request: AuthedRequest, inbound_id: int) -> HttpResponse:
    reader = Reader.of(request)
    inbound = selectors.inbound_for(reader, inbound_id)
    candidates: list[Any] = []
    known: Person | None = None
    if inbound.status == inbound.Status.PENDING:
        if inbound.global_id:
            known = (
                people.visible_people(request.user)
                .filter(global_id=inbound.global_id, organisation_id=inbound.organisation_id)
                .first()
            )
        query = " ".join(p for p in (inbound.family_name, inbound.given_name) if p) or inbound.name_km
        # The typo-tolerant matcher over the people this user may see; the candidates shown are logged.
        found = people.search_people(reader, query, limit=10) if query else []
        candidates = [m for m in found if m.person.organisation_id == inbound.organisation_id]
    return render(
        request,
        "exchange/inbound_detail.html",
        {"inbound": inbound, "known": known, "candidates": candidates, "decline_form": DeclineForm()},
    )


@requires(Cap.PEOPLE_EDIT)
@require_POST
def inbound_match(request: AuthedRequest, inbound_id: int) -> HttpResponse:
    inbound = selectors.inbound_access(request.user, inbound_id)
    done = submit(
        request,
        MatchForm(request.POST),
        lambda data: services.match_inbound(
            inbound=inbound,
            person=people.person_access(request.user, data["person"]).person,
            user=request.user,
        ),
        gettext_lazy("The referral is linked to the person."),
    )
    if done is not None:
        return redirect("person_detail", person_id=done.person_id)
    return redirect("inbound_detail", inbound_id=inbound.pk)


@requires(Cap.PEOPLE_EDIT)
@require_POST
def inbound_accept(request: AuthedRequest, inbound_id: int) -> HttpResponse:
    inbound = selectors.inbound_access(request.user, inbound_id)
    done = submit(
        request,
        forms.Form(request.POST),
        lambda _data: services.accept_inbound(inbound=inbound, user=request.user),
        gettext_lazy("The person is registered from the referral."),
    )
    if done is not None:
        return redirect("person_detail", person_id=done.person_id)
    return redirect("inbound_detail", inbound_id=inbound.pk)


@requires(Cap.PEOPLE_EDIT)
@require_POST
def inbound_decline(request: AuthedRequest, inbound_id: int) -> HttpResponse:
    inbound = selectors.inbound_access(request.user, inbound_id)
    done = submit(
        request,
        DeclineForm(request.POST),
        lambda data: services.decline_inbound(inbound=inbound, user=request.user, reason=data["reason"]),
        gettext_lazy("The referral is declined."),
    )
    if done is not None:
        return redirect("inbound_list")
    return redirect("inbound_detail", inbound_id=inbound.pk)
