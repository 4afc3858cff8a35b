"""Bad input gets a clear message and nothing is written: unknown layouts (with every layout tried and why),
unknown countries (with suggestions), unreadable cells, conflicting figures inside one file."""

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from crossings.stats.importers import ImportFailed, SourceInfo, import_file
from crossings.stats.models import Figure, Publication

SOURCE = SourceInfo(title="Some table", published="2020")


@pytest.fixture(autouse=True)
def no_built_in_figures(db):
    """These tests import into an empty statistics store (the built-in figures come with migrate)."""
    Publication.objects.all().delete()


def xlsx(path, rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def wide(*extra_rows, header=("Year", "Type", "Total", "Cambodia", "Laos")):
    return [
        list(header),
        [2003, "Total", 100, 58, 7],
        [2003, "Criminal", 60, 49, "NA"],
        [2003, "Non-criminal", 40, 9, "NA"],
        *extra_rows,
    ]


@pytest.mark.django_db
def test_a_file_in_no_known_layout_says_which_layouts_were_tried_and_why(tmp_path):
    path = xlsx(tmp_path / "minutes.xlsx", [["Meeting minutes"], ["Attendees", "Sok", "Dara"]])
    with pytest.raises(ImportFailed) as exc:
        import_file(path, source=SOURCE)
    text = "\n".join(exc.value.report.lines())
    assert "Layouts tried" in text
    assert "dhs-wide: no column holds Total / Criminal / Non-criminal row labels" in text
    assert "dhs-single-year: no header row with Total, Criminal and Non-criminal columns" in text


@pytest.mark.django_db
def test_a_csv_in_no_known_layout_also_names_the_tidy_layout(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(ImportFailed) as exc:
        import_file(path, source=SOURCE)
    tried = dict(exc.value.report.tried)
    assert tried["tidy-csv"] == "the first row lacks the column(s) measure, country, year, breakdown, value"


@pytest.mark.django_db
def test_unknown_countries_are_reported_with_suggestions_and_nothing_is_written(tmp_path):
    path = xlsx(tmp_path / "t.xlsx", wide(header=("Year", "Type", "Total", "Cambodja", "Laos")))
    with pytest.raises(ImportFailed) as exc:
        import_file(path, source=SOURCE)
    text = "\n".join(exc.value.report.lines())
    assert "unknown country or region 'Cambodja'; did you mean Cambodia" in text
    assert "Nothing was imported" in text
    assert Figure.objects.count() == 0 and Publication.objects.count() == 0
    # The operator can map the label instead of editing the file.
    import_file(path, source=SOURCE, aliases={"Cambodja": "Cambodia"})
    assert Figure.objects.filter(country="Cambodia").count() == 3


@pytest.mark.django_db
def test_one_bad_cell_stops_the_whole_import_and_is_located(tmp_path):
    path = xlsx(tmp_path / "t.xlsx", wide([2004, "Total", 90, "twelve", 3]))
    with pytest.raises(ImportFailed) as exc:
        import_file(path, source=SOURCE)
    assert "D5 (Cambodia, 2004): not a number: 'twelve'" in "\n".join(exc.value.report.lines())
    assert Figure.objects.count() == 0


@pytest.mark.django_db
def test_conflicting_figures_for_the_same_cell_in_one_file_are_an_error(tmp_path):
    path = xlsx(tmp_path / "t.xlsx", wide([2003, "Total", 100, 61, 7]))
    with pytest.raises(ImportFailed) as exc:
        import_file(path, source=SOURCE)
    text = "\n".join(exc.value.report.lines())
    assert "conflicting figures for Cambodia 2003 total: 58 and 61" in text
    assert Figure.objects.count() == 0


@pytest.mark.django_db
def test_an_exact_repeat_inside_one_file_is_not_a_conflict(tmp_path):
    path = xlsx(tmp_path / "t.xlsx", wide([2003, "Total", 100, 58, 7]))
    assert import_file(path, source=SOURCE).created == 9  # 3 rows x (Total, Cambodia, Laos)


@pytest.mark.django_db
def test_the_command_prints_the_report_and_fails_with_it(tmp_path, capsys):
    path = xlsx(tmp_path / "t.xlsx", wide(header=("Year", "Type", "Total", "Kambodia", "Laos")))
    with pytest.raises(CommandError) as exc:
        call_command("stats", "import", str(path), "--source", "T", "--published", "2020")
    assert "Kambodia" in str(exc.value) and "Cambodia" in str(exc.value)
    with pytest.raises(CommandError, match="Give both --source and --published"):
        call_command("stats", "import", str(path), "--source", "T")
