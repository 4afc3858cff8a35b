"""Legal-track workflows. Each is one transaction: a court event, its journey event, its deadlines and
their tasks are stored together or not at all."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from crossings import conflicts, events
from crossings.accounts.roles import Cap
from crossings.cases import services as cases
from crossings.cases.models import Case
from crossings.history import written_by
from crossings.idempotency import replay_or_record
from crossings.legal import deadlines as engine
from crossings.legal.models import (
    CheckIn,
    Conviction,
    CourtEvent,
    Deadline,
    Detention,
    Proceeding,
    RapidResponse,
    TravelDocumentStep,
)
from crossings.legal.notifications import queue_interview_round, queue_notifications
from crossings.people import journey
from crossings.people.models import JourneyEvent, Person

if TYPE_CHECKING:
    from crossings.accounts.models import User
    from crossings.audit.reads import Reader
log = logging.getLogger(__name__)

JOURNEY_OF: dict[tuple[str, str], str] = {
    ("nta", ""): JourneyEvent.Kind.IN_PROCEEDINGS,
    ("ij_decision", "removal_ordered"): JourneyEvent.Kind.FINAL_ORDER,
    ("ij_decision", "relief_granted"): JourneyEvent.Kind.RELIEF_GRANTED,
    ("bia_decision", "dismissed"): JourneyEvent.Kind.FINAL_ORDER,
    ("bia_decision", "relief_granted"): JourneyEvent.Kind.RELIEF_GRANTED,
    ("bia_decision", "remanded"): JourneyEvent.Kind.IN_PROCEEDINGS,
}
MAY_BE_SCHEDULED = {CourtEvent.Kind.HEARING}
REVIEW_FLAGS = {
    "post_conviction_relief": _("Attorney review: possible post-conviction relief"),
    "pardon": _("Attorney review: pardon application"),
    "expungement": _("Attorney review: expungement"),
}


def own_person(user: User, person_id: int, cap: Cap | None = None, *, reader: Reader | None = None) -> Person:
    """The person, if ``user`` holds ``cap`` in the holding organisation. Legal records are that
    organisation's own work: an organisation that received the person by referral never sees them (404).
    With a ``reader`` the read is logged (the legal tab)."""
    from django.http import Http404

    from crossings.audit.reads import read_one
    from crossings.people.selectors import person_access

    person = person_access(user, person_id).person
    if not user.scope.can(cap or Cap.PEOPLE_VIEW, person.organisation_id):
        raise Http404
    return read_one(reader, person, reason="legal tab") if reader is not None else person


def legal_case(*, person: Person, organisation_id: int, user: User) -> Case:
    """The organisation's open legal-defence case for the person, opened if there is none, so that
    deadlines always land on someone's task list."""
    return cases.programme_case(
        person=person, organisation_id=organisation_id, programme=Case.Programme.LEGAL_DEFENCE, user=user
    )


def _check_order(proceeding: Proceeding, kind: str, date: dt.date, exclude_pk: int | None = None) -> None:
    needed = CourtEvent.REQUIRES.get(kind)
    if needed:
        earlier = proceeding.events.filter(kind__in=needed, date__lte=date).exclude(pk=exclude_pk or 0)
        if not earlier.exists():
            labels = " / ".join(str(CourtEvent.Kind(k).label) for k in needed)
            raise ValidationError(
                {
                    "kind": _(
                        "%(event)s on %(date)s must follow an earlier event in this proceeding: %(needed)s."
                    )
                    % {"event": CourtEvent.Kind(kind).label, "date": date, "needed": labels}
                }
            )
    if kind not in MAY_BE_SCHEDULED and date > timezone.localdate():
        raise ValidationError(
            {"date": _("%(event)s cannot be dated in the future.") % {"event": CourtEvent.Kind(kind).label}}
        )


@transaction.atomic
def open_proceeding(
    *, person: Person, organisation_id: int, court: str, opened_on: dt.date | None, user: User
) -> Proceeding:
    proceeding = Proceeding.objects.create(
        person=person, organisation_id=organisation_id, court=court, opened_on=opened_on
    )
    if opened_on:
        record_court_event(proceeding=proceeding, kind=CourtEvent.Kind.NTA, date=opened_on, user=user)
    return proceeding


@transaction.atomic
def record_court_event(
    *,
    proceeding: Proceeding,
    kind: str,
    date: dt.date,
    user: User,
    outcome: str = "",
    oral: bool = True,
    in_absentia: bool = False,
    note: str = "",
) -> CourtEvent:
    _check_order(proceeding, kind, date)
    event = CourtEvent(
        proceeding=proceeding,
        kind=kind,
        date=date,
        outcome=outcome,
        oral=oral,
        in_absentia=in_absentia,
        note=note,
        recorded_by=user,
    )
    journey_kind = JOURNEY_OF.get((kind, outcome))
    if journey_kind:
        try:
            event.journey_event = journey.record_event(
                person=proceeding.person,
                kind=journey_kind,
                date=date,
                user=user,
                organisation_id=proceeding.organisation_id,
                place=proceeding.court,
            )
        except journey.JourneyError as exc:
            raise ValidationError({exc.field if exc.field == "date" else "kind": exc.message}) from exc
    written_by(event, user)
    event.save()
    _create_deadlines(event, user)
    return event


def _create_deadlines(event: CourtEvent, user: User) -> list[Deadline]:
    proceeding = event.proceeding
    computed = engine.compute(
        trigger=event.kind, date=event.date, outcome=event.outcome, in_absentia=event.in_absentia
    )
    if not computed:
        return []
    case = legal_case(person=proceeding.person, organisation_id=proceeding.organisation_id, user=user)
    created = []
    for item in computed:
        task = None
        if item.due is not None:
            task = cases.add_task(case=case, title=item.rule.action, due_on=item.due, created_by=user)
        created.append(
            Deadline.objects.create(
                person=proceeding.person,
                organisation_id=proceeding.organisation_id,
                trigger=event,
                rule_code=item.rule.code,
                action=item.rule.action,
                citation=item.rule.citation,
                note=item.rule.note,
                due_on=item.due,
                task=task,
            )
        )
    return created


@transaction.atomic
def correct_court_event_date(
    *, event: CourtEvent, date: dt.date, user: User, reason: str, expected_version: int | None = None
) -> CourtEvent:
    """Correct a date: the order is re-checked, the journey follows, and every deadline it started is
    recomputed, with the reason kept in the history of each changed record. ``expected_version`` is the
    version the user saw (``event.version`` when not given): if someone corrected it since,
    :class:`crossings.conflicts.EditConflict` and nothing changes."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the date is corrected.")})
    stored = conflicts.lock_at_version(
        CourtEvent.objects,
        event.pk,
        event.version if expected_version is None else expected_version,
        ["date"],
    )
    event.version = stored.version
    _check_order(event.proceeding, event.kind, date, exclude_pk=event.pk)
    later = event.proceeding.events.exclude(pk=event.pk)
    for dependant, needs in CourtEvent.REQUIRES.items():
        if event.kind in needs:
            for other in later.filter(kind=dependant, date__lt=date):
                raise ValidationError(
                    {
                        "date": _("%(other)s on %(when)s would then come before it.")
                        % {"other": CourtEvent.Kind(other.kind).label, "when": other.date}
                    }
                )
    if event.journey_event is not None:
        try:
            journey.correct_event_date(event=event.journey_event, date=date)
        except journey.JourneyError as exc:
            raise ValidationError({"date": exc.message}) from exc
    event.date = date
    written_by(event, user, reason)
    conflicts.save_next_version(event, user)
    for deadline in event.deadlines.select_related("task"):
        rule = next((r for r in engine.rules() if r.code == deadline.rule_code), None)
        if rule is None or rule.days is None:
            continue
        due = engine.next_business_day(date + dt.timedelta(days=rule.days))
        if due != deadline.due_on:
            deadline.due_on = due
            written_by(deadline, user, reason)
            deadline.save()
            if deadline.task:
                deadline.task.due_on = due
                written_by(deadline.task, user, reason)
                deadline.task.save()
    return event


@transaction.atomic
def resolve_deadline(*, deadline: Deadline, state: str, reason: str, user: User) -> Deadline:
    if state not in (Deadline.State.MET, Deadline.State.NOT_APPLICABLE):
        raise ValidationError({"state": _("Choose met or not applicable.")})
    if state == Deadline.State.NOT_APPLICABLE and not reason.strip():
        raise ValidationError({"reason": _("Say why the deadline does not apply.")})
    deadline.state = state
    deadline.reason = reason
    written_by(deadline, user)
    deadline.save()
    if deadline.task and deadline.task.done_at is None:
        from crossings.cases.services import resolve_task

        resolve_task(
            task=deadline.task, user=user, outcome="done" if state == "met" else "not_applicable", note=reason
        )
    return deadline


def open_deadlines(person: Person) -> list[Deadline]:
    return list(Deadline.objects.filter(person=person, state=Deadline.State.OPEN, due_on__isnull=False))


def mark_detained(
    *,
    person: Person,
    organisation_id: int,
    facility: str,
    date: dt.date,
    user: User,
    idempotency_key: str = "",
) -> RapidResponse:
    """Record a detention and start the rapid response: an alert per responder goes into the outbox
    (``Notification``), sent by the task queue after the commit, and everyone in the organisation sees a
    banner until it is resolved. Sending mail never fails the request.

    ``idempotency_key`` (the form's submission token, the API's Idempotency-Key header): a request repeated
    with the same key returns the first rapid response (``replayed`` is True) and records nothing."""
    return replay_or_record(
        idempotency_key,
        find=lambda key: _replay(organisation_id, key, person),
        record=lambda key: _mark_detained(
            person=person, organisation_id=organisation_id, facility=facility, date=date, user=user, key=key
        ),
    )


def _replay(organisation_id: int, key: str, person: Person) -> RapidResponse | None:
    if not key:
        return None
    first = RapidResponse.objects.filter(organisation_id=organisation_id, idempotency_key=key).first()
    if first is not None and first.person_id != person.pk:
        raise ValidationError(
            {"idempotency_key": _("This request key was already used for another request.")}
        )
    return first


@transaction.atomic
def _mark_detained(
    *, person: Person, organisation_id: int, facility: str, date: dt.date, user: User, key: str
) -> RapidResponse:
    previous = Detention.objects.filter(person=person, organisation_id=organisation_id, ended_on=None).first()
    detention = Detention.objects.create(
        person=person, organisation_id=organisation_id, facility=facility, started_on=date
    )
    if previous is not None:  # a move between facilities, not a new detention
        previous.ended_on = date
        previous.transferred_to = detention
        previous.save()
    try:
        journey.record_event(
            person=person,
            kind=JourneyEvent.Kind.DETAINED,
            date=date,
            user=user,
            organisation_id=organisation_id,
            place=facility,
        )
    except journey.JourneyError as exc:
        raise ValidationError({"date": exc.message}) from exc
    response = RapidResponse.objects.create(
        person=person,
        organisation_id=organisation_id,
        detention=detention,
        opened_by=user,
        idempotency_key=key,
    )
    queue_notifications(response)
    events.emit(
        events.Event.PERSON_DETAINED,
        organisation_ids=[organisation_id],
        person_id=person.pk,
        detention_id=detention.pk,
        rapid_response_id=response.pk,
    )
    return response


def resend_notifications(*, response: RapidResponse) -> int:
    """The rapid-response page's "resend": queue again every alert not yet sent (and any responder added
    since). Returns how many were queued."""
    with transaction.atomic():
        return len(queue_notifications(response))


@transaction.atomic
def release(*, detention: Detention, date: dt.date, on_supervision: bool, user: User) -> Detention:
    if date < detention.started_on:
        raise ValidationError(
            {"date": _("Release on %(date)s is before the detention began.") % {"date": date}}
        )
    detention.ended_on = date
    detention.save()
    if on_supervision:
        journey.record_event(
            person=detention.person,
            kind=JourneyEvent.Kind.RELEASED_SUPERVISION,
            date=date,
            user=user,
            organisation_id=detention.organisation_id,
            place=detention.facility,
        )
    RapidResponse.objects.filter(detention=detention, resolved_at=None).update(resolved_at=timezone.now())
    return detention


@transaction.atomic
def record_check_in(
    *, person: Person, organisation_id: int, date: dt.date, office: str, outcome: str, user: User
) -> CheckIn:
    check_in = CheckIn.objects.create(
        person=person, organisation_id=organisation_id, date=date, office=office, outcome=outcome
    )
    if outcome != CheckIn.Outcome.SCHEDULED or date > timezone.localdate():
        journey.record_event(
            person=person,
            kind=JourneyEvent.Kind.CHECK_IN,
            date=date,
            user=user,
            organisation_id=organisation_id,
            place=office,
            note=outcome,
        )
    return check_in


TRAVEL_DOC_JOURNEY = {
    "requested": JourneyEvent.Kind.TRAVEL_DOC_REQUESTED,
    "issued": JourneyEvent.Kind.TRAVEL_DOC_ISSUED,
}


@transaction.atomic
def record_travel_document_step(
    *, person: Person, organisation_id: int, step: str, date: dt.date, expires_on: dt.date | None, user: User
) -> TravelDocumentStep:
    """A step toward the Cambodian travel document; requests and issuance also go on the journey."""
    if expires_on and expires_on <= date:
        raise ValidationError({"expires_on": _("The expiry date must be after the step's date.")})
    record = TravelDocumentStep.objects.create(
        person=person, organisation_id=organisation_id, step=step, date=date, expires_on=expires_on
    )
    if step in TRAVEL_DOC_JOURNEY:
        try:
            journey.record_event(
                person=person,
                kind=TRAVEL_DOC_JOURNEY[step],
                date=date,
                user=user,
                organisation_id=organisation_id,
            )
        except journey.JourneyError as exc:
            raise ValidationError({"date": exc.message}) from exc
    if step == TravelDocumentStep.Step.INTERVIEW:
        queue_interview_round(record)  # supervisors told when interviews reach the alert's threshold
    return record


@transaction.atomic
def record_conviction(
    *, person: Person, organisation_id: int, user: User, flags: list[str], **fields: Any
) -> Conviction:
    conviction = Conviction.objects.create(
        person=person, organisation_id=organisation_id, recorded_by=user, **fields
    )
    if flags:
        case = legal_case(person=person, organisation_id=organisation_id, user=user)
        for flag in flags:
            cases.add_task(case=case, title=str(REVIEW_FLAGS[flag]), created_by=user)
    return conviction


def board(deadlines: QuerySet[Deadline], today: dt.date | None = None) -> dict[str, list[Deadline]]:
    """Group open deadlines as the board shows them: overdue, this week, the next 30 days."""
    today = today or timezone.localdate()
    groups: dict[str, list[Deadline]] = {"overdue": [], "this_week": [], "next_30_days": []}
    for d in deadlines.filter(
        state=Deadline.State.OPEN, due_on__isnull=False, due_on__lte=today + dt.timedelta(days=30)
    ):
        due = d.due_on
        assert due is not None  # filtered above
        if due < today:
            groups["overdue"].append(d)
        elif due <= today + dt.timedelta(days=7):
            groups["this_week"].append(d)
        else:
            groups["next_30_days"].append(d)
    return groups


def deadlines_for_user(user: User, who: str = "me") -> QuerySet[Deadline]:
    qs = Deadline.objects.visible_to(user).select_related("person", "task")
    if who == "me":
        qs = qs.filter(Q(task__assignee=user))
    return qs
