"""Workflows that touch several person records at once. Each is one transaction: all or nothing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

from crossings import conflicts, events
from crossings.conflicts import EditConflict as EditConflict  # the shared check, re-exported
from crossings.history import written_by
from crossings.people import journey
from crossings.people.matching import rebuild_name_keys
from crossings.people.models import (
    Consent,
    FamilyMember,
    JourneyEvent,
    Person,
    PersonMerge,
    PersonName,
    Referral,
)

if TYPE_CHECKING:
    from crossings.accounts.models import User

EDITABLE_FIELDS = Person.EDITABLE_FIELDS


def clean_aliases(names: Sequence[str], *, already: int = 0) -> list[str]:
    """Other names as typed: trimmed, blank lines dropped, each spelling once (ignoring case), and no more
    than a person can have. Refused with the limit named rather than silently cut."""
    if len(names) > PersonName.MAX_PER_PERSON * 5:  # refuse absurd input before looking at every item
        raise ValidationError({"aliases": _("At most %(n)s other names.") % {"n": PersonName.MAX_PER_PERSON}})
    kept: dict[str, str] = {}
    for raw in names:
        name = raw.strip()
        if not name:
            continue
        if len(name) > PersonName.MAX_LENGTH:
            raise ValidationError(
                {
                    "aliases": _("An other name has at most %(n)s characters: %(start)s…")
                    % {"n": PersonName.MAX_LENGTH, "start": name[:20]}
                }
            )
        kept.setdefault(name.casefold(), name)
    if already + len(kept) > PersonName.MAX_PER_PERSON:
        raise ValidationError({"aliases": _("At most %(n)s other names.") % {"n": PersonName.MAX_PER_PERSON}})
    return list(kept.values())


@transaction.atomic
def create_person(
    *, organisation_id: int, user: User, data: dict[str, Any], aliases: Sequence[str] = ()
) -> Person:
    names = clean_aliases(aliases)
    person = Person(
        organisation_id=organisation_id,
        created_by=user,
        **{k: v for k, v in data.items() if k in EDITABLE_FIELDS},
    )
    person.full_clean(exclude=["organisation", "created_by", "photo"])
    written_by(person, user)
    person.save()
    PersonName.objects.bulk_create([PersonName(person=person, name=name) for name in names])
    rebuild_name_keys(person)
    events.emit(events.Event.PERSON_REGISTERED, organisation_ids=[organisation_id], person_id=person.pk)
    return person


@transaction.atomic
def update_person(*, person_id: int, user: User, data: dict[str, Any], expected_version: int) -> Person:
    """Save changes unless someone else saved first; never a silent overwrite."""
    person = conflicts.lock_at_version(Person.objects, person_id, expected_version, EDITABLE_FIELDS)
    for key, value in data.items():
        if key in EDITABLE_FIELDS:
            setattr(person, key, value)
    person.full_clean(exclude=["organisation", "created_by", "photo"])
    conflicts.save_next_version(person, user)
    rebuild_name_keys(person)
    return person


@transaction.atomic
def add_alias(*, person: Person, name: str, note: str = "", user: User | None = None) -> PersonName:
    if not name.strip():
        raise ValidationError({"name": _("The other name is empty.")})
    Person.objects.select_for_update().filter(pk=person.pk).first()  # one writer of the names at a time
    existing = list(person.aliases.values_list("name", flat=True))
    if name.strip().casefold() in {n.casefold() for n in existing}:
        raise ValidationError({"name": _("This other name is already recorded.")})
    try:
        clean_aliases([name], already=len(existing))
    except ValidationError as exc:
        raise ValidationError({"name": exc.message_dict["aliases"]}) from exc
    alias = PersonName(person=person, name=name.strip(), note=note)
    written_by(alias, user)
    alias.save()
    rebuild_name_keys(person)
    return alias


@transaction.atomic
def merge_people(*, survivor: Person, duplicate: Person, user: User, reason: str = "") -> PersonMerge:
    """Fold ``duplicate`` into ``survivor``. Every event, case, consent, referral, family member and name of
    both is kept on the survivor; the duplicate stays in the database, hidden and pointing to the survivor,
    so access-log entries and history about it still resolve. The merge itself is recorded."""
    from crossings.cases.models import Case

    if survivor.pk == duplicate.pk:
        raise ValidationError(_("A record cannot be merged with itself."))
    survivor = Person.objects.select_for_update().get(pk=survivor.pk)
    duplicate = Person.objects.select_for_update().get(pk=duplicate.pk)
    if duplicate.merged_into_id or survivor.merged_into_id:
        raise ValidationError(_("One of these records was already merged."))
    snapshot = model_to_dict(duplicate, fields=[*EDITABLE_FIELDS, "organisation", "status"])
    snapshot = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in snapshot.items()}
    # A referral of the duplicate gave its receiver that record, not the survivor's: moving it live would
    # show the receiver the survivor's own journey and contact, which no consent of theirs covers. It ends
    # (with the onward referrals resting on it); the holder refers the survivor again if the person wants.
    for referral in Referral.objects.filter(
        person=duplicate, status__in=[Referral.Status.PENDING, Referral.Status.ACCEPTED]
    ):
        referral.status = Referral.Status.CANCELLED
        referral.decline_reason = _("Ended: the record was merged into record #%(id)s.") % {"id": survivor.pk}
        written_by(referral, user)
        referral.save(update_fields=["status", "decline_reason"])
    for model in (JourneyEvent, Consent, Referral, FamilyMember, PersonName, Case):
        model.objects.filter(person=duplicate).update(person=survivor)
    # The duplicate's own names become other names of the survivor, so it is still found by them.
    dup_name = f"{duplicate.family_name} {duplicate.given_name}".strip()
    surv_name = f"{survivor.family_name} {survivor.given_name}".strip()
    if dup_name and dup_name.lower() != surv_name.lower():
        PersonName.objects.create(
            person=survivor, name=dup_name, note=_("merged record #%(id)s") % {"id": duplicate.pk}
        )
    if duplicate.name_km and duplicate.name_km != survivor.name_km:
        PersonName.objects.create(
            person=survivor, name=duplicate.name_km, note=_("merged record #%(id)s") % {"id": duplicate.pk}
        )
    for name in EDITABLE_FIELDS:  # fill gaps in the survivor from the duplicate, never overwrite
        if getattr(survivor, name) in (None, "", "unknown") and getattr(duplicate, name) not in (
            None,
            "",
            "unknown",
        ):
            setattr(survivor, name, getattr(duplicate, name))
    survivor.version += 1
    written_by(survivor, user)
    survivor.save()
    duplicate.merged_into = survivor
    written_by(duplicate, user)
    duplicate.save()
    rebuild_name_keys(survivor)
    from crossings.people.models import PersonNameKey

    PersonNameKey.objects.filter(person=duplicate).delete()
    journey.refresh_status(survivor)
    # The survivor keeps its global_id (the one other systems are told from now on); the absorbed one is
    # kept on the merge, so a system that still sends it can be pointed to the survivor.
    return PersonMerge.objects.create(
        survivor=survivor,
        merged=duplicate,
        merged_global_id=duplicate.global_id,
        snapshot={**snapshot, "global_id": str(duplicate.global_id)},
        merged_by=user,
        reason=reason,
    )


@transaction.atomic
def add_family_member(*, person: Person, user: User, data: dict[str, Any]) -> FamilyMember:
    """A relative of the person. The holder, or a receiver whose consent shares contact details and
    family, writes it (people.access). The model's own rules refuse a custody follow-up for an adult or a
    follow-up for family outside the US; removal turns the follow-ups into tasks (cases.family)."""
    from django.http import Http404

    from crossings.people.access import access_for

    access = access_for(user, person)
    if access is None:
        raise Http404
    access.require_edit("family")
    member = FamilyMember(person=person, **{k: v for k, v in data.items() if k in FamilyMember.FIELDS})
    if member.contact == "":
        member.contact = None
    member.full_clean(exclude=["person"])
    written_by(member, user)
    member.save()
    return member
