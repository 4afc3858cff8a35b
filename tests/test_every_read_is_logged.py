"""Every page and API operation that shows personal data writes an access-log entry (hostile review,
finding 4: 26 of 35 read paths wrote none). Like the role matrix, every route must be classified here: a
read (called with real records, and it must log), a write (kept in the change history), or a route that
shows no personal data, with the reason. A new route that is in none of the tables fails the suite."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from crossings.accompaniment import services as accompaniment_services
from crossings.accounts.models import ApiToken, Membership
from crossings.accounts.roles import OrgKind, Role
from crossings.audit.models import AccessLog
from crossings.bonds import services as bond_services
from crossings.calls import services as call_services
from crossings.cases import services as case_services
from crossings.cases.models import Case, Task
from crossings.exchange import services as exchange_services
from crossings.legal import services as legal_services
from crossings.people import sharing
from crossings.people.matching import rebuild_name_keys
from crossings.people.models import Person
from crossings.reception import handover
from crossings.reception import services as reception_services
from crossings.reception.models import Arrival, ArrivalBatch, FollowUp
from crossings.reminders import services as reminder_services
from crossings.reminders.models import Reminder, ReminderSettings
from tests.conftest import verified_client
from tests.test_role_matrix import api_operations, page_patterns

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%fake\n"

ACCOUNT = "the user's own account, no person served"
AGGREGATE = "aggregate figures only, small counts suppressed"
ANONYMOUS = "outreach clients are known only by a UIC, never a name (docs/outreach.md)"
NO_PEOPLE = "shows no person"
ODK = "OpenRosa: forms and submissions of anonymous encounters"
WRITE = "write: who changed what is kept in the change history"

# Pages that show personal data: name -> (url kwargs from the seeded records, query string, POST body or None)
PAGE_READS: dict[str, tuple[dict[str, str], str, dict[str, str] | None]] = {
    "person_list": ({}, "", None),
    "person_detail": ({"person_id": "person"}, "", None),
    "person_edit": ({"person_id": "person"}, "", None),
    "person_photo": ({"person_id": "person"}, "", None),
    "person_merge": ({"person_id": "person"}, "", None),
    "person_check_duplicates": (
        {},
        "",
        {"family_name": "Sok", "given_name": "Dara", "birth_date": "1980-01-01"},
    ),
    "person_new": (
        {},
        "",
        {
            "family_name": "Sok",
            "given_name": "Dara",
            "birth_date": "1980-01-01",
            "sex": "unknown",
            "birth_date_precision": "exact",
            "birthplace_kind": "unknown",
            "khmer_ability": "unknown",
        },
    ),
    "referral_inbox": ({}, "", None),
    "case_detail": ({"case_id": "case"}, "", None),
    "document_download": ({"document_id": "document"}, "", None),
    "overdue_tasks": ({}, "?who=org", None),
    "person_legal": ({"person_id": "person"}, "", None),
    "deadline_board": ({}, "?who=org", None),
    "rapid_response": ({}, "", None),
    "call_list": ({}, "", None),
    "call_detail": ({"call_id": "call"}, "", None),
    "bond_ledger": ({}, "", None),
    "bond_detail": ({"bond_id": "bond"}, "", None),
    "bond_receipt_file": ({"bond_id": "bond"}, "", None),
    "calendar_feed": ({"secret": "feed"}, "", None),
    "batch_detail": ({"batch_id": "batch"}, "", None),
    "manifest_preview": ({"import_id": "manifest"}, "", None),
    "arrival_checklist": ({"arrival_id": "arrival"}, "", None),
    "follow_up_record": ({"follow_up_id": "follow_up"}, "", None),
    "programme": ({}, "?from=2000-01-01", None),
    "person_reception": ({"person_id": "person"}, "", None),
    "packet_new": ({"person_id": "person"}, "", None),
    "expected_arrivals": ({}, "", None),
    "packet_detail": ({"packet_id": "packet"}, "", None),
    "access_log": ({}, "", None),
    "accompaniment_staff": ({}, "", None),
    "accompaniment_detail": ({"accompaniment_id": "accompaniment"}, "", None),
    "inbound_list": ({}, "", None),
    "inbound_detail": ({"inbound_id": "inbound"}, "", None),
    "reminder_log": ({}, "", None),
    "person_reminders": ({"person_id": "person"}, "", None),
}

# Read by a volunteer (the seeded volunteer, not the supervisor): their events name a person by initials.
VOLUNTEER_PAGE_READS: dict[str, tuple[dict[str, str], str, dict[str, str] | None]] = {
    "accompaniment_list": ({}, "", None),
}
VOLUNTEER_API_READS: dict[str, tuple[dict[str, str], str, dict[str, Any] | None]] = {
    "GET /api/accompaniment": ({}, "", None),
}
# The same page through another door: the search (a POST) and the programme's exports.
EXTRA_PAGE_READS = [
    ("person_list", {}, "", {"q": "Sok Dara"}),
    ("person_list", {}, "", {"q": "A-000-000-000"}),  # found nobody: still written
    ("programme", {}, "?from=2000-01-01&format=csv", None),
    ("programme", {}, "?from=2000-01-01&format=xlsx", None),
]
PAGE_OTHERS: dict[str, str] = {
    "home": ACCOUNT,
    "login": ACCOUNT,
    "logout": ACCOUNT,
    "logout_everywhere": ACCOUNT,
    "two_factor": ACCOUNT,
    "two_factor_setup": ACCOUNT,
    "api_tokens": ACCOUNT,
    "api_token_revoke": ACCOUNT,
    "set_language": ACCOUNT,
    "draft_restore": "redirects to the form's own page, which logs its read; the typing is the user's own",
    "calendar_feeds": ACCOUNT,
    "batch_list": "flights and their counts, no person",
    "stats_public": AGGREGATE,
    "stats_csv": AGGREGATE,
    "stats_programme": AGGREGATE,
    "stats_report_new": AGGREGATE,
    "stats_report": AGGREGATE,
    "stats_report_download": AGGREGATE,
    "healthz": NO_PEOPLE,
    "place_options": NO_PEOPLE,
    "api-docs": NO_PEOPLE,
    "openapi-json": NO_PEOPLE,
    **{
        name: ANONYMOUS
        for name in (
            "outreach_home",
            "outreach_encounter_list",
            "outreach_encounter_new",
            "outreach_indicators",
            "outreach_indicator_breakdown",
            "outreach_supplies",
            "outreach_reconciliation",
            "outreach_submissions",
            "outreach_donor_report",
            "outreach_odk_web_form",
            "outreach_odk_form_xml",
            "outreach_odk_media",
            "outreach_odk_submission",
        )
    },
    **{
        name: ODK
        for name in (
            "openrosa_form_list",
            "openrosa_submission",
            "openrosa_form_download",
            "openrosa_manifest",
            "openrosa_media",
        )
    },
    "rapid_response_resend": "queues the alert e-mails again and redirects; shows no person",
    "reminder_settings": "the organisation's reminder channels and quiet hours, no person",
    **{
        name: "webhooks: addresses, event types and record ids, never a person's data (docs/webhooks.md)"
        for name in ("webhook_list", "webhook_detail", "webhook_active", "webhook_resend")
    },
    **{
        name: WRITE
        for name in (
            "accompaniment_sign_up",
            "accompaniment_withdraw",
            "accompaniment_open",
            "accompaniment_close",
            "call_new",
            "call_link",
            "call_rapid_response",
            "bond_new",
            "bond_contribution",
            "bond_status",
            "bond_receipt",
            "person_add_event",
            "person_add_consent",
            "person_refer",
            "person_add_alias",
            "person_add_family",
            "case_new",
            "consent_withdraw",
            "referral_accept",
            "referral_decline",
            "referral_cancel",
            "case_close",
            "case_reopen",
            "task_add",
            "note_add",
            "document_upload",
            "task_resolve",
            "proceeding_new",
            "detain",
            "check_in_new",
            "travel_document_new",
            "conviction_new",
            "court_event_new",
            "court_event_correct",
            "deadline_resolve",
            "detention_release",
            "manifest_upload",
            "assessment_break_glass",
            "goal_achieved",
            "assessment_new",
            "goal_new",
            "service_new",
            "inbound_match",
            "inbound_accept",
            "inbound_decline",
            "packet_answer",
            "packet_cancel",
            "reminder_resend",
        )
    },
}

# API operations that return personal data: key -> (path kwargs, query string, JSON body or None)
API_READS: dict[str, tuple[dict[str, str], str, dict[str, Any] | None]] = {
    "GET /api/people": ({}, "", None),
    "POST /api/people/search": ({}, "", {"q": "Sok Dara"}),
    "POST /api/people/duplicates": (
        {},
        "",
        {"family_name": "Sok", "given_name": "Dara", "birth_date": "1980-01-01"},
    ),
    "GET /api/people/{person_id}": ({"person_id": "person"}, "", None),
    "GET /api/referrals": ({}, "", None),
    "GET /api/people/{person_id}/cases": ({"person_id": "person"}, "", None),
    "GET /api/cases/{case_id}": ({"case_id": "case"}, "", None),
    "GET /api/cases/{case_id}/tasks": ({"case_id": "case"}, "", None),
    "GET /api/tasks": ({}, "?who=org", None),
    "GET /api/cases/{case_id}/notes": ({"case_id": "case"}, "", None),
    "GET /api/legal/deadlines": ({}, "?who=org", None),
    "GET /api/calls": ({}, "", None),
    "POST /api/calls/search": ({}, "", {"q": "Sok"}),
    "GET /api/calls/{call_id}": ({"call_id": "call"}, "", None),
    "GET /api/bonds": ({}, "", None),
    "GET /api/bonds/{bond_id}": ({"bond_id": "bond"}, "", None),
    "GET /api/accompaniment/{accompaniment_id}/signups": ({"accompaniment_id": "accompaniment"}, "", None),
    "GET /api/people/{person_id}/assessments": ({"person_id": "person"}, "", None),
    "GET /api/people/{person_id}/follow-ups": ({"person_id": "person"}, "", None),
    "POST /api/reception/batches/{batch_id}/manifests": ({"batch_id": "batch"}, "", None),
    "GET /api/reception/arrivals/{arrival_id}": ({"arrival_id": "arrival"}, "", None),
    "GET /api/exchange/people": ({}, "?since_date=2000-01-01", None),
    "GET /api/reception/expected": ({}, "", None),
    "GET /api/people/{person_id}/family": ({"person_id": "person"}, "", None),
    "GET /api/reception/packets/{packet_id}": ({"packet_id": "packet"}, "", None),
    "GET /api/reminders": ({}, "", None),
    "GET /api/people/{person_id}/reminders": ({"person_id": "person"}, "", None),
}
API_OTHERS: dict[str, str] = {
    "GET /api/me": ACCOUNT,
    "GET /api/legal/deadlines/preview": "the deadline rules, for a date typed in",
    "GET /api/reception/batches": "flights and their counts, no person",
    "GET /api/bonds/ledger": "totals of the organisation's bonds, no person",
    "GET /api/stats/removals": AGGREGATE,
    "GET /api/stats/publications": AGGREGATE,
    "GET /api/stats/compare": AGGREGATE,
    "GET /api/stats/removals/average": AGGREGATE,
    "GET /api/stats/revisions": AGGREGATE,
    "GET /api/stats/programme": AGGREGATE,
    **{
        key: ANONYMOUS
        for key in (
            "GET /api/outreach/clients",
            "GET /api/outreach/encounters",
            "POST /api/outreach/encounters",
            "GET /api/outreach/sites",
            "GET /api/outreach/stock",
            "GET /api/outreach/submissions",
            "GET /api/outreach/indicators",
            "POST /api/outreach/stock/movements",
        )
    },
    **{
        key: WRITE
        for key in (
            "POST /api/people",
            "PATCH /api/people/{person_id}",
            "POST /api/people/{person_id}/events",
            "POST /api/people/{person_id}/consents",
            "POST /api/consents/{consent_id}/withdraw",
            "POST /api/people/{person_id}/referrals",
            "POST /api/referrals/{referral_id}/accept",
            "POST /api/referrals/{referral_id}/decline",
            "POST /api/referrals/{referral_id}/cancel",
            "POST /api/people/{person_id}/merge",
            "POST /api/people/{person_id}/cases",
            "POST /api/cases/{case_id}/close",
            "POST /api/cases/{case_id}/reopen",
            "POST /api/cases/{case_id}/tasks",
            "PATCH /api/tasks/{task_id}",
            "POST /api/cases/{case_id}/notes",
            "POST /api/people/{person_id}/proceedings",
            "POST /api/legal/proceedings/{proceeding_id}/events",
            "POST /api/reception/batches",
            "POST /api/reception/manifests/{import_id}/import",
            "POST /api/people/{person_id}/assessments",
            "POST /api/people/{person_id}/goals",
            "POST /api/people/{person_id}/services",
            "POST /api/reception/follow-ups/{follow_up_id}",
            "PATCH /api/reception/arrivals/{arrival_id}",
            "POST /api/people/{person_id}/detained",
            "POST /api/accompaniment",
            "POST /api/accompaniment/{accompaniment_id}/signup",
            "POST /api/accompaniment/{accompaniment_id}/withdraw",
            "POST /api/calls",
            "POST /api/calls/{call_id}/link",
            "POST /api/calls/{call_id}/rapid-response",
            "POST /api/bonds",
            "POST /api/bonds/{bond_id}/contributions",
            "POST /api/bonds/{bond_id}/status",
            "POST /api/bonds/{bond_id}/receipt",
            "POST /api/exchange/referrals",
            "POST /api/people/{person_id}/packets",
            "POST /api/people/{person_id}/family",
            "POST /api/reception/packets/{packet_id}/receive",
            "POST /api/reception/packets/{packet_id}/decline",
            "POST /api/reception/packets/{packet_id}/cancel",
            "POST /api/reminders/{reminder_id}/resend",
            "POST /api/people/{person_id}/reminders",
        )
    },
}


@pytest.fixture
def seeded(make_org: Any, make_user: Any) -> dict[str, Any]:
    """One record of every kind a read path shows, in one organisation whose supervisor reads them."""
    advocacy = make_org("Walk advocates", OrgKind.ADVOCACY, "US")
    other = make_org("Walk elsewhere", OrgKind.ADVOCACY, "US")
    user = make_user(Role.SUPERVISOR, advocacy, username="walker")
    other_user = make_user(Role.CASEWORKER, other, username="walk-other")
    today = timezone.localdate()
    person = Person.objects.create(
        organisation=advocacy, family_name="Sok", given_name="Dara", a_number="A-012-345-678", contact="x"
    )
    person.photo.save("photo", ContentFile(PNG), save=True)
    rebuild_name_keys(person)
    twin = Person.objects.create(
        organisation=advocacy, family_name="Sok", given_name="Dara", birth_date=dt.date(1980, 1, 1)
    )
    rebuild_name_keys(twin)
    case = Case.objects.create(organisation=advocacy, person=person, programme="legal_defence", owner=user)
    Task.objects.create(
        case=case, title="overdue", due_on=today - dt.timedelta(days=3), created_by=user, assignee=user
    )
    case.notes.create(body="a note", author=user)
    document = case_services.store_document(
        case=case,
        user=user,
        title="letter",
        upload=SimpleUploadedFile("letter.pdf", PDF, content_type="application/pdf"),
        content_type="application/pdf",
        sha256="0" * 64,
    )
    proceeding = legal_services.open_proceeding(
        person=person,
        organisation_id=advocacy.pk,
        court="Seattle",
        opened_on=today - dt.timedelta(days=10),
        user=user,
    )
    legal_services.record_court_event(
        proceeding=proceeding,
        kind="ij_decision",
        outcome="removal_ordered",
        date=today - dt.timedelta(days=5),
        user=user,
    )
    rapid = legal_services.mark_detained(
        person=person,
        organisation_id=advocacy.pk,
        facility="Tacoma",
        date=today - dt.timedelta(days=1),
        user=user,
    )
    call = call_services.take_call(
        organisation_id=advocacy.pk, user=user, data={"person_name": "Sok Dara", "caller_name": "Srey"}
    )
    bond = bond_services.post_bond(detention=rapid.detention, amount="1500", obligor="Srey", user=user)
    bond_services.attach_receipt(
        bond=bond, upload=SimpleUploadedFile("i305.pdf", PDF, content_type="application/pdf"), user=user
    )
    from crossings.legal.models import CalendarFeed

    _feed, secret = CalendarFeed.issue(user=user, scope=CalendarFeed.Scope.ORGANISATION)
    batch = ArrivalBatch.objects.create(organisation=advocacy, flight="W1", date=today, created_by=user)
    arrival = Arrival.objects.create(batch=batch, person=person)
    reception_services.update_checklist(arrival=arrival, user=user, received=True)
    reception_services.create_assessment(person=person, organisation_id=advocacy.pk, user=user)
    manifest = reception_services.store_upload(
        batch=batch, data=b"Surname,First name,DOB\nKeo,Bopha,1985-09-30\n", filename="m.csv", user=user
    )
    # an incoming referral, for the inbox
    theirs = Person.objects.create(organisation=other, family_name="Chhun", given_name="Vuthy")
    sharing.record_consent(
        person=theirs, user=other_user, scope="share", shared_with=advocacy, given_on=today
    )
    sharing.refer(person=theirs, to_organisation=advocacy, purpose="x", user=other_user)
    Membership.objects.filter(user=user).update(is_responder=False)
    volunteer = make_user(Role.VOLUNTEER, advocacy, username="walk-volunteer")
    check_in = legal_services.record_check_in(
        person=person,
        organisation_id=advocacy.pk,
        date=today + dt.timedelta(days=2),
        office="Seattle Field Office",
        outcome="scheduled",
        user=user,
    )
    accompaniment = accompaniment_services.open_accompaniment(
        user=user, check_in=check_in, cap=2, meets_at=dt.time(9), meeting_point="Lobby"
    )
    accompaniment_services.sign_up(accompaniment=accompaniment, user=volunteer)
    ReminderSettings.objects.create(organisation=advocacy, telegram_enabled=True, telegram_token="x")
    contact = reminder_services.opt_in(person=person, user=user, channel="telegram", address="12345")
    Reminder.objects.create(
        organisation=advocacy,
        person=person,
        contact=contact,
        channel="telegram",
        kind="check_in",
        event_id=check_in.pk,
        event_on=check_in.date,
        days_before=3,
    )
    inbound = exchange_services.receive_inbound(
        organisation_id=advocacy.pk,
        user=user,
        data={"family_name": "Sok", "given_name": "Dara", "from_organisation_name": "OSCaR NGO"},
    )
    # a pre-arrival packet the supervisor's organisation sent to a reception organisation
    welcome = make_org("Walk reception", OrgKind.RECEPTION, "KH")
    sharing.record_consent(person=person, user=user, scope="share", shared_with=welcome, given_on=today)
    packet = handover.prepare_packet(
        person=person,
        to_organisation=welcome,
        user=user,
        data={"expected_on": today + dt.timedelta(days=3), "belongings": "one bag"},
    )
    return {
        "packet": packet.pk,
        "volunteer": volunteer,
        "accompaniment": accompaniment.pk,
        "inbound": inbound.pk,
        "user": user,
        "person": person.pk,
        "case": case.pk,
        "document": document.pk,
        "batch": batch.pk,
        "arrival": arrival.pk,
        "manifest": manifest.pk,
        "follow_up": FollowUp.objects.filter(person=person).first().pk,  # type: ignore[union-attr]
        "feed": secret,
        "call": call.pk,
        "bond": bond.pk,
    }


def _fill(kwargs: dict[str, str], seeded: dict[str, Any]) -> dict[str, Any]:
    return {k: seeded[v] for k, v in kwargs.items()}


def _entries_after(before: int, seeded: dict[str, Any]) -> list[AccessLog]:
    return list(AccessLog.objects.filter(user=seeded["user"]).order_by("pk")[before:])


def test_every_page_is_classified() -> None:
    for name, _callback in page_patterns():
        assert name in PAGE_READS or name in PAGE_OTHERS or name in VOLUNTEER_PAGE_READS, (
            f"page {name!r}: a read (logged) or not? classify it"
        )


def test_every_api_operation_is_classified() -> None:
    for key, _view in api_operations():
        assert key in API_READS or key in API_OTHERS or key in VOLUNTEER_API_READS, (
            f"API {key!r}: a read (logged) or not? classify it"
        )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name,kwargs,query,body",
    [(n, *v) for n, v in sorted(PAGE_READS.items())] + EXTRA_PAGE_READS,
)
def test_a_page_that_shows_personal_data_logs_the_read(
    name: str, kwargs: dict[str, str], query: str, body: dict[str, str] | None, seeded: dict[str, Any]
) -> None:
    client = verified_client(seeded["user"])
    url = reverse(name, kwargs=_fill(kwargs, seeded)) + query
    before = AccessLog.objects.filter(user=seeded["user"]).count()
    response = client.get(url) if body is None else client.post(url, body)
    assert response.status_code == 200, f"{url} -> {response.status_code}"
    entries = _entries_after(before, seeded)
    assert entries, f"{name} {url} showed personal data and wrote no access-log entry"
    if name == "calendar_feed":  # the secret in its URL is a credential: never written down
        assert all(seeded["feed"] not in e.path for e in entries)
    else:
        assert all(e.path == url.split("?")[0] for e in entries)


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(API_READS))
def test_an_api_read_of_personal_data_is_logged(key: str, seeded: dict[str, Any]) -> None:
    kwargs, query, body = API_READS[key]
    _token, raw = ApiToken.issue(user=seeded["user"])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    method, path = key.split(" ", 1)
    url = path.format(**_fill(kwargs, seeded)) + query
    before = AccessLog.objects.filter(user=seeded["user"]).count()
    if "manifests" in path:
        response = client.post(url, {"file": io.BytesIO(b"Surname,First name,DOB\nKeo,Bopha,1985-09-30\n")})
    else:
        data = "" if body is None else json.dumps(body)
        response = client.generic(method, url, data=data, content_type="application/json")
    assert response.status_code in (200, 201), f"{key} -> {response.status_code} {response.content[:200]!r}"
    entries = _entries_after(before, seeded)
    assert entries, f"{key} returned personal data and wrote no access-log entry"
    assert all(e.action in ("api", "list", "export") for e in entries)


@pytest.mark.django_db
def test_a_list_entry_says_how_many_and_which(seeded: dict[str, Any]) -> None:
    _token, raw = ApiToken.issue(user=seeded["user"])
    Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/people?page_size=1")
    entry = AccessLog.objects.filter(user=seeded["user"], action="list").latest("pk")
    assert (
        entry.count == Person.objects.visible_to(seeded["user"]).count()
        and len(entry.object_ids.split(",")) == 1
    )


@pytest.mark.django_db
def test_an_export_is_logged_as_an_export(seeded: dict[str, Any]) -> None:
    verified_client(seeded["user"]).get("/reception/programme/?from=2000-01-01&format=csv")
    entry = AccessLog.objects.filter(user=seeded["user"]).latest("pk")
    assert entry.action == "export" and str(seeded["person"]) in entry.object_ids.split(",")


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(VOLUNTEER_PAGE_READS))
def test_a_volunteers_read_of_their_events_is_logged(name: str, seeded: dict[str, Any]) -> None:
    kwargs, query, _body = VOLUNTEER_PAGE_READS[name]
    volunteer = seeded["volunteer"]
    url = reverse(name, kwargs=_fill(kwargs, seeded)) + query
    before = AccessLog.objects.filter(user=volunteer).count()
    assert verified_client(volunteer).get(url).status_code == 200
    entries = list(AccessLog.objects.filter(user=volunteer).order_by("pk")[before:])
    assert entries and all(e.path == url.split("?")[0] for e in entries)


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(VOLUNTEER_API_READS))
def test_a_volunteers_api_read_is_logged(key: str, seeded: dict[str, Any]) -> None:
    kwargs, query, _body = VOLUNTEER_API_READS[key]
    volunteer = seeded["volunteer"]
    _token, raw = ApiToken.issue(user=volunteer)
    method, path = key.split(" ", 1)
    url = path.format(**_fill(kwargs, seeded)) + query
    before = AccessLog.objects.filter(user=volunteer).count()
    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").generic(method, url)
    assert response.status_code == 200 and response.json()
    entries = list(AccessLog.objects.filter(user=volunteer).order_by("pk")[before:])
    assert entries and all(e.action in ("api", "list") for e in entries)
