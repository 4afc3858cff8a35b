from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from crossings.accounts.roles import Cap
from crossings.accounts.rules import AuthedRequest, fully_authenticated, public, requires
from crossings.audit.models import client_ip
from crossings.audit.reads import Reader, log_list
from crossings.formtools import submit
from crossings.legal import services
from crossings.legal.calendar import build_feed
from crossings.legal.deadlines import NOT_LEGAL_ADVICE
from crossings.legal.forms import (
    CalendarFeedForm,
    CheckInForm,
    ConvictionForm,
    CorrectDateForm,
    CourtEventForm,
    DetainForm,
    ProceedingForm,
    ReleaseForm,
    ResolveDeadlineForm,
    RevokeFeedForm,
    TravelDocumentForm,
)
from crossings.legal.models import (
    CalendarFeed,
    CheckIn,
    Conviction,
    CourtEvent,
    Deadline,
    Detention,
    Proceeding,
    RapidResponse,
    TravelDocumentStep,
)


@requires(Cap.PEOPLE_VIEW)
def person_legal(request: AuthedRequest, person_id: int) -> HttpResponse:
    person = services.own_person(request.user, person_id, reader=Reader.of(request))
    can_see_convictions = request.user.scope.can(Cap.CONVICTIONS_VIEW, person.organisation_id)
    # Only this organisation's own legal work: after a transfer the new holder does not read the file of
    # the organisation that handed the record over.
    own = {"person": person, "organisation_id": person.organisation_id}
    # Forms repeated per row get the row's id in their prefix, so every input id on the page is unique.
    proceedings = list(Proceeding.objects.filter(**own).prefetch_related("events"))
    for proceeding in proceedings:
        for event in proceeding.events.all():
            event.correct_form = CorrectDateForm(prefix=f"correct-{event.pk}")  # type: ignore[attr-defined]
    deadlines = list(Deadline.objects.filter(**own))
    for deadline in deadlines:
        deadline.resolve_form = ResolveDeadlineForm(prefix=f"resolve-{deadline.pk}")  # type: ignore[attr-defined]
    detentions = list(Detention.objects.filter(**own))
    for detention in detentions:
        detention.release_form = ReleaseForm(prefix=f"release-{detention.pk}")  # type: ignore[attr-defined]
    return render(
        request,
        "legal/person_legal.html",
        {
            "person": person,
            "proceedings": proceedings,
            "deadlines": deadlines,
            "detentions": detentions,
            "check_ins": CheckIn.objects.filter(**own),
            "travel_steps": TravelDocumentStep.objects.filter(**own),
            "travel_form": TravelDocumentForm(prefix="travel"),
            "convictions": Conviction.objects.filter(**own) if can_see_convictions else None,
            "can_edit": request.user.scope.can(Cap.PEOPLE_EDIT, person.organisation_id),
            "proceeding_form": ProceedingForm(prefix="proceeding"),
            "event_form": CourtEventForm(prefix="event"),
            "detain_form": DetainForm(prefix="detain"),
            "check_in_form": CheckInForm(prefix="checkin"),
            "conviction_form": ConvictionForm(prefix="conviction"),
            "not_legal_advice": NOT_LEGAL_ADVICE,
        },
    )


@requires(Cap.PEOPLE_EDIT)
@require_POST
def proceeding_new(request: AuthedRequest, person_id: int) -> HttpResponse:
    person = services.own_person(request.user, person_id, Cap.PEOPLE_EDIT)
    submit(
        request,
        ProceedingForm(request.POST, prefix="proceeding"),
        lambda data: services.open_proceeding(
            person=person, organisation_id=person.organisation_id, user=request.user, **data
        ),
        _("Proceeding recorded."),
    )
    return redirect("person_legal", person_id=person.pk)


@requires(Cap.PEOPLE_EDIT)
@require_POST
def court_event_new(request: AuthedRequest, proceeding_id: int) -> HttpResponse:
    proceeding = get_object_or_404(Proceeding.objects.visible_to(request.user), pk=proceeding_id)
    services.own_person(request.user, proceeding.person_id, Cap.PEOPLE_EDIT)
    submit(
        request,
        CourtEventForm(request.POST, prefix="event"),
        lambda data: services.record_court_event(proceeding=proceeding, user=request.user, **data),
        lambda event: (
            _("Court event recorded; %(n)s deadlines computed.")
            % {"n": event.deadlines.exclude(due_on=None).count()}
        ),
    )
    return redirect("person_legal", person_id=proceeding.person_id)


@requires(Cap.PEOPLE_EDIT)
@require_POST
def court_event_correct(request: AuthedRequest, event_id: int) -> HttpResponse:
    event = get_object_or_404(
        CourtEvent.objects.select_related("proceeding"),
        pk=event_id,
        proceeding__in=Proceeding.objects.visible_to(request.user),
    )
    services.own_person(request.user, event.proceeding.person_id, Cap.PEOPLE_EDIT)
    submit(
        request,
        CorrectDateForm(request.POST, prefix=f"correct-{event.pk}"),
        lambda data: services.correct_court_event_date(event=event, user=request.user, **data),
        _("Date corrected; deadlines recomputed."),
    )
    return redirect("person_legal", person_id=event.proceeding.person_id)


@requires(Cap.PEOPLE_EDIT)
@require_POST
def deadline_resolve(request: AuthedRequest, deadline_id: int) -> HttpResponse:
    deadline = get_object_or_404(Deadline.objects.visible_to(request.user), pk=deadline_id)
    services.own_person(request.user, deadline.person_id, Cap.PEOPLE_EDIT)
    submit(
        request,
        ResolveDeadlineForm(request.POST, prefix=f"resolve-{deadline.pk}"),
        lambda data: services.resolve_deadline(deadline=deadline, user=request.user, **data),
        _("Deadline updated."),
    )
    return redirect("person_legal", person_id=deadline.person_id)


@requires(Cap.PEOPLE_EDIT)
@require_POST
def detain(request: AuthedRequest, person_id: int) -> HttpResponse:
    person = services.own_person(request.user, person_id, Cap.PEOPLE_EDIT)
    submit(
        request,
        DetainForm(request.POST, prefix="detain"),
        lambda data: services.mark_detained(
            person=person, organisation_id=person.organisation_id, user=request.user, **data
        ),
        _("Marked detained. The rapid response has started and responders were alerted."),
    )
    return redirect("person_legal", person_id=person.pk)


@requires(Cap.PEOPLE_EDIT)
@require_POST
def detention_release(request: AuthedRequest, detention_id: int) -> HttpResponse:
    detention = get_object_or_404(Detention.objects.visible_to(request.user), pk=detention_id)
    services.own_person(request.user, detention.person_id, Cap.PEOPLE_EDIT)
    submit(
        request,
        ReleaseForm(request.POST, prefix=f"release-{detention.pk}"),
        lambda data: services.release(detention=detention, user=request.user, **data),
        _("Release recorded."),
    )
    return redirect("person_legal", person_id=detention.person_id)


@requires(Cap.PEOPLE_EDIT)
@require_POST
def check_in_new(request: AuthedRequest, person_id: int) -> HttpResponse:
    person = services.own_person(request.user, person_id, Cap.PEOPLE_EDIT)
    submit(
        request,
        CheckInForm(request.POST, prefix="checkin"),
        lambda data: services.record_check_in(
            person=person, organisation_id=person.organisation_id, user=request.user, **data
        ),
        _("Check-in recorded."),
    )
    return redirect("person_legal", person_id=person.pk)


@requires(Cap.PEOPLE_EDIT)
@require_POST
def travel_document_new(request: AuthedRequest, person_id: int) -> HttpResponse:
    person = services.own_person(request.user, person_id, Cap.PEOPLE_EDIT)
    submit(
        request,
        TravelDocumentForm(request.POST, prefix="travel"),
        lambda data: services.record_travel_document_step(
            person=person, organisation_id=person.organisation_id, user=request.user, **data
        ),
        _("Travel document step recorded."),
    )
    return redirect("person_legal", person_id=person.pk)


@requires(Cap.CONVICTIONS_VIEW)
@require_POST
def conviction_new(request: AuthedRequest, person_id: int) -> HttpResponse:
    person = services.own_person(request.user, person_id, Cap.CONVICTIONS_VIEW)
    submit(
        request,
        ConvictionForm(request.POST, prefix="conviction"),
        lambda data: services.record_conviction(
            person=person, organisation_id=person.organisation_id, user=request.user, **data
        ),
        _("Conviction recorded for attorney review."),
    )
    return redirect("person_legal", person_id=person.pk)


@requires(Cap.PEOPLE_VIEW)
def deadline_board(request: AuthedRequest) -> HttpResponse:
    who = "org" if request.GET.get("who") == "org" else "me"
    groups = services.board(services.deadlines_for_user(request.user, who))
    shown = [d for group in groups.values() for d in group]
    log_list(Reader.of(request), Deadline, [(d.pk, d.organisation_id) for d in shown], reason="deadlines")
    return render(
        request,
        "legal/deadline_board.html",
        {"groups": groups, "who": who, "not_legal_advice": NOT_LEGAL_ADVICE},
    )


@requires(Cap.PEOPLE_VIEW)
def rapid_response(request: AuthedRequest) -> HttpResponse:
    """Everyone detained now: where, since when, and the next deadline."""
    detained = Detention.objects.visible_to(request.user).filter(ended_on=None).select_related("person")
    rows: list[dict[str, Any]] = []
    next_due = {
        d.person_id: d
        for d in Deadline.objects.visible_to(request.user)
        .filter(state=Deadline.State.OPEN, due_on__isnull=False, person__in=[x.person_id for x in detained])
        .order_by("-due_on")
    }
    for detention in detained:
        rows.append({"detention": detention, "next_deadline": next_due.get(detention.person_id)})
    log_list(
        Reader.of(request),
        Detention,
        [(r["detention"].pk, r["detention"].organisation_id) for r in rows],
        reason="rapid response",
    )
    return render(request, "legal/rapid_response.html", {"rows": rows, "not_legal_advice": NOT_LEGAL_ADVICE})


@requires(Cap.PEOPLE_VIEW)
def calendar_feeds(request: AuthedRequest) -> HttpResponse:
    form = CalendarFeedForm(request.POST or None)
    new_url = None
    status = 200
    if request.method == "POST":
        if "revoke" in request.POST:
            revoke = RevokeFeedForm(request.POST)
            if revoke.is_valid():
                feed = get_object_or_404(CalendarFeed, pk=revoke.cleaned_data["revoke"], user=request.user)
                feed.revoke()
                messages.info(request, _("Calendar feed revoked."))
            else:
                messages.error(request, _("That feed does not exist."))
                status = 400
            form = CalendarFeedForm()
        elif form.is_valid():
            _feed, secret = CalendarFeed.issue(user=request.user, scope=form.cleaned_data["scope"])
            new_url = request.build_absolute_uri(f"/legal/calendar/{secret}.ics")
    feeds = CalendarFeed.objects.filter(user=request.user).order_by("-created_at")
    return render(
        request,
        "legal/calendar_feeds.html",
        {"form": form, "feeds": feeds, "new_url": new_url},
        status=status,
    )


@public  # the secret in the URL is the credential: calendar apps cannot log in
@never_cache
def calendar_feed(request: HttpRequest, secret: str) -> HttpResponse:
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(digest=CalendarFeed.digest_of(secret), revoked_at=None, user__is_active=True)
        .first()
    )
    if feed is None:
        raise Http404
    # The secret is the credential: it is not written into the access log's path.
    reader = Reader(user=feed.user, path="/legal/calendar/(secret).ics", ip=client_ip(request))
    body = build_feed(feed, request.get_host(), reader=reader)
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


def open_rapid_responses(user: Any) -> list[RapidResponse]:
    # Names and facilities: never to a session that has not passed its second factor yet.
    if not fully_authenticated(user) or not user.scope.can(Cap.PEOPLE_VIEW):
        return []
    return list(
        RapidResponse.objects.visible_to(user)
        .filter(resolved_at=None)
        .select_related("person", "detention")[:5]
    )


def banner(request: HttpRequest) -> dict[str, Any]:
    """Context processor: the rapid-response banner on every page of the organisation's members."""
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {"rapid_responses": open_rapid_responses(user)}
