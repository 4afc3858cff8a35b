"""`crossings stats removals` and GET /api/stats/removals answer the same rows; the API is public."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from crossings.stats.reference import load_reference


@pytest.fixture
def reference(db):
    load_reference()


def run(*args):
    out = io.StringIO()
    call_command("stats", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_cli_prints_every_known_year_as_csv(reference):
    rows = list(csv.DictReader(io.StringIO(run("removals", "--country", "Cambodia"))))
    assert list(rows[0]) == ["year", "total", "criminal", "non_criminal", "source"]
    by_year = {r["year"]: r for r in rows}
    assert by_year["2003"]["total"] == "58" and by_year["2003"]["criminal"] == "49"
    assert by_year["1995"]["criminal"] == "withheld"
    assert by_year["2018"]["criminal"] == ""  # not published, not zero
    assert "2010" not in by_year
    assert [int(y) for y in by_year] == sorted(int(y) for y in by_year)


@pytest.mark.django_db
def test_the_cli_json_and_the_api_are_the_same(reference):
    cli = json.loads(run("removals", "--country", "Cambodia", "--format", "json"))
    response = Client().get("/api/stats/removals", {"country": "cambodia"})
    assert response.status_code == 200
    body = response.json()
    assert body["years"] == cli
    assert body["country"] == "Cambodia"
    assert body["missing_years"] == list(range(2004, 2016))


@pytest.mark.django_db
def test_the_average_states_how_many_years_had_data(reference):
    body = (
        Client()
        .get("/api/stats/removals/average", {"country": "Cambodia", "start": 2001, "end": 2010})
        .json()
    )
    assert (body["years_with_data"], body["years_in_range"], body["sum"]) == (3, 10, 98)
    assert body["average"] == 32.7
    assert "3 of 10 years" in run("average", "--country", "Cambodia", "--from", "2001", "--to", "2010")


@pytest.mark.django_db
def test_unknown_countries_get_suggestions(reference):
    response = Client().get("/api/stats/removals", {"country": "Cambodja"})
    assert response.status_code == 422
    assert "Did you mean Cambodia" in response.json()["detail"]
    with pytest.raises(CommandError, match="did you mean Cambodia"):
        run("removals", "--country", "Cambodja")


@pytest.mark.django_db
def test_revisions_are_listed_on_request(reference):
    body = Client().get("/api/stats/revisions", {"country": "Cambodia"}).json()
    fy2016 = next(r for r in body if r["year"] == 2016 and r["breakdown"] == "total")
    assert [(v["value"], v["kind"], v["current"]) for v in fy2016["versions"]] == [
        (72, "official", True),
        (74, "press", False),
    ]


@pytest.mark.django_db
def test_load_reference_twice_changes_nothing(reference):
    assert "0 new, 0 changed" in run("load-reference")
