"""Reviewing a referral proposed by another system on a 360 px phone, in Khmer: the reception caseworker
opens the list from the Referrals page, reads a proposal with a long reason and long names, registers the
person from it, and nothing scrolls sideways."""

import pytest
from django.core.management import call_command

from crossings.accounts.models import User
from crossings.accounts.roles import Role
from crossings.exchange import services
from crossings.exchange.models import InboundReferral
from tests.browser.test_no_page_scrolls_sideways_on_a_phone import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_caseworker_registers_a_proposed_referral_on_a_phone(live_server, browser):
    call_command("demo", "--quiet")
    officer = User.objects.get(username="demo-reception")
    org_id = officer.memberships.get().organisation_id
    job = User.objects.create_user(username="openfn-job")
    job.memberships.create(organisation_id=org_id, role=Role.SUPERVISOR)
    job = User.objects.get(pk=job.pk)
    inbound = services.receive_inbound(
        organisation_id=org_id,
        user=job,
        data={
            "family_name": "Chhunvannarithsokhapheakdey",
            "given_name": "Vanna",
            "name_km": "ឈុន វណ្ណារិទ្ធសុខាភក្តី",
            "birth_year": 1984,
            "reason": "Arriving-on-the-next-removal-flight-needs-housing-and-diabetes-medication " * 4,
            "from_organisation_name": "Legal aid in Long Beach (community defence programme)",
            "from_system": "oscar",
        },
    )
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="km-KH", is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server.url, "demo-reception")
    page.goto(f"{live_server.url}/referrals/")
    page.click("[data-testid=inbound-link]")
    page.wait_for_load_state()
    widths = {"list": page.evaluate("document.documentElement.scrollWidth")}
    assert "CHHUNVANNARITHSOKHAPHEAKDEY" in page.inner_text("[data-testid=inbound]")
    page.click("[data-testid=inbound] a")
    page.wait_for_load_state()
    widths["detail"] = page.evaluate("document.documentElement.scrollWidth")
    assert "ឆ្នាំកំណើត" in page.inner_text("main")  # "Year of birth", in Khmer
    page.click("[data-testid=inbound-accept]")
    page.wait_for_load_state()
    assert "/people/" in page.url
    context.close()
    inbound.refresh_from_db()
    assert inbound.status == InboundReferral.Status.ACCEPTED and inbound.person is not None
    assert all(w <= 360 for w in widths.values()), widths
