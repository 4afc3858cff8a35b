"""The whole API, fuzzed from its own OpenAPI schema with Schemathesis: whatever a client sends, valid for the
schema or not (odd numbers, unicode, missing fields, huge ids), the answer is never a 5xx. Requests go through
the real WSGI application in-process, as a supervisor with an API token, against the test database."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from crossings.accounts.models import ApiToken
from crossings.accounts.roles import OrgKind, Role
from crossings.api import api

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = get_wsgi_application()


@pytest.fixture
def bearer(make_org: Any, make_user: Any) -> Iterator[dict[str, str]]:
    org = make_org("Fuzzed (test)", OrgKind.OUTREACH, "KH")
    _token, raw = ApiToken.issue(user=make_user(Role.SUPERVISOR, org, username="fuzz"))
    # A real WSGI request closes the database connection when it ends, and with it the test's transaction;
    # Django's own test client stops that the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield {"Authorization": f"Bearer {raw}"}
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
def test_no_operation_answers_a_server_error(case: Any, bearer: dict[str, str]) -> None:
    response = case.call(headers=bearer)
    case.validate_response(response, checks=[not_a_server_error])
