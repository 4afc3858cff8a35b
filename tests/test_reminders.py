"""Reminders to the person and to staff (issue 17, item 1). Local HTTP servers speak the real protocols,
the Telegram Bot API's sendMessage and Twilio's Messages API, and e-mail goes to Django's locmem outbox;
nothing reaches the internet. A reminder needs a reminders consent valid when it is sent, says nothing the
person did not opt into, is in their language, waits out the quiet hours, is retried with back-off, and is
queued once however often the scheduler runs."""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
import urllib.parse
import zoneinfo
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from hypothesis import given
from hypothesis import strategies as st

from crossings.accounts.models import ApiToken, Organisation, User
from crossings.accounts.roles import OrgKind, Role
from crossings.cases.models import Case, Task
from crossings.errors import Conflict, Refused
from crossings.legal import services as legal_services
from crossings.legal.models import CourtEvent, Deadline, Proceeding
from crossings.people import sharing
from crossings.people.models import Consent, Person
from crossings.reminders import delivery, scheduling, services
from crossings.reminders.models import Contact, Reminder, ReminderSettings
from crossings.reminders.quiet import is_quiet, out_of_quiet_hours
from tests.conftest import verified_client

PP = zoneinfo.ZoneInfo("Asia/Phnom_Penh")
LA = zoneinfo.ZoneInfo("America/Los_Angeles")
BOT_TOKEN = "123456:ABC-test-bot-token"
SMS_ACCOUNT = "AC0123456789abcdef"
SMS_TOKEN = "sms-auth-token-secret"
NUMBER = "+85597654321"
CHAT = "987654321"


class Gateway:
    """A server on this machine that answers like Telegram's Bot API (``/bot<token>/sendMessage``) and
    Twilio's Messages API (``/2010-04-01/Accounts/<sid>/Messages.json``). ``fail`` queues the next answers:
    an HTTP status, answered with that API's own error body."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.fail: list[int] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                request = {"path": self.path, "headers": dict(self.headers.items()), "raw": raw}
                outer.requests.append(request)
                status = outer.fail.pop(0) if outer.fail else 0
                if self.path == f"/bot{BOT_TOKEN}/sendMessage":
                    data = json.loads(raw)
                    request["data"] = data
                    if status:
                        answer: dict[str, Any] = {
                            "ok": False,
                            "error_code": status,
                            "description": "Bad Request: chat not found"
                            if status == 400
                            else "Internal Server Error",
                        }
                    else:
                        status = 200
                        answer = {
                            "ok": True,
                            "result": {
                                "message_id": len(outer.requests),
                                "chat": {"id": int(data["chat_id"]), "type": "private"},
                                "date": 1764748800,
                                "text": data["text"],
                            },
                        }
                elif self.path == f"/2010-04-01/Accounts/{SMS_ACCOUNT}/Messages.json":
                    request["data"] = dict(urllib.parse.parse_qsl(raw.decode()))
                    expected = "Basic " + base64.b64encode(f"{SMS_ACCOUNT}:{SMS_TOKEN}".encode()).decode()
                    if self.headers.get("Authorization") != expected:
                        status = 401
                    if status:
                        answer = {"code": 20000 + status, "message": "failure", "status": status}
                    else:
                        status = 201
                        answer = {"sid": "SM" + "0" * 32, "status": "queued", "to": request["data"]["To"]}
                else:
                    status, answer = 404, {"ok": False, "error_code": 404, "description": "Not Found"}
                body = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def texts(self) -> list[str]:
        return [r["data"].get("text") or r["data"].get("Body") for r in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    g = Gateway()
    yield g
    g.close()


@pytest.fixture
def holder(make_org: Callable[..., Organisation]) -> Organisation:
    return make_org("Returnee Centre (test)", OrgKind.RECEPTION, "KH")


@pytest.fixture
def worker(make_user: Callable[..., User], holder: Organisation) -> User:
    return make_user(Role.CASEWORKER, holder, username="rem-caseworker")


@pytest.fixture
def config(holder: Organisation, gateway: Gateway) -> ReminderSettings:
    """Every channel on, pointed at the local gateway; no quiet hours unless a test sets them."""
    return ReminderSettings.objects.create(
        organisation=holder,
        sender_name="RC",
        phone="023 123 456",
        time_zone="Asia/Phnom_Penh",
        quiet_start=dt.time(0, 0),
        quiet_end=dt.time(0, 0),
        days_before="3,1",
        sms_enabled=True,
        sms_base_url=gateway.url,
        sms_account=SMS_ACCOUNT,
        sms_token=SMS_TOKEN,
        sms_from="+15005550006",
        telegram_enabled=True,
        telegram_base_url=gateway.url,
        telegram_token=BOT_TOKEN,
    )


@pytest.fixture
def returnee(holder: Organisation) -> Person:
    return Person.objects.create(
        organisation=holder,
        given_name="Dara",
        family_name="Sok",
        name_km="សុខ ដារា",
        a_number="A-012-345-678",
    )


def local_today() -> dt.date:
    """Today in Phnom Penh, the organisation's time zone: the days before an event are counted there."""
    return timezone.now().astimezone(PP).date()


def check_in(person: Person, user: User, days: int) -> Any:
    return legal_services.record_check_in(
        person=person,
        organisation_id=person.organisation_id,
        date=local_today() + dt.timedelta(days=days),
        office="Seattle Field Office",
        outcome="scheduled",
        user=user,
    )


def hearing(person: Person, user: User, days: int) -> CourtEvent:
    proceeding = Proceeding.objects.create(
        person=person, organisation_id=person.organisation_id, court="Seattle"
    )
    return CourtEvent.objects.create(
        proceeding=proceeding, kind="hearing", date=local_today() + dt.timedelta(days=days)
    )


def opt_in(person: Person, user: User, channel: str = "telegram", **extra: Any) -> Contact:
    address = {"telegram": CHAT, "sms": NUMBER, "email": "dara@example.org"}[channel]
    return services.opt_in(person=person, user=user, channel=channel, address=address, **extra)


def send_all(now: dt.datetime | None = None) -> list[str]:
    return [
        delivery.deliver(pk, now=now) for pk in Reminder.objects.order_by("pk").values_list("pk", flat=True)
    ]


# --- consent ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_opt_in_is_a_reminders_consent_whose_number_is_encrypted_at_rest(
    returnee: Person, worker: User, config: ReminderSettings
) -> None:
    contact = opt_in(returnee, worker, "sms", language="km")
    consent = Consent.objects.get(pk=contact.consent_id)
    assert consent.scope == Consent.Scope.REMINDERS == "reminders"
    assert consent.organisation_id == returnee.organisation_id and consent.recorded_by == worker
    assert Contact.objects.get(pk=contact.pk).address == NUMBER
    with connection.cursor() as cursor:
        cursor.execute("SELECT address FROM reminders_contact WHERE id = %s", [contact.pk])
        (raw,) = cursor.fetchone()
    assert "12345678" not in raw


@pytest.mark.django_db
def test_opt_in_is_refused_to_another_organisation_and_to_a_role_that_only_reads(
    returnee: Person, config: ReminderSettings, make_user: Any, make_org: Any, holder: Organisation
) -> None:
    other = make_org("Advocates elsewhere", OrgKind.ADVOCACY, "US")
    outsider = make_user(Role.CASEWORKER, other)
    admin = make_user(Role.ORG_ADMIN, holder)
    analyst = make_user(Role.ANALYST, holder)
    for user in (outsider, admin, analyst):
        with pytest.raises(PermissionDenied):
            opt_in(returnee, user)
    # a receiver of a referral sees the person but does not hold the record
    holder_worker = make_user(Role.CASEWORKER, holder)
    sharing.record_consent(
        person=returnee, user=holder_worker, scope="share", shared_with=other, given_on=timezone.localdate()
    )
    referral = sharing.refer(person=returnee, to_organisation=other, purpose="x", user=holder_worker)
    sharing.accept_referral(referral=referral, user=outsider)
    with pytest.raises(PermissionDenied):
        opt_in(returnee, outsider)
    assert not Consent.objects.filter(scope="reminders").exists()


@pytest.mark.django_db
def test_opt_in_is_refused_for_a_channel_not_set_up_or_a_number_that_is_not_one(
    returnee: Person, worker: User, config: ReminderSettings
) -> None:
    config.sms_enabled = False
    config.save()
    with pytest.raises(Conflict):
        opt_in(returnee, worker, "sms")
    with pytest.raises(Refused):
        services.opt_in(person=returnee, user=worker, channel="sms", address="012 345 678")
    assert not Consent.objects.filter(scope="reminders").exists()


@pytest.mark.django_db
def test_no_reminder_without_a_reminders_consent(
    returnee: Person, worker: User, config: ReminderSettings, gateway: Gateway
) -> None:
    check_in(returnee, worker, 1)
    sharing.record_consent(person=returnee, user=worker, scope="services", given_on=timezone.localdate())
    assert scheduling.schedule_due() == []
    # an expired reminders consent is no consent either
    contact = opt_in(returnee, worker)
    Consent.objects.filter(pk=contact.consent_id).update(
        given_on=timezone.localdate() - dt.timedelta(days=30),
        expires_on=timezone.localdate() - dt.timedelta(days=1),
    )
    assert scheduling.schedule_due() == []
    assert gateway.requests == [] and not Reminder.objects.exists()


@pytest.mark.django_db
def test_a_consent_withdrawn_after_queueing_cancels_the_reminder(
    returnee: Person, worker: User, config: ReminderSettings, gateway: Gateway
) -> None:
    check_in(returnee, worker, 1)
    contact = opt_in(returnee, worker)
    (pk,) = scheduling.schedule_due()  # queued; the worker has not run yet (the commit has not happened)
    sharing.withdraw_consent(consent=contact.consent, user=worker)
    assert delivery.deliver(pk) == "cancelled"
    row = Reminder.objects.get(pk=pk)
    assert row.status == "cancelled" and row.cancelled_because == "consent"
    assert row.state_label == "cancelled: consent withdrawn"
    assert gateway.requests == []
    with pytest.raises(Conflict):  # and "resend" does not get round it
        services.resend(reminder=row, user=worker)


# --- what it says -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_khmer_reader_gets_the_reminder_in_khmer(
    returnee: Person, worker: User, config: ReminderSettings, gateway: Gateway
) -> None:
    event = check_in(returnee, worker, 1)
    opt_in(returnee, worker, language="km")
    scheduling.schedule_due()
    assert send_all() == ["sent"]
    (text,) = gateway.texts()
    with translation.override("km"):
        expected = _("Reminder: you have an appointment on %(date)s.") % {
            "date": formats.date_format(event.date, "l j F")
        }
        month = formats.date_format(event.date, "F")
    assert expected in text and month in text
    assert any("\u1780" <= ch <= "\u17ff" for ch in month)  # the month in Khmer script
    assert "Reminder" not in text and "appointment" not in text
    assert "023 123 456" in text and "RC" in text


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["km", "en"])
def test_the_text_names_no_case_court_or_person_beyond_what_was_opted_into(
    returnee: Person, worker: User, config: ReminderSettings, gateway: Gateway, language: str
) -> None:
    hearing(returnee, worker, 1)
    check_in(returnee, worker, 3)
    opt_in(returnee, worker, "sms", language=language)
    scheduling.schedule_due()
    assert send_all() == ["sent", "sent"]
    forbidden = (
        "Sok",
        "Dara",
        "សុខ",
        "ដារា",
        "A-012",
        "012345678",
        "345",
        "Seattle",
        "court",
        "Court",
        "hearing",
        "ICE",
        "deport",
        "removal",
        "immigration",
        "តុលាការ",
        "សវនាការ",
        "និរទេស",
    )
    for text in gateway.texts():
        assert not [word for word in forbidden if word in text], text
        assert "023 123 456" in text
    assert [r["data"]["To"] for r in gateway.requests] == [NUMBER, NUMBER]


@pytest.mark.django_db
def test_the_kind_of_appointment_is_said_only_when_the_person_opted_into_it(
    returnee: Person, worker: User, config: ReminderSettings, gateway: Gateway
) -> None:
    hearing(returnee, worker, 1)
    opt_in(returnee, worker, language="en", detail="kind")
    scheduling.schedule_due()
    send_all()
    (text,) = gateway.texts()
    assert "hearing at the immigration court" in text and "Sok" not in text


# --- quiet hours ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_reminder_due_in_the_quiet_hours_waits_for_their_end(
    returnee: Person, worker: User, config: ReminderSettings, gateway: Gateway
) -> None:
    config.quiet_start, config.quiet_end = dt.time(21, 0), dt.time(7, 0)
    config.save()
    check_in(returnee, worker, 2)
    opt_in(returnee, worker)
    today = local_today()
    late = dt.datetime.combine(today, dt.time(22, 30), tzinfo=PP)
    (pk,) = scheduling.schedule_due(now=late)
    row = Reminder.objects.get(pk=pk)
    morning = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(7, 0), tzinfo=PP)
    assert row.next_attempt_at == morning
    assert delivery.deliver(pk, now=late + dt.timedelta(hours=1)) == "waiting"
    assert gateway.requests == []
    assert delivery.deliver(pk, now=morning) == "sent"
    # a retry that would fall in the night is moved out of it as well
    Reminder.objects.filter(pk=pk).update(status="pending", next_attempt_at=late)
    assert delivery.deliver(pk, now=late) == "deferred"
    assert Reminder.objects.get(pk=pk).next_attempt_at == morning


TIMES = st.times().map(lambda t: t.replace(microsecond=0))


@given(
    moment=st.datetimes(
        min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2035, 1, 1), timezones=st.just(dt.UTC)
    ),
    zone=st.sampled_from([PP, LA, zoneinfo.ZoneInfo("America/New_York")]),
    start=TIMES,
    end=TIMES,
)
def test_quiet_hours_deferral_ends_outside_them_never_early_and_within_a_day(
    moment: dt.datetime, zone: zoneinfo.ZoneInfo, start: dt.time, end: dt.time
) -> None:
    sent = out_of_quiet_hours(moment, zone, start, end)
    assert sent >= moment
    assert not is_quiet(sent, zone, start, end)
    assert sent - moment <= dt.timedelta(hours=26)  # a day, and a clock change
    if not is_quiet(moment, zone, start, end):
        assert sent == moment
    else:
        assert sent.astimezone(zone).time() >= end  # the end, or just after a clock change skipped it


# --- sending, retries, errors -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_sms_gateway_failing_is_retried_with_back_off_then_sent(
    returnee: Person, worker: User, config: ReminderSettings, gateway: Gateway
) -> None:
    check_in(returnee, worker, 1)
    opt_in(returnee, worker, "sms", language="en")
    (pk,) = scheduling.schedule_due()
    gateway.fail = [500, 503]
    now = timezone.now()
    assert delivery.deliver(pk, now=now) == "retry"
    row = Reminder.objects.get(pk=pk)
    assert row.status == "pending" and row.attempts == 1
    assert row.last_error == "SMS gateway HTTP 500 code 20500"
    assert row.next_attempt_at == now + dt.timedelta(minutes=1)
    assert delivery.deliver(pk, now=now + dt.timedelta(seconds=30)) == "waiting"  # not before its time
    assert delivery.deliver(pk, now=now + dt.timedelta(minutes=1)) == "retry"
    row.refresh_from_db()
    assert row.next_attempt_at == now + dt.timedelta(minutes=6)  # then 5 minutes
    assert delivery.deliver(pk, now=now + dt.timedelta(minutes=6)) == "sent"
    row.refresh_from_db()
    assert row.status == "sent" and row.attempts == 3 and row.last_error == ""
    request = gateway.requests[-1]
    assert request["data"]["To"] == NUMBER and request["data"]["From"] == "+15005550006"
    assert request["headers"]["Content-Type"] == "application/x-www-form-urlencoded"


@pytest.mark.django_db
def test_a_telegram_error_is_recorded_and_not_retried(
    returnee: Person, worker: User, config: ReminderSettings, gateway: Gateway
) -> None:
    check_in(returnee, worker, 1)
    opt_in(returnee, worker)
    (pk,) = scheduling.schedule_due()
    gateway.fail = [400]
    assert delivery.deliver(pk) == "failed"
    row = Reminder.objects.get(pk=pk)
    assert row.status == "failed" and row.attempts == 1
    assert row.last_error == "Telegram 400: Bad Request: chat not found"
    assert CHAT not in row.last_error and BOT_TOKEN not in row.last_error
    # resend: the same reminder tries again (the worker runs it at once in tests) and goes
    with transaction.atomic():
        services.resend(reminder=row, user=worker)
    delivery.send_waiting()
    row.refresh_from_db()
    assert row.status == "sent"
    assert gateway.requests[-1]["data"] == {"chat_id": CHAT, "text": gateway.texts()[-1]}


@pytest.mark.django_db
def test_telegram_server_errors_are_retried(
    returnee: Person, worker: User, config: ReminderSettings, gateway: Gateway
) -> None:
    check_in(returnee, worker, 1)
    opt_in(returnee, worker)
    (pk,) = scheduling.schedule_due()
    gateway.fail = [502]
    assert delivery.deliver(pk) == "retry"
    assert Reminder.objects.get(pk=pk).last_error == "Telegram 502: Internal Server Error"


@pytest.mark.django_db
def test_a_gateway_that_cannot_be_reached_is_a_retry(
    returnee: Person, worker: User, config: ReminderSettings, gateway: Gateway
) -> None:
    check_in(returnee, worker, 1)
    opt_in(returnee, worker)
    (pk,) = scheduling.schedule_due()
    gateway.close()
    assert delivery.deliver(pk) == "retry"
    assert Reminder.objects.get(pk=pk).last_error.startswith("URLError")


@pytest.mark.django_db
def test_e_mail_reminders_go_through_djangos_mail(
    returnee: Person, worker: User, config: ReminderSettings
) -> None:
    check_in(returnee, worker, 1)
    opt_in(returnee, worker, "email", language="en")
    scheduling.schedule_due()
    assert send_all() == ["sent"]
    (message,) = mail.outbox
    assert message.to == ["dara@example.org"] and message.subject == "Reminder from RC"
    assert "Sok" not in message.body and "appointment" in message.body


@pytest.mark.django_db
def test_staff_are_reminded_of_deadlines_by_e_mail_with_initials_only(
    returnee: Person, worker: User, config: ReminderSettings, make_user: Any, holder: Organisation
) -> None:
    worker.email, worker.language = "worker@example.org", "en"
    worker.save()
    make_user(Role.SUPERVISOR, holder, email="boss@example.org")
    proceeding = Proceeding.objects.create(person=returnee, organisation=holder, court="Seattle")
    trigger = CourtEvent.objects.create(proceeding=proceeding, kind="ij_decision", date=timezone.localdate())
    case = Case.objects.create(organisation=holder, person=returnee, programme="legal_defence", owner=worker)
    task = Task.objects.create(case=case, title="appeal", assignee=worker, created_by=worker)
    Deadline.objects.create(
        person=returnee,
        organisation=holder,
        trigger=trigger,
        rule_code="bia_appeal",
        action="File the BIA appeal",
        citation="8 CFR 1003.38(b)",
        due_on=local_today() + dt.timedelta(days=3),
        task=task,
    )
    scheduling.schedule_due()
    assert send_all() == ["sent"]
    (message,) = mail.outbox
    assert message.to == ["worker@example.org"]
    assert "S. D." in message.body and "File the BIA appeal" in message.body and "Dara" not in message.body


# --- scheduling -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_scheduling_twice_queues_one_reminder_per_event_offset_and_recipient(
    returnee: Person, worker: User, config: ReminderSettings, gateway: Gateway
) -> None:
    event = check_in(returnee, worker, 1)
    opt_in(returnee, worker)
    first = scheduling.schedule_due()
    assert len(first) == 1 and scheduling.schedule_due() == []
    call_command("reminders-send-due", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Reminder.objects.count() == 1
    row = Reminder.objects.get()
    assert (row.kind, row.event_id, row.days_before) == ("check_in", event.pk, 1)
    with pytest.raises(IntegrityError), transaction.atomic():  # the database says so too
        Reminder.objects.create(
            organisation=row.organisation,
            person=row.person,
            contact=row.contact,
            channel=row.channel,
            kind=row.kind,
            event_id=row.event_id,
            event_on=row.event_on,
            days_before=row.days_before,
        )


@pytest.mark.django_db
def test_the_nearest_offset_reached_is_queued_and_the_next_one_on_its_day(
    returnee: Person, worker: User, config: ReminderSettings
) -> None:
    check_in(returnee, worker, 2)  # past "3 days before", not yet "1 day before"
    check_in(returnee, worker, 10)  # not yet
    opt_in(returnee, worker)
    scheduling.schedule_due()
    assert list(Reminder.objects.values_list("days_before", flat=True)) == [3]
    tomorrow = timezone.now() + dt.timedelta(days=1)
    scheduling.schedule_due(now=tomorrow)
    assert sorted(Reminder.objects.values_list("days_before", flat=True)) == [1, 3]
    today = local_today()
    assert scheduling.nearest_offset(today, today, [3, 1]) == 1
    assert scheduling.nearest_offset(today - dt.timedelta(days=1), today, [1]) is None


@pytest.mark.django_db
def test_an_event_that_is_no_longer_due_is_cancelled(
    returnee: Person, worker: User, config: ReminderSettings, gateway: Gateway
) -> None:
    event = check_in(returnee, worker, 1)
    opt_in(returnee, worker)
    (pk,) = scheduling.schedule_due()
    type(event).objects.filter(pk=event.pk).update(outcome="attended")
    assert delivery.deliver(pk) == "cancelled"
    assert Reminder.objects.get(pk=pk).cancelled_because == "event" and gateway.requests == []


# --- settings ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_gateway_tokens_are_encrypted_and_private_addresses_refused_in_production(
    config: ReminderSettings, holder: Organisation, make_user: Any, settings: Any
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT telegram_token, sms_token FROM reminders_remindersettings WHERE id = %s", [config.pk]
        )
        row = cursor.fetchone()
    assert BOT_TOKEN not in row[0] and SMS_TOKEN not in row[1]
    admin = make_user(Role.ORG_ADMIN, holder)
    ReminderSettings.objects.filter(pk=config.pk).update(sms_base_url="https://8.8.8.8")  # public, no DNS
    settings.WEBHOOKS_LOCAL_TARGETS = False
    with pytest.raises(Refused) as refused:
        services.save_settings(
            user=admin, organisation_id=holder.pk, data={"telegram_base_url": "http://127.0.0.1:9/"}
        )
    assert refused.value.field_errors[0][0] == "telegram_base_url"
    with pytest.raises(PermissionDenied):
        services.save_settings(user=make_user(Role.SUPERVISOR, holder), organisation_id=holder.pk, data={})


@pytest.mark.django_db
def test_the_settings_page_saves_and_keeps_a_token_left_blank(
    config: ReminderSettings, holder: Organisation, make_user: Any, gateway: Gateway
) -> None:
    admin = make_user(Role.ORG_ADMIN, holder)
    client = verified_client(admin)
    page = client.get("/reminders/settings/")
    assert page.status_code == 200 and BOT_TOKEN.encode() not in page.content
    form = {
        "sender_name": "RC",
        "phone": "023 999 999",
        "time_zone": "America/Los_Angeles",
        "quiet_start": "21:00",
        "quiet_end": "07:00",
        "days_before": "2,0",
        "email_enabled": "on",
        "telegram_enabled": "on",
        "telegram_base_url": gateway.url,
        "sms_base_url": gateway.url,
        "telegram_token_new": "",
    }
    assert client.post("/reminders/settings/", form).status_code == 302
    config.refresh_from_db()
    assert config.phone == "023 999 999" and config.time_zone == "America/Los_Angeles"
    assert config.offsets == [2, 0] and config.telegram_token == BOT_TOKEN and not config.sms_enabled
    bad = client.post("/reminders/settings/", {**form, "time_zone": "Mars/Olympus", "days_before": "x"})
    assert bad.status_code == 422


# --- pages and API ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_person_page_records_the_opt_in_and_the_log_shows_it(
    returnee: Person, worker: User, config: ReminderSettings, gateway: Gateway
) -> None:
    client = verified_client(worker)
    url = f"/people/{returnee.pk}/reminders/"
    assert client.get(url).status_code == 200
    posted = client.post(
        url,
        {
            "channel": "sms",
            "address": "+855 97 654 321",
            "language": "km",
            "detail": "plain",
            "given_on": timezone.localdate().isoformat(),
        },
    )
    assert posted.status_code == 302
    assert Contact.objects.get().address == NUMBER
    page = client.get(url)
    assert b"321" in page.content and NUMBER.encode() not in page.content  # the end of the number only
    check_in(returnee, worker, 1)
    scheduling.schedule_due()
    send_all()
    log = client.get("/reminders/")
    assert log.status_code == 200 and "sent" in log.content.decode()


@pytest.mark.django_db
def test_pages_and_api_refuse_other_roles_and_organisations(
    returnee: Person,
    worker: User,
    config: ReminderSettings,
    make_user: Any,
    make_org: Any,
    holder: Organisation,
) -> None:
    check_in(returnee, worker, 1)
    opt_in(returnee, worker)
    (pk,) = scheduling.schedule_due()
    other = make_org("Elsewhere", OrgKind.RECEPTION, "KH")
    outsider = verified_client(make_user(Role.CASEWORKER, other))
    assert outsider.get(f"/people/{returnee.pk}/reminders/").status_code == 404
    assert outsider.post(f"/reminders/{pk}/resend/").status_code == 404
    assert b"Sok" not in outsider.get("/reminders/").content
    admin = verified_client(make_user(Role.ORG_ADMIN, holder))
    assert admin.get("/reminders/").status_code == 403
    assert verified_client(worker).get("/reminders/settings/").status_code == 403
    _token, raw = ApiToken.issue(user=make_user(Role.CASEWORKER, other))
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get(f"/api/people/{returnee.pk}/reminders").status_code == 404
    assert api.post(f"/api/reminders/{pk}/resend").status_code == 404
    assert api.get("/api/reminders").json()["count"] == 0
    refused = api.post(
        f"/api/people/{returnee.pk}/reminders",
        json.dumps({"channel": "telegram", "address": CHAT, "given_on": timezone.localdate().isoformat()}),
        content_type="application/json",
    )
    assert refused.status_code == 404


@pytest.mark.django_db
def test_the_api_opts_in_lists_and_resends(
    returnee: Person, worker: User, config: ReminderSettings, gateway: Gateway
) -> None:
    _token, raw = ApiToken.issue(user=worker)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    created = api.post(
        f"/api/people/{returnee.pk}/reminders",
        json.dumps({"channel": "telegram", "address": CHAT, "given_on": timezone.localdate().isoformat()}),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["address_ends"] == CHAT[-3:] and CHAT not in created.content.decode()
    bad = api.post(
        f"/api/people/{returnee.pk}/reminders",
        json.dumps({"channel": "sms", "address": "call me", "given_on": timezone.localdate().isoformat()}),
        content_type="application/json",
    )
    assert bad.status_code == 422
    check_in(returnee, worker, 1)
    (pk,) = scheduling.schedule_due()
    gateway.fail = [400]
    delivery.deliver(pk)
    listed = api.get("/api/reminders?status=failed").json()
    assert listed["count"] == 1 and listed["results"][0]["last_error"].startswith("Telegram 400")
    mine = api.get(f"/api/people/{returnee.pk}/reminders").json()
    assert len(mine["contacts"]) == 1 and mine["reminders"][0]["status"] == "failed"
    resent = api.post(f"/api/reminders/{pk}/resend")
    assert resent.status_code == 200
