"""Every route × every role. A route that is not in this matrix, or whose view declares no access rule,
fails the suite: nobody can add a page or an endpoint without deciding who may use it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from crossings.accounts.roles import Role
from crossings.accounts.rules import rule_of
from crossings.api import api
from tests.conftest import verified_client

ANON = "anonymous"
ALL_ROLES = frozenset(Role.values)
CASE_ROLES = frozenset({Role.SUPERVISOR, Role.CASEWORKER, Role.LEGAL_ADVOCATE})
EVERYONE = ALL_ROLES | {ANON}

# Django page routes: name -> (kwargs, roles allowed)
PAGES: dict[str, tuple[dict[str, Any], frozenset[str]]] = {
    "home": ({}, ALL_ROLES),
    "login": ({}, EVERYONE),
    "logout": ({}, EVERYONE),
    "logout_everywhere": ({}, ALL_ROLES),
    "two_factor": ({}, ALL_ROLES),
    "two_factor_setup": ({}, ALL_ROLES),
    "api_tokens": ({}, ALL_ROLES),
    "api_token_revoke": ({"token_id": 1}, ALL_ROLES),
    "set_language": ({}, EVERYONE),
    "person_list": ({}, CASE_ROLES),
    "person_detail": ({"person_id": "PERSON"}, CASE_ROLES),
    "access_log": ({}, frozenset({Role.ORG_ADMIN, Role.SUPERVISOR})),
    "healthz": ({}, EVERYONE),
    "api-docs": ({"_url": "/api/docs"}, EVERYONE),
    "openapi-json": ({"_url": "/api/openapi.json"}, EVERYONE),
}

# API operations: "METHOD /api/path" -> (path kwargs, JSON body, roles allowed)
API: dict[str, tuple[dict[str, Any], dict[str, Any] | None, frozenset[str]]] = {
    "GET /api/me": ({}, None, ALL_ROLES),
    "GET /api/people": ({}, None, CASE_ROLES),
    "GET /api/people/{person_id}": ({"person_id": "PERSON"}, None, CASE_ROLES),
}


def page_patterns() -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                if route.startswith("admin/"):
                    continue  # the Django admin is checked below as one door
                walk(p.url_patterns, route)
            elif isinstance(p, URLPattern):
                if route.startswith("api/") and p.name not in ("api-docs", "openapi-json"):
                    continue  # API operations are walked through the NinjaAPI below
                found.append((p.name or route, p.callback))

    walk(get_resolver().url_patterns, "")
    return found


def api_operations() -> list[tuple[str, Any]]:
    ops = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for op in path_view.operations:
                for method in op.methods:
                    full = "/api/" + "/".join(s.strip("/") for s in (prefix, path) if s.strip("/"))
                    ops.append((f"{method} {full}", op.view_func))
    return ops


def test_every_page_route_has_a_rule_and_a_matrix_row() -> None:
    for name, callback in page_patterns():
        assert rule_of(callback) is not None, f"view for route {name!r} declares no access rule"
        assert name in PAGES, f"route {name!r} has no row in the role matrix"


def test_every_api_operation_has_a_rule_and_a_matrix_row() -> None:
    for key, view in api_operations():
        assert rule_of(view) is not None, f"API operation {key!r} declares no access rule"
        assert key in API, f"API operation {key!r} has no row in the role matrix"


@pytest.fixture
def clients(make_user: Any, advocacy: Any) -> dict[str, Client]:
    clients = {ANON: Client()}
    for role in Role.values:
        clients[role] = verified_client(make_user(role, advocacy, username=f"matrix-{role}", is_staff=True))
    return clients


def _fill(kwargs: dict[str, Any], person: Any) -> dict[str, Any]:
    return {k: (person.pk if v == "PERSON" else v) for k, v in kwargs.items()}


def _denied(response: Any) -> bool:
    if response.status_code in (401, 403):
        return True
    return response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_allows_exactly_the_roles_in_the_matrix(
    name: str, clients: dict[str, Client], person: Any
) -> None:
    kwargs, allowed = PAGES[name]
    url = kwargs["_url"] if "_url" in kwargs else reverse(name, kwargs=_fill(kwargs, person))
    for who, client in clients.items():
        response = client.get(url)
        assert _denied(response) == (who not in allowed), f"{who} GET {url} -> {response.status_code}"


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(API))
def test_api_allows_exactly_the_roles_in_the_matrix(
    key: str, clients: dict[str, Client], person: Any
) -> None:
    kwargs, body, allowed = API[key]
    method, path = key.split(" ", 1)
    url = path.format(**_fill(kwargs, person))
    for who, client in clients.items():
        data = "" if body is None else json.dumps(body)
        response = client.generic(method, url, data=data, content_type="application/json")
        assert _denied(response) == (who not in allowed), f"{who} {method} {url} -> {response.status_code}"


@pytest.mark.django_db
def test_back_office_is_open_to_org_admins_only(clients: dict[str, Client]) -> None:
    for who, client in clients.items():
        response = client.get("/admin/")
        assert (response.status_code == 200) == (who == Role.ORG_ADMIN), (
            f"{who} /admin/ -> {response.status_code}"
        )
