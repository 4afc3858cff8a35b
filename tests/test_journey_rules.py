import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crossings.people import journey
from crossings.people.journey import JourneyError, Status, Step
from crossings.people.models import JourneyEvent

Kind = JourneyEvent.Kind
D = dt.date


def record(person, kind, date, **kw):
    return journey.record_event(person=person, kind=kind, date=date, user=None, organisation_id=None, **kw)


@pytest.mark.django_db
def test_status_follows_the_events_in_date_order(person):
    assert person.status == Status.AT_RISK
    record(person, Kind.IN_PROCEEDINGS, D(2020, 1, 5))
    record(person, Kind.FINAL_ORDER, D(2021, 3, 1))
    record(person, Kind.DETAINED, D(2024, 6, 1), place="Tacoma ICE Processing Center")
    person.refresh_from_db()
    assert person.status == Status.DETAINED
    record(person, Kind.RELEASED_SUPERVISION, D(2024, 9, 1))
    record(person, Kind.CHECK_IN, D(2025, 1, 10))  # a fact, not a status change
    person.refresh_from_db()
    assert person.status == Status.UNDER_SUPERVISION
    record(person, Kind.REMOVED, D(2025, 4, 2), flight="charter 1")
    record(person, Kind.ARRIVED, D(2025, 4, 3))
    person.refresh_from_db()
    assert person.status == Status.ARRIVED


@pytest.mark.django_db
def test_an_event_recorded_late_with_an_earlier_date_does_not_change_a_later_status(person):
    record(person, Kind.DETAINED, D(2024, 6, 1))
    record(person, Kind.IN_PROCEEDINGS, D(2020, 1, 5))
    person.refresh_from_db()
    assert person.status == Status.DETAINED


@pytest.mark.django_db
def test_arrival_before_removal_is_refused_and_nothing_is_stored(person):
    with pytest.raises(JourneyError, match="needs a removal on or before"):
        record(person, Kind.ARRIVED, D(2025, 4, 3))
    record(person, Kind.REMOVED, D(2025, 4, 5))
    with pytest.raises(JourneyError, match="needs a removal"):
        record(person, Kind.ARRIVED, D(2025, 4, 3))
    assert list(person.events.values_list("kind", flat=True)) == ["removed"]


@pytest.mark.django_db
def test_nothing_can_happen_after_a_death(person):
    record(person, Kind.DETAINED, D(2024, 1, 1))
    record(person, Kind.DIED, D(2024, 2, 1), in_custody=True, place="ICE custody")
    person.refresh_from_db()
    assert person.status == Status.DECEASED
    assert person.events.get(kind=Kind.DIED).in_custody
    with pytest.raises(JourneyError, match="after the death"):
        record(person, Kind.CHECK_IN, D(2024, 3, 1))
    with pytest.raises(JourneyError, match="death is already recorded"):
        record(person, Kind.DIED, D(2024, 5, 1))
    assert person.events.count() == 2


@pytest.mark.django_db
def test_events_cannot_be_in_the_future_except_scheduled_ones(person):
    future = dt.date.today() + dt.timedelta(days=10)
    with pytest.raises(JourneyError, match="cannot be in the future"):
        record(person, Kind.REMOVED, future)
    record(person, Kind.REMOVAL_SCHEDULED, future)
    record(person, Kind.CHECK_IN, future)


@pytest.mark.django_db
def test_events_cannot_precede_the_birth(person):
    person.birth_date = D(1981, 6, 14)
    person.save()
    with pytest.raises(JourneyError, match="before the date of birth"):
        record(person, Kind.IN_PROCEEDINGS, D(1975, 1, 1))


@pytest.mark.django_db
def test_naturalisation_cannot_follow_a_removal(person):
    record(person, Kind.REMOVED, D(2020, 1, 1))
    with pytest.raises(JourneyError, match="Naturalisation"):
        record(person, Kind.NATURALISED, D(2022, 1, 1))


@pytest.mark.django_db
def test_correcting_a_date_recomputes_the_status_and_is_checked(person):
    detained = record(person, Kind.DETAINED, D(2024, 6, 1))
    record(person, Kind.RELEASED_SUPERVISION, D(2024, 9, 1))
    journey.correct_event_date(event=detained, date=D(2024, 10, 1))
    person.refresh_from_db()
    assert person.status == Status.DETAINED
    removed = record(person, Kind.REMOVED, D(2025, 1, 1))
    record(person, Kind.ARRIVED, D(2025, 1, 2))
    with pytest.raises(JourneyError):
        journey.correct_event_date(event=removed, date=D(2025, 1, 5))
    removed.refresh_from_db()
    assert removed.date == D(2025, 1, 1)


steps = st.lists(
    st.tuples(st.sampled_from(Kind.values), st.dates(min_value=D(1990, 1, 1), max_value=D(2025, 12, 31))),
    max_size=8,
)


@settings(max_examples=300, deadline=None)
@given(steps)
def test_any_accepted_journey_has_nothing_after_a_death_and_no_arrival_without_removal(events):
    sequence = [Step(kind, date, i) for i, (kind, date) in enumerate(events)]
    try:
        journey.check(sequence, birth_date=None, today=D(2026, 1, 1))
    except JourneyError:
        return
    ordered = sorted(sequence, key=lambda s: (s.date, s.order))
    kinds = [s.kind for s in ordered]
    if Kind.DIED in kinds:
        assert kinds.index(Kind.DIED) == len(kinds) - 1
    for s in ordered:
        if s.kind == Kind.ARRIVED:
            assert any(r.kind == Kind.REMOVED and r.date <= s.date for r in ordered)
    # and the derived status is always one of the known statuses
    assert journey.derive_status(sequence) in Status.values
