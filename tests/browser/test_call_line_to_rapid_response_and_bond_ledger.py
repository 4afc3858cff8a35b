"""The call line on a phone, in real Chromium: a sister rings, the call is taken, the person is found with
a misspelt name and linked, the detention verified opens the rapid response in one step; then the bond is
recorded from the legal page and the organisation's bond ledger reads at 360 px in English and in Khmer
without the page scrolling sideways."""

import pytest
from playwright.sync_api import expect

from crossings.accounts.roles import Role
from crossings.people.matching import rebuild_name_keys
from crossings.people.models import Person
from tests.browser.conftest import open_menu, screenshot
from tests.browser.test_register_refer_accept import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def fits(page) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1] + 1, f"{page.url} scrolls sideways on a phone: {width}"


def test_a_call_opens_a_rapid_response_and_the_bond_ledger_fits_a_phone(
    live_server, phone, advocacy, make_user
):
    make_user(Role.CASEWORKER, advocacy, username="casey")
    person = Person.objects.create(
        organisation=advocacy, family_name="Sok", given_name="Dara", name_km="សុខ ដារា"
    )
    rebuild_name_keys(person)
    base = live_server.url
    page = phone

    log_in(page, base, "casey")
    open_menu(page)
    page.get_by_role("link", name="Call line").click()
    page.get_by_test_id("take-call").click()
    page.get_by_label("Caller's name").fill("Srey Mom")
    page.get_by_label("Relationship to the person").select_option("sibling")
    page.get_by_label("Caller's language").select_option("km")
    page.get_by_label("Name of the person the call is about").fill("Sokk Dara")  # misspelt on the phone
    page.get_by_label("Where the person is held or was last seen").fill("Tacoma ICE Processing Center")
    page.get_by_label("What happened").fill("Picked up at his check-in this morning")
    page.get_by_label("Callback number").fill("+1 206 555 0100")
    fits(page)
    page.get_by_role("button", name="Save the call").click()
    expect(page.get_by_test_id("call")).to_contain_text("Srey Mom")
    candidates = page.get_by_test_id("candidates")
    expect(candidates).to_contain_text("SOK Dara")
    fits(page)
    candidates.get_by_role("button", name="This is the person").first.click()
    expect(page.get_by_role("link", name="SOK Dara")).to_be_visible()

    page.get_by_label("I have verified who is held and where", exact=False).check()
    expect(page.get_by_label("Detention facility")).to_have_value("Tacoma ICE Processing Center")
    fits(page)
    screenshot(page, "call-line-verify-phone")
    page.get_by_test_id("open-rapid-response").click()
    expect(page.get_by_text("Rapid response opened; responders are being alerted.")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Tacoma ICE Processing Center · ")  # the detention
    expect(page.get_by_test_id("rapid-response-banner").first).to_contain_text("SOK Dara")

    bonds = page.get_by_test_id("bonds-of-person")
    bonds.get_by_text("Record the bond").click()
    bonds.get_by_label("Amount (USD)").fill("7500")
    bonds.get_by_label("Obligor").fill("Srey Mom")
    bonds.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("bond-status")).to_have_text("posted")
    fits(page)

    page.goto(f"{base}/bonds/")
    page.get_by_role("heading", name="Bond ledger").wait_for()
    expect(page.get_by_test_id("bond-totals")).to_contain_text("7500.00")
    expect(page.get_by_test_id("bonds")).to_contain_text("SOK Dara")
    fits(page)
    screenshot(page, "bond-ledger-english-phone")

    page.get_by_test_id("switch-language").click()
    page.get_by_role("heading", name="បញ្ជីប្រាក់ធានា").wait_for()
    assert page.locator("html").get_attribute("lang") == "km"
    expect(page.get_by_test_id("bond-totals")).to_contain_text("បានបង់")  # posted
    page.evaluate("document.fonts.ready")
    fits(page)
    screenshot(page, "bond-ledger-khmer-phone")
    page.goto(f"{base}/calls/")
    page.get_by_role("heading", name="ខ្សែទូរស័ព្ទជំនួយ").wait_for()
    expect(page.get_by_test_id("calls")).to_contain_text("បានបើកការឆ្លើយតបរហ័ស")  # rapid response opened
    fits(page)
