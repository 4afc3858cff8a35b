"""An English page with no Khmer record downloads no Khmer font but the 2 KB one of the switcher's label
("ខ្មែរ"), which it still draws; a Khmer page downloads the bundled Noto Sans Khmer."""

import pytest

from crossings.accounts.roles import Role
from tests.browser.conftest import log_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

FULL_FONT = "NotoSansKhmer%5Bwdth%2Cwght%5D.ttf"


def downloads(page) -> list:
    """Every request of the page from now on that got its answer."""
    seen: list = []
    page.on("requestfinished", lambda request: seen.append(request))
    return seen  # read after the page has loaded


def sizes(requests) -> list[tuple[str, int]]:
    """Each answer's bytes on the wire (headers and body as sent, compressed when it was)."""
    return [(r.url, r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"]) for r in requests]


def settle(page) -> None:
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready")


def test_an_english_page_loads_only_the_labels_font_and_a_khmer_page_the_full_one(
    live_server, browser, advocacy, make_user
):
    make_user(Role.CASEWORKER, advocacy, username="casey", first_name="Casey")

    def cold_phone(storage_state=None):
        """A phone with an empty cache: each page counted is what it costs the first time."""
        context = browser.new_context(
            viewport={"width": 360, "height": 740},
            locale="en-US",
            is_mobile=True,
            storage_state=storage_state,
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        return context, page, downloads(page)

    context, page, requests = cold_phone()
    page.goto(f"{live_server.url}/login/")
    settle(page)
    login_page = sizes(requests)
    log_in(page, live_server.url, "casey", PASSWORD)
    signed_in = context.storage_state()
    context.close()
    context, page, requests = cold_phone(signed_in)
    page.goto(f"{live_server.url}/")
    settle(page)
    home = sizes(requests)
    for name, loaded in (("login", login_page), ("home", home)):
        print(f"English {name} page: {sum(b for _u, b in loaded)} bytes in {len(loaded)} responses")
        assert not [u for u, _b in loaded if FULL_FONT in u], f"the {name} page loaded the full Khmer font"
    assert [u for u, _b in home if "khmer-label.woff" in u]
    label = page.get_by_test_id("switch-language")
    assert label.text_content() == "ខ្មែរ"
    # the label is drawn with the subset, not left to whatever Khmer font the phone may lack
    assert page.evaluate("""() => document.fonts.check('16px "Crossings Khmer Label"', 'ខ្មែរ')""")
    assert "loaded" in page.evaluate(
        """() => [...document.fonts].filter(f => f.family.includes('Khmer Label')).map(f => f.status)"""
    )

    requests.clear()
    label.click()
    page.get_by_role("heading", name="ថ្ងៃនេះ សម្រាប់ Casey").wait_for()
    settle(page)
    khmer = sizes(requests)
    print(f"Khmer home page: {sum(b for _u, b in khmer)} bytes in {len(khmer)} responses")
    assert [u for u, _b in khmer if FULL_FONT in u], "the Khmer page did not load the Khmer font"
    context.close()
