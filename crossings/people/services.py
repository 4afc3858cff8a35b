"""Workflows that touch several person records at once. Each is one transaction: all or nothing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

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

EDITABLE_FIELDS = [
    "given_name",
    "family_name",
    "name_km",
    "sex",
    "birth_date",
    "birth_date_precision",
    "birthplace_kind",
    "birthplace_province",
    "birthplace_camp",
    "birthplace_other",
    "us_arrival_date",
    "us_city",
    "languages",
    "khmer_ability",
    "a_number",
    "contact",
]


class EditConflict(Exception):
    """Someone else saved the record since it was opened. ``changes`` says what they changed."""

    def __init__(self, current_version: int, changes: dict[str, tuple[Any, Any]]):
        super().__init__(
            _("Someone else saved this record (now version %(v)s) after you opened it.")
            % {"v": current_version}
        )
        self.current_version = current_version
        self.changes = changes


@transaction.atomic
def create_person(
    *, organisation_id: int, user: Any, data: dict[str, Any], aliases: Sequence[str] = ()
) -> Person:
    person = Person(
        organisation_id=organisation_id,
        created_by=user,
        **{k: v for k, v in data.items() if k in EDITABLE_FIELDS},
    )
    person.full_clean(exclude=["organisation", "created_by", "photo"])
    person._history_user = user  # type: ignore[attr-defined]
    person.save()
    for name in aliases:
        if name.strip():
            PersonName.objects.create(person=person, name=name.strip())
    rebuild_name_keys(person)
    return person


@transaction.atomic
def update_person(*, person_id: int, user: Any, data: dict[str, Any], expected_version: int) -> Person:
    """Save changes unless someone else saved first; never a silent overwrite."""
    person = Person.objects.select_for_update().get(pk=person_id)
    if person.version != expected_version:
        raise EditConflict(person.version, changes_since(person, expected_version))
    for key, value in data.items():
        if key in EDITABLE_FIELDS:
            setattr(person, key, value)
    person.full_clean(exclude=["organisation", "created_by", "photo"])
    person.version += 1
    person._history_user = user  # type: ignore[attr-defined]
    person.save()
    rebuild_name_keys(person)
    return person


def changes_since(person: Person, version: int) -> dict[str, tuple[Any, Any]]:
    """Field -> (value at ``version``, value now), from the history, for the conflict message."""
    then = person.history.filter(version=version).order_by("-history_date").first()
    if then is None:
        return {}
    changes = {}
    for name in EDITABLE_FIELDS:
        old, new = getattr(then, name), getattr(person, name)
        if old != new:
            changes[name] = (old, new)
    return changes


@transaction.atomic
def add_alias(*, person: Person, name: str, note: str = "") -> PersonName:
    if not name.strip():
        raise ValidationError({"name": _("The other name is empty.")})
    alias = PersonName.objects.create(person=person, name=name.strip(), note=note)
    rebuild_name_keys(person)
    return alias


@transaction.atomic
def merge_people(*, survivor: Person, duplicate: Person, user: Any, reason: str = "") -> PersonMerge:
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
    survivor._history_user = user  # type: ignore[attr-defined]
    survivor.save()
    duplicate.merged_into = survivor
    duplicate._history_user = user  # type: ignore[attr-defined]
    duplicate.save()
    rebuild_name_keys(survivor)
    from crossings.people.models import PersonNameKey

    PersonNameKey.objects.filter(person=duplicate).delete()
    journey.refresh_status(survivor)
    return PersonMerge.objects.create(
        survivor=survivor, merged=duplicate, snapshot=snapshot, merged_by=user, reason=reason
    )
