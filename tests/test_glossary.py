"""The Khmer catalogues and the ODK form's Khmer labels keep to docs/glossary.md: one Khmer term for each
English term, the same text for a message in every catalogue, one digit style. A translator who writes a
second word for "referral" or "note" fails here, with the messages that differ."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.utils import translation
from django.utils.translation import gettext, pgettext

import crossings

ROOT = Path(crossings.__file__).parent
CATALOGUES = {
    "project": ROOT / "locale" / "km" / "LC_MESSAGES" / "django.po",
    "stats": ROOT / "stats" / "locale" / "km" / "LC_MESSAGES" / "django.po",
    "django": ROOT / "locale_django" / "km" / "LC_MESSAGES" / "django.po",  # Django's own messages
}
GLOSSARY = ROOT.parent / "docs" / "glossary.md"
ROW = re.compile(r"^\| (?P<english>[^|]+?) \| (?P<khmer>[^|]+?) \| (?P<checked>every|alone) \|")
CONTEXT = re.compile(r"^(?P<term>.*?) \[(?P<context>[^\]]+)\]$")
# Not words: placeholders, file paths and indicator codes (HIV.IND.8) keep their Latin letters.
NOT_WORDS = re.compile(r"%\([^)]*\)[sdr]|\{[^}]*\}|\S*/\S*|\w+(?:\.\w+)+")
KHMER_DIGITS = re.compile("[\u17e0-\u17e9]")


def glossary() -> list[tuple[str, str | None, str, str]]:
    rows = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        m = ROW.match(line)
        if m is None or m["english"] == "English":
            continue
        c = CONTEXT.match(m["english"])
        term, context = (c["term"], c["context"]) if c else (m["english"], None)
        rows.append((term, context, m["khmer"], m["checked"]))
    return rows


def entries() -> list[tuple[str, polib.POEntry]]:
    return [
        (name, e)
        for name, path in CATALOGUES.items()
        for e in polib.pofile(str(path))
        if not e.obsolete and e.translated()
    ]


def odk_labels() -> list[tuple[str, polib.POEntry]]:
    """The encounter form's English and Khmer labels, hints and choices: the phones' own catalogue."""
    from crossings.outreach.odk import xlsforms

    pairs = [(row[xlsforms.EN], row[xlsforms.KM]) for row in xlsforms.SURVEY if xlsforms.EN in row]
    pairs += [(r[xlsforms.HINT_EN], r[xlsforms.HINT_KM]) for r in xlsforms.SURVEY if xlsforms.HINT_EN in r]
    pairs += [(english, khmer) for _list, _name, english, khmer in xlsforms.CHOICES]
    return [("odk form", polib.POEntry(msgid=english, msgstr=khmer)) for english, khmer in pairs]


def khmer_of(e: polib.POEntry) -> str:
    return e.msgstr or " ".join(e.msgstr_plural.values())


def test_the_glossary_gives_one_khmer_term_for_each_english_term() -> None:
    rows = glossary()
    assert len(rows) > 50
    keys = [(term.lower(), context) for term, context, _k, _c in rows]
    assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)
    assert all(re.search("[\u1780-\u17ff]", khmer) for _t, _c, khmer, _ch in rows)


def test_every_message_with_a_glossary_term_uses_its_khmer_term() -> None:
    # Longer terms first, and a matched term is blanked out: "call line" is checked as itself, not as "call".
    every = sorted((r for r in glossary() if r[3] == "every"), key=lambda r: -len(r[0]))
    patterns = [
        (term, khmer, re.compile(r"(?<![\w-])" + re.escape(term) + r"(?:s|es)?(?![\w-])", re.IGNORECASE))
        for term, _context, khmer, _checked in every
    ]
    wrong = []
    for name, e in entries() + odk_labels():
        english = NOT_WORDS.sub(" ", " / ".join([e.msgid, e.msgid_plural or ""]))
        khmer_text = khmer_of(e)
        for term, khmer, pattern in patterns:
            if pattern.search(english):
                if khmer not in khmer_text:
                    wrong.append(f"{name}: {e.msgid!r} has {term!r} but not {khmer}: {khmer_text}")
                english = pattern.sub(" ", english)
    assert not wrong, "\n".join(wrong)


def test_a_glossary_term_alone_translates_to_exactly_its_khmer_term() -> None:
    alone = [r for r in glossary() if r[3] == "alone"]
    found, wrong = set(), []
    for name, e in entries():
        for term, context, khmer, _checked in alone:
            if e.msgctxt == context and e.msgid in {term, term[0].swapcase() + term[1:]}:
                found.add((term, context))
                if khmer_of(e) != khmer:
                    wrong.append(f"{name}: {e.msgid!r} [{context}] is {khmer_of(e)}, not {khmer}")
    assert not wrong, "\n".join(wrong)
    assert found == {(t, c) for t, c, _k, _ch in alone}, "a glossary term no message uses"


def test_a_message_in_both_catalogues_translates_the_same() -> None:
    by_catalogue: dict[str, dict[tuple[str | None, str], str]] = {}
    for name, e in entries():
        by_catalogue.setdefault(name, {})[(e.msgctxt, e.msgid)] = khmer_of(e)
    names = sorted(by_catalogue)
    differ = {
        (a, b, k): (by_catalogue[a][k], by_catalogue[b][k])
        for a in names
        for b in names
        if a < b
        for k in by_catalogue[a].keys() & by_catalogue[b].keys()
        if by_catalogue[a][k] != by_catalogue[b][k]
    }
    assert not differ, differ


def test_the_statistics_unit_and_columns_are_counted_people_in_khmer() -> None:
    # The same English word in two senses: the register of people, and a count of them.
    with translation.override("km"):
        assert gettext("People") == "បុគ្គល"
        assert pgettext("unit of a count", "people") == "នាក់"
        assert pgettext("column of counts", "People") == "ចំនួនមនុស្ស"


@pytest.mark.parametrize("name", CATALOGUES)
def test_khmer_pages_use_one_digit_style(name: str) -> None:
    # Numbers from the data (dates, counts, codes) come in Latin digits; a Khmer digit beside them in the
    # same sentence reads as two systems ("fewer than ៥" next to "5").
    mixed = [
        e.msgid
        for e in polib.pofile(str(CATALOGUES[name]))
        if KHMER_DIGITS.search(e.msgstr or "".join(e.msgstr_plural.values()))
    ]
    assert not mixed, mixed
