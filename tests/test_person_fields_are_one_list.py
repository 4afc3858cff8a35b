"""The web form and the API edit the same fields of a person, taken from one declaration
(Person.EDITABLE_FIELDS): the API could not change the birthplace or Khmer ability the form could."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from crossings.accounts.models import ApiToken
from crossings.people.api import PersonIn, PersonPatch
from crossings.people.forms import PersonForm
from crossings.people.models import Person

# Form fields that are not fields of the record, or that only the web form carries, and why.
WEB_ONLY = {
    "photo": "a file: the JSON API takes no uploads",
    "aliases": "other names are a list in the API (PersonIn.aliases), lines in the form",
    "version": "the optimistic check: a hidden input in the form, a field of PersonPatch",
    "not_a_duplicate": "the form's confirmation after a duplicate warning",
    "submission": "the form's one-time token against a double send (crossings/accounts/keep.py)",
}


def test_the_form_and_both_api_schemas_list_the_same_fields() -> None:
    form_fields = set(PersonForm.base_fields) - set(WEB_ONLY)
    assert form_fields == set(Person.EDITABLE_FIELDS)
    assert set(PersonIn.model_fields) - {"aliases"} == set(Person.EDITABLE_FIELDS)
    assert set(PersonPatch.model_fields) - {"version"} == set(Person.EDITABLE_FIELDS)


@pytest.mark.django_db
def test_every_editable_field_can_be_changed_through_the_api(person: Any, caseworker: Any) -> None:
    _token, raw = ApiToken.issue(user=caseworker)
    changes = {
        "family_name": "Keo",
        "given_name": "Bopha",
        "name_km": "កែវ បុប្ផា",
        "sex": "female",
        "birth_date": "1985-09-30",
        "birth_date_precision": "year",
        "birthplace_kind": "camp",
        "birthplace_province": "",
        "birthplace_camp": "khao_i_dang",
        "birthplace_other": "",
        "us_arrival_date": "1987-03-01",
        "us_city": "Long Beach",
        "languages": "English",
        "khmer_ability": "basic",
        "a_number": "A-099-888-777",
        "contact": "+1 562 555 0101",
    }
    assert set(changes) == set(Person.EDITABLE_FIELDS)
    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").patch(
        f"/api/people/{person.pk}",
        json.dumps({"version": person.version, **changes}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    person.refresh_from_db()
    for name, value in changes.items():
        assert str(getattr(person, name)) == value, name


@pytest.mark.django_db
def test_a_value_outside_the_choices_is_refused_naming_the_field(person: Any, caseworker: Any) -> None:
    _token, raw = ApiToken.issue(user=caseworker)
    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").patch(
        f"/api/people/{person.pk}",
        json.dumps({"version": person.version, "khmer_ability": "native"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "khmer_ability"
