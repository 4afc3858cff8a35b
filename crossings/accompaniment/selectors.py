"""Reads of accompaniments: the only way pages, the API and the home block reach them. An event names a
person (initials, a date, a place), so every read is written in the access log here, like a person's
record; one of another organisation, or one a volunteer may not see, is a 404."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from crossings.accompaniment.models import Accompaniment, Signup
from crossings.accounts.roles import Cap
from crossings.audit.reads import Reader, log_list, log_view, one_visible, read_one
from crossings.legal.models import CheckIn, CourtEvent

if TYPE_CHECKING:
    from crossings.accounts.models import User

# How far ahead the staff page offers check-ins and hearings to open.
STAFF_DAYS_AHEAD = 90


def visible(user: User) -> QuerySet[Accompaniment]:
    """Accompaniments the user may see, with what every list shows in one query: the event and its place,
    the places taken, and whether this user signed up. Unlogged: selectors log what they return."""
    return (
        Accompaniment.objects.visible_to(user)
        .select_related("check_in", "court_event__proceeding")
        .annotate(
            event_date=Coalesce("check_in__date", "court_event__date"),
            taken=Count("signups", filter=Q(signups__withdrawn_at=None), distinct=True),
            mine=Exists(
                Signup.objects.filter(accompaniment=OuterRef("pk"), volunteer_id=user.pk, withdrawn_at=None)
            ),
        )
        .order_by("event_date", "meets_at", "pk")
    )


def _log(reader: Reader, rows: list[Accompaniment], reason: str) -> None:
    log_list(reader, Accompaniment, [(a.pk, a.organisation_id) for a in rows], total=len(rows), reason=reason)


def _from_today(reader: Reader, cap: Cap) -> list[Accompaniment]:
    """The events from today on of the organisations where the reader holds ``cap``. Logged."""
    rows = list(
        visible(reader.user).filter(
            Q(event_date__gte=timezone.localdate()), organisation_id__in=reader.user.scope.orgs_with(cap)
        )
    )
    _log(reader, rows, "accompaniment")
    return rows


def upcoming_for_volunteer(reader: Reader) -> list[Accompaniment]:
    """The volunteer's page: open events from today on of the organisations where they volunteer, and
    the events they signed up for. Logged."""
    return _from_today(reader, Cap.ACCOMPANY)


def my_next(reader: Reader, limit: int) -> list[Accompaniment]:
    """The home block: the events this volunteer signed up for, from today on. Logged."""
    rows = list(visible(reader.user).filter(Q(mine=True, event_date__gte=timezone.localdate()))[:limit])
    _log(reader, rows, "home")
    return rows


def accompaniment_access(user: User, accompaniment_id: object) -> Accompaniment:
    """One accompaniment the user may see, unlogged: for writes (kept in the history)."""
    return one_visible(visible(user), accompaniment_id)


def accompaniment_for(reader: Reader, accompaniment_id: object) -> Accompaniment:
    return read_one(reader, accompaniment_access(reader.user, accompaniment_id), reason="accompaniment")


def staff_access(user: User, accompaniment_id: object) -> Accompaniment:
    """For staff pages and actions: an accompaniment of an organisation where the user reads case files.
    A volunteer who may see the event itself is still refused here (404), never shown who signed up."""
    found = accompaniment_access(user, accompaniment_id)
    if not user.scope.can(Cap.PEOPLE_VIEW, found.organisation_id):
        raise Http404
    return found


def signups_of(reader: Reader, accompaniment: Accompaniment) -> list[Signup]:
    """Who signed up (staff only: the caller checked ``staff_access``). Logged with the event."""
    rows = list(
        accompaniment.signups.select_related("volunteer", "reminder").order_by("withdrawn_at", "signed_up_at")
    )
    log_view(reader, accompaniment, organisation_id=accompaniment.organisation_id, reason="sign-ups")
    return rows


def events_to_open(reader: Reader) -> tuple[list[CheckIn], list[CourtEvent]]:
    """The staff page: the scheduled check-ins and hearings of the next weeks of the user's organisations,
    to open for accompaniment. They name people, so the list is logged."""
    today = timezone.localdate()
    last = today + dt.timedelta(days=STAFF_DAYS_AHEAD)
    orgs = reader.user.scope.orgs_with(Cap.PEOPLE_VIEW)
    check_ins = list(
        CheckIn.objects.visible_to(reader.user)
        .filter(date__gte=today, date__lte=last, outcome=CheckIn.Outcome.SCHEDULED)
        .select_related("person")
        .order_by("date", "pk")[:200]
    )
    hearings = list(
        CourtEvent.objects.filter(
            proceeding__organisation_id__in=orgs,
            proceeding__person__merged_into__isnull=True,
            kind=CourtEvent.Kind.HEARING,
            date__gte=today,
            date__lte=last,
        )
        .select_related("proceeding__person")
        .order_by("date", "pk")[:200]
    )
    log_list(reader, CheckIn, [(c.pk, c.organisation_id) for c in check_ins], reason="accompaniment")
    log_list(
        reader, CourtEvent, [(e.pk, e.proceeding.organisation_id) for e in hearings], reason="accompaniment"
    )
    return check_ins, hearings


def opened_by_staff(reader: Reader) -> list[Accompaniment]:
    """The staff page's list of what is open, with places taken. Logged."""
    return _from_today(reader, Cap.PEOPLE_VIEW)
