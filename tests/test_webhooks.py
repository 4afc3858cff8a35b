"""Signed webhooks (issue 17, item 2): a real HTTP server in the test receives each delivery and checks its
signature with the receiver's code from docs/webhooks.md (an implementation independent of Crossings');
failures are retried by the worker and logged; "resend" sends the same delivery again; a delivery carries
ids only and leaves only after the commit; only the organisation's administrators see its webhooks; in
production no address on a private network is accepted."""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from crossings.accounts.roles import Role
from crossings.cases import services as case_services
from crossings.errors import Refused
from crossings.events import Event
from crossings.legal import services as legal_services
from crossings.people import services as people_services
from crossings.people import sharing
from crossings.reception import services as reception_services
from crossings.reception.models import Arrival, ArrivalBatch
from crossings.webhooks import delivery, services, signing, targets
from crossings.webhooks.models import Delivery, Subscription

DOCS = Path(__file__).resolve().parent.parent / "docs" / "webhooks.md"
NAMES = ("Sok", "SOK", "Dara", "សុខ", "ដារា", "A-012")


def receiver_code() -> dict[str, Any]:
    """The verification example of docs/webhooks.md, run as written."""
    block = re.search(r"```python\n(.*?)```", DOCS.read_text(), re.S)
    assert block, "docs/webhooks.md has no Python verification example"
    scope: dict[str, Any] = {}
    exec(block.group(1), scope)  # noqa: S102 - our own documentation
    return scope


class Receiver:
    """An HTTP server on this machine: records each request and answers the next status queued."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.answers: list[int] = []
        self.redirect_to = ""
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                outer.requests.append(
                    {"headers": dict(self.headers.items()), "body": body, "path": self.path}
                )
                status = outer.answers.pop(0) if outer.answers else 200
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", outer.redirect_to or "/elsewhere")
                self.send_header("Content-Length", "14")
                self.end_headers()
                self.wfile.write(b"private answer")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def admin(make_user: Any, advocacy: Any) -> Any:
    return make_user(Role.ORG_ADMIN, advocacy, username="orgadmin")


def subscribe(admin: Any, org: Any, url: str, events: list[str] | None = None) -> Subscription:
    return services.create_subscription(
        user=admin, organisation_id=org.pk, url=url, events=events or [str(e) for e in Event]
    )


def register(advocacy: Any, caseworker: Any) -> Any:
    return people_services.create_person(
        organisation_id=advocacy.pk,
        user=caseworker,
        data={"family_name": "Sok", "given_name": "Dara", "name_km": "សុខ ដារា", "a_number": "A-012-345-678"},
    )


def verified(request: dict[str, Any], secret: str) -> dict[str, Any]:
    assert receiver_code()["verify"](secret, request["body"], request["headers"])
    return json.loads(request["body"])


@pytest.mark.django_db
def test_an_admin_creates_a_webhook_and_sees_its_secret_once(
    admin: Any, login: Any, receiver: Receiver
) -> None:
    client = login(admin)
    page = client.post(
        "/webhooks/", {"url": receiver.url, "description": "case tracker", "events": ["person.registered"]}
    )
    assert page.status_code == 200
    subscription = Subscription.objects.get()
    assert subscription.secret.startswith("whsec_") and subscription.secret in page.content.decode()
    assert subscription.events == ["person.registered"] and subscription.created_by == admin
    again = client.get("/webhooks/").content.decode()
    assert subscription.secret not in again and receiver.url in again
    with connection.cursor() as cursor:  # encrypted at rest
        cursor.execute("SELECT secret FROM webhooks_subscription")
        (stored,) = cursor.fetchone()
    assert subscription.secret not in stored and stored.startswith("gAAAA")


@pytest.mark.django_db
def test_a_form_without_events_or_with_a_bad_address_is_refused(admin: Any, login: Any) -> None:
    client = login(admin)
    none = client.post("/webhooks/", {"url": "https://93.184.216.34/hook"})
    assert none.status_code == 422 and not Subscription.objects.exists()
    bad = client.post("/webhooks/", {"url": "ftp://example.org/x", "events": ["person.registered"]})
    assert bad.status_code == 422 and "https://" in bad.content.decode()
    assert not Subscription.objects.exists()


@pytest.mark.django_db
def test_a_registered_person_is_delivered_signed_with_ids_only(
    admin: Any, advocacy: Any, caseworker: Any, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    subscription = subscribe(admin, advocacy, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        person = register(advocacy, caseworker)
    [request] = receiver.requests
    body = verified(request, subscription.secret)
    row = Delivery.objects.get()
    assert body == {
        "id": str(row.uuid),
        "type": "person.registered",
        "created": body["created"],
        "organisation_id": advocacy.pk,
        "data": {"person_id": person.pk},
    }
    assert request["headers"]["Crossings-Event"] == "person.registered"
    assert request["headers"]["Crossings-Delivery"] == str(row.uuid)
    assert request["headers"]["Content-Type"] == "application/json"
    raw = request["body"].decode() + json.dumps(request["headers"])
    for name in NAMES:
        assert name not in raw
    assert (row.status, row.attempts, row.last_status_code) == ("sent", 1, 200)
    [attempt] = row.attempt_log.all()
    assert (attempt.number, attempt.status_code, attempt.error) == (1, 200, "")
    assert "private answer" not in json.dumps(list(row.attempt_log.values()), default=str)


@pytest.mark.django_db
def test_a_tampered_body_or_an_old_timestamp_is_refused_by_the_documented_check(
    admin: Any, advocacy: Any, caseworker: Any, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    subscription = subscribe(admin, advocacy, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        register(advocacy, caseworker)
    [request] = receiver.requests
    verify = receiver_code()["verify"]
    headers, body = request["headers"], request["body"]
    sent_at = int(headers["Crossings-Timestamp"])
    assert verify(subscription.secret, body, headers, now=sent_at + 299)
    # Replayed six minutes later: refused, although the signature itself is right.
    assert not verify(subscription.secret, body, headers, now=sent_at + signing.REPLAY_WINDOW + 1)
    assert not verify(subscription.secret, body, headers, now=sent_at - signing.REPLAY_WINDOW - 1)
    # A fresh timestamp on the old signature does not match.
    assert not verify(
        subscription.secret, body, headers | {"Crossings-Timestamp": str(sent_at + 400)}, now=sent_at + 400
    )
    assert not verify(
        subscription.secret, body.replace(b'"person_id":', b'"person_id":1'), headers, now=sent_at
    )
    assert not verify("whsec_other", body, headers, now=sent_at)
    assert not verify(subscription.secret, body, {}, now=sent_at)
    # Crossings' own check agrees with the documented one.
    assert signing.verify(
        subscription.secret,
        body=body,
        signature_header=headers["Crossings-Signature"],
        timestamp_header=headers["Crossings-Timestamp"],
        now=sent_at,
    )
    assert "300" in DOCS.read_text() and "replay" in DOCS.read_text()


@pytest.mark.django_db
def test_events_leave_only_after_the_commit_and_not_at_all_after_a_rollback(
    admin: Any, advocacy: Any, caseworker: Any, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    subscribe(admin, advocacy, receiver.url)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        register(advocacy, caseworker)
        assert Delivery.objects.get().status == "pending"  # in the outbox, with the change
    assert receiver.requests == []  # nothing sent while the transaction is open
    for callback in callbacks:
        callback()
    assert len(receiver.requests) == 1

    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                register(advocacy, caseworker)
                raise RuntimeError("the request failed after the write")
        except RuntimeError:
            pass
    assert Delivery.objects.count() == 1 and len(receiver.requests) == 1


@pytest.mark.django_db
def test_referral_sent_and_accepted_reach_both_organisations(
    admin: Any,
    advocacy: Any,
    reception: Any,
    caseworker: Any,
    person: Any,
    make_user: Any,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    other_admin = make_user(Role.ORG_ADMIN, reception, username="receptionadmin")
    officer = make_user(Role.CASEWORKER, reception, username="officer")
    ours = subscribe(admin, advocacy, receiver.url, ["referral.sent", "referral.accepted"])
    theirs = subscribe(other_admin, reception, receiver.url + "?theirs", ["referral.accepted"])
    sharing.record_consent(
        person=person, user=caseworker, scope="share", shared_with=reception, given_on=timezone.localdate()
    )
    with django_capture_on_commit_callbacks(execute=True):
        referral = sharing.refer(person=person, to_organisation=reception, purpose="arrival", user=caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        case_services.accept_referral(referral=referral, user=officer)
    seen = [
        (r["path"], verified(r, theirs.secret if "theirs" in r["path"] else ours.secret))
        for r in receiver.requests
    ]
    assert sorted((path.endswith("theirs"), body["type"]) for path, body in seen) == [
        (False, "referral.accepted"),
        (False, "referral.sent"),
        (True, "referral.accepted"),
    ]
    for _path, body in seen:
        # the person's global_id travels with the referral (an id, not a field of the record)
        assert body["data"] == {
            "referral_id": referral.pk,
            "person_id": person.pk,
            "person_global_id": str(person.global_id),
        }
    assert {body["organisation_id"] for path, body in seen if path.endswith("theirs")} == {reception.pk}


@pytest.mark.django_db
def test_detained_removed_and_arrived_are_delivered(
    admin: Any,
    advocacy: Any,
    reception: Any,
    caseworker: Any,
    person: Any,
    make_user: Any,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    ours = subscribe(admin, advocacy, receiver.url, ["person.detained", "person.arrived"])
    other_admin = make_user(Role.ORG_ADMIN, reception, username="receptionadmin")
    theirs = subscribe(other_admin, reception, receiver.url, ["person.removed", "person.arrived"])
    with django_capture_on_commit_callbacks(execute=True):
        response = legal_services.mark_detained(
            person=person,
            organisation_id=advocacy.pk,
            facility="Tacoma",
            date=dt.date(2025, 6, 1),
            user=caseworker,
        )
    [detained] = [verified(r, ours.secret) for r in receiver.requests]
    assert detained["type"] == "person.detained" and detained["data"] == {
        "person_id": person.pk,
        "detention_id": response.detention_id,
        "rapid_response_id": response.pk,
    }
    officer = make_user(Role.CASEWORKER, reception, username="officer")
    batch = ArrivalBatch.objects.create(
        organisation=reception, flight="F1", date=dt.date(2025, 7, 1), created_by=officer
    )
    arrival = Arrival.objects.create(batch=batch, person=person)
    with django_capture_on_commit_callbacks(execute=True):
        reception_services.update_checklist(arrival=arrival, user=officer, received=True)
    secrets = {ours.organisation_id: ours.secret, theirs.organisation_id: theirs.secret}
    later = [json.loads(r["body"]) for r in receiver.requests[1:]]
    for request, body in zip(receiver.requests[1:], later, strict=True):
        verified(request, secrets[body["organisation_id"]])
    events = {(b["organisation_id"], b["type"]): b["data"] for b in later}
    removed, arrived = person.events.get(kind="removed"), person.events.get(kind="arrived")
    ids = {"person_id": person.pk, "arrival_id": arrival.pk, "batch_id": batch.pk}
    # The reception organisation recorded them; the advocates hold the record and asked for "arrived".
    assert events == {
        (reception.pk, "person.removed"): ids | {"journey_event_id": removed.pk},
        (reception.pk, "person.arrived"): ids | {"journey_event_id": arrived.pk},
        (advocacy.pk, "person.arrived"): ids | {"journey_event_id": arrived.pk},
    }
    assert len(later) == 3


@pytest.mark.django_db
def test_a_removal_recorded_by_hand_is_told_too(
    admin: Any,
    advocacy: Any,
    caseworker: Any,
    person: Any,
    login: Any,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    subscription = subscribe(admin, advocacy, receiver.url, ["person.removed"])
    client = login(caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/people/{person.pk}/events/", {"kind": "removed", "date": "2025-05-01"})
    assert response.status_code == 302
    [request] = receiver.requests
    body = verified(request, subscription.secret)
    event = person.events.get(kind="removed")
    assert body["type"] == "person.removed"
    assert body["data"] == {"person_id": person.pk, "journey_event_id": event.pk}


@pytest.mark.django_db(transaction=True)
def test_the_worker_retries_a_failed_delivery_with_back_off_then_succeeds(
    admin: Any, advocacy: Any, caseworker: Any, receiver: Receiver, settings: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    subscription = subscribe(admin, advocacy, receiver.url, ["person.registered"])
    receiver.answers = [500]
    register(advocacy, caseworker)
    row = Delivery.objects.get()
    assert row.attempts == 0 and receiver.requests == []  # queued by the request, not sent by it
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_status_code, row.last_error) == ("pending", 1, 500, "HTTP 500")
    later = DBTaskResult.objects.get(status="READY")
    assert later.run_after is not None and later.run_after > timezone.now()  # the retry waits
    DBTaskResult.objects.filter(pk=later.pk).update(run_after=timezone.now())  # ... until now
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_status_code, row.last_error) == ("sent", 2, 200, "")
    assert [(a.number, a.status_code, a.error) for a in row.attempt_log.all()] == [
        (1, 500, "HTTP 500"),
        (2, 200, ""),
    ]
    first, second = receiver.requests
    assert first["headers"]["Crossings-Delivery"] == second["headers"]["Crossings-Delivery"] == str(row.uuid)
    assert verified(second, subscription.secret)["id"] == str(row.uuid)


@pytest.mark.django_db
def test_a_delivery_that_keeps_failing_is_given_up_then_resent_from_the_log(
    admin: Any,
    advocacy: Any,
    caseworker: Any,
    login: Any,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    subscription = subscribe(admin, advocacy, receiver.url, ["person.registered"])
    receiver.answers = [503] * Delivery.MAX_ATTEMPTS
    with django_capture_on_commit_callbacks(execute=True):
        register(advocacy, caseworker)
    row = Delivery.objects.get()
    while delivery.deliver(row.pk) != "failed":  # the immediate backend cannot wait: the worker's next tries
        pass
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("failed", Delivery.MAX_ATTEMPTS)
    assert delivery.deliver(row.pk) == "skipped"
    client = login(admin)
    log = client.get(f"/webhooks/{subscription.pk}/").content.decode()
    assert "HTTP 503" in log and f"/webhooks/deliveries/{row.pk}/resend/" in log
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/webhooks/deliveries/{row.pk}/resend/").status_code == 302
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 1)
    assert row.attempt_log.count() == Delivery.MAX_ATTEMPTS + 1  # the old attempts stay in the log
    last = receiver.requests[-1]
    assert last["headers"]["Crossings-Delivery"] == str(row.uuid)
    verified(last, subscription.secret)
    # A delivered one can be resent too (the receiver lost it): same id, signed afresh.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/webhooks/deliveries/{row.pk}/resend/")
    assert len(receiver.requests) == Delivery.MAX_ATTEMPTS + 2
    assert receiver.requests[-1]["headers"]["Crossings-Delivery"] == str(row.uuid)


@pytest.mark.django_db
def test_a_redirect_is_a_failure_not_followed(
    admin: Any, advocacy: Any, caseworker: Any, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    subscribe(admin, advocacy, receiver.url, ["person.registered"])
    receiver.answers = [302]
    receiver.redirect_to = receiver.url + "?followed"
    with django_capture_on_commit_callbacks(execute=True):
        register(advocacy, caseworker)
    row = Delivery.objects.get()
    assert (row.status, row.last_status_code, row.last_error) == ("pending", 302, "HTTP 302")
    assert len(receiver.requests) == 1


@pytest.mark.django_db
def test_a_paused_webhook_queues_and_sends_nothing_until_resumed(
    admin: Any,
    advocacy: Any,
    caseworker: Any,
    login: Any,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    subscription = subscribe(admin, advocacy, receiver.url, ["person.registered"])
    receiver.answers = [500]
    with django_capture_on_commit_callbacks(execute=True):
        register(advocacy, caseworker)
    client = login(admin)
    assert client.post(f"/webhooks/{subscription.pk}/active/", {"active": "0"}).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        register(advocacy, caseworker)
    assert Delivery.objects.count() == 1  # nothing queued while paused
    row = Delivery.objects.get()
    assert delivery.deliver(row.pk) == "skipped" and len(receiver.requests) == 1
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/webhooks/{subscription.pk}/active/", {"active": "1"})
    row.refresh_from_db()
    assert row.status == "sent" and len(receiver.requests) == 2


@pytest.mark.django_db
def test_only_the_organisations_administrators_reach_its_webhooks(
    admin: Any,
    advocacy: Any,
    reception: Any,
    caseworker: Any,
    supervisor: Any,
    make_user: Any,
    login: Any,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
) -> None:
    subscription = subscribe(admin, advocacy, receiver.url, ["person.registered"])
    with django_capture_on_commit_callbacks(execute=True):
        register(advocacy, caseworker)
    row = Delivery.objects.get()
    urls = [
        ("get", "/webhooks/"),
        ("get", f"/webhooks/{subscription.pk}/"),
        ("post", f"/webhooks/{subscription.pk}/active/"),
        ("post", f"/webhooks/deliveries/{row.pk}/resend/"),
    ]
    for user in (caseworker, supervisor):  # case roles of the same organisation: not their door
        client = login(user)
        for method, url in urls:
            assert getattr(client, method)(url).status_code == 403, (user, url)
        assert (
            client.post("/webhooks/", {"url": receiver.url, "events": ["person.registered"]}).status_code
            == 403
        )
    stranger = login(make_user(Role.ORG_ADMIN, reception, username="receptionadmin"))
    assert receiver.url not in stranger.get("/webhooks/").content.decode()
    for method, url in urls[1:]:  # another organisation's: not found, and nothing changed
        assert getattr(stranger, method)(url, {"active": "0"}).status_code == 404, url
    subscription.refresh_from_db()
    assert subscription.active and len(receiver.requests) == 1
    with pytest.raises(Refused):
        services.create_subscription(
            user=caseworker, organisation_id=advocacy.pk, url=receiver.url, events=["person.registered"]
        )


@pytest.mark.django_db
def test_production_accepts_only_https_to_public_addresses(settings: Any) -> None:
    settings.WEBHOOKS_LOCAL_TARGETS = False
    for url in (
        "http://93.184.216.34/hook",  # not https
        "https://10.0.0.5/hook",
        "https://192.168.1.10/hook",
        "https://172.16.0.1/hook",
        "https://169.254.169.254/latest/meta-data/",  # cloud metadata (link-local)
        "https://127.0.0.1:8000/hook",
        "https://localhost/hook",
        "https://[::1]/hook",
        "https://[fe80::1]/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "https://100.64.0.1/hook",  # carrier-grade NAT
        "https://0.0.0.0/hook",
        "https://user:pw@93.184.216.34/hook",
        "file:///etc/passwd",
        "https:///nohost",
    ):
        with pytest.raises(Refused):
            targets.check(url)
    assert targets.check("https://93.184.216.34/hook") == "https://93.184.216.34/hook"
    settings.WEBHOOKS_LOCAL_TARGETS = True  # tests and the demo: http to this machine only
    assert targets.check("http://127.0.0.1:9/hook")
    with pytest.raises(Refused):
        targets.check("http://93.184.216.34/hook")


@pytest.mark.django_db
def test_an_address_refused_at_send_time_is_not_contacted(
    admin: Any,
    advocacy: Any,
    caseworker: Any,
    receiver: Receiver,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    subscribe(admin, advocacy, receiver.url, ["person.registered"])
    settings.WEBHOOKS_LOCAL_TARGETS = False  # e.g. a name that now resolves to a private address
    with django_capture_on_commit_callbacks(execute=True):
        register(advocacy, caseworker)
    row = Delivery.objects.get()
    assert (row.status, row.last_error, row.last_status_code) == ("pending", "Refused address", None)
    assert receiver.requests == []


@pytest.mark.django_db
def test_the_delivery_log_query_count_does_not_grow(
    admin: Any,
    advocacy: Any,
    caseworker: Any,
    login: Any,
    receiver: Receiver,
    django_capture_on_commit_callbacks: Any,
    django_assert_max_num_queries: Any,
) -> None:
    subscription = subscribe(admin, advocacy, receiver.url, ["person.registered"])
    client = login(admin)

    def grow(n: int) -> None:
        receiver.answers = [500] * n
        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(n):
                register(advocacy, caseworker)
        for row in Delivery.objects.filter(status="pending"):
            delivery.deliver(row.pk)  # a second attempt each

    grow(2)
    with django_assert_max_num_queries(14) as small:
        assert client.get(f"/webhooks/{subscription.pk}/").status_code == 200
    grow(12)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(f"/webhooks/{subscription.pk}/")
    assert page.content.decode().count("/resend/") == 14
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get("/webhooks/").status_code == 200


@pytest.mark.django_db
def test_the_webhook_pages_are_in_khmer(admin: Any, advocacy: Any, login: Any, receiver: Receiver) -> None:
    subscription = subscribe(admin, advocacy, receiver.url, ["person.registered"])
    client = login(admin)
    client.post("/i18n/setlang/", {"language": "km", "next": "/"})
    for url in ("/webhooks/", f"/webhooks/{subscription.pk}/"):
        page = client.get(url).content.decode()
        assert 'lang="km"' in page and "វេបហុក" in page and "Delivery log" not in page, url
        assert "បុគ្គលម្នាក់ត្រូវបានចុះឈ្មោះ" in page, url
