"""Every list in an API input is bounded and de-duplicated before any work (hostile review, finding 9:
20,000 aliases held a worker for 600 s, 100,000 gave a 500, 200,000 identical ones were stored)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from crossings.accounts.models import ApiToken
from crossings.people.models import Person, PersonName


@pytest.fixture
def api(caseworker: Any) -> Client:
    _token, raw = ApiToken.issue(user=caseworker)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def post(api: Client, body: dict[str, Any]) -> Any:
    return api.post("/api/people", json.dumps(body), content_type="application/json")


@pytest.mark.django_db
def test_too_many_aliases_are_refused_naming_the_limit(
    api: Client, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(6):  # refused before any search or write
        response = post(api, {"family_name": "Sok", "aliases": [f"Alias {i}" for i in range(100_000)]})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "aliases"
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_an_over_long_alias_is_refused(api: Client) -> None:
    response = post(api, {"family_name": "Sok", "aliases": ["x" * 201]})
    assert response.status_code == 422 and not Person.objects.exists()


@pytest.mark.django_db
def test_identical_aliases_are_stored_once(api: Client) -> None:
    response = post(
        api, {"family_name": "Sok", "aliases": ["Sok Dara", "sok dara", " Sok Dara ", "", "Dara S."]}
    )
    assert response.status_code == 201
    assert sorted(PersonName.objects.values_list("name", flat=True)) == ["Dara S.", "Sok Dara"]


@pytest.mark.django_db
def test_the_web_form_refuses_too_many_other_names(caseworker: Any, login: Any) -> None:
    response = login(caseworker).post(
        "/people/new/",
        {
            "family_name": "Sok",
            "aliases": "\n".join(f"Alias {i}" for i in range(21)),
            "sex": "unknown",
            "birth_date_precision": "exact",
            "birthplace_kind": "unknown",
            "khmer_ability": "unknown",
            "not_a_duplicate": "on",
        },
    )
    assert response.status_code == 200
    assert "At most 20 other names" in response.content.decode()
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_a_consent_lists_each_section_at_most_once(api: Client, person: Any, reception: Any) -> None:
    response = api.post(
        f"/api/people/{person.pk}/consents",
        json.dumps(
            {
                "scope": "share",
                "shared_with": reception.pk,
                "given_on": "2025-01-01",
                "sections": ["journey"] * 5,
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 422
