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


def _fail(client: Client, username: str, addr: str = "127.0.0.1") -> int:
    return client.post(
        "/login/", {"username": username, "password": "wrong-password"}, REMOTE_ADDR=addr
    ).status_code


def _age_attempts(seconds: float) -> None:
    """Move the stored failures back in time (instead of waiting)."""
    import datetime as dt

    from axes.models import AccessAttempt

    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= dt.timedelta(seconds=seconds)
        attempt.save(update_fields=["attempt_time"])


@pytest.mark.django_db
def test_the_lock_is_per_account_whatever_the_address(caseworker):
    client = Client()
    for i in range(settings.AXES_FAILURE_LIMIT):
        _fail(client, "caseworker", addr=f"198.51.100.{i + 1}")
    response = Client().post(
        "/login/", {"username": "caseworker", "password": PASSWORD}, REMOTE_ADDR="203.0.113.5"
    )
    assert response.status_code == 429


@pytest.mark.django_db
def test_the_first_lock_ends_by_itself_after_a_minute(caseworker, supervisor):
    # (Every try while locked counts as a failure and lengthens the lock, so each user is probed once.)
    for username in ("caseworker", "supervisor"):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            _fail(Client(), username)
    _age_attempts(50)
    assert Client().post("/login/", {"username": "caseworker", "password": PASSWORD}).status_code == 429
    _age_attempts(11)
    assert Client().post("/login/", {"username": "supervisor", "password": PASSWORD}).status_code == 302


@pytest.mark.django_db
def test_each_further_failure_doubles_the_lock_up_to_half_an_hour(caseworker, supervisor):
    from crossings.accounts.lockout import lock_duration
    from crossings.accounts.models import LoginLockout

    assert [lock_duration(n).total_seconds() / 60 for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]
    for username in ("caseworker", "supervisor"):
        for _ in range(settings.AXES_FAILURE_LIMIT + 2):  # locked at the 5th, then two more tries
            _fail(Client(), username)
        assert LoginLockout.objects.get(username=username).count == 3  # so 4 minutes
    _age_attempts(3 * 60 + 50)
    assert Client().post("/login/", {"username": "caseworker", "password": PASSWORD}).status_code == 429
    _age_attempts(20)
    assert Client().post("/login/", {"username": "supervisor", "password": PASSWORD}).status_code == 302
    assert not LoginLockout.objects.filter(username="supervisor").exists()  # a good login forgets


@pytest.mark.django_db
def test_an_attacker_cannot_hold_the_lock_for_longer_than_the_cap(caseworker):
    client = Client()
    for _ in range(40):
        _fail(client, "caseworker")
    _age_attempts(settings.CROSSINGS_LOCKOUT_MAX_MINUTES * 60 + 1)
    assert Client().post("/login/", {"username": "caseworker", "password": PASSWORD}).status_code == 302
