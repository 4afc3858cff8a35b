"""Every page each demo role reaches from its menu fits a 360 px phone: nothing scrolls sideways (a wide table
scrolls inside its own box). The demo data gives each page real rows, and tests/browser/long_content.py
long ones (names with no place to break in both scripts, a long deadline and citation, a long note, long
organisation names, a reintegration score table); the crawl starts from those pages and follows the links
of each page, one page of each kind, in Khmer (longer words than English) and in English."""

import re
from urllib.parse import urljoin, urlparse

import pytest
from django.core.management import call_command

from tests.browser import long_content
from tests.browser.conftest import log_in, open_menu, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

NOT_PAGES = re.compile(r"logout|/admin/|\.csv|\.xlsx|\.pdf|\.ics|/download|/openrosa/|/api/|/static/|/i18n/")
# The innermost elements that reach past the phone's edge: what to fix, named in the failure.
PAST_THE_EDGE = """() => [...document.querySelectorAll("body *")]
  .filter(e => e.getBoundingClientRect().right > 361
               && ![...e.children].some(c => c.getBoundingClientRect().right > 361))
  .slice(0, 5)
  .map(e => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}px `
            + (e.textContent || "").trim().slice(0, 40))"""
# role: (the organisation whose long rows it sees, the fewest pages its menu must lead to)
ROLES = {
    "demo-admin": (None, 5),  # manages the organisation, reads no person
    "demo-supervisor": ("advocacy", 10),
    "demo-caseworker": ("advocacy", 10),
    "demo-legal": ("advocacy", 10),
    "demo-reception": ("reception", 10),
    "demo-outreach": ("outreach", 6),
    "demo-analyst": (None, 3),
    "demo-volunteer": (None, 2),
}


@pytest.mark.parametrize("locale", ["km-KH", "en-US"])
@pytest.mark.parametrize("username", ROLES)
def test_no_page_scrolls_sideways_at_360_px(live_server, browser, username, locale):
    call_command("demo", "--quiet")
    org, fewest = ROLES[username]
    long_pages = long_content.seed().get(org or "", [])  # every role sees the long rows it may read
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale=locale, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server.url, username)
    seen: set[str] = set()
    kinds = {re.sub(r"\d+", "N", path) for path in long_pages}
    todo, wide = ["/", *long_pages], []
    while todo and len(seen) < 50:
        path = todo.pop(0)
        seen.add(path)
        response = page.goto(live_server.url + path)
        assert response is not None and response.status < 400, (path, response and response.status)
        page.evaluate("document.fonts.ready")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 360:
            wide.append((path, width, page.evaluate(PAST_THE_EDGE)))
        if path in long_pages and username in ("demo-caseworker", "demo-reception", "demo-outreach"):
            slug = re.sub(r"\W+", "-", re.sub(r"\d+", "", path)).strip("-")
            screenshot(page, f"long-{slug}-{username}-{locale}")
        for href in page.eval_on_selector_all(
            "main a[href], nav a[href]", "els => els.map(e => e.getAttribute('href'))"
        ):
            url = urlparse(urljoin(live_server.url + path, href))
            if url.netloc != urlparse(live_server.url).netloc or NOT_PAGES.search(url.path):
                continue
            kind = re.sub(r"\d+", "N", url.path)
            if kind not in kinds:
                kinds.add(kind)
                todo.append(url.path)
    # the menu opened over the last page fits too, every door a thumb's height
    open_menu(page)
    doors = page.locator("header .menu a").all()
    assert all(door.bounding_box()["height"] >= 44 for door in doors), [d.text_content() for d in doors]
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= 360, f"the open menu is {width} px wide"
    assert len(seen) >= fewest, seen
    assert not wide, f"pages wider than the phone: {wide}"
