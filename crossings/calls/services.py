"""Call-line workflows: take a call, link it to a person, open the rapid response. Opening a rapid response
is legal.services.mark_detained (the detention, the journey event, the alerts): this module calls it and
records on the call that it did, never a second copy of it."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crossings.accounts.roles import Cap
from crossings.calls.models import Call
from crossings.errors import Conflict, Refused
from crossings.history import written_by
from crossings.idempotency import replay_or_record
from crossings.legal import services as legal
from crossings.legal.models import RapidResponse
from crossings.people.models import Person

if TYPE_CHECKING:
    from crossings.accounts.models import User


def _may_edit(user: User, organisation_id: int) -> None:
    from django.core.exceptions import PermissionDenied

    if not user.scope.can(Cap.PEOPLE_EDIT, organisation_id):
        raise PermissionDenied


def take_call(*, organisation_id: int, user: User, data: dict[str, Any], idempotency_key: str = "") -> Call:
    """A call as the person on the line typed it. Something must say who the call is about or what
    happened, or there is nothing to act on.

    ``idempotency_key`` (the form's submission token, the API's Idempotency-Key header): the same call sent
    again returns the first one (``replayed`` is True) and records nothing."""
    _may_edit(user, organisation_id)
    return replay_or_record(
        idempotency_key,
        find=lambda key: (
            Call.objects.filter(organisation_id=organisation_id, idempotency_key=key).first() if key else None
        ),
        record=lambda key: _take_call(organisation_id=organisation_id, user=user, data=data, key=key),
    )


@transaction.atomic
def _take_call(*, organisation_id: int, user: User, data: dict[str, Any], key: str) -> Call:
    fields = {k: v for k, v in data.items() if k in Call.INTAKE_FIELDS}
    if not (str(fields.get("person_name") or "").strip() or str(fields.get("what_happened") or "").strip()):
        raise Refused(_("Say who the call is about or what happened."), field="person_name")
    received = fields.get("received_at") or timezone.now()
    if received > timezone.now() + dt.timedelta(minutes=5):
        raise Refused(_("The call cannot be received in the future."), field="received_at")
    fields["received_at"] = received
    call = Call(organisation_id=organisation_id, taken_by=user, idempotency_key=key, **fields)
    written_by(call, user)
    call.save()
    return call


@transaction.atomic
def link_person(*, call: Call, person: Person, user: User) -> Call:
    """The call is about this person. Only a person the call's organisation holds: the rapid response is
    that organisation's legal work (legal.services.own_person)."""
    _may_edit(user, call.organisation_id)
    if person.organisation_id != call.organisation_id:
        raise Refused(_("This person's record is held by another organisation."), field="person")
    if call.rapid_response_id and call.person_id != person.pk:
        raise Conflict(_("A rapid response was already opened from this call for another person."))
    call = Call.objects.select_for_update().get(pk=call.pk)
    call.person = person
    written_by(call, user, "linked to a person")
    call.save()
    return call


@transaction.atomic
def open_rapid_response(
    *, call: Call, user: User, verified: bool, facility: str, date: dt.date | None = None
) -> RapidResponse:
    """After the caller's account is verified (who is held, and where), one step: record the verification
    and start the rapid response through legal.services.mark_detained. Once opened, sending it again returns
    the first rapid response (``replayed`` is True) and records nothing; the call's id is also the key given
    to mark_detained, so even a race between two submissions opens one."""
    _may_edit(user, call.organisation_id)
    # Lock the call row only (PostgreSQL locks no nullable side of an outer join).
    call = Call.objects.select_for_update(of=("self",)).select_related("rapid_response").get(pk=call.pk)
    if call.rapid_response is not None:
        # Sent again (a double click, a retry, a colleague on the same call): the first one stands.
        first = call.rapid_response
        first.replayed = True
        return first
    if call.person is None:
        raise Conflict(_("Link the call to a person before opening a rapid response."))
    if not verified:
        raise Refused(_("Confirm that the detention was verified."), field="verified")
    facility = (facility or "").strip()
    if not facility:
        raise Refused(_("Say where the person is held."), field="facility")
    response = legal.mark_detained(
        person=call.person,
        organisation_id=call.organisation_id,
        facility=facility[:200],
        date=date or timezone.localdate(),
        user=user,
        idempotency_key=f"call-{call.pk}",
    )
    call.verified_at = timezone.now()
    call.verified_by = user
    call.rapid_response = response
    written_by(call, user, "rapid response opened")
    call.save()
    return response
