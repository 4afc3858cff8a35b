"""Flight manifests: any header order and spelling, a report naming each row and field, all or nothing,
idempotent re-import, and matching to people referred before the flight."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from crossings.accounts.roles import Role
from crossings.people import services as people_services
from crossings.people import sharing
from crossings.people.models import Person
from crossings.reception import manifest, services
from crossings.reception.models import Arrival, ArrivalBatch

GOOD = (
    "DOB,Surname,First Name,Sex,A-Number\n03/04/1980,Chhun,Vuthy,M,A-012-345-678\n1985-09-30,Keo,Bopha,F,\n"
)


@pytest.fixture
def officer(make_user, reception):
    return make_user(Role.CASEWORKER, reception, username="rith")


@pytest.fixture
def batch(reception, officer):
    return ArrivalBatch.objects.create(
        organisation=reception,
        flight="Charter 2026-11",
        date=dt.date(2026, 11, 20),
        expected=3,
        created_by=officer,
    )


def upload(batch, officer, text, name="manifest.csv"):
    data = text.encode() if isinstance(text, str) else text
    return services.store_upload(batch=batch, data=data, filename=name, user=officer)


def visible(user):
    return Person.objects.visible_to(user)


def test_shuffled_and_misspelled_headers_are_mapped():
    headers = ["Remarks", "Date of Brith", "LAST NAME", "Frist name", "Gender", "Alien No.", "Khmer name"]
    mapping = manifest.guess_mapping(headers)
    assert {k: headers[v] for k, v in mapping.items() if v is not None} == {
        "family_name": "LAST NAME",
        "given_name": "Frist name",
        "birth_date": "Date of Brith",
        "sex": "Gender",
        "a_number": "Alien No.",
        "name_km": "Khmer name",
        "remarks": "Remarks",
    }


def test_a_missing_required_column_is_named():
    mapping = manifest.guess_mapping(["Surname", "Sex"])
    assert manifest.missing_fields(mapping) == ["given_name", "birth_date"]


def test_each_bad_row_and_field_is_reported():
    table = manifest.read_table(
        (
            b"Surname,First name,DOB,Sex\n"
            b"Sok,Dara,31/31/1980,M\n"
            b"Meas,Sokha,1982-02-02,Q\n"
            b",,1990-01-01,F\n"
            b"Sok,Dara,31/31/1980,M\n"
        ),
        "m.csv",
    )
    rows = manifest.read_rows(table, manifest.guess_mapping(table.headers))
    errors = [(r.number, f) for r in rows for f, _m in r.errors]
    assert (2, "birth_date") in errors and (3, "sex") in errors and (4, "family_name") in errors
    assert (5, "family_name") in errors  # the same person twice
    assert "is not a date" in dict(((r.number, f), m) for r in rows for f, m in r.errors)[(2, "birth_date")]


def test_names_in_khmer_script_in_a_latin_column_are_kept_as_the_khmer_name():
    table = manifest.read_table("Surname,First name,DOB\nសុខ,ដារា,1980-01-01\n".encode(), "m.csv")
    [row] = manifest.read_rows(table, manifest.guess_mapping(table.headers))
    assert row.values["name_km"] == "សុខ ដារា" and not row.errors and row.notes


def test_a_wrong_file_type_is_refused_with_the_reason():
    with pytest.raises(manifest.ManifestError, match="neither an XLSX workbook nor a UTF-8 CSV"):
        manifest.read_table(b"%PDF-1.4 binary \x00\x01", "manifest.csv")
    with pytest.raises(manifest.ManifestError, match="old Excel"):
        manifest.read_table(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "m.xls")


def test_us_order_is_assumed_for_ambiguous_dates_and_said():
    assert manifest.parse_date("03/04/1980") == (dt.date(1980, 3, 4), "read as month/day (US order)")
    assert manifest.parse_date("25/04/1980")[0] == dt.date(1980, 4, 25)
    assert manifest.parse_date("4 Mar 1980")[0] == dt.date(1980, 3, 4)


@pytest.mark.django_db
def test_nothing_is_saved_while_any_row_is_invalid(batch, officer):
    record = upload(batch, officer, GOOD + "Touch,Sophea,not a date,F,\n")
    with pytest.raises(ValidationError, match="nothing was imported"):
        services.run_import(record=record, visible=visible(officer), user=officer)
    assert not Person.objects.exists() and not Arrival.objects.exists()
    report = services.run_import(record=record, visible=visible(officer), user=officer, only_valid=True)
    assert report["created"] == 2 and Arrival.objects.count() == 2
    assert report["errors"][0]["row"] == 4


@pytest.mark.django_db
def test_the_same_file_imported_twice_creates_nothing_new(batch, officer):
    first = upload(batch, officer, GOOD)
    services.run_import(record=first, visible=visible(officer), user=officer)
    second = upload(batch, officer, GOOD)
    preview = services.preview(second, visible(officer))
    assert preview.already_imported == first
    report = services.run_import(record=second, visible=visible(officer), user=officer)
    assert report["created"] == 0 and report["already_on_flight"] == 2
    assert Person.objects.count() == 2 and Arrival.objects.count() == 2


@pytest.mark.django_db
def test_a_person_referred_before_the_flight_is_matched_not_duplicated(
    batch, officer, advocacy, reception, caseworker
):
    referred = people_services.create_person(
        organisation_id=advocacy.pk,
        user=caseworker,
        data={"family_name": "Chhun", "given_name": "Vuthy", "birth_date": dt.date(1980, 3, 4)},
    )
    sharing.record_consent(
        person=referred,
        user=caseworker,
        scope="share",
        shared_with=reception,
        given_on=dt.date.today(),
    )
    referral = sharing.refer(
        person=referred,
        to_organisation=reception,
        purpose="flight",
        user=caseworker,
    )
    sharing.accept_referral(referral=referral, user=officer)
    record = upload(batch, officer, GOOD.replace("Chhun,Vuthy", "Chun,Vuthi"))
    report = services.run_import(record=record, visible=visible(officer), user=officer)
    assert report["matched"] == 1 and report["created"] == 1
    assert Arrival.objects.filter(person=referred).exists()
    assert f"matched #{referred.pk}" in report["rows"][0]["result"]


@pytest.mark.django_db
def test_an_xlsx_manifest_with_real_dates_is_read(batch, officer):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Given Names", "Family Name", "Date of Birth"])
    sheet.append(["Sreymom", "Ouk", dt.datetime(1983, 1, 1)])
    out = io.BytesIO()
    workbook.save(out)
    record = upload(batch, officer, out.getvalue(), name="manifest.xlsx")
    report = services.run_import(record=record, visible=visible(officer), user=officer)
    assert report["created"] == 1
    assert Person.objects.get().birth_date == dt.date(1983, 1, 1)


@pytest.mark.django_db
def test_the_cli_imports_and_fails_with_the_report_on_a_bad_row(tmp_path, reception, officer, capsys):
    good = tmp_path / "good.csv"
    good.write_text(GOOD)
    call_command(
        "arrivals",
        "import",
        str(good),
        "--org",
        reception.name,
        "--flight",
        "CX-1",
        "--date",
        "2026-11-20",
        "--username",
        "rith",
    )
    assert "2 new" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text(GOOD + "Touch,Sophea,31/31/1980,F,\n")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command(
            "arrivals",
            "import",
            str(bad),
            "--org",
            reception.name,
            "--flight",
            "CX-2",
            "--date",
            "2026-11-21",
            "--username",
            "rith",
        )
    assert "row 4, birth_date" in capsys.readouterr().err
    assert not ArrivalBatch.objects.filter(flight="CX-2").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"flight": "X" * 51, "date": "2026-11-20"}, "flight"),  # PostgreSQL refused it with a 500
        ({"flight": "CX", "date": "2026-11-20", "expected": -1}, "expected"),  # was "already recorded"
        ({"flight": "CX", "date": "2026-11-20", "expected": -(2**64)}, "expected"),  # overflowed: a 500
    ],
)
def test_a_batch_the_model_refuses_is_a_422_naming_the_field(officer, body, field):
    from django.test import Client

    from crossings.accounts.models import ApiToken

    _t, raw = ApiToken.issue(user=officer)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = client.post("/api/reception/batches", body, content_type="application/json")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert not ArrivalBatch.objects.exists()
    ok = client.post(
        "/api/reception/batches", {"flight": "CX", "date": "2026-11-20"}, content_type="application/json"
    )
    again = client.post(
        "/api/reception/batches", {"flight": "CX", "date": "2026-11-20"}, content_type="application/json"
    )
    assert ok.status_code == 201 and again.status_code == 422  # the same flight on the same day, once
    assert "already recorded" in again.json()["detail"]


# --- one date order per file, and the user's choice (issue 13 item 6) -------------------------------------


def _read(text, chosen=""):
    table = manifest.read_table(text.encode(), "m.csv")
    mapping = manifest.guess_mapping(table.headers)
    order = manifest.date_order(table, mapping, chosen)
    return order, manifest.read_rows(table, mapping, order)


def test_a_file_that_writes_the_day_first_is_read_day_first_throughout():
    order, rows = _read("Surname,First name,DOB\nKeo,Bopha,25/04/1980\nOuk,Dara,03/04/1981\n")
    assert (order.order, order.source, order.ambiguous) == ("dmy", "file", 1)
    assert [r.values["birth_date"] for r in rows] == [dt.date(1980, 4, 25), dt.date(1981, 4, 3)]
    assert not any(r.notes for r in rows)  # decided by the file, not assumed row by row


def test_only_ambiguous_dates_are_read_month_first_and_the_user_can_choose_day_first():
    text = "Surname,First name,DOB\nKeo,Bopha,03/04/1980\nOuk,Dara,05/06/1981\n"
    order, rows = _read(text)
    assert (order.order, order.source, order.ambiguous) == ("mdy", "assumed", 2)
    assert rows[0].values["birth_date"] == dt.date(1980, 3, 4)
    assert "month/day (US order)" in rows[0].notes[0]
    order, rows = _read(text, chosen="dmy")
    assert order.source == "chosen"
    assert [r.values["birth_date"] for r in rows] == [dt.date(1980, 4, 3), dt.date(1981, 6, 5)]


def test_a_date_the_chosen_order_cannot_read_is_an_error_naming_the_row():
    _order, rows = _read("Surname,First name,DOB\nKeo,Bopha,25/04/1980\n", chosen="mdy")
    assert rows[0].errors == [
        ("birth_date", "“25/04/1980” cannot be read month first; the dates of this file are read that way.")
    ]


@given(
    anchor=st.dates(min_value=dt.date(1950, 1, 13), max_value=dt.date(2005, 12, 31)).filter(
        lambda d: d.day > 12
    ),
    others=st.lists(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2005, 12, 31)), max_size=8),
)
def test_any_day_first_file_with_one_telling_date_reads_every_date_right(anchor, others):
    dates = [anchor, *others]
    lines = "".join(f"P{i},Q,{d.day:02d}/{d.month:02d}/{d.year}\n" for i, d in enumerate(dates))
    _order, rows = _read("Surname,First name,DOB\n" + lines)
    assert [r.values["birth_date"] for r in rows] == dates


def test_the_page_keeps_the_users_choice(batch, officer, login):
    record = upload(batch, officer, "Surname,First name,DOB\nKeo,Bopha,03/04/1980\n")
    client = login(officer)
    page = client.get(f"/reception/imports/{record.pk}/").content.decode()
    assert "could be read either way" in page
    mapping = {k: "" if v is None else str(v) for k, v in record.mapping.items()} or {
        "family_name": "0",
        "given_name": "1",
        "birth_date": "2",
    }
    client.post(f"/reception/imports/{record.pk}/", {**mapping, "date_order": "dmy", "action": "check"})
    record.refresh_from_db()
    assert record.date_order == "dmy"
    page = client.get(f"/reception/imports/{record.pk}/").content.decode()
    assert "1980-04-03" in page and "could be read either way" not in page


def test_a_person_already_on_another_flight_is_noted_before_and_after_the_import(batch, officer, reception):
    person = Person.objects.create(
        organisation=reception,
        family_name="Chhun",
        given_name="Vuthy",
        birth_date=dt.date(1980, 3, 4),
        sex="male",
        a_number="A-012-345-679",
    )
    first = ArrivalBatch.objects.create(
        organisation=reception, flight="Charter 2025-02", date=dt.date(2025, 2, 10), created_by=officer
    )
    Arrival.objects.create(batch=first, person=person)
    record = upload(
        batch, officer, "Surname,First name,DOB,Sex,A-Number\nChhun,Vuthy,1980-03-04,M,A012345679\n"
    )
    result = services.preview(record, visible(officer))
    assert result.matches[2] is not None and result.matches[2].person == person
    assert any("Charter 2025-02 of 2025-02-10" in n for n in result.rows[0].notes)
    report = services.run_import(record=record, visible=visible(officer), user=officer)
    assert any("removed a second time" in n for n in report["rows"][0]["notes"])
