"""Services delivered (per service and year, with total cost) and follow-up reintegration scores (per
follow-up month and arrival cohort, with the people behind each mean), on hand-computed fixtures; only
the user's organisations are counted, and small cells are hidden with a second cell where needed."""

import datetime as dt
from decimal import Decimal

import pytest

from crossings.accounts.roles import OrgKind, Role
from crossings.people.models import Person
from crossings.reception.models import Arrival, ArrivalBatch, FollowUp, Service, ServiceDelivery
from crossings.stats import programme
from crossings.stats.programme import suppress_grid


def person(org):
    return Person.objects.create(organisation=org, family_name="Secretname")


def deliver(org, staff, service, day, costs, people=None):
    """One delivery per cost; ``people`` (default: one new person per delivery) receive them in turn."""
    people = people or [person(org) for _ in costs]
    for i, cost in enumerate(costs):
        ServiceDelivery.objects.create(
            person=people[i % len(people)],
            organisation=org,
            service=service,
            date=day,
            cost=Decimal(cost),
            delivered_by=staff,
        )


def follow_ups(org, staff, arrived, months, scores):
    """One arrival on a flight on ``arrived`` per score tuple (economic, social, psychosocial, overall),
    each with its ``months`` follow-up recorded."""
    batch, _ = ArrivalBatch.objects.get_or_create(
        organisation=org, flight="PP1", date=arrived, defaults={"created_by": staff}
    )
    for econ, social, psycho, overall in scores:
        arrival = Arrival.objects.create(batch=batch, person=person(org))
        FollowUp.objects.create(
            person=arrival.person,
            organisation=org,
            arrival=arrival,
            months=months,
            due_on=arrived + dt.timedelta(days=30 * months),
            recorded_on=arrived + dt.timedelta(days=30 * months),
            recorded_by=staff,
            economic=econ,
            social=social,
            psychosocial=psycho,
            overall=overall,
        )


@pytest.fixture
def staff(reception, make_user):
    return make_user(Role.CASEWORKER, reception)


@pytest.fixture
def services(reception, staff):
    housing = Service.objects.create(organisation=reception, code="housing", name="Housing stipend")
    documents = Service.objects.create(organisation=reception, code="documents", name="Documents")
    khmer = Service.objects.create(organisation=reception, code="khmer", name="Khmer class")
    deliver(reception, staff, housing, dt.date(2022, 2, 1), ["50"] * 6)  # 6 people, $300
    deliver(reception, staff, housing, dt.date(2023, 2, 1), ["40"] * 5)  # 5 people, $200
    five = [person(reception) for _ in range(5)]
    deliver(reception, staff, documents, dt.date(2022, 3, 1), ["10"] * 5 + ["15", "15"], five)  # 7 to 5, $80
    deliver(reception, staff, documents, dt.date(2023, 12, 31), ["25", "25"])  # 2 people, $50
    deliver(reception, staff, khmer, dt.date(2022, 1, 1), ["0"] * 8)
    deliver(reception, staff, khmer, dt.date(2023, 1, 1), ["0"] * 9)


@pytest.fixture
def scores(reception, staff):
    # Cohort 2021: six people at one month, five of them at three months.
    follow_ups(
        reception,
        staff,
        dt.date(2021, 3, 10),
        1,
        [(1, 2, 3, 2), (2, 2, 3, 2), (3, 2, 3, 3), (4, 2, 3, 3), (5, 2, 3, 4), (6, 2, 3, 4)],
    )
    follow_ups(
        reception,
        staff,
        dt.date(2021, 3, 10),
        3,
        [(2, 1, 5, 3), (4, 2, 5, 3), (6, 3, 5, 3), (8, 4, 5, 3), (10, 5, 5, 3)],
    )
    # Cohort 2022: five people at one month, one without a psychosocial score.
    follow_ups(
        reception,
        staff,
        dt.date(2022, 5, 5),
        1,
        [(4, 3, 1, 5), (4, 3, 1, 5), (4, 3, 1, 5), (4, 3, 1, 5), (4, 3, None, 5)],
    )
    # A follow-up not yet recorded counts for nothing.
    batch = ArrivalBatch.objects.get(organisation=reception, date=dt.date(2022, 5, 5))
    arrival = Arrival.objects.create(batch=batch, person=person(reception))
    FollowUp.objects.create(
        person=arrival.person, organisation=reception, arrival=arrival, months=6, due_on=dt.date(2022, 11, 5)
    )


def services_table(stats):
    return {(c.code, c.year): (c.deliveries, c.people, c.cost, c.suppressed) for c in stats.services}


@pytest.mark.django_db
def test_services_are_counted_per_service_and_year_with_their_total_cost(services, reception, make_user):
    stats = programme.compute(make_user(Role.ANALYST, reception), suppress_small=False)
    assert services_table(stats) == {
        ("housing", 2022): (6, 6, Decimal("300.00"), False),
        ("housing", 2023): (5, 5, Decimal("200.00"), False),
        ("documents", 2022): (7, 5, Decimal("80.00"), False),
        ("documents", 2023): (2, 2, Decimal("50.00"), False),
        ("khmer", 2022): (8, 8, Decimal("0.00"), False),
        ("khmer", 2023): (9, 9, Decimal("0.00"), False),
    }
    assert [c.service for c in stats.services] == ["Documents"] * 2 + ["Housing stipend"] * 2 + [
        "Khmer class"
    ] * 2
    period = programme.compute(
        make_user(Role.ANALYST, reception),
        suppress_small=False,
        start=dt.date(2023, 1, 1),
        end=dt.date(2023, 12, 31),
    )
    assert {k[1] for k in services_table(period)} == {2023}


@pytest.mark.django_db
def test_small_service_cells_hide_their_cost_and_enough_others(services, reception, make_user):
    stats = programme.compute(make_user(Role.ANALYST, reception))
    hidden = (None, None, None, True)
    # documents 2023 (2 people) is hidden; then one more in its line (documents 2022) and its column
    # (housing 2023, the smaller of 5 and 9), then housing 2022 for the housing line.
    assert services_table(stats) == {
        ("housing", 2022): hidden,
        ("housing", 2023): hidden,
        ("documents", 2022): hidden,
        ("documents", 2023): hidden,
        ("khmer", 2022): (8, 8, Decimal("0.00"), False),
        ("khmer", 2023): (9, 9, Decimal("0.00"), False),
    }


def test_the_grid_rule_leaves_no_line_or_column_with_a_single_hidden_cell():
    grid = {("a", 1): 3, ("a", 2): 10, ("b", 1): 12, ("b", 2): 20, ("c", 1): 0, ("c", 2): 7}
    hidden = suppress_grid(grid)
    # a1 is small; a2 goes with it (line a), b1 (column 1), c2 (column 2, 7 < 20), then b2 (line b). The
    # zero in c1 is not hidden: a zero is no one.
    assert hidden == {("a", 1), ("a", 2), ("b", 1), ("b", 2), ("c", 2)}
    assert suppress_grid(grid, axes=(1,)) == {("a", 1), ("b", 1)}
    assert suppress_grid({("a", 1): 0, ("a", 2): 5}) == set()


def score_map(cells):
    return {
        (c.cohort, c.months): {d: (s.mean, s.people, s.suppressed) for d, s in c.scores.items()}
        for c in cells
    }


@pytest.mark.django_db
def test_scores_are_averaged_per_follow_up_month_and_cohort(scores, reception, make_user):
    stats = programme.compute(make_user(Role.ANALYST, reception), suppress_small=False)
    by_cohort = score_map(stats.scores_by_cohort)
    assert by_cohort == {
        (2021, 1): {
            "economic": (3.5, 6, False),
            "social": (2.0, 6, False),
            "psychosocial": (3.0, 6, False),
            "overall": (3.0, 6, False),
        },
        (2021, 3): {
            "economic": (6.0, 5, False),
            "social": (3.0, 5, False),
            "psychosocial": (5.0, 5, False),
            "overall": (3.0, 5, False),
        },
        (2022, 1): {
            "economic": (4.0, 5, False),
            "social": (3.0, 5, False),
            "psychosocial": (1.0, 4, False),
            "overall": (5.0, 5, False),
        },
    }
    by_month = score_map(stats.scores_by_month)
    assert by_month == {
        (None, 1): {
            "economic": (3.73, 11, False),  # (21 + 20) / 11
            "social": (2.45, 11, False),  # (12 + 15) / 11
            "psychosocial": (2.2, 10, False),  # (18 + 4) / 10
            "overall": (3.91, 11, False),  # (18 + 25) / 11
        },
        (None, 3): by_cohort[(2021, 3)],
    }


@pytest.mark.django_db
def test_a_mean_over_fewer_than_five_is_hidden_with_another_in_its_month(scores, reception, make_user):
    stats = programme.compute(make_user(Role.ANALYST, reception))
    by_cohort = score_map(stats.scores_by_cohort)
    hidden = (None, None, True)
    assert by_cohort[(2022, 1)]["psychosocial"] == hidden  # 4 people
    assert by_cohort[(2021, 1)]["psychosocial"] == hidden  # else 10 × 2.2 − 6 × 3.0 gives it away
    assert by_cohort[(2021, 1)]["economic"] == (3.5, 6, False)
    assert score_map(stats.scores_by_month)[(None, 1)]["psychosocial"] == (2.2, 10, False)


@pytest.mark.django_db
def test_another_organisations_services_and_scores_are_never_counted(
    services, scores, reception, make_org, make_user
):
    other = make_org("Other reception", OrgKind.RECEPTION, "KH")
    other_staff = make_user(Role.CASEWORKER, other)
    # The other organisation serves and follows up people, including one of ours.
    ours = Person.objects.filter(organisation=reception).first()
    theirs = Service.objects.create(organisation=other, code="housing", name="Housing stipend")
    deliver(other, other_staff, theirs, dt.date(2022, 2, 1), ["999"] * 6, [ours])
    follow_ups(other, other_staff, dt.date(2021, 3, 10), 1, [(10, 10, 10, 10)] * 6)

    mine = programme.compute(make_user(Role.ANALYST, reception), suppress_small=False)
    assert services_table(mine)[("housing", 2022)] == (6, 6, Decimal("300.00"), False)
    assert score_map(mine.scores_by_cohort)[(2021, 1)]["economic"] == (3.5, 6, False)

    theirs_stats = programme.compute(make_user(Role.ANALYST, other), suppress_small=False)
    assert services_table(theirs_stats) == {("housing", 2022): (6, 1, Decimal("5994.00"), False)}
    assert score_map(theirs_stats.scores_by_cohort) == {
        (2021, 1): {d: (10.0, 6, False) for d in programme.DIMENSIONS}
    }
    outsider = programme.compute(make_user(Role.ANALYST, make_org("Research", OrgKind.RESEARCH, "KH")))
    assert outsider.services == [] and outsider.scores_by_cohort == [] and outsider.scores_by_month == []


@pytest.mark.django_db
def test_the_api_and_page_carry_them_suppressed_and_without_names(
    services, scores, reception, make_user, login
):
    client = login(make_user(Role.ANALYST, reception))
    body = client.get("/api/stats/programme").json()
    assert "Secretname" not in str(body)
    services_out = {(s["code"], s["year"]): s for s in body["services"]}
    assert services_out[("khmer", 2023)] == {
        "code": "khmer",
        "service": "Khmer class",
        "year": 2023,
        "deliveries": 9,
        "people": 9,
        "cost": "0.00",
        "suppressed": False,
    }
    assert services_out[("documents", 2023)]["cost"] is None
    for s in body["services"]:
        assert s["suppressed"] or s["people"] >= 5
    for c in body["scores_by_month"] + body["scores_by_cohort"]:
        for d in programme.DIMENSIONS:
            assert c[d]["suppressed"] or c[d]["people"] >= 5
    assert body["outreach"] is None
    html = client.get("/stats/programme/").content.decode()
    assert "Secretname" not in html
    assert 'data-testid="table-services"' in html and "Khmer class" in html
    assert 'data-testid="table-scores-cohort"' in html and "3.73 (11)" in html


@pytest.mark.django_db
def test_services_and_scores_cost_one_query_each_whatever_their_number(
    services, scores, reception, staff, make_user, django_assert_num_queries
):
    analyst = make_user(Role.ANALYST, reception)
    analyst.scope.orgs_with  # noqa: B018 (the scope is loaded once per user)
    # people, journey events, services, scores, the outreach organisations among the user's
    with django_assert_num_queries(5):
        programme.compute(analyst)
    housing = Service.objects.get(code="housing")
    deliver(reception, staff, housing, dt.date(2024, 1, 1), ["1"] * 20)
    follow_ups(reception, staff, dt.date(2024, 1, 1), 12, [(1, 1, 1, 1)] * 20)
    with django_assert_num_queries(5):
        stats = programme.compute(analyst)
    assert services_table(stats)[("housing", 2024)] == (20, 20, Decimal("20.00"), False)


@pytest.mark.django_db
def test_the_xlsx_report_carries_them_suppressed(services, scores, reception, make_user):
    import io

    import openpyxl

    from crossings.stats import reports
    from crossings.stats.models import Report

    analyst = make_user(Role.ANALYST, reception)
    report = Report.objects.create(
        organisation=reception,
        requested_by=analyst,
        period_start=dt.date(2020, 1, 1),
        period_end=dt.date(2023, 12, 31),
        language="en",
        format=Report.Format.XLSX,
    )
    done = reports.build(report.pk)
    sheet = openpyxl.load_workbook(io.BytesIO(bytes(done.content))).worksheets[0]
    rows = [tuple(c for c in row) for row in sheet.iter_rows(values_only=True)]
    assert ("Khmer class", 2023, 9, 9, 0.0) in [r[:5] for r in rows]
    assert ("Documents", 2023, "fewer than 5", "fewer than 5", "fewer than 5") in [r[:5] for r in rows]
    assert "All" in [r[0] for r in rows] and "Secretname" not in str(rows)
