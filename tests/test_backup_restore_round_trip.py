"""`crossings backup` then `crossings restore` gives back exactly what was there, on the database in use:
the database and the uploaded files (MEDIA_ROOT), in one archive whose SHA-256 manifest is verified before
anything is replaced (security review, issue 11, finding 12)."""

import datetime as dt
import io
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from crossings.accounts.models import Organisation
from crossings.audit.models import AccessLog
from crossings.cases.models import Case, Document
from crossings.people.models import Person
from crossings.reception import services as reception_services
from crossings.reception.models import ArrivalBatch

pytestmark = pytest.mark.django_db(transaction=True)


def snapshot() -> dict[str, list]:
    return {
        "orgs": list(Organisation.objects.values_list("id", "name").order_by("id")),
        "people": list(Person.objects.values_list("id", "given_name", "name_km", "a_number").order_by("id")),
        "history": Person.history.count(),
        "log": AccessLog.objects.count(),
    }


def test_backup_then_restore_loses_nothing(tmp_path, caseworker, person, login):
    login(caseworker).get(f"/people/{person.pk}/")
    Person.objects.create(organisation=person.organisation, given_name="Srey", name_km="ស្រី", a_number="A99")
    before = snapshot()
    path = tmp_path / "crossings.backup"
    call_command("backup", str(path))
    assert path.stat().st_size > 0
    if connection.vendor == "sqlite":
        # The backup file itself holds ciphertext only.
        assert b"012-345-678" not in path.read_bytes() and b"012345678" not in path.read_bytes()

    # Damage after the backup: a change, a deletion, an addition.
    Person.objects.filter(pk=person.pk).update(given_name="CHANGED")
    Person.objects.filter(given_name="Srey").delete()
    Organisation.objects.create(name="Added later", kind="research", country="US")

    call_command("restore", str(path), "--yes")
    connection.close()
    assert snapshot() == before


def test_backup_refuses_to_overwrite(tmp_path):
    path = tmp_path / "b"
    path.write_text("keep me")
    with pytest.raises(CommandError, match="exists"):
        call_command("backup", str(path))
    assert path.read_text() == "keep me"


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path, person):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("this is not a database")
    with pytest.raises(CommandError):
        call_command("restore", str(bogus), "--yes")
    assert Person.objects.filter(pk=person.pk).exists()


def test_restore_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="No backup file"):
        call_command("restore", str(tmp_path / "nope"), "--yes")


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MANIFEST = b"Family name,Given name,DOB\nChhun,Vuthy,1980-03-04\n"


@pytest.fixture
def uploads(person, advocacy, caseworker, reception, make_user, login):
    """A case document and a manifest (with its preview), stored as the pages store them."""
    case = Case.objects.create(
        organisation=advocacy, person=person, programme="legal_defence", owner=caseworker
    )
    upload = SimpleUploadedFile("nta.pdf", PDF, content_type="application/pdf")
    login(caseworker).post(f"/cases/{case.pk}/documents/", {"title": "NTA", "file": upload})
    officer = make_user("caseworker", reception)
    batch = ArrivalBatch.objects.create(
        organisation=reception, flight="CX", date=dt.date(2026, 3, 3), created_by=officer
    )
    record = reception_upload(batch, officer)
    return Document.objects.get(), record, caseworker, officer


def reception_upload(batch, officer):
    return reception_services.store_upload(batch=batch, data=MANIFEST, filename="m.csv", user=officer)


def media_state() -> dict[str, bytes]:
    root = Path(settings.MEDIA_ROOT)
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_the_uploaded_files_come_back_with_the_database(tmp_path, uploads, login):
    document, record, caseworker, officer = uploads
    before, files = snapshot(), media_state()
    path = tmp_path / "crossings.backup"
    call_command("backup", str(path))
    with tarfile.open(path) as archive:
        assert {"crossings-backup.json", *(f"media/{n}" for n in files)} <= set(archive.getnames())

    # After the backup: a file lost, a file added, a row added.
    Path(document.file.path).unlink()
    Path(settings.MEDIA_ROOT, "stray").write_bytes(b"added later")
    Organisation.objects.create(name="Added later", kind="research", country="US")

    call_command("restore", str(path), "--yes")
    connection.close()
    assert snapshot() == before and media_state() == files
    response = login(caseworker).get(f"/documents/{document.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    preview = login(officer).get(f"/reception/imports/{record.pk}/")
    assert preview.status_code == 200 and "CHHUN" in preview.content.decode().upper()


def altered(path: Path, tmp_path: Path, member: str) -> Path:
    """A copy of the archive with one byte of one member changed (the manifest is kept as it was)."""
    out = tmp_path / "altered.backup"
    with tarfile.open(path) as src, tarfile.open(out, "w") as dst:
        for info in src:
            data = src.extractfile(info).read()
            if info.name == member:
                data = bytes([data[0] ^ 1]) + data[1:]
            dst.addfile(info, io.BytesIO(data))
    return out


@pytest.mark.parametrize("damage", ["media file", "database", "truncated", "extra file"])
def test_a_damaged_or_altered_archive_is_refused_and_nothing_is_restored(tmp_path, uploads, damage):
    document = uploads[0]
    path = tmp_path / "crossings.backup"
    call_command("backup", str(path))
    with tarfile.open(path) as archive:
        names = archive.getnames()
    if damage == "media file":
        bad = altered(path, tmp_path, "media/" + document.file.name)
    elif damage == "database":
        bad = altered(path, tmp_path, next(n for n in names if n.startswith("database.")))
    elif damage == "truncated":
        bad = tmp_path / "truncated.backup"
        bad.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    else:
        bad = tmp_path / "extra.backup"
        with tarfile.open(path) as src, tarfile.open(bad, "w") as dst:
            for info in src:
                dst.addfile(info, src.extractfile(info))
            extra = tarfile.TarInfo("media/../../evil")
            extra.size = 4
            dst.addfile(extra, io.BytesIO(b"evil"))
    Organisation.objects.create(name="Added later", kind="research", country="US")
    Path(settings.MEDIA_ROOT, "stray").write_bytes(b"added later")
    before, files = snapshot(), media_state()
    with pytest.raises(CommandError, match="nothing was restored"):
        call_command("restore", str(bad), "--yes")
    connection.close()
    assert snapshot() == before and media_state() == files
