"""The DHS Yearbook multi-year wide table is found by its content, whatever the edition's header rows,
column order, label spelling and spacing, in .xls and .xlsx."""

from pathlib import Path

import openpyxl
import pytest
import xlrd

from crossings.stats import lineage
from crossings.stats.importers import ImportFailed, SourceInfo, import_file
from crossings.stats.models import Figure, Publication, Status

TABLE = Path(__file__).resolve().parents[1] / "crossings" / "stats" / "reference" / "Table43D.xls"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "dhs" / "Table43D.xls"
SOURCE = SourceInfo(title="Yearbook 2003, Table 43D", published="2004", publisher="DHS")


@pytest.fixture(autouse=True)
def no_built_in_figures(db):
    """These tests import into an empty statistics store (the built-in figures come with migrate)."""
    Publication.objects.all().delete()


def fig(country, year, breakdown):
    return Figure.objects.get(measure="removals", country=country, year=year, breakdown=breakdown)


@pytest.fixture
def table_path():
    # The shared research copy when present, else the copy the product ships (they are the same file).
    return SHARED if SHARED.exists() else TABLE


@pytest.mark.django_db
def test_it_imports_the_real_table_and_spot_checks_cells_including_withheld_ones(table_path):
    report = import_file(table_path, source=SOURCE)
    assert report.layout == "dhs-wide"
    assert report.figures == 33 * 216  # 11 years x 3 rows, 216 regions and countries
    assert (fig("Cambodia", 2003, "total").value, fig("Cambodia", 2003, "criminal").value) == (58, 49)
    assert fig("Cambodia", 2003, "non_criminal").value == 9
    assert fig("Cambodia", 1995, "criminal").status == Status.WITHHELD  # NA in the file
    assert fig("Cambodia", 1995, "criminal").value is None
    assert fig("Cambodia", 1995, "criminal").original == "NA"
    assert fig("Cambodia", 1994, "total").status == Status.WITHHELD
    assert fig("Vietnam", 1995, "non_criminal").value == 0  # "-" means zero
    assert fig("Vietnam", 1995, "non_criminal").status == Status.REPORTED
    assert fig("Laos", 2001, "criminal").value == 6
    assert fig("All countries", 1993, "total").value == 42540
    assert fig("Asia", 2002, "total").value == 4431
    assert fig("Asia", 2002, "total").is_region
    assert fig("St. Kitts-Nevis", 2003, "total").publication.layout == "dhs-wide"  # "St- Kitts-Nevis"
    assert fig("Cambodia", 2003, "total").location == "BI32"  # column 61, row 32 as a spreadsheet shows it


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing(table_path):
    import_file(table_path, source=SOURCE)
    before = Figure.objects.count()
    again = import_file(table_path, source=SOURCE)
    assert (again.created, again.updated, again.unchanged) == (0, 0, before)
    assert Figure.objects.count() == before
    assert Publication.objects.count() == 1


def _rows(path):
    sheet = xlrd.open_workbook(str(path)).sheet_by_index(0)
    return [sheet.row_values(r) for r in range(sheet.nrows)]


@pytest.mark.django_db
def test_an_xlsx_edition_with_title_rows_shuffled_columns_and_renamed_headers_reads_the_same(
    tmp_path, table_path
):
    rows = _rows(table_path)
    header = rows[0]
    keep = [header.index(n) for n in ("Year", "Type", "Total", "Asia", "Cambodia", "Laos", "Vietnam")]
    renamed = {
        "Year": "Fiscal year",
        "Type": "Criminal status",
        "Vietnam": "Viet Nam",
        "Cambodia": " Cambodia 1",
    }
    order = [keep[4], keep[1], keep[6], keep[0], keep[2], keep[5], keep[3]]  # type and year in the middle
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["Table 43D. ALIENS REMOVED BY CRIMINAL STATUS AND REGION AND COUNTRY OF NATIONALITY"])
    ws.append(["FISCAL YEARS 1993 TO 2003"])
    ws.append([])
    ws.append([renamed.get(header[c], header[c]) for c in order])
    for row in rows[1:]:
        label = {"Non-criminal": "NON-CRIMINAL", "Criminal": "criminal"}.get(row[1], row[1])
        # Later editions print the year only on the Total row.
        year = row[0] if row[1] == "Total" else ""
        values = {keep[0]: year, keep[1]: label}
        ws.append([values.get(c, row[c]) for c in order])
    ws.append([])
    ws.append(["NA Not available (withheld to protect confidentiality)."])
    path = tmp_path / "table43d-edition.xlsx"
    book.save(path)

    report = import_file(path, source=SOURCE)
    assert report.layout == "dhs-wide"
    assert report.figures == 33 * 5
    assert fig("Cambodia", 2003, "criminal").value == 49
    assert fig("Cambodia", 1998, "non_criminal").status == Status.WITHHELD
    assert fig("Vietnam", 2002, "total").value == 14
    assert fig("Asia", 1993, "non_criminal").value == 895


@pytest.mark.django_db
def test_the_built_in_reference_data_gives_the_cambodian_series_with_sources():
    from crossings.stats.reference import load_reference

    load_reference()
    rows = {(r["year"], r["series"]): r for r in lineage.removal_rows("Cambodia")}
    # The 2008 edition revised FY2003 (58 in the 2003 edition): the later edition is shown.
    assert rows[2003, "dhs-yearbook-removals"]["total"] == 66
    assert "2008, Table 37D" in rows[2003, "dhs-yearbook-removals"]["source"]
    assert rows[2016, "dhs-yearbook-removals"] == {
        "year": 2016,
        "series": "dhs-yearbook-removals",
        "default_series": True,
        "total": 72,
        "criminal": "withheld",
        "non_criminal": "withheld",
        "source": "U.S. Department of Homeland Security, "
        "Yearbook of Immigration Statistics 2016, Table 41 (2017)",
        "url": "https://www.dhs.gov/immigration-statistics/yearbook/2016/table41",
        "differs": rows[2016, "dhs-yearbook-removals"]["differs"],
    }
    assert rows[2018, "ice-ero-annual-removals"]["total"] == 110
    assert "HuffPost" in rows[2018, "press"]["source"]
    assert not any(year == 2010 for year, _series in rows)  # never interpolated
    assert lineage.removals("Cambodia").missing_years == list(range(2009, 2016))
    before = Figure.objects.count()
    load_reference()
    assert Figure.objects.count() == before


@pytest.mark.django_db
def test_a_table_needs_a_source(table_path):
    with pytest.raises(ImportFailed) as exc:
        import_file(table_path, source=None)
    assert "needs --source" in "\n".join(exc.value.report.lines())
    assert Figure.objects.count() == 0
