"""Every page a role reaches from its menu fits a 360 px phone: nothing scrolls sideways (a wide table
scrolls inside its own box). The demo data gives each page real rows; the crawl follows the links of each
page, one page of each kind, in Khmer (longer words than English)."""

import re
from urllib.parse import urljoin, urlparse

import pytest
from django.core.management import call_command

from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

NOT_PAGES = re.compile(r"logout|/admin/|\.csv|\.xlsx|\.pdf|\.ics|/download|/openrosa/|/api/|/static/|/i18n/")


@pytest.mark.parametrize("username", ["demo-outreach", "demo-reception", "demo-supervisor"])
def test_no_page_scrolls_sideways_at_360_px(live_server, browser, username):
    call_command("demo", "--quiet")
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="km-KH", is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server.url, username)
    seen: set[str] = set()
    kinds: set[str] = set()
    todo, wide = ["/"], []
    while todo and len(seen) < 40:
        path = todo.pop(0)
        seen.add(path)
        page.goto(live_server.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 360:
            wide.append((path, width))
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
    context.close()
    assert len(seen) > 5, seen
    assert not wide, f"pages wider than the phone: {wide}"
