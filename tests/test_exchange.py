"""The exchange with OSCaR and Primero (docs/exchange.md): the feed carries only the people held by the
caller's organisation or shared with it by a live consent naming it, changed since a date, a page at a time
for the same number of queries, each read in the access log; an inbound referral is held for review (not a
person), recorded once however often it is sent, and refused with field errors when it is not valid."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from crossings.accounts.models import ApiToken, Organisation
from crossings.accounts.roles import OrgKind, Role
from crossings.audit.models import AccessLog
from crossings.cases import services as case_services
from crossings.exchange.models import InboundReferral
from crossings.people import services as people_services
from crossings.people import sharing
from crossings.people.models import Consent, Person, Referral
from crossings.reception.models import Assessment, Service, ServiceDelivery

LONG_AGO = dt.date(2020, 1, 1)
FEED = "/api/exchange/people"
QUERIES = 8
PAGE_QUERIES = 11  # 8, and the menu's three counts (crossings/badges.py)


def bearer(user: Any) -> Client:
    _token, raw = ApiToken.issue(user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.fixture
def feeder(make_user: Any, reception: Organisation) -> Any:
    """The reception NGO's OpenFn job: a supervisor's account kept for it."""
    return make_user(Role.SUPERVISOR, reception, username="openfn")


@pytest.fixture
def officer(make_user: Any, reception: Organisation) -> Any:
    return make_user(Role.CASEWORKER, reception, username="officer")


def consent(person: Person, user: Any, org: Organisation) -> Consent:
    return sharing.record_consent(
        person=person, user=user, scope="share", shared_with=org, given_on=timezone.localdate()
    )


def share(person: Person, holder_user: Any, org: Organisation, receiver_user: Any) -> Referral:
    """The holder records a consent naming ``org`` and refers the person; ``org`` accepts."""
    consent(person, holder_user, org)
    referral = sharing.refer(person=person, to_organisation=org, purpose="arrival", user=holder_user)
    case_services.accept_referral(referral=referral, user=receiver_user)
    return referral


def new_person(org: Organisation, family: str, **extra: Any) -> Person:
    return Person.objects.create(organisation=org, family_name=family, given_name="Dara", **extra)


def own_person(org: Organisation, family: str, user: Any, **extra: Any) -> Person:
    """One of the caller's own records, with the person's consent to send it to the linked system."""
    person = new_person(org, family, **extra)
    sharing.record_consent(person=person, user=user, scope="exchange", given_on=timezone.localdate())
    return person


def feed(client: Client, since: dt.date = LONG_AGO, **params: Any) -> Any:
    return client.get(FEED, {"since_date": since.isoformat(), **params})


def ids(response: Any) -> set[str]:
    assert response.status_code == 200, response.content
    return {entry["global_id"] for entry in response.json()["results"]}


@pytest.mark.django_db
def test_a_shared_person_is_in_the_feed_with_names_in_both_scripts_places_and_services(
    advocacy: Organisation, reception: Organisation, caseworker: Any, feeder: Any, officer: Any
) -> None:
    person = new_person(
        advocacy,
        "Sok",
        name_km="សុខ ដារា",
        sex="male",
        birth_date=dt.date(1981, 1, 1),
        birth_date_precision="year",
        birthplace_kind="province",
        birthplace_province="battambang",
    )
    share(person, caseworker, reception, officer)
    Assessment.objects.create(
        person=person, organisation=reception, province="12", district="1202", assessed_by=officer
    )
    khmer_class = Service.objects.create(organisation=reception, code="khmer_class", name="Khmer class")
    ServiceDelivery.objects.create(
        person=person,
        organisation=reception,
        service=khmer_class,
        date=timezone.localdate(),
        delivered_by=officer,
    )
    body = feed(bearer(feeder)).json()
    assert body["count"] == 1
    entry = body["results"][0]
    assert entry["global_id"] == str(person.global_id) and entry["held_by_you"] is False
    assert (entry["family_name"], entry["given_name"], entry["name_km"]) == ("Sok", "Dara", "សុខ ដារា")
    assert (entry["birth_date"], entry["birth_date_precision"], entry["sex"]) == (
        "1981-01-01",
        "year",
        "male",
    )
    assert entry["birthplace_province_code"] == "02"  # Battambang's official code
    assert entry["residence"]["province"] == "12" and entry["residence"]["district"] == "1202"
    assert [s["code"] for s in entry["services"]] == ["khmer_class"]
    assert [(r["direction"], r["status"]) for r in entry["referrals"]] == [("received", "accepted")]
    # nothing beyond identity, the caller's own work and the referral statuses
    assert not {"a_number", "contact", "events", "status", "id"} & set(entry)


@pytest.mark.django_db
def test_only_consented_people_and_the_callers_own_are_in_it(
    advocacy: Organisation,
    reception: Organisation,
    make_org: Any,
    caseworker: Any,
    feeder: Any,
    officer: Any,
    make_user: Any,
) -> None:
    shared = new_person(advocacy, "Shared")
    share(shared, caseworker, reception, officer)
    unshared = new_person(advocacy, "Unshared")  # no consent at all
    consented_only = new_person(advocacy, "Consented")  # a consent, but never referred: not visible
    consent(consented_only, caseworker, reception)
    own = own_person(reception, "Own", officer)
    own_unasked = new_person(reception, "Own unasked")  # held, but the person never agreed to send it on
    other = make_org("Third (test)", OrgKind.RECEPTION, "KH")
    elsewhere = new_person(other, "Elsewhere")
    found = ids(feed(bearer(feeder)))
    assert found == {str(shared.global_id), str(own.global_id)}
    assert not {str(p.global_id) for p in (unshared, consented_only, elsewhere, own_unasked)} & found


@pytest.mark.django_db
def test_a_withdrawn_consent_takes_the_person_out_of_the_feed(
    advocacy: Organisation, reception: Organisation, caseworker: Any, feeder: Any, officer: Any
) -> None:
    person = new_person(advocacy, "Withdrawn")
    referral = share(person, caseworker, reception, officer)
    client = bearer(feeder)
    assert ids(feed(client)) == {str(person.global_id)}
    sharing.withdraw_consent(consent=referral.consent, user=caseworker)
    assert ids(feed(client)) == set()


@pytest.mark.django_db
def test_a_chain_of_referrals_does_not_widen_the_feed(
    advocacy: Organisation,
    reception: Organisation,
    make_org: Any,
    make_user: Any,
    caseworker: Any,
    feeder: Any,
) -> None:
    """A → B → reception: the reception NGO is in the feed only while every consent up the chain is live,
    and B's feed never carries what only reception was granted."""
    middle = make_org("Middle (test)", OrgKind.RECEPTION, "KH")
    middle_worker = make_user(Role.CASEWORKER, middle)
    middle_feeder = make_user(Role.SUPERVISOR, middle)
    person = new_person(advocacy, "Chain")
    first = share(person, caseworker, middle, middle_worker)
    consent(person, caseworker, reception)  # recorded by the holder, naming reception
    onward = sharing.refer(person=person, to_organisation=reception, purpose="arrival", user=middle_worker)
    case_services.accept_referral(referral=onward, user=make_user(Role.CASEWORKER, reception))
    assert ids(feed(bearer(feeder))) == {str(person.global_id)}
    assert ids(feed(bearer(middle_feeder))) == {str(person.global_id)}
    sharing.withdraw_consent(consent=first.consent, user=caseworker)
    # reception's own consent is still valid, but the record reached it through B, whose consent is gone
    assert ids(feed(bearer(feeder))) == set()
    assert ids(feed(bearer(middle_feeder))) == set()


@pytest.mark.django_db
def test_since_date_keeps_only_what_changed_on_or_after_it(
    reception: Organisation, feeder: Any, officer: Any
) -> None:
    old = own_person(reception, "Old", officer)
    fresh = own_person(reception, "Fresh", officer)
    long_ago = timezone.make_aware(dt.datetime(2021, 5, 1, 12))
    Person.objects.filter(pk=old.pk).update(updated_at=long_ago)
    Consent.objects.filter(person=old).update(created_at=long_ago)
    client = bearer(feeder)
    today = timezone.localdate()
    assert ids(feed(client, today)) == {str(fresh.global_id)}
    assert ids(feed(client, dt.date(2021, 5, 1))) == {str(old.global_id), str(fresh.global_id)}
    assert ids(feed(client, dt.date(2021, 5, 2))) == {str(fresh.global_id)}
    # a service given since then brings the person back into the feed
    service = Service.objects.create(organisation=reception, code="cash", name="cash")
    ServiceDelivery.objects.create(
        person=old, organisation=reception, service=service, date=today, delivered_by=officer
    )
    assert ids(feed(client, today)) == {str(old.global_id), str(fresh.global_id)}


@pytest.mark.django_db
def test_since_date_is_required_and_read_as_a_date(feeder: Any) -> None:
    client = bearer(feeder)
    for params in ({}, {"since_date": "yesterday"}):
        answer = client.get(FEED, params)
        assert answer.status_code == 422
        assert [e["field"] for e in answer.json()["errors"]] == ["since_date"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.LEGAL_ADVOCATE, Role.ORG_ADMIN, Role.ANALYST])
def test_roles_without_the_exchange_capability_get_403(
    role: str, make_user: Any, reception: Organisation
) -> None:
    client = bearer(make_user(role, reception))
    assert feed(client).status_code == 403
    body = {"family_name": "Sok", "from_organisation_name": "OSCaR NGO"}
    assert client.post("/api/exchange/referrals", body, content_type="application/json").status_code == 403


@pytest.mark.django_db
def test_another_organisation_is_refused(
    advocacy: Organisation, reception: Organisation, feeder: Any, caseworker: Any
) -> None:
    client = bearer(feeder)
    assert feed(client, organisation_id=advocacy.pk).status_code == 403
    body = {"family_name": "Sok", "from_organisation_name": "OSCaR NGO"}
    answer = client.post(
        f"/api/exchange/referrals?organisation_id={advocacy.pk}", body, content_type="application/json"
    )
    assert answer.status_code == 403 and not InboundReferral.objects.exists()
    assert feed(client, organisation_id=reception.pk).status_code == 200


@pytest.mark.django_db
def test_every_person_read_is_in_the_access_log(
    advocacy: Organisation, reception: Organisation, caseworker: Any, feeder: Any, officer: Any
) -> None:
    shared = new_person(advocacy, "Shared")
    share(shared, caseworker, reception, officer)
    own = [own_person(reception, f"Own {i}", officer) for i in range(3)]
    ids(feed(bearer(feeder), page_size=10))
    entries = AccessLog.objects.filter(user=feeder, object_type="people.person")
    assert {e.action for e in entries} == {AccessLog.Action.EXPORT}
    logged = {(e.organisation_id, pk) for e in entries for pk in e.object_ids.split(",") if pk}
    assert logged == {(advocacy.pk, str(shared.pk))} | {(reception.pk, str(p.pk)) for p in own}
    assert all(e.reason == "exchange" for e in entries)


@pytest.mark.django_db
def test_a_page_costs_the_same_queries_for_one_person_and_for_many(
    advocacy: Organisation,
    reception: Organisation,
    caseworker: Any,
    feeder: Any,
    officer: Any,
    django_assert_num_queries: Any,
) -> None:
    service = Service.objects.create(organisation=reception, code="cash", name="cash")

    def add(i: int) -> None:
        person = new_person(advocacy, f"Many {i}")
        share(person, caseworker, reception, officer)
        Assessment.objects.create(person=person, organisation=reception, province="12", assessed_by=officer)
        ServiceDelivery.objects.create(
            person=person, organisation=reception, service=service, date=LONG_AGO, delivered_by=officer
        )

    add(0)
    client = bearer(feeder)
    feed(client)  # warm: the token's first use is written once
    # token, memberships; count, page, services, assessments, referrals; the access log
    with django_assert_num_queries(QUERIES):
        assert feed(client).json()["count"] == 1
    for i in range(1, 8):
        add(i)
    with django_assert_num_queries(QUERIES):
        assert len(feed(client).json()["results"]) == 8


@pytest.mark.django_db
def test_pages_split_the_feed(reception: Organisation, feeder: Any) -> None:
    people = [own_person(reception, f"Paged {i}", feeder) for i in range(5)]
    client = bearer(feeder)
    first = feed(client, page_size=2).json()
    last = feed(client, page_size=2, page=3).json()
    assert first["count"] == 5 and len(first["results"]) == 2 and len(last["results"]) == 1
    seen = {e["global_id"] for e in first["results"]} | {e["global_id"] for e in last["results"]}
    assert seen < {str(p.global_id) for p in people}


# Inbound referrals

PROPOSAL = {
    "global_id": "6f1c3f9a-2b1e-4b8e-9a55-0d4f1e2c3b4a",
    "family_name": "Chhun",
    "given_name": "Vanna",
    "name_km": "ឈុន វណ្ណា",
    "birth_year": 1984,
    "reason": "Arriving on the next flight; needs housing and medication for diabetes.",
    "from_organisation_name": "Legal aid in Long Beach",
    "from_system": "oscar",
    "sender_reference": "OS-2026-0042",
}


def propose(client: Client, body: dict[str, Any], **headers: str) -> Any:
    return client.post("/api/exchange/referrals", body, content_type="application/json", headers=headers)


@pytest.mark.django_db
def test_an_inbound_referral_is_held_for_review_not_a_person(reception: Organisation, feeder: Any) -> None:
    people_before = Person.objects.count()
    answer = propose(bearer(feeder), PROPOSAL)
    assert answer.status_code == 201, answer.content
    body = answer.json()
    inbound = InboundReferral.objects.get(pk=body["id"])
    assert body["status"] == "pending" and body["replayed"] is False
    assert inbound.organisation_id == reception.pk and inbound.global_id == uuid.UUID(PROPOSAL["global_id"])
    assert Person.objects.count() == people_before
    with connection.cursor() as cursor:  # names and the reason are encrypted at rest
        cursor.execute(
            "SELECT family_name, name_km, reason FROM exchange_inboundreferral WHERE id = %s", [inbound.pk]
        )
        raw = " ".join(str(v) for v in cursor.fetchone())
    assert "Chhun" not in raw and "ឈុន" not in raw and "diabetes" not in raw


@pytest.mark.django_db
def test_a_replay_returns_the_same_record(feeder: Any) -> None:
    client = bearer(feeder)
    first = propose(client, PROPOSAL, **{"Idempotency-Key": "job-run-17"})
    again = propose(client, PROPOSAL, **{"Idempotency-Key": "job-run-17"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"] and again.json()["replayed"] is True
    # without the header, the sender's own reference makes it the same proposal
    by_reference = propose(client, {**PROPOSAL, "reason": "sent again by the nightly job"})
    assert by_reference.status_code == 200 and by_reference.json()["id"] == first.json()["id"]
    assert InboundReferral.objects.count() == 1
    other = propose(client, {**PROPOSAL, "sender_reference": "OS-2026-0043"})
    assert other.status_code == 201 and InboundReferral.objects.count() == 2


@pytest.mark.django_db
def test_bad_input_is_422_with_the_fields_named(feeder: Any) -> None:
    client = bearer(feeder)
    cases = [
        ({k: v for k, v in PROPOSAL.items() if k != "from_organisation_name"}, {"from_organisation_name"}),
        ({**PROPOSAL, "birth_year": 1800, "global_id": "not-a-uuid"}, {"birth_year", "global_id"}),
        ({**PROPOSAL, "family_name": "x" * 101}, {"family_name"}),
        ({"from_organisation_name": "NGO", "reason": "no name"}, {"given_name"}),
        ({**PROPOSAL, "sender_reference": "", "birth_year": timezone.localdate().year + 1}, {"birth_year"}),
    ]
    for body, fields in cases:
        answer = propose(client, body)
        assert answer.status_code == 422, body
        assert {e["field"] for e in answer.json()["errors"]} == fields
        assert answer.json()["detail"]
    assert not InboundReferral.objects.exists()


@pytest.mark.django_db
def test_a_body_over_the_limit_is_refused_before_any_work(feeder: Any) -> None:
    padded = json.dumps({**PROPOSAL, "padding": "x" * 70_000})
    answer = bearer(feeder).post("/api/exchange/referrals", padded, content_type="application/json")
    assert answer.status_code == 413
    assert answer.json() == {"detail": "The request body is too large.", "errors": []}
    assert not InboundReferral.objects.exists()


# The review page


@pytest.fixture
def pending(reception: Organisation, feeder: Any) -> InboundReferral:
    return InboundReferral.objects.get(pk=propose(bearer(feeder), PROPOSAL).json()["id"])


@pytest.mark.django_db
def test_the_review_list_shows_the_pending_ones_in_constant_queries(
    login: Any, officer: Any, feeder: Any, pending: InboundReferral, django_assert_num_queries: Any
) -> None:
    client = login(officer)
    client.get("/exchange/inbound/")  # warm the session
    # session, user, roles, messages; count, page; the access log; the menu's counts
    with django_assert_num_queries(PAGE_QUERIES):
        page = client.get("/exchange/inbound/").content.decode()
    assert "CHHUN Vanna" in page and "Legal aid in Long Beach" in page
    api = bearer(feeder)
    for i in range(4):
        propose(api, {**PROPOSAL, "sender_reference": f"ref-{i}"})
    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get("/exchange/inbound/").content.decode().count("CHHUN Vanna") == 5
    assert AccessLog.objects.filter(user=officer, object_type="exchange.inboundreferral").exists()


@pytest.mark.django_db
def test_accepting_registers_the_person_with_the_senders_global_id(
    login: Any, officer: Any, pending: InboundReferral
) -> None:
    client = login(officer)
    assert client.get(f"/exchange/inbound/{pending.pk}/").status_code == 200
    client.post(f"/exchange/inbound/{pending.pk}/accept/")
    pending.refresh_from_db()
    assert pending.status == "accepted" and pending.person is not None
    person = pending.person
    assert (person.family_name, person.name_km, person.birth_date) == (
        "Chhun",
        "ឈុន វណ្ណា",
        dt.date(1984, 1, 1),
    )
    assert person.birth_date_precision == "year" and str(person.global_id) == PROPOSAL["global_id"]
    client.post(f"/exchange/inbound/{pending.pk}/accept/")  # sent again: refused, no second person
    assert Person.objects.filter(family_name="Chhun").count() == 1


@pytest.mark.django_db
def test_matching_links_an_existing_person_and_declining_registers_no_one(
    login: Any, officer: Any, reception: Organisation, feeder: Any, pending: InboundReferral
) -> None:
    known = people_services.create_person(
        organisation_id=reception.pk, user=officer, data={"family_name": "Chun", "given_name": "Vanna"}
    )
    client = login(officer)
    page = client.get(f"/exchange/inbound/{pending.pk}/").content.decode()
    assert "CHUN Vanna" in page  # the matcher finds the name spelt another way
    client.post(f"/exchange/inbound/{pending.pk}/match/", {"person": known.pk})
    pending.refresh_from_db()
    assert (pending.status, pending.person_id) == ("matched", known.pk)
    other = InboundReferral.objects.get(
        pk=propose(bearer(feeder), {**PROPOSAL, "sender_reference": "x-2"}).json()["id"]
    )
    before = Person.objects.count()
    client.post(f"/exchange/inbound/{other.pk}/decline/", {"reason": "not ours"})
    other.refresh_from_db()
    assert (other.status, other.decline_reason) == ("declined", "not ours")
    assert Person.objects.count() == before


@pytest.mark.django_db
def test_another_organisations_inbound_referral_is_404(
    login: Any, caseworker: Any, pending: InboundReferral
) -> None:
    client = login(caseworker)  # advocacy, not the receiver
    assert client.get(f"/exchange/inbound/{pending.pk}/").status_code == 404
    assert client.post(f"/exchange/inbound/{pending.pk}/accept/").status_code == 404
    assert "CHHUN" not in client.get("/exchange/inbound/").content.decode()


@pytest.mark.django_db
def test_the_review_page_in_khmer(login: Any, officer: Any, pending: InboundReferral) -> None:
    officer.language = "km"
    officer.save()
    client = login(officer)
    page = client.get(f"/exchange/inbound/{pending.pk}/", HTTP_ACCEPT_LANGUAGE="km").content.decode()
    assert "ឈុន វណ្ណា" in page
    assert "Register the person from this referral" not in page  # translated


@pytest.mark.django_db
def test_the_openapi_schema_documents_both_operations() -> None:
    paths = Client().get("/api/openapi.json").json()["paths"]
    people = paths["/api/exchange/people"]["get"]
    assert {p["name"] for p in people["parameters"]} >= {"since_date", "page", "page_size"}
    referrals = paths["/api/exchange/referrals"]["post"]
    assert "requestBody" in referrals and {"200", "201"} <= set(referrals["responses"])


@pytest.mark.django_db
def test_a_merged_record_leaves_the_feed_and_the_survivor_keeps_its_global_id(
    reception: Organisation, feeder: Any
) -> None:
    keep = own_person(reception, "Keep", feeder)
    gone = own_person(reception, "Gone", feeder)
    people_services.merge_people(survivor=keep, duplicate=gone, user=feeder)
    assert ids(feed(bearer(feeder))) == {str(keep.global_id)}


@pytest.mark.django_db
def test_an_own_record_leaves_the_feed_when_its_exchange_consent_is_withdrawn(
    reception: Organisation, feeder: Any, officer: Any
) -> None:
    person = own_person(reception, "Withdraws", officer)
    client = bearer(feeder)
    assert ids(feed(client)) == {str(person.global_id)}
    sharing.withdraw_consent(consent=person.consents.get(scope="exchange"), user=officer)
    assert ids(feed(client)) == set()
