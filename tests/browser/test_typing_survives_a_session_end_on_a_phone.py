"""A caseworker on a 360 px phone, in Khmer, registers a person while the session ends; the form sends,
the login page asks to log in again, and after the login the form is back with what was typed, in Khmer,
not yet saved — in real Chromium."""

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone
from playwright.sync_api import expect

from crossings.accounts.models import Draft
from crossings.accounts.roles import Role
from crossings.people.models import Person
from tests.browser.conftest import screenshot
from tests.browser.test_register_refer_accept import log_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_form_comes_back_after_the_session_ended_in_khmer(live_server, phone, advocacy, make_user):
    make_user(Role.CASEWORKER, advocacy, username="srey")
    base = live_server.url
    log_in(phone, base, "srey")
    phone.get_by_test_id("switch-language").click()
    phone.wait_for_load_state()
    phone.goto(f"{base}/people/new/")
    assert phone.locator("html").get_attribute("lang") == "km"
    phone.fill("#id_family_name", "Meas")
    phone.fill("#id_given_name", "Sophal")
    phone.fill("#id_name_km", "មាស សុផល")
    phone.fill("#id_contact", "ផ្ទះលេខ 12 ផ្លូវ 271")

    # the working day ends while the form is open
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(minutes=1))
    phone.get_by_role("button", name="រក្សាទុក", exact=True).click()

    phone.wait_for_url("**/login/**")
    assert "/drafts/" in phone.url and "Sophal" not in phone.url  # only the draft's random id
    expect(phone.locator(".messages")).to_contain_text("សូមចូលម្ដងទៀត")
    screenshot(phone, "typing-kept-login-phone-km")
    phone.get_by_label("ឈ្មោះអ្នកប្រើ").fill("srey")
    phone.get_by_label("ពាក្យសម្ងាត់").fill(PASSWORD)
    phone.get_by_role("button", name="ចូល", exact=True).click()

    phone.wait_for_url("**/people/new/")
    expect(phone.locator(".messages")).to_contain_text("អ្វីដែលអ្នកបានវាយត្រូវបានស្ដារឡើងវិញ")
    expect(phone.locator("#id_family_name")).to_have_value("Meas")
    expect(phone.locator("#id_given_name")).to_have_value("Sophal")
    expect(phone.locator("#id_name_km")).to_have_value("មាស សុផល")
    expect(phone.locator("#id_contact")).to_have_value("ផ្ទះលេខ 12 ផ្លូវ 271")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "typing-restored-phone-km")
    assert not Person.objects.exists()  # shown again, not saved
    assert not Draft.objects.exists()  # used once

    phone.get_by_role("button", name="រក្សាទុក", exact=True).click()
    phone.wait_for_url("**/people/*/")
    assert Person.objects.get().given_name == "Sophal"


def test_a_refused_referral_keeps_its_purpose_and_the_summary_takes_the_focus(
    live_server, phone, advocacy, reception, make_user
):
    make_user(Role.CASEWORKER, advocacy, username="dara")
    person = Person.objects.create(organisation=advocacy, family_name="Keo", given_name="Bopha")
    base = live_server.url
    log_in(phone, base, "dara")
    phone.get_by_test_id("switch-language").click()
    phone.wait_for_load_state()
    phone.goto(f"{base}/people/{person.pk}/")
    phone.get_by_text("បញ្ជូនទៅអង្គការផ្សេង").click()
    phone.select_option("#id_to_organisation", label=reception.name)
    phone.fill("#id_purpose", "ទទួលនៅព្រលានយន្តហោះ ថ្ងៃទី 12")
    phone.get_by_role("button", name="ផ្ញើការបញ្ជូន").click()  # no consent: refused

    summary = phone.get_by_test_id("error-summary")
    expect(summary).to_be_visible()
    assert phone.evaluate("document.activeElement.dataset.testid") == "error-summary"
    expect(phone.locator("#id_purpose")).to_have_value("ទទួលនៅព្រលានយន្តហោះ ថ្ងៃទី 12")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "referral-refused-keeps-purpose-phone-km")


def test_a_refused_csrf_token_gets_a_khmer_page_that_shows_the_form_again(
    live_server, phone, advocacy, make_user
):
    """The page was open while the token changed (a login in another tab): Django's English 403 is not what
    the caseworker sees, but a page in Khmer whose button brings the form back as it was typed."""
    make_user(Role.CASEWORKER, advocacy, username="dara")
    base = live_server.url
    log_in(phone, base, "dara")
    phone.get_by_test_id("switch-language").click()
    phone.wait_for_load_state()
    phone.goto(f"{base}/people/new/")
    assert phone.locator("html").get_attribute("lang") == "km"
    phone.fill("#id_family_name", "Chan")
    phone.fill("#id_given_name", "Vuthy")
    phone.evaluate(
        "document.querySelectorAll('main input[name=csrfmiddlewaretoken]')"
        ".forEach(i => i.value = 'x'.repeat(64))"
    )

    phone.get_by_role("button", name="រក្សាទុក", exact=True).click()

    expect(phone.get_by_test_id("csrf-failure")).to_be_visible()
    expect(phone.locator("main h1")).to_have_text("មិនអាចផ្ញើទម្រង់បានទេ")
    assert "CSRF" not in phone.locator("main").inner_text()  # no raw Django wording
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "csrf-refused-phone-km")
    phone.get_by_test_id("csrf-again").click()
    phone.wait_for_url("**/people/new/")
    expect(phone.locator("#id_family_name")).to_have_value("Chan")
    expect(phone.locator("#id_given_name")).to_have_value("Vuthy")
    assert not Person.objects.exists()
