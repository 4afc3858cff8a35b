"""The public page's removals chart marks years without a figure (∅) and series breaks (¦) on its axis,
draws one line per series (never merged), and says so in a caption; the table marks the same years; in
Khmer too."""

import re

import pytest
from django.test import Client


def first_chart(html):
    return re.findall(r'<svg class="pygal-chart.*?</svg>|<svg[^>]*pygal-chart.*?</svg>', html, re.S)[0]


def axis(svg):
    return re.findall(r"<text[^>]*>([^<]*(?:19|20)\d\d)</text>", svg)


@pytest.mark.django_db
def test_the_chart_marks_years_without_a_figure_and_series_breaks():
    html = Client().get("/stats/").content.decode()
    labels = axis(first_chart(html))
    assert [f"∅ {y}" for y in range(2009, 2014)] == [label for label in labels if label.startswith("∅")]
    assert "¦ 2008" in labels  # the DHS Yearbook series stops
    assert "¦ 2014" in labels  # the ICE series begins
    assert "¦ 2016" in labels  # the DHS Yearbook series resumes (Table 41)
    assert "2005" in labels  # an ordinary year is unmarked
    legend = re.search(r'data-testid="chart-legend".*?</figcaption>', html, re.S).group(0)
    assert "no published figure in any series (2009–2013)" in legend
    table = re.search(r'data-testid="removals-table".*?</table>', html, re.S).group(0)
    assert re.search(r'<tr class="gap"><th scope="row">2011</th>', table)
    assert re.search(
        r'<tr class="[^"]*series-break[^"]*"><th scope="row">2014</th>.*?ICE annual report begins', table
    )


@pytest.mark.django_db
def test_one_line_per_series_with_each_series_value():
    svg = first_chart(Client().get("/stats/").content.decode())
    titles = re.findall(r'<text[^>]*class="[^"]*legend[^"]*"[^>]*>([^<]*)</text>', svg) or re.findall(
        r"<title>([^<]*)</title>", svg
    )
    joined = " ".join(titles) + svg
    assert "DHS Yearbook" in joined and "ICE annual report" in joined
    values = re.findall(r'<desc class="value">([^<]*)</desc>', svg)
    assert "72" in values and "74" in values  # FY2016 in both series, neither replacing the other


@pytest.mark.django_db
def test_the_marks_and_series_read_in_khmer():
    client = Client()
    client.cookies["crossings_language"] = "km"
    html = client.get("/stats/").content.decode()
    assert "គ្មានតួលេខបោះពុម្ពក្នុងស៊េរីណាមួយទេ (2009–2013)" in html  # no figure in any series
    assert "ស៊េរីលំនាំដើម" in html  # default series
    assert "សៀវភៅស្ថិតិប្រចាំឆ្នាំ DHS" in html  # DHS Yearbook, in the chart and the table
    assert "របាយការណ៍ប្រចាំឆ្នាំ ICE ចាប់ផ្តើម" in html  # ICE annual report begins
