"""US family left behind: when a person's removal is recorded — through whichever door (the journey form,
the API, the reception's arrival day) — the custody and child-support follow-ups marked on their US family
become tasks of the organisation holding the record, written in the case owner's language (docs/people.md,
"US family").

A listener of ``crossings.events`` (connected in ``cases.apps``), so the people app that records the
removal does not import cases, and the tasks are written in the same transaction as the removal.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from crossings import events
from crossings.accounts.models import Membership, User
from crossings.accounts.roles import Cap, OrgKind, Role
from crossings.cases import services
from crossings.cases.models import Case, Task
from crossings.people.models import FamilyMember, JourneyEvent

# Days after the removal: custody first (a child may be with no one the court knows), support after.
CUSTODY_DAYS = 7
SUPPORT_DAYS = 30


def titles(member: FamilyMember) -> list[tuple[str, int]]:
    """The tasks a removal opens for one relative, in the language of the person who recorded it."""
    out = []
    if member.custody_follow_up:
        out.append(
            (
                _("Custody of %(name)s (%(rel)s): confirm who has the child now, and file the custody papers")
                % {
                    "name": member.name,
                    "rel": member.relationship,
                },
                CUSTODY_DAYS,
            )
        )
    if member.child_support_follow_up:
        out.append(
            (
                _("Child support for %(name)s (%(rel)s): ask the court or agency to review the order")
                % {
                    "name": member.name,
                    "rel": member.relationship,
                },
                SUPPORT_DAYS,
            )
        )
    return out


def on_event(
    sender: Any, *, event: events.Event, organisation_ids: frozenset[int], ids: dict[str, Any], **kwargs: Any
) -> None:
    if event != events.Event.PERSON_REMOVED or "journey_event_id" not in ids:
        return
    removal = JourneyEvent.objects.select_related("person__organisation", "recorded_by").get(
        pk=ids["journey_event_id"]
    )
    person, user = removal.person, removal.recorded_by
    members = [
        m
        for m in FamilyMember.objects.filter(person=person)
        if m.custody_follow_up or m.child_support_follow_up
    ]
    if not members or user is None:
        return
    holder = person.organisation
    owner = _owner(holder.pk, user)
    if owner is None:
        return  # no one in the holding organisation to give the tasks to
    case = Case.objects.filter(person=person, organisation=holder, closed_on=None).order_by(
        "pk"
    ).first() or services.programme_case(
        person=person,
        organisation_id=holder.pk,
        programme=Case.Programme.LEGAL_DEFENCE
        if holder.kind == OrgKind.ADVOCACY
        else Case.Programme.REINTEGRATION,
        user=owner,
    )
    # Written for the person who will do them: the case owner, in their language.
    with translation.override(case.owner.language or owner.language or translation.get_language()):
        wanted = [
            (title, removal.date + dt.timedelta(days=days)) for m in members for title, days in titles(m)
        ]
    have = set(Task.objects.filter(case=case).values_list("title", flat=True))
    for title, due in wanted:
        if title[:200] not in have:  # the same removal told twice opens each task once
            services.add_task(case=case, title=title[:200], due_on=due, created_by=user)


def _owner(holder_id: int, recorder: User) -> User | None:
    """Who gets the tasks: the recorder when they work for the holding organisation (the usual case), else
    one of its supervisors, else one of its case workers (a reception organisation recorded the removal)."""
    if recorder.scope.can(Cap.PEOPLE_EDIT, holder_id):
        return recorder
    for role in (Role.SUPERVISOR, Role.LEGAL_ADVOCATE, Role.CASEWORKER):
        found = (
            Membership.objects.filter(organisation_id=holder_id, role=role, user__is_active=True)
            .select_related("user")
            .order_by("pk")
            .first()
        )
        if found is not None:
            return found.user
    return None
