"""The heart of Crossings end to end, in real Chromium: a US caseworker registers a person, is warned about
a probable duplicate, records consent, refers the person to the Phnom Penh reception organisation; the
reception caseworker accepts and sees the person."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from crossings.accounts.roles import OrgKind, Role
from crossings.people import services
from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, base, username):
    page.goto(f"{base}/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Today").wait_for()


def test_register_warned_consent_refer_accept(live_server, page, make_org, make_user):
    us = make_org("Lotus Advocates", OrgKind.ADVOCACY, "US")
    pp = make_org("Phnom Penh Reception", OrgKind.RECEPTION, "KH")
    worker = make_user(Role.CASEWORKER, us, username="casey")
    make_user(Role.CASEWORKER, pp, username="rith")
    services.create_person(
        organisation_id=us.pk,
        user=worker,
        data={"family_name": "Chhun", "given_name": "Vuthy", "birth_date": dt.date(1981, 6, 14)},
    )
    base = live_server.url

    log_in(page, base, "casey")
    page.get_by_role("link", name="People").click()
    page.get_by_role("link", name="Register a person").click()
    page.get_by_label("Family name").fill("Chun")
    page.get_by_label("Given name").fill("Vuthi")
    page.get_by_label("Full name in Khmer script").fill("ឈុន វុទ្ធី")
    page.get_by_label("Date of birth", exact=True).fill("1981-06-14")
    page.get_by_label("Date of birth", exact=True).blur()
    warning = page.get_by_test_id("possible-duplicates")
    warning.wait_for()  # shown while typing, before anything is saved
    expect(warning).to_contain_text("CHHUN Vuthy")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("This person may already be registered").first.wait_for()
    page.get_by_label("I checked: this is not one of the people listed above").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="CHUN Vuthi").wait_for()

    page.get_by_text("Record consent", exact=True).first.click()
    page.get_by_label("Consent to").select_option("share")
    page.get_by_label("Share with").select_option(label="Phnom Penh Reception")
    page.get_by_label("journey (proceedings, detention, removal, arrival)").check()
    page.get_by_role("button", name="Record consent").click()
    page.get_by_text("Consent recorded.").wait_for()

    page.get_by_text("Refer to another organisation").click()
    page.get_by_label("Refer to").select_option(label="Phnom Penh Reception")
    page.get_by_label("Purpose").fill("Removal flight expected next month: please meet at the airport.")
    page.get_by_role("button", name="Send referral").click()
    page.get_by_text("Referral sent.").wait_for()
    page.get_by_test_id("logout").click()
    page.wait_for_url("**/login/**")  # logged out before the next log-in (log-in redirects a signed-in user)

    log_in(page, base, "rith")
    page.get_by_role("link", name="Referrals").click()
    incoming = page.get_by_test_id("incoming")
    expect(incoming).to_contain_text("Removal flight expected")
    incoming.get_by_role("button", name="Accept").click()
    page.get_by_role("heading", name="CHUN Vuthi").wait_for()
    expect(page.get_by_text("ឈុន វុទ្ធី")).to_be_visible()
    expect(page.get_by_text("Shared with your organisation by Lotus Advocates")).to_be_visible()
    screenshot(page, "people-referral-accepted")
