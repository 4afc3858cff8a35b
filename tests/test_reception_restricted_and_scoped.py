import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from crossings.accounts.roles import Role
from crossings.audit.models import AccessLog
from crossings.people.models import Person
from crossings.reception import services
from crossings.reception.models import Arrival, ArrivalBatch, ServiceDelivery


@pytest.fixture
def officer(make_user, reception):
    return make_user(Role.CASEWORKER, reception, username="rith")


@pytest.fixture
def returnee(reception, officer):
    person = Person.objects.create(organisation=reception, family_name="Keo", given_name="Bopha")
    services.create_assessment(
        person=person,
        organisation_id=reception.pk,
        user=officer,
        housing="shelter",
        substance_use="methamphetamine, daily",
        mental_health="nightmares",
    )
    return person


@pytest.mark.django_db
def test_substance_use_is_encrypted_and_hidden_from_caseworkers(returnee, officer, login):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT substance_use FROM reception_assessment")
        assert "methamphetamine" not in cursor.fetchone()[0]
    page = login(officer).get(f"/people/{returnee.pk}/reception/").content.decode()
    assert "shelter" in page and "methamphetamine" not in page and "Restricted." in page


@pytest.mark.django_db
def test_supervisors_see_it_and_others_only_by_breaking_the_glass(
    returnee, officer, reception, make_user, login
):
    supervisor = make_user(Role.SUPERVISOR, reception)
    assert "methamphetamine" in login(supervisor).get(f"/people/{returnee.pk}/reception/").content.decode()
    client = login(officer)
    assessment = returnee.assessments.get()
    client.post(f"/reception/assessments/{assessment.pk}/break-glass/", {"reason": ""})
    assert "methamphetamine" not in client.get(f"/people/{returnee.pk}/reception/").content.decode()
    client.post(
        f"/reception/assessments/{assessment.pk}/break-glass/", {"reason": "overdose risk, clinic asks"}
    )
    assert "methamphetamine" in client.get(f"/people/{returnee.pk}/reception/").content.decode()
    assert AccessLog.objects.get(action="break_glass").reason == "overdose risk, clinic asks"


@pytest.mark.django_db
def test_a_reassessment_is_a_new_version_compared_with_the_first(returnee, officer, reception, login):
    services.create_assessment(
        person=returnee, organisation_id=reception.pk, user=officer, housing="own room", has_id_card=True
    )
    assert list(returnee.assessments.values_list("version", flat=True)) == [1, 2]
    page = login(officer).get(f"/people/{returnee.pk}/reception/").content.decode()
    assert "“shelter” → “own room”" in page


@pytest.mark.django_db
def test_programme_exports_carry_hxl_and_honour_scope(
    returnee, officer, reception, make_org, make_user, login
):
    batch = ArrivalBatch.objects.create(
        organisation=reception, flight="CX", date=dt.date(2026, 3, 3), created_by=officer
    )
    Arrival.objects.create(batch=batch, person=returnee, received=True)
    services.ensure_catalogue(reception.pk)
    ServiceDelivery.objects.create(
        person=returnee,
        organisation=reception,
        date=dt.date(2026, 3, 4),
        cost=25,
        service=reception_service(reception),
        delivered_by=officer,
    )
    other = make_org("Other reception", "reception", "KH")
    stranger = make_user(Role.CASEWORKER, other)
    other_batch = ArrivalBatch.objects.create(
        organisation=other, flight="CX", date=dt.date(2026, 3, 3), created_by=stranger
    )
    Arrival.objects.create(
        batch=other_batch,
        received=True,
        person=Person.objects.create(organisation=other, family_name="Secret"),
    )
    response = login(officer).get("/reception/programme/?from=2026-01-01&to=2026-12-31&format=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][0] == "#beneficiary+id" and rows[1][7] == "#value+usd"
    assert [r[1] for r in rows[2:]] == ["KEO Bopha"] and rows[2][7] == "25.00"
    xlsx = login(officer).get("/reception/programme/?from=2026-01-01&to=2026-12-31&format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.cell(2, 1).value == "#beneficiary+id" and sheet.max_row == 3


def reception_service(org):
    from crossings.reception.models import Service

    return Service.objects.get(organisation=org, code="khmer_class")
