"""Lineage: a revised table keeps both versions and the newest is shown; an official table is shown over a
press figure; differences on request; a missing year stays missing; aggregates say how many years had data."""

import pytest

from crossings.stats import lineage
from crossings.stats.importers import SourceInfo, import_file
from crossings.stats.models import Figure, Publication

HEADER = "measure,country,year,breakdown,value\n"


@pytest.fixture(autouse=True)
def no_built_in_figures(db):
    """These tests import into an empty statistics store (the built-in figures come with migrate)."""
    Publication.objects.all().delete()


def tidy(tmp_path, name, body, **source):
    path = tmp_path / name
    path.write_text(HEADER + body)
    return import_file(path, source=SourceInfo(**source))


@pytest.mark.django_db
def test_a_revision_keeps_both_versions_and_the_newest_publication_wins(tmp_path):
    tidy(
        tmp_path,
        "a.csv",
        "removals,Cambodia,2016,total,72\n",
        title="Yearbook 2016, Table 41",
        published="2017",
    )
    tidy(
        tmp_path,
        "b.csv",
        "removals,Cambodia,2016,total,73\n",
        title="Yearbook 2017, Table 41",
        published="2018",
    )
    assert Figure.objects.filter(country="Cambodia", year=2016).count() == 2
    row = lineage.removals("Cambodia").row(2016)
    assert row.total.value == 73
    assert row.others == 1
    assert lineage.removal_rows("Cambodia")[0]["source"] == "Yearbook 2017, Table 41 (2018)"

    (revision,) = lineage.revisions("removals", "Cambodia")
    assert [(v.figure.value, v.current, v.changed) for v in revision.versions] == [
        (72, False, False),
        (73, True, True),
    ]


@pytest.mark.django_db
def test_an_older_publication_imported_later_does_not_replace_the_newer_one(tmp_path):
    tidy(tmp_path, "b.csv", "removals,Cambodia,2016,total,73\n", title="Yearbook 2017", published="2018")
    tidy(tmp_path, "a.csv", "removals,Cambodia,2016,total,72\n", title="Yearbook 2016", published="2017")
    assert lineage.removals("Cambodia").row(2016).total.value == 73


@pytest.mark.django_db
def test_a_later_press_figure_is_another_series_not_a_revision_of_the_official_table(tmp_path):
    tidy(tmp_path, "a.csv", "removals,Cambodia,2016,total,72\n", title="Yearbook 2016", published="2017")
    tidy(
        tmp_path, "p.csv", "removals,Cambodia,2016,total,74\n", title="Daily", published="2018", kind="press"
    )
    assert lineage.removals("Cambodia").row(2016).total.value == 72  # the default series
    assert lineage.removals("Cambodia", "press").row(2016).total.value == 74
    assert lineage.revisions("removals", "Cambodia") == []


@pytest.mark.django_db
def test_missing_years_are_never_filled_in_and_averages_say_how_many_years_had_data(tmp_path):
    tidy(
        tmp_path,
        "a.csv",
        "removals,Cambodia,2001,total,18\nremovals,Cambodia,2002,total,22\nremovals,Cambodia,2003,total,58\n"
        "removals,Cambodia,2004,total,D\nremovals,Cambodia,2010,total,40\n",
        title="T",
        published="2011",
    )
    series = lineage.removals("Cambodia")
    assert series.years == [2001, 2002, 2003, 2004, 2010]
    assert series.missing_years == [2005, 2006, 2007, 2008, 2009]
    agg = lineage.average("Cambodia", 2001, 2010)
    assert (agg.years_with_data, agg.years_in_range, agg.sum, agg.average) == (4, 10, 138, 34.5)
    assert agg.withheld_years == [2004]
    assert agg.missing_years == [2004, 2005, 2006, 2007, 2008, 2009]
    assert "from 4 of 10 years with published figures" in agg.sentence
