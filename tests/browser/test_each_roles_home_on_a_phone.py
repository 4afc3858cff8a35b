"""Each role's home on a 360 px phone, in Khmer and in English, on the demo's seeded day: the blocks the role
uses are there and the others are not, and every person named in a block opens that very person's page."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_no_page_scrolls_sideways_on_a_phone import log_in

pytestmark = pytest.mark.django_db(transaction=True)

# role → (a block it must see, blocks it must not see)
HOMES = {
    "demo-caseworker": ("#today-tasks", ["[data-testid=today-figures]"]),
    "demo-legal": ("#today-deadlines", ["[data-testid=today-figures]", "#today-outreach"]),
    "demo-reception": ("#today-flights", ["#today-deadlines", "#today-detained"]),
    "demo-outreach": ("#today-outreach", ["#today-tasks", "#today-deadlines"]),
    "demo-supervisor": ("[data-testid=today-team]", []),
    "demo-analyst": ("[data-testid=today-figures]", ["#today-tasks", "#today-deadlines"]),
}


@pytest.mark.parametrize("locale", ["km-KH", "en-US"])
def test_each_roles_home_lists_what_is_due_and_each_line_opens_the_person(live_server, browser, locale):
    call_command("demo", "--quiet")
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale=locale, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    opened = 0
    for username, (must, must_not) in HOMES.items():
        context.clear_cookies()
        log_in(page, live_server.url, username)
        page.goto(live_server.url + "/")
        expect(page.locator("html")).to_have_attribute("lang", locale[:2])
        expect(page.locator(must).first).to_be_visible()
        for selector in must_not:
            expect(page.locator(selector)).to_have_count(0)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, username
        screenshot(page, f"home-{username}-{locale[:2]}")
        lines = page.locator("section.today a[href^='/people/']")
        targets = [
            (lines.nth(i).get_attribute("href"), lines.nth(i).inner_text())
            for i in range(min(lines.count(), 4))
        ]
        for href, name in targets:
            if not re.fullmatch(r"/people/\d+/", href or ""):
                continue
            page.goto(live_server.url + href)
            expect(page.locator("main h1")).to_contain_text(name.strip())
            opened += 1
    context.close()
    assert opened >= 4  # the case roles' homes name people, and each name opened its person
