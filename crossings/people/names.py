"""Romanisation-aware name keys for Khmer names (search, duplicate detection, outreach codes).

Pure Python, no Django, no database. The rules, with examples, are in docs/matching.md; keep the two in step.

A Khmer name has no single Latin spelling: the same person is "Chhun Vuthy" on a US court record, "Chun
Vuthi" on a deportation manifest and "ឈុន វុទ្ធី" on a Cambodian ID card. This module reduces every spelling
to a *skeleton* that ignores the usual romanisation choices (aspirates, doubled letters, vowel digraphs,
silent final r/h, final y/i) but keeps final consonants, because those tell different names apart
(Sophea / Sopheap).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, Levenshtein

__all__ = [
    "consonant_key",
    "explain",
    "form_key",
    "has_khmer",
    "index_keys",
    "key_forms",
    "khmer_repairs",
    "khmer_similarity",
    "khmer_slips",
    "name_forms",
    "name_similarity",
    "query_keys",
    "single_key",
    "skeleton",
    "slip",
    "slip_keys",
    "slip_query_keys",
    "spelling_similarity",
    "spelling_slips",
    "tokens",
    "transliterate_khmer",
]

# ---------------------------------------------------------------------------------------------------------
# Khmer script -> Latin
# ---------------------------------------------------------------------------------------------------------
# Khmer consonants come in two "series" (registers): the same written vowel is read differently after a
# first-series consonant (ក "ka") than after a second-series one (គ "ko"). Popular romanisation follows the
# reading, so every consonant records its series. Values: (as onset, as final consonant, series).
_CONSONANTS: dict[str, tuple[str, str, int]] = {
    "\u1780": ("k", "k", 1),  # ក
    "\u1781": ("kh", "k", 1),  # ខ
    "\u1782": ("k", "k", 2),  # គ
    "\u1783": ("kh", "k", 2),  # ឃ
    "\u1784": ("ng", "ng", 2),  # ង
    "\u1785": ("ch", "ch", 1),  # ច
    "\u1786": ("chh", "ch", 1),  # ឆ
    "\u1787": ("ch", "ch", 2),  # ជ
    "\u1788": ("chh", "ch", 2),  # ឈ
    "\u1789": ("nh", "nh", 2),  # ញ
    "\u178a": ("d", "t", 1),  # ដ  (a final stop is unreleased: written t, as in "Piseth")
    "\u178b": ("th", "t", 1),  # ឋ
    "\u178c": ("d", "t", 2),  # ឌ
    "\u178d": ("th", "t", 2),  # ឍ
    "\u178e": ("n", "n", 1),  # ណ
    "\u178f": ("t", "t", 1),  # ត
    "\u1790": ("th", "t", 1),  # ថ
    "\u1791": ("t", "t", 2),  # ទ
    "\u1792": ("th", "t", 2),  # ធ
    "\u1793": ("n", "n", 2),  # ន
    "\u1794": ("b", "p", 1),  # ប  (b at the start of a syllable, p at the end)
    "\u1795": ("ph", "p", 1),  # ផ
    "\u1796": ("p", "p", 2),  # ព
    "\u1797": ("ph", "p", 2),  # ភ
    "\u1798": ("m", "m", 2),  # ម
    "\u1799": ("y", "y", 2),  # យ
    "\u179a": ("r", "r", 2),  # រ
    "\u179b": ("l", "l", 2),  # ល
    "\u179c": ("v", "v", 2),  # វ
    "\u179d": ("s", "s", 1),  # ឝ (obsolete)
    "\u179e": ("s", "s", 1),  # ឞ (obsolete)
    "\u179f": ("s", "s", 1),  # ស
    "\u17a0": ("h", "h", 1),  # ហ
    "\u17a1": ("l", "l", 1),  # ឡ
    "\u17a2": ("", "", 1),  # អ  (a vowel carrier: no sound of its own in romanisation)
}
# Second-series sonorants: a word-final open ា after them is written "a", not "ea" (Dara, Phalla, Makara).
_SONORANTS = frozenset("\u1784\u1789\u1793\u1798\u1799\u179a\u179b\u179c")
# Subscripts that form an onset cluster with the consonant above them (ស្រ, ព្រ, ខ្ល) rather than closing the
# previous syllable; after a written vowel the cluster stays together (ពេជ្រ "pech", វិចិត្រ "vichet").
_CLUSTER_SUBSCRIPTS = frozenset("\u179a\u179b\u179c\u1799")
_VELARS = frozenset("\u1780\u1781\u1782\u1783")
_SILENT_FINAL_VOWELS = frozenset("\u17b7")  # ិ

# Independent vowels (full letters that carry their own vowel).
_INDEPENDENT: dict[str, str] = {
    "\u17a3": "a",
    "\u17a4": "a",
    "\u17a5": "e",  # ឥ
    "\u17a6": "ei",  # ឦ
    "\u17a7": "o",  # ឧ
    "\u17a8": "ok",  # ឨ
    "\u17a9": "ou",  # ឩ
    "\u17aa": "ov",  # ឪ
    "\u17ab": "reu",  # ឫ
    "\u17ac": "reu",  # ឬ
    "\u17ad": "leu",  # ឭ
    "\u17ae": "leu",  # ឮ
    "\u17af": "ae",  # ឯ
    "\u17b0": "ai",  # ឰ
    "\u17b1": "ao",  # ឱ
    "\u17b2": "ao",  # ឲ
    "\u17b3": "au",  # ឳ
}
# Dependent vowels: (after a first-series consonant, after a second-series one), in popular spelling.
_VOWELS: dict[str, tuple[str, str]] = {
    "\u17b6": ("a", "ea"),  # ា  Sokha / Sophea, Meas
    "\u17b7": ("e", "i"),  # ិ  Piseth (សិ) / Rith (រិ)
    "\u17b8": ("ei", "i"),  # ី  Srei, Pisey / Vuthy, Kim
    "\u17b9": ("oe", "i"),  # ឹ  / Lim, Nhim
    "\u17ba": ("eu", "eu"),  # ឺ  Ponleu
    "\u17bb": ("o", "u"),  # ុ  Sok / Chhun, Ouk
    "\u17bc": ("ou", "ou"),  # ូ  Touch
    "\u17bd": ("uo", "uo"),  # ួ  Nuon, Suon
    "\u17be": ("aeu", "eu"),  # ើ
    "\u17bf": ("oeu", "oeu"),  # ឿ  Thoeun
    "\u17c0": ("ie", "ie"),  # ៀ  Kiet
    "\u17c1": ("e", "e"),  # េ  Heng, Seng
    "\u17c2": ("ae", "e"),  # ែ  Nhem (ញ៉ែម)
    "\u17c3": ("ai", "ey"),  # ៃ
    "\u17c4": ("ao", "o"),  # ោ
    "\u17c5": ("ao", "ov"),  # ៅ  Mao / Pov
}
# Two-part vowels sometimes typed as two code points; read them as the single vowel they look like.
_VOWEL_PAIRS = {"\u17c1\u17b6": "\u17c4", "\u17c1\u17b8": "\u17be"}

_COENG = "\u17d2"
_NIKAHIT = "\u17c6"  # ំ  final m (Sam, Mom)
_REAHMUK = "\u17c7"  # ះ  final h (Preah)
_YUUKALEAPINTU = "\u17c8"  # ៈ  short vowel + glottal stop: popularly "-ak" (Vannak)
_BANTOC = "\u17cb"  # ់  shortens the vowel: marks the consonant it sits on as a final (ចាន់ "chan")
_SAMYOK = "\u17d0"  # ័  (ជ័យ "chey", ល័ក្ខ "leak")
_MUUSIKATOAN = "\u17c9"  # ៉  second series -> first series
_TRIISAP = "\u17ca"  # ៊  first series -> second series
_NUCLEUS_SIGNS = frozenset(_NIKAHIT + _REAHMUK + _YUUKALEAPINTU)
_KEPT_SIGNS = frozenset(_NIKAHIT + _REAHMUK + _YUUKALEAPINTU + _BANTOC + _SAMYOK)

_KHMER_DIGITS = {chr(0x17E0 + i): str(i) for i in range(10)} | {chr(0x17F0 + i): str(i) for i in range(10)}
_HAS_KHMER_RE = re.compile("[\u1780-\u17ff]")
# A run of Khmer text; zero-width (non-)joiners only count inside it (they are rendering hints there).
_KHMER_RUN_RE = re.compile("[\u1780-\u17ff](?:[\u1780-\u17ff\u200c\u200d]*[\u1780-\u17ff])?")


def _is_word_char(ch: str) -> bool:
    # Letters, vowel signs, coeng and the signs that are dropped; not digits or punctuation (។ ៕ ៗ ៛ ...).
    o = ord(ch)
    return 0x1780 <= o <= 0x17D3 or o == 0x17DD or o in (0x200C, 0x200D)


class _Cluster:
    """One written consonant (or independent vowel) with its subscripts, vowel and signs."""

    __slots__ = ("base", "indep", "shift", "signs", "subs", "vowel")

    def __init__(self, base: str, indep: bool = False) -> None:
        self.base = base
        self.indep = indep
        self.subs: list[str] = []
        self.vowel = ""
        self.signs = ""
        self.shift = 0

    def bare(self) -> bool:
        return not self.vowel and not self.indep and not any(s in _NUCLEUS_SIGNS for s in self.signs)


class _Syllable:
    __slots__ = ("coda", "indep", "onset", "p_sound", "series", "signs", "split", "vowel")

    def __init__(self, onset: list[str], series: int, vowel: str, signs: str, indep: str = "") -> None:
        self.onset = onset
        self.series = series
        self.vowel = vowel
        self.signs = signs
        self.indep = indep
        self.coda = ""
        self.split = False  # onset is the subscript of a cluster whose base closed the previous syllable
        self.p_sound = False  # ប with ៉ (muusikatoan) is read "p"

    def explicit(self) -> bool:
        return bool(self.vowel or self.indep)

    def open(self) -> bool:
        return not self.coda and not any(s in _NUCLEUS_SIGNS for s in self.signs)


def _parse(word: str) -> list[_Cluster]:
    clusters: list[_Cluster] = []
    cur: _Cluster | None = None
    coeng = False
    for ch in word:
        if ch in _CONSONANTS:
            if coeng and cur is not None and not cur.indep:
                cur.subs.append(ch)
            else:
                cur = _Cluster(ch)
                clusters.append(cur)
            coeng = False
        elif ch in _INDEPENDENT:
            cur = _Cluster(ch, indep=True)
            clusters.append(cur)
            coeng = False
        elif ch == _COENG:
            coeng = True
        elif ch in _VOWELS:
            if cur is None:  # a vowel sign with nothing to sit on (typing slip): read it on its own
                cur = _Cluster("")
                clusters.append(cur)
            cur.vowel = _VOWEL_PAIRS.get(cur.vowel + ch, cur.vowel + ch)
            coeng = False
        elif cur is not None and ch in _KEPT_SIGNS:
            cur.signs += ch
        elif cur is not None and ch == _MUUSIKATOAN:
            cur.shift = 1
        elif cur is not None and ch == _TRIISAP:
            cur.shift = 2
        # Everything else (U+17B4/B5 inherent-vowel signs, U+17CC..U+17D1 except the kept ones, U+17D3,
        # U+17DD, ZWJ/ZWNJ, a stray coeng) has no bearing on the spelling: dropped.
    return clusters


def _series(consonants: Sequence[str], shift: int) -> int:
    if shift:
        return shift
    if not consonants:
        return 1
    first = _CONSONANTS[consonants[0]][2]
    # A second-series sonorant over a first-series consonant reads first series (ម្តាយ "mday").
    if first == 2 and consonants[0] in _SONORANTS:
        for sub in consonants[1:]:
            if _CONSONANTS[sub][2] == 1:
                return 1
    return first


def _onset_syllable(consonants: list[str], cl: _Cluster, vowel: str) -> _Syllable:
    syl = _Syllable(consonants, _series(consonants, cl.shift), vowel, cl.signs)
    syl.p_sound = cl.shift == 1
    return syl


def _takes_own_vowel(cl: _Cluster, nxt: _Cluster, coda: str) -> bool:
    """Whether the bare subscript of a split cluster (not word-final) is pronounced as a syllable."""
    if nxt.subs or (nxt.bare() and not nxt.indep):
        return True  # it is closed by what follows: សម្បត្តិ "sam-bat", មង្គល "mong-kol"
    # A doubled consonant before a sonorant is read with a vowel (វណ្ណរ័ត្ន "Van-na-roth"); otherwise the
    # subscript only completes the spelling of the final above it (វណ្ណដា "Van-da", ចន្ទនារី "Chan-nary").
    return cl.subs[0] == coda and nxt.base in _SONORANTS


def _syllabify(clusters: list[_Cluster]) -> list[_Syllable]:
    """Group written clusters into spoken syllables, deciding which bare consonants are finals.

    Khmer does not write the inherent vowel, so a bare consonant is either the final of the previous
    syllable or a syllable of its own. The heuristics below are tuned on common names; see docs/matching.md.
    """
    sylls: list[_Syllable] = []
    n = len(clusters)
    for i, cl in enumerate(clusters):
        prev = sylls[-1] if sylls else None
        prev_open = prev is not None and prev.open()
        is_last = i == n - 1
        if cl.indep:
            sylls.append(_Syllable([], 1, cl.vowel, cl.signs, indep=_INDEPENDENT[cl.base]))
            continue
        consonants = [cl.base, *cl.subs] if cl.base else []
        if (
            prev is not None
            and prev_open
            and cl.subs
            and cl.base
            and not (prev.explicit() and cl.subs[0] in _CLUSTER_SUBSCRIPTS)
        ):
            # វុទ្ធី, ចន្ថា, បុប្ផា: the consonant above the coeng closes the previous syllable and the
            # subscript starts the next one.
            prev.coda = cl.base
            if cl.bare() and is_last:
                continue  # a word-final cluster (ពិសិដ្ឋ, រិទ្ធ): the subscripts are silent
            if cl.bare() and not _takes_own_vowel(cl, clusters[i + 1], prev.coda):
                continue  # ចន្ទនារី "Chan-nary", វណ្ណថា "Van-tha": the subscript is not pronounced
            syl = _Syllable(cl.subs, _series(cl.subs, cl.shift), cl.vowel, cl.signs)
            syl.split = True
            sylls.append(syl)
            continue
        if not cl.bare() or not cl.base:
            sylls.append(_onset_syllable(consonants, cl, cl.vowel))
            continue
        # A bare consonant.
        is_final = False
        if prev is not None and prev.coda == "" and _NIKAHIT in prev.signs and cl.base == "\u1784":
            # ាំង, ុំង: the nikahit and ង together are one final ng (តាំង "Tang", "Taing").
            prev.signs = prev.signs.replace(_NIKAHIT, "")
            prev_open = True
        if prev is not None and prev_open:
            if _BANTOC in cl.signs or is_last:
                is_final = True
            elif prev.explicit():
                nxt = clusters[i + 1]
                next_is_final = i + 1 == n - 1 and nxt.bare() and not nxt.subs
                # កុសល: ស starts "sal"; សុវណ្ណ: វ starts "van"; សុខដារា: ខ ends "sok".
                is_final = not (next_is_final or nxt.subs) and not cl.subs
            # After an unwritten vowel the next bare consonant starts a new syllable (មករា ma-ka-ra).
        if is_final and prev is not None:
            prev.coda = cl.base
        else:
            sylls.append(_onset_syllable(consonants, cl, ""))
    # A word-final short ិ of a Pali/Sanskrit word is not pronounced and not romanised (ជាតិ "cheat",
    # សម្បត្តិ "sambath"): its consonant closes the previous syllable, or is silent if that one is closed.
    if len(sylls) > 1:
        last, prev = sylls[-1], sylls[-2]
        if last.vowel in _SILENT_FINAL_VOWELS and not last.signs and not last.coda and len(last.onset) == 1:
            sylls.pop()
            if prev.open():
                prev.coda = last.onset[0]
    return sylls


def _nucleus(syl: _Syllable, last: bool) -> str:
    series = syl.series
    if syl.indep:
        text = syl.indep + (_VOWELS[syl.vowel][0] if syl.vowel in _VOWELS else "")
    elif syl.vowel:
        text = "".join(_VOWELS[v][series - 1] for v in syl.vowel if v in _VOWELS)
        if (
            syl.vowel == "\u17b6"
            and series == 2
            and last
            and syl.open()
            and syl.onset
            and syl.onset[0] in _SONORANTS
        ):
            text = "a"  # ដារា "Dara", ផល្លា "Phalla", មករា "Makara" (not "Darea")
    elif _NIKAHIT in syl.signs:
        return "am" if series == 1 else "um"  # សំ "Sam"
    elif _REAHMUK in syl.signs:
        return "ah" if series == 1 else "eah"  # ព្រះ "Preah"
    elif _YUUKALEAPINTU in syl.signs:
        return "ak" if series == 1 else "eak"  # វណ្ណៈ "Vannak", វីរៈ "Vireak"
    elif syl.coda:
        # The unwritten vowel of a closed syllable.
        if series == 1:
            return "a"  # ចន្ថា "Chantha", កុសល "Kosal"
        if syl.coda == "\u1799" and _SAMYOK in syl.signs:
            return "e"  # ជ័យ "Chey"
        if syl.coda in _VELARS:
            return "ea"  # លក្ខិណា "Leakhena", ភក្តី "Pheakdey"
        if syl.coda == "\u178e":
            return "a"  # វណ្ណា "Vanna", សុវណ្ណ "Sovann"
        return "o"  # គន្ធា "Kunthea", គង់ "Kong", មង្គល "Mongkol"
    elif last:
        return "a" if series == 1 else "o"  # a one-letter word
    else:
        return "a"  # an unstressed first syllable: មករា "Makara", រតនា "Ratana"
    if _NIKAHIT in syl.signs:
        text += "m"
    if _REAHMUK in syl.signs or _YUUKALEAPINTU in syl.signs:
        text += "h"
    return text


def _render(sylls: list[_Syllable]) -> str:
    out: list[str] = []
    last = len(sylls) - 1
    for i, syl in enumerate(sylls):
        for j, c in enumerate(syl.onset):
            if j == 0 and syl.split and c == "\u178f":
                # A subscript ត after a final is voiced: ចិន្តា "Chenda", ភក្តី "Pheakdey"; after ត/ដ the
                # pair is one sound (ឧត្តម "Oudom").
                if out and out[-1] == "t":
                    out.pop()
                out.append("d")
            elif j == 0 and c == "\u1794" and (len(syl.onset) > 1 or syl.p_sound):
                out.append("p")  # ប in a cluster or with ៉ is "p": ប្រាក់ "Prak", ប៉ែន "Pen"
            else:
                out.append(_CONSONANTS[c][0])
        out.append(_nucleus(syl, i == last))
        if syl.coda:
            out.append(_CONSONANTS[syl.coda][1])
    return "".join(out)


@lru_cache(maxsize=65536)
def _transliterate_word(word: str) -> str:
    return _render(_syllabify(_parse(word)))


@lru_cache(maxsize=65536)
def _transliterate_run(run: str) -> str:
    out: list[str] = []
    word: list[str] = []
    for ch in run:
        if _is_word_char(ch):
            word.append(ch)
            continue
        if word:
            out.append(_transliterate_word("".join(word)))
            word = []
        # Digits become ASCII digits; Khmer punctuation (។ ៕ ៗ), the riel sign and unassigned points
        # separate words.
        out.append(_KHMER_DIGITS.get(ch, " "))
    if word:
        out.append(_transliterate_word("".join(word)))
    return "".join(out)


def transliterate_khmer(text: str) -> str:
    """Khmer script -> lowercase Latin in popular romanisation; other characters pass through unchanged.

    Spaces and zero-width spaces (U+200B, the usual Khmer word separator) separate words.
    """
    if "\u200b" in text:
        text = text.replace("\u200b", " ")
    if not _HAS_KHMER_RE.search(text):
        return text
    return _KHMER_RUN_RE.sub(lambda m: _transliterate_run(m.group()), text)


# ---------------------------------------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------------------------------------
_ASCII_TOKEN_RE = re.compile(r"[a-z0-9]+")
_TOKEN_RE = re.compile(r"[^\W_]+")
# Latin letters that NFKD does not decompose into a base letter plus accent.
_LATIN_EXTRA = str.maketrans(
    {"đ": "d", "ð": "d", "ø": "o", "ł": "l", "æ": "ae", "œ": "oe", "þ": "th", "ı": "i", "ŀ": "l"}
)


@lru_cache(maxsize=262144)
def _tokens(name: str) -> tuple[str, ...]:
    if name.isascii():  # the common case, and it needs none of the Unicode work below
        return tuple(_ASCII_TOKEN_RE.findall(name.lower()))
    text = transliterate_khmer(unicodedata.normalize("NFKC", name)).casefold()
    text = "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.category(c).startswith("M")
    )
    return tuple(_TOKEN_RE.findall(text.translate(_LATIN_EXTRA)))


def tokens(name: str) -> list[str]:
    """Lowercase words of a name: Khmer transliterated, accents dropped, split on non-letters/digits."""
    return list(_tokens(name))


# ---------------------------------------------------------------------------------------------------------
# Skeleton
# ---------------------------------------------------------------------------------------------------------
# Each step is named so that explain() can say which rule made two spellings meet. Order matters; it is
# the order documented in docs/matching.md.
_ASPIRATE_RE = re.compile(r"(?<=[bcdfgjklmnpqrstvxz])h+")
_NASAL_RE = re.compile(r"(?<!n)g+n(?:y(?=[aeiou]))?|ny(?=[aeiou])")
_Y_RE = re.compile(r"y(?![aeiou])|(?<=i)e$")
# r, h and v after a vowel and not before one: one pattern, so that removing an r cannot expose a v ("urv").
_FINAL_RHV_RE = re.compile(r"(?<=[aeiou])[rhv]+(?![aeiouy])")
_DOUBLE_RE = re.compile(r"([b-df-hj-np-tv-z])(?=\1)")
_VOWEL_RUN_RE = re.compile(r"[aeiou]+")

# Vowel spellings and the class each stands for (longest spelling first when reading a run of vowels).
_VOWEL_UNITS: dict[str, str] = {
    # ើ ឹ ឺ ឿ: "oeu", "aeu", "eu", "ue", "oe" are all written for the same few sounds.
    "oeu": "eu",
    "aeu": "eu",
    "eou": "eu",
    "eu": "eu",
    "ue": "eu",
    "oe": "eu",
    # ា after a second-series consonant and ៀ: "ea", "ia", "ie" (Sothea, Kiet/Keat).
    "eaa": "ea",
    "ea": "ea",
    "ia": "ea",
    "ie": "ea",
    # ី ិ េ ែ ឹ: "i", "ei", "ey" (y is turned into i first), "ee", "e", "ae" are written for one another
    # (Srey/Srei, Vuthy/Vuthi, Piseth/Pisith, Narith/Nareth, Lim/Lem, Heng/Hing/Haeng, Nhem/Nhim).
    "ae": "i",
    "ei": "i",
    "ee": "i",
    "ii": "i",
    # ុ ូ ួ ោ ៅ: "o", "u", "ou", "oo", "uo", "ua", "au", "ao" (Touch/Toch, Ouk/Uk, Pov/Pauv, Suon/Soun).
    # ួ is a different vowel from ុ, but "Chhoun", "Kimsour", "Soun" are as common as "Chhuon", "Suon".
    "ou": "o",
    "oo": "o",
    "uu": "o",
    "au": "o",
    "ao": "o",
    "uo": "o",
    "ua": "o",
    "ai": "ai",
    "aa": "a",
    "a": "a",
    "e": "i",
    "i": "i",
    "o": "o",
    "u": "o",
}
_VOWEL_UNIT_RE = re.compile("|".join(sorted(_VOWEL_UNITS, key=len, reverse=True)))


@lru_cache(maxsize=4096)
def _vowel_class(run: str) -> str:
    # Iterate to a fixed point so that skeleton() is idempotent whatever the input ("iia" -> "ia" -> "ea").
    for _ in range(8):
        out: list[str] = []
        for unit in _VOWEL_UNIT_RE.findall(run):
            cls = _VOWEL_UNITS[unit]
            if not out or out[-1] != cls:
                out.append(cls)
        new = "".join(out)
        if new == run:
            break
        run = new
    return run


_LETTERS_RE = re.compile(r"[tc]?ch|ck|[cqw]|b(?![aeiouy])")
_LETTERS = {
    "tch": "j",
    "cch": "j",
    "ch": "j",
    "ck": "k",
    "c": "k",
    "q": "k",
    "w": "v",
    "b": "p",
}


def _letter(m: re.Match[str]) -> str:
    return _LETTERS[m.group()]


def _step_letters(s: str) -> str:
    # One Khmer letter, several Latin spellings: ច/ជ as ch, tch or j (Chea/Jea, Thach/Thatch), ក as c, ck
    # or k (Hok/Hoc/Hock), វ as v or w, a final ប as b or p (Tep/Teb, Kolab/Kolap). "ch" becomes "j" so
    # that no "c" is left to be read as k on a second pass.
    return _LETTERS_RE.sub(_letter, s)


# The substring tests in the steps below are only shortcuts (much cheaper than a regex scan that finds
# nothing); the regexes alone decide.
def _step_aspirate(s: str) -> str:
    return _ASPIRATE_RE.sub("", s) if "h" in s else s  # (ch ->) jh -> j, kh -> k, th -> t, ph -> p, nh -> n


def _step_nasal(s: str) -> str:
    # ញ is written nh (made n by the aspirate rule), gn or ny before a vowel: Kanha/Kagna, Nhem/Nyem.
    return _NASAL_RE.sub("n", s) if "gn" in s or "ny" in s else s


def _step_final_y(s: str) -> str:
    # y that is not a consonant (not before a vowel) is the vowel i (Vuthy); so is a final "ie" (Sophie).
    return _Y_RE.sub("i", s) if "y" in s or s.endswith("ie") else s


def _final_rhv(m: re.Match[str]) -> str:
    # A final v is the glide of ៅ / វ (Pov = Pau, Keo = Kaev): it becomes the vowel o. A final r or h only
    # lengthens the vowel before it in popular spelling (Sokhar, Bophar, Chhorn, Preah): it is dropped.
    return "o" if "v" in m.group() else ""


def _step_final_rhv(s: str) -> str:
    return _FINAL_RHV_RE.sub(_final_rhv, s) if "r" in s or "h" in s or "v" in s else s


def _step_doubles(s: str) -> str:
    return _DOUBLE_RE.sub("", s)  # Vanna/Vana, Kosall/Kosal, Vutthy/Vuthy


def _step_vowels(s: str) -> str:
    return _VOWEL_RUN_RE.sub(lambda m: _vowel_class(m.group()), s)


_STEPS: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("consonant spelling", _step_letters),
    ("aspirate", _step_aspirate),
    ("nh/gn/ny", _step_nasal),
    ("final y", _step_final_y),
    ("final r/h/v", _step_final_rhv),
    ("doubled letter", _step_doubles),
    ("vowel spelling", _step_vowels),
)


def _skeleton_pass(s: str) -> str:
    for _, step in _STEPS:
        s = step(s)
    return s


@lru_cache(maxsize=262144)
def skeleton(text: str) -> str:
    """Romanisation-insensitive key of one token, or of several tokens joined ("srey"+"mom" -> "srimom").

    Any text is accepted: it is tokenised first and the tokens are joined, so "Srey-Mom", "SREY MOM" and
    "ស្រីមុំ" give the same skeleton as "sreymom". Idempotent.
    """
    return _skeleton_pass("".join(_tokens(text)))


_VOWELS_SET = frozenset("aeiou")


@lru_cache(maxsize=262144)
def consonant_key(skel: str) -> str:
    """The skeleton without its vowels, except a leading one ("voti" -> "vt", "ok" -> "ok").

    Consonants are not de-duplicated, so a final consonant still counts: "sopea" -> "sp", "sopeap" -> "spp".
    """
    if not skel:
        return ""
    return skel[0] + "".join(c for c in skel[1:] if c not in _VOWELS_SET)


# ---------------------------------------------------------------------------------------------------------
# Keys
# ---------------------------------------------------------------------------------------------------------
_MAX_KEY = 64
_MAX_QUERY_TOKENS = 8  # a pasted paragraph must not explode into hundreds of keys


def _fit(key: str) -> str:
    """Keys go into an indexed ASCII column of at most 64 characters: hash the rare long or non-ASCII one."""
    if len(key) <= _MAX_KEY and key.isascii():
        return key
    return key[:2] + "#" + hashlib.blake2b(key.encode(), digest_size=16).hexdigest()


def _splits(toks: Sequence[str]) -> list[tuple[str, str]]:
    if len(toks) == 1:
        return [("", skeleton(toks[0]))]
    return [(skeleton("".join(toks[:i])), skeleton("".join(toks[i:]))) for i in range(1, len(toks))]


def name_forms(
    family: str, given: str, name_km: str = "", aliases: Iterable[str] = ()
) -> list[tuple[str, str]]:
    """Every (family_skeleton, given_skeleton) pair a person is known under, without duplicates.

    The Latin names come first; each alias and the Khmer name give one pair per 2-way split of their tokens
    (the order of an alias is unknown; Khmer names are written family name first). A side may be "".
    """
    forms: list[tuple[str, str]] = []
    fam, giv = skeleton(family), skeleton(given)
    if fam or giv:
        forms.append((fam, giv))
    for full in (*aliases, name_km):
        toks = _tokens(full)
        if toks:
            forms.extend(_splits(toks))
    return list(dict.fromkeys(forms))


@lru_cache(maxsize=262144)
def _pair_keys(a: str, b: str) -> tuple[str, ...]:
    sides = sorted(x for x in (a, b) if x)
    if not sides:
        return ()
    return (
        _fit("p:" + "|".join(sides)),
        _fit("c:" + "|".join(sorted(consonant_key(x) for x in sides))),
    )


def single_key(skel: str) -> str:
    """The "s:" key of one name (a skeleton): held by everyone known under that name."""
    return _fit("s:" + skel)


@lru_cache(maxsize=262144)
def _form_keys(a: str, b: str) -> tuple[str, ...]:
    return _pair_keys(a, b) + tuple(single_key(x) for x in (a, b) if x)


def index_keys(family: str, given: str, name_km: str = "", aliases: Iterable[str] = ()) -> set[str]:
    """Keys to store for a person: "p:" skeleton pairs, "c:" consonant-key pairs, "s:" single names."""
    return set(_index_key_forms(family, given, name_km, tuple(aliases)))


def form_key(a: str, b: str) -> str:
    """The name a key belongs to: the "p:" key of the skeleton pair (a, b) ("" when both are empty). Search
    asks which names hold its keys before it asks which people do (see matching.search)."""
    pair = _pair_keys(a, b)
    return pair[0] if pair else ""


def _index_key_forms(family: str, given: str, name_km: str, aliases: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for fam, giv in name_forms(family, given, name_km, aliases):
        form = form_key(fam, giv)
        for key in _form_keys(fam, giv):
            out.setdefault(key, form)
    return out


def key_forms(family: str, given: str, name_km: str = "", aliases: Iterable[str] = ()) -> dict[str, str]:
    """Every key stored for a person (index_keys and slip_keys), each with the name it came from
    (form_key): the first name form that gives it, the Latin names before the others."""
    aliases = tuple(aliases)
    out = _index_key_forms(family, given, name_km, aliases)
    for key, form in _slip_key_forms(family, given, name_km, aliases).items():
        out.setdefault(key, form)
    return out


def query_keys(text: str) -> set[str]:
    """Keys to look up for a free-text query, in any order of family and given name."""
    toks = _tokens(text)[:_MAX_QUERY_TOKENS]
    if not toks:
        return set()
    keys: set[str] = set()
    for a, b in _splits(toks):
        keys.update(_pair_keys(a, b))
    # The whole query as one name: finds "Sreymom" by "Srey Mom", and people known by a single name.
    whole = skeleton("".join(toks))
    keys.add(_fit("s:" + whole))
    keys.update(_pair_keys("", whole))
    return keys


# ---------------------------------------------------------------------------------------------------------
# One-slip keys (typing mistakes)
# ---------------------------------------------------------------------------------------------------------
# A slipped key (Vurhy for Vuthy), a dropped, doubled or swapped letter changes the skeleton, so none of the
# keys above match. Symmetric deletion finds them without comparing against every name: each name stores
# its skeletons with one letter deleted, the query looks up its own deletions too, and two skeletons share
# a deletion exactly when they are at most one substitution, insertion, deletion or adjacent swap apart.
# The other side of the name stays exact ("d:jia|vti" = family Chea exact, Vuthy with a letter deleted), so
# a key is held by the few people of one family name whose given name is one letter from the query's.
# Khmer script gets the same on its own letters ("k:" keys), a subscript (coeng + consonant) counting as
# one letter, so a dropped or wrong vowel sign or subscript is one slip. Kinds of keys are their first
# letter: p, c, s (above), d and k (here); PersonNameKey.kind stores it.
SLIP_KINDS = ("d", "k")
_MIN_SLIP = 3  # shorter skeletons ("ok", "ly") get no deletion keys: what is left matches too many names
_MAX_SLIP = 16  # longer ones are joined-up several names: their deletions are not worth the rows
_ZW_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")


def _khmer_units(word: str) -> tuple[str, ...]:
    """Khmer letters as typed, a coeng and the consonant under it counting as one (្ធ)."""
    units: list[str] = []
    for ch in word:
        if units and units[-1] == _COENG:
            units[-1] += ch
        else:
            units.append(ch)
    return tuple(units)


def _khmer_words(text: str) -> list[tuple[str, ...]]:
    """The Khmer words of a name (other characters dropped), each as units."""
    text = _ZW_RE.sub(" ", unicodedata.normalize("NFC", text)) if text else ""
    return [_khmer_units(m.group()) for m in re.finditer("[\u1780-\u17ff]+", text)]


def _unit_deletions(units: tuple[str, ...]) -> list[str]:
    if not _MIN_SLIP <= len(units) <= _MAX_SLIP:
        return []
    return list(dict.fromkeys("".join(units[:i] + units[i + 1 :]) for i in range(len(units))))


def _khmer_sides(name_km: str) -> list[tuple[str, tuple[str, ...]]]:
    """(one side joined, the other side as units) for every split of a Khmer name, both ways round."""
    words = _khmer_words(name_km)[:_MAX_QUERY_TOKENS]
    if len(words) == 1:
        return [("", words[0])]
    out = []
    for i in range(1, len(words)):
        left = tuple(u for w in words[:i] for u in w)
        right = tuple(u for w in words[i:] for u in w)
        out += [("".join(left), right), ("".join(right), left)]
    return out


# A record held in Latin letters only has no Khmer letters to compare with, and one slipped Khmer sign can
# move the transliteration by two or three letters (វណណា "vanana" for វណ្ណា "vana"). So a Khmer word typed
# with one slip is *repaired* every way one slip can be undone — a vowel sign or a subscript put back, a
# vowel sign changed, a coeng put back under a letter typed full size, a stray letter removed — and the
# skeletons of the repairs are looked up as names. About 200 repairs per word, microseconds each.
_KHMER_BASES = frozenset(_CONSONANTS)
_KHMER_VOWEL_SIGNS = tuple(_VOWELS)
_KHMER_SUBSCRIPTS = tuple(_COENG + c for c in _CONSONANTS if c != "\u17a2")


@lru_cache(maxsize=4096)
def khmer_repairs(units: tuple[str, ...]) -> frozenset[str]:
    """Skeletons of every Khmer word one slip from ``units`` (from _khmer_units), the word itself excluded."""
    if not units or len(units) > _MAX_SLIP:
        return frozenset()
    out: set[str] = set(_unit_deletions(units))  # a stray letter (words of 3 letters or more)
    for i, unit in enumerate(units):
        if unit in _VOWELS:
            out.update("".join((*units[:i], v, *units[i + 1 :])) for v in _KHMER_VOWEL_SIGNS if v != unit)
        if unit in _KHMER_BASES and i and (units[i - 1] in _KHMER_BASES or units[i - 1].startswith(_COENG)):
            out.add("".join((*units[:i], _COENG + unit, *units[i + 1 :])))  # the coeng forgotten
    for i in range(1, len(units) + 1):
        before = units[i - 1]
        if before in _KHMER_BASES or before.startswith(_COENG):
            head, tail = units[:i], units[i:]
            out.update("".join((*head, v, *tail)) for v in _KHMER_VOWEL_SIGNS)  # a vowel sign dropped
            out.update("".join((*head, sub, *tail)) for sub in _KHMER_SUBSCRIPTS)  # a subscript dropped
    word = "".join(units)
    return frozenset(skel for w in out if w != word and (skel := skeleton(w)) and skel != skeleton(word))


def _khmer_repair_keys(name_km: str) -> set[str]:
    """Pair keys of the names a Khmer name with one slip may stand for, in Latin letters."""
    keys: set[str] = set()
    for exact, units in _khmer_sides(name_km):
        other = skeleton(exact)
        if len(units) >= _MIN_SLIP - 1:
            keys.update(pair[0] for r in khmer_repairs(units) if (pair := _pair_keys(other, r)))
    return keys


def _d_key(exact: str, other: str) -> str:
    return _fit(f"d:{exact}|{other}")


def _k_key(exact: str, other: str) -> str:
    return _fit(f"k:{exact}|{other}")


def _variants(raw: str, shortest: int = _MIN_SLIP) -> list[str]:
    """Every skeleton one slip from ``raw`` by deletion: from the skeleton and from the spelling. Names of
    ``shortest`` letters or more only (2 when the other side of the name is known: Ly Sothea)."""
    skel = skeleton(raw)
    if len(skel) < shortest or len(raw) > _MAX_SLIP:
        return []
    out = dict.fromkeys(skel[:i] + skel[i + 1 :] for i in range(len(skel)))
    out.update(dict.fromkeys(skeleton(raw[:i] + raw[i + 1 :]) for i in range(len(raw))))
    out.pop(skel, None)
    out.pop("", None)
    return list(out)


def _raw_forms(
    family: str, given: str, name_km: str = "", aliases: Iterable[str] = ()
) -> list[tuple[str, str]]:
    """(family, given) as spelled (tokens joined, lower case) for every name form, as name_forms()."""
    forms: list[tuple[str, str]] = []
    fam, giv = "".join(_tokens(family)), "".join(_tokens(given))
    if fam or giv:
        forms.append((fam, giv))
    for full in (*aliases, name_km):
        toks = _tokens(full)
        if len(toks) == 1:
            forms.append(("", toks[0]))
        forms += [("".join(toks[:i]), "".join(toks[i:])) for i in range(1, len(toks))]
    return list(dict.fromkeys(forms))


def slip_keys(family: str, given: str, name_km: str = "", aliases: Iterable[str] = ()) -> set[str]:
    """One-slip keys to store for a person: "d:" (one side's skeleton exact | the other side one letter
    shorter) for every name form, and "k:" the same on the letters of the Khmer name."""
    return set(_slip_key_forms(family, given, name_km, tuple(aliases)))


def _slip_key_forms(family: str, given: str, name_km: str, aliases: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for a, b in _raw_forms(family, given, name_km, aliases):
        form = form_key(skeleton(a), skeleton(b))
        for exact, other in ((a, b), (b, a)):
            exact_skel = skeleton(exact)
            for v in _variants(other, 2 if exact_skel else _MIN_SLIP):
                out.setdefault(_d_key(exact_skel, v), form)
    if name_km:
        for exact, units in _khmer_sides(name_km):
            form = form_key(skeleton(exact), skeleton("".join(units)))
            for v in _unit_deletions(units):
                out.setdefault(_k_key(exact, v), form)
    return out


def _slip_lookups(pairs: Iterable[tuple[str, str]], name_km: str) -> set[str]:
    keys: set[str] = set()
    for a, b in pairs:
        for exact_raw, other in ((a, b), (b, a)):
            if not other:
                continue
            exact, other_skel = skeleton(exact_raw), skeleton(other)
            # a letter dropped from a stored name: the query is one of its deletions
            if len(other_skel) >= (1 if exact else _MIN_SLIP - 1) and len(other_skel) < _MAX_SLIP:
                keys.add(_d_key(exact, other_skel))
            for v in _variants(other, 2 if exact else _MIN_SLIP):
                keys.add(_d_key(exact, v))  # a letter slipped or swapped: both lose the same letter
                keys.update(_pair_keys(exact, v))  # a letter added to a stored name
    for exact, units in _khmer_sides(name_km) if name_km else ():
        if _MIN_SLIP - 1 <= len(units) < _MAX_SLIP:
            keys.add(_k_key(exact, "".join(units)))
        keys.update(_k_key(exact, v) for v in _unit_deletions(units))
    if name_km:
        keys |= _khmer_repair_keys(name_km)  # the same name held in Latin letters only
    return keys


def slip_query_keys(text: str) -> set[str]:
    """Keys to look up for a free-text query that may hold one slip: "d:", "k:" and the "p:" pairs of the
    query with a letter deleted (a letter typed twice or added)."""
    toks = _tokens(text)[:_MAX_QUERY_TOKENS]
    if not toks:
        return set()
    pairs = [("".join(toks[:i]), "".join(toks[i:])) for i in range(1, len(toks))]
    pairs.append(("", "".join(toks)))
    return _slip_lookups(pairs, text if _HAS_KHMER_RE.search(text) else "")


def slip_record_keys(family: str, given: str, name_km: str = "", aliases: Iterable[str] = ()) -> set[str]:
    """Keys to look up for a record being entered (the duplicate check), as slip_query_keys."""
    return _slip_lookups(_raw_forms(family, given, "", aliases), name_km)


def _osa1(x: str | tuple[str, ...], y: str | tuple[str, ...]) -> tuple[str, int] | None:
    """(kind of slip, position) when x and y are exactly one substitution, insertion, deletion or adjacent
    swap apart; None otherwise. Positions count in the longer of the two."""
    if x == y or abs(len(x) - len(y)) > 1:
        return None
    if len(x) == len(y):
        diff = [i for i in range(len(x)) if x[i] != y[i]]
        if len(diff) == 1:
            return "substituted", diff[0]
        i = diff[0] if len(diff) == 2 and diff[1] == diff[0] + 1 else -1
        if i >= 0 and x[i] == y[i + 1] and x[i + 1] == y[i]:
            return "swapped", i
        return None
    short, long_ = (x, y) if len(x) < len(y) else (y, x)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    if short[i:] == long_[i + 1 :]:
        return ("added" if len(x) > len(y) else "dropped"), i
    return None


_PLAUSIBLE_FINAL = frozenset("kjntpmlsg")


def _name_ending(skel: str) -> bool:
    """Whether a skeleton ends as Khmer names do: a vowel, or one final consonant after a vowel (ng)."""
    if not skel:
        return False
    if skel[-1] in _VOWELS_SET:
        return True
    if skel.endswith("ng"):
        return len(skel) > 2 and skel[-3] in _VOWELS_SET
    return skel[-1] in _PLAUSIBLE_FINAL and skel[-1] != "g" and len(skel) > 1 and skel[-2] in _VOWELS_SET


def _at_the_end(found: tuple[str, int], x: str | tuple[str, ...], y: str | tuple[str, ...]) -> bool:
    """Whether a one-slip difference (from _osa1) is at the very end: the last letter changed, or a letter
    added or dropped after the last one. A letter slipped in before the last one is not (Vutny / Vuthy)."""
    kind, pos = found
    if kind == "substituted":
        return pos == len(x) - 1
    if kind in ("added", "dropped"):
        return pos == min(len(x), len(y))
    return False


def another_name(entered: str, stored: str, entered_raw: str = "", stored_raw: str = "") -> bool:
    """Whether two skeletons one slip apart are more likely two real names than a slip: the difference is
    the very end and the entered one still ends like a name (Sophea/Sopheap, Vanna/Vannak, Chantha/Chanthy,
    Rith/Rithy). Khmer names differ by their final vowel or consonant; typing slips fall anywhere. With the
    spellings as typed, they must differ at the end too: "Darehh" for "Dareth" is a slipped key in the
    middle even though the skeletons (dari / darit) differ by their last letter."""
    found = _osa1(entered, stored)
    if found is None or not _at_the_end(found, entered, stored) or not _name_ending(entered):
        return False
    raw = _osa1(entered_raw, stored_raw) if entered_raw and stored_raw else None
    return raw is None or _at_the_end(raw, entered_raw, stored_raw)


def _khmer_another_name(entered: tuple[str, ...], stored: tuple[str, ...], pos: int) -> bool:
    # ដារា / ដារី (Dara / Dary), រិទ្ធ / រិទ្ធី (Rith / Rithy): a different last vowel or final consonant
    # is another name; a dropped subscript (រិទ្ធ / រិទ) is a slip.
    if pos < min(len(entered), len(stored)) - 1:
        return False
    changed = [side[pos] for side in (entered, stored) if pos < len(side)]
    return not any(u.startswith(_COENG) for u in changed)


def has_khmer(text: str) -> bool:
    return bool(_HAS_KHMER_RE.search(text))


def khmer_slips(a: str, b: str) -> int:
    """Edits between the Khmer letters of two names (a subscript one letter, an adjacent swap one edit)."""
    ua = [u for w in _khmer_words(a) for u in (*w, " ")][:-1]
    ub = [u for w in _khmer_words(b) for u in (*w, " ")][:-1]
    if not ua or not ub:
        return 99
    return int(OSA.distance(ua, ub))


def khmer_similarity(a: str, b: str) -> float:
    """0..1 similarity of the Khmer letters of two names (other characters ignored), a subscript counting
    as one letter: one slipped sign in a two-word name scores about 0.9."""
    ua = [u for w in _khmer_words(a) for u in (*w, " ")][:-1]
    ub = [u for w in _khmer_words(b) for u in (*w, " ")][:-1]
    if not ua or not ub:
        return 0.0
    return 1.0 - Levenshtein.distance(ua, ub) / max(len(ua), len(ub))


def slip(query: str, text: str) -> list[tuple[str, str, str]]:
    """The words of ``query`` that are one slip from a word of ``text`` while the other words match, as
    (query word, text word, kind of slip): [("Vurhy", "Vuthy", "substituted")]. Latin words are compared by
    skeleton, Khmer words letter by letter (a subscript is one letter). Empty when there is no such pair."""
    wq, wt = _words(query), _words(text)
    if not wq or not wt:
        return []
    out: list[tuple[str, str, str]] = []
    used: set[int] = set()
    unmatched = 0
    for x in wq:
        sx, kx = skeleton(x), _khmer_units(unicodedata.normalize("NFC", x))
        hit: tuple[int, str | None] | None = None
        for j, y in enumerate(wt):
            if j in used:
                continue
            if skeleton(y) == sx:
                hit = (j, None)
                break
        if hit is None:
            for j, y in enumerate(wt):
                if j in used:
                    continue
                if _HAS_KHMER_RE.search(x) and _HAS_KHMER_RE.search(y):
                    found = _osa1(kx, _khmer_units(unicodedata.normalize("NFC", y)))
                else:
                    found = _osa1(sx, skeleton(y)) or _osa1("".join(_tokens(x)), "".join(_tokens(y)))
                    if found is None and _HAS_KHMER_RE.search(x) and skeleton(y) in khmer_repairs(kx):
                        found = ("Khmer letter", 0)  # one Khmer slip from this Latin spelling
                if found is not None:
                    hit = (j, found[0])
                    break
        if hit is None:
            unmatched += 1
            continue
        used.add(hit[0])
        if hit[1] is not None:
            out.append((x, wt[hit[0]], hit[1]))
    return out if len(out) == 1 and not unmatched else []


def slip_is_another_name(query: str, text: str) -> bool:
    """For the duplicate check: the one slip between ``query`` and ``text`` (see slip()) looks like two
    different real names rather than a typing mistake (see another_name)."""
    found = slip(query, text)
    if not found:
        return False
    x, y, _kind = found[0]
    if _HAS_KHMER_RE.search(x) and _HAS_KHMER_RE.search(y):
        ux, uy = _khmer_units(unicodedata.normalize("NFC", x)), _khmer_units(unicodedata.normalize("NFC", y))
        where = _osa1(ux, uy)
        return where is not None and _khmer_another_name(ux, uy, where[1])
    return another_name(skeleton(x), skeleton(y), "".join(_tokens(x)), "".join(_tokens(y)))


# ---------------------------------------------------------------------------------------------------------
# Similarity and explanation
# ---------------------------------------------------------------------------------------------------------
def _rotations(toks: tuple[str, ...]) -> list[str]:
    # Every family/given swap of a name is a rotation of its tokens ("srey mom ouk" -> "ouk srey mom").
    toks = toks[:_MAX_QUERY_TOKENS]
    return [skeleton("".join(toks[i:] + toks[:i])) for i in range(len(toks))]


def name_similarity(a: str, b: str) -> float:
    """0..1 similarity of two full names, insensitive to romanisation, word order and spacing."""
    ta, tb = _tokens(a), _tokens(b)
    if not ta or not tb:
        return 0.0
    best = fuzz.token_sort_ratio(" ".join(map(skeleton, ta)), " ".join(map(skeleton, tb)))
    joined_a, joined_b = skeleton("".join(ta)), skeleton("".join(tb))
    for rotated in _rotations(ta):
        best = max(best, fuzz.ratio(rotated, joined_b))
    for rotated in _rotations(tb):
        best = max(best, fuzz.ratio(joined_a, rotated))
    return best / 100.0


def spelling_similarity(a: str, b: str) -> float:
    """0..1 similarity of two names as spelled (lower case, accents and punctuation dropped, any word
    order): ranks a slip of this very spelling (Ceha for Chea) above other names that the skeleton
    happens to bring closer (Keo)."""
    ta, tb = _tokens(a)[:_MAX_QUERY_TOKENS], _tokens(b)[:_MAX_QUERY_TOKENS]
    if not ta or not tb:
        return 0.0
    # every rotation, not sorted words: sorting puts a slipped first letter elsewhere (Fantha / Vantha);
    # OSA distance: a swap of adjacent letters is one edit (yL / Ly), not two
    target = " ".join(tb)
    return max(OSA.normalized_similarity(" ".join(ta[i:] + ta[:i]), target) for i in range(len(ta)))


def spelling_slips(a: str, b: str) -> int:
    """Edits (substitution, insertion, deletion, adjacent swap) between two names as spelled, in the word
    order that needs fewest: 1 for a single slip of the fingers."""
    ta, tb = _tokens(a)[:_MAX_QUERY_TOKENS], _tokens(b)[:_MAX_QUERY_TOKENS]
    if not ta or not tb:
        return 99
    target = " ".join(tb)
    return min(OSA.distance(" ".join(ta[i:] + ta[:i]), target) for i in range(len(ta)))


def _is_separator(ch: str) -> bool:
    return not (ch.isalnum() or unicodedata.category(ch).startswith("M") or ch in "\u200c\u200d")


def _words(text: str) -> list[str]:
    """Words as typed (case kept, Khmer words whole), for display."""
    words: list[str] = []
    cur: list[str] = []
    for ch in unicodedata.normalize("NFKC", text):
        if _is_separator(ch):
            if cur:
                words.append("".join(cur))
                cur = []
        else:
            cur.append(ch)
    if cur:
        words.append("".join(cur))
    return [w for w in words if _tokens(w)]


def _reasons(x: str, y: str) -> list[str]:
    if _HAS_KHMER_RE.search(x) or _HAS_KHMER_RE.search(y):
        return ["Khmer script"]
    a, b = "".join(_tokens(x)), "".join(_tokens(y))
    reasons = ["spacing"] if a == b else []
    dist = Levenshtein.distance(a, b)
    for name, step in _STEPS:
        if dist == 0:
            break
        a, b = step(a), step(b)
        new = Levenshtein.distance(a, b)
        if new < dist:
            reasons.append(name)
        dist = new
    return reasons


def explain(a: str, b: str, label: Callable[[str], str] = str) -> str:
    """Why two spellings of a name match, e.g. "Chhun ≈ Chun (aspirate), Vuthy ≈ Vuthi (final y)".
    ``label`` names each rule in the reader's language (this module knows no translations).

    Lists the words (or two adjacent words run together) of each name whose skeletons are equal but whose
    lowercase spellings differ. Returns "" when no such pair exists (identical or unrelated names).
    """
    wa, wb = _words(a), _words(b)
    used_a: set[int] = set()
    used_b: set[int] = set()
    pairs: list[tuple[str, str]] = []
    for i, x in enumerate(wa):
        for j, y in enumerate(wb):
            if j not in used_b and skeleton(x) == skeleton(y):
                used_a.add(i)
                used_b.add(j)
                pairs.append((x, y))
                break
    # One word against two adjacent words: "Sreymom" / "Srey Mom".
    for one, two, used_one, used_two, flip in (
        (wa, wb, used_a, used_b, False),
        (wb, wa, used_b, used_a, True),
    ):
        for i, x in enumerate(one):
            if i in used_one:
                continue
            for j in range(len(two) - 1):
                if j in used_two or j + 1 in used_two:
                    continue
                y = f"{two[j]} {two[j + 1]}"
                if skeleton(x) == skeleton(y):
                    used_one.add(i)
                    used_two.update((j, j + 1))
                    pairs.append((y, x) if flip else (x, y))
                    break
    parts = []
    for x, y in pairs:
        if x.casefold() == y.casefold():
            continue
        reasons = [label(r) for r in _reasons(x, y)]
        parts.append(f"{x} ≈ {y}" + (f" ({', '.join(reasons)})" if reasons else ""))
    return ", ".join(parts)
