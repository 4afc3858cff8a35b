"""Accompaniment on a phone, in real Chromium: a caseworker asks for one volunteer for a check-in; a
volunteer, whose menu offers nothing but accompaniment, sees the check-in with the person's initials only,
signs up, finds it on their home page, then withdraws in Khmer; at 360 px nothing scrolls sideways."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from crossings.accounts.roles import Role
from crossings.legal import services as legal
from crossings.people.models import Person
from tests.browser.conftest import open_menu, screenshot
from tests.browser.test_call_line_to_rapid_response_and_bond_ledger import fits
from tests.browser.test_register_refer_accept import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_volunteer_signs_up_for_a_check_in_and_withdraws_in_khmer_on_a_phone(
    live_server, browser, advocacy, make_user
):
    caseworker = make_user(Role.CASEWORKER, advocacy, username="casey")
    make_user(Role.VOLUNTEER, advocacy, username="vanna", first_name="Vanna")
    person = Person.objects.create(
        organisation=advocacy, family_name="Sok", given_name="Dara", name_km="សុខ ដារា"
    )
    legal.record_check_in(
        person=person,
        organisation_id=advocacy.pk,
        date=timezone.localdate() + dt.timedelta(days=4),
        office="Seattle ICE Field Office, 12500 Tukwila International Blvd",
        outcome="scheduled",
        user=caseworker,
    )
    base = live_server.url

    def phone():
        context = browser.new_context(viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return context, page

    staff_context, page = phone()
    log_in(page, base, "casey")
    open_menu(page)
    page.get_by_role("link", name="Accompaniment").click()
    page.get_by_role("heading", name="Ask for volunteers").wait_for()
    fits(page)
    form = page.get_by_test_id("open-form")
    expect(form.get_by_label("Check-in or hearing")).to_contain_text("SOK Dara")
    form.get_by_label("Volunteers wanted").fill("1")
    form.get_by_label("Meeting time").fill("07:45")
    form.get_by_label("Meeting point").fill("Bus stop across the street")
    form.get_by_label("Note for volunteers").fill("Ask for Casey")
    form.get_by_label("Language to speak with them").select_option("km")
    form.get_by_test_id("open-accompaniment").click()
    expect(page.get_by_text("Open for accompaniment: volunteers can sign up.")).to_be_visible()
    expect(page.get_by_test_id("signups")).to_contain_text("Nobody yet.")
    fits(page)
    staff_context.close()

    context, page = phone()
    log_in(page, base, "vanna")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link")).to_have_count(1)  # accompaniment, and nothing else
    page.get_by_test_id("nav-accompaniment").click()
    events = page.get_by_test_id("accompaniments")
    expect(events).to_contain_text("S. D.")
    expect(events).to_contain_text("Seattle ICE Field Office")
    expect(events).to_contain_text("07:45")
    expect(events).to_contain_text("1 place left")
    assert "Dara" not in page.content() and "SOK" not in page.content()
    fits(page)
    screenshot(page, "accompaniment-volunteer-english-phone")
    events.get_by_test_id("sign-up").click()
    expect(page.get_by_text("You are signed up.").first).to_be_visible()
    expect(events.get_by_test_id("signed-up")).to_be_visible()
    page.goto(f"{base}/")
    expect(page.get_by_test_id("accompaniment-today")).to_contain_text("Bus stop across the street")
    fits(page)

    page.get_by_test_id("switch-language").click()
    page.get_by_role("heading", name="ការអមដំណើរបន្ទាប់របស់អ្នក").wait_for()
    assert page.locator("html").get_attribute("lang") == "km"
    page.get_by_test_id("nav-accompaniment").click()
    page.get_by_role("heading", name="ការអមដំណើរ").wait_for()
    page.evaluate("document.fonts.ready")
    fits(page)
    screenshot(page, "accompaniment-volunteer-khmer-phone")
    page.get_by_role("button", name="ដកវិញ").click()  # withdraw
    expect(page.get_by_text("អ្នកបានដកវិញហើយ។ កន្លែងរបស់អ្នកទំនេរសម្រាប់អ្នកផ្សេង។")).to_be_visible()
    expect(page.get_by_test_id("spaces-left")).to_contain_text("នៅសល់ 1 កន្លែង")
    fits(page)
    context.close()
