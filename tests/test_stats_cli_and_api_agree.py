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
    assert list(rows[0]) == [
        "year",
        "series",
        "total",
        "criminal",
        "non_criminal",
        "source",
        "url",
        "differs",
    ]
    by_year = {(r["year"], r["series"]): r for r in rows}
    dhs = "dhs-yearbook-removals"
    assert by_year["2003", dhs]["total"] == "66" and by_year["2003", dhs]["criminal"] == "50"
    assert by_year["1995", dhs]["criminal"] == "withheld"
    assert by_year["2018", "ice-ero-annual-removals"]["criminal"] == ""  # not published, not zero
    assert not any(year == "2010" for year, _s in by_year)
    years = [int(r["year"]) for r in rows]
    assert years == sorted(years)


@pytest.mark.django_db
def test_the_cli_json_and_the_api_are_the_same(reference):
    cli = json.loads(run("removals", "--country", "Cambodia", "--format", "json"))
    response = Client().get("/api/stats/removals", {"country": "cambodia"})
    assert response.status_code == 200
    body = response.json()
    assert body["rows"] == cli
    assert body["country"] == "Cambodia"
    assert body["default_series"] == "dhs-yearbook-removals"
    assert body["missing_years"] == list(range(2009, 2014))  # no figure in any series


@pytest.mark.django_db
def test_the_average_states_how_many_years_had_data(reference):
    body = (
        Client()
        .get("/api/stats/removals/average", {"country": "Cambodia", "start": 2001, "end": 2010})
        .json()
    )
    # The DHS Yearbook series only (2008 edition for FY2001-2008); FY2009-2010 have no figure.
    assert (body["years_with_data"], body["years_in_range"], body["sum"]) == (8, 10, 323)
    assert body["average"] == 40.4
    assert body["series"].startswith("DHS Yearbook")
    assert "8 of 10 years" in run("average", "--country", "Cambodia", "--from", "2001", "--to", "2010")


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
    fy2003 = next(r for r in body if r["year"] == 2003 and r["breakdown"] == "total")
    assert fy2003["series"] == "dhs-yearbook-removals"
    assert [(v["value"], v["published"], v["current"]) for v in fy2003["versions"]] == [
        (58, "2004", False),
        (66, "2009", True),
    ]
    assert not any(r["year"] == 2016 for r in body)  # DHS 72 and ICE 74 are two series, not a revision


@pytest.mark.django_db
def test_load_reference_twice_changes_nothing(reference):
    assert "0 new, 0 changed" in run("load-reference")
