"""Consent, referrals and transfers: how a person's record crosses from one organisation to another.

Only the holding organisation records or withdraws the person's consents (``people.access``). A referral
or transfer is refused unless a consent of the person, valid today, names the receiving organisation. It
carries the sections of that consent, narrowed to those the referring organisation itself holds; the
receiver sees them once it accepts; withdrawing or expiry of any consent in the chain takes them away at
once, because visibility is computed from the chain every time (``Referral.live_q``), never copied. A
transfer hands the record itself over: the receiver becomes its holder.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crossings import events
from crossings.accounts.models import Organisation
from crossings.accounts.roles import Cap
from crossings.errors import Conflict, Refused
from crossings.history import written_by
from crossings.people.access import PersonAccess, access_for, carried_sections
from crossings.people.models import Consent, Person, Referral

if TYPE_CHECKING:
    from crossings.accounts.models import User


class ConsentMissing(Conflict):
    """No valid consent covers what was asked; the message says exactly which consent is missing."""

    def __init__(self, message: Any, *, field: str = "to_organisation"):
        super().__init__(message, field=field)


def sharing_consent(person: Person, organisation: Organisation, day: dt.date | None = None) -> Consent | None:
    day = day or timezone.localdate()
    return (
        Consent.objects.filter(person=person, scope=Consent.Scope.SHARE, shared_with=organisation)
        .filter(Consent.valid_q(day=day))
        .order_by("-given_on", "-pk")
        .first()
    )


def explain_missing_consent(person: Person, organisation: Organisation) -> str:
    day = timezone.localdate()
    latest = (
        Consent.objects.filter(person=person, scope=Consent.Scope.SHARE, shared_with=organisation)
        .order_by("-given_on", "-pk")
        .first()
    )
    if latest is None:
        return _(
            "No consent to share this person's record with %(org)s is recorded. Record the person's consent "
            '("share the record with a named organisation": %(org)s) before referring.'
        ) % {"org": organisation.name}
    if latest.withdrawn_on and latest.withdrawn_on <= day:
        return _("The consent to share with %(org)s was withdrawn on %(date)s. A new consent is needed.") % {
            "org": organisation.name,
            "date": latest.withdrawn_on,
        }
    if latest.expires_on and latest.expires_on < day:
        return _("The consent to share with %(org)s expired on %(date)s. A new consent is needed.") % {
            "org": organisation.name,
            "date": latest.expires_on,
        }
    return _("The consent to share with %(org)s starts on %(date)s, not yet valid.") % {
        "org": organisation.name,
        "date": latest.given_on,
    }


def _holder_access(user: User, person: Person) -> PersonAccess:
    access = access_for(user, person)
    if access is None:
        raise PermissionDenied(_("This record is not visible to you."))
    access.require_edit()  # consents, transfers: the holding organisation only
    return access


@transaction.atomic
def record_consent(
    *,
    person: Person,
    user: User,
    scope: str,
    given_on: dt.date,
    shared_with: Organisation | None = None,
    shared_with_id: int | None = None,
    sections: list[str] | tuple[str, ...] = (),
    expires_on: dt.date | None = None,
    form: Any = None,
) -> Consent:
    """Record a consent the person gave to the holding organisation. A sharing consent lists what the named
    organisation may see beyond identity; an empty list is an identity-only consent, as documented."""
    access = _holder_access(user, person)
    wanted = list(dict.fromkeys(sections))  # each once, in the order given
    if scope != Consent.Scope.SHARE and wanted:
        raise ValidationError({"sections": _("Only a sharing consent lists what may be shared.")})
    consent = Consent(
        person=person,
        organisation_id=access.organisation_id,
        recorded_by=user,
        scope=scope,
        shared_with=shared_with,
        sections=wanted,
        given_on=given_on,
        expires_on=expires_on,
    )
    if shared_with is None and shared_with_id is not None:
        consent.shared_with_id = shared_with_id
    consent.full_clean(exclude=["person", "organisation", "recorded_by", "form"])
    written_by(consent, user)
    consent.save()
    if form:
        consent.form.save("consent", form, save=True)
    return consent


@transaction.atomic
def withdraw_consent(*, consent: Consent, user: User, on: dt.date | None = None) -> Consent:
    """The person withdraws a consent, told to the holding organisation. Every referral resting on it,
    and every onward referral resting on those, stops giving access at once (Referral.live_q)."""
    _holder_access(user, consent.person)
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_on is not None:
        raise ValidationError(
            _("This consent was already withdrawn on %(date)s.") % {"date": consent.withdrawn_on}
        )
    consent.withdrawn_on = on or timezone.localdate()
    written_by(consent, user)
    consent.save(update_fields=["withdrawn_on"])
    return consent


@transaction.atomic
def refer(
    *,
    person: Person,
    to_organisation: Organisation,
    purpose: str,
    user: User,
    kind: str = Referral.Kind.REFERRAL,
    case: Any = None,
) -> Referral:
    """Ask ``to_organisation`` to serve the person too (a referral) or to take the record over (a
    transfer, which only the holding organisation makes)."""
    access = access_for(user, person)
    if access is None:
        raise PermissionDenied(_("This record is not visible to you."))
    access.require_edit(None if kind == Referral.Kind.TRANSFER else "referral")
    if to_organisation.pk == access.organisation_id:
        raise ConsentMissing(_("A referral goes to another organisation."))
    if to_organisation.pk == person.organisation_id:
        raise ConsentMissing(_("%(org)s holds this record already.") % {"org": to_organisation.name})
    if not purpose.strip():
        raise Refused(_("Say what the referral is for."), field="purpose")
    consent = sharing_consent(person, to_organisation)
    if consent is None:
        raise ConsentMissing(explain_missing_consent(person, to_organisation))
    if Referral.objects.filter(
        person=person, to_organisation=to_organisation, status=Referral.Status.PENDING
    ).exists():
        raise ConsentMissing(
            _("A referral of this person to %(org)s is already waiting for an answer.")
            % {"org": to_organisation.name}
        )
    sections, basis = carried_sections(access, consent)
    if basis is not None and basis.hops >= Referral.MAX_HOPS:
        raise ConsentMissing(
            _(
                "This record has already been passed on %(n)s times from %(org)s. Ask %(org)s to refer "
                "the person directly."
            )
            % {"n": basis.hops, "org": person.organisation.name}
        )
    referral = Referral(
        person=person,
        from_organisation_id=access.organisation_id,
        to_organisation=to_organisation,
        kind=kind,
        purpose=purpose.strip(),
        consent=consent,
        sections=sections,
        basis=basis,
        created_by=user,
        case=case,
    )
    written_by(referral, user)
    referral.save()
    _emit(events.Event.REFERRAL_SENT, referral)
    return referral


def _emit(event: events.Event, referral: Referral) -> None:
    """Both ends of a referral hear of it: the sender and the receiver. The person's global_id goes with
    it (an id, not personal data: see crossings/events.py)."""
    events.emit(
        event,
        organisation_ids=[referral.from_organisation_id, referral.to_organisation_id],
        referral_id=referral.pk,
        person_id=referral.person_id,
        person_global_id=str(referral.person.global_id),
    )


def _still_pending(referral: Referral) -> None:
    """Answering and cancelling both need a referral that still waits (one check, one message)."""
    if referral.status != Referral.Status.PENDING:
        raise Conflict(
            _("This referral was already answered (%(status)s).") % {"status": referral.get_status_display()}
        )


def _decide(referral: Referral, user: User) -> Referral:
    _still_pending(referral)
    if not user.scope.can(Cap.PEOPLE_EDIT, referral.to_organisation_id):
        raise PermissionDenied(_("Only the receiving organisation answers a referral."))
    referral.decided_by = user
    referral.decided_at = timezone.now()
    written_by(referral, user)
    return referral


@transaction.atomic
def accept_referral(*, referral: Referral, user: User) -> Referral:
    """The people part of accepting: consent and chain checks, and a transfer's change of holder. Called by
    ``cases.services.accept_referral``, which moves the case a transfer names."""
    referral = Referral.objects.select_for_update().select_related("person").get(pk=referral.pk)
    _decide(referral, user)
    if not referral.consent.is_valid_on(timezone.localdate()):
        raise ConsentMissing(explain_missing_consent(referral.person, referral.to_organisation))
    if referral.basis_id and not Referral.objects.filter(pk=referral.basis_id).filter(Referral.live_q()):
        raise ConsentMissing(
            _(
                "%(org)s no longer has access to this record (a consent it rested on was withdrawn or has "
                "expired), so it cannot pass it on."
            )
            % {"org": referral.from_organisation.name}
        )
    referral.status = Referral.Status.ACCEPTED
    referral.save()
    if referral.kind == Referral.Kind.TRANSFER:
        # The record itself changes hands: the receiver holds it from now on (records consents, changes
        # it, refers it on); the former holder keeps its own cases and sees the person only if a consent
        # the new holder records names it.
        person = Person.objects.select_for_update().get(pk=referral.person_id)
        person.organisation_id = referral.to_organisation_id
        written_by(person, user)
        person.save(update_fields=["organisation"])
    _emit(events.Event.REFERRAL_ACCEPTED, referral)
    return referral


@transaction.atomic
def decline_referral(*, referral: Referral, user: User, reason: str = "") -> Referral:
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _decide(referral, user)
    referral.status = Referral.Status.DECLINED
    referral.decline_reason = reason
    referral.save()
    return referral


@transaction.atomic
def cancel_referral(*, referral: Referral, user: User) -> Referral:
    """The sender takes back a referral not yet answered: the receiver never sees it. Undone by referring
    again (a new referral, under the consent valid then)."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _still_pending(referral)
    if not user.scope.can(Cap.PEOPLE_EDIT, referral.from_organisation_id):
        raise PermissionDenied(_("Only the sending organisation cancels a referral."))
    referral.status = Referral.Status.CANCELLED
    referral.decided_by = user
    referral.decided_at = timezone.now()
    written_by(referral, user)
    referral.save()
    return referral
