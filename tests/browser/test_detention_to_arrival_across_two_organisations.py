"""The whole path before the flight and across the border, on a 360 px phone in real Chromium: a US advocate
sees the detained person's clocks, records the person's consent to share with the Phnom Penh reception
organisation (health needs included), prepares the pre-arrival packet (started from the scheduled flight
and the family list); the reception caseworker sees the person among the expected arrivals, reads the
packet in Khmer, receives it, and the flight's manifest matches the person instead of creating a second
record; the intake starts from the packet."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from crossings.accounts.roles import OrgKind, Role
from crossings.legal import services as legal
from crossings.people.models import FamilyMember, JourneyEvent, Person
from crossings.reception.models import ArrivalBatch, Packet
from tests.browser.conftest import screenshot
from tests.browser.test_register_refer_accept import log_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_from_detention_to_arrival(live_server, phone, make_org, make_user, tmp_path):
    us = make_org("Lotus Advocates", OrgKind.ADVOCACY, "US")
    pp = make_org("Phnom Penh Reception", OrgKind.RECEPTION, "KH")
    advocate = make_user(Role.CASEWORKER, us, username="casey")
    officer = make_user(Role.CASEWORKER, pp, username="rith")
    today = dt.date.today()
    flight_day = today + dt.timedelta(days=12)
    person = Person.objects.create(
        organisation=us,
        family_name="Chhun",
        given_name="Vuthy",
        name_km="ឈុន វុទ្ធី",
        birth_date=dt.date(1981, 6, 14),
        sex="male",
        a_number="A-204-118-731",
        khmer_ability="basic",
    )
    proceeding = legal.open_proceeding(
        person=person, organisation_id=us.pk, court="Seattle Immigration Court", opened_on=None, user=advocate
    )
    legal.record_court_event(
        proceeding=proceeding,
        kind="ij_decision",
        date=today - dt.timedelta(days=40),
        outcome="removal_ordered",
        user=advocate,
    )
    legal.mark_detained(
        person=person,
        organisation_id=us.pk,
        facility="Tacoma",
        date=today - dt.timedelta(days=20),
        user=advocate,
    )
    JourneyEvent.objects.create(
        person=person, kind="removal_scheduled", date=flight_day, flight="Charter KH-26", organisation=us
    )
    FamilyMember.objects.create(person=person, name="Sophal", relationship="aunt", location="cambodia")
    FamilyMember.objects.create(person=person, name="Lina", relationship="daughter", location="us")
    page, base = phone, live_server.url

    # The advocate, in the US
    log_in(page, base, "casey")
    page.goto(f"{base}/people/{person.pk}/legal/")
    expect(page.get_by_test_id("clock-removal_period_end")).to_contain_text(
        "Day 90: end of the removal period"
    )
    page.goto(f"{base}/people/{person.pk}/")
    page.get_by_text("Record consent", exact=True).first.click()
    page.get_by_label("Consent to").select_option("share")
    page.get_by_label("Share with").select_option(label="Phnom Penh Reception")
    page.get_by_label("contact details and family").check()
    page.get_by_label("health and medication needs").check()
    page.get_by_role("button", name="Record consent").click()
    page.get_by_text("Consent recorded.").wait_for()
    page.get_by_test_id("packet-new").click()
    expect(page.get_by_label("Flight")).to_have_value("Charter KH-26")  # from the scheduled removal
    expect(page.get_by_label("Expected arrival date")).to_have_value(flight_day.isoformat())
    expect(page.get_by_label("Relatives or contacts in Cambodia")).to_have_value("Sophal (aunt)")
    page.get_by_label("Medication").fill("Insulin, carries 10 days")
    page.get_by_label("Cambodian ID card").check()
    page.get_by_label("Bag and belongings").fill("One 40-lb bag; papers with his sister in Long Beach")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "handover-packet-form-phone")
    page.get_by_test_id("packet-send").click()
    page.get_by_text("Pre-arrival packet sent.").wait_for()
    page.get_by_test_id("logout").click()
    page.wait_for_url("**/login/**")

    # The reception caseworker, in Phnom Penh, reading Khmer
    officer.language = "km"
    officer.save()
    page.goto(f"{base}/login/")
    page.locator("#id_username").fill("rith")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("button[type=submit]").first.click()
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/reception/expected/")
    expected = page.get_by_test_id("expected")
    expect(expected).to_contain_text("CHHUN Vuthy")
    expect(expected).to_contain_text("Charter KH-26")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "handover-expected-arrivals-phone-km")
    expected.get_by_role("link").first.click()
    packet = page.get_by_test_id("packet")
    expect(packet).to_contain_text("Insulin, carries 10 days")
    expect(packet).to_contain_text("Lina (daughter)")
    expect(packet).not_to_contain_text("A-204")  # not the legal file
    expect(page.get_by_role("heading", name="កញ្ចប់ព័ត៌មានមុនមកដល់")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "handover-packet-phone-km")
    page.get_by_test_id("packet-receive").click()
    page.get_by_role("heading", name="CHHUN Vuthy").wait_for()

    # The flight lands: its manifest names him, with the A-number; no second record
    batch = ArrivalBatch.objects.create(
        organisation=pp, flight="Charter KH-26", date=flight_day, expected=2, created_by=officer
    )
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("Surname,First name,DOB,Sex,A-Number\nChhun,Vuthy,1981-06-14,M,A204118731\n")
    page.goto(f"{base}/reception/batches/{batch.pk}/")
    page.locator("input[type=file]").set_input_files(str(manifest))
    page.locator("form[enctype] button.primary").click()
    page.get_by_test_id("manifest-report").wait_for()
    page.locator("button[name=action][value=import]").click()
    report = page.get_by_test_id("import-report")
    expect(report).to_contain_text(f"#{person.pk}")
    assert Person.objects.filter(family_name="Chhun").count() == 1
    packet_row = Packet.objects.get()
    assert packet_row.arrival is not None and packet_row.arrival.medical_need == "Insulin, carries 10 days"

    page.goto(f"{base}/people/{person.pk}/reception/")
    expect(page.get_by_test_id("intake-prefilled")).to_be_visible()
    expect(page.locator("#id_assessment-has_id_card")).to_be_checked()
    expect(page.locator("#id_assessment-family_cambodia")).to_have_value("Sophal (aunt)")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "handover-intake-prefilled-phone-km")
