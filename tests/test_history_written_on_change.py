import pytest

from crossings.accounts.models import Membership
from crossings.people.models import Person


@pytest.mark.django_db
def test_each_change_to_a_person_is_kept_with_who_made_it(caseworker, person, login):
    person.given_name = "Darah"
    person._history_user = caseworker
    person.save()
    history = list(person.history.order_by("history_date", "history_id"))
    assert [h.history_type for h in history] == ["+", "~"]
    assert [h.given_name for h in history] == ["Dara", "Darah"]
    assert history[-1].history_user == caseworker


@pytest.mark.django_db
def test_history_keeps_the_sensitive_field_encrypted(person):
    from django.db import connection

    table = Person.history.model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT a_number FROM {table}")  # noqa: S608
        stored = cursor.fetchone()[0]
    assert "345" not in stored
    assert person.history.first().a_number == "A-012-345-678"


@pytest.mark.django_db
def test_role_changes_are_in_history(caseworker):
    membership = Membership.objects.get(user=caseworker)
    membership.role = "supervisor"
    membership.save()
    assert [h.role for h in membership.history.order_by("history_date", "history_id")] == [
        "caseworker",
        "supervisor",
    ]
