"""On a 360 px phone the menu folds behind one "Menu" button that opens without JavaScript, says how many
things wait for the user, and opens into rows a thumb can hit (44 px); on a laptop it is always open; a
volunteer's one-door menu is never folded."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def menu_counts(page) -> int:
    """The counts beside the menu's doors, read even while the menu is folded (they are in the page)."""
    texts = page.locator("nav [data-testid^=badge-]:not([data-testid=badge-total])").all_text_contents()
    return sum(int(t.split()[0]) for t in texts)


@pytest.mark.parametrize("locale", ["en-US", "km-KH"])
def test_the_menu_folds_on_a_phone_and_opens_with_javascript_off(live_server, browser, locale):
    call_command("demo", "--quiet")
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        locale=locale,
        is_mobile=True,
        has_touch=True,
        java_script_enabled=False,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, live_server.url, "demo-caseworker")
    nav = page.get_by_role("navigation")
    button = page.get_by_test_id("menu-button")
    expect(button).to_be_visible()
    expect(nav.get_by_role("link")).to_have_count(0)  # folded: no door is shown (nor reachable by Tab)
    total = page.get_by_test_id("badge-total")
    expect(total).to_be_visible()
    assert menu_counts(page) > 0
    assert int(total.text_content().split()[0]) == menu_counts(page)
    assert button.bounding_box()["height"] >= 44
    screenshot(page, f"menu-folded-{locale}-phone")
    header = page.locator("header.top").bounding_box()
    assert header["height"] < 120, header  # the folded header: two rows at most, not the whole menu

    button.click()
    links = nav.get_by_role("link")
    expect(links.first).to_be_visible()
    assert links.count() >= 5
    for link in links.all():
        box = link.bounding_box()
        assert box["height"] >= 44 and box["x"] >= 0 and box["x"] + box["width"] <= 360, box
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, f"menu-open-{locale}-phone")
    links.first.click()
    page.wait_for_url("**/people/**")
    expect(nav.get_by_role("link")).to_have_count(0)  # the next page starts folded again
    context.close()


def test_the_menu_opens_from_the_keyboard(live_server, phone):
    call_command("demo", "--quiet")
    log_in(phone, live_server.url, "demo-legal")
    button = phone.get_by_test_id("menu-button")
    button.focus()
    phone.keyboard.press("Enter")
    expect(phone.get_by_role("navigation").get_by_role("link", name="Deadlines")).to_be_visible()
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.closest('nav') !== null")


def test_a_laptop_always_shows_the_open_menu(live_server, page):
    call_command("demo", "--quiet")
    log_in(page, live_server.url, "demo-caseworker")
    expect(page.get_by_test_id("menu-button")).to_be_hidden()
    nav = page.get_by_role("navigation")
    expect(nav.get_by_role("link", name="People")).to_be_visible()
    expect(nav.get_by_test_id("badge-overdue")).to_be_visible()
    screenshot(page, "menu-laptop")
    # the keyboard goes from the name straight to the first door, and Chromium's accessibility tree (what a
    # screen reader reads) has the doors although the details element is closed
    page.locator(".brand").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "People"
    tree = page.context.new_cdp_session(page).send("Accessibility.getFullAXTree")["nodes"]
    links = {n["name"]["value"] for n in tree if n["role"]["value"] == "link" and not n.get("ignored")}
    assert {"People", "Deadlines", "Statistics"} <= links, links
    people, deadlines = (nav.get_by_role("link", name=n).bounding_box() for n in ("People", "Deadlines"))
    assert people["y"] == deadlines["y"]  # side by side in a row, as before the phone's menu


def test_a_volunteers_one_door_is_never_folded(live_server, phone):
    call_command("demo", "--quiet")
    log_in(phone, live_server.url, "demo-volunteer")
    expect(phone.get_by_test_id("menu-button")).to_be_hidden()
    expect(phone.get_by_test_id("nav-accompaniment")).to_be_visible()
