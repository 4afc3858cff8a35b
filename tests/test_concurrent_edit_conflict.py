import pytest
from django.test import Client

from crossings.accounts.models import ApiToken
from crossings.people import services
from crossings.people.models import Person


@pytest.mark.django_db
def test_the_second_save_is_refused_and_shows_what_changed(person, caseworker, make_user, advocacy, login):
    other = make_user("caseworker", advocacy)
    first, second = login(caseworker), login(other)
    form = {
        "family_name": "Sok",
        "given_name": "Dara",
        "sex": "male",
        "birth_date_precision": "exact",
        "birthplace_kind": "unknown",
        "khmer_ability": "unknown",
        "version": person.version,
    }
    assert first.post(f"/people/{person.pk}/edit/", {**form, "us_city": "Long Beach"}).status_code == 302
    response = second.post(f"/people/{person.pk}/edit/", {**form, "us_city": "Lowell"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "someone else changed this record" in page
    assert "Long Beach" in page and "version 2" in page
    person.refresh_from_db()
    assert person.us_city == "Long Beach" and person.version == 2


@pytest.mark.django_db
def test_the_api_answers_409_with_the_current_version(person, caseworker):
    _t, raw = ApiToken.issue(user=caseworker)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    ok = client.patch(
        f"/api/people/{person.pk}", {"version": 1, "us_city": "Stockton"}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = client.patch(
        f"/api/people/{person.pk}", {"version": 1, "us_city": "Fresno"}, content_type="application/json"
    )
    assert stale.status_code == 409
    body = stale.json()
    assert body["current_version"] == 2 and body["changes"]["us_city"] == ["", "Stockton"]
    assert Person.objects.get(pk=person.pk).us_city == "Stockton"


@pytest.mark.django_db
def test_update_service_refuses_a_stale_version(person, caseworker):
    services.update_person(person_id=person.pk, user=caseworker, data={"us_city": "A"}, expected_version=1)
    with pytest.raises(services.EditConflict):
        services.update_person(
            person_id=person.pk, user=caseworker, data={"us_city": "B"}, expected_version=1
        )


@pytest.mark.django_db
def test_a_photo_can_be_replaced_on_edit_and_is_checked(person, caseworker, login, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    form = {
        "family_name": "Sok",
        "given_name": "Dara",
        "sex": "male",
        "birth_date_precision": "exact",
        "birthplace_kind": "unknown",
        "khmer_ability": "unknown",
        "version": person.version,
    }
    client = login(caseworker)
    fake = SimpleUploadedFile("me.png", b"GIF89a not a png", content_type="image/png")
    assert client.post(f"/people/{person.pk}/edit/", {**form, "photo": fake}).status_code == 200
    ok = client.post(f"/people/{person.pk}/edit/", {**form, "photo": SimpleUploadedFile("me.png", png)})
    assert ok.status_code == 302
    person.refresh_from_db()
    assert person.photo and str(tmp_path) in person.photo.path
    response = client.get(f"/people/{person.pk}/photo/")
    assert response["Content-Type"] == "image/png"
