import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from crossings.people.models import Person


def raw_a_number(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT a_number, a_number_index FROM people_person WHERE id = %s", [pk])
        value, index = cursor.fetchone()
    return f"{value}|{index}"


@pytest.mark.django_db
def test_the_database_holds_ciphertext_not_the_a_number(person):
    raw = raw_a_number(person.pk)
    assert "012" not in raw and "345" not in raw and "678" not in raw
    assert Person.objects.get(pk=person.pk).a_number == "A-012-345-678"


@pytest.mark.django_db
def test_the_a_number_is_found_by_exact_match_in_any_spelling(person):
    for spelling in ("A-012-345-678", "a012345678", "012 345 678", "12345678"):
        assert list(Person.objects.with_a_number(spelling)) == [person]
    assert not Person.objects.with_a_number("A-012-345-679").exists()
    assert not Person.objects.with_a_number("").exists()


@pytest.mark.django_db
def test_encrypted_fields_refuse_text_search():
    with pytest.raises(TypeError):
        list(Person.objects.filter(a_number__icontains="345"))


@pytest.mark.django_db
def test_rotate_keys_re_encrypts_with_the_new_first_key(settings, person, capsys):
    old_key = settings.FIELD_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.FIELD_KEYS = [new_key, old_key]
    call_command("rotate-keys")
    assert "rows re-encrypted" in capsys.readouterr().out
    # Only the new key is now needed: data and exact-match search still work without the old one.
    settings.FIELD_KEYS = [new_key]
    assert Person.objects.get(pk=person.pk).a_number == "A-012-345-678"
    assert list(Person.objects.with_a_number("A012345678")) == [person]
    stored = raw_a_number(person.pk).split("|")[0]
    assert Fernet(new_key.encode()).decrypt(stored.encode()) == b"A-012-345-678"


@pytest.mark.django_db
def test_search_keeps_working_during_a_rotation(settings, person):
    settings.FIELD_KEYS = [Fernet.generate_key().decode(), *settings.FIELD_KEYS]
    assert list(Person.objects.with_a_number("A012345678")) == [person]
