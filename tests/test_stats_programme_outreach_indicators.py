"""The programme statistics show the outreach headline indicators of the user's outreach organisations,
as ``crossings.outreach.indicators`` computes and suppresses them, and cost a fixed number of queries."""

import datetime as dt

import pytest
from django.utils import timezone

from crossings.accounts.roles import OrgKind, Role
from crossings.outreach import indicators
from crossings.outreach.models import Client, Encounter, KeyPopulation
from crossings.stats import programme


def encounter(org, worker, uic, day, population=KeyPopulation.PWID, needles=10):
    client, _ = Client.objects.get_or_create(
        organisation=org,
        uic=uic,
        defaults={"first_seen": day, "last_seen": day, "key_population": population},
    )
    return Encounter.objects.create(  # described at the contact, as record_encounter does
        organisation=org,
        client=client,
        date=day,
        worker=worker,
        needles_syringes=needles,
        key_population=population,
    )


@pytest.fixture
def outreach_org(make_org, make_user):
    org = make_org("Outreach (test)", OrgKind.OUTREACH, "KH")
    worker = make_user(Role.OUTREACH_WORKER, org)
    last_year = timezone.localdate().year - 1
    for i in range(5):
        encounter(org, worker, f"PWID{i}", dt.date(last_year, 6, 1))
    for i in range(2):
        encounter(org, worker, f"SW{i}", dt.date(last_year, 7, 1), KeyPopulation.SEX_WORKER, 0)
    encounter(org, worker, "PWID0", dt.date(last_year - 1, 7, 1))  # outside the period
    return org


def values(stats):
    return {i.key: (i.value, i.suppressed) for i in stats.outreach.indicators}


@pytest.mark.django_db
def test_the_headline_indicators_are_those_of_the_outreach_module(outreach_org, make_user):
    analyst = make_user(Role.ANALYST, outreach_org)
    stats = programme.compute(analyst)
    year = timezone.localdate().year - 1
    assert (stats.outreach.start, stats.outreach.end) == (dt.date(year, 1, 1), dt.date(year, 12, 31))
    got = values(stats)
    assert got["clients_reached"] == (7, False)
    assert got["encounters"] == (7, False)
    assert got["pwid_reached"] == (5, False)
    assert got["needles_syringes"] == (50, False)
    assert got["needles_per_pwid_year"] == (10.0, False)  # 50 needles / 5 people over a whole year
    assert got["hiv_tests"] == (0, False)
    expected = indicators.shared(
        indicators.compute(
            Encounter.objects.filter(organisation=outreach_org),
            indicators.Period(dt.date(year, 1, 1), dt.date(year, 12, 31)),
        )
    )
    for key, (value, hidden) in got.items():
        assert (expected[key] == indicators.SUPPRESSED) == hidden or expected[key] is None
        if not hidden:
            assert expected[key] == value


@pytest.mark.django_db
def test_small_indicator_counts_are_hidden(outreach_org, make_user):
    analyst = make_user(Role.ANALYST, outreach_org)
    year = timezone.localdate().year - 1
    # Only the two sex workers' encounters fall in July.
    stats = programme.compute(analyst, start=dt.date(year, 7, 1), end=dt.date(year, 7, 31))
    got = values(stats)
    assert got["clients_reached"] == (None, True)
    assert got["encounters"] == (None, True)
    assert got["pwid_reached"] == (0, False)
    raw = values(programme.compute(analyst, suppress_small=False, start=dt.date(year, 7, 1)))
    assert raw["clients_reached"] == (2, False)


@pytest.mark.django_db
def test_other_organisations_outreach_is_not_shown(outreach_org, reception, make_user, login):
    assert programme.compute(make_user(Role.ANALYST, reception)).outreach is None
    other = outreach_org.__class__.objects.create(name="Other outreach", kind=OrgKind.OUTREACH, country="KH")
    stats = programme.compute(make_user(Role.ANALYST, other))
    assert stats.outreach is not None and stats.outreach.organisations == [other.pk]
    assert values(stats)["encounters"] == (0, False)
    body = login(make_user(Role.ANALYST, outreach_org)).get("/api/stats/programme").json()
    assert body["outreach"]["organisations"] == [outreach_org.pk]
    assert {i["key"]: i["value"] for i in body["outreach"]["indicators"]}["clients_reached"] == 7


@pytest.mark.django_db
def test_the_page_and_api_cost_a_fixed_number_of_queries(
    outreach_org, reception, make_user, login, django_assert_num_queries, django_assert_max_num_queries
):
    analyst = make_user(Role.ANALYST, outreach_org)
    from crossings.accounts.models import Membership

    Membership.objects.create(user=analyst, organisation=reception, role=Role.ANALYST)
    client = login(analyst)
    with django_assert_max_num_queries(40) as first_page:
        assert client.get("/stats/programme/").status_code == 200
    with django_assert_max_num_queries(40) as first_api:
        assert client.get("/api/stats/programme").status_code == 200
    worker = make_user(Role.OUTREACH_WORKER, outreach_org)
    year = timezone.localdate().year - 1
    for i in range(30):
        encounter(outreach_org, worker, f"MORE{i}", dt.date(year, 1 + i % 12, 1))
    with django_assert_num_queries(len(first_page.captured_queries)):
        client.get("/stats/programme/")
    with django_assert_num_queries(len(first_api.captured_queries)):
        client.get("/api/stats/programme")
