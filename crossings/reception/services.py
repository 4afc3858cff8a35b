"""Reception workflows: flight manifests, arrival day, follow-ups. Each is one transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crossings import conflicts, gazetteer
from crossings.cases import services as cases
from crossings.cases.models import Case
from crossings.errors import Conflict, Refused
from crossings.history import written_by
from crossings.people import journey, matching
from crossings.people import selectors as people_selectors
from crossings.people import services as people_services
from crossings.people.models import JourneyEvent, Person
from crossings.reception import handover, manifest, score
from crossings.reception.models import (
    Arrival,
    ArrivalBatch,
    Assessment,
    FollowUp,
    Goal,
    ManifestImport,
    Service,
    ServiceDelivery,
)

if TYPE_CHECKING:
    from crossings.accounts.models import User

MATCH_SCORE = 0.9


@dataclass
class Preview:
    headers: list[str]
    mapping: dict[str, int | None]
    missing: list[str]
    rows: list[manifest.RowResult]
    date_order: manifest.DateOrder
    matches: dict[int, matching.Match | None] = field(default_factory=dict)  # row number -> match
    already_imported: ManifestImport | None = None

    @property
    def errors(self) -> list[tuple[int, str, str]]:
        out = [
            (0, f, _("no column for the required field “%(field)s”") % {"field": manifest.FIELDS[f][0]})
            for f in self.missing
        ]
        out += [(r.number, f, m) for r in self.rows for f, m in r.errors]
        return out

    @property
    def valid_rows(self) -> list[manifest.RowResult]:
        return [r for r in self.rows if not r.errors] if not self.missing else []


@transaction.atomic
def record_flight(
    *, organisation_id: int, user: User, flight: str, date: dt.date, expected: int = 0
) -> ArrivalBatch:
    """A removal flight the organisation will meet. The model's own rules (length, a count that is not
    negative and fits the column) refuse before any write; the one-flight-a-day rule is left to the
    database, which also settles two requests at once."""
    batch = ArrivalBatch(
        organisation_id=organisation_id, created_by=user, flight=flight, date=date, expected=expected
    )
    batch.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():  # a savepoint: the duplicate is refused without spoiling the request
            batch.save()
    except IntegrityError as exc:
        raise Refused(_("This flight on this date is already recorded."), field="flight") from exc
    return batch


def store_upload(*, batch: ArrivalBatch, data: bytes, filename: str, user: User) -> ManifestImport:
    """Keep the uploaded file (privately) so that the preview and the import read the same bytes."""
    manifest.read_table(data, filename)  # refuse unreadable files at once, with the reason
    record = ManifestImport(
        batch=batch, original_name=filename[:255], sha256=hashlib.sha256(data).hexdigest(), created_by=user
    )
    record.file.save("manifest", ContentFile(data), save=False)
    record.save()
    return record


def preview(record: ManifestImport, visible: Any, mapping: dict[str, int | None] | None = None) -> Preview:
    with record.file.open("rb") as fh:
        table = manifest.read_table(fh.read(), record.original_name)
    if mapping is None:
        mapping = record.mapping or manifest.guess_mapping(table.headers)
    order = manifest.date_order(table, mapping, record.date_order)
    rows = manifest.read_rows(table, mapping, order)
    result = Preview(
        headers=table.headers,
        mapping=mapping,
        missing=manifest.missing_fields(mapping),
        rows=rows,
        date_order=order,
    )
    result.already_imported = (
        ManifestImport.objects.filter(
            batch=record.batch, sha256=record.sha256, status=ManifestImport.Status.IMPORTED
        )
        .exclude(pk=record.pk)
        .first()
    )
    # People announced by a pre-arrival packet come first: the same person is not created a second time
    # even before the reception organisation received their packet (reception.handover).
    expected = handover.expected_on_flight(record.batch.organisation_id)
    pools = (expected, visible) if expected.exists() else (visible,)  # no packets: one pass, as before
    for row in rows:
        if row.errors:
            continue
        best = None
        for pool in pools:
            found = matching.duplicates_for(pool, row.values)
            if found and found[0].score >= MATCH_SCORE:
                best = found[0]
                break
        result.matches[row.number] = best
    _warn_second_flight(record.batch, rows, result.matches)
    return result


def _warn_second_flight(
    batch: ArrivalBatch, rows: list[manifest.RowResult], matches: dict[int, matching.Match | None]
) -> None:
    """A person matched on this manifest who is already on another flight's manifest is noted on the row:
    either a second removal, or two people taken for one — the caseworker checks before importing."""
    matched = {m.person.pk: n for n, m in matches.items() if m is not None}
    if not matched:
        return
    other = (
        Arrival.objects.filter(person_id__in=matched)
        .exclude(batch=batch)
        .select_related("batch")
        .order_by("-batch__date")
    )
    by_row = {row.number: row for row in rows}
    noted: set[int] = set()
    for arrival in other:
        if arrival.person_id in noted:
            continue
        noted.add(arrival.person_id)
        by_row[matched[arrival.person_id]].notes.append(
            _(
                "already on the manifest of flight %(flight)s of %(date)s: check that this is the same "
                "person, removed a second time"
            )
            % {"flight": arrival.batch.flight, "date": arrival.batch.date.isoformat()}
        )


@transaction.atomic
def run_import(
    *, record: ManifestImport, visible: Any, user: User, only_valid: bool = False
) -> dict[str, Any]:
    """Import the manifest: all rows, or (after the user saw the report) only the valid ones. The same file
    imported twice into the same batch creates nothing new."""
    result = preview(record, visible, record.mapping or None)
    if result.missing:
        raise ValidationError(result.errors[0][2])
    if result.errors and not only_valid:
        raise ValidationError(_("%(n)s rows have errors; nothing was imported.") % {"n": len(result.errors)})
    batch = record.batch
    created, matched, skipped = 0, 0, 0
    report_rows = []
    for row in result.valid_rows:
        match = result.matches.get(row.number)
        if match is not None:
            person = match.person
            matched += 1
            outcome = _("matched #%(id)s (%(why)s)") % {"id": person.pk, "why": "; ".join(match.reasons)}
        else:
            data = {
                k: v
                for k, v in row.values.items()
                if k in people_services.EDITABLE_FIELDS and v not in ("", None)
            }
            person = people_services.create_person(
                organisation_id=batch.organisation_id, user=user, data=data
            )
            created += 1
            outcome = _("new pre-arrival record #%(id)s") % {"id": person.pk}
        _arrival, new = Arrival.objects.get_or_create(
            batch=batch, person=person, defaults={"row_number": row.number}
        )
        if not new:
            skipped += 1
            outcome = _("already on this flight (#%(id)s)") % {"id": person.pk}
        elif handover.on_manifest(person=person, arrival=_arrival, user=user) is not None:
            outcome += "; " + _("pre-arrival packet received")
        report_rows.append({"row": row.number, "result": outcome, "notes": [str(n) for n in row.notes]})
    record.status = ManifestImport.Status.IMPORTED
    record.imported_at = timezone.now()
    record.report = {
        "created": created,
        "matched": matched,
        "already_on_flight": skipped,
        "rows": report_rows,
        "errors": [{"row": n, "field": f, "message": m} for n, f, m in result.errors],
    }
    record.save()
    return record.report


def ensure_catalogue(organisation_id: int) -> None:
    """Give an organisation the default service catalogue the first time it needs one (editable after)."""
    from crossings.reception.models import DEFAULT_SERVICES, Service

    if not Service.objects.filter(organisation_id=organisation_id).exists():
        Service.objects.bulk_create(
            [
                Service(organisation_id=organisation_id, code=code, name=str(name))
                for code, name in DEFAULT_SERVICES
            ]
        )


def batch_summary(batch: ArrivalBatch) -> dict[str, int]:
    arrivals = list(batch.arrivals.all())
    return {
        "expected": batch.expected,
        "on_manifest": len(arrivals),
        "received": sum(a.received for a in arrivals),
        "unaccounted": sum(not a.accounted_for for a in arrivals),
    }


def reception_case(*, person: Person, organisation_id: int, user: User) -> Case:
    return cases.programme_case(
        person=person, organisation_id=organisation_id, programme=Case.Programme.REINTEGRATION, user=user
    )


@transaction.atomic
def update_checklist(
    *, arrival: Arrival, user: User, expected_version: int | None = None, **fields: Any
) -> Arrival:
    """Tick through arrival day. The first time the person is received, the journey records the removal
    (if no one had) and the arrival, and the follow-ups are scheduled.

    ``expected_version`` is the version the user read (``arrival.version`` when not given); if someone
    else saved since, :class:`crossings.conflicts.EditConflict` and nothing is written."""
    if expected_version is None:
        expected_version = arrival.version
    # Read the stored state, locked: a bound ModelForm has already copied the new values onto ``arrival``.
    stored = conflicts.lock_at_version(
        Arrival.objects, arrival.pk, expected_version, Arrival.CHECKLIST_FIELDS
    )
    was_received = stored.received
    for key, value in fields.items():
        if key not in Arrival.CHECKLIST_FIELDS:
            raise TypeError(f"not a checklist field: {key}")
        setattr(arrival, key, value)
    written_by(arrival, user)
    arrival.version = stored.version
    conflicts.save_next_version(arrival, user)
    if arrival.received and not was_received:
        person, day = arrival.person, arrival.batch.date
        org = arrival.batch.organisation_id
        kinds = set(person.events.values_list("kind", flat=True))
        ids = {"arrival_id": arrival.pk, "batch_id": arrival.batch_id}  # told with the journey events
        try:
            # Removed from the US, then arrived: each recorded once, in that order.
            for kind in (JourneyEvent.Kind.REMOVED, JourneyEvent.Kind.ARRIVED):
                if kind not in kinds:
                    journey.record_event(
                        person=person,
                        kind=kind,
                        date=day,
                        user=user,
                        organisation_id=org,
                        flight=arrival.batch.flight,
                        event_ids=ids,
                    )
        except journey.JourneyError as exc:
            raise Refused(exc.message) from exc  # the checklist has no journey fields to point at
        schedule_follow_ups(arrival=arrival, user=user)
    return arrival


def schedule_follow_ups(*, arrival: Arrival, user: User) -> list[FollowUp]:
    org = arrival.batch.organisation_id
    case = reception_case(person=arrival.person, organisation_id=org, user=user)
    made = []
    for months in getattr(settings, "RECEPTION_FOLLOW_UP_MONTHS", [1, 3, 6, 12]):
        due = arrival.batch.date + relativedelta(months=months)
        follow_up, created = FollowUp.objects.get_or_create(
            arrival=arrival,
            months=months,
            defaults={"person": arrival.person, "organisation_id": org, "due_on": due},
        )
        if created:
            follow_up.task = cases.add_task(
                case=case, title=_("%(m)s-month follow-up") % {"m": months}, due_on=due, created_by=user
            )
            follow_up.save(update_fields=["task"])
            made.append(follow_up)
    return made


@transaction.atomic
def create_assessment(*, person: Person, organisation_id: int, user: User, **fields: Any) -> Assessment:
    """A new version of the assessment; the place of residence is read to official codes here, for the web
    form and the API alike (a name in either script or a code; refused beside its field otherwise)."""
    fields.update(gazetteer.read_places(**{name: fields.pop(name, "") or "" for name in Assessment.PLACES}))
    last = (
        Assessment.objects.filter(person=person, organisation_id=organisation_id).order_by("-version").first()
    )
    return Assessment.objects.create(
        person=person,
        organisation_id=organisation_id,
        assessed_by=user,
        version=(last.version + 1) if last else 1,
        **fields,
    )


def person_to_work_on(user: User, person_id: object) -> tuple[Person, int]:
    """For a write: the person and the organisation whose reception work it is (the holder, or a receiver
    of the record), where the user may edit (403 otherwise): intake, plans and services are the
    organisation's own work. Unlogged (the write is in the history)."""
    access = people_selectors.person_access(user, person_id)
    access.require_edit("cases")
    return access.person, access.organisation_id


def add_goal(*, person: Person, organisation_id: int, user: User, **fields: Any) -> Goal:
    """A goal of the person's plan (title, dimension, target date), for the page and the API alike."""
    goal = Goal(person=person, organisation_id=organisation_id, **fields)
    written_by(goal, user)
    goal.save()
    return goal


def achieve_goal(*, goal: Goal, user: User) -> Goal:
    """The goal is met today."""
    goal.achieved_on = timezone.localdate()
    written_by(goal, user, "achieved")
    goal.save(update_fields=["achieved_on"])
    return goal


def record_service(
    *, person: Person, organisation_id: int, service: Service, user: User, **fields: Any
) -> ServiceDelivery:
    """A service the organisation delivered to the person (date, provider, cost, outcome), delivered by
    ``user``: for the page and the API alike."""
    delivery = ServiceDelivery(
        person=person, organisation_id=organisation_id, service=service, delivered_by=user, **fields
    )
    written_by(delivery, user)
    delivery.save()
    return delivery


def compare(first: Assessment, latest: Assessment) -> list[tuple[str, Any, Any]]:
    """(label, first answer, latest answer) for every field that changed between two assessments."""
    changes = []
    for name in Assessment.COMPARED:
        a, b = getattr(first, name), getattr(latest, name)
        if name in Assessment.PLACES:
            a, b = gazetteer.name(a), gazetteer.name(b)
        if a != b:
            changes.append((str(getattr(Assessment._meta.get_field(name), "verbose_name", name)), a, b))
    return changes


class AlreadyRecorded(Conflict):
    """This follow-up was already recorded by another submission."""


class NothingAnswered(Refused):
    """A survey with every question blank: almost always a form sent by mistake, and recording it would close
    the follow-up (and its task) for good with no score."""


@transaction.atomic
def record_follow_up(
    *, follow_up: FollowUp, answers: dict[str, int | None], submission: Any, user: User
) -> FollowUp:
    """Store the survey and its scores once. A retried request (same submission token, e.g. a slow network
    on a phone) is answered as success without storing anything twice."""
    locked = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if locked.recorded_on is not None:
        if str(locked.submission) == str(submission):
            return locked
        raise AlreadyRecorded(
            _("This follow-up was already recorded on %(date)s.") % {"date": locked.recorded_on}
        )
    given: dict[str, int | None] = {k: v for k, v in answers.items() if v is not None}
    unknown = sorted(set(answers) - set(score.question_keys()))  # even left blank: a client's mistake
    if unknown:
        raise Refused(_("Unknown question: %(keys)s.") % {"keys": ", ".join(unknown)}, field="answers")
    if not given:
        raise NothingAnswered(
            _("Answer at least one question: a follow-up with no answers cannot be saved."), field="answers"
        )
    scores = score.compute(given)
    locked.answers = given
    locked.economic, locked.social, locked.psychosocial, locked.overall = (
        scores.economic,
        scores.social,
        scores.psychosocial,
        scores.overall,
    )
    locked.recorded_on = timezone.localdate()
    locked.recorded_by = user
    locked.submission = submission
    written_by(locked, user)
    locked.save()
    if locked.task_id and locked.task and locked.task.done_at is None:
        locked.task.done_at = timezone.now()
        locked.task.save(update_fields=["done_at"])
    return locked


def programme_rows(*, arrivals: Any, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """One row per person who arrived in [start, end], for the programme view and its exports."""
    from django.db.models import Count, Q, Sum

    from crossings.reception.models import Goal, ServiceDelivery

    arrivals = list(
        arrivals.filter(batch__date__range=(start, end), received=True)
        .select_related("batch", "person")
        .order_by("batch__date", "person__family_name")
    )
    person_ids = [a.person_id for a in arrivals]
    goals: dict[int, dict[str, Any]] = {
        r["person_id"]: dict(r)
        for r in Goal.objects.filter(person_id__in=person_ids)
        .values("person_id")
        .annotate(total=Count("id"), done=Count("id", filter=Q(achieved_on__isnull=False)))
    }
    services: dict[int, dict[str, Any]] = {
        r["person_id"]: dict(r)
        for r in ServiceDelivery.objects.filter(person_id__in=person_ids)
        .values("person_id")
        .annotate(n=Count("id"), cost=Sum("cost"))
    }
    today = timezone.localdate()
    follow: dict[int, dict[str, Any]] = {}
    for f in FollowUp.objects.filter(person_id__in=person_ids).order_by("due_on"):
        entry = follow.setdefault(f.person_id, {"overdue": 0, "latest": None})
        if f.recorded_on is None and f.due_on < today:
            entry["overdue"] += 1
        if f.overall is not None:
            entry["latest"] = f.overall
    rows = []
    for a in arrivals:
        g: dict[str, Any] = goals.get(a.person_id, {})
        s: dict[str, Any] = services.get(a.person_id, {})
        fu: dict[str, Any] = follow.get(a.person_id, {})
        rows.append(
            {
                "person_id": a.person_id,
                "name": a.person.display_name,
                "arrived": a.batch.date,
                "flight": a.batch.flight,
                "goals_done": g.get("done", 0),
                "goals_total": g.get("total", 0),
                "services": s.get("n", 0),
                "cost": Decimal(s.get("cost") or 0).quantize(Decimal("0.01")),
                "overdue_follow_ups": fu.get("overdue", 0),
                "latest_score": fu.get("latest"),
                "cohort": f"{a.batch.date.year}-Q{(a.batch.date.month - 1) // 3 + 1}",
            }
        )
    return rows
