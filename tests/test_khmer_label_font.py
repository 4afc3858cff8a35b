"""The language switcher's Khmer label on English pages is drawn from the small subset font: the font must
hold every letter of the label as base.html writes it, or the phone falls back to a font it may not have.
A changed label fails here until `make label-font` is run again."""

import re
from pathlib import Path

from fontTools.ttLib import TTFont

import crossings
from tools import khmer_label_font

ROOT = Path(crossings.__file__).parent
KHMER_BUTTON = re.compile(r'<button name="language" value="km" lang="km"[^>]*>([^<]+)</button>')


def test_the_label_font_covers_the_switchers_khmer_label():
    labels = KHMER_BUTTON.findall((ROOT / "templates" / "base.html").read_text(encoding="utf-8"))
    assert labels == [khmer_label_font.LABEL]
    cmap = TTFont(khmer_label_font.OUT).getBestCmap()
    assert {ord(c) for c in khmer_label_font.LABEL} <= set(cmap)


def test_the_label_font_travels_with_its_licence():
    assert "SIL Open Font License" in khmer_label_font.LICENCE.read_text(encoding="utf-8")
    assert khmer_label_font.OUT.stat().st_size < 5_000


def test_making_it_again_gives_the_same_bytes(tmp_path):
    khmer_label_font.make(tmp_path / "again.woff")
    assert (tmp_path / "again.woff").read_bytes() == khmer_label_font.OUT.read_bytes()
