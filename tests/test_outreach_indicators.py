"""Each indicator against a hand-computed fixture, small-count suppression, and the indicators API."""

import datetime as dt
import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crossings.accounts.roles import OrgKind, Role
from crossings.outreach import encounters, indicators
from crossings.outreach.encounters import EncounterData
from crossings.outreach.indicators import Period
from crossings.outreach.models import Encounter

pytestmark = pytest.mark.django_db
A, B, C, D = "DASO0105011985", "SOKI0101062004", "MAPH9901011970", "THCH0315081995"


@pytest.fixture
def org(make_org: Any) -> Any:
    return make_org("Outreach indicators", OrgKind.OUTREACH, "KH")


@pytest.fixture
def worker(make_user: Any, org: Any) -> Any:
    return make_user(Role.OUTREACH_WORKER, org, username="w1")


@pytest.fixture
def fixture(org: Any, worker: Any) -> None:
    rows = [
        (A, "2026-01-05", "male", "pwid", {"needles_syringes": 50}),
        (A, "2026-02-05", "male", "pwid", {"needles_syringes": 50}),
        (
            A,
            "2026-03-05",
            "male",
            "pwid",
            {"needles_syringes": 100, "hiv_test": "reactive", "referral": "ost", "referral_completed": True},
        ),
        (B, "2026-01-10", "female", "pwid", {"needles_syringes": 30}),
        (
            B,
            "2026-03-10",
            "female",
            "pwid",
            {"condoms": 10, "hiv_test": "non_reactive", "referral": "hiv_treatment"},
        ),
        (C, "2026-02-15", "male", "pwud", {"condoms": 5, "referral": "ost"}),
        (D, "2026-03-20", "female", "sw", {"condoms": 20, "hiv_test": "non_reactive"}),
        (A, "2026-04-01", "male", "pwid", {"needles_syringes": 999}),  # outside Q1
    ]
    for code, day, sex, kp, extra in rows:
        data = EncounterData(
            uic=code,
            date=dt.date.fromisoformat(day),
            district="Chamkar Mon",
            sex=sex,
            key_population=kp,
            **extra,
        )
        assert data.check() == {}
        encounters.record_encounter(organisation_id=org.pk, worker=worker, data=data)


def test_quarter_indicators_match_hand_computation(fixture: None, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(6):
        ind = indicators.compute(Encounter.objects.all(), Period.quarter(2026, 1))
    assert (ind.clients_reached, ind.encounters, ind.pwid_reached, ind.pwid_given_needles) == (4, 7, 2, 2)
    assert ind.needles_syringes == 230
    assert ind.needles_per_pwid_year == 466.4  # 230 / 2 PWID * 365 / 90 days
    assert (ind.clients_every_month, ind.reached_monthly_share) == (1, 0.25)
    assert (ind.pwid_every_month, ind.regular_access_share) == (1, 0.5)
    assert (ind.hiv_tests, ind.hiv_reactive) == (3, 1)
    assert (ind.referrals_made, ind.referrals_completed, ind.ost_referrals, ind.ost_referrals_completed) == (
        3,
        1,
        2,
        1,
    )
    assert ind.referrals_by_type == {
        "hiv_treatment": {"made": 1, "completed": 0},
        "ost": {"made": 2, "completed": 1},
    }
    assert ind.by_key_population == {"pwid": 2, "pwud": 1, "sw": 1}
    assert ind.by_sex == {"female": 2, "male": 2}
    assert ind.by_age_band == {"20-24": 1, "25-49": 2, "50+": 1}
    assert ind.condoms == 35


def test_month_indicators_match_hand_computation(fixture: None) -> None:
    ind = indicators.compute(Encounter.objects.all(), Period.month(2026, 3))
    assert (ind.clients_reached, ind.needles_syringes, ind.pwid_given_needles) == (3, 100, 1)
    assert ind.needles_per_pwid_year == 1177.4  # 100 * 365 / 31
    assert ind.reached_monthly_share == 1.0


@pytest.mark.parametrize(
    ("period", "every_month"),
    [
        (Period.quarter(2026, 1), (1, 1)),  # PostgreSQL counts a quarter's months with flags
        (Period(dt.date(2026, 1, 1), dt.date(2026, 4, 30)), (1, 1)),  # longer periods with DISTINCT
        (Period(dt.date(2026, 2, 1), dt.date(2026, 4, 30)), (1, 1)),
        (Period(dt.date(2026, 1, 1), dt.date(2026, 6, 30)), (0, 0)),  # nobody was seen in May
    ],
)
def test_reached_every_month_whatever_the_length(fixture: None, period: Period, every_month: Any) -> None:
    """Only client A was seen, and given needles, in each of January to April."""
    ind = indicators.compute(Encounter.objects.all(), period)
    assert (ind.clients_every_month, ind.pwid_every_month) == every_month


def test_breakdown_by_month_and_worker(fixture: None) -> None:
    rows = indicators.breakdown(Encounter.objects.all(), Period.quarter(2026, 1), "month")
    assert [(r["key"], r["clients"], r["needles_syringes"]) for r in rows] == [
        ("2026-01", 2, 80),
        ("2026-02", 2, 50),
        ("2026-03", 3, 100),
    ]
    (worker_row,) = indicators.breakdown(Encounter.objects.all(), Period.quarter(2026, 1), "worker")
    assert (worker_row["key"], worker_row["encounters"], worker_row["referrals_made"]) == ("w1", 7, 3)


def test_small_counts_are_suppressed_with_a_complementary_cell() -> None:
    assert indicators.suppress_cells({"a": 10, "b": 3, "c": 20, "d": 0}) == {
        "a": "<5",
        "b": "<5",
        "c": 20,
        "d": 0,
    }
    assert indicators.suppress_cells({"a": 2, "b": 3, "c": 20}) == {"a": "<5", "b": "<5", "c": 20}
    assert indicators.suppress_cells({"a": 5}) == {"a": 5}


def test_shared_indicators_hide_small_counts_and_their_ratios(fixture: None) -> None:
    shared = indicators.shared(indicators.compute(Encounter.objects.all(), Period.quarter(2026, 1)))
    assert shared["clients_reached"] == "<5" and shared["encounters"] == 7
    assert shared["needles_syringes"] == 230
    assert shared["needles_per_pwid_year"] is None  # from 2 PWID: could identify them
    assert set(shared["by_key_population"].values()) == {"<5"}
    assert shared["nsp_target"] == 200


def test_indicators_api_and_its_shared_form(fixture: None, worker: Any, login: Any) -> None:
    client = login(worker)
    body = client.get("/api/outreach/indicators", {"year": 2026, "quarter": 1}).json()
    assert body["clients_reached"] == 4 and body["needles_per_pwid_year"] == 466.4
    shared = client.get("/api/outreach/indicators", {"year": 2026, "quarter": 1, "shared": "true"}).json()
    assert shared["clients_reached"] == "<5"
    assert client.get("/api/outreach/indicators", {"year": 2026}).status_code == 422


def test_other_organisations_and_roles_see_nothing(
    fixture: None, make_user: Any, make_org: Any, advocacy: Any, login: Any
) -> None:
    other = make_user(Role.OUTREACH_WORKER, make_org("Other outreach", OrgKind.OUTREACH, "KH"))
    assert (
        login(other).get("/api/outreach/indicators", {"year": 2026, "quarter": 1}).json()["clients_reached"]
        == 0
    )
    assert login(other).get("/api/outreach/clients").json()["count"] == 0
    caseworker = make_user(Role.CASEWORKER, advocacy)
    assert login(caseworker).get("/api/outreach/clients").status_code == 403
    assert login(caseworker).get("/outreach/indicators/").status_code == 403


def test_indicator_page_and_donor_report(
    fixture: None, worker: Any, login: Any, django_assert_max_num_queries: Any
) -> None:
    client = login(worker)
    with django_assert_max_num_queries(20):
        page = client.get("/outreach/indicators/", {"month": "2026-03"})
    assert page.status_code == 200
    assert b'data-testid="clients-reached">3<' in page.content
    assert "Person who injects drugs: 2" in page.content.decode()  # labels, not stored codes
    report = client.get("/outreach/reports/quarterly.xlsx", {"year": 2026, "quarter": 1})
    assert report.status_code == 200
    import io

    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(report.content))["Quarter"]
    values = {row[0]: row[1:] for row in ws.iter_rows(values_only=True) if row and row[0]}
    assert values["Clients reached"][:4] == ("<5", "<5", "<5", "<5")
    assert values["Needles and syringes distributed"][:4] == (230, 80, 50, 100)
    km = client.get("/outreach/reports/quarterly.xlsx", {"year": 2026, "quarter": 1, "lang": "km"})
    assert km.status_code == 200


def test_nothing_in_scope_gives_zeros_not_an_error() -> None:
    empty = indicators.compute(Encounter.objects.none(), Period.month(2026, 3))
    assert (empty.clients_reached, empty.encounters, empty.by_key_population) == (0, 0, {})


def test_a_period_counts_clients_as_they_were_then(org: Any, worker: Any) -> None:
    """A report for a past quarter does not change when the client is described differently later; within
    the period a client counts once, among people who inject if they injected at any contact."""
    born_2001 = "DASO0201062001"  # born 1 June 2001: 24 in the first quarter of 2026, 25 from June

    def seen(day: str, sex: str, kp: str) -> None:
        data = EncounterData(
            uic=born_2001, date=dt.date.fromisoformat(day), district="Daun Penh", sex=sex, key_population=kp
        )
        assert data.check() == {}
        encounters.record_encounter(organisation_id=org.pk, worker=worker, data=data)

    def described(period: Period) -> tuple[Any, ...]:
        result = indicators.compute(Encounter.objects.filter(organisation=org), period)
        return result.clients_reached, result.by_key_population, result.by_sex, result.by_age_band

    seen("2026-01-10", "unknown", "pwud")
    seen("2026-02-10", "female", "pwid")
    q1 = described(Period.quarter(2026, 1))
    assert q1 == (1, {"pwid": 1}, {"female": 1}, {"20-24": 1})

    seen("2026-07-01", "female", "sw")  # later: now a sex worker, and 25
    assert described(Period.quarter(2026, 1)) == q1
    assert described(Period.quarter(2026, 3)) == (1, {"sw": 1}, {"female": 1}, {"25-49": 1})


def test_breakdowns_load_after_the_headline_and_as_pages_of_their_own(
    fixture: None, worker: Any, login: Any, django_assert_num_queries: Any
) -> None:
    client = login(worker)
    with django_assert_num_queries(7):  # session, user, roles; the three indicator queries; the sites
        page = client.get(
            "/outreach/indicators/", {"quarter": "2026-Q1", "site": "", "worker": str(worker.pk)}
        )
    html = page.content.decode()
    # the headline page runs the three indicator queries, not the breakdowns; each table is fetched with
    # the period resolved by the page and the filters it was given
    for by in ("month", "site", "worker"):
        assert f'hx-get="/outreach/indicators/by/{by}/?quarter=2026-Q1&amp;worker={worker.pk}"' in html
    with django_assert_num_queries(4):  # session, user, roles; the breakdown
        fragment = client.get(
            "/outreach/indicators/by/month/", {"quarter": "2026-Q1"}, headers={"HX-Request": "true"}
        )
    text = fragment.content.decode()
    assert fragment.status_code == 200 and text.lstrip().startswith('<div class="table-wrap"><table')
    assert "2026-02" in text and "<html" not in text
    whole = client.get("/outreach/indicators/by/worker/", {"quarter": "2026-Q1"})
    assert "<html" in whole.content.decode() and ">w1<" in whole.content.decode()
    assert client.get("/outreach/indicators/by/uic/").status_code == 404


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"period": "2026-Q3"}, ("quarter", "2026-Q3", dt.date(2026, 7, 1), dt.date(2026, 9, 30))),
        ({"period": "2026-02"}, ("month", "2026-02", dt.date(2026, 2, 1), dt.date(2026, 2, 28))),
        ({"month": "2026-2"}, ("month", "2026-02", dt.date(2026, 2, 1), dt.date(2026, 2, 28))),
        ({"quarter": "2025-Q4", "month": "2026-01"}, ("quarter", "2025-Q4", dt.date(2025, 10, 1), None)),
        ({"period": "2026-Q5"}, ("month", "2026-11", dt.date(2026, 11, 1), None)),  # unreadable: this month
        ({"period": "2026-13"}, ("month", "2026-11", dt.date(2026, 11, 1), None)),
        ({"period": "<script>"}, ("month", "2026-11", dt.date(2026, 11, 1), None)),
    ],
)
def test_the_period_is_read_from_the_picker_or_a_link(params: dict[str, str], expected: Any) -> None:
    from crossings.outreach.views import period_from

    period, kind, value = period_from(params, today=dt.date(2026, 11, 28))
    assert (kind, value, period.start) == expected[:3]
    assert expected[3] is None or period.end == expected[3]


@settings(max_examples=200)
@given(st.dates(min_value=dt.date(2001, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_the_picker_offers_thirteen_months_and_eight_quarters_back_from_today(today: dt.date) -> None:
    from crossings.outreach.views import period_choices, period_from

    shown = period_from({}, today=today)
    choices = period_choices(today, shown=(shown[1], shown[0]))
    months = [dt.date.fromisoformat(f"{v}-01") for v, _d in choices["months"]]
    assert months[0] == today.replace(day=1) and len(months) == len(set(months)) == 13
    assert all((a - b).days in (28, 29, 30, 31) for a, b in itertools.pairwise(months))
    quarters = [period_from({"period": v})[0] for v, _label in choices["quarters"]]
    assert quarters[0].start <= today <= quarters[0].end and len(quarters) == 8
    assert all(b.end + dt.timedelta(days=1) == a.start for a, b in itertools.pairwise(quarters))


def test_the_page_keeps_an_older_period_chosen_by_link_and_offers_its_quarters_donor_report(
    fixture: None, worker: Any, login: Any
) -> None:
    html = login(worker).get("/outreach/indicators/", {"month": "2024-02"}).content.decode()
    assert '<option value="2024-02" selected>' in html  # not in the last thirteen months, still offered
    assert "quarterly.xlsx?year=2024&amp;quarter=1" in html
    html = login(worker).get("/outreach/indicators/", {"period": "2026-Q1"}).content.decode()
    assert '<option value="2026-Q1" selected>' in html and 'data-testid="clients-reached">4<' in html


@pytest.mark.parametrize(
    "params",
    [
        {"site": "²"},
        {"worker": "٣"},
        {"site": "9" * 23},
        {"worker": "9" * 5000},
        {"period": "9999-12"},
        {"quarter": "9999-Q4"},
        {"month": "0001-01"},
    ],
)
def test_a_malformed_filter_or_period_is_ignored_not_a_server_error(
    fixture: None, worker: Any, login: Any, params: dict[str, str]
) -> None:
    client = login(worker)
    for url in ("/outreach/indicators/", "/outreach/indicators/by/site/"):
        assert client.get(url, params).status_code == 200, (url, params)
    assert client.get("/outreach/reports/quarterly.xlsx", {"year": 9999, "quarter": 4}).status_code == 200


def test_the_api_refuses_a_site_no_id_can_be(fixture: None, worker: Any, login: Any) -> None:
    client = login(worker)
    response = client.get("/api/outreach/indicators", {"year": 2026, "quarter": 1, "site_id": 10**30})
    assert response.status_code == 422
    assert client.get("/api/outreach/indicators", {"year": 9999, "month": 12}).status_code == 422


def test_a_breakdown_says_its_answer_depends_on_htmx(fixture: None, worker: Any, login: Any) -> None:
    response = login(worker).get("/outreach/indicators/by/site/")
    assert "HX-Request" in response["Vary"]


def test_an_empty_period_counts_nobody_on_either_database(fixture: None) -> None:
    backwards = Period(dt.date(2026, 4, 1), dt.date(2026, 3, 10))
    assert indicators.compute(Encounter.objects.all(), backwards).clients_every_month == 0


@pytest.mark.parametrize(("month", "quarter"), [(13, None), (-(10**12), None), (None, 0), (None, -911780200)])
def test_a_month_or_quarter_out_of_range_is_a_422(
    fixture: None, worker: Any, login: Any, month: int | None, quarter: int | None
) -> None:
    params = {"year": 2026, **({"month": month} if month is not None else {"quarter": quarter})}
    assert login(worker).get("/api/outreach/indicators", params).status_code == 422


def test_the_submissions_api_refuses_an_unknown_status(worker: Any, login: Any) -> None:
    client = login(worker)
    assert client.get("/api/outreach/submissions", {"status": "failed"}).status_code == 200
    response = client.get("/api/outreach/submissions", {"status": "J\x00Q"})
    assert response.status_code == 422 and "status must be one of" in response.json()["detail"]
