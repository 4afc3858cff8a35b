"""Consent, referrals and transfers: how a person's record crosses from one organisation to another.

A referral or transfer is refused unless a consent of the person, valid today (given, not expired, not
withdrawn), covers sharing with the receiving organisation. The receiver sees the person once it accepts,
and only the sections the consent lists; withdrawing the consent takes that away again at once, because
visibility is computed from the consent every time (Person.scope_filter), never copied.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crossings.accounts.models import Organisation
from crossings.accounts.roles import Cap
from crossings.people.models import Consent, Person, Referral

ALWAYS = frozenset({"identity"})
ALL_SECTIONS = frozenset({"identity", *Consent.Section.values, "cases"})


class ConsentMissing(Exception):
    """No valid consent covers what was asked; the message says exactly which consent is missing."""


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


@transaction.atomic
def record_consent(*, person: Person, organisation_id: int, user: Any, **fields: Any) -> Consent:
    consent = Consent(person=person, organisation_id=organisation_id, recorded_by=user, **fields)
    if consent.scope == Consent.Scope.SHARE and not consent.sections:
        consent.sections = [Consent.Section.JOURNEY]
    consent.full_clean(exclude=["person", "organisation", "recorded_by", "form"])
    consent._history_user = user  # type: ignore[attr-defined]
    consent.save()
    return consent


@transaction.atomic
def withdraw_consent(*, consent: Consent, user: Any, on: dt.date | None = None) -> Consent:
    consent.withdrawn_on = on or timezone.localdate()
    consent._history_user = user  # type: ignore[attr-defined]
    consent.save(update_fields=["withdrawn_on"])
    return consent


@transaction.atomic
def refer(
    *,
    person: Person,
    from_organisation_id: int,
    to_organisation: Organisation,
    purpose: str,
    user: Any,
    kind: str = Referral.Kind.REFERRAL,
    case: Any = None,
) -> Referral:
    if to_organisation.pk == from_organisation_id:
        raise ConsentMissing(_("A referral goes to another organisation."))
    if not purpose.strip():
        raise ValueError(_("Say what the referral is for."))
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
    referral = Referral(
        person=person,
        from_organisation_id=from_organisation_id,
        to_organisation=to_organisation,
        kind=kind,
        purpose=purpose.strip(),
        consent=consent,
        created_by=user,
        case=case,
    )
    referral._history_user = user  # type: ignore[attr-defined]
    referral.save()
    return referral


def _decide(referral: Referral, user: Any) -> Referral:
    if referral.status != Referral.Status.PENDING:
        raise ValueError(
            _("This referral was already answered (%(status)s).") % {"status": referral.get_status_display()}
        )
    if not user.scope.can(Cap.PEOPLE_EDIT, referral.to_organisation_id):
        raise PermissionDenied(_("Only the receiving organisation answers a referral."))
    referral.decided_by = user
    referral.decided_at = timezone.now()
    referral._history_user = user  # type: ignore[attr-defined]
    return referral


@transaction.atomic
def accept_referral(*, referral: Referral, user: Any) -> Referral:
    from crossings.cases.models import Case

    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _decide(referral, user)
    if not referral.consent.is_valid_on(timezone.localdate()):
        raise ConsentMissing(explain_missing_consent(referral.person, referral.to_organisation))
    referral.status = Referral.Status.ACCEPTED
    referral.save()
    if referral.kind == Referral.Kind.TRANSFER and referral.case_id:
        old = Case.objects.select_for_update().get(pk=referral.case_id)
        if old.is_open:
            old.close(reason=Case.ClosureReason.TRANSFERRED)
        Case.objects.create(
            organisation=referral.to_organisation, person=referral.person, programme=old.programme, owner=user
        )
    return referral


@transaction.atomic
def decline_referral(*, referral: Referral, user: Any, reason: str = "") -> Referral:
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _decide(referral, user)
    referral.status = Referral.Status.DECLINED
    referral.decline_reason = reason
    referral.save()
    return referral


def sections_for(user: Any, person: Person) -> frozenset[str]:
    """What of ``person`` the user may see: everything for the registering organisation; for an
    organisation that accepted a referral, identity plus the sections its valid consents list."""
    scope = user.scope
    if scope.can(Cap.PEOPLE_VIEW, person.organisation_id):
        return ALL_SECTIONS
    orgs = scope.orgs_with(Cap.PEOPLE_VIEW)
    sections: set[str] = set(ALWAYS)
    accepted = (
        Referral.objects.filter(person=person, to_organisation_id__in=orgs, status=Referral.Status.ACCEPTED)
        .filter(Consent.valid_q(prefix="consent__"))
        .select_related("consent")
    )
    for referral in accepted:
        sections |= set(referral.consent.sections)
    # The receiving organisation always sees its own cases of the person.
    sections.add("cases")
    return frozenset(sections)


def organisation_for(user: Any, person: Person) -> int | None:
    """The organisation on whose behalf ``user`` acts for ``person``: the registering one if the user is a
    member, else the first organisation of the user that received the person by referral."""
    scope = user.scope
    if scope.can(Cap.PEOPLE_VIEW, person.organisation_id):
        return person.organisation_id
    orgs = scope.orgs_with(Cap.PEOPLE_VIEW)
    referral = (
        Referral.objects.filter(person=person, to_organisation_id__in=orgs, status=Referral.Status.ACCEPTED)
        .values_list("to_organisation_id", flat=True)
        .first()
    )
    return referral
