"""A new account whose role needs a second factor cannot enrol an authenticator with the password alone:
it needs the one-time set-up code an administrator issued (`crossings user enrol USER`, or the back office).
The code is stored hashed, expires, works once, and no TOTP secret is shown before it is accepted."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from crossings.accounts.models import EnrolmentCode
from tests.conftest import PASSWORD
from tests.test_two_factor_required_for_privileged_roles import code_for


def password_only(username: str) -> Client:
    client = Client()
    assert client.post("/login/", {"username": username, "password": PASSWORD}).status_code == 302
    return client


def cli_code(username: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("user", "enrol", username, stdout=out, stderr=err)
    assert "valid" in err.getvalue()
    return out.getvalue().strip()


@pytest.mark.django_db
def test_the_password_alone_shows_no_secret_and_enrols_nothing(supervisor):
    client = password_only("supervisor")
    page = client.get("/account/2fa/setup/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "set-up code" in html
    assert "data:image/svg+xml" not in html and 'class="secret"' not in html
    assert not TOTPDevice.objects.filter(user=supervisor).exists()
    # Posting a TOTP code straight away (the old one-step enrolment) confirms nothing.
    response = client.post("/account/2fa/setup/", {"otp_token": "123456"})
    assert response.status_code == 400
    assert not TOTPDevice.objects.filter(user=supervisor, confirmed=True).exists()
    assert client.get("/people/").status_code == 302


@pytest.mark.django_db
def test_a_code_from_the_cli_lets_the_user_enrol_once(supervisor, caseworker):
    raw = cli_code("supervisor")
    stored = EnrolmentCode.objects.get(user=supervisor)
    assert raw.replace("-", "") not in stored.digest and len(stored.digest) == 64  # only the hash
    assert stored.expires_at > timezone.now()
    client = password_only("supervisor")
    response = client.post("/account/2fa/setup/", {"code": raw.lower(), "next": "/people/"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "data:image/svg+xml" in page
    device = TOTPDevice.objects.get(user=supervisor, confirmed=False)
    response = client.post("/account/2fa/setup/", {"otp_token": code_for(device), "next": "/people/"})
    assert response.status_code == 302 and response["Location"] == "/people/"
    assert client.get("/people/").status_code == 200
    stored.refresh_from_db()
    assert stored.used_at is not None
    # Used up: a second session of the same user cannot enrol again with it.
    TOTPDevice.objects.filter(user=supervisor).delete()
    again = password_only("supervisor")
    assert again.post("/account/2fa/setup/", {"code": raw}).status_code == 400


@pytest.mark.django_db
def test_a_code_is_refused_when_expired_replaced_or_someone_elses(supervisor, make_user, advocacy):
    other = make_user("supervisor", advocacy, username="other")
    old = cli_code("supervisor")
    new = cli_code("supervisor")  # issuing a new code ends the earlier one
    others = cli_code("other")
    client = password_only("supervisor")
    assert client.post("/account/2fa/setup/", {"code": old}).status_code == 400
    assert client.post("/account/2fa/setup/", {"code": others}).status_code == 400
    EnrolmentCode.objects.filter(user=supervisor).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.post("/account/2fa/setup/", {"code": new})
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert EnrolmentCode.objects.filter(user=other, used_at=None).count() == 1


@pytest.mark.django_db
def test_a_secret_shown_before_the_code_is_never_the_one_enrolled(supervisor):
    """An unconfirmed device made earlier (whose secret someone may have seen) is replaced at the code."""
    stale = TOTPDevice.objects.create(user=supervisor, name="authenticator", confirmed=False)
    client = password_only("supervisor")
    assert client.post("/account/2fa/setup/", {"code": cli_code("supervisor")}).status_code == 302
    client.get("/account/2fa/setup/")
    fresh = TOTPDevice.objects.get(user=supervisor, confirmed=False)
    assert fresh.pk != stale.pk and fresh.key != stale.key


@pytest.mark.django_db
def test_the_cli_refuses_an_unknown_user():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No user"):
        call_command("user", "enrol", "nobody", stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.django_db
def test_demo_logins_still_need_no_set_up_code(settings):
    """`make demo` gives the demo users a confirmed device and prints its secret: they log in with a code."""
    from crossings.accounts.models import User

    settings.MODE = "demo"
    call_command("demo", "--quiet")
    supervisor = User.objects.get(username="demo-supervisor")
    device = TOTPDevice.objects.get(user=supervisor, confirmed=True)
    client = Client()
    login = {"username": "demo-supervisor", "password": "crossings-demo"}
    assert client.post("/login/", login).status_code == 302
    assert client.post("/account/2fa/", {"otp_token": code_for(device)}).status_code == 302
    assert client.get("/people/").status_code == 200
