"""Reads: the organisation's reminder log, a person's reminder contacts and reminders (the read of the
person is logged, through people.selectors), and the settings an administrator may see."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from crossings.accounts.roles import Cap
from crossings.audit.reads import Reader
from crossings.people import selectors as people_selectors
from crossings.people.access import PersonAccess
from crossings.people.models import Consent
from crossings.reminders.models import Contact, Reminder, ReminderSettings

if TYPE_CHECKING:
    from crossings.accounts.models import User


def reminders_visible(user: User) -> QuerySet[Reminder]:
    """Unlogged, for composing: the reminders of the organisations where the user reads people."""
    return Reminder.objects.visible_to(user).select_related("person", "user", "contact")


def reminder_for(user: User, reminder_id: int) -> Reminder:
    """404 for another organisation's: its existence is not told."""
    return get_object_or_404(reminders_visible(user), pk=reminder_id)


def log_page(reader: Reader, rows: Sequence[Reminder]) -> Sequence[Reminder]:
    """A page of the log names people: the read is written for each organisation shown."""
    people_selectors.log_people(reader, [r.person for r in rows], reason="reminder log")
    return rows


def person_reminders(reader: Reader, person_id: object) -> tuple[PersonAccess, list[Contact], list[Reminder]]:
    """One person's reminder contacts (newest first) and reminders: the read of the person is logged."""
    access = people_selectors.person_for(reader, person_id, reason="reminders")
    contacts = list(
        Contact.objects.filter(
            consent__person=access.person,
            consent__scope=Consent.Scope.REMINDERS,
            consent__organisation_id=access.organisation_id,
        ).select_related("consent")
    )
    rows = list(reminders_visible(reader.user).filter(person=access.person).order_by("-id")[:100])
    return access, contacts, rows


def settings_for(user: User, organisation_id: int) -> ReminderSettings:
    """The organisation's settings, or unsaved defaults; only for its administrators."""
    if not user.scope.can(Cap.ORG_MANAGE, organisation_id):
        raise PermissionDenied
    found = (
        ReminderSettings.objects.filter(organisation_id=organisation_id)
        .select_related("organisation")
        .first()
    )
    if found is None:
        found = ReminderSettings(organisation_id=organisation_id)
    return found
