import pytest
from django.test import Client

from crossings.accounts.models import ApiToken
from crossings.audit.models import AccessLog, break_glass


@pytest.mark.django_db
def test_viewing_a_person_writes_who_what_when_and_where(caseworker, person, login):
    client = login(caseworker)
    assert client.get(f"/people/{person.pk}/", REMOTE_ADDR="10.1.2.3").status_code == 200
    entry = AccessLog.objects.get()
    assert entry.user == caseworker
    assert entry.organisation == person.organisation
    assert (entry.object_type, entry.object_id, entry.action) == ("people.person", str(person.pk), "view")
    assert entry.ip_address == "10.1.2.3"
    assert entry.path == f"/people/{person.pk}/"


@pytest.mark.django_db
def test_reading_a_person_through_the_api_is_logged(caseworker, person):
    _t, raw = ApiToken.issue(user=caseworker)
    Client().get(f"/api/people/{person.pk}", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert AccessLog.objects.filter(object_id=str(person.pk), action="api", user=caseworker).count() == 1


@pytest.mark.django_db
def test_a_refused_read_writes_nothing(make_user, make_org, person, login):
    outsider = make_user("caseworker", make_org("Elsewhere"))
    assert login(outsider).get(f"/people/{person.pk}/").status_code == 404
    assert not AccessLog.objects.exists()


@pytest.mark.django_db
def test_the_log_cannot_be_edited_or_deleted(caseworker, person, login):
    login(caseworker).get(f"/people/{person.pk}/")
    entry = AccessLog.objects.get()
    entry.reason = "tampered"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AccessLog.objects.all().update(reason="tampered")
    with pytest.raises(PermissionError):
        AccessLog.objects.all().delete()
    assert AccessLog.objects.get().reason == ""


@pytest.mark.django_db
def test_supervisors_see_their_organisations_log_and_no_other(
    caseworker, supervisor, person, login, make_user, make_org
):
    login(caseworker).get(f"/people/{person.pk}/")
    page = login(supervisor).get("/audit/")
    assert page.status_code == 200
    assert f"people.person #{person.pk}" in page.content.decode()
    other_supervisor = make_user("supervisor", make_org("Elsewhere"))
    page = login(other_supervisor).get("/audit/")
    assert f"people.person #{person.pk}" not in page.content.decode()
    assert login(caseworker).get("/audit/").status_code == 403


@pytest.mark.django_db
def test_break_the_glass_needs_a_reason_and_is_logged_with_it(supervisor, person, rf):
    request = rf.get("/")
    request.user = supervisor
    with pytest.raises(ValueError):
        break_glass(request, obj=person, organisation_id=person.organisation_id, reason="  ")
    break_glass(request, obj=person, organisation_id=person.organisation_id, reason="detained tonight")
    entry = AccessLog.objects.get(action="break_glass")
    assert entry.reason == "detained tonight"
