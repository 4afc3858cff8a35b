"""Detention clocks, against hand-computed dates: calendar days from the later of the final order and the
start of the current custody, no roll-over off weekends or holidays, a move between facilities keeps the
clock, a release stops it, a re-detention restarts it, and no final order means no post-order clock."""

import datetime as dt

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from icalendar import Calendar

from crossings.legal import clocks, services
from crossings.legal import deadlines as deadline_engine
from crossings.legal.deadlines import is_business_day
from crossings.legal.models import CalendarFeed

D = dt.date
TODAY = dt.date.today()


def due_of(result, code):
    return next(c for c in result if c.code == code)


def test_day_90_and_day_180_count_calendar_days_from_the_detention_after_the_order():
    # final order Mon 5 Jan 2026, detained Tue 10 Feb 2026: 18 days of Feb + 31 + 30 + 11 = 90 → 11 May;
    # 180 days → 9 Aug 2026 (a Sunday: detention days do not roll over).
    result = clocks.compute(
        final_order=D(2026, 1, 5), episodes=[clocks.Episode(1, D(2026, 2, 10), None)], today=D(2026, 3, 1)
    )
    day90 = due_of(result, "removal_period_end")
    assert (day90.start, day90.start_event, day90.due, day90.days_left) == (
        D(2026, 2, 10),
        "detention",
        D(2026, 5, 11),
        71,
    )
    assert "8 U.S.C. § 1231(a)(1)" in day90.citation
    assert due_of(result, "custody_review").due == D(2026, 5, 11)
    assert "241.4(k)" in due_of(result, "custody_review").citation
    day180 = due_of(result, "zadvydas_180")
    assert day180.due == D(2026, 8, 9) and day180.due.weekday() == 6
    assert "533 U.S. 678" in day180.citation
    assert "court_notice" not in {c.code for c in result}  # off until configured


def test_a_clock_due_on_a_holiday_stays_on_the_holiday():
    # detained before the order: the order (5 Apr 2026) starts it; +90 = Sat 4 July 2026, Independence Day.
    result = clocks.compute(
        final_order=D(2026, 4, 5), episodes=[clocks.Episode(1, D(2026, 3, 1), None)], today=D(2026, 4, 5)
    )
    day90 = due_of(result, "removal_period_end")
    assert day90.start_event == "final_order"
    assert day90.due == D(2026, 7, 4) and not is_business_day(day90.due)


def test_a_move_between_facilities_keeps_the_clock_and_a_release_stops_it():
    moved = [
        clocks.Episode(1, D(2026, 2, 10), D(2026, 3, 2), transferred_to_id=2),
        clocks.Episode(2, D(2026, 3, 2), None),
    ]
    result = clocks.compute(final_order=D(2026, 1, 5), episodes=moved, today=D(2026, 3, 5))
    assert due_of(result, "removal_period_end").due == D(2026, 5, 11)
    released = [clocks.Episode(1, D(2026, 2, 10), D(2026, 3, 2))]
    assert clocks.compute(final_order=D(2026, 1, 5), episodes=released, today=D(2026, 3, 5)) == []


def test_a_re_detention_after_a_release_restarts_the_clock():
    episodes = [clocks.Episode(1, D(2026, 2, 10), D(2026, 3, 2)), clocks.Episode(2, D(2026, 6, 1), None)]
    result = clocks.compute(final_order=D(2026, 1, 5), episodes=episodes, today=D(2026, 6, 1))
    # 1 June + 90 = 30 Aug 2026
    assert due_of(result, "removal_period_end").due == D(2026, 8, 30)
    assert due_of(result, "removal_period_end").days_left == 90


def test_no_final_order_no_post_order_clock():
    assert (
        clocks.compute(
            final_order=None, episodes=[clocks.Episode(1, D(2026, 2, 10), None)], today=D(2026, 3, 1)
        )
        == []
    )


def test_the_court_ordered_notice_period_is_the_configured_term_with_its_citation():
    result = clocks.compute(
        final_order=D(2026, 1, 5),
        episodes=[clocks.Episode(1, D(2026, 2, 10), None)],
        today=D(2026, 2, 10),
        notice_days=21,
    )
    notice = due_of(result, "court_notice")
    assert notice.due == D(2026, 3, 3) and "Chhoeun v. Marin" in notice.citation


def test_the_final_order_is_the_bia_dismissal_after_an_appeal_and_relief_undoes_it():
    appealed = [
        ("ij_decision", "removal_ordered", D(2025, 6, 2)),
        ("bia_appeal", "", D(2025, 6, 20)),
    ]
    assert clocks.final_order_date(appealed) is None
    assert clocks.final_order_date([*appealed, ("bia_decision", "dismissed", D(2026, 1, 5))]) == D(2026, 1, 5)
    assert clocks.final_order_date([("ij_decision", "relief_granted", D(2025, 6, 2))]) is None
    assert clocks.final_order_date([("ij_decision", "removal_ordered", D(2025, 6, 2))]) == D(2025, 6, 2)


dates = st.dates(min_value=D(2020, 1, 1), max_value=D(2030, 12, 31))


@given(order=dates, detained=dates, gap=st.integers(0, 400), detained_again=st.booleans())
def test_the_clock_always_runs_from_the_later_start_in_calendar_days(order, detained, gap, detained_again):
    episodes = [clocks.Episode(1, detained, None)]
    if detained_again:
        released = detained + dt.timedelta(days=gap // 2)
        episodes = [
            clocks.Episode(1, detained, released),
            clocks.Episode(2, released + dt.timedelta(days=gap // 2 + 1), None),
        ]
    custody = episodes[-1].started_on
    result = clocks.compute(final_order=order, episodes=episodes, today=custody)
    start = max(order, custody)
    assert {c.start for c in result} == {start}
    assert due_of(result, "removal_period_end").due == start + dt.timedelta(days=90)
    assert due_of(result, "zadvydas_180").due == start + dt.timedelta(days=180)
    assert [c.due for c in result] == sorted(c.due for c in result)


@pytest.fixture
def ordered_and_detained(person, advocacy, caseworker):
    proceeding = services.open_proceeding(
        person=person,
        organisation_id=advocacy.pk,
        court="Seattle Immigration Court",
        opened_on=None,
        user=caseworker,
    )
    services.record_court_event(
        proceeding=proceeding,
        kind="ij_decision",
        date=TODAY - dt.timedelta(days=40),
        outcome="removal_ordered",
        user=caseworker,
    )
    services.mark_detained(
        person=person,
        organisation_id=advocacy.pk,
        facility="Tacoma NWDC",
        date=TODAY - dt.timedelta(days=10),
        user=caseworker,
    )
    return person


@pytest.mark.django_db
def test_the_legal_page_shows_the_clocks_from_the_recorded_events(ordered_and_detained, caseworker, login):
    page = login(caseworker).get(reverse("person_legal", args=[ordered_and_detained.pk])).content.decode()
    assert "Day 90: end of the removal period" in page
    assert "80 days left" in page and "8 U.S.C. § 1231(a)(1)" in page
    assert "533 U.S. 678" in page


@pytest.mark.django_db
def test_release_through_the_service_stops_the_clocks_and_re_detention_restarts_them(
    ordered_and_detained, advocacy, caseworker
):
    key = (ordered_and_detained.pk, advocacy.pk)
    detention = ordered_and_detained.detentions.get(ended_on=None)
    services.release(
        detention=detention, date=TODAY - dt.timedelta(days=5), on_supervision=True, user=caseworker
    )
    assert clocks.clocks_for([key], TODAY)[key] == []
    services.mark_detained(
        person=ordered_and_detained,
        organisation_id=advocacy.pk,
        facility="Adelanto",
        date=TODAY,
        user=caseworker,
    )
    day90 = due_of(clocks.clocks_for([key], TODAY)[key], "removal_period_end")
    assert day90.start == TODAY and day90.days_left == 90


@pytest.mark.django_db
def test_the_calendar_feed_carries_the_clocks_by_record_number(ordered_and_detained, caseworker):
    feed, _secret = CalendarFeed.issue(user=caseworker, scope=CalendarFeed.Scope.ORGANISATION)
    from crossings.legal.calendar import build_feed

    cal = Calendar.from_ical(build_feed(feed, "testserver"))
    summaries = [str(e["summary"]) for e in cal.walk("VEVENT")]
    assert f"End of the 90-day removal period — #{ordered_and_detained.pk}" in summaries
    assert not any("Given" in s or "FAMILY" in s for s in summaries)


def test_a_clock_due_on_a_saturday_stays_there_where_a_filing_deadline_moves_to_monday():
    # Detained Sun 11 Jan 2026 after the order: + 90 calendar days = Sat 11 Apr 2026. A filing deadline of
    # 90 days from the same day (the IJ motion to reopen) rolls over to Mon 13 Apr; the removal period does
    # not: it is a period of custody, and showing the later date would tell an advocate they have longer.
    start = D(2026, 1, 11)
    result = clocks.compute(
        final_order=D(2026, 1, 5), episodes=[clocks.Episode(1, start, None)], today=D(2026, 4, 10)
    )
    day90 = due_of(result, "removal_period_end")
    assert day90.due == D(2026, 4, 11) and day90.due.weekday() == 5 and day90.days_left == 1
    reopen = next(
        c
        for c in deadline_engine.compute(trigger="ij_decision", date=start, outcome="removal_ordered")
        if c.rule.code == "ij_reopen"
    )
    assert (reopen.nominal_due, reopen.due) == (D(2026, 4, 11), D(2026, 4, 13))


def test_a_clock_due_on_christmas_day_stays_on_christmas_day():
    # Detained Sat 26 Sep 2026: + 90 = Fri 25 Dec 2026 (a federal holiday); the deadline engine would say
    # Mon 28 Dec. Day 180 = Thu 25 Mar 2027.
    result = clocks.compute(
        final_order=D(2026, 9, 1), episodes=[clocks.Episode(1, D(2026, 9, 26), None)], today=D(2026, 12, 1)
    )
    assert due_of(result, "removal_period_end").due == D(2026, 12, 25)
    assert not is_business_day(D(2026, 12, 25))
    assert deadline_engine.next_business_day(D(2026, 12, 25)) == D(2026, 12, 28)
    assert due_of(result, "zadvydas_180").due == D(2027, 3, 25)


def test_a_passed_clock_counts_the_days_late_and_next_clock_moves_on():
    result = clocks.compute(
        final_order=D(2026, 1, 5), episodes=[clocks.Episode(1, D(2026, 2, 10), None)], today=D(2026, 5, 14)
    )
    day90 = due_of(result, "removal_period_end")
    assert (day90.days_left, day90.late) == (-3, 3)
    assert clocks.next_clock(result).code == "zadvydas_180"
    assert clocks.next_clock([day90]) == day90  # only passed ones: the last one passed
    assert clocks.next_clock([]) is None


def test_a_re_detention_before_the_final_order_runs_from_the_order():
    episodes = [clocks.Episode(1, D(2025, 3, 1), D(2025, 4, 1)), clocks.Episode(2, D(2025, 12, 1), None)]
    result = clocks.compute(final_order=D(2026, 1, 5), episodes=episodes, today=D(2026, 1, 5))
    day90 = due_of(result, "removal_period_end")
    assert (day90.start, day90.start_event, day90.due) == (D(2026, 1, 5), "final_order", D(2026, 4, 5))


def test_a_transfer_chain_keeps_the_first_day_of_custody():
    episodes = [
        clocks.Episode(1, D(2026, 2, 10), D(2026, 2, 20), transferred_to_id=2),
        clocks.Episode(2, D(2026, 2, 20), D(2026, 3, 2), transferred_to_id=3),
        clocks.Episode(3, D(2026, 3, 2), None),
    ]
    assert clocks.current_custody_start(episodes) == D(2026, 2, 10)
    # released after the chain, then detained again: the new custody starts the clock afresh
    again = [
        *episodes[:2],
        clocks.Episode(3, D(2026, 3, 2), D(2026, 3, 9)),
        clocks.Episode(4, D(2026, 5, 1), None),
    ]
    assert clocks.current_custody_start(again) == D(2026, 5, 1)


def test_relief_after_the_order_stops_the_clocks():
    events = [
        ("ij_decision", "removal_ordered", D(2025, 6, 2)),
        ("ij_decision", "relief_granted", D(2025, 9, 1)),
    ]
    assert clocks.final_order_date(events) is None
    # and a remand reopens proceedings: no final order until the next removal order
    remanded = [
        ("ij_decision", "removal_ordered", D(2025, 6, 2)),
        ("bia_appeal", "", D(2025, 6, 20)),
        ("bia_decision", "remanded", D(2025, 12, 1)),
    ]
    assert clocks.final_order_date(remanded) is None
    assert clocks.final_order_date([*remanded, ("ij_decision", "removal_ordered", D(2026, 2, 2))]) == D(
        2026, 2, 2
    )


def test_the_court_notice_period_is_off_by_default_and_read_from_settings(settings):
    assert clocks.court_notice_days() is None
    settings.CROSSINGS_COURT_NOTICE_DAYS = 21
    assert clocks.court_notice_days() == 21


@pytest.mark.parametrize(
    ("value", "message"),
    [("twenty", "must be a whole number, not 'twenty'"), ("-3", "must be at least 0, not -3")],
)
def test_a_bad_notice_setting_stops_the_start_with_the_variables_name(monkeypatch, value, message):
    from django.core.exceptions import ImproperlyConfigured

    from crossings.settings import env_int

    monkeypatch.setenv("CROSSINGS_COURT_NOTICE_DAYS", value)
    with pytest.raises(ImproperlyConfigured, match=f"CROSSINGS_COURT_NOTICE_DAYS {message}"):
        env_int("CROSSINGS_COURT_NOTICE_DAYS", 0)
    monkeypatch.setenv("CROSSINGS_COURT_NOTICE_DAYS", "21")
    assert env_int("CROSSINGS_COURT_NOTICE_DAYS", 0) == 21
