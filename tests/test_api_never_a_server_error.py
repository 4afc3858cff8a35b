"""The whole API, fuzzed from its own OpenAPI schema with Schemathesis: whatever a client sends, valid for the
schema or not (odd numbers, unicode, missing fields, huge ids), the answer is never a 5xx. Requests go through
the real WSGI application in-process, as a supervisor with an API token, against the test database."""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from crossings.accounts.models import ApiToken, Membership
from crossings.accounts.roles import OrgKind, Role
from crossings.api import api
from crossings.cases.models import Case, Task
from crossings.legal import services as legal_services
from crossings.people import sharing
from crossings.people.models import Person
from crossings.reception import services as reception_services
from crossings.reception.models import Arrival, ArrivalBatch, FollowUp

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = get_wsgi_application()


Fuzzer = tuple[dict[str, str], dict[str, int]]  # request headers; an existing record per path parameter


@pytest.fixture
def fuzzer(make_org: Any, make_user: Any) -> Iterator[Fuzzer]:
    """A supervisor of an advocacy organisation with a token, and one record of each kind a path names, so
    that half the examples reach past "not found" into the code that reads bodies and parameters."""
    advocacy = make_org("Fuzzed advocates (test)", OrgKind.ADVOCACY, "US")
    reception = make_org("Fuzzed reception (test)", OrgKind.RECEPTION, "KH")
    user = make_user(Role.SUPERVISOR, advocacy, username="fuzz")
    Membership.objects.create(user=user, organisation=reception, role=Role.SUPERVISOR)
    _token, raw = ApiToken.issue(user=user)
    person = Person.objects.create(organisation=advocacy, family_name="Sok", given_name="Dara")
    case = Case.objects.create(organisation=advocacy, person=person, programme="legal_defence", owner=user)
    consent = sharing.record_consent(
        person=person,
        user=user,
        scope="share",
        shared_with=reception,
        given_on=timezone.localdate(),
    )
    referral = sharing.refer(person=person, to_organisation=reception, purpose="x", user=user)
    batch = ArrivalBatch.objects.create(
        organisation=reception, flight="F1", date=timezone.localdate(), created_by=user
    )
    arrival = Arrival.objects.create(batch=batch, person=person)
    reception_services.update_checklist(arrival=arrival, user=user, received=True)
    records = {
        "person_id": person.pk,
        "case_id": case.pk,
        "task_id": Task.objects.create(case=case, title="x", created_by=user).pk,
        "consent_id": consent.pk,
        "referral_id": referral.pk,
        "batch_id": batch.pk,
        "arrival_id": arrival.pk,
        "follow_up_id": FollowUp.objects.filter(arrival=arrival).first().pk,  # type: ignore[union-attr]
        "proceeding_id": legal_services.open_proceeding(
            person=person,
            organisation_id=advocacy.pk,
            court="Seattle Immigration Court",
            opened_on=timezone.localdate(),
            user=user,
        ).pk,
    }
    # A real WSGI request closes the database connection when it ends, and with it the test's transaction;
    # Django's own test client stops that the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield {"Authorization": f"Bearer {raw}"}, records
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=int(os.environ.get("CROSSINGS_FUZZ_EXAMPLES", "25")),  # by hand: 300 finds rarer cases
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_no_operation_answers_a_server_error(
    case: Any, fuzzer: tuple[dict[str, str], dict[str, int]]
) -> None:
    headers, records = fuzzer
    for name, value in list((case.path_parameters or {}).items()):
        # every other example aims at a record that exists (chosen by the generated value, so reproducible)
        if name in records and zlib.crc32(str(value).encode()) % 2 == 0:
            case.path_parameters[name] = records[name]
    response = case.call(headers=headers)
    case.validate_response(response, checks=[not_a_server_error])
