"""Accompaniment (issue 16, item 5): volunteers sign up for the check-ins and hearings staff open for them,
with a cap per event, and see nothing of the person's file but initials and a language."""

from __future__ import annotations

import datetime as dt
import json
import threading
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crossings.accompaniment import reminders, services
from crossings.accompaniment.models import Accompaniment, Reminder, Signup
from crossings.accounts.models import ApiToken
from crossings.accounts.roles import OrgKind, Role
from crossings.audit.models import AccessLog
from crossings.errors import Conflict
from crossings.legal import services as legal
from crossings.people.models import Person
from tests.conftest import verified_client

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _check_in(person: Person, user: Any, days: int = 3, office: str = "Seattle Field Office") -> Any:
    return legal.record_check_in(
        person=person,
        organisation_id=person.organisation_id,
        date=TODAY() + dt.timedelta(days=days),
        office=office,
        outcome="scheduled",
        user=user,
    )


def _hearing(person: Person, user: Any, days: int = 5) -> Any:
    proceeding = legal.open_proceeding(
        person=person,
        organisation_id=person.organisation_id,
        court="Seattle Immigration Court",
        opened_on=None,
        user=user,
    )
    return legal.record_court_event(
        proceeding=proceeding, kind="hearing", date=TODAY() + dt.timedelta(days=days), user=user
    )


def _open(user: Any, cap: int = 2, **event: Any) -> Accompaniment:
    return services.open_accompaniment(
        user=user,
        cap=cap,
        meets_at=dt.time(8, 30),
        meeting_point="Front steps of the federal building",
        note="Bring water",
        language=Accompaniment.Language.KHMER,
        **event,
    )


def _api(user: Any) -> Client:
    _token, raw = ApiToken.issue(user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.fixture
def volunteer(make_user: Any, advocacy: Any) -> Any:
    return make_user(Role.VOLUNTEER, advocacy, username="vol", email="vol@example.org", first_name="Vanna")


@pytest.fixture
def event(person: Person, caseworker: Any) -> Accompaniment:
    return _open(caseworker, check_in=_check_in(person, caseworker))


# --- what a volunteer may and may not see ---------------------------------------------------------------


def test_a_volunteer_is_refused_the_persons_file_legal_page_search_and_the_people_api(
    volunteer: Any, person: Person, event: Accompaniment
) -> None:
    page = verified_client(volunteer)
    for url in (
        reverse("person_detail", args=[person.pk]),
        reverse("person_legal", args=[person.pk]),
        reverse("person_list"),
        reverse("deadline_board"),
        reverse("call_list"),
    ):
        assert page.get(url).status_code in (403, 404), url
    assert page.post(reverse("person_list"), {"q": "Sok"}).status_code in (403, 404)
    api = _api(volunteer)
    assert api.get("/api/people").status_code == 403
    assert api.get(f"/api/people/{person.pk}").status_code in (403, 404)
    search = api.post("/api/people/search", json.dumps({"q": "Sok"}), content_type="application/json")
    assert search.status_code == 403


def test_a_volunteer_sees_the_event_with_initials_and_language_never_the_name(
    volunteer: Any, event: Accompaniment
) -> None:
    response = verified_client(volunteer).get(reverse("accompaniment_list"))
    text = response.content.decode()
    assert response.status_code == 200
    assert "S. D." in text and "Seattle Field Office" in text and "Front steps" in text and "Khmer" in text
    assert "Dara" not in text and "SOK" not in text and "A-012" not in text and "សុខ" not in text
    body = _api(volunteer).get("/api/accompaniment").json()
    assert [e["id"] for e in body] == [event.pk]
    assert set(body[0]) == {
        "id",
        "kind",
        "date",
        "meets_at",
        "place",
        "meeting_point",
        "note",
        "initials",
        "language",
        "cap",
        "spaces_left",
        "signed_up",
        "open",
    }
    assert body[0]["initials"] == "S. D." and body[0]["spaces_left"] == 2 and "Dara" not in json.dumps(body)


def test_a_hearing_shows_its_court(volunteer: Any, person: Person, caseworker: Any) -> None:
    _open(caseworker, court_event=_hearing(person, caseworker))
    body = _api(volunteer).get("/api/accompaniment").json()
    assert [(e["kind"], e["place"]) for e in body] == [("hearing", "Seattle Immigration Court")]


def test_a_volunteer_of_another_organisation_sees_nothing(
    make_org: Any, make_user: Any, event: Accompaniment
) -> None:
    other = make_org("Elsewhere", OrgKind.ADVOCACY, "US")
    stranger = make_user(Role.VOLUNTEER, other, username="stranger")
    page = verified_client(stranger)
    assert "Seattle" not in page.get(reverse("accompaniment_list")).content.decode()
    assert page.post(reverse("accompaniment_sign_up", args=[event.pk])).status_code == 404
    api = _api(stranger)
    assert api.get("/api/accompaniment").json() == []
    assert api.post(f"/api/accompaniment/{event.pk}/signup").status_code == 404
    assert not Signup.objects.exists()


def test_a_closed_event_is_gone_from_the_list_unless_the_volunteer_signed_up(
    volunteer: Any, make_user: Any, advocacy: Any, event: Accompaniment, caseworker: Any
) -> None:
    services.sign_up(accompaniment=event, user=volunteer)
    services.close_accompaniment(accompaniment=event, user=caseworker)
    late = make_user(Role.VOLUNTEER, advocacy, username="late")
    assert _api(late).get("/api/accompaniment").json() == []
    mine = _api(volunteer).get("/api/accompaniment").json()
    assert [(e["id"], e["signed_up"], e["open"]) for e in mine] == [(event.pk, True, False)]
    with pytest.raises(Conflict):
        services.sign_up(accompaniment=event, user=late)


def test_a_past_event_cannot_be_opened_or_listed(
    volunteer: Any, person: Person, caseworker: Any, event: Accompaniment
) -> None:
    from crossings.legal.models import CheckIn

    past = CheckIn.objects.create(
        person=person, organisation=person.organisation, date=TODAY() - dt.timedelta(days=1), office="Old"
    )
    with pytest.raises(Exception, match="past"):
        _open(caseworker, check_in=past)
    CheckIn.objects.filter(pk=event.check_in_id).update(date=TODAY() - dt.timedelta(days=1))
    assert _api(volunteer).get("/api/accompaniment").json() == []


# --- the cap, replays, withdrawing ---------------------------------------------------------------------


def test_the_cap_gives_the_last_place_once_and_then_409(
    make_user: Any, advocacy: Any, person: Person, caseworker: Any
) -> None:
    event = _open(caseworker, cap=1, check_in=_check_in(person, caseworker))
    first, second = (make_user(Role.VOLUNTEER, advocacy, username=f"v{i}") for i in (1, 2))
    assert _api(first).post(f"/api/accompaniment/{event.pk}/signup").status_code == 201
    refused = _api(second).post(f"/api/accompaniment/{event.pk}/signup")
    assert refused.status_code == 409 and "taken" in refused.json()["detail"]
    page = verified_client(second)
    page.post(reverse("accompaniment_sign_up", args=[event.pk]), {"idempotency_key": "k"})
    listed = page.get(reverse("accompaniment_list")).content.decode()
    assert "All places are taken." in listed and "0 places left" in listed
    assert Signup.objects.filter(withdrawn_at=None).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_sign_ups_at_once_for_the_last_place_give_one_place_and_one_conflict(
    make_org: Any, make_user: Any
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "row locks are PostgreSQL's; SQLite lets one writer in at a time (IMMEDIATE transactions)"
        )
    org = make_org("Race", OrgKind.ADVOCACY, "US")
    staff = make_user(Role.CASEWORKER, org, username="race-staff")
    person = Person.objects.create(organisation=org, family_name="Keo", given_name="Bopha")
    event = _open(staff, cap=1, check_in=_check_in(person, staff))
    volunteers = [make_user(Role.VOLUNTEER, org, username=f"race-{i}") for i in range(2)]
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def go(user: Any) -> None:
        from django.db import connections

        try:
            start.wait()
            services.sign_up(accompaniment=event, user=user)
            outcomes.append("signed up")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=go, args=(v,)) for v in volunteers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "signed up"]
    assert Signup.objects.filter(accompaniment=event, withdrawn_at=None).count() == 1


def test_a_replayed_sign_up_is_recorded_once(volunteer: Any, event: Accompaniment) -> None:
    api = _api(volunteer)
    url = f"/api/accompaniment/{event.pk}/signup"
    first = api.post(url, HTTP_IDEMPOTENCY_KEY="retry-1")
    again = api.post(url, HTTP_IDEMPOTENCY_KEY="retry-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["id"] == again.json()["id"] and again.json()["replayed"] is True
    page = verified_client(volunteer)
    for _ in range(2):  # a double click on the page: the same submission token
        page.post(reverse("accompaniment_sign_up", args=[event.pk]), {"idempotency_key": "click"})
    assert Signup.objects.filter(accompaniment=event).count() == 1
    assert Signup.history.filter(history_type="+").count() == 1


def test_one_page_token_signs_up_for_two_events(
    volunteer: Any, person: Person, caseworker: Any, event: Accompaniment
) -> None:
    """The list page shows one token for all its buttons: it counts per event, so the second button works."""
    other = _open(caseworker, check_in=_check_in(person, caseworker, days=6, office="Tacoma"))
    page = verified_client(volunteer)
    for e in (event, other):
        page.post(reverse("accompaniment_sign_up", args=[e.pk]), {"idempotency_key": "one-page"})
    assert Signup.objects.filter(volunteer=volunteer, withdrawn_at=None).count() == 2


def test_a_late_retry_after_withdrawing_does_not_sign_up_again(volunteer: Any, event: Accompaniment) -> None:
    services.sign_up(accompaniment=event, user=volunteer, idempotency_key="once")
    services.withdraw(accompaniment=event, user=volunteer)
    replay = services.sign_up(accompaniment=event, user=volunteer, idempotency_key="once")
    assert replay.withdrawn_at is not None and getattr(replay, "replayed", False)


def test_withdrawing_frees_the_place(make_user: Any, advocacy: Any, person: Person, caseworker: Any) -> None:
    event = _open(caseworker, cap=1, check_in=_check_in(person, caseworker))
    first, second = (make_user(Role.VOLUNTEER, advocacy, username=f"w{i}") for i in (1, 2))
    services.sign_up(accompaniment=event, user=first)
    with pytest.raises(Conflict):
        services.sign_up(accompaniment=event, user=second)
    response = verified_client(first).post(reverse("accompaniment_withdraw", args=[event.pk]))
    assert response.status_code == 302
    assert _api(second).get("/api/accompaniment").json()[0]["spaces_left"] == 1
    assert _api(second).post(f"/api/accompaniment/{event.pk}/signup").status_code == 201
    assert _api(first).post(f"/api/accompaniment/{event.pk}/withdraw").status_code == 204  # nothing to do


def test_the_cap_cannot_go_below_who_signed_up(
    volunteer: Any, make_user: Any, advocacy: Any, event: Accompaniment, caseworker: Any
) -> None:
    services.sign_up(accompaniment=event, user=volunteer)
    services.sign_up(accompaniment=event, user=make_user(Role.VOLUNTEER, advocacy, username="second"))
    with pytest.raises(Conflict):
        _open(caseworker, cap=1, check_in=event.check_in)
    assert Accompaniment.objects.get(pk=event.pk).cap == 2
    assert _open(caseworker, cap=4, check_in=event.check_in).pk == event.pk  # raised: one record per event


# --- staff ----------------------------------------------------------------------------------------------


def test_the_staff_page_costs_the_same_queries_for_1_and_n_events(
    caseworker: Any, advocacy: Any, volunteer: Any
) -> None:
    people = [
        Person.objects.create(organisation=advocacy, family_name=f"Ek{i}", given_name="Sina")
        for i in range(6)
    ]
    _open(caseworker, check_in=_check_in(people[0], caseworker))
    _check_in(people[0], caseworker, days=8)
    page = verified_client(caseworker)
    _queries(page, reverse("accompaniment_staff"))
    one = _queries(page, reverse("accompaniment_staff"))
    for i, p in enumerate(people[1:]):
        services.sign_up(
            accompaniment=_open(caseworker, check_in=_check_in(p, caseworker, days=2 + i)), user=volunteer
        )
        _check_in(p, caseworker, days=10 + i)
        _hearing(p, caseworker, days=12 + i)
    assert _queries(page, reverse("accompaniment_staff")) == one


def test_staff_open_an_event_on_the_page_and_see_who_signed_up(
    caseworker: Any, volunteer: Any, person: Person
) -> None:
    check_in = _check_in(person, caseworker)
    page = verified_client(caseworker)
    listed = page.get(reverse("accompaniment_staff")).content.decode()
    assert f"check_in:{check_in.pk}" in listed
    response = page.post(
        reverse("accompaniment_open"),
        {
            "event": f"check_in:{check_in.pk}",
            "cap": "3",
            "meets_at": "08:15",
            "meeting_point": "Lobby",
            "note": "",
            "language": "km",
        },
    )
    event = Accompaniment.objects.get()
    assert response.status_code == 302 and event.cap == 3 and event.initials == "S. D."
    services.sign_up(accompaniment=event, user=volunteer)
    detail = page.get(reverse("accompaniment_detail", args=[event.pk])).content.decode()
    assert "Vanna" in detail
    who = _api(caseworker).get(f"/api/accompaniment/{event.pk}/signups").json()
    assert [s["volunteer"] for s in who] == ["Vanna"]


def test_only_a_hearing_among_court_events_can_be_accompanied(person: Person, caseworker: Any) -> None:
    proceeding = legal.open_proceeding(
        person=person,
        organisation_id=person.organisation_id,
        court="Seattle",
        opened_on=TODAY(),
        user=caseworker,
    )
    nta = proceeding.events.get()
    with pytest.raises(Exception, match="hearing"):
        _open(caseworker, court_event=nta)


def test_staff_cannot_open_another_organisations_check_in(
    make_org: Any, make_user: Any, event: Accompaniment
) -> None:
    other = make_org("Others", OrgKind.ADVOCACY, "US")
    outsider = make_user(Role.CASEWORKER, other, username="outsider")
    body = {"check_in_id": event.check_in_id, "cap": 1, "meets_at": "09:00", "meeting_point": "x"}
    answer = _api(outsider).post("/api/accompaniment", json.dumps(body), content_type="application/json")
    assert answer.status_code == 404
    assert _api(outsider).get(f"/api/accompaniment/{event.pk}/signups").status_code == 404


def test_staff_only_actions_are_refused_to_volunteers(volunteer: Any, event: Accompaniment) -> None:
    page = verified_client(volunteer)
    assert page.get(reverse("accompaniment_staff")).status_code == 403
    assert page.get(reverse("accompaniment_detail", args=[event.pk])).status_code == 403
    assert page.post(reverse("accompaniment_close", args=[event.pk])).status_code == 403
    assert (
        page.post(reverse("accompaniment_open"), {"event": f"check_in:{event.check_in_id}"}).status_code
        == 403
    )
    api = _api(volunteer)
    assert api.get(f"/api/accompaniment/{event.pk}/signups").status_code == 403
    body = {"check_in_id": event.check_in_id, "cap": 5, "meets_at": "09:00", "meeting_point": "x"}
    assert (
        api.post("/api/accompaniment", json.dumps(body), content_type="application/json").status_code == 403
    )
    assert Accompaniment.objects.get(pk=event.pk).cap == 2


def test_staff_cannot_sign_up_as_volunteers(caseworker: Any, event: Accompaniment) -> None:
    assert _api(caseworker).post(f"/api/accompaniment/{event.pk}/signup").status_code == 403


# --- reminders ------------------------------------------------------------------------------------------


def test_the_reminder_is_queued_once_and_names_no_one(
    volunteer: Any, person: Person, caseworker: Any, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    tomorrow = _open(caseworker, check_in=_check_in(person, caseworker, days=1))
    later = _open(caseworker, check_in=_check_in(person, caseworker, days=9, office="Tacoma"))
    services.sign_up(accompaniment=tomorrow, user=volunteer)
    services.sign_up(accompaniment=later, user=volunteer)
    assert len(reminders.queue_due_reminders()) == 1
    assert reminders.queue_due_reminders() == []  # run again (cron twice, two servers): nothing more
    assert Reminder.objects.get().status == Reminder.Status.SENT
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["vol@example.org"]
    text = message.subject + message.body
    assert "S. D." in text and "Seattle Field Office" in text and "08:30" in text and "Front steps" in text
    for secret in ("Dara", "Sok", "SOK", "A-012", "សុខ"):
        assert secret not in text
    detail = verified_client(caseworker).get(reverse("accompaniment_detail", args=[tomorrow.pk]))
    assert "reminder: sent" in detail.content.decode()


def test_a_withdrawn_volunteer_gets_no_reminder(volunteer: Any, person: Person, caseworker: Any) -> None:
    event = _open(caseworker, check_in=_check_in(person, caseworker, days=1))
    services.sign_up(accompaniment=event, user=volunteer)
    services.withdraw(accompaniment=event, user=volunteer)
    assert reminders.queue_due_reminders() == []


def test_the_reminder_command_queues_through_the_cli_name(
    volunteer: Any, person: Person, caseworker: Any
) -> None:
    from io import StringIO

    from django.core.management import call_command

    event = _open(caseworker, check_in=_check_in(person, caseworker, days=1))
    services.sign_up(accompaniment=event, user=volunteer)
    out = StringIO()
    call_command("accompaniment-reminders", stdout=out)
    assert out.getvalue().startswith("1 ")


def test_a_reminder_in_khmer_for_a_khmer_volunteer(volunteer: Any, event: Accompaniment) -> None:
    volunteer.language = "km"
    volunteer.save()
    subject, body = reminders.reminder_message(event, "km")
    assert "S. D." in body and "Dara" not in body and subject != reminders.reminder_message(event, "en")[0]


# --- home, navigation, logging, query counts -------------------------------------------------------------


def test_the_volunteers_home_shows_their_next_events_and_the_menu_only_their_page(
    volunteer: Any, event: Accompaniment
) -> None:
    services.sign_up(accompaniment=event, user=volunteer)
    home = verified_client(volunteer).get(reverse("home")).content.decode()
    assert 'data-testid="accompaniment-today"' in home and "Seattle Field Office" in home
    for door in ("person_list", "referral_inbox", "stats_public", "api_tokens", "accompaniment_staff"):
        assert f'href="{reverse(door)}"' not in home, door
    assert f'href="{reverse("accompaniment_list")}"' in home


def test_every_read_of_the_volunteers_events_is_logged(volunteer: Any, event: Accompaniment) -> None:
    verified_client(volunteer).get(reverse("accompaniment_list"))
    _api(volunteer).get("/api/accompaniment")
    entries = AccessLog.objects.filter(user=volunteer, object_type="accompaniment.accompaniment")
    assert entries.count() == 2 and all(e.object_ids == str(event.pk) for e in entries)


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_volunteers_list_costs_the_same_queries_for_1_and_n_events(
    volunteer: Any, advocacy: Any, caseworker: Any
) -> None:
    people = [
        Person.objects.create(organisation=advocacy, family_name=f"Keo{i}", given_name="Bopha")
        for i in range(8)
    ]
    _open(caseworker, check_in=_check_in(people[0], caseworker))
    page, api = verified_client(volunteer), _api(volunteer)
    services.sign_up(accompaniment=Accompaniment.objects.get(), user=volunteer)
    _queries(page, reverse("accompaniment_list")), _queries(api, "/api/accompaniment")  # session, token: warm
    one = (_queries(page, reverse("accompaniment_list")), _queries(api, "/api/accompaniment"))
    for i, p in enumerate(people[1:]):
        event = (
            _open(caseworker, check_in=_check_in(p, caseworker, days=2 + i))
            if i % 2
            else _open(caseworker, court_event=_hearing(p, caseworker, days=2 + i))
        )
        services.sign_up(accompaniment=event, user=volunteer)
    many = (_queries(page, reverse("accompaniment_list")), _queries(api, "/api/accompaniment"))
    assert len(_api(volunteer).get("/api/accompaniment").json()) == 8
    assert one == many


def test_the_demo_volunteer_sees_the_demo_check_in_and_nothing_else(settings: Any) -> None:
    from django.core.management import call_command

    from crossings.accounts.models import User

    call_command("demo", "--quiet")
    volunteer = User.objects.get(username="demo-volunteer")
    events = _api(volunteer).get("/api/accompaniment").json()
    assert [(e["kind"], e["initials"], e["spaces_left"]) for e in events] == [("check_in", "C. V.", 3)]
    assert _api(volunteer).get("/api/people").status_code == 403
