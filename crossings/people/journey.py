"""A person's journey: dated events, and the status derived from them.

Status is never typed in. It is recomputed from the events every time one is recorded or corrected, with
these rules (events in date order; on the same day, in the order they were recorded):

- no events: ``at_risk``
- an event that changes status sets it: in proceedings, final order, detained, released on an order of
  supervision (``under_supervision``), removed, arrived, reintegrating, reintegrated, relief granted,
  naturalised, died (``deceased``);
- check-ins, travel-document steps and a scheduled removal are facts on the timeline but do not change it.

Impossible sequences are refused, with a message that names the rule:
- nothing can happen after a death, and a person dies once;
- arrival in Cambodia needs a removal on or before that date;
- naturalisation cannot follow a removal (a removed person is outside the US);
- no event before the date of birth, and no event in the future except a scheduled removal or check-in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crossings import events
from crossings.errors import Refused
from crossings.people.models import JourneyEvent, Person

if TYPE_CHECKING:
    from crossings.accounts.models import User

Kind = JourneyEvent.Kind


class Status(models.TextChoices):
    AT_RISK = "at_risk", gettext_lazy("at risk")
    IN_PROCEEDINGS = "in_proceedings", gettext_lazy("in proceedings")
    FINAL_ORDER = "final_order", gettext_lazy("final order")
    UNDER_SUPERVISION = "under_supervision", gettext_lazy("under supervision")
    DETAINED = "detained", gettext_lazy("detained")
    REMOVED = "removed", gettext_lazy("removed")
    ARRIVED = "arrived", gettext_lazy("arrived")
    REINTEGRATING = "reintegrating", gettext_lazy("reintegrating")
    REINTEGRATED = "reintegrated", gettext_lazy("reintegrated")
    RELIEF_GRANTED = "relief_granted", gettext_lazy("relief granted")
    NATURALISED = "naturalised", gettext_lazy("naturalised")
    DECEASED = "deceased", gettext_lazy("deceased")


STATUS_OF: dict[str, str] = {
    Kind.IN_PROCEEDINGS: Status.IN_PROCEEDINGS,
    Kind.FINAL_ORDER: Status.FINAL_ORDER,
    Kind.DETAINED: Status.DETAINED,
    Kind.RELEASED_SUPERVISION: Status.UNDER_SUPERVISION,
    Kind.REMOVED: Status.REMOVED,
    Kind.ARRIVED: Status.ARRIVED,
    Kind.REINTEGRATING: Status.REINTEGRATING,
    Kind.REINTEGRATED: Status.REINTEGRATED,
    Kind.RELIEF_GRANTED: Status.RELIEF_GRANTED,
    Kind.NATURALISED: Status.NATURALISED,
    Kind.DIED: Status.DECEASED,
}
MAY_BE_IN_FUTURE = {Kind.REMOVAL_SCHEDULED, Kind.CHECK_IN}


class JourneyError(Refused):
    """An event that would make the journey impossible. ``field`` names the form field to blame."""

    def __init__(self, message: str, field: str = "kind"):
        super().__init__(message, field=field)


@dataclass(frozen=True)
class Step:
    kind: str
    date: dt.date
    order: int  # recording order, breaks ties on the same day


def _label(kind: str) -> str:
    return str(Kind(kind).label)


def check(steps: Sequence[Step], *, birth_date: dt.date | None, today: dt.date) -> None:
    """Raise JourneyError for the first rule the sequence breaks."""
    ordered = sorted(steps, key=lambda s: (s.date, s.order))
    deaths = [s for s in ordered if s.kind == Kind.DIED]
    if len(deaths) > 1:
        raise JourneyError(_("A death is already recorded on %(date)s.") % {"date": deaths[0].date})
    for step in ordered:
        if birth_date and step.date < birth_date:
            raise JourneyError(
                _("%(event)s on %(date)s is before the date of birth (%(birth)s).")
                % {"event": _label(step.kind), "date": step.date, "birth": birth_date},
                field="date",
            )
        if step.date > today and step.kind not in MAY_BE_IN_FUTURE:
            raise JourneyError(
                _("%(event)s cannot be in the future (%(date)s). Only a scheduled removal or check-in can.")
                % {"event": _label(step.kind), "date": step.date},
                field="date",
            )
    if deaths:
        death = deaths[0]
        after = [s for s in ordered if s.kind != Kind.DIED and (s.date, s.order) > (death.date, death.order)]
        # A removal scheduled before the death but dated after it is still an impossible record.
        if after:
            raise JourneyError(
                _("%(event)s on %(date)s comes after the death recorded on %(death)s.")
                % {"event": _label(after[0].kind), "date": after[0].date, "death": death.date}
            )
    removals = [s.date for s in ordered if s.kind == Kind.REMOVED]
    for step in ordered:
        if step.kind == Kind.ARRIVED and not any(r <= step.date for r in removals):
            raise JourneyError(
                _("Arrival on %(date)s needs a removal on or before that date; record the removal first.")
                % {"date": step.date}
            )
        if step.kind == Kind.NATURALISED and any(r <= step.date for r in removals):
            raise JourneyError(
                _("Naturalisation on %(date)s cannot follow a removal from the US.") % {"date": step.date}
            )


def derive_status(steps: Iterable[Step]) -> str:
    status: str = Status.AT_RISK
    for step in sorted(steps, key=lambda s: (s.date, s.order)):
        if step.date > timezone.localdate():
            continue  # a scheduled event has not happened yet
        status = STATUS_OF.get(step.kind, status)
    return status


# Journey events other systems may subscribe to. A detention is told by legal.services.mark_detained, with
# the detention and the rapid response it starts.
TOLD: dict[str, events.Event] = {
    Kind.REMOVED: events.Event.PERSON_REMOVED,
    Kind.ARRIVED: events.Event.PERSON_ARRIVED,
}


def _steps(person: Person) -> list[Step]:
    return [Step(kind, date, pk) for pk, kind, date in person.events.values_list("pk", "kind", "date")]


@transaction.atomic
def record_event(
    *,
    person: Person,
    kind: str,
    date: dt.date,
    user: User,
    organisation_id: int | None,
    place: str = "",
    flight: str = "",
    in_custody: bool = False,
    note: str = "",
    event_ids: dict[str, int] | None = None,
) -> JourneyEvent:
    """Add an event to a person's journey after checking the whole sequence stays possible, then update
    the derived status. Nothing is stored when a rule is broken.

    A removal or an arrival is told (``crossings.events``) to the organisation that recorded it and to the
    one holding the record, whichever door it came through; ``event_ids`` adds the ids of the records it
    came with (the arrival and its flight)."""
    if kind not in Kind.values:
        raise JourneyError(_("Unknown event %(kind)r.") % {"kind": kind})
    locked = Person.objects.select_for_update().get(pk=person.pk)
    steps = [*_steps(locked), Step(kind, date, 2**62)]
    check(steps, birth_date=locked.birth_date, today=timezone.localdate())
    event = JourneyEvent.objects.create(
        person=locked,
        kind=kind,
        date=date,
        place=place,
        flight=flight,
        in_custody=in_custody and kind == Kind.DIED,
        note=note,
        recorded_by=user,
        organisation_id=organisation_id,
    )
    refresh_status(locked)
    person.status = locked.status
    if kind in TOLD:
        events.emit(
            TOLD[kind],
            organisation_ids=[organisation_id, locked.organisation_id],
            person_id=locked.pk,
            journey_event_id=event.pk,
            **(event_ids or {}),
        )
    return event


@transaction.atomic
def correct_event_date(*, event: JourneyEvent, date: dt.date) -> JourneyEvent:
    """Correct the date of a recorded event (a typo, a later document); the journey is re-checked."""
    locked = Person.objects.select_for_update().get(pk=event.person_id)
    steps = [Step(s.kind, date if s.order == event.pk else s.date, s.order) for s in _steps(locked)]
    check(steps, birth_date=locked.birth_date, today=timezone.localdate())
    event.date = date
    event.save(update_fields=["date"])
    refresh_status(locked)
    return event


def refresh_status(person: Person) -> str:
    status = derive_status(_steps(person))
    if status != person.status:
        Person.objects.filter(pk=person.pk).update(status=status)
        person.status = status
    return status
