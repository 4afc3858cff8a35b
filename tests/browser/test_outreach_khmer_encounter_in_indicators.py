"""An outreach worker logs in, switches to Khmer, enters an encounter with the parents' names typed in Khmer
script; a supervisor (password + TOTP) sees it in this month's indicators."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from crossings.accounts.roles import OrgKind, Role
from crossings.outreach.models import Encounter
from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, base, username):
    # By field id, not label: after the worker's session the pages are in Khmer.
    page.goto(f"{base}/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button.primary").click()


def test_worker_enters_in_khmer_supervisor_sees_indicators(live_server, page, make_org, make_user):
    org = make_org("Korsang (test)", OrgKind.OUTREACH, "KH")
    make_user(Role.OUTREACH_WORKER, org, username="vanna")
    boss = make_user(Role.SUPERVISOR, org, username="sophal")
    device = TOTPDevice.objects.create(user=boss, name="phone", confirmed=True)
    base = live_server.url

    log_in(page, base, "vanna")
    page.wait_for_url(f"{base}/")
    page.get_by_test_id("switch-language").click()
    page.wait_for_selector("html[lang=km]")
    page.goto(f"{base}/outreach/encounters/new/")
    # places are pick lists of the official codes, labelled in Khmer; choosing the province narrows the
    # district list to its districts (htmx), and the district the commune list
    page.locator("#id_province").select_option(label="រាជធានីភ្នំពេញ")
    expect(page.locator("#id_district option")).to_have_count(15)
    page.locator("#id_district").select_option(label="ចំការមន")
    expect(page.locator("#id_commune option")).to_have_count(6)  # Chamkar Mon's communes and the blank
    page.locator("#id_mother_name").fill("ដារា")
    page.locator("#id_father_name").fill("សុខ")
    page.locator("#id_birth_order").fill("2")
    page.locator("#id_birth_date").fill("1985-03-07")
    page.locator("#id_key_population").select_option("pwid")
    page.locator("#id_needles_syringes").fill("20")
    page.locator("#id_hiv_test").select_option("non_reactive")
    page.locator("#id_referral").select_option("ost")
    screenshot(page, "outreach-encounter-khmer")
    page.get_by_test_id("save-encounter").click()
    page.get_by_test_id("encounters").get_by_text("DASO0207031985").wait_for()
    page.get_by_test_id("logout").click()
    page.wait_for_url("**/login/**")  # logged out before the next log-in (log-in redirects a signed-in user)

    log_in(page, base, "sophal")
    page.locator("#id_otp_token").fill(
        f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    )
    page.locator("main form button.primary").click()
    page.wait_for_url(f"{base}/")
    day = Encounter.objects.get().date  # the form's default, today: read back in case midnight passed since
    page.goto(f"{base}/outreach/indicators/?month={day:%Y-%m}")
    expect(page.get_by_test_id("clients-reached")).to_have_text("1")
    expect(page.get_by_test_id("needles")).to_have_text("20")
    expect(page.get_by_test_id("breakdown-worker")).to_contain_text("vanna")  # fetched after the headline
    # the district picked from the list is counted under its code and named in the reader's language
    expect(page.get_by_test_id("breakdown-district")).to_contain_text("ចំការមន")
    page.locator("#period").select_option(f"{day.year}-Q{(day.month - 1) // 3 + 1}")
    page.locator("main form.card button[type=submit]").click()
    page.wait_for_url("**period=*-Q*")
    expect(page.get_by_test_id("clients-reached")).to_have_text("1")
    screenshot(page, "outreach-indicators-month")
