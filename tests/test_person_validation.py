"""Bad input gets a field-level message, in English or Khmer, and nothing is stored."""

import datetime as dt

import pytest
from django.test import Client

from crossings.accounts.models import ApiToken
from crossings.people.models import Person

BASE = {
    "sex": "male",
    "birth_date_precision": "exact",
    "birthplace_kind": "unknown",
    "khmer_ability": "unknown",
}


@pytest.fixture
def api(caseworker):
    _t, raw = ApiToken.issue(user=caseworker)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def errors(response):
    return {e["field"]: e["message"] for e in response.json()["errors"]}


@pytest.mark.django_db
def test_a_birth_date_after_the_arrival_in_the_us_is_refused(api):
    response = api.post(
        "/api/people",
        {"family_name": "Sok", "birth_date": "1990-01-01", "us_arrival_date": "1985-05-05"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert errors(response)["us_arrival_date"] == "The date of arrival in the US is before the date of birth."
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_an_invalid_date_names_the_field(api):
    response = api.post(
        "/api/people", {"family_name": "Sok", "birth_date": "1990-02-31"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert "birth_date" in errors(response)


@pytest.mark.django_db
def test_an_unknown_province_is_refused(api):
    response = api.post(
        "/api/people",
        {"family_name": "Sok", "birthplace_kind": "province", "birthplace_province": "atlantis"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "birthplace_province" in errors(response)


@pytest.mark.django_db
def test_a_person_needs_a_name(api):
    response = api.post("/api/people", {"sex": "female"}, content_type="application/json")
    assert response.status_code == 422 and "given_name" in errors(response)


@pytest.mark.django_db
def test_a_future_birth_date_is_refused_in_khmer_on_the_form(caseworker, login):
    caseworker.language = "km"
    caseworker.save()
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    page = login(caseworker).post("/people/new/", {**BASE, "family_name": "Sok", "birth_date": future})
    assert page.status_code == 200
    assert "ថ្ងៃខែឆ្នាំកំណើតស្ថិតនៅពេលអនាគត។" in page.content.decode()
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_an_impossible_event_is_refused_with_its_reason(api, person):
    response = api.post(
        f"/api/people/{person.pk}/events",
        {"kind": "arrived", "date": "2025-01-01"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "needs a removal" in response.json()["detail"]
    assert not person.events.exists()
