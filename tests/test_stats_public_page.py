"""The public statistics page: no login, charts from pygal as inline SVG without inline style or script
(CSP), each with its data table and sources, CSV downloads with an HXL row, Khmer, fixed query count."""

import csv
import io
import re

import pytest
from django.test import Client

from crossings.stats.importers import SourceInfo, import_file
from crossings.stats.reference import load_reference


@pytest.fixture
def reference(db):
    load_reference()


@pytest.mark.django_db
def test_anyone_sees_the_charts_tables_and_sources(reference):
    response = Client().get("/stats/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="pygal-chart"') == 3
    assert "<style" not in html and ' style="' not in html  # CSP: no inline styles
    assert html.count("<script") == 1  # only the site's own htmx, from /static/
    assert 'data-testid="removals-table"' in html and 'data-testid="comparison-table"' in html
    assert "Yearbook of Immigration Statistics 2003, Table 43D" in html
    assert "https://www.dhs.gov/immigration-statistics/yearbook/2016/table41" in html
    removals = re.search(r'data-testid="removals-table".*?</table>', html, re.S).group(0)
    assert re.search(
        r"<th scope=\"row\">2010</th><td colspan=\"\d+\"><span class=\"missing\">no published figure",
        removals,
    )
    assert re.search(r"<th scope=\"row\">1995</th><td>14</td><td><span class=\"withheld\">withheld", removals)
    assert "from the 8 of 10 years with a published figure" in html


@pytest.mark.django_db
def test_the_page_reads_in_khmer(reference):
    client = Client()
    client.cookies["crossings_language"] = "km"
    html = client.get("/stats/").content.decode()
    assert '<html lang="km">' in html
    assert "ស្ថិតិនៃការនិរទេស" in html  # Deportation statistics
    assert "ការនិរទេសជនជាតិខ្មែរពីសហរដ្ឋអាមេរិក តាមឆ្នាំសារពើពន្ធ" in html  # chart title, in the SVG too
    assert "មិនបង្ហាញ" in html  # withheld


@pytest.mark.django_db
def test_the_csv_download_has_an_hxl_row_and_the_same_figures(reference):
    response = Client().get("/stats/removals.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["year", "country", "series", "total", "criminal", "non_criminal", "source", "differs"]
    assert rows[1][0] == "#date+year+fiscal" and rows[1][3] == "#affected+removed+total"
    assert rows[2 + 10][:6] == ["2003", "Cambodia", "dhs-yearbook-removals", "66", "50", "16"]
    comparison = list(csv.reader(io.StringIO(Client().get("/stats/comparison.csv").content.decode())))
    assert {r[1] for r in comparison[2:]} == {"Cambodia", "Laos", "Vietnam"}
    orders = list(csv.reader(io.StringIO(Client().get("/stats/final-orders.csv").content.decode())))
    assert ["2024-11", "Vietnam", "8675"] in [r[:3] for r in orders]
    assert Client().get("/stats/nothing.csv").status_code == 404


@pytest.mark.django_db
def test_revisions_are_shown_on_request(reference):
    html = Client().get("/stats/?revisions=1").content.decode()
    table = re.search(r'data-testid="revisions-table".*?</table>', html, re.S).group(0)
    assert "2003, Table 43D" in table and "2008, Table 37D" in table
    assert "Table 41" not in table  # FY2016: DHS and ICE are two series, not a revision


@pytest.mark.django_db
def test_the_query_count_does_not_grow_with_more_publications(
    reference, tmp_path, django_assert_max_num_queries
):
    with django_assert_max_num_queries(4) as first:
        Client().get("/stats/")
    for year in range(2004, 2016):
        path = tmp_path / f"{year}.csv"
        path.write_text(
            f"measure,country,year,breakdown,value\nremovals,Cambodia,{year},total,{year - 1990}\n"
        )
        import_file(path, source=SourceInfo(title=f"Yearbook {year}", published=str(year + 1)))
    with django_assert_max_num_queries(len(first.captured_queries)):
        Client().get("/stats/")


def test_the_chart_stylesheet_is_the_one_pygal_makes():
    from crossings.stats import charts

    assert charts.CSS_FILE.read_text() == charts.stylesheet(), "run `crossings stats chart-css`"
