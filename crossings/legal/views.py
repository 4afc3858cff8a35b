from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from crossings.accounts import keep
from crossings.accounts.roles import Cap
from crossings.accounts.rules import AuthedRequest, fully_authenticated, public, requires
from crossings.audit.models import client_ip
from crossings.audit.reads import Reader, log_list
from crossings.formtools import submit
from crossings.legal import clocks as detention_clocks
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
    Notification,
    Proceeding,
    RapidResponse,
    TravelDocumentStep,
)

if TYPE_CHECKING:
    from crossings.accounts.models import User


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
            event.correct_form = CorrectDateForm(  # type: ignore[attr-defined]
                prefix=f"correct-{event.pk}", initial={"version": event.version}
            )
    deadlines = list(Deadline.objects.filter(**own))

    def kept(action: str) -> Any:
        """What was typed into this page's form for ``action`` when the session ended (docs/forms.md)."""
        return keep.restored(request, reverse(action, args=[person.pk]))

    for deadline in deadlines:
        deadline.resolve_form = ResolveDeadlineForm(prefix=f"resolve-{deadline.pk}")  # type: ignore[attr-defined]
    detentions = list(Detention.objects.filter(**own))
    for detention in detentions:
        detention.release_form = ReleaseForm(prefix=f"release-{detention.pk}")  # type: ignore[attr-defined]
    # The detention clocks, from the records already on the page (no query of their own).
    clocks = detention_clocks.compute(
        final_order=detention_clocks.final_order_date(
            (e.kind, e.outcome, e.date) for p in proceedings for e in p.events.all()
        ),
        episodes=[
            detention_clocks.Episode(d.pk, d.started_on, d.ended_on, d.transferred_to_id) for d in detentions
        ],
        today=timezone.localdate(),
        notice_days=detention_clocks.court_notice_days(),
    )
    return render(
        request,
        "legal/person_legal.html",
        {
            "person": person,
            "proceedings": proceedings,
            "deadlines": deadlines,
            "detentions": detentions,
            "clocks": clocks,
            "check_ins": CheckIn.objects.filter(**own),
            "travel_steps": TravelDocumentStep.objects.filter(**own),
            "travel_form": TravelDocumentForm(kept("travel_document_new"), prefix="travel"),
            "convictions": Conviction.objects.filter(**own) if can_see_convictions else None,
            "can_edit": request.user.scope.can(Cap.PEOPLE_EDIT, person.organisation_id),
            "proceeding_form": ProceedingForm(kept("proceeding_new"), prefix="proceeding"),
            "event_form": CourtEventForm(prefix="event"),
            "detain_form": DetainForm(kept("detain"), prefix="detain"),
            "check_in_form": CheckInForm(kept("check_in_new"), prefix="checkin"),
            "conviction_form": ConvictionForm(kept("conviction_new"), prefix="conviction"),
            "not_legal_advice": NOT_LEGAL_ADVICE,
        },
    )


# The legal page's forms each post to a small handler that does the same four things: find the record among
# those the user may edit, validate the form, call one service, say what happened and go back to the page.
# The two builders below are that handler, once; each route is one line naming its form and service.


def _for_person(
    form_class: type[forms.Form],
    prefix: str,
    action: Callable[..., Any],
    success: str | Promise | Callable[[Any], str],
    cap: Cap = Cap.PEOPLE_EDIT,
) -> Callable[[AuthedRequest, int], HttpResponse]:
    """A POST that adds a record about one person: ``action(person=, organisation_id=, user=, **form)``."""

    @requires(cap)
    @require_POST
    @keep.restorable(page="person_legal")
    def view(request: AuthedRequest, person_id: int) -> HttpResponse:
        person = services.own_person(request.user, person_id, cap)
        submit(
            request,
            form_class(request.POST, prefix=prefix),
            lambda data: action(
                person=person, organisation_id=person.organisation_id, user=request.user, **data
            ),
            success,
        )
        return redirect("person_legal", person_id=person.pk)

    return view


def _on_record(
    records: Callable[[AuthedRequest], QuerySet[Any]],
    person_of: Callable[[Any], int],
    form_class: type[forms.Form],
    prefix: str,
    action: Callable[..., Any],
    argument: str,
    success: str | Promise | Callable[[Any], str],
) -> Callable[..., HttpResponse]:
    """A POST about one record of the legal file, ``/<argument>_id/`` in the URL:
    ``action(<argument>=record, user=, **form)``. ``prefix`` may hold ``{pk}``: a form repeated per row on the
    page carries its record's id."""

    @requires(Cap.PEOPLE_EDIT)
    @require_POST
    def view(request: AuthedRequest, **url: int) -> HttpResponse:
        record = get_object_or_404(records(request), pk=url[f"{argument}_id"])
        person_id = person_of(record)
        services.own_person(request.user, person_id, Cap.PEOPLE_EDIT)
        submit(
            request,
            form_class(request.POST, prefix=prefix.format(pk=record.pk)),
            lambda data: action(**{argument: record}, user=request.user, **data),
            success,
        )
        return redirect("person_legal", person_id=person_id)

    return view


@requires(Cap.PEOPLE_EDIT)
@require_POST
def court_event_correct(request: AuthedRequest, event_id: int) -> HttpResponse:
    event = get_object_or_404(
        CourtEvent.objects.select_related("proceeding"),
        pk=event_id,
        proceeding__in=Proceeding.objects.visible_to(request.user),
    )
    services.own_person(request.user, event.proceeding.person_id, Cap.PEOPLE_EDIT)
    # A stale version is an EditConflict: nothing changes, submit shows why, and the legal page shows the
    # date as it is stored now, to correct again if needed.
    submit(
        request,
        CorrectDateForm(request.POST, prefix=f"correct-{event.pk}"),
        lambda data: services.correct_court_event_date(
            event=event,
            user=request.user,
            date=data["date"],
            reason=data["reason"],
            expected_version=data["version"] or 0,
        ),
        _("Date corrected; deadlines recomputed."),
    )
    return redirect("person_legal", person_id=event.proceeding.person_id)


proceeding_new = _for_person(
    ProceedingForm, "proceeding", services.open_proceeding, gettext_lazy("Proceeding recorded.")
)
check_in_new = _for_person(
    CheckInForm, "checkin", services.record_check_in, gettext_lazy("Check-in recorded.")
)
travel_document_new = _for_person(
    TravelDocumentForm,
    "travel",
    services.record_travel_document_step,
    gettext_lazy("Travel document step recorded."),
)
conviction_new = _for_person(
    ConvictionForm,
    "conviction",
    services.record_conviction,
    gettext_lazy("Conviction recorded for attorney review."),
    cap=Cap.CONVICTIONS_VIEW,
)
court_event_new = _on_record(
    lambda request: Proceeding.objects.visible_to(request.user),
    lambda proceeding: proceeding.person_id,
    CourtEventForm,
    "event",
    services.record_court_event,
    "proceeding",
    lambda event: (
        _("Court event recorded; %(n)s deadlines computed.")
        % {"n": event.deadlines.exclude(due_on=None).count()}
    ),
)
deadline_resolve = _on_record(
    lambda request: Deadline.objects.visible_to(request.user),
    lambda deadline: deadline.person_id,
    ResolveDeadlineForm,
    "resolve-{pk}",
    services.resolve_deadline,
    "deadline",
    gettext_lazy("Deadline updated."),
)
detention_release = _on_record(
    lambda request: Detention.objects.visible_to(request.user),
    lambda detention: detention.person_id,
    ReleaseForm,
    "release-{pk}",
    services.release,
    "detention",
    gettext_lazy("Release recorded."),
)


@requires(Cap.PEOPLE_EDIT)
@require_POST
@keep.restorable(page="person_legal")
def detain(request: AuthedRequest, person_id: int) -> HttpResponse:
    person = services.own_person(request.user, person_id, Cap.PEOPLE_EDIT)
    submit(
        request,
        DetainForm(request.POST, prefix="detain"),
        lambda data: services.mark_detained(
            person=person, organisation_id=person.organisation_id, user=request.user, **data
        ),
        lambda response: (
            _("Already recorded: this form had been sent before. Nothing was recorded twice.")
            if response.replayed
            else _("Marked detained. The rapid response has started; responders are being alerted.")
        ),
    )
    return redirect("person_legal", person_id=person.pk)


@requires(Cap.PEOPLE_EDIT)
@require_POST
def rapid_response_resend(request: AuthedRequest, response_id: int) -> HttpResponse:
    response = get_object_or_404(RapidResponse.objects.visible_to(request.user), pk=response_id)
    if not request.user.scope.can(Cap.PEOPLE_EDIT, response.organisation_id):
        raise PermissionDenied
    queued = services.resend_notifications(response=response)
    if queued:
        messages.success(request, _("The alert is being sent again to %(n)s responders.") % {"n": queued})
    else:
        messages.error(request, _("No responder is waiting for this alert (none has an e-mail address?)."))
    return redirect("rapid_response")


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
    alerts = {
        r.detention_id: r
        for r in RapidResponse.objects.visible_to(request.user)
        .filter(detention__in=detained, resolved_at=None)
        .prefetch_related("notifications")
    }
    for detention in detained:
        alert = alerts.get(detention.pk)
        notes = list(alert.notifications.all()) if alert is not None else []
        sent = sum(1 for n in notes if n.status == Notification.Status.SENT)
        rows.append(
            {
                "detention": detention,
                "next_deadline": next_due.get(detention.person_id),
                "alert": alert,
                "sent": sent,
                "recipients": len(notes),
                "notified": bool(notes) and sent == len(notes),
                "failed": sum(1 for n in notes if n.status == Notification.Status.FAILED),
                "can_resend": alert is not None
                and request.user.scope.can(Cap.PEOPLE_EDIT, alert.organisation_id),
            }
        )
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
    feed = CalendarFeed.live(secret)
    if feed is None:
        raise Http404
    # The secret is the credential: it is not written into the access log's path.
    reader = Reader(user=feed.user, path="/legal/calendar/(secret).ics", ip=client_ip(request))
    body = build_feed(feed, request.get_host(), reader=reader)
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


def open_rapid_responses(user: User) -> list[RapidResponse]:
    if not user.scope.can(Cap.PEOPLE_VIEW):
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
    # Names and facilities: never to a session that has not passed its second factor yet.
    if not fully_authenticated(user):
        return {"rapid_responses": []}
    return {"rapid_responses": open_rapid_responses(user)}
