"""Two people saving the same arrival-day checklist: the second save is refused (409) with the stored
values shown, never a silent undo of the first (issue 11, item 11). The check is the one shared with the
person edit (crossings/conflicts.py); the API carries the version in GET and requires it in PATCH."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from crossings import conflicts
from crossings.accounts.models import ApiToken
from crossings.accounts.roles import Role
from crossings.people import services as people_services
from crossings.people.models import Person
from crossings.reception import services
from crossings.reception.models import Arrival, ArrivalBatch

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_user: Any, reception: Any) -> Any:
    return make_user(Role.CASEWORKER, reception, username="rith")


@pytest.fixture
def arrival(reception: Any, officer: Any) -> Arrival:
    batch = ArrivalBatch.objects.create(
        organisation=reception, flight="CX", date=dt.date(2026, 1, 31), created_by=officer
    )
    person = Person.objects.create(organisation=reception, family_name="Ouk", given_name="Sreymom")
    return Arrival.objects.create(batch=batch, person=person)


def checklist(**values: Any) -> dict[str, Any]:
    form = {"released_to": "", "medical_need": ""}
    form.update({k: ("on" if v is True else v) for k, v in values.items() if v is not False})
    return form


def test_the_second_save_of_an_arrival_is_refused_and_shows_the_stored_values(
    arrival: Arrival, officer: Any, make_user: Any, reception: Any, login: Any
) -> None:
    other = make_user(Role.CASEWORKER, reception, username="sokha")
    first, second = login(officer), login(other)
    url = f"/reception/arrivals/{arrival.pk}/"
    for client in (first, second):  # both open the page at version 1
        assert 'name="version" value="1"' in client.get(url).content.decode()
    saved = first.post(url, checklist(received=True, housing=True, medical_need="insulin", version=1))
    assert saved.status_code == 302
    stale = second.post(url, checklist(received=True, phone=True, version=1))
    page = stale.content.decode()
    assert stale.status_code == 409
    assert "someone else changed this arrival" in page
    assert 'name="version" value="2"' in page  # the form is the stored one now, at the current version
    assert 'value="insulin"' in page and "Temporary housing assigned: yes" in page  # their values
    assert "Phone / SIM card: yes" in page  # what the second person had tried, so it is not lost
    arrival.refresh_from_db()
    stored = (arrival.housing, arrival.phone, arrival.medical_need, arrival.version)
    assert stored == (True, False, "insulin", 2)
    # Saving again from the re-shown form (version 2) works.
    assert second.post(url, checklist(received=True, housing=True, phone=True, version=2)).status_code == 302
    arrival.refresh_from_db()
    assert (arrival.housing, arrival.phone, arrival.version) == (True, True, 3)


def test_a_post_without_a_version_is_refused(arrival: Arrival, officer: Any, login: Any) -> None:
    response = login(officer).post(f"/reception/arrivals/{arrival.pk}/", checklist(cash=True))
    assert response.status_code == 409
    arrival.refresh_from_db()
    assert arrival.cash is False and arrival.version == 1


def test_the_conflict_message_is_translated(arrival: Arrival, officer: Any, login: Any) -> None:
    client = login(officer)
    url = f"/reception/arrivals/{arrival.pk}/"
    client.post(url, checklist(cash=True, version=1))
    client.post("/i18n/setlang/", {"language": "km", "next": "/"})
    page = client.post(url, checklist(phone=True, version=1)).content.decode()
    assert "someone else changed this arrival" not in page
    assert "មិនបានរក្សាទុក" in page


def test_the_api_carries_the_version_and_answers_409_when_it_is_stale(arrival: Arrival, officer: Any) -> None:
    _t, raw = ApiToken.issue(user=officer)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    url = f"/api/reception/arrivals/{arrival.pk}"
    assert api.get(url).json()["version"] == 1
    missing = api.patch(url, {"housing": True}, content_type="application/json")
    assert missing.status_code == 422  # the version is required
    ok = api.patch(url, {"version": 1, "housing": True}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["version"] == 2 and ok.json()["housing"] is True
    stale = api.patch(url, {"version": 1, "housing": False, "cash": True}, content_type="application/json")
    assert stale.status_code == 409
    body = stale.json()
    assert body["current_version"] == 2 and body["changes"]["housing"] == ["False", "True"]
    arrival.refresh_from_db()
    assert (arrival.housing, arrival.cash, arrival.version) == (True, False, 2)


def test_the_service_refuses_a_stale_version_and_people_use_the_same_check(
    arrival: Arrival, officer: Any
) -> None:
    services.update_checklist(arrival=arrival, user=officer, expected_version=1, cash=True)
    with pytest.raises(conflicts.EditConflict) as refused:
        services.update_checklist(
            arrival=Arrival.objects.get(pk=arrival.pk), user=officer, expected_version=1, phone=True
        )
    assert refused.value.current_version == 2 and refused.value.changes == {"cash": (False, True)}
    assert Arrival.objects.get(pk=arrival.pk).phone is False
    assert people_services.EditConflict is conflicts.EditConflict
