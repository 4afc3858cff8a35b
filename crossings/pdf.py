"""One PDF renderer for every report (outreach's donor report, the programme statistics): a template
rendered to HTML, drawn by WeasyPrint with the bundled Khmer font (never fetched), so a Khmer report reads
the same on any machine."""

from __future__ import annotations

from typing import Any

import fontpkg_noto_sans_khmer
from django.template.loader import render_to_string

KHMER_FONT = fontpkg_noto_sans_khmer.ROOT / "files" / "NotoSansKhmer[wdth,wght].ttf"


def render(template: str, context: dict[str, Any]) -> bytes:
    """``template`` with ``context`` (plus ``font_url``, the bundled font for its @font-face) as a PDF."""
    # Imported here: WeasyPrint loads Pango when imported, which pages that never make a PDF need not pay.
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    html = render_to_string(template, {**context, "font_url": KHMER_FONT.as_uri()})
    return bytes(
        HTML(string=html, base_url=str(KHMER_FONT.parent)).write_pdf(font_config=FontConfiguration())
    )
