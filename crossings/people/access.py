"""What one user may see and do with one person record: the one rule every door asks.

A record has one **holding organisation** (the one that registered it, or the one an accepted transfer handed
it to). Its case roles see everything and are the only ones who record or withdraw the person's consents,
change the record, add other names, merge, or transfer it.

Another organisation sees the record only through a **live referral** (``Referral.live_q``): accepted, under
a valid consent of the person naming that organisation, and — for a referral passed on by an organisation
that received the record itself — based on a referral that is live too, all the way back to the holder. It
sees identity (names, sex, birth, languages) and the sections the referral carries, never more than the
referrer held; it writes only into what it sees (journey events with the journey section, family with the
contact section) and its own cases. Withdrawing or expiry of any consent in the chain ends the access at
once, because it is computed from the chain on every read, never copied.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from crossings.accounts.roles import Cap
from crossings.people.models import Consent, Person, Referral

if TYPE_CHECKING:
    from crossings.accounts.models import User

IDENTITY = "identity"
CASES = "cases"  # each organisation's own cases of the person
ALWAYS = frozenset({IDENTITY, CASES})
ALL_SECTIONS = frozenset({IDENTITY, *Consent.Section.values, CASES})
# What a receiving organisation must hold to write into a part of the record.
WRITE_NEEDS = {"journey": Consent.Section.JOURNEY, "family": Consent.Section.CONTACT}


@dataclass(frozen=True)
class PersonAccess:
    person: Person
    organisation_id: int  # the organisation the user acts for with this record
    sections: frozenset[str]
    holder: bool  # that organisation holds the record
    can_edit: bool  # the user may change things for that organisation
    basis: Referral | None = None  # for a receiver: the live referral an onward referral would rest on

    def shows(self, section: str) -> bool:
        return section in self.sections

    @property
    def status(self) -> str | None:
        """The derived status is part of the journey: a receiver without that section does not see it."""
        return self.person.status if self.shows(Consent.Section.JOURNEY) else None

    def require_edit(self, part: str | None = None) -> None:
        """Refuse (403, with the reason) unless the user may write ``part`` of the record: "journey",
        "family", "cases", "referral", or None for what only the holder writes (the record itself, other
        names, photo, consents, merge, transfer)."""
        if not self.can_edit:
            raise PermissionDenied(_("Your role may read this record but not change it."))
        if self.holder or part in ("cases", "referral"):
            return
        needed = WRITE_NEEDS.get(part or "")
        if needed is None:
            raise PermissionDenied(
                _("Only the organisation that holds this record (%(org)s) can do this.")
                % {"org": self.person.organisation.name}
            )
        if needed not in self.sections:
            raise PermissionDenied(
                _("The person's consent does not share the %(section)s with your organisation.")
                % {"section": Consent.Section(needed).label}
            )


def access_for(user: User, person: Person) -> PersonAccess | None:
    """The access ``user`` has to ``person``, or None when the record is not theirs to see."""
    scope = user.scope
    if person.merged_into_id is not None:
        return None
    if scope.can(Cap.PEOPLE_VIEW, person.organisation_id):
        return PersonAccess(
            person=person,
            organisation_id=person.organisation_id,
            sections=ALL_SECTIONS,
            holder=True,
            can_edit=scope.can(Cap.PEOPLE_EDIT, person.organisation_id),
        )
    orgs = scope.orgs_with(Cap.PEOPLE_VIEW)
    live = list(
        Referral.objects.filter(person=person, to_organisation_id__in=orgs)
        .filter(Referral.live_q())
        .order_by("pk")
    )
    if not live:
        return None
    by_org: dict[int, list[Referral]] = {}
    for referral in live:
        by_org.setdefault(referral.to_organisation_id, []).append(referral)

    def held(org_id: int) -> frozenset[str]:
        return ALWAYS | frozenset(s for r in by_org[org_id] for s in r.sections)

    # A user in two receiving organisations acts for the one where they may edit and that holds the most.
    org_id = max(by_org, key=lambda o: (scope.can(Cap.PEOPLE_EDIT, o), len(held(o)), -o))
    basis = max(by_org[org_id], key=lambda r: (len(r.sections), r.pk))
    return PersonAccess(
        person=person,
        organisation_id=org_id,
        sections=held(org_id),
        holder=False,
        can_edit=scope.can(Cap.PEOPLE_EDIT, org_id),
        basis=basis,
    )


def carried_sections(access: PersonAccess, consent: Consent) -> tuple[list[str], Referral | None]:
    """What a referral sent under ``consent`` carries, and the referral it rests on: the consent's
    sections, narrowed for a receiver to those of the live referral that brought it the record (the one
    that keeps the most of them, so that a withdrawal up that chain ends exactly what it gave)."""
    wanted = set(consent.sections)
    if access.holder:
        return sorted(wanted), None
    live = Referral.objects.filter(person=access.person, to_organisation_id=access.organisation_id).filter(
        Referral.live_q()
    )
    basis = max(live, key=lambda r: (len(wanted & set(r.sections)), r.pk), default=None)
    if basis is None:
        raise PermissionDenied(_("Your organisation no longer has access to this record."))
    return sorted(wanted & set(basis.sections)), basis
