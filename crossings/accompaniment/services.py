"""Accompaniment workflows: staff open a check-in or hearing for volunteers (and close it); volunteers sign
up and withdraw. The cap is checked with the event's row locked, so two volunteers taking the last place
at once get one place and one Conflict; a sign-up sent again (double click, retry with the same submission
token or Idempotency-Key) is recorded once."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crossings.accompaniment.models import MAX_VOLUNTEERS, Accompaniment, Signup
from crossings.accounts.roles import Cap
from crossings.errors import Conflict, Refused
from crossings.history import written_by
from crossings.idempotency import replay_or_record
from crossings.legal.models import CheckIn, CourtEvent
from crossings.legal.notifications import initials

if TYPE_CHECKING:
    from crossings.accounts.models import User


def _may_edit(user: User, organisation_id: int) -> None:
    if not user.scope.can(Cap.PEOPLE_EDIT, organisation_id):
        raise PermissionDenied


@transaction.atomic
def open_accompaniment(
    *,
    user: User,
    check_in: CheckIn | None = None,
    court_event: CourtEvent | None = None,
    cap: int,
    meets_at: dt.time,
    meeting_point: str,
    note: str = "",
    language: str = Accompaniment.Language.ENGLISH,
) -> Accompaniment:
    """Ask for volunteers for one check-in or one hearing. Opening the same event again changes what was
    asked (the cap, the meeting point, the note) and opens it again if it was closed: one record per event.
    A cap below the volunteers already signed up is a Conflict (withdraw is theirs to do, not staff's)."""
    if (check_in is None) == (court_event is None):
        raise Refused(_("Choose one check-in or one hearing."))
    if court_event is not None:
        if court_event.kind != CourtEvent.Kind.HEARING:
            raise Refused(_("Only a hearing can be accompanied."), field="court_event")
        organisation_id, person, date = (
            court_event.proceeding.organisation_id,
            court_event.proceeding.person,
            court_event.date,
        )
    else:
        assert check_in is not None
        organisation_id, person, date = check_in.organisation_id, check_in.person, check_in.date
    _may_edit(user, organisation_id)
    if date < timezone.localdate():
        raise Refused(_("This event is in the past."))
    if not 1 <= cap <= MAX_VOLUNTEERS:
        raise Refused(_("Ask for between 1 and %(max)s volunteers.") % {"max": MAX_VOLUNTEERS}, field="cap")
    meeting_point = (meeting_point or "").strip()
    if not meeting_point:
        raise Refused(_("Say where volunteers meet."), field="meeting_point")
    existing = (
        Accompaniment.objects.select_for_update().filter(check_in=check_in, court_event=court_event).first()
    )
    if existing is not None:
        taken = existing.signups.filter(withdrawn_at=None).count()
        if cap < taken:
            raise Conflict(
                _("%(n)s volunteers have already signed up: the cap cannot be lower.") % {"n": taken}
            )
    record = existing or Accompaniment(
        organisation_id=organisation_id,
        person=person,
        check_in=check_in,
        court_event=court_event,
        opened_by=user,
    )
    record.cap = cap
    record.meets_at = meets_at
    record.meeting_point = meeting_point[:200]
    record.note = (note or "").strip()[:500]
    record.language = language
    record.initials = initials(person)[:12]
    record.closed_at = None
    written_by(record, user, "opened for accompaniment")
    record.save()
    return record


@transaction.atomic
def close_accompaniment(*, accompaniment: Accompaniment, user: User) -> Accompaniment:
    """No more sign-ups. Volunteers already signed up keep the event on their page."""
    _may_edit(user, accompaniment.organisation_id)
    record = Accompaniment.objects.select_for_update().get(pk=accompaniment.pk)
    if record.closed_at is None:
        record.closed_at = timezone.now()
        written_by(record, user, "closed")
        record.save()
    return record


def sign_up(*, accompaniment: Accompaniment, user: User, idempotency_key: str = "") -> Signup:
    """Take a place. Already signed up: the same sign-up (``replayed`` is True), nothing recorded. The
    same submission token or Idempotency-Key sent again returns what it recorded the first time, even if
    the volunteer withdrew since (a late retry does not sign them up again)."""
    if not user.scope.can(Cap.ACCOMPANY, accompaniment.organisation_id):
        raise PermissionDenied
    return replay_or_record(
        idempotency_key,
        find=lambda key: (
            Signup.objects.filter(
                accompaniment_id=accompaniment.pk, volunteer=user, idempotency_key=key
            ).first()
            if key
            else None
        ),
        record=lambda key: _sign_up(accompaniment_id=accompaniment.pk, user=user, key=key),
        clash=lambda key: Signup.objects.filter(accompaniment_id=accompaniment.pk, volunteer=user).first(),
    )


@transaction.atomic
def _sign_up(*, accompaniment_id: int, user: User, key: str) -> Signup:
    # The row lock is the cap's guard: whoever holds it counts the places and takes one; the other waits,
    # then counts again. (On SQLite the IMMEDIATE transaction already lets one writer in at a time.)
    record = (
        Accompaniment.objects.select_for_update(of=("self",))
        .select_related("check_in", "court_event")
        .get(pk=accompaniment_id)
    )
    if record.closed_at is not None:
        raise Conflict(_("This event is no longer open for accompaniment."))
    if record.date < timezone.localdate():
        raise Conflict(_("This event is in the past."))
    signup = Signup.objects.filter(accompaniment=record, volunteer=user).first()
    if signup is not None and signup.withdrawn_at is None:
        signup.replayed = True  # already signed up: nothing to record
        return signup
    if record.signups.filter(withdrawn_at=None).count() >= record.cap:
        raise Conflict(_("All places are taken."))
    if signup is None:
        signup = Signup(accompaniment=record, volunteer=user)
    signup.withdrawn_at = None
    signup.signed_up_at = timezone.now()
    signup.idempotency_key = key
    written_by(signup, user, "signed up")
    signup.save()
    return signup


@transaction.atomic
def withdraw(*, accompaniment: Accompaniment, user: User) -> Signup | None:
    """Give the place back. Not signed up (or withdrawn already): nothing to do, not an error."""
    if not user.scope.can(Cap.ACCOMPANY, accompaniment.organisation_id):
        raise PermissionDenied
    Accompaniment.objects.select_for_update(of=("self",)).filter(pk=accompaniment.pk).first()
    signup = Signup.objects.filter(
        accompaniment_id=accompaniment.pk, volunteer=user, withdrawn_at=None
    ).first()
    if signup is None:
        return None
    signup.withdrawn_at = timezone.now()
    written_by(signup, user, "withdrew")
    signup.save()
    return signup
