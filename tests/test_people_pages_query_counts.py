"""The person page and list cost a fixed number of queries, however much the person has (no N+1)."""

import datetime as dt

import pytest

from crossings.cases.models import Case, Task
from crossings.people import journey, services, sharing


def grow(person, advocacy, reception, caseworker, n):
    for i in range(n):
        journey.record_event(
            person=person,
            kind="check_in",
            date=dt.date(2020, 1, 1) + dt.timedelta(days=i),
            user=caseworker,
            organisation_id=advocacy.pk,
        )
        case = Case.objects.create(
            organisation=advocacy, person=person, programme="legal_defence", owner=caseworker
        )
        Task.objects.create(case=case, title=f"t{i}", created_by=caseworker, assignee=caseworker)
        services.add_alias(person=person, name=f"Alias {person.aliases.count()}")
    sharing.record_consent(
        person=person,
        user=caseworker,
        scope="share",
        shared_with=reception,
        given_on=dt.date.today(),
    )


@pytest.mark.django_db
def test_the_person_page_query_count_does_not_grow(
    person, advocacy, reception, caseworker, login, django_assert_max_num_queries
):
    client = login(caseworker)
    grow(person, advocacy, reception, caseworker, 2)
    with django_assert_max_num_queries(24) as small:
        assert client.get(f"/people/{person.pk}/").status_code == 200
    grow(person, advocacy, reception, caseworker, 8)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(f"/people/{person.pk}/").status_code == 200


@pytest.mark.django_db
def test_the_person_list_query_count_does_not_grow(
    advocacy, caseworker, login, django_assert_max_num_queries
):
    client = login(caseworker)
    for i in range(3):
        services.create_person(organisation_id=advocacy.pk, user=caseworker, data={"family_name": f"Sok{i}"})
    with django_assert_max_num_queries(12) as small:
        client.get("/people/")
    for i in range(30):
        services.create_person(organisation_id=advocacy.pk, user=caseworker, data={"family_name": f"Keo{i}"})
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/people/")
    with django_assert_max_num_queries(14):
        client.get("/people/?q=Sok")
