"""A sharing consent with no sections is an identity-only consent, as documented; it used to be saved as
["journey"] without a word (hostile review, finding 7)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from crossings.accounts.models import ApiToken
from crossings.accounts.roles import Role
from crossings.people import sharing
from crossings.people.access import access_for
from crossings.people.models import Consent


@pytest.mark.django_db
def test_the_api_keeps_an_empty_list_empty(person: Any, caseworker: Any, reception: Any) -> None:
    _token, raw = ApiToken.issue(user=caseworker)
    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").post(
        f"/api/people/{person.pk}/consents",
        json.dumps(
            {
                "scope": "share",
                "shared_with": reception.pk,
                "sections": [],
                "given_on": str(timezone.localdate()),
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["sections"] == []
    assert Consent.objects.get().sections == []


@pytest.mark.django_db
def test_the_web_form_records_identity_only_when_nothing_is_ticked(
    person: Any, caseworker: Any, reception: Any, login: Any
) -> None:
    login(caseworker).post(
        f"/people/{person.pk}/consents/",
        {"scope": "share", "shared_with": reception.pk, "given_on": str(timezone.localdate())},
    )
    assert Consent.objects.get().sections == []


@pytest.mark.django_db
def test_an_identity_only_referral_shows_names_and_nothing_else(
    person: Any, caseworker: Any, reception: Any, make_user: Any
) -> None:
    receiver = make_user(Role.CASEWORKER, reception)
    sharing.record_consent(
        person=person, user=caseworker, scope="share", shared_with=reception, given_on=timezone.localdate()
    )
    referral = sharing.refer(person=person, to_organisation=reception, purpose="x", user=caseworker)
    sharing.accept_referral(referral=referral, user=receiver)
    access = access_for(receiver, person)
    assert access is not None and access.sections == {"identity", "cases"}


@pytest.mark.django_db
def test_a_section_listed_twice_is_kept_once_and_an_unknown_one_refused(
    person: Any, caseworker: Any, reception: Any
) -> None:
    _token, raw = ApiToken.issue(user=caseworker)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    url = f"/api/people/{person.pk}/consents"
    body = {"scope": "share", "shared_with": reception.pk, "given_on": str(timezone.localdate())}
    ok = client.post(
        url, json.dumps({**body, "sections": ["journey", "journey"]}), content_type="application/json"
    )
    assert ok.json()["sections"] == ["journey"]
    bad = client.post(url, json.dumps({**body, "sections": ["everything"]}), content_type="application/json")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"].startswith("sections")
