"""A receiving organisation writes only into the sections it holds (hostile review, finding 6): without the
journey it does not see the derived status, cannot post journey events (a "died" event froze the holder's
record) nor probe the journey through refusals; without contact it cannot add family; it never adds other
names, which are the holder's to change."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from crossings.accounts.models import ApiToken
from crossings.accounts.roles import Role
from crossings.people import journey, sharing
from crossings.people.models import FamilyMember, JourneyEvent, PersonName


def share(person: Any, caseworker: Any, reception: Any, receiver: Any, sections: list[str]) -> None:
    sharing.record_consent(
        person=person,
        user=caseworker,
        scope="share",
        shared_with=reception,
        sections=sections,
        given_on=timezone.localdate(),
    )
    referral = sharing.refer(person=person, to_organisation=reception, purpose="x", user=caseworker)
    sharing.accept_referral(referral=referral, user=receiver)


@pytest.fixture
def receiver(make_user: Any, reception: Any) -> Any:
    return make_user(Role.CASEWORKER, reception, username="rith")


def api(user: Any) -> Client:
    _token, raw = ApiToken.issue(user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.mark.django_db
def test_without_the_journey_the_status_is_hidden_and_events_are_refused(
    person: Any, caseworker: Any, reception: Any, receiver: Any, login: Any
) -> None:
    journey.record_event(
        person=person, kind="detained", date=dt.date(2024, 5, 1), user=caseworker, organisation_id=None
    )
    share(person, caseworker, reception, receiver, ["identifiers"])
    client = api(receiver)
    assert client.get(f"/api/people/{person.pk}").json()["status"] is None
    page = login(receiver).get(f"/people/{person.pk}/").content.decode()
    assert 'data-testid="status"' not in page and "detained" not in page
    response = post(client, f"/api/people/{person.pk}/events", {"kind": "died", "date": "2024-05-02"})
    assert response.status_code == 403
    assert "journey" in response.json()["detail"]
    # the refusal says nothing about the journey (no "comes after the death recorded on …" probing)
    probe = post(client, f"/api/people/{person.pk}/events", {"kind": "arrived", "date": "2020-01-01"})
    assert probe.status_code == 403
    assert (
        login(receiver)
        .post(f"/people/{person.pk}/events/", {"kind": "died", "date": "2024-05-02"})
        .status_code
        == 403
    )
    assert list(JourneyEvent.objects.values_list("kind", flat=True)) == ["detained"]


@pytest.mark.django_db
def test_with_the_journey_a_receiver_records_events(
    person: Any, caseworker: Any, reception: Any, receiver: Any
) -> None:
    share(person, caseworker, reception, receiver, ["journey"])
    response = post(
        api(receiver), f"/api/people/{person.pk}/events", {"kind": "in_proceedings", "date": "2024-05-02"}
    )
    assert response.status_code == 201
    assert api(receiver).get(f"/api/people/{person.pk}").json()["status"] == "in_proceedings"


@pytest.mark.django_db
def test_family_needs_the_contact_section_and_other_names_the_holder(
    person: Any, caseworker: Any, reception: Any, receiver: Any, login: Any
) -> None:
    share(person, caseworker, reception, receiver, ["journey"])
    client = login(receiver)
    family = {"name": "Sok Srey", "relationship": "sister", "location": "cambodia", "contact": "012 345 678"}
    assert client.post(f"/people/{person.pk}/family/", family).status_code == 403
    assert client.post(f"/people/{person.pk}/aliases/", {"name": "Dara Sok"}).status_code == 403
    assert not FamilyMember.objects.exists() and not PersonName.objects.exists()


@pytest.mark.django_db
def test_with_the_contact_section_a_receiver_adds_family(
    person: Any, caseworker: Any, reception: Any, receiver: Any, login: Any
) -> None:
    share(person, caseworker, reception, receiver, ["contact"])
    family = {"name": "Sok Srey", "relationship": "sister", "location": "cambodia", "contact": "012 345 678"}
    assert login(receiver).post(f"/people/{person.pk}/family/", family).status_code == 302
    assert FamilyMember.objects.get().name == "Sok Srey"
