"""Who sees the detention clocks, and where: the legal page, the home block and the calendar feeds of the
organisation that holds the person, for roles that read people; no one else. No final order, or a release,
means no clock on any of them; a new detention after a release starts them again. The home block costs the
same number of queries for one detained person as for many."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from crossings.accounts.roles import Role
from crossings.legal import services
from crossings.legal.calendar import build_feed
from crossings.legal.models import CalendarFeed
from crossings.people.models import Person

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()
DAY90 = "Day 90: end of the removal period"


def ordered(person, org, user, days_ago=40):
    proceeding = services.open_proceeding(
        person=person, organisation_id=org.pk, court="Seattle Immigration Court", opened_on=None, user=user
    )
    services.record_court_event(
        proceeding=proceeding,
        kind="ij_decision",
        date=TODAY - dt.timedelta(days=days_ago),
        outcome="removal_ordered",
        user=user,
    )


def detain(person, org, user, days_ago=10, facility="Tacoma NWDC"):
    return services.mark_detained(
        person=person,
        organisation_id=org.pk,
        facility=facility,
        date=TODAY - dt.timedelta(days=days_ago),
        user=user,
    )


def legal_page(client, person):
    return client.get(reverse("person_legal", args=[person.pk]))


def clock_summaries(user, scope=CalendarFeed.Scope.ORGANISATION):
    feed, _secret = CalendarFeed.issue(user=user, scope=scope)
    cal = Calendar.from_ical(build_feed(feed, "testserver"))
    return [str(e["summary"]) for e in cal.walk("VEVENT") if str(e["uid"]).startswith("clock-")]


def home_main(client):
    return client.get("/").content.decode().split("<main")[1].split("</main>")[0]


def test_a_detained_person_without_a_final_order_has_no_clock_anywhere(person, advocacy, caseworker, login):
    detain(person, advocacy, caseworker)
    client = login(caseworker)
    page = legal_page(client, person).content.decode()
    assert "No detention clock is running" in page and DAY90 not in page
    home = home_main(client)
    assert "Tacoma NWDC" in home and 'data-testid="clock-' not in home
    assert clock_summaries(caseworker) == []


def test_a_release_takes_the_clocks_off_every_door_and_a_new_detention_starts_them(
    person, advocacy, caseworker, login
):
    ordered(person, advocacy, caseworker)
    detention = detain(person, advocacy, caseworker).detention
    client = login(caseworker)
    assert "80 days left" in legal_page(client, person).content.decode()
    services.release(
        detention=detention, date=TODAY - dt.timedelta(days=3), on_supervision=True, user=caseworker
    )
    page = legal_page(client, person).content.decode()
    assert "No detention clock is running" in page and DAY90 not in page
    assert 'data-testid="clock-' not in home_main(client)
    assert clock_summaries(caseworker) == []
    detain(person, advocacy, caseworker, days_ago=0, facility="Adelanto")
    page = legal_page(client, person).content.decode()
    assert DAY90 in page and "90 days left" in page and "180 days left" in page
    assert "90 days left" in home_main(client)
    assert len(clock_summaries(caseworker)) == 3  # day 90, its custody review, day 180


def test_another_organisation_sees_no_clock_of_a_person_it_does_not_hold(
    person, advocacy, caseworker, make_org, make_user, login
):
    ordered(person, advocacy, caseworker)
    detain(person, advocacy, caseworker)
    outsider = make_user(Role.LEGAL_ADVOCATE, make_org("Elsewhere"))
    client = login(outsider)
    assert legal_page(client, person).status_code == 404
    home = home_main(client)
    assert DAY90 not in home and "Tacoma NWDC" not in home
    assert clock_summaries(outsider) == []


@pytest.mark.parametrize("role", [Role.OUTREACH_WORKER, Role.ANALYST, Role.ORG_ADMIN])
def test_roles_that_do_not_read_people_are_refused_the_clocks(
    person, advocacy, caseworker, make_user, login, role
):
    ordered(person, advocacy, caseworker)
    detain(person, advocacy, caseworker)
    member = make_user(role, advocacy)
    client = login(member)
    response = legal_page(client, person)
    assert response.status_code in (403, 404)
    assert DAY90 not in response.content.decode()
    home = client.get("/").content.decode()
    assert DAY90 not in home and "Tacoma NWDC" not in home
    assert clock_summaries(member) == []


def test_the_personal_feed_carries_only_the_clocks_of_the_users_own_cases(
    person, advocacy, caseworker, make_user
):
    ordered(person, advocacy, caseworker)
    detain(person, advocacy, caseworker)
    colleague = make_user(Role.CASEWORKER, advocacy)
    assert len(clock_summaries(colleague, CalendarFeed.Scope.ORGANISATION)) == 3
    assert clock_summaries(colleague, CalendarFeed.Scope.MINE) == []
    mine = clock_summaries(caseworker, CalendarFeed.Scope.MINE)
    assert mine and all(s.endswith(f"#{person.pk}") for s in mine)


def test_the_court_notice_clock_shows_only_once_configured(person, advocacy, caseworker, login, settings):
    ordered(person, advocacy, caseworker)
    detain(person, advocacy, caseworker)
    client = login(caseworker)
    assert "Chhoeun" not in legal_page(client, person).content.decode()
    settings.CROSSINGS_COURT_NOTICE_DAYS = 21
    page = legal_page(client, person).content.decode()
    assert (
        "Court-ordered notice period ends" in page and "Chhoeun v. Marin" in page and "11 days left" in page
    )


def test_the_legal_page_in_khmer_names_the_clocks_in_khmer(person, advocacy, caseworker, login):
    ordered(person, advocacy, caseworker)
    detain(person, advocacy, caseworker)
    caseworker.language = "km"
    caseworker.save(update_fields=["language"])
    page = legal_page(login(caseworker), person).content.decode()
    assert 'lang="km"' in page
    section = page.split('aria-labelledby="clocks-heading"', 1)[1].split("</section>", 1)[0]
    assert DAY90 not in section and "Detention clocks" not in section
    assert any("\u1780" <= ch <= "\u17ff" for ch in section)
    assert "8 U.S.C. § 1231(a)(1)" in section  # citations stay as cited


def test_the_home_block_costs_the_same_queries_for_one_detained_person_as_for_many(
    person, advocacy, caseworker, login
):
    ordered(person, advocacy, caseworker)
    detain(person, advocacy, caseworker)
    client = login(caseworker)
    client.get("/")
    with CaptureQueriesContext(connection) as one:
        home = client.get("/").content.decode()
    assert home.count('data-testid="clock-removal_period_end"') == 1
    for n in range(5):
        other = Person.objects.create(organisation=advocacy, given_name=f"Given{n}", family_name=f"Family{n}")
        ordered(other, advocacy, caseworker, days_ago=30 + n)
        detain(other, advocacy, caseworker, days_ago=n)
    with CaptureQueriesContext(connection) as many:
        home = client.get("/").content.decode()
    assert home.count('data-testid="clock-removal_period_end"') == 6
    assert len(many) == len(one), [q["sql"] for q in many.captured_queries]
