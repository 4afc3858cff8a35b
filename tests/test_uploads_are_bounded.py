"""Security review (issue 11), finding 8: every upload has a byte limit checked before the file is read,
manifests and statistics tables are read row by row and refused at the first row past the row, column or
cell limit, and an XLSX (a zip) that would unpack past its limit is refused from its directory, unopened.
The limits are in crossings/uploads.py; the messages say by how much."""

import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from crossings import uploads
from crossings.accounts.roles import Role
from crossings.cases.models import Case, Document
from crossings.outreach.odk import xlsforms
from crossings.reception import manifest
from crossings.reception.models import ArrivalBatch, ManifestImport
from crossings.stats.importers import ImportFailed, SourceInfo, import_file

HEADER = "Family name,Given name,DOB\n"
MB = 1024 * 1024
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def csv_rows(n):
    return (HEADER + "".join(f"Keo{i},Bopha,1980-01-01\n" for i in range(n))).encode()


def wide_xlsx(rows, *, far_cell=True):
    """A sheet declaring the full width A1:XFD (16,384 columns), with or without a cell in column XFD."""
    body = ['<row r="1"><c r="A1" t="inlineStr"><is><t>Family name</t></is></c></row>']
    for r in range(2, rows + 2):
        far = f'<c r="XFD{r}"><v>1</v></c>' if far_cell else ""
        body.append(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>Keo</t></is></c>{far}</row>')
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="A1:XFD{rows + 1}"/><sheetData>{"".join(body)}</sheetData></worksheet>'
    )
    return xlsx_with(sheet)


def xlsx_with(sheet_xml):
    """An openpyxl workbook with its sheet XML replaced."""
    book = Workbook()
    book.active.append(["x"])
    plain = io.BytesIO()
    book.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = sheet_xml.encode() if info.filename == "xl/worksheets/sheet1.xml" else src.read(info)
            dst.writestr(info.filename, data)
    return out.getvalue()


def test_the_limits_are_in_one_place():
    assert manifest.MAX_ROWS == uploads.MANIFEST.max_rows == 2000
    assert max(k.max_bytes for k in uploads.KINDS) == uploads.LARGEST


def test_a_manifest_past_its_row_limit_is_refused_at_the_first_row_past_it():
    assert len(manifest.read_table(csv_rows(2000), "m.csv").rows) == 2000
    with pytest.raises(manifest.ManifestError) as refused:
        manifest.read_table(csv_rows(2001), "m.csv")
    assert str(refused.value) == "Row 2002: a manifest holds at most 2,000 rows."


def test_a_manifest_over_its_byte_limit_is_refused_with_both_sizes():
    data = csv_rows(1) + b"#" * int(2.05 * MB)
    with pytest.raises(manifest.ManifestError) as refused:
        manifest.read_table(data, "m.csv")
    assert str(refused.value) == "The file is 2.1 MB; the limit is 2 MB."


def test_a_row_too_wide_or_a_cell_too_long_is_named():
    with pytest.raises(manifest.ManifestError, match=r"^Row 2: a row holds at most 60 columns\.$"):
        manifest.read_table((HEADER + "a," * 61 + "b\n").encode(), "m.csv")
    with pytest.raises(manifest.ManifestError) as refused:
        manifest.read_table((HEADER + "Keo,Bopha," + "9" * 1001 + "\n").encode(), "m.csv")
    assert str(refused.value) == "Row 2, column 3: a cell holds at most 1000 characters."
    # Trailing empty cells (spreadsheets export them) are not columns.
    assert manifest.read_table((HEADER + "Keo,Bopha,1980-01-01" + "," * 100 + "\n").encode(), "m.csv")


def test_an_xlsx_declaring_16384_columns_is_read_at_its_real_width():
    table = manifest.read_table(wide_xlsx(50, far_cell=False), "m.xlsx")
    assert table.headers == ["Family name"] and len(table.rows) == 50


def test_an_xlsx_with_a_cell_in_the_last_column_is_refused():
    with pytest.raises(manifest.ManifestError, match=r"^Row 2: a row holds at most 60 columns\.$"):
        manifest.read_table(wide_xlsx(20_000), "m.xlsx")


def test_an_xlsx_manifest_past_its_row_limit_is_refused():
    with pytest.raises(manifest.ManifestError, match=r"^Row 2002: a manifest holds at most 2,000 rows\.$"):
        manifest.read_table(wide_xlsx(20_000, far_cell=False), "m.xlsx")


def zip_bomb():
    """A valid sheet padded with 50 MB of whitespace: a few tens of KB compressed."""
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>Family name</t></is></c></row>'
        + " " * (50 * MB)
        + "</sheetData></worksheet>"
    )
    return xlsx_with(sheet)


def test_a_zip_bomb_is_refused_from_the_zip_directory_before_openpyxl_opens_it(monkeypatch):
    import openpyxl

    bomb = zip_bomb()
    assert len(bomb) < uploads.MANIFEST.max_bytes

    def never(*args, **kwargs):
        raise AssertionError("openpyxl opened the file")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    with pytest.raises(
        manifest.ManifestError, match=r"^The XLSX file unpacks to 50 MB; the limit is 40 MB\.$"
    ):
        manifest.read_table(bomb, "m.xlsx")
    with pytest.raises(xlsforms.FormError, match=r"unpacks to 50 MB"):
        xlsforms.compile_xlsform(bomb)


@pytest.mark.django_db
def test_the_upload_page_says_the_limit_and_refuses_a_larger_file_unstored(reception, make_user, login):
    officer = make_user(Role.CASEWORKER, reception)
    batch = ArrivalBatch.objects.create(
        organisation=reception, flight="CX", date=dt.date(2026, 3, 3), created_by=officer
    )
    client = login(officer)
    page = client.get(f"/reception/batches/{batch.pk}/").content.decode()
    assert "Manifest (CSV or XLSX, up to 2 MB)" in page
    big = SimpleUploadedFile("m.csv", csv_rows(1) + b"#" * (3 * MB), content_type="text/csv")
    response = client.post(f"/reception/batches/{batch.pk}/manifest/", {"file": big}, follow=True)
    assert "The file is 3 MB; the limit is 2 MB." in response.content.decode()
    api = client.post(
        f"/api/reception/batches/{batch.pk}/manifests",
        {"file": SimpleUploadedFile("m.csv", csv_rows(1) + b"#" * (3 * MB), content_type="text/csv")},
    )
    assert api.status_code == 422 and "the limit is 2 MB" in api.content.decode()
    assert not ManifestImport.objects.exists()


@pytest.mark.django_db
def test_a_file_past_the_largest_limit_is_not_kept_while_it_is_received(person, advocacy, caseworker, login):
    case = Case.objects.create(
        organisation=advocacy, person=person, programme="legal_defence", owner=caseworker
    )
    kept = []
    original = uploads.CappedUploadHandler.file_complete

    def spy(self, file_size):
        result = original(self, file_size)
        kept.append(result)
        return result

    uploads.CappedUploadHandler.file_complete = spy
    try:
        big = SimpleUploadedFile("big.pdf", PDF + b"0" * (10 * MB), content_type="application/pdf")
        response = login(caseworker).post(
            f"/cases/{case.pk}/documents/", {"title": "big", "file": big}, follow=True
        )
    finally:
        uploads.CappedUploadHandler.file_complete = original
    assert "The file is 10.1 MB; the limit is 10 MB." in response.content.decode()
    assert isinstance(kept[0], uploads.OversizedUpload) and kept[0].size == len(PDF) + 10 * MB
    assert not Document.objects.exists()


def test_a_request_body_far_past_the_largest_limit_is_refused_unread(client):
    from django.core.exceptions import RequestDataTooBig

    handler = uploads.CappedUploadHandler()
    with pytest.raises(RequestDataTooBig):
        handler.handle_raw_input(None, {}, uploads.MAX_REQUEST_BYTES + 1, b"x")
    assert handler.handle_raw_input(None, {}, uploads.MAX_REQUEST_BYTES, b"x") is None


@pytest.mark.django_db
def test_a_statistics_table_too_wide_or_too_large_is_refused_before_layouts_are_tried(tmp_path):
    wide = tmp_path / "wide.xlsx"
    wide.write_bytes(wide_xlsx(2_000))
    source = SourceInfo(title="Yearbook", published="2020")
    with pytest.raises(ImportFailed) as refused:
        import_file(wide, source=source)
    assert "Row 2: a row holds at most 500 columns." in "\n".join(refused.value.report.lines())
    big = tmp_path / "big.csv"
    big.write_bytes(b"measure,country,year,breakdown,value\n" + b"#" * int(5.45 * MB))
    with pytest.raises(ImportFailed) as refused:
        import_file(big, source=source)
    assert "The file is 5.5 MB; the limit is 5 MB." in "\n".join(refused.value.report.lines())
    long = tmp_path / "long.csv"
    long.write_text("measure,country,year,breakdown,value\n" + "removals,Cambodia,2004,total,1\n" * 5001)
    with pytest.raises(ImportFailed) as refused:
        import_file(long, source=source)
    assert "Row 5002: a statistics table holds at most 5,000 rows." in "\n".join(refused.value.report.lines())
