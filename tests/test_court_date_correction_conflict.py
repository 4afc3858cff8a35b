"""Two advocates correcting the same court date: the second correction, made from a page opened before the
first, is refused with the shared edit check (crossings/conflicts.py) instead of silently replacing it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from crossings import conflicts
from crossings.legal import services
from crossings.legal.models import CourtEvent

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def event(person: Any, advocacy: Any, caseworker: Any) -> CourtEvent:
    proceeding = services.open_proceeding(
        person=person, organisation_id=advocacy.pk, court="Seattle", opened_on=D(2025, 1, 6), user=caseworker
    )
    return services.record_court_event(
        proceeding=proceeding,
        kind="ij_decision",
        date=D(2025, 11, 18),
        outcome="removal_ordered",
        user=caseworker,
    )


def correction(event: CourtEvent, day: str, version: int) -> dict[str, Any]:
    p = f"correct-{event.pk}"
    return {f"{p}-date": day, f"{p}-reason": "decision mailed later", f"{p}-version": version}


def test_the_second_correction_of_a_date_is_refused(
    event: CourtEvent, person: Any, caseworker: Any, make_user: Any, advocacy: Any, login: Any
) -> None:
    first, second = login(caseworker), login(make_user("caseworker", advocacy))
    page = first.get(f"/people/{person.pk}/legal/").content.decode()
    assert f'name="correct-{event.pk}-version" value="1"' in page
    url = f"/legal/court-events/{event.pk}/correct/"
    assert first.post(url, correction(event, "2025-11-20", 1)).status_code == 302
    refused = second.post(url, correction(event, "2025-11-25", 1), follow=True)
    assert "Someone else saved this record (now version 2)" in refused.content.decode()
    event.refresh_from_db()
    assert (event.date, event.version) == (D(2025, 11, 20), 2)


def test_the_service_refuses_a_stale_version(event: CourtEvent, caseworker: Any) -> None:
    services.correct_court_event_date(event=event, date=D(2025, 11, 20), user=caseworker, reason="x")
    with pytest.raises(conflicts.EditConflict) as refused:
        services.correct_court_event_date(
            event=CourtEvent.objects.get(pk=event.pk),
            date=D(2025, 11, 25),
            user=caseworker,
            reason="y",
            expected_version=1,
        )
    assert refused.value.changes == {"date": (D(2025, 11, 18), D(2025, 11, 20))}
    assert CourtEvent.objects.get(pk=event.pk).date == D(2025, 11, 20)
