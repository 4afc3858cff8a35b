"""The call line (issue 16, item 3): a call taken, found, linked to a person with the typo-tolerant matcher
and, once verified, opening a rapid response in one step through legal.services.mark_detained."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crossings.accounts.models import ApiToken
from crossings.accounts.roles import OrgKind, Role
from crossings.audit.models import AccessLog
from crossings.calls import services
from crossings.calls.models import Call
from crossings.errors import Conflict, Refused
from crossings.legal.models import Detention, Notification, RapidResponse
from crossings.people import sharing
from crossings.people.matching import rebuild_name_keys
from crossings.people.models import Person
from tests.conftest import verified_client

pytestmark = pytest.mark.django_db


def _call(user: Any, org: Any, **data: Any) -> Call:
    return services.take_call(
        organisation_id=org.pk,
        user=user,
        data={
            "caller_name": "Srey Mom",
            "relationship": "sibling",
            "caller_language": "km",
            "person_name": "Sok Dara",
            "whereabouts": "Tacoma Northwest ICE Processing Center",
            "what_happened": "Picked up at his check-in this morning",
            "callback_number": "+1 206 555 0100",
            **data,
        },
    )


def _api(user: Any) -> Client:
    _token, raw = ApiToken.issue(user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_a_call_opens_a_rapid_response_in_one_step(caseworker: Any, advocacy: Any, person: Person) -> None:
    rebuild_name_keys(person)
    call = _call(caseworker, advocacy, person_name="Sokk Dara")  # a typo the matcher forgives
    client = verified_client(caseworker)
    page = client.get(reverse("call_detail", args=[call.pk]))
    assert page.status_code == 200
    assert [m.person.pk for m in page.context["candidates"]][:1] == [person.pk]

    client.post(reverse("call_link", args=[call.pk]), {"person": person.pk})
    call.refresh_from_db()
    assert call.person_id == person.pk

    response = client.post(
        reverse("call_rapid_response", args=[call.pk]),
        {"rr-verified": "on", "rr-facility": "Tacoma", "rr-date": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302 and response["Location"] == reverse("person_legal", args=[person.pk])
    call.refresh_from_db()
    rapid = RapidResponse.objects.get(person=person)
    assert call.rapid_response_id == rapid.pk and call.verified_by_id == caseworker.pk
    assert Detention.objects.get(person=person).facility == "Tacoma"
    person.refresh_from_db()
    assert person.status == "detained"


def test_no_rapid_response_before_verification_or_without_a_person(
    caseworker: Any, advocacy: Any, person: Person
) -> None:
    call = _call(caseworker, advocacy)
    with pytest.raises(Conflict):
        services.open_rapid_response(call=call, user=caseworker, verified=True, facility="Tacoma")
    services.link_person(call=call, person=person, user=caseworker)
    with pytest.raises(Refused):
        services.open_rapid_response(call=call, user=caseworker, verified=False, facility="Tacoma")
    assert not RapidResponse.objects.exists()
    first = services.open_rapid_response(call=call, user=caseworker, verified=True, facility="Tacoma")
    assert first.replayed is False  # type: ignore[attr-defined]


def test_an_empty_call_is_refused(caseworker: Any, advocacy: Any) -> None:
    with pytest.raises(Refused):
        services.take_call(organisation_id=advocacy.pk, user=caseworker, data={"caller_name": "x"})


def test_sensitive_fields_are_encrypted_at_rest(caseworker: Any, advocacy: Any) -> None:
    call = _call(caseworker, advocacy)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT caller_name, person_name, whereabouts, what_happened, callback_number, name_index "
            "FROM calls_call WHERE id = %s",
            [call.pk],
        )
        raw = " ".join(str(v) for v in cursor.fetchone())
    for secret in ("Srey", "Sok", "Tacoma", "check-in", "555"):
        assert secret not in raw


def test_a_call_of_another_organisation_is_never_listed_or_found(
    caseworker: Any, advocacy: Any, make_org: Any, make_user: Any
) -> None:
    other = make_org("Elsewhere", OrgKind.ADVOCACY)
    theirs = make_user(Role.CASEWORKER, other)
    hidden = _call(theirs, other, person_name="Sok Dara")
    mine = _call(caseworker, advocacy, person_name="Sok Dara")
    client = verified_client(caseworker)
    listed = client.get(reverse("call_list"))
    assert [c.pk for c in listed.context["page"].object_list] == [mine.pk]
    found = client.post(reverse("call_list"), {"q": "dara"})
    assert [c.pk for c in found.context["page"].object_list] == [mine.pk]
    assert client.get(reverse("call_detail", args=[hidden.pk])).status_code == 404
    api = _api(caseworker)
    assert [r["id"] for r in api.get("/api/calls").json()["results"]] == [mine.pk]
    answer = api.post("/api/calls/search", json.dumps({"q": "Sok"}), content_type="application/json")
    assert [r["id"] for r in answer.json()["results"]] == [mine.pk]
    assert api.get(f"/api/calls/{hidden.pk}").status_code == 404
    assert (
        api.post(
            f"/api/calls/{hidden.pk}/rapid-response",
            json.dumps({"verified": True, "facility": "x"}),
            content_type="application/json",
        ).status_code
        == 404
    )


def test_search_finds_every_word_in_any_order_and_logs_the_query(caseworker: Any, advocacy: Any) -> None:
    call = _call(caseworker, advocacy, person_name="Sok Dara", caller_name="Keo Bopha")
    _call(caseworker, advocacy, person_name="Chhun Vuthy", caller_name="Lim")
    client = verified_client(caseworker)
    found = client.post(reverse("call_list"), {"q": "DARA sok"})
    assert [c.pk for c in found.context["page"].object_list] == [call.pk]
    assert [c.pk for c in client.post(reverse("call_list"), {"q": "bopha"}).context["page"].object_list] == [
        call.pk
    ]
    entry = AccessLog.objects.filter(object_type="calls.call", action="list").last()
    assert entry is not None and entry.object_ids == str(call.pk) and entry.count == 1


def test_reading_a_call_is_logged(caseworker: Any, advocacy: Any) -> None:
    call = _call(caseworker, advocacy)
    verified_client(caseworker).get(reverse("call_detail", args=[call.pk]))
    assert AccessLog.objects.filter(object_type="calls.call", object_id=str(call.pk), action="view").exists()


@pytest.mark.parametrize("role", [Role.OUTREACH_WORKER, Role.ANALYST, Role.ORG_ADMIN])
def test_a_role_without_case_access_is_refused(
    role: str, make_user: Any, advocacy: Any, caseworker: Any
) -> None:
    call = _call(caseworker, advocacy)
    user = make_user(role, advocacy)
    client = verified_client(user)
    for url in (reverse("call_list"), reverse("call_new"), reverse("call_detail", args=[call.pk])):
        assert client.get(url).status_code in (302, 403)
    api = _api(user)
    assert api.get("/api/calls").status_code == 403
    created = api.post("/api/calls", json.dumps({"person_name": "x"}), content_type="application/json")
    assert created.status_code == 403
    with pytest.raises(PermissionDenied):
        services.take_call(organisation_id=advocacy.pk, user=user, data={"person_name": "x"})


def test_a_person_of_another_organisation_cannot_be_linked(
    caseworker: Any, advocacy: Any, make_org: Any
) -> None:
    other = make_org("Elsewhere")
    theirs = Person.objects.create(organisation=other, family_name="Sok", given_name="Dara")
    call = _call(caseworker, advocacy)
    with pytest.raises(Refused):
        services.link_person(call=call, person=theirs, user=caseworker)
    api = _api(caseworker)
    answer = api.post(
        f"/api/calls/{call.pk}/link", json.dumps({"person_id": theirs.pk}), content_type="application/json"
    )
    assert answer.status_code == 404  # not visible: its existence is not revealed


def test_the_api_takes_a_call_and_opens_the_rapid_response(caseworker: Any, person: Person) -> None:
    api = _api(caseworker)
    created = api.post(
        "/api/calls",
        json.dumps({"person_name": "Sok Dara", "relationship": "spouse", "callback_number": "555"}),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    call_id = created.json()["id"]
    bad = api.post(
        f"/api/calls/{call_id}/rapid-response",
        json.dumps({"verified": True, "facility": "Tacoma"}),
        content_type="application/json",
    )
    assert bad.status_code == 409  # no person linked yet
    linked = api.post(
        f"/api/calls/{call_id}/link", json.dumps({"person_id": person.pk}), content_type="application/json"
    )
    assert linked.status_code == 200 and linked.json()["person_id"] == person.pk
    unverified = api.post(
        f"/api/calls/{call_id}/rapid-response",
        json.dumps({"verified": False, "facility": "Tacoma"}),
        content_type="application/json",
    )
    assert unverified.status_code == 422
    opened = api.post(
        f"/api/calls/{call_id}/rapid-response",
        json.dumps({"verified": True, "facility": "Tacoma", "date": str(dt.date.today())}),
        content_type="application/json",
    )
    assert opened.status_code == 201
    assert RapidResponse.objects.get(pk=opened.json()["rapid_response_id"]).person_id == person.pk


def test_the_list_input_is_bounded(caseworker: Any) -> None:
    api = _api(caseworker)
    assert api.get("/api/calls?page_size=201").status_code == 422
    long = api.post("/api/calls/search", json.dumps({"q": "x" * 201}), content_type="application/json")
    assert long.status_code == 422


def test_the_call_list_takes_the_same_queries_for_any_number_of_calls(caseworker: Any, advocacy: Any) -> None:
    client = verified_client(caseworker)
    api = _api(caseworker)
    _call(caseworker, advocacy)

    def counts() -> list[int]:
        sizes = []
        for read in (
            lambda: client.get(reverse("call_list")),
            lambda: client.post(reverse("call_list"), {"q": "sok dara"}),
            lambda: api.get("/api/calls"),
            lambda: api.post("/api/calls/search", json.dumps({"q": "Dara"}), content_type="application/json"),
        ):
            with CaptureQueriesContext(connection) as queries:
                assert read().status_code == 200
            sizes.append(len(queries))
        return sizes

    counts()  # warm the session and caches
    few = counts()
    for _ in range(15):
        _call(caseworker, advocacy)
    assert counts() == few
    assert len(client.post(reverse("call_list"), {"q": "sok dara"}).context["page"].object_list) == 16


def test_the_call_line_is_in_the_menu_of_advocates_only(
    caseworker: Any, make_org: Any, make_user: Any
) -> None:
    assert reverse("call_list") in verified_client(caseworker).get(reverse("home")).content.decode()
    reception = make_org("Reception", OrgKind.RECEPTION, "KH")
    officer = make_user(Role.CASEWORKER, reception)
    assert reverse("call_list") not in verified_client(officer).get(reverse("home")).content.decode()


def test_a_call_sent_twice_is_recorded_once(caseworker: Any, advocacy: Any) -> None:
    client = verified_client(caseworker)
    token = client.get(reverse("call_new")).context["form"]["idempotency_key"].value()
    assert token
    form = {"person_name": "Sok Dara", "relationship": "spouse", "caller_language": "en"}
    form |= {"received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "idempotency_key": token}
    first = client.post(reverse("call_new"), form)
    again = client.post(reverse("call_new"), form)  # a double click, a retry after a timeout
    assert first.status_code == again.status_code == 302 and first["Location"] == again["Location"]
    assert Call.objects.count() == 1
    api = _api(caseworker)
    body = json.dumps({"person_name": "Keo Bopha"})
    a = api.post("/api/calls", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    b = api.post("/api/calls", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert a.status_code == b.status_code == 201 and a.json()["id"] == b.json()["id"]
    assert Call.objects.count() == 2
    # without a key, two posts are two calls (two people may well ring about the same person)
    api.post("/api/calls", body, content_type="application/json")
    api.post("/api/calls", body, content_type="application/json")
    assert Call.objects.count() == 4


def test_a_rapid_response_sent_twice_opens_one_and_alerts_once(
    caseworker: Any, advocacy: Any, person: Person, make_user: Any
) -> None:
    responder = make_user(Role.CASEWORKER, advocacy, username="responder", email="r@example.invalid")
    responder.memberships.update(is_responder=True)
    call = _call(caseworker, advocacy)
    services.link_person(call=call, person=person, user=caseworker)
    client = verified_client(caseworker)
    form = {"rr-verified": "on", "rr-facility": "Tacoma", "rr-date": timezone.localdate().isoformat()}
    client.post(reverse("call_rapid_response", args=[call.pk]), form)
    alerts = Notification.objects.count()
    assert alerts > 0
    again = client.post(reverse("call_rapid_response", args=[call.pk]), form, follow=True)
    assert "already opened" in again.content.decode()
    api = _api(caseworker).post(
        f"/api/calls/{call.pk}/rapid-response",
        json.dumps({"verified": True, "facility": "Somewhere else"}),
        content_type="application/json",
    )
    assert api.status_code == 201 and api.json()["replayed"] is True
    assert RapidResponse.objects.count() == 1 and Detention.objects.count() == 1
    assert Notification.objects.count() == alerts
    assert Detention.objects.get().facility == "Tacoma"


def test_linking_a_person_the_user_cannot_see_is_a_404_and_links_nothing(
    caseworker: Any, advocacy: Any, make_org: Any
) -> None:
    other = make_org("Elsewhere")
    theirs = Person.objects.create(organisation=other, family_name="Sok", given_name="Dara")
    call = _call(caseworker, advocacy)
    client = verified_client(caseworker)
    assert client.post(reverse("call_link", args=[call.pk]), {"person": theirs.pk}).status_code == 404
    # nor does the candidate list offer them
    assert all(
        m.person.pk != theirs.pk
        for m in client.get(reverse("call_detail", args=[call.pk])).context["candidates"]
    )
    call.refresh_from_db()
    assert call.person_id is None


def test_a_person_shared_with_us_but_held_elsewhere_is_refused_with_a_message(
    caseworker: Any, advocacy: Any, make_org: Any, make_user: Any
) -> None:
    """A referral lets us see their person; the rapid response is still the holder's legal work."""
    other = make_org("Elsewhere", OrgKind.ADVOCACY)
    theirs = make_user(Role.CASEWORKER, other)
    shared = Person.objects.create(organisation=other, family_name="Sok", given_name="Dara")
    sharing.record_consent(
        person=shared, user=theirs, scope="share", shared_with=advocacy, given_on=timezone.localdate()
    )
    referral = sharing.refer(person=shared, to_organisation=advocacy, purpose="x", user=theirs)
    sharing.accept_referral(referral=referral, user=caseworker)
    call = _call(caseworker, advocacy)
    client = verified_client(caseworker)
    page = client.post(reverse("call_link", args=[call.pk]), {"person": shared.pk}, follow=True)
    assert "held by another organisation" in page.content.decode()
    answer = _api(caseworker).post(
        f"/api/calls/{call.pk}/link", json.dumps({"person_id": shared.pk}), content_type="application/json"
    )
    assert answer.status_code == 422
    call.refresh_from_db()
    assert call.person_id is None


def test_a_caseworker_of_another_organisation_cannot_take_or_act_on_our_call(
    caseworker: Any, advocacy: Any, person: Person, make_org: Any, make_user: Any
) -> None:
    call = _call(caseworker, advocacy)
    stranger = make_user(Role.CASEWORKER, make_org("Elsewhere", OrgKind.ADVOCACY))
    client = verified_client(stranger)
    assert client.post(reverse("call_link", args=[call.pk]), {"person": person.pk}).status_code == 404
    form = {"rr-verified": "on", "rr-facility": "x", "rr-date": timezone.localdate().isoformat()}
    assert client.post(reverse("call_rapid_response", args=[call.pk]), form).status_code == 404
    with pytest.raises(PermissionDenied):
        services.take_call(organisation_id=advocacy.pk, user=stranger, data={"person_name": "x"})
    assert not RapidResponse.objects.exists()


def test_the_search_still_finds_calls_after_a_key_rotation(
    caseworker: Any, advocacy: Any, settings: Any
) -> None:
    from cryptography.fernet import Fernet
    from django.core.management import call_command

    from crossings.calls.selectors import matching_calls

    call = _call(caseworker, advocacy, person_name="Sok Dara")
    new_key = Fernet.generate_key().decode()
    settings.FIELD_KEYS = [new_key, *settings.FIELD_KEYS]
    assert list(matching_calls(caseworker, "dara")) == [call]  # during the rotation, either key
    call_command("rotate-keys", stdout=io.StringIO())
    settings.FIELD_KEYS = [new_key]  # the old key removed
    assert list(matching_calls(caseworker, "sok dara")) == [call]
    assert Call.objects.get(pk=call.pk).callback_number == "+1 206 555 0100"
