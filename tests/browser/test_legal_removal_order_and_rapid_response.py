"""Record a removal order, see the deadlines appear, mark the person detained, and see the rapid-response
banner as another member of the organisation — in real Chromium."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from crossings.accounts.roles import Role
from crossings.legal import services
from crossings.people.models import Person
from tests.browser.conftest import screenshot
from tests.browser.test_register_refer_accept import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_removal_order_deadlines_then_detention_banner(live_server, page, browser, advocacy, make_user):
    worker = make_user(Role.CASEWORKER, advocacy, username="casey")
    make_user(Role.CASEWORKER, advocacy, username="colleague")
    person = Person.objects.create(organisation=advocacy, family_name="Chhun", given_name="Vuthy")
    services.open_proceeding(
        person=person,
        organisation_id=advocacy.pk,
        court="Seattle Immigration Court",
        opened_on=dt.date(2025, 1, 6),
        user=worker,
    )
    base = live_server.url

    log_in(page, base, "casey")
    page.goto(f"{base}/people/{person.pk}/")
    page.get_by_role("link", name="Legal").click()
    expect(page.get_by_test_id("not-legal-advice")).to_be_visible()
    page.get_by_text("Record a court event").click()
    page.locator("#id_event-kind").select_option("ij_decision")
    page.locator("#id_event-date").fill("2025-11-25")
    page.locator("#id_event-outcome").select_option("removal_ordered")
    page.get_by_role("button", name="Save the court event").click()
    page.get_by_text("3 deadlines computed").wait_for()
    deadlines = page.get_by_test_id("deadlines")
    for text in ("2025-12-26", "Appeal the immigration judge", "no time limit"):
        expect(deadlines).to_contain_text(text)

    page.get_by_text("Mark detained", exact=True).click()
    page.get_by_label("Detention facility").fill("Tacoma ICE Processing Center")
    page.get_by_label("Detained on").fill("2025-12-01")
    page.get_by_role("button", name="Mark detained and alert responders").click()
    page.get_by_test_id("rapid-response-banner").first.wait_for()

    other = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    log_in(other, base, "colleague")
    banner = other.get_by_test_id("rapid-response-banner").first
    expect(banner).to_contain_text("CHHUN Vuthy detained at Tacoma ICE Processing Center")
    banner.get_by_role("link").click()
    expect(other.get_by_test_id("detained-now")).to_contain_text("Tacoma ICE Processing Center")
    screenshot(other, "legal-rapid-response-phone")
    other.context.close()
