"""A merge keeps a snapshot of the record that disappeared, A-number and contact included: it is encrypted
like those fields, re-encrypted by rotate-keys, and existing plain snapshots are encrypted by the migration
(hostile review, finding 3)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from crossings.accounts.roles import Role
from crossings.people import services
from crossings.people.models import PersonMerge


def raw_snapshot(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT snapshot FROM people_personmerge WHERE id = %s", [pk])
        return str(cursor.fetchone()[0])


@pytest.fixture
def merged(advocacy: Any, caseworker: Any, make_user: Any) -> PersonMerge:
    keep = services.create_person(organisation_id=advocacy.pk, user=caseworker, data={"family_name": "Chhun"})
    gone = services.create_person(
        organisation_id=advocacy.pk,
        user=caseworker,
        data={"family_name": "Chun", "a_number": "A-098-765-432", "contact": "Street 271, Phnom Penh"},
    )
    return services.merge_people(survivor=keep, duplicate=gone, user=make_user(Role.SUPERVISOR, advocacy))


@pytest.mark.django_db
def test_the_database_holds_no_a_number_or_contact_of_a_merged_record(merged: PersonMerge) -> None:
    raw = raw_snapshot(merged.pk)
    assert "098" not in raw and "765" not in raw and "Street" not in raw
    snapshot = PersonMerge.objects.get(pk=merged.pk).snapshot
    assert snapshot["a_number"] == "A-098-765-432" and snapshot["contact"] == "Street 271, Phnom Penh"


@pytest.mark.django_db
def test_rotate_keys_re_encrypts_snapshots(merged: PersonMerge, settings: Any) -> None:
    new_key = Fernet.generate_key().decode()
    settings.FIELD_KEYS = [new_key, *settings.FIELD_KEYS]
    call_command("rotate-keys")
    settings.FIELD_KEYS = [new_key]
    plain = json.loads(Fernet(new_key.encode()).decrypt(raw_snapshot(merged.pk).encode()))
    assert plain["a_number"] == "A-098-765-432"


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_snapshots_stored_in_plain_json(advocacy: Any, caseworker: Any) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([("people", "0003_referral_chain_and_holder")])
    old = executor.loader.project_state([("people", "0003_referral_chain_and_holder")]).apps
    Person = old.get_model("people", "Person")
    keep = Person.objects.create(organisation_id=advocacy.pk, family_name="Chhun")
    gone = Person.objects.create(organisation_id=advocacy.pk, family_name="Chun")
    old.get_model("people", "PersonMerge").objects.create(
        survivor_id=keep.pk,
        merged_id=gone.pk,
        merged_by_id=caseworker.pk,
        snapshot={"a_number": "A-098-765-432"},
    )
    assert "098-765" in raw_snapshot(old.get_model("people", "PersonMerge").objects.get().pk)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    merge = PersonMerge.objects.get()
    assert "098" not in raw_snapshot(merge.pk)
    assert merge.snapshot == {"a_number": "A-098-765-432"}
