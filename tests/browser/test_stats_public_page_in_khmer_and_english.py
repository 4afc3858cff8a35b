"""The public statistics page in a real browser: English on a laptop, Khmer on a phone, charts drawn from
this site only, no CSP violations, readable without sideways scrolling of the page itself."""

import pytest
from playwright.sync_api import expect

from crossings.stats.reference import load_reference
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def watch(page, base):
    problems = []
    # CSP refusals and script errors show on the console; a 404 names its address (the browser's own
    # favicon request is not the page's).
    page.on(
        "console", lambda m: problems.append(m.text) if m.type == "error" and "404" not in m.text else None
    )
    page.on(
        "response",
        lambda r: (
            problems.append(f"{r.status} {r.url}") if r.status >= 400 and "favicon" not in r.url else None
        ),
    )
    page.on("request", lambda r: problems.append(r.url) if not r.url.startswith(base) else None)
    return problems


def test_the_public_statistics_page_in_english_and_khmer(live_server, page, phone):
    load_reference()
    problems = watch(page, live_server.url)
    page.goto(f"{live_server.url}/stats/")
    page.get_by_role("heading", name="Deportation statistics").wait_for()
    assert page.locator("svg.pygal-chart").count() == 3
    # pygal's colours come from the static stylesheet, so the bars are not black.
    fill = page.evaluate(
        "() => getComputedStyle(document.querySelector("
        "'svg.pygal-chart .color-0 rect, svg.pygal-chart .color-0 path')).fill"
    )
    assert fill not in ("", "rgb(0, 0, 0)"), fill
    expect(page.get_by_test_id("removals-table").get_by_text("no published figure").first).to_be_visible()
    screenshot(page, "stats-public-english")

    problems += watch(phone, live_server.url)
    phone.goto(f"{live_server.url}/stats/")
    phone.get_by_test_id("switch-language").click()
    phone.get_by_role("heading", name="ស្ថិតិនៃការនិរទេស").wait_for()
    assert phone.locator("html").get_attribute("lang") == "km"
    expect(phone.get_by_text("មិនបង្ហាញ").first).to_be_visible()  # withheld
    phone.evaluate("document.fonts.ready")
    assert phone.evaluate("""() => document.fonts.check('16px "Noto Sans Khmer"', 'ស្ថិតិ')""")
    width = phone.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1] + 1, f"the page scrolls sideways on a phone: {width}"
    screenshot(phone, "stats-public-khmer-phone")
    assert problems == [], problems
