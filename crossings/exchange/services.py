"""Exchange workflows: receive a referral proposed by another system, and the three answers a reviewer
gives it (this is a person we know; register them; decline). Registering goes through
people.services.create_person, so the duplicate rules, the history and the "person registered" event are
the ones every other door uses."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crossings.accounts.roles import Cap
from crossings.errors import Conflict, Refused
from crossings.exchange.models import InboundReferral
from crossings.history import written_by
from crossings.idempotency import replay_or_record
from crossings.people import services as people_services
from crossings.people.models import Person

if TYPE_CHECKING:
    from crossings.accounts.models import User

FIELDS = (
    "global_id",
    "given_name",
    "family_name",
    "name_km",
    "birth_year",
    "reason",
    "from_organisation_name",
    "from_system",
    "sender_reference",
)


def receive_inbound(
    *, organisation_id: int, user: User, data: dict[str, Any], idempotency_key: str = ""
) -> InboundReferral:
    """A referral proposed to ``organisation_id`` by another system, held for review (not a person).

    The same proposal sent again (a retry after a timeout, a job run twice) returns the first record
    (``replayed`` is True) and records nothing: by the Idempotency-Key header, else by the sender's own
    reference for it (``from_system`` + ``sender_reference``)."""
    if not user.scope.can(Cap.EXCHANGE, organisation_id):
        raise PermissionDenied
    fields = {k: v for k, v in data.items() if k in FIELDS and v is not None}
    for name in ("given_name", "family_name", "name_km", "reason", "from_organisation_name", "from_system"):
        fields[name] = str(fields.get(name) or "").strip()
    fields["sender_reference"] = str(fields.get("sender_reference") or "").strip()
    return replay_or_record(
        idempotency_key,
        find=lambda key: _replay(organisation_id, key, fields),
        record=lambda key: _receive(organisation_id=organisation_id, user=user, fields=fields, key=key),
    )


def _replay(organisation_id: int, key: str, fields: dict[str, Any]) -> InboundReferral | None:
    rows = InboundReferral.objects.filter(organisation_id=organisation_id)
    first = None
    if key:
        first = rows.filter(idempotency_key=key).first()
    if first is None and fields.get("sender_reference"):
        first = rows.filter(
            from_system=fields.get("from_system", ""), sender_reference=fields["sender_reference"]
        ).first()
    return first


@transaction.atomic
def _receive(*, organisation_id: int, user: User, fields: dict[str, Any], key: str) -> InboundReferral:
    if not (fields["given_name"] or fields["family_name"] or fields["name_km"]):
        raise Refused(_("Give at least one name, in Latin letters or in Khmer script."), field="given_name")
    if not fields["from_organisation_name"]:
        raise Refused(_("Say which organisation sends the referral."), field="from_organisation_name")
    year = fields.get("birth_year")
    if year is not None and not (1900 <= year <= timezone.localdate().year):
        raise Refused(_("The year of birth must be between 1900 and this year."), field="birth_year")
    inbound = InboundReferral(
        organisation_id=organisation_id, received_by=user, idempotency_key=key, **fields
    )
    written_by(inbound, user, "received from another system")
    inbound.save()
    return inbound


def _may_review(user: User, inbound: InboundReferral) -> InboundReferral:
    if not user.scope.can(Cap.PEOPLE_EDIT, inbound.organisation_id):
        raise PermissionDenied
    locked = InboundReferral.objects.select_for_update().get(pk=inbound.pk)
    if locked.status != InboundReferral.Status.PENDING:
        raise Conflict(
            _("This referral was already answered (%(status)s).") % {"status": locked.get_status_display()}
        )
    locked.decided_by = user
    locked.decided_at = timezone.now()
    return locked


@transaction.atomic
def match_inbound(*, inbound: InboundReferral, person: Person, user: User) -> InboundReferral:
    """The proposal is about a person the organisation already holds: link it, register no one."""
    inbound = _may_review(user, inbound)
    if person.organisation_id != inbound.organisation_id or person.merged_into_id:
        raise Refused(_("This person's record is held by another organisation."), field="person")
    inbound.person = person
    inbound.status = InboundReferral.Status.MATCHED
    written_by(inbound, user, "matched to a person")
    inbound.save()
    return inbound


@transaction.atomic
def accept_inbound(*, inbound: InboundReferral, user: User) -> InboundReferral:
    """Register the person the proposal is about, with what the sender gave (names; a birth year as a date
    of year precision). A global_id the sender knows them by is kept, when no record here has it, so both
    systems name the person the same way."""
    inbound = _may_review(user, inbound)
    data: dict[str, Any] = {
        "given_name": inbound.given_name,
        "family_name": inbound.family_name,
        "name_km": inbound.name_km,
    }
    if inbound.birth_year:
        data["birth_date"] = dt.date(inbound.birth_year, 1, 1)
        data["birth_date_precision"] = Person.DatePrecision.YEAR
    person = people_services.create_person(organisation_id=inbound.organisation_id, user=user, data=data)
    if inbound.global_id and not Person.objects.filter(global_id=inbound.global_id).exists():
        Person.objects.filter(pk=person.pk).update(global_id=inbound.global_id)
        person.global_id = inbound.global_id
    inbound.person = person
    inbound.status = InboundReferral.Status.ACCEPTED
    written_by(inbound, user, "accepted as a new person")
    inbound.save()
    return inbound


@transaction.atomic
def decline_inbound(*, inbound: InboundReferral, user: User, reason: str = "") -> InboundReferral:
    inbound = _may_review(user, inbound)
    inbound.status = InboundReferral.Status.DECLINED
    inbound.decline_reason = reason.strip()[:4000]
    written_by(inbound, user, "declined")
    inbound.save()
    return inbound
