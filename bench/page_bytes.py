"""Bytes on the wire for a phone opening one page with an empty cache (headers and bodies as sent, Chromium
through Playwright): `python bench/page_bytes.py http://127.0.0.1:8000 /login/` against `make demo` (static
files collected and Brotli-compressed by WhiteNoise, as in production). Prints the total and each response."""

from __future__ import annotations

import sys

from playwright.sync_api import sync_playwright


def measure(base: str, path: str) -> list[tuple[str, int]]:
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(viewport={"width": 360, "height": 740}, locale="en-US", is_mobile=True)
        page = context.new_page()
        seen: list = []
        page.on("requestfinished", lambda request: seen.append(request))
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        page.evaluate("document.fonts.ready")
        rows = [
            (
                r.url.rsplit("/", 1)[-1] or path,
                r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"],
            )
            for r in seen
        ]
        browser.close()
    return rows


if __name__ == "__main__":
    rows = measure(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "/login/")
    print(f"{sum(size for _name, size in rows):,} bytes in {len(rows)} responses")
    for name, size in rows:
        print(f"  {size:>9,}  {name}")
