"""Each deadline rule, with weekend and federal-holiday roll-over. Dates checked by hand on a calendar."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from crossings.legal import deadlines as engine

D = dt.date


def due(trigger, date, outcome="", in_absentia=False):
    return {
        c.rule.code: c.due
        for c in engine.compute(trigger=trigger, date=date, outcome=outcome, in_absentia=in_absentia)
    }


def test_an_ij_removal_order_starts_the_bia_appeal_reconsider_and_reopen_clocks():
    d = due("ij_decision", D(2026, 3, 2), "removal_ordered")  # Monday
    assert d["bia_appeal"] == D(2026, 4, 1)  # +30 = Wed 1 April
    assert d["ij_reconsider"] == D(2026, 4, 1)
    assert d["ij_reopen"] == D(2026, 6, 1)  # +90 = Sun 31 May -> Mon 1 June
    assert d["no_limit_country_conditions"] is None and d["no_limit_joint_motion"] is None
    assert "petition_for_review" not in d


def test_a_due_date_on_christmas_day_moves_to_the_next_business_day():
    # 25 Nov 2026 + 30 days = Friday 25 December 2026, a federal holiday -> Monday 28 December
    d = due("ij_decision", D(2026, 11, 25), "removal_ordered")
    assert d["bia_appeal"] == D(2026, 12, 28)


def test_a_due_date_on_a_sunday_after_new_year_moves_to_monday():
    # 4 Dec 2026 + 30 = Sunday 3 January 2027 -> Monday 4 January 2027
    assert due("ij_decision", D(2026, 12, 4), "removal_ordered")["bia_appeal"] == D(2027, 1, 4)


def test_new_years_day_on_a_friday_rolls_past_the_weekend():
    # 2 Dec 2026 + 30 = Friday 1 January 2027 (holiday) -> Monday 4 January 2027
    assert due("ij_decision", D(2026, 12, 2), "removal_ordered")["bia_appeal"] == D(2027, 1, 4)


def test_an_observed_holiday_counts():
    # 4 June 2027 + 14 ... use July: 4 July 2027 is a Sunday, observed Monday 5 July.
    # 5 June 2027 + 30 = 5 July 2027 (observed Independence Day) -> Tuesday 6 July
    assert due("ij_decision", D(2027, 6, 5), "removal_ordered")["bia_appeal"] == D(2027, 7, 6)


def test_a_bia_dismissal_starts_the_petition_for_review_and_bia_motions():
    d = due("bia_decision", D(2026, 1, 15), "dismissed")  # Thursday
    assert d["petition_for_review"] == D(2026, 2, 17)  # +30 = Sat 14 Feb; Mon 16 Feb is Washington's Birthday
    assert d["bia_reconsider"] == D(2026, 2, 17)
    assert d["bia_reopen"] == D(2026, 4, 15)  # +90 = Wed 15 April


def test_an_in_absentia_order_gets_180_days_and_the_lack_of_notice_exception_but_no_bia_appeal():
    d = due("ij_decision", D(2026, 2, 2), "removal_ordered", in_absentia=True)
    assert d["in_absentia_reopen"] == D(2026, 8, 3)  # +180 = Sat 1 Aug -> Mon 3 Aug
    assert d["no_limit_lack_of_notice"] is None
    assert "bia_appeal" not in d


def test_relief_granted_starts_no_deadline_for_the_respondent():
    assert due("ij_decision", D(2026, 2, 2), "relief_granted") == {}


def test_every_rule_has_a_citation_and_a_known_trigger():
    for rule in engine.rules():
        assert rule.citation and rule.action
        assert rule.trigger in {"ij_decision", "bia_decision"}


@given(st.dates(min_value=D(2000, 1, 1), max_value=D(2060, 12, 31)))
def test_a_rolled_date_is_always_a_business_day_within_five_days(day):
    rolled = engine.next_business_day(day)
    assert rolled.weekday() < 5 and engine.is_business_day(rolled)
    assert 0 <= (rolled - day).days <= 4
