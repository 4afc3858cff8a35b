import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from crossings.accounts.roles import Role
from crossings.audit.models import AccessLog
from crossings.cases.models import Case
from crossings.people import journey, matching, services, sharing
from crossings.people.models import Consent, Person, PersonMerge


@pytest.fixture
def twins(advocacy, caseworker):
    a = services.create_person(
        organisation_id=advocacy.pk,
        user=caseworker,
        data={"family_name": "Chhun", "given_name": "Vuthy", "birth_date": dt.date(1981, 6, 14)},
    )
    b = services.create_person(
        organisation_id=advocacy.pk,
        user=caseworker,
        data={"family_name": "Chun", "given_name": "Vuthi", "name_km": "ឈុន វុទ្ធី", "a_number": "A-000-111-222"},
    )
    return a, b


@pytest.mark.django_db
def test_merge_keeps_every_event_case_consent_and_log(
    twins, advocacy, reception, caseworker, make_user, login
):
    a, b = twins
    supervisor = make_user(Role.SUPERVISOR, advocacy)
    journey.record_event(
        person=a, kind="in_proceedings", date=dt.date(2020, 1, 1), user=caseworker, organisation_id=None
    )
    journey.record_event(
        person=b, kind="final_order", date=dt.date(2021, 1, 1), user=caseworker, organisation_id=None
    )
    Case.objects.create(organisation=advocacy, person=b, programme="legal_defence", owner=caseworker)
    sharing.record_consent(
        person=b,
        user=caseworker,
        scope="share",
        shared_with=reception,
        given_on=dt.date.today(),
    )
    login(caseworker).get(f"/people/{b.pk}/")

    client = login(supervisor)
    asked = client.post(f"/people/{a.pk}/merge/", {"duplicate": b.pk, "reason": "same A-file"})
    # first the two records side by side, nothing merged yet, and the duplicate's read logged
    assert asked.status_code == 200 and b'data-testid="compare"' in asked.content
    body = asked.content.decode()
    assert "Merge these two records?" in body and "ឈុន វុទ្ធី" in body and "A-000-111-222" in body
    assert Person.objects.get(pk=b.pk).merged_into_id is None
    assert AccessLog.objects.filter(user=supervisor, object_id=str(b.pk), reason="merge").exists()
    response = client.post(
        f"/people/{a.pk}/merge/", {"duplicate": b.pk, "reason": "same A-file", "confirmed": "1"}
    )
    assert response.status_code == 302

    a.refresh_from_db()
    assert sorted(a.events.values_list("kind", flat=True)) == ["final_order", "in_proceedings"]
    assert a.status == "final_order"
    assert Case.objects.filter(person=a).count() == 1
    assert Consent.objects.filter(person=a).count() == 1
    assert a.name_km == "ឈុន វុទ្ធី" and a.a_number == "A-000-111-222"  # gaps filled from the duplicate
    assert "Chun Vuthi" in [n.name for n in a.aliases.all()]
    # the duplicate is hidden but kept, with its access log, and the merge is recorded
    assert not Person.objects.visible_to(caseworker).filter(pk=b.pk).exists()
    assert Person.objects.get(pk=b.pk).merged_into_id == a.pk
    assert AccessLog.objects.filter(object_id=str(b.pk)).exists()
    merge = PersonMerge.objects.get()
    assert merge.merged_by == supervisor and merge.snapshot["family_name"] == "Chun"
    # found by the duplicate's spelling
    assert matching.search(Person.objects.visible_to(caseworker), "Chun Vuthi")[0].person == a


@pytest.mark.django_db
def test_only_supervisors_merge(twins, caseworker, login):
    a, b = twins
    assert (
        login(caseworker).post(f"/people/{a.pk}/merge/", {"duplicate": b.pk, "reason": "x"}).status_code
        == 403
    )
    assert Person.objects.get(pk=b.pk).merged_into_id is None


@pytest.mark.django_db
def test_a_record_cannot_be_merged_twice_or_with_itself(twins, caseworker):
    a, b = twins
    with pytest.raises(ValidationError):
        services.merge_people(survivor=a, duplicate=a, user=caseworker)
    services.merge_people(survivor=a, duplicate=b, user=caseworker)
    with pytest.raises(ValidationError):
        services.merge_people(survivor=a, duplicate=b, user=caseworker)
