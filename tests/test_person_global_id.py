"""Every person has a stable global_id (a random UUID): unique, never edited, filled for the people who
existed before it by the migration (each their own), carried by the person and referral answers of the API,
and kept by the survivor of a merge, with the absorbed record's one kept on the merge."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from crossings.accounts.roles import Role
from crossings.people import services, sharing
from crossings.people.models import Person, PersonMerge

BEFORE = ("people", "0005_name_key_kind_and_slip_keys")


@pytest.mark.django_db
def test_each_person_gets_a_different_uuid4(advocacy: Any, caseworker: Any) -> None:
    people = [
        services.create_person(organisation_id=advocacy.pk, user=caseworker, data={"family_name": f"Keo {i}"})
        for i in range(3)
    ]
    ids = {p.global_id for p in people}
    assert len(ids) == 3 and all(isinstance(i, uuid.UUID) and i.version == 4 for i in ids)


@pytest.mark.django_db
def test_the_database_refuses_a_second_person_with_the_same_global_id(advocacy: Any, person: Person) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(organisation=advocacy, family_name="Copy", global_id=person.global_id)


@pytest.mark.django_db
def test_the_api_shows_it_and_no_patch_changes_it(login: Any, caseworker: Any, person: Person) -> None:
    client = login(caseworker)
    before = person.global_id
    body = client.get(f"/api/people/{person.pk}").json()
    assert body["global_id"] == str(before)
    answer = client.patch(
        f"/api/people/{person.pk}",
        {"version": person.version, "given_name": "Dara", "global_id": str(uuid.uuid4())},
        content_type="application/json",
    )
    assert answer.status_code == 200
    person.refresh_from_db()
    assert person.global_id == before


@pytest.mark.django_db
def test_a_referral_carries_the_persons_global_id(
    login: Any, caseworker: Any, person: Person, reception: Any
) -> None:
    sharing.record_consent(
        person=person, user=caseworker, scope="share", shared_with=reception, given_on=timezone.localdate()
    )
    client = login(caseworker)
    sent = client.post(
        f"/api/people/{person.pk}/referrals",
        {"to_organisation": reception.pk, "purpose": "arrival"},
        content_type="application/json",
    )
    assert sent.status_code == 201 and sent.json()["person_global_id"] == str(person.global_id)
    listed = client.get("/api/referrals", {"box": "outgoing"}).json()["results"]
    assert [r["person_global_id"] for r in listed] == [str(person.global_id)]


@pytest.mark.django_db
def test_a_merge_keeps_the_survivors_global_id_and_records_the_absorbed_one(
    advocacy: Any, caseworker: Any, make_user: Any
) -> None:
    keep = services.create_person(organisation_id=advocacy.pk, user=caseworker, data={"family_name": "Chhun"})
    gone = services.create_person(organisation_id=advocacy.pk, user=caseworker, data={"family_name": "Chun"})
    kept_id, gone_id = keep.global_id, gone.global_id
    merge = services.merge_people(survivor=keep, duplicate=gone, user=make_user(Role.SUPERVISOR, advocacy))
    keep.refresh_from_db()
    gone.refresh_from_db()
    assert keep.global_id == kept_id and gone.global_id == gone_id
    merge = PersonMerge.objects.get(pk=merge.pk)
    assert merge.merged_global_id == gone_id
    assert merge.snapshot["global_id"] == str(gone_id)


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_each_existing_person_their_own_id(advocacy: Any) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    old = executor.loader.project_state([BEFORE]).apps
    OldPerson = old.get_model("people", "Person")
    pks = [OldPerson.objects.create(organisation_id=advocacy.pk, family_name=f"Old {i}").pk for i in range(5)]
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    ids = list(Person.objects.filter(pk__in=pks).values_list("global_id", flat=True))
    assert len(ids) == 5 and None not in ids and len(set(ids)) == 5
    assert all(i.version == 4 for i in ids)
