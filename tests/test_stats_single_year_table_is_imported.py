"""The single-year layout of the DHS table: country rows; Total, Criminal, Non-criminal columns in any
order; thousands separators; D and - markers; region sub-headings; footnote rows under the table."""

import csv

import openpyxl
import pytest

from crossings.stats.importers import ImportFailed, SourceInfo, import_file
from crossings.stats.models import Figure, Publication, Status

SOURCE = SourceInfo(title="Yearbook 2016, Table 41", published="2017-12", publisher="DHS")


@pytest.fixture(autouse=True)
def no_built_in_figures(db):
    """These tests import into an empty statistics store (the built-in figures come with migrate)."""
    Publication.objects.all().delete()


ROWS = [
    ["Table 41.", "", "", ""],
    ["ALIENS REMOVED BY CRIMINAL STATUS AND REGION AND COUNTRY OF NATIONALITY: FISCAL YEAR 2016", "", "", ""],
    ["", "", "", ""],
    ["Region and country of nationality", "Total", "Criminal 1", "Non-Criminal"],
    ["Total", "340,056", "135,570", "204,486"],
    ["", "", "", ""],
    ["Asia", "3,104", "760", "2,344"],
    ["Cambodia", "72", "D", "D"],
    ["Laos", "17", "9", "8"],
    ["Viet Nam", "51", "42", "9"],
    ["Brunei", "-", "-", "-"],
    ["", "", "", ""],
    ["D Data withheld to limit disclosure.", "", "", ""],
    ["- Represents zero.", "", "", ""],
    ["1 Refers to persons removed who have a prior criminal conviction.", "", "", ""],
]


def value(country, breakdown):
    return Figure.objects.get(country=country, breakdown=breakdown, year=2016)


def write_xlsx(path, rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


@pytest.mark.django_db
def test_it_reads_a_single_year_table_with_separators_markers_and_footnotes(tmp_path):
    report = import_file(write_xlsx(tmp_path / "t41.xlsx", ROWS), source=SOURCE)
    assert report.layout == "dhs-single-year"
    assert report.figures == 6 * 3
    assert value("All countries", "total").value == 340056
    assert value("Asia", "non_criminal").value == 2344
    assert value("Cambodia", "total").value == 72
    assert value("Cambodia", "criminal").status == Status.WITHHELD
    assert value("Vietnam", "criminal").value == 42
    assert value("Brunei", "total").value == 0
    assert value("Cambodia", "total").year_kind == "fiscal"


@pytest.mark.django_db
def test_shuffled_columns_and_renamed_headers_in_a_csv_give_the_same_figures(tmp_path):
    header_at = 3
    shuffled = []
    for i, row in enumerate(ROWS):
        shuffled.append([row[3], row[0], row[1], row[2]] if i >= header_at else row)
    shuffled[header_at] = ["Noncriminal", "Country of nationality", "TOTAL", "Criminal"]
    path = tmp_path / "t41.csv"
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows(shuffled)
    report = import_file(path, source=SOURCE)
    assert report.layout == "dhs-single-year"
    assert [t[0] for t in report.tried] == ["tidy-csv", "dhs-wide"]
    assert value("Laos", "non_criminal").value == 8
    assert value("Laos", "total").value == 17


@pytest.mark.django_db
def test_without_a_year_in_the_title_it_asks_for_one(tmp_path):
    rows = [["Country", "Total", "Criminal", "Non-criminal"], ["Cambodia", "72", "D", "D"]]
    path = write_xlsx(tmp_path / "noyear.xlsx", rows)
    with pytest.raises(ImportFailed) as exc:
        import_file(path, source=SOURCE)
    assert "give it with --year" in "\n".join(exc.value.report.lines())
    import_file(path, source=SOURCE, year=2016)
    assert value("Cambodia", "total").value == 72
