import pytest
from django.test import Client

from crossings.accounts.models import ApiToken
from crossings.people.models import Person


@pytest.mark.django_db
def test_healthz_reports_the_database():
    body = Client().get("/healthz").json()
    assert body["status"] == "ok" and body["database"] == "ok"


def test_the_openapi_schema_is_published():
    schema = Client().get("/api/openapi.json").json()
    assert schema["info"]["title"] == "Crossings API"
    assert "/api/me" in schema["paths"]


def test_the_api_docs_load_nothing_from_the_internet():
    html = Client().get("/api/docs").content.decode()
    assert "cdn." not in html and "https://" not in html.split("<body")[1]


@pytest.mark.django_db
def test_me_lists_organisations_and_roles(caseworker, advocacy):
    _t, raw = ApiToken.issue(user=caseworker)
    me = Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert me["memberships"] == [
        {
            "organisation_id": advocacy.pk,
            "organisation": advocacy.name,
            "kind": "advocacy",
            "country": "US",
            "role": "caseworker",
        }
    ]


@pytest.mark.django_db
def test_errors_share_one_shape(caseworker):
    _t, raw = ApiToken.issue(user=caseworker)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    not_found = client.get("/api/people/999999")
    assert not_found.status_code == 404 and not_found.json() == {"detail": "Not found.", "errors": []}
    invalid = client.get("/api/people/not-a-number")
    assert invalid.status_code == 422
    body = invalid.json()
    assert body["detail"] and body["errors"][0]["field"] == "person_id"


@pytest.mark.django_db
def test_lists_are_paginated(caseworker, advocacy, django_assert_max_num_queries):
    Person.objects.bulk_create([Person(organisation=advocacy, given_name=f"P{i}") for i in range(60)])
    _t, raw = ApiToken.issue(user=caseworker)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    with django_assert_max_num_queries(6):
        page = client.get("/api/people").json()
    assert page["count"] == 60 and len(page["results"]) == 50
    assert len(client.get("/api/people?page=2").json()["results"]) == 10
