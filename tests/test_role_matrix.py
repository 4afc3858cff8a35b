"""Every route × every role. A route that is not in this matrix, or whose view declares no access rule,
fails the suite: nobody can add a page or an endpoint without deciding who may use it."""

from __future__ import annotations

import io
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

MERGERS = frozenset({Role.SUPERVISOR})
EXCHANGERS = frozenset({Role.SUPERVISOR})  # the OSCaR / Primero exchange (docs/exchange.md)
CONVICTION_ROLES = frozenset({Role.SUPERVISOR, Role.LEGAL_ADVOCATE})
OUTREACH = frozenset({Role.OUTREACH_WORKER, Role.SUPERVISOR})
NOBODY: frozenset[str] = frozenset()  # OpenRosa answers 401 to any request without HTTP credentials
ORG_ADMINS = frozenset({Role.ORG_ADMIN})
VOLUNTEERS = frozenset({Role.VOLUNTEER})  # accompaniment only: never a case role's page, nor theirs
STATS_ROLES = frozenset({Role.ORG_ADMIN, Role.SUPERVISOR, Role.CASEWORKER, Role.LEGAL_ADVOCATE, Role.ANALYST})
ODK_FORM = {"form_id": "outreach_encounter", "version": "2026040101"}
NONE = 999999  # an id that does not exist: allowed roles get 404 or 405, denied roles 403

# Django page routes: name -> (kwargs, roles allowed). POST-only routes are probed with GET: the rule is
# checked first, so an allowed role gets 405 and a denied one 403, and nothing is changed.
PAGES: dict[str, tuple[dict[str, Any], frozenset[str]]] = {
    "home": ({}, ALL_ROLES),
    "login": ({}, EVERYONE),
    "logout": ({}, EVERYONE),
    "logout_everywhere": ({}, ALL_ROLES),
    "two_factor": ({}, ALL_ROLES),
    "two_factor_setup": ({}, ALL_ROLES),
    "api_tokens": ({}, ALL_ROLES),
    "place_options": ({"level": "district"}, ALL_ROLES),
    "api_token_revoke": ({"token_id": 1}, ALL_ROLES),
    "set_language": ({}, EVERYONE),
    "draft_restore": ({"draft_id": "no-such-draft"}, ALL_ROLES),
    "person_list": ({}, CASE_ROLES),
    "person_new": ({}, CASE_ROLES),
    "person_check_duplicates": ({}, CASE_ROLES),
    "person_detail": ({"person_id": "PERSON"}, CASE_ROLES),
    "person_edit": ({"person_id": "PERSON"}, CASE_ROLES),
    "person_add_event": ({"person_id": "PERSON"}, CASE_ROLES),
    "person_add_consent": ({"person_id": "PERSON"}, CASE_ROLES),
    "person_refer": ({"person_id": "PERSON"}, CASE_ROLES),
    "person_add_alias": ({"person_id": "PERSON"}, CASE_ROLES),
    "person_add_family": ({"person_id": "PERSON"}, CASE_ROLES),
    "person_photo": ({"person_id": "PERSON"}, CASE_ROLES),
    "person_merge": ({"person_id": "PERSON"}, MERGERS),
    "case_new": ({"person_id": "PERSON"}, CASE_ROLES),
    "consent_withdraw": ({"consent_id": NONE}, CASE_ROLES),
    "referral_inbox": ({}, CASE_ROLES),
    "referral_accept": ({"referral_id": NONE}, CASE_ROLES),
    "referral_decline": ({"referral_id": NONE}, CASE_ROLES),
    "referral_cancel": ({"referral_id": NONE}, CASE_ROLES),
    "case_detail": ({"case_id": "CASE"}, CASE_ROLES),
    "case_close": ({"case_id": "CASE"}, CASE_ROLES),
    "case_reopen": ({"case_id": "CASE"}, CASE_ROLES),
    "task_add": ({"case_id": "CASE"}, CASE_ROLES),
    "note_add": ({"case_id": "CASE"}, CASE_ROLES),
    "document_upload": ({"case_id": "CASE"}, CASE_ROLES),
    "document_download": ({"document_id": NONE}, CASE_ROLES),
    "task_resolve": ({"task_id": NONE}, CASE_ROLES),
    "overdue_tasks": ({}, CASE_ROLES),
    "person_legal": ({"person_id": "PERSON"}, CASE_ROLES),
    "proceeding_new": ({"person_id": "PERSON"}, CASE_ROLES),
    "detain": ({"person_id": "PERSON"}, CASE_ROLES),
    "check_in_new": ({"person_id": "PERSON"}, CASE_ROLES),
    "travel_document_new": ({"person_id": "PERSON"}, CASE_ROLES),
    "conviction_new": ({"person_id": "PERSON"}, CONVICTION_ROLES),
    "court_event_new": ({"proceeding_id": NONE}, CASE_ROLES),
    "court_event_correct": ({"event_id": NONE}, CASE_ROLES),
    "deadline_resolve": ({"deadline_id": NONE}, CASE_ROLES),
    "detention_release": ({"detention_id": NONE}, CASE_ROLES),
    "deadline_board": ({}, CASE_ROLES),
    "rapid_response": ({}, CASE_ROLES),
    "call_list": ({}, CASE_ROLES),
    "call_new": ({}, CASE_ROLES),
    "call_detail": ({"call_id": NONE}, CASE_ROLES),
    "call_link": ({"call_id": NONE}, CASE_ROLES),
    "call_rapid_response": ({"call_id": NONE}, CASE_ROLES),
    "bond_ledger": ({}, CASE_ROLES),
    "bond_new": ({}, CASE_ROLES),
    "bond_detail": ({"bond_id": NONE}, CASE_ROLES),
    "bond_contribution": ({"bond_id": NONE}, CASE_ROLES),
    "bond_status": ({"bond_id": NONE}, CASE_ROLES),
    "bond_receipt": ({"bond_id": NONE}, CASE_ROLES),
    "bond_receipt_file": ({"bond_id": NONE}, CASE_ROLES),
    "rapid_response_resend": ({"response_id": NONE}, CASE_ROLES),
    "accompaniment_list": ({}, VOLUNTEERS),
    "accompaniment_sign_up": ({"accompaniment_id": NONE}, VOLUNTEERS),
    "accompaniment_withdraw": ({"accompaniment_id": NONE}, VOLUNTEERS),
    "accompaniment_staff": ({}, CASE_ROLES),
    "accompaniment_open": ({}, CASE_ROLES),
    "accompaniment_detail": ({"accompaniment_id": NONE}, CASE_ROLES),
    "accompaniment_close": ({"accompaniment_id": NONE}, CASE_ROLES),
    "calendar_feeds": ({}, CASE_ROLES),
    # the secret in the URL is the credential; an unknown secret is a 404 for everyone
    "calendar_feed": ({"secret": "not-a-secret"}, EVERYONE),
    "batch_list": ({}, CASE_ROLES),
    "batch_detail": ({"batch_id": NONE}, CASE_ROLES),
    "manifest_upload": ({"batch_id": NONE}, CASE_ROLES),
    "manifest_preview": ({"import_id": NONE}, CASE_ROLES),
    "arrival_checklist": ({"arrival_id": NONE}, CASE_ROLES),
    "assessment_break_glass": ({"assessment_id": NONE}, CASE_ROLES),
    "goal_achieved": ({"goal_id": NONE}, CASE_ROLES),
    "follow_up_record": ({"follow_up_id": NONE}, CASE_ROLES),
    "programme": ({}, CASE_ROLES),
    "person_reception": ({"person_id": "PERSON"}, CASE_ROLES),
    "packet_new": ({"person_id": "PERSON"}, CASE_ROLES),
    "expected_arrivals": ({}, CASE_ROLES),
    "packet_detail": ({"packet_id": NONE}, CASE_ROLES),
    "packet_answer": ({"packet_id": NONE}, CASE_ROLES),
    "packet_cancel": ({"packet_id": NONE}, CASE_ROLES),
    "assessment_new": ({"person_id": "PERSON"}, CASE_ROLES),
    "goal_new": ({"person_id": "PERSON"}, CASE_ROLES),
    "service_new": ({"person_id": "PERSON"}, CASE_ROLES),
    "outreach_home": ({}, OUTREACH),
    "outreach_encounter_list": ({}, OUTREACH),
    "outreach_encounter_new": ({}, OUTREACH),
    "outreach_indicators": ({}, OUTREACH),
    "outreach_indicator_breakdown": ({"by": "site"}, OUTREACH),
    "outreach_supplies": ({}, OUTREACH),
    "outreach_reconciliation": ({}, OUTREACH),
    "outreach_submissions": ({}, OUTREACH),
    "outreach_donor_report": ({}, OUTREACH),
    "outreach_odk_web_form": ({}, OUTREACH),
    "outreach_odk_form_xml": ({}, OUTREACH),
    "outreach_odk_media": ({"filename": "sites.csv"}, OUTREACH),
    "outreach_odk_submission": ({}, OUTREACH),
    "openrosa_form_list": ({}, NOBODY),
    "openrosa_submission": ({}, NOBODY),
    "openrosa_form_download": (ODK_FORM, NOBODY),
    "openrosa_manifest": (ODK_FORM, NOBODY),
    "openrosa_media": ({**ODK_FORM, "filename": "sites.csv"}, NOBODY),
    "stats_public": ({}, EVERYONE),
    "stats_csv": ({"dataset": "removals"}, EVERYONE),
    "stats_programme": ({}, STATS_ROLES),
    "stats_report_new": ({}, STATS_ROLES),
    "stats_report": ({"report_id": NONE}, STATS_ROLES),
    "stats_report_download": ({"report_id": NONE}, STATS_ROLES),
    "access_log": ({}, frozenset({Role.ORG_ADMIN, Role.SUPERVISOR})),
    "inbound_list": ({}, CASE_ROLES),
    "inbound_detail": ({"inbound_id": NONE}, CASE_ROLES),
    "inbound_match": ({"inbound_id": NONE}, CASE_ROLES),
    "inbound_accept": ({"inbound_id": NONE}, CASE_ROLES),
    "inbound_decline": ({"inbound_id": NONE}, CASE_ROLES),
    "webhook_list": ({}, ORG_ADMINS),
    "webhook_detail": ({"subscription_id": NONE}, ORG_ADMINS),
    "webhook_active": ({"subscription_id": NONE}, ORG_ADMINS),
    "webhook_resend": ({"delivery_id": NONE}, ORG_ADMINS),
    "reminder_log": ({}, CASE_ROLES),
    "reminder_resend": ({"reminder_id": NONE}, CASE_ROLES),
    "reminder_settings": ({}, ORG_ADMINS),
    "person_reminders": ({"person_id": "PERSON"}, CASE_ROLES),
    "healthz": ({}, EVERYONE),
    "api-docs": ({"_url": "/api/docs"}, EVERYONE),
    "openapi-json": ({"_url": "/api/openapi.json"}, EVERYONE),
}

# API operations: "METHOD /api/path" -> (path kwargs, JSON body, roles allowed). Bodies are valid, because
# the API validates input before the access rule runs.
API: dict[str, tuple[dict[str, Any], dict[str, Any] | None, frozenset[str]]] = {
    "GET /api/me": ({}, None, ALL_ROLES),
    "GET /api/people": ({}, None, CASE_ROLES),
    "POST /api/people": ({}, {"family_name": "Matrix"}, CASE_ROLES),
    "POST /api/people/duplicates": ({}, {"family_name": "Matrix"}, CASE_ROLES),
    "POST /api/people/search": ({}, {"q": "Matrix"}, CASE_ROLES),
    "GET /api/people/{person_id}": ({"person_id": "PERSON"}, None, CASE_ROLES),
    "PATCH /api/people/{person_id}": ({"person_id": "PERSON"}, {"version": NONE}, CASE_ROLES),
    "POST /api/people/{person_id}/events": (
        {"person_id": "PERSON"},
        {"kind": "check_in", "date": "2020-01-01"},
        CASE_ROLES,
    ),
    "POST /api/people/{person_id}/consents": (
        {"person_id": "PERSON"},
        {"scope": "services", "given_on": "2020-01-01"},
        CASE_ROLES,
    ),
    "POST /api/consents/{consent_id}/withdraw": ({"consent_id": NONE}, None, CASE_ROLES),
    "POST /api/people/{person_id}/referrals": (
        {"person_id": "PERSON"},
        {"to_organisation": NONE, "purpose": "x"},
        CASE_ROLES,
    ),
    "GET /api/referrals": ({}, None, CASE_ROLES),
    "POST /api/referrals/{referral_id}/accept": ({"referral_id": NONE}, None, CASE_ROLES),
    "POST /api/referrals/{referral_id}/decline": ({"referral_id": NONE}, {"reason": ""}, CASE_ROLES),
    "POST /api/referrals/{referral_id}/cancel": ({"referral_id": NONE}, None, CASE_ROLES),
    "POST /api/people/{person_id}/merge": ({"person_id": "PERSON"}, {"duplicate_id": NONE}, MERGERS),
    "GET /api/people/{person_id}/cases": ({"person_id": "PERSON"}, None, CASE_ROLES),
    "POST /api/people/{person_id}/cases": (
        {"person_id": "PERSON"},
        {"programme": "legal_defence"},
        CASE_ROLES,
    ),
    "GET /api/cases/{case_id}": ({"case_id": "CASE"}, None, CASE_ROLES),
    "POST /api/cases/{case_id}/close": ({"case_id": NONE}, {"closure_reason": "other"}, CASE_ROLES),
    "POST /api/cases/{case_id}/reopen": ({"case_id": NONE}, None, CASE_ROLES),
    "GET /api/cases/{case_id}/tasks": ({"case_id": "CASE"}, None, CASE_ROLES),
    "POST /api/cases/{case_id}/tasks": ({"case_id": "CASE"}, {"title": "x"}, CASE_ROLES),
    "GET /api/tasks": ({}, None, CASE_ROLES),
    "PATCH /api/tasks/{task_id}": ({"task_id": NONE}, {"outcome": "done"}, CASE_ROLES),
    "GET /api/cases/{case_id}/notes": ({"case_id": "CASE"}, None, CASE_ROLES),
    "POST /api/cases/{case_id}/notes": ({"case_id": "CASE"}, {"body": "x"}, CASE_ROLES),
    "GET /api/legal/deadlines/preview": ({"_query": "?event=ij_decision&date=2026-11-25"}, None, CASE_ROLES),
    "GET /api/legal/deadlines": ({}, None, CASE_ROLES),
    "POST /api/people/{person_id}/proceedings": ({"person_id": "PERSON"}, {"court": "Seattle"}, CASE_ROLES),
    "POST /api/legal/proceedings/{proceeding_id}/events": (
        {"proceeding_id": NONE},
        {"kind": "hearing", "date": "2020-01-01"},
        CASE_ROLES,
    ),
    "GET /api/reception/batches": ({}, None, CASE_ROLES),
    "POST /api/reception/batches": ({}, {"flight": "M", "date": "2020-01-01"}, CASE_ROLES),
    "POST /api/reception/batches/{batch_id}/manifests": (
        {"batch_id": NONE, "_multipart": True},
        None,
        CASE_ROLES,
    ),
    "POST /api/reception/manifests/{import_id}/import": ({"import_id": NONE}, None, CASE_ROLES),
    "GET /api/reception/arrivals/{arrival_id}": ({"arrival_id": NONE}, None, CASE_ROLES),
    "GET /api/reception/expected": ({}, None, CASE_ROLES),
    "GET /api/people/{person_id}/family": ({"person_id": "PERSON"}, None, CASE_ROLES),
    "POST /api/people/{person_id}/family": (
        {"person_id": "PERSON"},
        {"name": "Lina", "relationship": "daughter", "location": "us"},
        CASE_ROLES,
    ),
    "GET /api/reception/packets/{packet_id}": ({"packet_id": NONE}, None, CASE_ROLES),
    "POST /api/people/{person_id}/packets": (
        {"person_id": "PERSON"},
        {"to_organisation_id": NONE, "expected_on": "2020-01-01"},
        CASE_ROLES,
    ),
    "POST /api/reception/packets/{packet_id}/receive": ({"packet_id": NONE}, None, CASE_ROLES),
    "POST /api/reception/packets/{packet_id}/decline": ({"packet_id": NONE}, {}, CASE_ROLES),
    "POST /api/reception/packets/{packet_id}/cancel": ({"packet_id": NONE}, None, CASE_ROLES),
    "PATCH /api/reception/arrivals/{arrival_id}": ({"arrival_id": NONE}, {"version": NONE}, CASE_ROLES),
    "POST /api/people/{person_id}/assessments": ({"person_id": "PERSON"}, {}, CASE_ROLES),
    "GET /api/people/{person_id}/assessments": ({"person_id": "PERSON"}, None, CASE_ROLES),
    "POST /api/people/{person_id}/goals": (
        {"person_id": "PERSON"},
        {"title": "x", "dimension": "social"},
        CASE_ROLES,
    ),
    "POST /api/people/{person_id}/services": (
        {"person_id": "PERSON"},
        {"service": "khmer_class", "date": "2020-01-01"},
        CASE_ROLES,
    ),
    "GET /api/people/{person_id}/follow-ups": ({"person_id": "PERSON"}, None, CASE_ROLES),
    "POST /api/reception/follow-ups/{follow_up_id}": (
        {"follow_up_id": NONE},
        {"submission": "x", "answers": {}},
        CASE_ROLES,
    ),
    "GET /api/outreach/clients": ({}, None, OUTREACH),
    "GET /api/outreach/encounters": ({}, None, OUTREACH),
    "POST /api/outreach/encounters": (
        {},
        {"date": "2020-01-01", "district": "x", "uic": "DASO0207031985"},
        OUTREACH,
    ),
    "GET /api/outreach/sites": ({}, None, OUTREACH),
    "GET /api/outreach/stock": ({}, None, OUTREACH),
    "GET /api/outreach/submissions": ({}, None, OUTREACH),
    "GET /api/outreach/indicators": ({"_query": "?year=2026"}, None, OUTREACH),
    "GET /api/stats/removals": ({}, None, EVERYONE),
    "GET /api/stats/publications": ({}, None, EVERYONE),
    "GET /api/stats/compare": ({"_query": "?a=1&b=2"}, None, EVERYONE),
    "GET /api/stats/removals/average": ({}, None, EVERYONE),
    "GET /api/stats/revisions": ({}, None, EVERYONE),
    "GET /api/stats/programme": ({}, None, STATS_ROLES),
    "POST /api/outreach/stock/movements": (
        {},
        {"site_id": NONE, "item": "condoms", "kind": "received", "quantity": 1, "date": "2020-01-01"},
        OUTREACH,
    ),
    "POST /api/people/{person_id}/detained": (
        {"person_id": "PERSON"},
        {"facility": "Tacoma", "date": "2020-01-01"},
        CASE_ROLES,
    ),
    "GET /api/exchange/people": ({"_query": "?since_date=2020-01-01"}, None, EXCHANGERS),
    "POST /api/exchange/referrals": (
        {},
        {"family_name": "Matrix", "from_organisation_name": "x"},
        EXCHANGERS,
    ),
    "GET /api/calls": ({}, None, CASE_ROLES),
    "POST /api/calls": ({}, {"person_name": "Sok Dara"}, CASE_ROLES),
    "POST /api/calls/search": ({}, {"q": "Sok"}, CASE_ROLES),
    "GET /api/calls/{call_id}": ({"call_id": NONE}, None, CASE_ROLES),
    "POST /api/calls/{call_id}/link": ({"call_id": NONE}, {"person_id": NONE}, CASE_ROLES),
    "POST /api/calls/{call_id}/rapid-response": (
        {"call_id": NONE},
        {"verified": True, "facility": "Tacoma"},
        CASE_ROLES,
    ),
    "GET /api/bonds": ({}, None, CASE_ROLES),
    "GET /api/bonds/ledger": ({}, None, CASE_ROLES),
    "POST /api/bonds": ({}, {"detention_id": NONE, "amount": "1500.00", "obligor": "x"}, CASE_ROLES),
    "GET /api/bonds/{bond_id}": ({"bond_id": NONE}, None, CASE_ROLES),
    "POST /api/bonds/{bond_id}/contributions": (
        {"bond_id": NONE},
        {"amount": "100.00", "source": "own"},
        CASE_ROLES,
    ),
    "POST /api/bonds/{bond_id}/status": ({"bond_id": NONE}, {"status": "active"}, CASE_ROLES),
    "POST /api/bonds/{bond_id}/receipt": ({"bond_id": NONE, "_multipart": True}, None, CASE_ROLES),
    "GET /api/accompaniment": ({}, None, VOLUNTEERS),
    "POST /api/accompaniment/{accompaniment_id}/signup": ({"accompaniment_id": NONE}, None, VOLUNTEERS),
    "POST /api/accompaniment/{accompaniment_id}/withdraw": ({"accompaniment_id": NONE}, None, VOLUNTEERS),
    "POST /api/accompaniment": (
        {},
        {"check_in_id": NONE, "cap": 1, "meets_at": "09:00", "meeting_point": "x"},
        CASE_ROLES,
    ),
    "GET /api/accompaniment/{accompaniment_id}/signups": ({"accompaniment_id": NONE}, None, CASE_ROLES),
    "GET /api/reminders": ({}, None, CASE_ROLES),
    "POST /api/reminders/{reminder_id}/resend": ({"reminder_id": NONE}, None, CASE_ROLES),
    "GET /api/people/{person_id}/reminders": ({"person_id": "PERSON"}, None, CASE_ROLES),
    "POST /api/people/{person_id}/reminders": (
        {"person_id": "PERSON"},
        {"channel": "telegram", "address": "1", "given_on": "2020-01-01"},
        CASE_ROLES,
    ),
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


@pytest.fixture
def objects(person: Any, advocacy: Any, caseworker: Any) -> dict[str, int]:
    from crossings.cases.models import Case

    case = Case.objects.create(
        organisation=advocacy, person=person, programme="legal_defence", owner=caseworker
    )
    return {"PERSON": person.pk, "CASE": case.pk}


def _fill(kwargs: dict[str, Any], objects: dict[str, int]) -> dict[str, Any]:
    return {
        k: objects.get(v, v) if isinstance(v, str) else v for k, v in kwargs.items() if not k.startswith("_")
    }


def _denied(response: Any) -> bool:
    if response.status_code in (401, 403):
        return True
    return response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_allows_exactly_the_roles_in_the_matrix(
    name: str, clients: dict[str, Client], objects: dict[str, int]
) -> None:
    kwargs, allowed = PAGES[name]
    url = kwargs["_url"] if "_url" in kwargs else reverse(name, kwargs=_fill(kwargs, objects))
    for who, client in clients.items():
        response = client.get(url)
        assert _denied(response) == (who not in allowed), f"{who} GET {url} -> {response.status_code}"


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(API))
def test_api_allows_exactly_the_roles_in_the_matrix(
    key: str, clients: dict[str, Client], objects: dict[str, int]
) -> None:
    kwargs, body, allowed = API[key]
    method, path = key.split(" ", 1)
    url = path.format(**_fill(kwargs, objects)) + kwargs.get("_query", "")
    for who, client in clients.items():
        if kwargs.get("_multipart"):
            response = client.post(url, {"file": io.BytesIO(b"Surname,First name,DOB\n")})
        else:
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
