"""Marking someone detained with the mail server down (issue 11, item 5): the detention is stored, the
request does not fail, the alert waits in the outbox with its state shown and can be resent, a retried
request records nothing twice, and the e-mail says only what is needed, with absolute links."""

from __future__ import annotations

import datetime as dt
import smtplib
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from crossings.accounts.models import ApiToken, Membership
from crossings.accounts.roles import Role
from crossings.legal import checks, notifications, services
from crossings.legal.digests import digest_for
from crossings.legal.models import Detention, Notification, RapidResponse

D = dt.date
DOWN = "tests.test_rapid_response_notifications.MailServerDown"
UP = "django.core.mail.backends.locmem.EmailBackend"


class MailServerDown:
    """An e-mail backend whose server refuses the connection, quoting the address as real servers do."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def send_messages(self, messages: list[Any]) -> int:
        raise smtplib.SMTPRecipientsRefused({m.to[0]: (550, b"no such user r@example.org") for m in messages})


@pytest.fixture
def responder(make_user: Any, advocacy: Any) -> Any:
    user = make_user(Role.LEGAL_ADVOCATE, advocacy, username="responder", email="r@example.org")
    Membership.objects.filter(user=user).update(is_responder=True)
    return user


def detain_form(key: str = "k-1") -> dict[str, str]:
    return {
        "detain-facility": "Tacoma ICE Processing Center",
        "detain-date": "2025-06-01",
        "detain-idempotency_key": key,
    }


@pytest.mark.django_db
def test_mail_down_stores_once_shows_not_yet_notified_and_resend_sends(
    person: Any,
    caseworker: Any,
    responder: Any,
    login: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.EMAIL_BACKEND = DOWN
    client = login(caseworker)
    url = f"/people/{person.pk}/legal/detained/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, detain_form())
    assert response.status_code == 302  # not a 500: the mail is not sent by the request
    alert = Notification.objects.get()
    assert (alert.status, alert.attempts, alert.recipient_id) == ("pending", 1, responder.pk)
    assert alert.last_error == "SMTPRecipientsRefused 550"  # no address, no server text
    page = client.get("/legal/rapid-response/").content.decode()
    assert "not yet notified" in page and "0 of 1 sent" in page
    assert f"/legal/rapid-response/{alert.rapid_response_id}/resend/" in page

    # The user retries the same form (the page had looked broken): the first result, nothing twice.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url, detain_form(), follow=True)
    assert "Already recorded" in again.content.decode()
    assert Detention.objects.count() == 1 and RapidResponse.objects.count() == 1
    assert Notification.objects.count() == 1

    # The mail server is back: "resend" sends the waiting alert once.
    settings.EMAIL_BACKEND = UP
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/legal/rapid-response/{alert.rapid_response_id}/resend/").status_code == 302
    alert.refresh_from_db()
    assert (
        alert.status == "sent"
        and alert.last_error == ""
        and [m.to for m in mail.outbox] == [["r@example.org"]]
    )
    assert RapidResponse.objects.get().notified == 1
    page = client.get("/legal/rapid-response/").content.decode()
    assert "not yet notified" not in page and "notified (1)" in page


@pytest.mark.django_db
def test_a_new_form_is_a_new_detention(person: Any, caseworker: Any, login: Any) -> None:
    client = login(caseworker)
    url = f"/people/{person.pk}/legal/detained/"
    form = client.get(f"/people/{person.pk}/legal/").content.decode()
    assert 'name="detain-idempotency_key"' in form  # every shown form carries its own token
    client.post(url, detain_form("first"))
    client.post(url, detain_form("second") | {"detain-facility": "Northwest", "detain-date": "2025-06-03"})
    assert Detention.objects.count() == 2  # a transfer: two forms, two records


@pytest.mark.django_db
def test_the_api_honours_idempotency_key(person: Any, caseworker: Any) -> None:
    _t, raw = ApiToken.issue(user=caseworker)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    body = {"facility": "Tacoma", "date": "2025-06-01"}
    url = f"/api/people/{person.pk}/detained"
    first = api.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="abc-123")
    second = api.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="abc-123")
    assert first.status_code == second.status_code == 201
    assert first.json()["replayed"] is False and second.json()["replayed"] is True
    assert first.json()["rapid_response_id"] == second.json()["rapid_response_id"]
    assert Detention.objects.count() == 1
    other = api.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="abc-123")
    assert other.json()["detention_id"] == first.json()["detention_id"]


@pytest.mark.django_db
def test_a_key_used_for_another_person_is_refused(person: Any, advocacy: Any, caseworker: Any) -> None:
    from crossings.people.models import Person

    other = Person.objects.create(organisation=advocacy, family_name="Keo", given_name="Bopha")
    services.mark_detained(
        person=person,
        organisation_id=advocacy.pk,
        facility="T",
        date=D(2025, 6, 1),
        user=caseworker,
        idempotency_key="x",
    )
    with pytest.raises(Exception, match="already used"):
        services.mark_detained(
            person=other,
            organisation_id=advocacy.pk,
            facility="T",
            date=D(2025, 6, 1),
            user=caseworker,
            idempotency_key="x",
        )
    assert Detention.objects.count() == 1


@pytest.mark.django_db
def test_the_email_has_initials_and_absolute_links_not_the_name(
    person: Any,
    advocacy: Any,
    caseworker: Any,
    responder: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.CROSSINGS_BASE_URL = "https://crossings.example.org/"
    with django_capture_on_commit_callbacks(execute=True):
        services.mark_detained(
            person=person, organisation_id=advocacy.pk, facility="Tacoma", date=D(2025, 6, 1), user=caseworker
        )
    [message] = mail.outbox
    text = message.subject + message.body
    for name in ("Sok", "SOK", "Dara", "សុខ", "ដារា", "A-012"):
        assert name not in text
    assert "a person on your caseload" in message.subject and "(S. D.)" in message.body
    assert "https://crossings.example.org/legal/rapid-response/" in message.body
    assert f"https://crossings.example.org/people/{person.pk}/legal/" in message.body


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_and_retries_later_then_gives_up(
    person: Any, advocacy: Any, caseworker: Any, responder: Any, settings: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EMAIL_BACKEND = DOWN
    services.mark_detained(
        person=person, organisation_id=advocacy.pk, facility="Tacoma", date=D(2025, 6, 1), user=caseworker
    )
    alert = Notification.objects.get()
    assert alert.attempts == 0 and DBTaskResult.objects.count() == 1  # queued, not sent by the request
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    alert.refresh_from_db()
    assert (alert.status, alert.attempts) == ("pending", 1)
    later = DBTaskResult.objects.filter(status="READY").get()
    assert later.run_after is not None  # the retry waits (1 minute after the first failure)
    for _ in range(Notification.MAX_ATTEMPTS - 1):
        notifications.deliver(alert.pk)
    alert.refresh_from_db()
    assert (alert.status, alert.attempts) == ("failed", Notification.MAX_ATTEMPTS)
    settings.EMAIL_BACKEND = UP
    assert notifications.deliver(alert.pk) == "skipped"  # given up until someone presses "resend"
    services.resend_notifications(response=alert.rapid_response)
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    alert.refresh_from_db()
    assert alert.status == "sent" and len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_digest_names_no_one_and_links_absolutely(
    proceeding_for_digest: Any, caseworker: Any, settings: Any
) -> None:
    settings.CROSSINGS_BASE_URL = "https://crossings.example.org"
    body = digest_for(caseworker)
    assert body is not None
    assert "Sok" not in body and "SOK" not in body and "Dara" not in body
    assert "S. D." in body and "https://crossings.example.org/legal/deadlines/" in body
    assert "https://crossings.example.org/cases/" in body


@pytest.fixture
def proceeding_for_digest(person: Any, advocacy: Any, caseworker: Any) -> Any:
    proceeding = services.open_proceeding(
        person=person, organisation_id=advocacy.pk, court="Seattle", opened_on=D(2025, 1, 1), user=caseworker
    )
    services.record_court_event(
        proceeding=proceeding,
        kind="ij_decision",
        date=dt.date.today() - dt.timedelta(days=20),
        outcome="removal_ordered",
        user=caseworker,
    )
    return proceeding


def test_production_needs_an_https_base_url(settings: Any) -> None:
    settings.CROSSINGS_BASE_URL = ""
    assert [e.id for e in checks.base_url_is_https()] == ["crossings.E001"]
    settings.CROSSINGS_BASE_URL = "http://crossings.example.org"
    assert [e.id for e in checks.base_url_is_https()] == ["crossings.E002"]
    settings.CROSSINGS_BASE_URL = "https://crossings.example.org"
    assert checks.base_url_is_https() == []
