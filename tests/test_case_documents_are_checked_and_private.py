import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from crossings.audit.models import AccessLog
from crossings.cases.models import Case, Document

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def case(person, advocacy, caseworker, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    return Case.objects.create(
        organisation=advocacy, person=person, programme="legal_defence", owner=caseworker
    )


@pytest.mark.django_db
def test_a_pdf_is_stored_outside_static_files_and_served_only_through_the_checked_view(
    case, caseworker, login, make_user, make_org
):
    client = login(caseworker)
    upload = SimpleUploadedFile("notice to appear.pdf", PDF, content_type="application/pdf")
    assert client.post(f"/cases/{case.pk}/documents/", {"title": "NTA", "file": upload}).status_code == 302
    document = Document.objects.get()
    assert document.content_type == "application/pdf" and document.size == len(PDF)
    path = document.file.path
    assert str(settings.MEDIA_ROOT) in path and str(settings.STATIC_ROOT) not in path
    assert "notice" not in path  # the stored name is random
    response = client.get(f"/documents/{document.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert AccessLog.objects.filter(action="download", object_id=str(document.pk)).exists()
    outsider = make_user("caseworker", make_org("Elsewhere"))
    assert login(outsider).get(f"/documents/{document.pk}/").status_code == 404


@pytest.mark.django_db
def test_a_disguised_file_is_refused(case, caseworker, login):
    fake = SimpleUploadedFile(
        "scan.pdf", b"MZ\x90\x00 this is a windows program", content_type="application/pdf"
    )
    response = login(caseworker).post(
        f"/cases/{case.pk}/documents/", {"title": "scan", "file": fake}, follow=True
    )
    assert "not an accepted type" in response.content.decode()
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_an_oversized_file_is_refused(case, caseworker, login):
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (10 * 1024 * 1024), content_type="application/pdf")
    response = login(caseworker).post(
        f"/cases/{case.pk}/documents/", {"title": "big", "file": big}, follow=True
    )
    assert "the limit is 10 MB" in response.content.decode()
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_notes_are_encrypted_in_the_database(case, caseworker, login):
    from django.db import connection

    login(caseworker).post(f"/cases/{case.pk}/notes/", {"body": "Afraid to go to the check-in on Monday"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM cases_note")
        stored = cursor.fetchone()[0]
    assert "check-in" not in stored
    assert case.notes.get().body == "Afraid to go to the check-in on Monday"
