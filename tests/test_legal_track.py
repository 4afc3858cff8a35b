import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from icalendar import Calendar

from crossings.accounts.models import ApiToken, Membership
from crossings.accounts.roles import Role
from crossings.cases.models import Task
from crossings.legal import services
from crossings.legal.digests import digest_for, send_digests
from crossings.legal.models import CalendarFeed, Conviction, Deadline, RapidResponse

D = dt.date


@pytest.fixture
def proceeding(person, advocacy, caseworker):
    return services.open_proceeding(
        person=person,
        organisation_id=advocacy.pk,
        court="Seattle Immigration Court",
        opened_on=D(2025, 1, 6),
        user=caseworker,
    )


@pytest.mark.django_db
def test_a_removal_order_creates_deadlines_as_tasks_for_the_case_owner_and_updates_the_journey(
    proceeding, person, caseworker
):
    event = services.record_court_event(
        proceeding=proceeding,
        kind="ij_decision",
        date=D(2025, 11, 25),
        outcome="removal_ordered",
        user=caseworker,
    )
    person.refresh_from_db()
    assert person.status == "final_order"
    timed = {d.rule_code: d for d in event.deadlines.all() if d.due_on}
    assert timed["bia_appeal"].due_on == D(2025, 12, 26)  # +30 = Thu 25 Dec (holiday) -> Fri 26 Dec
    assert timed["bia_appeal"].task.assignee == caseworker
    assert Task.objects.filter(title__startswith="Appeal the immigration judge").count() == 1
    assert event.deadlines.filter(due_on=None).count() == 2  # the no-time-limit notes, not tasks


@pytest.mark.django_db
def test_correcting_the_decision_date_recomputes_deadlines_and_records_why(proceeding, caseworker):
    event = services.record_court_event(
        proceeding=proceeding,
        kind="ij_decision",
        date=D(2025, 11, 25),
        outcome="removal_ordered",
        user=caseworker,
    )
    services.correct_court_event_date(
        event=event, date=D(2025, 11, 20), user=caseworker, reason="written decision was mailed on the 20th"
    )
    appeal = Deadline.objects.get(rule_code="bia_appeal")
    assert appeal.due_on == D(2025, 12, 22)  # +30 = Sat 20 Dec -> Mon 22 Dec
    assert appeal.task.due_on == D(2025, 12, 22)
    assert appeal.history.first().history_change_reason == "written decision was mailed on the 20th"
    with pytest.raises(ValidationError):
        services.correct_court_event_date(event=event, date=D(2025, 11, 21), user=caseworker, reason="")


@pytest.mark.django_db
def test_events_out_of_order_are_refused(proceeding, caseworker):
    with pytest.raises(
        ValidationError, match="must follow an earlier event in this proceeding: appeal filed with the BIA"
    ):
        services.record_court_event(
            proceeding=proceeding,
            kind="bia_decision",
            date=D(2025, 5, 1),
            outcome="dismissed",
            user=caseworker,
        )
    services.record_court_event(
        proceeding=proceeding,
        kind="ij_decision",
        date=D(2025, 3, 3),
        outcome="removal_ordered",
        user=caseworker,
    )
    with pytest.raises(ValidationError):
        services.record_court_event(
            proceeding=proceeding, kind="bia_appeal", date=D(2025, 3, 1), user=caseworker
        )
    future = dt.date.today() + dt.timedelta(days=5)
    with pytest.raises(ValidationError, match="cannot be dated in the future"):
        services.record_court_event(proceeding=proceeding, kind="ij_decision", date=future, user=caseworker)
    services.record_court_event(
        proceeding=proceeding, kind="hearing", date=future, user=caseworker
    )  # scheduled


@pytest.mark.django_db
def test_a_decision_dated_on_a_weekend_is_accepted_and_counted_from_that_day(proceeding, caseworker):
    event = services.record_court_event(
        proceeding=proceeding,
        kind="ij_decision",
        date=D(2025, 11, 22),
        outcome="removal_ordered",
        user=caseworker,
    )  # a Saturday
    assert event.deadlines.get(rule_code="bia_appeal").due_on == D(2025, 12, 22)


@pytest.mark.django_db
def test_a_deadline_marked_not_applicable_needs_a_reason(proceeding, caseworker):
    services.record_court_event(
        proceeding=proceeding,
        kind="ij_decision",
        date=D(2025, 3, 3),
        outcome="removal_ordered",
        user=caseworker,
    )
    deadline = Deadline.objects.get(rule_code="bia_appeal")
    with pytest.raises(ValidationError):
        services.resolve_deadline(deadline=deadline, state="not_applicable", reason=" ", user=caseworker)
    services.resolve_deadline(
        deadline=deadline, state="not_applicable", reason="appeal waived", user=caseworker
    )
    deadline.refresh_from_db()
    assert deadline.state == "not_applicable" and deadline.task.not_applicable


@pytest.mark.django_db
def test_marking_detained_alerts_responders_at_once(
    person, advocacy, caseworker, make_user, login, django_capture_on_commit_callbacks
):
    responder = make_user(Role.LEGAL_ADVOCATE, advocacy, username="responder", email="r@example.org")
    Membership.objects.filter(user=responder).update(is_responder=True)
    make_user(Role.CASEWORKER, advocacy, username="quiet", email="q@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.mark_detained(
            person=person,
            organisation_id=advocacy.pk,
            facility="Tacoma ICE Processing Center",
            date=D(2025, 6, 1),
            user=caseworker,
        )
    assert [m.to for m in mail.outbox] == [["r@example.org"]]
    assert "SOK Dara" not in mail.outbox[0].subject and "Tacoma" in mail.outbox[0].body
    assert "Not legal advice" in mail.outbox[0].body
    person.refresh_from_db()
    assert person.status == "detained"
    page = login(caseworker).get("/people/").content.decode()
    assert "Rapid response: SOK Dara detained at Tacoma ICE Processing Center" in page


@pytest.mark.django_db
def test_release_ends_the_rapid_response(person, advocacy, caseworker):
    response = services.mark_detained(
        person=person, organisation_id=advocacy.pk, facility="Tacoma", date=D(2025, 6, 1), user=caseworker
    )
    services.release(detention=response.detention, date=D(2025, 7, 1), on_supervision=True, user=caseworker)
    person.refresh_from_db()
    assert person.status == "under_supervision"
    assert RapidResponse.objects.get().resolved_at is not None


@pytest.mark.django_db
def test_the_rapid_response_banner_is_not_shown_to_other_organisations(
    person, advocacy, caseworker, make_user, make_org, login
):
    services.mark_detained(
        person=person, organisation_id=advocacy.pk, facility="Tacoma", date=D(2025, 6, 1), user=caseworker
    )
    outsider = make_user(Role.CASEWORKER, make_org("Elsewhere"))
    main = login(outsider).get("/").content.decode().split("<main")[1].split("</main>")[0]
    # neither the banner nor the home page's "Detained now" names the other organisation's person
    assert "rapid-response-banner" not in main
    assert "Tacoma" not in main and person.given_name not in main and "No one is detained." in main


@pytest.mark.django_db
def test_convictions_are_encrypted_and_only_for_legal_advocates_and_supervisors(
    person, advocacy, caseworker, make_user, login
):
    advocate = make_user(Role.LEGAL_ADVOCATE, advocacy)
    services.record_conviction(
        person=person,
        organisation_id=advocacy.pk,
        user=advocate,
        court="LA Superior Court",
        offence="Possession for sale",
        statute="CA HS 11351",
        case_number="BA123456",
        flags=["post_conviction_relief"],
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT offence, case_number FROM legal_conviction")
        row = cursor.fetchone()
    assert "Possession" not in row[0] and "BA123456" not in row[1]
    assert "Possession for sale" in login(advocate).get(f"/people/{person.pk}/legal/").content.decode()
    assert "Possession for sale" not in login(caseworker).get(f"/people/{person.pk}/legal/").content.decode()
    assert not Conviction.objects.visible_to(caseworker).exists()
    assert (
        login(caseworker)
        .post(f"/people/{person.pk}/legal/convictions/", {"conviction-court": "x"})
        .status_code
        == 403
    )
    assert Task.objects.filter(title="Attorney review: possible post-conviction relief").exists()


@pytest.mark.django_db
def test_the_legal_tab_is_not_shared_by_a_referral(person, advocacy, reception, caseworker, make_user, login):
    from crossings.people import sharing

    sharing.record_consent(
        person=person,
        user=caseworker,
        scope="share",
        shared_with=reception,
        sections=["journey"],
        given_on=dt.date.today(),
    )
    referral = sharing.refer(
        person=person,
        to_organisation=reception,
        purpose="x",
        user=caseworker,
    )
    receiver = make_user(Role.CASEWORKER, reception)
    sharing.accept_referral(referral=referral, user=receiver)
    assert login(receiver).get(f"/people/{person.pk}/").status_code == 200
    assert login(receiver).get(f"/people/{person.pk}/legal/").status_code == 404


@pytest.mark.django_db
def test_calendar_feed_is_valid_icalendar_and_revocable(proceeding, caseworker, login):
    services.record_court_event(
        proceeding=proceeding,
        kind="ij_decision",
        date=D(2025, 11, 25),
        outcome="removal_ordered",
        user=caseworker,
    )
    feed, secret = CalendarFeed.issue(user=caseworker, scope="mine")
    response = Client().get(f"/legal/calendar/{secret}.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    events = [c for c in cal.walk("VEVENT")]
    summaries = {str(e["summary"]) for e in events}
    assert any(s.startswith("Appeal the immigration judge") for s in summaries)
    assert all("Sok" not in s for s in summaries)  # record numbers, never names
    appeal = next(e for e in events if str(e["summary"]).startswith("Appeal"))
    assert appeal.decoded("dtstart") == D(2025, 12, 26)
    login(caseworker).post("/legal/calendar/", {"revoke": feed.pk})
    assert Client().get(f"/legal/calendar/{secret}.ics").status_code == 404
    assert Client().get("/legal/calendar/not-a-secret.ics").status_code == 404


@pytest.mark.django_db
def test_the_digest_lists_upcoming_and_overdue_deadlines(proceeding, caseworker):
    caseworker.email = "c@example.org"
    caseworker.save()
    today = dt.date.today()
    services.record_court_event(
        proceeding=proceeding,
        kind="ij_decision",
        date=today - dt.timedelta(days=20),
        outcome="removal_ordered",
        user=caseworker,
    )
    services.record_court_event(
        proceeding=proceeding,
        kind="ij_decision",
        date=today - dt.timedelta(days=40),
        outcome="removal_ordered",
        user=caseworker,
    )
    body = digest_for(caseworker)
    assert body is not None
    assert "Overdue:" in body and "Due in the next 14 days:" in body
    assert "Appeal the immigration judge" in body
    assert send_digests() == 1 and mail.outbox[0].to == ["c@example.org"]


@pytest.mark.django_db
def test_the_cli_prints_deadlines_as_csv(capsys):
    call_command("deadlines", "--event", "ij_decision", "--date", "2026-11-25")
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == "action,due_date,rule,citation"
    appeal = next(line for line in lines if ",bia_appeal," in line)
    assert "2026-12-28" in appeal and "8 CFR 1003.38(b)" in appeal
    assert any("no time limit" in line for line in lines)


@pytest.mark.django_db
def test_the_api_preview_matches_the_cli(caseworker):
    _t, raw = ApiToken.issue(user=caseworker)
    body = (
        Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
        .get("/api/legal/deadlines/preview?event=ij_decision&date=2026-11-25")
        .json()
    )
    assert "Not legal advice" in body["notice"]
    appeal = next(r for r in body["deadlines"] if r["rule"] == "bia_appeal")
    assert appeal["due_date"] == "2026-12-28" and appeal["nominal_due_date"] == "2026-12-25"
    bad = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get(
        "/api/legal/deadlines/preview?event=nope&date=2026-11-25"
    )
    assert bad.status_code == 422


@pytest.mark.django_db
def test_the_deadline_board_groups_by_urgency(proceeding, caseworker, login):
    today = dt.date.today()
    services.record_court_event(
        proceeding=proceeding,
        kind="ij_decision",
        date=today - dt.timedelta(days=25),
        outcome="removal_ordered",
        user=caseworker,
    )
    page = login(caseworker).get("/legal/deadlines/").content.decode()
    assert "This week" in page and "Appeal the immigration judge" in page
    assert "Not legal advice" in page


@pytest.mark.django_db
def test_travel_document_steps_go_on_the_journey_and_expiry_must_follow(person, advocacy, caseworker, login):
    client = login(caseworker)
    client.post(
        f"/people/{person.pk}/legal/travel-documents/",
        {"travel-step": "requested", "travel-date": "2025-02-01"},
    )
    response = client.post(
        f"/people/{person.pk}/legal/travel-documents/",
        {"travel-step": "issued", "travel-date": "2025-03-01", "travel-expires_on": "2025-02-01"},
        follow=True,
    )
    assert "The expiry date must be after the step" in response.content.decode()
    client.post(
        f"/people/{person.pk}/legal/travel-documents/",
        {"travel-step": "issued", "travel-date": "2025-03-01", "travel-expires_on": "2025-09-01"},
    )
    assert list(person.events.values_list("kind", flat=True)) == ["travel_doc_requested", "travel_doc_issued"]
    assert "2025-09-01" in client.get(f"/people/{person.pk}/legal/").content.decode()


@pytest.mark.django_db
def test_the_digest_also_runs_as_a_django_task(proceeding, caseworker):
    from crossings.legal.digests import send_digests_task

    caseworker.email = "c@example.org"
    caseworker.save()
    services.record_court_event(
        proceeding=proceeding,
        kind="ij_decision",
        date=dt.date.today() - dt.timedelta(days=20),
        outcome="removal_ordered",
        user=caseworker,
    )
    result = send_digests_task.enqueue()
    assert result.return_value == 1 and mail.outbox[0].to == ["c@example.org"]
