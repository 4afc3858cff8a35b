"""Closing a case on a 360 px phone asks first, says what will happen, and can be undone by reopening; in
Khmer the question is Khmer and "Cancel" leaves the case open — in real Chromium."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from crossings.accounts.roles import Role
from crossings.cases import services
from crossings.cases.models import Case
from crossings.people.models import Person
from tests.browser.conftest import screenshot
from tests.browser.test_register_refer_accept import log_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_close_asks_first_then_reopen_undoes_it_in_english_and_khmer(live_server, phone, advocacy, make_user):
    worker = make_user(Role.CASEWORKER, advocacy, username="casey")
    person = Person.objects.create(
        organisation=advocacy, family_name="Chhun", given_name="Vuthy", name_km="ឈុន វុទ្ធី"
    )
    case = services.open_case(
        person=person, organisation_id=advocacy.pk, programme="legal_defence", owner=worker
    )
    base = live_server.url
    log_in(phone, base, "casey")
    phone.goto(f"{base}/cases/{case.pk}/")

    phone.get_by_label("Reason for closing").select_option("relief_granted")
    phone.get_by_role("button", name="Close", exact=True).click()
    confirm = phone.get_by_test_id("confirm")
    expect(confirm).to_contain_text("Close this case?")
    expect(confirm).to_contain_text("CHHUN Vuthy (ឈុន វុទ្ធី)")
    expect(confirm).to_contain_text("can be reopened")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "case-close-confirm-phone-en")
    case.refresh_from_db()
    assert case.is_open  # asking is not doing
    phone.get_by_test_id("confirm-yes").click()
    expect(phone.get_by_text("Case closed. If that was a mistake, reopen it below.")).to_be_visible()
    case.refresh_from_db()
    assert not case.is_open

    phone.get_by_test_id("case-reopen").click()
    expect(phone.get_by_text("Case reopened.")).to_be_visible()
    assert Case.objects.get(pk=case.pk).is_open

    phone.get_by_test_id("switch-language").click()
    phone.wait_for_load_state()
    phone.goto(f"{base}/cases/{case.pk}/")
    assert phone.locator("html").get_attribute("lang") == "km"
    phone.get_by_label("មូលហេតុនៃការបិទករណី").select_option("relief_granted")
    phone.get_by_role("button", name="បិទ", exact=True).click()
    expect(phone.get_by_test_id("confirm")).to_contain_text("បិទករណីនេះឬ?")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "case-close-confirm-phone-km")
    phone.get_by_test_id("confirm-no").click()
    expect(phone.get_by_role("heading", name="បិទករណី")).to_be_visible()
    assert Case.objects.get(pk=case.pk).is_open


def test_merge_shows_the_two_records_side_by_side_first(live_server, phone, advocacy, make_user):
    sam = make_user(Role.SUPERVISOR, advocacy, username="sam")
    device = TOTPDevice.objects.create(user=sam, name="phone", confirmed=True)
    keep = Person.objects.create(organisation=advocacy, family_name="Chhun", given_name="Vuthy")
    dup = Person.objects.create(
        organisation=advocacy, family_name="Chun", given_name="Vuthi", name_km="ឈុន វុទ្ធី"
    )
    base = live_server.url
    phone.goto(f"{base}/login/")
    phone.get_by_label("User name").fill("sam")
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Log in").click()
    phone.get_by_label("Six-digit code from your authenticator app").fill(
        f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    )
    phone.get_by_role("button", name="Verify").click()
    phone.get_by_role("heading", name="Today").wait_for()
    phone.goto(f"{base}/people/{keep.pk}/merge/")
    phone.get_by_label("Number of the duplicate record").fill(str(dup.pk))
    phone.get_by_label("Why these are the same person").fill("same A-file")
    phone.get_by_role("button", name="Merge", exact=True).click()
    compare = phone.get_by_test_id("compare")
    expect(compare).to_contain_text("CHUN Vuthi")
    expect(compare).to_contain_text("ឈុន វុទ្ធី")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360  # the table scrolls in its box
    screenshot(phone, "merge-side-by-side-phone-en")
    assert Person.objects.get(pk=dup.pk).merged_into_id is None
    phone.get_by_test_id("confirm-yes").click()
    expect(phone.get_by_text("Records merged.", exact=False)).to_be_visible()
    assert Person.objects.get(pk=dup.pk).merged_into_id == keep.pk
