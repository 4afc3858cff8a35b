"""Security review (issue 11), finding 13: uploaded files (manifests with A-numbers, case documents, photos,
consent scans) are encrypted on disk under the field keys, read back decrypted, encrypted by
`crossings encrypt-files` when written before, and re-encrypted by `crossings rotate-keys`."""

import datetime as dt
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import models

from crossings import storage
from crossings.accounts.roles import Role
from crossings.cases.models import Case, Document
from crossings.people.models import Person
from crossings.reception import services
from crossings.reception.models import ArrivalBatch, ManifestImport

MANIFEST = b"Family name,Given name,DOB,A-number\nChhunsecret,Vuthy,1980-03-04,A-012-345-678\n"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def officer(make_user, reception):
    return make_user(Role.CASEWORKER, reception)


@pytest.fixture
def batch(reception, officer):
    return ArrivalBatch.objects.create(
        organisation=reception, flight="CX", date=dt.date(2026, 3, 3), created_by=officer
    )


def on_disk(field_file) -> bytes:
    return Path(field_file.path).read_bytes()


def test_every_file_field_stores_through_the_encrypted_storage():
    fields = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.FileField) and not isinstance(field.storage, storage.EncryptedFileStorage)
    ]
    assert fields == []


@pytest.mark.django_db
def test_a_manifest_on_disk_holds_no_a_number_and_reads_back(batch, officer):
    record = services.store_upload(batch=batch, data=MANIFEST, filename="m.csv", user=officer)
    raw = on_disk(record.file)
    assert b"012-345-678" not in raw and b"Chhunsecret" not in raw and raw.startswith(storage.MARKER)
    preview = services.preview(ManifestImport.objects.get(pk=record.pk), Person.objects.all())
    assert preview.rows[0].values["a_number"] == "A-012-345-678"


@pytest.mark.django_db
def test_a_case_document_is_encrypted_on_disk_and_served_decrypted(person, advocacy, caseworker, login):
    case = Case.objects.create(
        organisation=advocacy, person=person, programme="legal_defence", owner=caseworker
    )
    client = login(caseworker)
    upload = SimpleUploadedFile("nta.pdf", PDF, content_type="application/pdf")
    assert client.post(f"/cases/{case.pk}/documents/", {"title": "NTA", "file": upload}).status_code == 302
    document = Document.objects.get()
    assert b"%PDF" not in on_disk(document.file)
    response = client.get(f"/documents/{document.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF


@pytest.mark.django_db
def test_encrypt_files_encrypts_files_written_before_and_only_once(batch, officer, capsys):
    plain = FileSystemStorage()  # how files were written before
    name = plain.save("reception/manifestimport/old", SimpleUploadedFile("old", MANIFEST))
    record = ManifestImport.objects.create(
        batch=batch, file=name, original_name="old.csv", sha256="x", created_by=officer
    )
    assert b"012-345-678" in on_disk(record.file)
    assert services.preview(record, Person.objects.all()).rows[0].values["family_name"] == "Chhunsecret"
    call_command("encrypt-files")
    assert "1 encrypted" in capsys.readouterr().out
    assert b"012-345-678" not in on_disk(record.file)
    record = ManifestImport.objects.get(pk=record.pk)
    assert services.preview(record, Person.objects.all()).rows[0].values["family_name"] == "Chhunsecret"
    call_command("encrypt-files")
    assert "0 encrypted, 1 already encrypted" in capsys.readouterr().out


@pytest.mark.django_db
def test_rotate_keys_re_encrypts_the_files_with_the_new_key(batch, officer, settings, capsys):
    record = services.store_upload(batch=batch, data=MANIFEST, filename="m.csv", user=officer)
    new_key = Fernet.generate_key().decode()
    settings.FIELD_KEYS = [new_key, *settings.FIELD_KEYS]
    call_command("rotate-keys")
    assert "files: 1 re-encrypted" in capsys.readouterr().out
    settings.FIELD_KEYS = [new_key]  # the old key is gone: the file still opens
    raw = on_disk(record.file)
    assert Fernet(new_key.encode()).decrypt(raw[len(storage.MARKER) :]) == MANIFEST
    with ManifestImport.objects.get(pk=record.pk).file.open("rb") as fh:
        assert fh.read() == MANIFEST


@pytest.mark.django_db
def test_an_altered_file_is_refused_not_served(batch, officer):
    record = services.store_upload(batch=batch, data=MANIFEST, filename="m.csv", user=officer)
    path = Path(record.file.path)
    raw = bytearray(path.read_bytes())
    raw[-5] ^= 1
    path.write_bytes(bytes(raw))
    with pytest.raises(ImproperlyConfigured, match="cannot be decrypted"):
        ManifestImport.objects.get(pk=record.pk).file.open("rb")
