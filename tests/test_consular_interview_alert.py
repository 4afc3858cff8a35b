"""The consular-interview alert: CROSSINGS_INTERVIEW_ALERT_PEOPLE or more people of one organisation with a
consular-interview step within the last CROSSINGS_INTERVIEW_ALERT_DAYS days (today included) put a line on
the legal home block listing them and their clocks, and the organisation's supervisors get one e-mail per
round. One person fewer, an interview outside the window, or another organisation's people: no alert."""

import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crossings.accounts.roles import Role
from crossings.legal import services
from crossings.legal.models import Notification, TravelDocumentStep
from crossings.people.models import Person

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def a_person(org, n):
    return Person.objects.create(organisation=org, given_name=f"Given{n}", family_name=f"Family{n}")


def interview(person, org, user, days_ago):
    return services.record_travel_document_step(
        person=person,
        organisation_id=org.pk,
        step="interview",
        date=TODAY - dt.timedelta(days=days_ago),
        expires_on=None,
        user=user,
    )


def interviewed(org, user, ages, start=0):
    people = [a_person(org, start + i) for i in range(len(ages))]
    for person, age in zip(people, ages, strict=True):
        interview(person, org, user, age)
    return people


def alert_of(page):
    return (
        page.split('data-testid="interview-alert"', 1)[1].split("</section>", 1)[0]
        if ('data-testid="interview-alert"' in page)
        else None
    )


def test_three_people_in_fourteen_days_make_a_home_line_listing_them(advocacy, caseworker, login):
    interviewed(advocacy, caseworker, [0, 6, 13])  # 13 days ago is the window's first day
    alert = alert_of(login(caseworker).get("/").content.decode())
    assert alert is not None
    assert "3 people had a consular interview since" in alert
    assert all(f"FAMILY{i} Given{i}" in alert for i in range(3))


def test_one_person_fewer_makes_no_alert(advocacy, caseworker, login):
    interviewed(advocacy, caseworker, [0, 13])
    assert alert_of(login(caseworker).get("/").content.decode()) is None


def test_an_interview_a_day_outside_the_window_is_not_counted(advocacy, caseworker, login):
    interviewed(advocacy, caseworker, [0, 6, 14])
    assert alert_of(login(caseworker).get("/").content.decode()) is None


def test_two_interviews_of_one_person_count_once(advocacy, caseworker, login):
    [first, _second] = interviewed(advocacy, caseworker, [0, 2])
    interview(first, advocacy, caseworker, 5)
    assert alert_of(login(caseworker).get("/").content.decode()) is None


def test_another_organisations_people_are_never_counted_or_shown(
    advocacy, caseworker, make_org, make_user, login
):
    other = make_org("Other advocates")
    other_worker = make_user(Role.CASEWORKER, other, username="other-worker")
    interviewed(other, other_worker, [0, 1, 2], start=10)
    interviewed(advocacy, caseworker, [0, 1])
    assert alert_of(login(caseworker).get("/").content.decode()) is None
    interviewed(advocacy, caseworker, [3], start=2)
    alert = alert_of(login(caseworker).get("/").content.decode())
    assert alert is not None and "3 people" in alert and "Given1" in alert
    assert "Given10" not in alert and "Given11" not in alert


def test_the_alert_window_and_threshold_are_settings(advocacy, caseworker, login, settings):
    settings.CROSSINGS_INTERVIEW_ALERT_PEOPLE = 2
    settings.CROSSINGS_INTERVIEW_ALERT_DAYS = 3
    interviewed(advocacy, caseworker, [0, 3])
    assert alert_of(login(caseworker).get("/").content.decode()) is None
    interviewed(advocacy, caseworker, [2], start=5)
    assert "2 people" in alert_of(login(caseworker).get("/").content.decode())


def test_the_alert_shows_each_persons_next_clock(advocacy, caseworker, login):
    people = interviewed(advocacy, caseworker, [0, 1, 2])
    proceeding = services.open_proceeding(
        person=people[0], organisation_id=advocacy.pk, court="Seattle", opened_on=None, user=caseworker
    )
    services.record_court_event(
        proceeding=proceeding,
        kind="ij_decision",
        date=TODAY - dt.timedelta(days=30),
        outcome="removal_ordered",
        user=caseworker,
    )
    services.mark_detained(
        person=people[0],
        organisation_id=advocacy.pk,
        facility="Tacoma",
        date=TODAY - dt.timedelta(days=20),
        user=caseworker,
    )
    alert = alert_of(login(caseworker).get("/").content.decode())
    assert "Day 90: end of the removal period" in alert and "70 days left" in alert


def test_supervisors_are_mailed_once_when_the_round_reaches_the_threshold(
    advocacy, caseworker, make_org, make_user, django_capture_on_commit_callbacks
):
    supervisor = make_user(Role.SUPERVISOR, advocacy, username="boss", email="boss@example.org")
    make_user(Role.CASEWORKER, advocacy, username="peer", email="peer@example.org")
    other = make_org("Other advocates")
    make_user(Role.SUPERVISOR, other, username="other-supervisor", email="other@example.org")
    interviewed(advocacy, caseworker, [0, 1])
    assert not Notification.objects.filter(kind=Notification.Kind.INTERVIEW_ROUND).exists()
    with django_capture_on_commit_callbacks(execute=True):
        interviewed(advocacy, caseworker, [2], start=2)
    rows = list(Notification.objects.filter(kind=Notification.Kind.INTERVIEW_ROUND))
    assert [(r.recipient_id, r.status) for r in rows] == [(supervisor.pk, Notification.Status.SENT)]
    [message] = mail.outbox
    assert message.to == [supervisor.email]
    assert "3 people of your organisation had a consular interview" in message.body
    assert "F. G." in message.body and "Given" not in message.body  # initials, never names
    with django_capture_on_commit_callbacks(execute=True):
        interviewed(advocacy, caseworker, [3], start=3)  # a fourth: same round, no second mail
    assert len(mail.outbox) == 1


def test_the_home_query_count_does_not_grow_with_the_people_in_the_round(advocacy, caseworker, login):
    client = login(caseworker)
    interviewed(advocacy, caseworker, [0, 1, 2])
    client.get("/")
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    interviewed(advocacy, caseworker, list(range(3, 13)), start=3)
    for person in Person.objects.filter(given_name__in=["Given3", "Given4"]):
        services.mark_detained(
            person=person, organisation_id=advocacy.pk, facility="Tacoma", date=TODAY, user=caseworker
        )
    with CaptureQueriesContext(connection) as many:
        client.get("/")
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert len(many) <= 45


def test_a_second_interview_of_someone_already_counted_mails_no_one_again(
    advocacy, caseworker, make_user, django_capture_on_commit_callbacks
):
    make_user(Role.SUPERVISOR, advocacy, username="boss", email="boss@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        [first, *_rest] = interviewed(advocacy, caseworker, [0, 1, 2])
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        interview(first, advocacy, caseworker, 0)
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(kind=Notification.Kind.INTERVIEW_ROUND).count() == 1


def test_below_the_threshold_no_one_is_mailed(
    advocacy, caseworker, make_user, django_capture_on_commit_callbacks
):
    make_user(Role.SUPERVISOR, advocacy, username="boss", email="boss@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        people = interviewed(advocacy, caseworker, [0, 1])
        interview(people[0], advocacy, caseworker, 3)  # two people, three interviews
        interviewed(advocacy, caseworker, [20], start=5)  # a third person, but outside the window
    assert mail.outbox == []
    assert not Notification.objects.filter(kind=Notification.Kind.INTERVIEW_ROUND).exists()


def test_a_new_round_after_the_window_has_passed_is_mailed_again(
    advocacy, caseworker, make_user, django_capture_on_commit_callbacks
):
    make_user(Role.SUPERVISOR, advocacy, username="boss", email="boss@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        old = interviewed(advocacy, caseworker, [0, 1, 2])
    # fifteen days pass: move the first round (its interviews and its alert) back in time
    shift = dt.timedelta(days=15)
    for step in TravelDocumentStep.objects.filter(person__in=old):
        TravelDocumentStep.objects.filter(pk=step.pk).update(date=step.date - shift)
    for row in Notification.objects.filter(kind=Notification.Kind.INTERVIEW_ROUND):
        Notification.objects.filter(pk=row.pk).update(created_at=row.created_at - shift)
    with django_capture_on_commit_callbacks(execute=True):
        interviewed(advocacy, caseworker, [0, 1], start=3)
    assert len(mail.outbox) == 1  # two new people: below the threshold again
    with django_capture_on_commit_callbacks(execute=True):
        interviewed(advocacy, caseworker, [0], start=5)
    assert len(mail.outbox) == 2
    assert "3 people of your organisation" in mail.outbox[1].body


def test_inactive_supervisors_and_supervisors_without_an_address_are_not_mailed(
    advocacy, caseworker, make_user, django_capture_on_commit_callbacks
):
    make_user(Role.SUPERVISOR, advocacy, username="gone", email="gone@example.org", is_active=False)
    make_user(Role.SUPERVISOR, advocacy, username="no-mail", email="")
    with django_capture_on_commit_callbacks(execute=True):
        interviewed(advocacy, caseworker, [0, 1, 2])
    assert mail.outbox == []
    assert not Notification.objects.filter(kind=Notification.Kind.INTERVIEW_ROUND).exists()


@pytest.mark.parametrize("role", [Role.OUTREACH_WORKER, Role.ANALYST, Role.ORG_ADMIN])
def test_roles_that_do_not_read_people_see_no_alert(advocacy, caseworker, make_user, login, role):
    interviewed(advocacy, caseworker, [0, 1, 2])
    page = login(make_user(role, advocacy)).get("/").content.decode()
    assert alert_of(page) is None and "Given0" not in page


def test_the_alert_in_khmer(advocacy, caseworker, login):
    interviewed(advocacy, caseworker, [0, 1, 2])
    caseworker.language = "km"
    caseworker.save(update_fields=["language"])
    alert = alert_of(login(caseworker).get("/").content.decode())
    assert alert is not None and "consular interview" not in alert
    assert any("\u1780" <= ch <= "\u17ff" for ch in alert)


def test_a_supervisor_who_reads_khmer_gets_the_mail_in_khmer(
    advocacy, caseworker, make_user, django_capture_on_commit_callbacks
):
    make_user(Role.SUPERVISOR, advocacy, username="boss", email="boss@example.org", language="km")
    with django_capture_on_commit_callbacks(execute=True):
        interviewed(advocacy, caseworker, [0, 1, 2])
    [message] = mail.outbox
    assert "Consular interviews" not in message.subject and "ស្ថានកុងស៊ុល" in message.subject
    assert "had a consular interview" not in message.body and "F. G." in message.body


def test_a_mail_server_down_keeps_the_round_alert_pending_with_the_error_kind_only(
    advocacy, caseworker, make_user, settings, django_capture_on_commit_callbacks
):
    from crossings.legal import notifications

    make_user(Role.SUPERVISOR, advocacy, username="boss", email="boss@example.org")
    settings.EMAIL_BACKEND = "tests.test_rapid_response_notifications.MailServerDown"
    with django_capture_on_commit_callbacks(execute=True):
        interviewed(advocacy, caseworker, [0, 1, 2])  # recording the interview does not fail
    row = Notification.objects.get(kind=Notification.Kind.INTERVIEW_ROUND)
    assert (row.status, row.attempts) == (Notification.Status.PENDING, 1)
    assert "SMTPRecipientsRefused" in row.last_error and "boss@" not in row.last_error
    assert TravelDocumentStep.objects.filter(step="interview").count() == 3
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notifications.deliver(row.pk) == "sent"
    assert len(mail.outbox) == 1 and "F. G." in mail.outbox[0].body
