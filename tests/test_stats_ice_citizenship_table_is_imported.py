"""The ICE ERO annual report's "Removals by country of citizenship" layout, in XLSX and CSV: one column
per fiscal year or one count column with the year in the title; a blank cell is no figure (the country is
not in that year's table), never zero; the publication goes to the ICE series, beside the DHS Yearbook."""

import csv

import openpyxl
import pytest

from crossings.stats import lineage
from crossings.stats import series as series_defs
from crossings.stats.importers import ImportFailed, SourceInfo, import_file
from crossings.stats.models import Figure

ICE = "U.S. Immigration and Customs Enforcement"
SOURCE = SourceInfo(
    title="ERO Annual Report FY2018, Appendix: removals by country", published="2018-12", publisher=ICE
)

ROWS = [
    ["U.S. Immigration and Customs Enforcement", "", "", ""],
    ["Removals by Country of Citizenship", "", "", ""],
    ["", "", "", ""],
    ["Country of Citizenship", "FY2016", "FY 2017", "FY2018"],
    ["Mexico", "149,821", "128,765", "141,045"],
    ["Cambodia", 74, 29, 110],
    ["Laos", "", 5, 8],
    ["Vietnam", 35, 71, 122],
    ["Korea, South", 80, 62, 45],
    ["Saint Kitts and Nevis", 3, "", 2],
    ["Total", "240,255", "226,119", "256,085"],
    ["", "", "", ""],
    ["Note: data as of 2018-10-08.", "", "", ""],
]


def value(country, year):
    return Figure.objects.get(
        country=country,
        year=year,
        publication__series__slug=series_defs.ICE_ERO,
        publication__title=SOURCE.title,
    )


def write_xlsx(path, rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


@pytest.mark.django_db
def test_an_xlsx_with_fiscal_year_columns_is_read_into_the_ice_series(tmp_path):
    report = import_file(write_xlsx(tmp_path / "ero2018.xlsx", ROWS), source=SOURCE)
    assert report.layout == "ice-citizenship"
    assert report.figures == 7 * 3 - 2  # Laos 2016 and St Kitts 2017 are blank: no figure
    assert value("Mexico", 2016).value == 149821
    assert value("Cambodia", 2018).value == 110
    assert value("Korea, South", 2017).value == 62
    assert value("St. Kitts-Nevis", 2018).value == 2
    assert value("All countries", 2017).value == 226119 and value("All countries", 2017).is_region
    assert value("Cambodia", 2016).location == "B6"
    assert not Figure.objects.filter(country="Laos", year=2016, publication__title=SOURCE.title).exists()
    # Beside the DHS Yearbook, not over it.
    assert lineage.removals("Cambodia", series_defs.DHS_YEARBOOK).row(2016).total.value == 72
    # A re-import of the same file changes nothing.
    again = import_file(tmp_path / "ero2018.xlsx", source=SOURCE)
    assert (again.created, again.updated, again.unchanged) == (0, 0, report.figures)


@pytest.mark.django_db
def test_a_csv_with_one_count_column_takes_the_year_from_the_title(tmp_path):
    path = tmp_path / "ice2019.csv"
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows(
            [
                ["ICE removals by citizenship, FY 2019"],
                [],
                ["Citizenship Country", "Removals"],
                ["Cambodia", "80"],
                ["Viet Nam", "97"],
                ["Total", "267,258"],
            ]
        )
    report = import_file(path, source=SourceInfo(title="ERO report FY2019", published="2019", publisher=ICE))
    assert report.layout == "ice-citizenship"
    assert [t[0] for t in report.tried] == ["tidy-csv", "dhs-wide", "dhs-single-year"]
    cambodia = Figure.objects.get(country="Cambodia", year=2019, publication__title="ERO report FY2019")
    assert (cambodia.value, cambodia.breakdown, cambodia.publication.series.slug) == (
        80,
        "total",
        series_defs.ICE_ERO,
    )
    assert (
        Figure.objects.get(country="Vietnam", year=2019, publication__title="ERO report FY2019").value == 97
    )


@pytest.mark.django_db
def test_a_single_count_column_without_a_year_asks_for_one_and_bad_cells_stop_the_import(tmp_path):
    path = write_xlsx(tmp_path / "noyear.xlsx", [["Country of citizenship", "Removals"], ["Cambodia", "80"]])
    before = Figure.objects.count()
    with pytest.raises(ImportFailed) as exc:
        import_file(path, source=SOURCE)
    assert "give it with --year" in "\n".join(exc.value.report.lines())
    import_file(path, source=SOURCE, year=2019)
    assert Figure.objects.count() == before + 1
    bad = write_xlsx(
        tmp_path / "bad.xlsx", [ROWS[3], ["Cambodia", "74", "twenty", "110"], ["Cambodja", 1, 2, 3]]
    )
    with pytest.raises(ImportFailed) as exc:
        import_file(bad, source=SOURCE)
    text = "\n".join(exc.value.report.lines())
    assert "C2 (Cambodia, 2017): not a number: 'twenty'" in text
    assert "unknown country or region 'Cambodja'; did you mean Cambodia" in text
    assert Figure.objects.count() == before + 1
