"""Series, not one number per cell: the DHS Yearbook and ICE's annual reports are two series, both built
in on a fresh install with their sources; a revision replaces a figure only within its series; a year
where two series differ shows both and says why; a re-import changes nothing."""

import csv
import io

import pytest
from django.core.management import call_command
from django.test import Client

from crossings.stats import lineage
from crossings.stats import series as series_defs
from crossings.stats.importers import SourceInfo, import_file
from crossings.stats.models import Figure, Publication, Series, Status
from crossings.stats.reference import ICE_CSV, REFERENCE_DIR

DHS, ICE = series_defs.DHS_YEARBOOK, series_defs.ICE_ERO


def totals(country="Cambodia"):
    return {(r["year"], r["series"]): r["total"] for r in lineage.removal_rows(country)}


@pytest.mark.django_db
def test_a_fresh_database_after_migrate_holds_the_built_in_series_with_their_sources():
    # Nothing loaded by hand: the data migration did it.
    assert set(Series.objects.values_list("slug", flat=True)) >= set(series_defs.BUILT_IN)
    dhs = lineage.removals("Cambodia", DHS)
    ice = lineage.removals("Cambodia", ICE)
    assert dhs.years == [*range(1993, 2009), 2016]
    assert ice.years == list(range(2014, 2025))
    assert dhs.row(1994).total.status == Status.WITHHELD  # NA in the re-published file: withheld
    assert dhs.row(1993).total.value == 0  # a published zero stays a zero
    assert ice.row(2024).total.value == 20
    # ICE's FY2016 table lists no Laos: no figure, not zero.
    assert not Figure.objects.filter(country="Laos", year=2016, publication__series__slug=ICE).exists()
    for pub in Publication.objects.filter(series__slug__in=[DHS, ICE]):
        assert pub.url.startswith("https://") and pub.published_label, pub
    # FY2009-2013: a gap in every series, never filled in.
    assert not Figure.objects.filter(
        country="Cambodia", measure="removals", year__range=(2009, 2013)
    ).exists()


@pytest.mark.django_db
def test_fy2016_shows_dhs_72_and_ice_74_and_neither_replaces_the_other():
    assert totals()[2016, DHS] == 72
    assert totals()[2016, ICE] == 74
    body = Client().get("/api/stats/removals", {"country": "Cambodia"}).json()
    (fy2016,) = [d for d in body["differences"] if d["year"] == 2016]
    assert fy2016["values"][DHS] == 72 and fy2016["values"][ICE] == 74
    assert "different rules" in fy2016["why"]
    assert {s["key"] for s in body["series"]} >= {DHS, ICE, "press"}
    assert next(s for s in body["series"] if s["default"])["key"] == DHS
    html = Client().get("/stats/").content.decode()
    assert 'data-testid="differs-2016"' in html
    # The bug this replaces: an ICE figure imported later used to overwrite the DHS one.
    import_file(REFERENCE_DIR / ICE_CSV, source=None, series=ICE)
    assert totals()[2016, DHS] == 72


@pytest.mark.django_db
def test_a_reimport_of_the_same_file_changes_nothing():
    before = (Figure.objects.count(), Publication.objects.count())
    again = import_file(REFERENCE_DIR / ICE_CSV, source=None)  # the series is inferred: ICE
    assert (again.created, again.updated) == (0, 0) and again.unchanged == 41
    assert (Figure.objects.count(), Publication.objects.count()) == before
    out = io.StringIO()
    call_command("stats", "load-reference", stdout=out)
    assert "0 new, 0 changed" in out.getvalue() and " new, " in out.getvalue()
    assert (Figure.objects.count(), Publication.objects.count()) == before


@pytest.mark.django_db
def test_a_later_edition_replaces_within_its_series_and_keeps_the_earlier_as_a_revision(tmp_path):
    path = tmp_path / "ice-fy2025.csv"
    path.write_text("measure,country,year,breakdown,value\nremovals,Cambodia,2024,total,21\n")
    source = SourceInfo(
        title="ICE annual report FY2025",
        published="2026",
        publisher="U.S. Immigration and Customs Enforcement",
    )
    report = import_file(path, source=source)
    assert report.created == 1
    assert lineage.removals("Cambodia", ICE).row(2024).total.value == 21
    (revision,) = [r for r in lineage.revisions("removals", "Cambodia") if r.cell[2] == 2024]
    assert revision.series.slug == ICE
    assert [(v.figure.value, v.current) for v in revision.versions] == [(20, False), (21, True)]
    # The DHS series is untouched by an ICE edition, whatever its date.
    assert lineage.removals("Cambodia", DHS).row(2016).total.value == 72


@pytest.mark.django_db
def test_the_cli_gives_one_row_per_year_and_series_with_its_source():
    out = io.StringIO()
    call_command("stats", "removals", "--country", "Cambodia", "--format", "csv", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    fy2016 = {r["series"]: r for r in rows if r["year"] == "2016"}
    assert fy2016[DHS]["total"] == "72" and "Table 41" in fy2016[DHS]["source"]
    assert fy2016[ICE]["total"] == "74" and fy2016[ICE]["url"].startswith("https://www.ice.gov/")
    assert "DHS Yearbook: 72" in fy2016[ICE]["differs"] and "ICE annual report: 74" in fy2016[ICE]["differs"]
    assert fy2016["press"]["total"] == "74"
    assert len(rows) == len({(r["year"], r["series"]) for r in rows})


@pytest.mark.parametrize(
    ("kind", "publisher", "title", "layout", "expected"),
    [
        ("official", "U.S. Department of Homeland Security", "Yearbook 2016, Table 41", "tidy-csv", DHS),
        ("official", "", "Some table", "dhs-wide", DHS),
        ("official", "U.S. Immigration and Customs Enforcement", "ERO report FY2018", "tidy-csv", ICE),
        ("official", "", "ICE ERO removals by country of citizenship", "", ICE),
        ("press", "HuffPost", "ICE deported a record number (citing ICE)", "tidy-csv", "press"),
        ("ngo", "RISC", "Returnees since 2002", "tidy-csv", "ngo"),
        ("official", "Ministry", "Returnees received", "tidy-csv", "official-other"),
    ],
)
def test_existing_publications_go_to_the_series_of_their_source(kind, publisher, title, layout, expected):
    # What migration 0003 applies to publications imported before series existed.
    assert series_defs.infer(kind=kind, publisher=publisher, title=title, layout=layout) == expected


@pytest.mark.django_db
def test_an_unknown_series_is_refused_and_nothing_is_written(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("measure,country,year,breakdown,value\nremovals,Cambodia,2016,total,70\n")
    before = Figure.objects.count()
    with pytest.raises(Exception, match="unknown series 'dhs'"):
        import_file(path, source=SourceInfo(title="T", published="2017"), series="dhs")
    assert Figure.objects.count() == before
