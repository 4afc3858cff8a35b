"""A supervisor logs in with password and TOTP, switches to Khmer, sees Khmer text drawn with the bundled
font, and logs out."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from crossings.accounts.roles import Role
from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_login_switch_to_khmer_and_logout(live_server, page, make_user, advocacy):
    user = make_user(Role.SUPERVISOR, advocacy, username="sopheap", first_name="Sopheap")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    font_responses = []
    page.on("response", lambda r: font_responses.append(r) if "/static/fonts/" in r.url else None)
    external = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server.url) else None)

    page.goto(f"{live_server.url}/")
    page.get_by_label("User name").fill("sopheap")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_label("Six-digit code from your authenticator app").fill(
        f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    )
    page.get_by_role("button", name="Verify").click()
    page.get_by_role("heading", name="Today, Sopheap").wait_for()

    page.get_by_test_id("switch-language").click()
    page.get_by_role("heading", name="ថ្ងៃនេះ សម្រាប់ Sopheap").wait_for()
    assert page.locator("html").get_attribute("lang") == "km"
    page.evaluate("document.fonts.ready")
    assert page.evaluate("""() => document.fonts.check('16px "Noto Sans Khmer"', 'ចាកចេញ')""")
    loaded = page.evaluate(
        """() => [...document.fonts].filter(f => f.family.includes('Noto Sans Khmer')).map(f => f.status)"""
    )
    assert "loaded" in loaded
    assert any(r.status == 200 for r in font_responses), "the Khmer font was not served from this site"
    screenshot(page, "foundation-home-khmer")

    page.get_by_test_id("logout").click()
    page.wait_for_url("**/login/**")  # logged out before the next log-in (log-in redirects a signed-in user)
    page.get_by_role("button", name="ចូល").wait_for()  # the login page, still in Khmer
    assert "/login/" in page.url
    assert external == [], f"the page reached outside the server: {external}"
