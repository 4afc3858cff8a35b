"""`crossings backup` then `crossings restore` gives back exactly what was there, on the database in use."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from crossings.accounts.models import Organisation
from crossings.audit.models import AccessLog
from crossings.people.models import Person

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
