"""Reminders on a 360 px phone, in Khmer: a caseworker records that a returnee agrees to Telegram reminders,
sees the number only by its end, and reads the organisation's log with a failure in it; nothing scrolls
sideways; the administrator changes the settings without seeing the bot's token."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from crossings.accounts.models import User
from crossings.legal import services as legal_services
from crossings.people.models import Person
from crossings.reminders import delivery, scheduling
from crossings.reminders.models import Contact, ReminderSettings
from tests.browser.conftest import screenshot
from tests.browser.test_no_page_scrolls_sideways_on_a_phone import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_caseworker_records_reminders_and_reads_the_log_on_a_phone(live_server, browser):
    call_command("demo", "--quiet")
    caseworker = User.objects.get(username="demo-caseworker")
    org_id = caseworker.memberships.get().organisation_id
    # nothing listens on port 9: the reminder fails with a refused connection, then waits to be retried
    ReminderSettings.objects.update_or_create(
        organisation_id=org_id,
        defaults=dict(
            phone="023 123 456",
            quiet_start=dt.time(0),
            quiet_end=dt.time(0),
            telegram_enabled=True,
            telegram_base_url="http://127.0.0.1:9",
            telegram_token="123:abc",
        ),
    )
    person = Person.objects.filter(organisation_id=org_id, merged_into__isnull=True).first()
    assert person is not None
    legal_services.record_check_in(
        person=person,
        organisation_id=org_id,
        date=timezone.localdate() + dt.timedelta(days=1),
        office="Seattle Field Office",
        outcome="scheduled",
        user=caseworker,
    )

    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="km-KH", is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server.url, "demo-caseworker")
    page.goto(f"{live_server.url}/people/{person.pk}/")
    page.click("[data-testid=person-reminders]")
    page.click("main details summary")  # the form folded in the page (the menu is a details too)
    page.select_option("select[name=channel]", "telegram")
    page.fill("input[name=address]", "987654321")
    page.click("button.primary")
    page.wait_for_load_state()
    assert Contact.objects.get(consent__person=person, channel="telegram").address == "987654321"
    contacts = page.inner_text("[data-testid=reminder-contacts]")
    assert "321" in contacts and "987654321" not in contacts
    widths = {"person": page.evaluate("document.documentElement.scrollWidth")}
    screenshot(page, "reminders-person-km-360")

    for pk in scheduling.schedule_due():
        delivery.deliver(pk)
    page.goto(f"{live_server.url}/reminders/")
    assert "URLError" in page.inner_text("[data-testid=reminders]")
    widths["log"] = page.evaluate("document.documentElement.scrollWidth")
    screenshot(page, "reminders-log-km-360")
    context.close()

    # the administrator's settings page: the token is never shown back
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="km-KH", is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server.url, "demo-admin")
    page.goto(f"{live_server.url}/reminders/settings/")
    assert "123:abc" not in page.content()
    page.fill("input[name=phone]", "012 999 888")
    page.click("button.primary")
    page.wait_for_load_state()
    assert ReminderSettings.objects.get(organisation_id=org_id).phone == "012 999 888"
    assert ReminderSettings.objects.get(organisation_id=org_id).telegram_token == "123:abc"
    widths["settings"] = page.evaluate("document.documentElement.scrollWidth")
    screenshot(page, "reminders-settings-km-360")
    context.close()
    assert all(w <= 360 for w in widths.values()), widths
