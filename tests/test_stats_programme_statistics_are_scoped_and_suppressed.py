"""Programme statistics count only the user's organisations' people, never show a person, and show any
count from 1 to 4 as "fewer than 5" (with a second cell hidden when one alone could be derived)."""

import datetime as dt

import pytest

from crossings.accounts.roles import OrgKind, Role
from crossings.people.models import JourneyEvent, Person
from crossings.stats import programme
from crossings.stats.programme import Row, suppress


def add_person(org, *, born, us_arrival, removed, birthplace="province", arrived=None):
    person = Person.objects.create(
        organisation=org,
        family_name="Test",
        birth_date=born,
        us_arrival_date=us_arrival,
        birthplace_kind=birthplace,
        birthplace_province="battambang" if birthplace == "province" else "",
        birthplace_camp="khao_i_dang" if birthplace == "camp" else "",
    )
    if removed:
        JourneyEvent.objects.create(person=person, kind="removed", date=removed, organisation=org)
        JourneyEvent.objects.create(person=person, kind="arrived", date=arrived or removed, organisation=org)
    return person


def test_small_cells_are_hidden_and_a_lone_hidden_cell_takes_another_with_it():
    rows = suppress([Row("a", 12), Row("b", 3), Row("c", 7), Row("d", 0)])
    assert [(r.label, r.count, r.suppressed) for r in rows] == [
        ("a", 12, False),
        ("b", None, True),
        ("c", None, True),  # the smallest other non-zero cell, so b cannot be worked out from a total
        ("d", 0, False),
    ]
    both = suppress([Row("a", 1), Row("b", 2), Row("c", 9)])
    assert [r.count for r in both] == [None, None, 9]


@pytest.fixture
def served(reception):
    # Six removed in 2019 after 35 years in the US, born in Thai camps, arrived in the US aged 4.
    for i in range(6):
        add_person(
            reception,
            born=dt.date(1980, 1, 1 + i),
            us_arrival=dt.date(1984, 6, 1),
            removed=dt.date(2019, 7, 1),
            birthplace="camp",
        )
    # Two removed in 2020 (a small cell).
    for i in range(2):
        add_person(
            reception,
            born=dt.date(1990, 1, 1),
            us_arrival=dt.date(1995, 1, 1),
            removed=dt.date(2020, 3, 1 + i),
        )


@pytest.mark.django_db
def test_the_tables_count_arrivals_ages_years_in_the_us_and_birthplaces(served, reception, make_user):
    analyst = make_user(Role.ANALYST, reception)
    stats = programme.compute(analyst)
    assert stats.people == 8
    arrivals = {r.label: (r.count, r.suppressed) for r in stats.table("arrivals").rows}
    assert arrivals == {"2019": (None, True), "2020": (None, True)}  # 6 alone would reveal the 2
    unsuppressed = programme.compute(analyst, suppress_small=False)
    assert {r.label: r.count for r in unsuppressed.table("arrivals").rows} == {"2019": 6, "2020": 2}
    assert {r.label: r.count for r in unsuppressed.table("years_in_us").rows}["30+"] == 6
    assert {r.label: r.count for r in unsuppressed.table("age_at_us_arrival").rows}["0–4"] == 6
    assert {r.label: r.count for r in unsuppressed.table("age_at_removal").rows}["35–44"] == 6
    birthplace = {r.label: r.count for r in stats.table("birthplace").rows}
    assert birthplace["Thai border camps"] is None and birthplace["Cambodia"] is None  # 2 hidden, so 6 too
    assert {r.label: r.count for r in unsuppressed.table("birthplace").rows}["Thai border camps"] == 6
    assert stats.average_years_in_us == (6 * 35 + 2 * 25) / 8  # over 8 people, so it may be shown


@pytest.mark.django_db
def test_another_organisation_sees_none_of_it(served, make_org, make_user, login):
    other = make_org("Elsewhere", OrgKind.RESEARCH, "KH")
    analyst = make_user(Role.ANALYST, other)
    assert programme.compute(analyst).people == 0
    body = login(analyst).get("/api/stats/programme").json()
    assert body["people"] == 0 and body["organisations"] == [other.pk]


@pytest.mark.django_db
def test_the_page_and_api_show_no_person_and_suppress_small_counts(served, reception, make_user, login):
    client = login(make_user(Role.ANALYST, reception))
    html = client.get("/stats/programme/").content.decode()
    assert "fewer than 5" in html and "Test" not in html
    body = client.get("/api/stats/programme").json()
    counts = [r["count"] for t in body["tables"] for r in t["rows"]]
    assert all(c is None or c == 0 or c >= 5 for c in counts)
    assert body["suppression_threshold"] == 5


@pytest.mark.django_db
def test_the_page_query_count_does_not_grow_with_people(
    reception, make_user, login, django_assert_max_num_queries
):
    client = login(make_user(Role.ANALYST, reception))
    add_person(
        reception, born=dt.date(1980, 1, 1), us_arrival=dt.date(1984, 1, 1), removed=dt.date(2019, 1, 1)
    )
    with django_assert_max_num_queries(12) as first:
        assert client.get("/stats/programme/").status_code == 200
    for i in range(20):
        add_person(
            reception,
            born=dt.date(1970 + i, 1, 1),
            us_arrival=dt.date(1990, 1, 1),
            removed=dt.date(2010 + i % 5, 1, 1),
        )
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get("/stats/programme/")
