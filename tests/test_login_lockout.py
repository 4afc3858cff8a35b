import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import PASSWORD


@pytest.mark.django_db
def test_it_locks_the_account_after_repeated_wrong_passwords(caseworker):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post("/login/", {"username": "caseworker", "password": "wrong-password"})
        assert response.status_code == 200
    response = client.post("/login/", {"username": "caseworker", "password": "wrong-password"})
    assert response.status_code == 429
    # Now even the right password is refused, with the lockout page rather than a login.
    response = client.post("/login/", {"username": "caseworker", "password": PASSWORD})
    assert response.status_code == 429
    assert b"Too many failed attempts" in response.content
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_it_logs_in_with_the_right_password_before_the_limit(caseworker):
    client = Client()
    client.post("/login/", {"username": "caseworker", "password": "wrong-password"})
    response = client.post("/login/", {"username": "caseworker", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(caseworker.pk)


@pytest.mark.django_db
def test_lockout_of_one_user_does_not_lock_another(caseworker, supervisor):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        client.post("/login/", {"username": "caseworker", "password": "wrong-password"})
    response = client.post("/login/", {"username": "supervisor", "password": PASSWORD})
    assert response.status_code == 302
