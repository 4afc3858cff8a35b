import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from crossings.accounts.models import EnrolmentCode
from crossings.accounts.roles import Role
from tests.conftest import PASSWORD


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def logged_in(username: str) -> Client:
    client = Client()
    assert client.post("/login/", {"username": username, "password": PASSWORD}).status_code == 302
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.ORG_ADMIN, Role.SUPERVISOR, Role.LEGAL_ADVOCATE])
def test_privileged_roles_see_nothing_before_the_second_factor(role, make_user, advocacy):
    make_user(role, advocacy, username="boss")
    client = logged_in("boss")
    response = client.get("/people/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/2fa/")
    # The API refuses the unverified session too.
    assert client.get("/api/me").status_code in (401, 403)


@pytest.mark.django_db
def test_caseworker_needs_no_second_factor(caseworker):
    client = logged_in("caseworker")
    assert client.get("/people/").status_code == 200


@pytest.mark.django_db
def test_enrolment_then_verification_opens_the_pages(supervisor):
    _code, raw = EnrolmentCode.issue(user=supervisor)
    client = logged_in("supervisor")
    response = client.get("/account/2fa/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/account/2fa/setup/")
    assert client.post("/account/2fa/setup/", {"code": raw}).status_code == 302
    client.get("/account/2fa/setup/")
    device = TOTPDevice.objects.get(user=supervisor, confirmed=False)
    wrong = "000000" if code_for(device) != "000000" else "111111"
    assert client.post("/account/2fa/setup/", {"otp_token": wrong}).status_code == 200
    # django-otp throttles the device for a second after a failure; that is its feature, not ours to wait on.
    device.refresh_from_db()
    device.throttle_reset()
    response = client.post("/account/2fa/setup/", {"otp_token": code_for(device), "next": "/people/"})
    assert response.status_code == 302 and response["Location"] == "/people/"
    assert client.get("/people/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed


@pytest.mark.django_db
def test_wrong_code_is_refused_with_a_message(supervisor):
    device = TOTPDevice.objects.create(user=supervisor, name="phone", confirmed=True)
    client = logged_in("supervisor")
    wrong = "000000" if code_for(device) != "000000" else "111111"
    response = client.post("/account/2fa/", {"otp_token": wrong})
    assert response.status_code == 200
    assert "not right" in response.content.decode()
    assert client.get("/people/").status_code == 302


@pytest.mark.django_db
def test_the_roles_needing_two_factor_are_configurable(settings, make_user, advocacy):
    settings.TWO_FACTOR_ROLES = ["caseworker"]
    make_user(Role.SUPERVISOR, advocacy, username="sup")
    make_user(Role.CASEWORKER, advocacy, username="cw")
    assert logged_in("sup").get("/people/").status_code == 200
    assert logged_in("cw").get("/people/").status_code == 302
