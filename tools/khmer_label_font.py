"""Make the tiny font that draws the language switcher's "ខ្មែរ" on English pages (`make label-font`).

An English page shows one Khmer word, the button that switches to Khmer. Drawn with the bundled Noto Sans
Khmer it made every English page download the whole 350 KB font (unicode-range cannot help: the word is
Khmer). This keeps only the glyphs of that word (with the shaping rules that join them), at the regular
weight, under a family name of its own, from the same bundled font and under its licence (OFL-1.1, no
Reserved Font Name, so a subset may be shared; the licence file travels with it).

Run it again when the label in crossings/templates/base.html changes: tests/test_khmer_label_font.py fails
until the font covers the label."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import fontpkg_noto_sans_khmer
from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.varLib import instancer

LABEL = "ខ្មែរ"  # the switcher's label, written in Khmer on every page
FAMILY = "Crossings Khmer Label"
SOURCE = fontpkg_noto_sans_khmer.ROOT / "files" / "NotoSansKhmer[wdth,wght].ttf"
FONTS = Path(__file__).resolve().parents[1] / "crossings" / "static" / "fonts"
OUT = FONTS / "khmer-label.woff"
LICENCE = FONTS / "khmer-label-OFL.txt"


def make(out: Path = OUT) -> int:
    # No timestamp written: the same source gives the same bytes, so a re-run changes nothing in git.
    font = TTFont(SOURCE, recalcTimestamp=False)
    font = instancer.instantiateVariableFont(font, {"wght": 400, "wdth": 100})
    options = subset.Options()
    options.layout_features = ["*"]  # Khmer needs its shaping features (the subscript ្ម, the vowel ែ)
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # copyright, names, version, licence
    options.notdef_outline = True
    options.flavor = "woff"  # zlib, in the standard library (WOFF2 would need brotli)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=LABEL)
    subsetter.subset(font)
    names = font["name"]
    for name_id, value in (
        (1, FAMILY),
        (3, f"{FAMILY} (subset of Noto Sans Khmer 2.004)"),
        (4, FAMILY),
        (6, FAMILY.replace(" ", "")),
    ):
        names.setName(value, name_id, 3, 1, 0x409)
    subset.save_font(font, str(out), options)
    shutil.copyfile(fontpkg_noto_sans_khmer.ROOT / "LICENSE", out.with_name(LICENCE.name))
    return out.stat().st_size


if __name__ == "__main__":
    size = make(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
    print(f"{OUT.relative_to(FONTS.parents[2])}: {size} bytes, the glyphs of {LABEL!r}")
