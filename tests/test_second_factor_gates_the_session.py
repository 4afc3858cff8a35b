"""A session that has passed the password but not yet the second factor is a lesser session: it sees no
navigation and nothing personal (the rapid-response banner names a detained person, a facility and a date),
and the session key it had is worth nothing once the TOTP code is accepted."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from crossings.accounts.models import EnrolmentCode
from crossings.accounts.roles import Role
from crossings.legal import services
from tests.conftest import PASSWORD
from tests.test_two_factor_required_for_privileged_roles import code_for


def password_only(username: str) -> Client:
    client = Client()
    assert client.post("/login/", {"username": username, "password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def detained(person, advocacy, caseworker):
    return services.mark_detained(
        person=person,
        organisation_id=advocacy.pk,
        facility="Tacoma ICE Processing Center",
        date=dt.date(2025, 6, 1),
        user=caseworker,
    )


@pytest.mark.django_db
def test_the_second_factor_page_shows_nothing_personal_and_no_menu(detained, supervisor):
    TOTPDevice.objects.create(user=supervisor, name="phone", confirmed=True)
    client = password_only("supervisor")
    page = client.get("/account/2fa/").content.decode()
    assert "Two-factor check" in page
    assert "Sok" not in page and "SOK" not in page and "Tacoma" not in page
    assert 'data-testid="rapid-response-banner"' not in page
    assert "/people/" not in page and "/legal/rapid-response" not in page
    assert 'aria-label="Main"' not in page
    # The way out stays.
    assert 'data-testid="logout"' in page


@pytest.mark.django_db
def test_after_the_second_factor_the_banner_and_menu_appear(detained, supervisor):
    device = TOTPDevice.objects.create(user=supervisor, name="phone", confirmed=True)
    client = password_only("supervisor")
    response = client.post("/account/2fa/", {"otp_token": code_for(device), "next": "/"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert "Rapid response: SOK Dara detained at Tacoma ICE Processing Center" in page
    assert 'aria-label="Main"' in page


@pytest.mark.django_db
def test_a_role_without_second_factor_sees_the_banner_at_once(detained, caseworker):
    page = password_only("caseworker").get("/").content.decode()
    assert "Tacoma ICE Processing Center" in page


@pytest.mark.django_db
def test_the_session_key_changes_when_the_code_is_accepted(supervisor):
    device = TOTPDevice.objects.create(user=supervisor, name="phone", confirmed=True)
    client = password_only("supervisor")
    before = client.session.session_key
    assert client.post("/account/2fa/", {"otp_token": code_for(device)}).status_code == 302
    after = client.session.session_key
    assert after != before
    # The old key opens nothing: a client holding only it is not even logged in.
    stale = Client()
    stale.cookies["sessionid"] = before
    assert stale.get("/people/").status_code == 302
    assert stale.get("/people/")["Location"].startswith("/login/")
    # The new one carries the verified session.
    assert client.get("/people/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.SUPERVISOR])
def test_the_session_key_changes_when_an_authenticator_is_enrolled(role, make_user, advocacy):
    user = make_user(role, advocacy, username="newcomer")
    client = password_only("newcomer")
    before = client.session.session_key
    _enrol(client, user)
    assert client.session.session_key != before
    assert client.get("/people/").status_code == 200


def _enrol(client: Client, user) -> None:
    _code, raw = EnrolmentCode.issue(user=user)
    assert client.post("/account/2fa/setup/", {"code": raw}).status_code == 302
    client.get("/account/2fa/setup/")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/account/2fa/setup/", {"otp_token": code_for(device)})
    assert response.status_code == 302, response.content.decode()[:2000]
