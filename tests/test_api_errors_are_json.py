"""Every API answer is the API's JSON error shape, also for a body over the size limit (413) and for a
failure nobody foresaw (500 naming nothing of the inside) — not Django's HTML pages."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client

from crossings.accounts.models import ApiToken


@pytest.fixture
def api_client(caseworker) -> Client:
    _t, raw = ApiToken.issue(user=caseworker)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    client.raise_request_exception = False
    return client


@pytest.mark.django_db
def test_an_oversized_body_is_a_json_413(settings, api_client, advocacy):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"organisation_id": advocacy.pk, "given_name": "x" * 5000})
    response = api_client.post("/api/people", body, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "The request body is too large.", "errors": []}


@pytest.mark.django_db
def test_an_unhandled_error_is_a_json_500_without_internals(api_client, monkeypatch, caplog):
    import crossings.accounts.api as accounts_api

    secret = "-".join(["A", "012", "345", "678"])  # a value, so the stack's source lines do not show it

    class Broken:
        class objects:  # stands in for a manager
            @staticmethod
            def filter(**_kw):
                raise RuntimeError(f"secret internals: /srv/crossings key={secret}")

    monkeypatch.setattr(accounts_api, "Membership", Broken)
    response = api_client.get("/api/me")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Something went wrong on our side.", "errors": []}
    assert "secret" not in response.content.decode()
    assert "RuntimeError" in caplog.text and "/api/me" in caplog.text
    assert secret not in caplog.text


@pytest.mark.django_db
def test_the_specific_errors_keep_their_codes(api_client):
    assert api_client.get("/api/people/999999").status_code == 404
    assert Client().get("/api/me").status_code == 401


@pytest.mark.django_db
def test_an_id_past_64_bits_is_never_a_500(api_client):
    # Found by the schema fuzzer. SQLite's driver cannot bind the number (OverflowError: 422, the value is
    # out of range); PostgreSQL compares it as a numeric and finds nothing (404). Never a 500.
    response = api_client.get("/api/stats/compare?a=-1747022757592502370304&b=1")
    assert response["Content-Type"].startswith("application/json")
    if connection.vendor == "sqlite":
        assert response.status_code == 422 and "out of range" in response.json()["detail"]
    else:
        assert response.status_code == 404
