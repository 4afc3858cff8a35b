"""The webhook pages on a 360 px phone, in Khmer: an organisation administrator creates a webhook, copies
its secret, and reads a delivery log with long ids and failed attempts, and nothing scrolls sideways."""

import pytest
from django.core.management import call_command

from crossings.accounts.models import User
from crossings.people import services as people_services
from crossings.webhooks import delivery, services
from crossings.webhooks.models import Delivery
from tests.browser.test_no_page_scrolls_sideways_on_a_phone import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_admin_creates_a_webhook_and_reads_its_log_on_a_phone(live_server, browser, settings):
    call_command("demo", "--quiet")
    admin = User.objects.get(username="demo-admin")
    org_id = admin.memberships.get().organisation_id
    subscription = services.create_subscription(
        user=admin,
        organisation_id=org_id,
        url="http://127.0.0.1:9/a-rather-long-path/for/the/receiving-system/webhooks/crossings-events",
        events=["person.registered", "referral.sent", "referral.accepted", "person.detained"],
        description="Case tracker at the legal clinic",
    )
    caseworker = User.objects.get(username="demo-caseworker")
    for i in range(3):  # nothing listens on port 9: each attempt fails with a refused connection
        people_services.create_person(
            organisation_id=org_id, user=caseworker, data={"family_name": f"Phone{i}"}
        )
    for row in Delivery.objects.filter(subscription=subscription):
        delivery.deliver(row.pk)
    assert Delivery.objects.filter(subscription=subscription, last_error__startswith="URLError").exists()

    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="km-KH", is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server.url, "demo-admin")
    page.goto(f"{live_server.url}/webhooks/")
    page.fill("input[name=url]", "http://localhost:8081/hook")
    page.check("input[value='person.arrived']")
    page.click("button.primary")
    page.wait_for_load_state()
    secret = page.inner_text("[data-testid=new-secret]")
    assert secret.startswith("whsec_")
    widths = {"list": page.evaluate("document.documentElement.scrollWidth")}
    page.goto(f"{live_server.url}/webhooks/{subscription.pk}/")
    assert "URLError" in page.inner_text("[data-testid=deliveries]")
    widths["log"] = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert all(w <= 360 for w in widths.values()), widths
