"""Accompaniment pages. Volunteers: the open events of their organisation, sign up, withdraw. Staff: the
coming check-ins and hearings to open for volunteers, and who signed up. Each view parses, calls one
selector or service, and renders."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from crossings.accompaniment import selectors, services
from crossings.accompaniment.forms import OpenForm, SignUpForm
from crossings.accounts import keep
from crossings.accounts.roles import Cap
from crossings.accounts.rules import AuthedRequest, requires
from crossings.audit.reads import Reader
from crossings.formtools import row_id, submit
from crossings.legal.models import CheckIn, CourtEvent, Proceeding

if TYPE_CHECKING:
    from crossings.accounts.models import User


@requires(Cap.ACCOMPANY)
def accompaniment_list(request: AuthedRequest) -> HttpResponse:
    events = selectors.upcoming_for_volunteer(Reader.of(request))
    return render(
        request,
        "accompaniment/list.html",
        {"events": events, "form": SignUpForm(), "mine": [e for e in events if getattr(e, "mine", False)]},
    )


@requires(Cap.ACCOMPANY)
@require_POST
def sign_up(request: AuthedRequest, accompaniment_id: int) -> HttpResponse:
    event = selectors.accompaniment_access(request.user, accompaniment_id)
    submit(
        request,
        SignUpForm(request.POST),
        lambda data: services.sign_up(
            accompaniment=event, user=request.user, idempotency_key=data.get("idempotency_key") or ""
        ),
        lambda s: (
            _("You are already signed up.") if getattr(s, "replayed", False) else _("You are signed up.")
        ),
    )
    return redirect("accompaniment_list")


@requires(Cap.ACCOMPANY)
@require_POST
def withdraw(request: AuthedRequest, accompaniment_id: int) -> HttpResponse:
    event = selectors.accompaniment_access(request.user, accompaniment_id)
    services.withdraw(accompaniment=event, user=request.user)
    from django.contrib import messages

    messages.success(request, _("You have withdrawn; your place is free for someone else."))
    return redirect("accompaniment_list")


@requires(Cap.PEOPLE_VIEW)
def staff(request: AuthedRequest) -> HttpResponse:
    reader = Reader.of(request)
    opened = selectors.opened_by_staff(reader)
    check_ins, hearings = selectors.events_to_open(reader)
    open_check_ins = {a.check_in_id for a in opened if a.check_in_id}
    open_hearings = {a.court_event_id for a in opened if a.court_event_id}
    rows: list[dict[str, Any]] = [
        {
            "key": f"check_in:{c.pk}",
            "date": c.date,
            "kind": _("ICE check-in"),
            "place": c.office,
            "person": c.person,
        }
        for c in check_ins
        if c.pk not in open_check_ins
    ] + [
        {
            "key": f"hearing:{e.pk}",
            "date": e.date,
            "kind": _("hearing"),
            "place": e.proceeding.court,
            "person": e.proceeding.person,
        }
        for e in hearings
        if e.pk not in open_hearings
    ]
    rows.sort(key=lambda r: (r["date"], r["key"]))
    form = OpenForm(keep.restored(request, reverse("accompaniment_open")), initial={"cap": 2})
    form.offer(
        [
            (r["key"], f"{r['date']:%Y-%m-%d} · {r['kind']} · {r['place']} · {r['person'].display_name}")
            for r in rows
        ]
    )
    return render(
        request,
        "accompaniment/staff.html",
        {
            "opened": opened,
            "rows": rows,
            "form": form,
            "can_edit": request.user.scope.can(Cap.PEOPLE_EDIT),
        },
    )


def _event(user: User, key: str) -> dict[str, Any]:
    """The check-in or hearing a staff form names, if the user may see it (else 404)."""
    kind, _sep, raw = key.partition(":")
    pk = row_id(raw)
    if kind == "check_in" and pk is not None:
        check_in = CheckIn.objects.visible_to(user).select_related("person").filter(pk=pk).first()
        if check_in is not None:
            return {"check_in": check_in}
    if kind == "hearing" and pk is not None:
        event = (
            CourtEvent.objects.filter(pk=pk, proceeding__in=Proceeding.objects.visible_to(user))
            .select_related("proceeding__person")
            .first()
        )
        if event is not None:
            return {"court_event": event}
    raise Http404


@requires(Cap.PEOPLE_EDIT)
@require_POST
@keep.restorable(page="accompaniment_staff")
def open_event(request: AuthedRequest) -> HttpResponse:
    form = OpenForm(request.POST)
    event = _event(request.user, request.POST.get("event", "")) if form.is_valid() else {}
    opened = submit(
        request,
        form,
        lambda data: services.open_accompaniment(
            user=request.user, **event, **{k: data[k] for k in services.Accompaniment.OPEN_FIELDS}
        ),
        gettext_lazy("Open for accompaniment: volunteers can sign up."),
    )
    if opened is not None:
        return redirect("accompaniment_detail", accompaniment_id=opened.pk)
    return redirect("accompaniment_staff")


@requires(Cap.PEOPLE_VIEW)
def detail(request: AuthedRequest, accompaniment_id: int) -> HttpResponse:
    reader = Reader.of(request)
    event = selectors.staff_access(request.user, accompaniment_id)
    signups = selectors.signups_of(reader, event)
    can_edit = request.user.scope.can(Cap.PEOPLE_EDIT, event.organisation_id)
    form = OpenForm(
        initial={"event": f"{event.kind}:{event.check_in_id or event.court_event_id}"},
        instance=event,
    )
    return render(
        request,
        "accompaniment/detail.html",
        {"event": event, "signups": signups, "can_edit": can_edit, "form": form},
    )


@requires(Cap.PEOPLE_EDIT)
@require_POST
def close(request: AuthedRequest, accompaniment_id: int) -> HttpResponse:
    event = selectors.staff_access(request.user, accompaniment_id)
    services.close_accompaniment(accompaniment=event, user=request.user)
    from django.contrib import messages

    messages.success(request, _("Closed: no more sign-ups."))
    return redirect("accompaniment_detail", accompaniment_id=event.pk)
