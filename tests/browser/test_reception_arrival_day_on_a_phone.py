"""On a phone-sized screen in real Chromium: import a manifest, tick through arrival day for one person,
record the intake, add a service, record the 1-month follow-up and see the score."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from crossings.accounts.roles import OrgKind, Role
from crossings.reception.models import ArrivalBatch
from tests.browser.conftest import screenshot
from tests.browser.test_register_refer_accept import log_in

pytestmark = pytest.mark.django_db(transaction=True)

MANIFEST = "Surname,First name,DOB,Sex\nOuk,Sreymom,1983-01-01,F\nMeas,Sokha,02/14/1979,M\n"


def test_manifest_arrival_day_intake_service_follow_up(live_server, phone, make_org, make_user, tmp_path):
    org = make_org("Phnom Penh Reception", OrgKind.RECEPTION, "KH")
    officer = make_user(Role.CASEWORKER, org, username="rith")
    batch = ArrivalBatch.objects.create(
        organisation=org, flight="Charter PP-1", date=dt.date(2026, 9, 15), expected=2, created_by=officer
    )
    manifest_file = tmp_path / "manifest.csv"
    manifest_file.write_text(MANIFEST)
    page, base = phone, live_server.url

    log_in(page, base, "rith")
    page.goto(f"{base}/reception/batches/{batch.pk}/")
    page.get_by_label("Manifest (CSV or XLSX, up to 2 MB)").set_input_files(str(manifest_file))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_test_id("manifest-report")).to_contain_text("Every row is valid.")
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_test_id("import-report")).to_contain_text("2 new pre-arrival records")

    page.goto(f"{base}/reception/batches/{batch.pk}/")
    expect(page.get_by_test_id("batch-summary")).to_contain_text("2 still unaccounted for")
    page.get_by_role("link", name="OUK Sreymom").click()
    page.get_by_label("received at the immigration department").check()
    page.get_by_label("released to").select_option("family")
    page.get_by_label("temporary housing assigned").check()
    page.get_by_label("phone / SIM card").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("batch-summary")).to_contain_text("1 still unaccounted for")

    page.get_by_test_id("arrivals").get_by_role("link", name="Reintegration").first.click()
    page.get_by_text("Record the intake").click()
    page.locator("#id_assessment-housing").fill("With her aunt in Takhmao")
    page.get_by_label("Cambodian ID card").check()
    page.get_by_role("button", name="Save the assessment").click()
    page.get_by_text("Assessment saved.").wait_for()

    page.get_by_text("Record a service").click()
    page.locator("#id_service-service").select_option(label="Khmer class")
    page.locator("#id_service-date").fill("2026-09-20")
    page.locator("#id_service-cost").fill("15")
    page.get_by_role("button", name="Save the service").click()
    expect(page.get_by_test_id("services")).to_contain_text("Khmer class")

    page.get_by_test_id("follow-ups").get_by_role("link", name="Record").first.click()
    # .all() does not wait: without this it can read the person's page before the survey has loaded
    page.get_by_role("button", name="Save the follow-up").wait_for()
    for question in page.locator(".question").all():
        question.get_by_label("3").check()
    page.get_by_role("button", name="Save the follow-up").click()
    page.get_by_text("Follow-up recorded.").wait_for()
    first_row = page.get_by_test_id("follow-ups").locator("tbody tr").first
    expect(first_row).to_contain_text("0.75")  # every answer 3 of 4
    expect(page.locator("img.chart")).to_be_visible()
    screenshot(page, "reception-follow-up-score-phone")
