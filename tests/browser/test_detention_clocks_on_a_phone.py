"""A detained person's legal page on a 360 px phone shows the detention clocks, in English and in Khmer,
and nothing on it scrolls sideways — in real Chromium."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from crossings.accounts.roles import Role
from crossings.legal import services
from crossings.people.models import Person
from tests.browser.conftest import screenshot
from tests.browser.test_register_refer_accept import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_clocks_fit_a_phone_in_english_and_khmer(live_server, phone, advocacy, make_user):
    worker = make_user(Role.CASEWORKER, advocacy, username="casey")
    person = Person.objects.create(
        organisation=advocacy, family_name="Chhun", given_name="Vuthy", name_km="ឈុន វុទ្ធី"
    )
    today = dt.date.today()
    proceeding = services.open_proceeding(
        person=person,
        organisation_id=advocacy.pk,
        court="Seattle Immigration Court",
        opened_on=None,
        user=worker,
    )
    services.record_court_event(
        proceeding=proceeding,
        kind="ij_decision",
        date=today - dt.timedelta(days=40),
        outcome="removal_ordered",
        user=worker,
    )
    services.mark_detained(
        person=person,
        organisation_id=advocacy.pk,
        facility="Northwest ICE Processing Center, Tacoma, Washington",
        date=today - dt.timedelta(days=10),
        user=worker,
    )
    base = live_server.url
    log_in(phone, base, "casey")
    phone.goto(f"{base}/people/{person.pk}/legal/")

    clocks = phone.get_by_test_id("clocks")
    expect(clocks).to_be_visible()
    expect(phone.get_by_test_id("clock-removal_period_end")).to_contain_text(
        "Day 90: end of the removal period"
    )
    expect(phone.get_by_test_id("clock-removal_period_end")).to_contain_text("80 days left")
    expect(phone.get_by_test_id("clock-zadvydas_180")).to_contain_text("533 U.S. 678")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "detention-clocks-phone-en")

    phone.get_by_test_id("switch-language").click()
    phone.wait_for_load_state()
    phone.goto(f"{base}/people/{person.pk}/legal/")
    assert phone.locator("html").get_attribute("lang") == "km"
    expect(phone.get_by_role("heading", name="នាឡិការាប់ថ្ងៃឃុំខ្លួន")).to_be_visible()
    expect(phone.get_by_test_id("clock-removal_period_end")).to_contain_text("ថ្ងៃទី 90")
    expect(phone.get_by_test_id("clock-removal_period_end")).to_contain_text("នៅសល់ 80 ថ្ងៃ")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "detention-clocks-phone-km")
