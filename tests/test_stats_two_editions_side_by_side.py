"""Two publications of the same table side by side, on the page and in the API: what changed, by how
much, and which cells were withheld in one and published in the other. Only editions of one series."""

import re

import pytest
from django.test import Client

from crossings.stats import lineage
from crossings.stats.models import Publication


def edition(title):
    return Publication.objects.get(title=title)


@pytest.fixture
def editions(db):
    # Both built in: the DHS Yearbook 2003 (Table 43D) and 2008 (Table 37D) editions, FY1999-2003 in both.
    return (
        edition("Yearbook of Immigration Statistics 2003, Table 43D"),
        edition("Yearbook of Immigration Statistics 2008, Table 37D"),
    )


def test_the_api_says_what_changed_by_how_much_and_what_was_withheld(editions):
    first, second = editions
    # Given in either order, the earlier publication is "a".
    body = Client().get("/api/stats/compare", {"a": second.pk, "b": first.pk}).json()
    assert body["a"]["id"] == first.pk and body["b"]["id"] == second.pk
    cells = {(c["country"], c["year"], c["breakdown"]): c for c in body["cells"]}
    fy2003 = cells["Cambodia", 2003, "total"]
    assert (fy2003["a"], fy2003["b"], fy2003["delta"], fy2003["change"]) == (58, 66, 8, "changed")
    # Published in the 2003 edition (16), withheld in the 2008 one.
    kh2001 = cells["Cambodia", 2001, "non_criminal"]
    assert (kh2001["a"], kh2001["b"], kh2001["change"], kh2001["delta"]) == (
        16,
        "withheld",
        "withheld_in_b",
        None,
    )
    # Withheld in both: the same.
    assert cells["Cambodia", 2001, "criminal"]["change"] == "same"
    assert cells["Cambodia", 1995, "total"]["change"] == "only_a"
    assert cells["Cambodia", 2008, "total"]["change"] == "only_b"
    assert body["counts"]["changed"] > 0 and body["counts"]["withheld_in_b"] > 0
    assert sum(body["counts"].values()) == len(body["cells"])
    changed = Client().get("/api/stats/compare", {"a": first.pk, "b": second.pk, "changed_only": True}).json()
    assert all(c["change"] != "same" for c in changed["cells"])


def test_a_cell_withheld_first_and_published_later_is_named(editions, tmp_path):
    from crossings.stats.importers import SourceInfo, import_file

    path = tmp_path / "2009.csv"
    path.write_text("measure,country,year,breakdown,value\nremovals,Cambodia,2001,non_criminal,16\n")
    import_file(path, source=SourceInfo(title="Yearbook 2009, Table 36D", published="2010", publisher="DHS"))
    later = edition("Yearbook 2009, Table 36D")
    result = lineage.compare(editions[1], later)
    (cell,) = [c for c in result.cells if c.cell[1:3] == ("Cambodia", 2001) and c.cell[4] == "non_criminal"]
    assert cell.change == "withheld_in_a"


def test_publications_of_different_series_are_refused(editions):
    ice = Publication.objects.filter(series__slug="ice-ero-annual-removals").first()
    response = Client().get("/api/stats/compare", {"a": editions[0].pk, "b": ice.pk})
    assert response.status_code == 422
    assert "same series" in response.json()["detail"]
    assert Client().get("/api/stats/compare", {"a": editions[0].pk, "b": 999999}).status_code == 404
    listed = Client().get("/api/stats/publications", {"series": "dhs-yearbook-removals"}).json()
    assert {p["id"] for p in listed} >= {editions[0].pk, editions[1].pk}


def test_the_page_shows_the_two_editions_side_by_side(editions):
    first, second = editions
    html = Client().get("/stats/", {"compare": 1, "a": first.pk, "b": second.pk}).content.decode()
    table = re.search(r'data-testid="compare-table".*?</table>', html, re.S).group(0)
    assert "<td>58</td><td>66</td><td>+8</td><td>changed</td>" in table
    assert "published in the first, withheld in the second" in table
    assert f"a={first.pk}&amp;b={second.pk}" in html  # the list of editions to compare
    # Without ids, the first pair of the default series; bad ids are a message, not an error.
    assert 'data-testid="compare-table"' in Client().get("/stats/", {"compare": 1}).content.decode()
    bad = Client().get("/stats/", {"compare": 1, "a": "x", "b": "99999999"})
    assert bad.status_code == 200
    ice = Publication.objects.filter(series__slug="ice-ero-annual-removals").first()
    mixed = Client().get("/stats/", {"compare": 1, "a": first.pk, "b": ice.pk}).content.decode()
    assert "not editions of the same series" in mixed


def test_the_page_reads_in_khmer(editions):
    client = Client()
    client.cookies["crossings_language"] = "km"
    html = client.get("/stats/", {"compare": 1, "a": editions[0].pk, "b": editions[1].pk}).content.decode()
    assert "បានផ្លាស់ប្តូរ" in html  # changed
