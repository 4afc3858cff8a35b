"""The drop-in centre fills the phones' form in the browser (ODK Web Forms, vendored) on a 360 px phone, in
Khmer: the form opens in Khmer, the place lists cascade, a known code that is due a follow-up says why, and
the engine's instance is recorded as an encounter; the page allows nothing sideways."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from crossings.accounts.roles import OrgKind, Role
from crossings.outreach.encounters import EncounterData, record_encounter
from crossings.outreach.models import Encounter, Referral, Submission
from tests.browser.conftest import screenshot
from tests.browser.test_outreach_khmer_encounter_in_indicators import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_phones_form_in_the_browser_records_an_encounter_in_khmer(
    live_server, phone, make_org, make_user
):
    org = make_org("Drop-in (Web Forms)", OrgKind.OUTREACH, "KH")
    worker = make_user(Role.OUTREACH_WORKER, org, username="dropin", language="km")
    data = EncounterData(uic="DASO0207031985", date=dt.date.today(), district="1201", province="12")
    data.referral = Referral.OST
    assert not data.check()
    record_encounter(organisation_id=org.pk, worker=worker, data=data, check_collisions=False, warn=False)
    errors: list[str] = []
    phone.on("pageerror", lambda e: errors.append(str(e)))
    phone.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    base = live_server.url

    log_in(phone, base, "dropin")
    phone.wait_for_url(f"{base}/")
    phone.goto(f"{base}/outreach/encounters/odk/")
    expect(phone.get_by_text("ខេត្ត", exact=True)).to_be_visible(timeout=30_000)  # labels in Khmer
    phone.get_by_text("រាជធានីភ្នំពេញ", exact=True).click()
    phone.get_by_text("ចំការមន", exact=True).click()  # offered only once Phnom Penh is chosen
    phone.get_by_text("ទន្លេបាសាក់", exact=True).click()
    phone.get_by_text("បាទ/ចាស", exact=True).first.click()  # the client knows their code
    code = phone.locator("xpath=//label[normalize-space(.)='លេខកូដអតិថិជន (UIC)']/following::input[1]")
    code.fill("DASO0207031985")
    code.press("Tab")
    expect(phone.get_by_text("ដល់ពេលតាមដាន", exact=False)).to_be_visible()  # due: referral not completed
    phone.get_by_text("ប្រុស", exact=True).click()
    phone.get_by_text("អ្នកប្រើប្រាស់គ្រឿងញៀនតាមការចាក់", exact=True).click()
    phone.get_by_text("មិនបានធ្វើ", exact=True).click()
    phone.get_by_text("គ្លីនិកមេតាដូន", exact=True).click()
    phone.get_by_text("បាទ/ចាស", exact=True).last.click()  # this time the referral was completed
    width = phone.evaluate("document.documentElement.scrollWidth")
    screenshot(phone, "odk-web-form-khmer-360")

    phone.get_by_role("button", name="Send").click()

    expect(phone.get_by_test_id("odk-status")).to_contain_text("បានកត់ត្រាការជួបនៅម៉ោង")
    assert width <= 360
    encounter = Encounter.objects.filter(organisation=org).latest("id")
    assert encounter.client.uic == "DASO0207031985" and encounter.referral == "ost"
    assert encounter.referral_completed and (encounter.district, encounter.commune) == ("1201", "120101")
    assert Submission.objects.filter(organisation=org, status=Submission.Status.PARSED).count() == 1
    assert not errors, errors
