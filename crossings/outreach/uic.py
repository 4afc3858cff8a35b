"""Unique Identifier Codes (UIC) for anonymous outreach clients.

A UIC is built on the spot from facts a client can repeat at every contact without giving their name. The
default scheme (WHO/UNAIDS practice for key-population programmes) is::

    MM FF OO DDMMYYYY
    |  |  |  date of birth
    |  |  birth order among the mother's children, two digits, 99 when unknown
    |  first two letters of the father's first name
    first two letters of the mother's first name

The "letters" are taken from the romanisation-insensitive skeleton of the name
(``crossings.people.names.skeleton``), not from the spelling as typed, so "ឈុន", "Chhun" and "Chun" all
give ``JO``: the worker may type in Khmer or Latin script, with any usual spelling, and the client keeps one
code. The names themselves are never stored or logged; only the code is.

The scheme is configurable with the ``OUTREACH_UIC_SCHEME`` setting (a dict with the fields of
``UICScheme``); see docs/outreach.md. Pure Python: no Django models, no database.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from crossings.people.names import skeleton

UNKNOWN_BIRTH_ORDER = 99
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DIGITS = "0123456789"
PAD = "X"  # fills a name shorter than the letters the scheme takes ("Y" -> skeleton "i" -> "IX")


class UICError(ValueError):
    """A UIC that cannot be built or is not well formed; ``errors`` maps a field to a specific message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class UICScheme:
    mother_letters: int = 2
    father_letters: int = 2
    birth_order: bool = True
    dob_format: str = "DDMMYYYY"  # or "YYYYMMDD"

    @property
    def length(self) -> int:
        return self.mother_letters + self.father_letters + (2 if self.birth_order else 0) + 8

    @property
    def pattern(self) -> str:
        """One character class per position: "L" letter, "D" digit."""
        return "L" * (self.mother_letters + self.father_letters) + "D" * (self.length - self.name_letters)

    @property
    def name_letters(self) -> int:
        return self.mother_letters + self.father_letters


@lru_cache(maxsize=8)
def _scheme_from(items: tuple[tuple[str, object], ...]) -> UICScheme:
    scheme = UICScheme(**dict(items))  # type: ignore[arg-type]
    if scheme.dob_format not in ("DDMMYYYY", "YYYYMMDD"):
        raise ValueError("OUTREACH_UIC_SCHEME dob_format must be DDMMYYYY or YYYYMMDD")
    return scheme


def current_scheme() -> UICScheme:
    configured = getattr(settings, "OUTREACH_UIC_SCHEME", None) or {}
    return _scheme_from(tuple(sorted(configured.items())))


def name_letters(name: str, count: int) -> str:
    """The first ``count`` letters of the name's romanisation skeleton, upper case, padded with X."""
    letters = re.sub("[^a-z]", "", skeleton(name)).upper()[:count]
    return letters.ljust(count, PAD) if letters else ""


def _dob_text(dob: dt.date, scheme: UICScheme) -> str:
    return dob.strftime("%d%m%Y" if scheme.dob_format == "DDMMYYYY" else "%Y%m%d")


def build_uic(
    *,
    mother_name: str,
    father_name: str,
    birth_order: int | None,
    birth_date: dt.date | None,
    today: dt.date | None = None,
    scheme: UICScheme | None = None,
) -> str:
    """The client's UIC from the facts they give; raises UICError naming every fact that is unusable."""
    scheme = scheme or current_scheme()
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    mother = name_letters(mother_name, scheme.mother_letters)
    father = name_letters(father_name, scheme.father_letters)
    if not mother_name.strip():
        errors["mother_name"] = _("Give the mother's first name (only its first letters are kept).")
    elif not mother:
        errors["mother_name"] = _("The mother's first name has no letters that can be read.")
    if not father_name.strip():
        errors["father_name"] = _("Give the father's first name (only its first letters are kept).")
    elif not father:
        errors["father_name"] = _("The father's first name has no letters that can be read.")
    order = ""
    if scheme.birth_order:
        if birth_order is None:
            birth_order = UNKNOWN_BIRTH_ORDER
        if not 1 <= birth_order <= UNKNOWN_BIRTH_ORDER:
            errors["birth_order"] = _("Birth order is a number from 1 to 98, or 99 when it is not known.")
        order = f"{birth_order:02d}"
    if birth_date is None:
        errors["birth_date"] = _("Give the date of birth (an estimate is better than nothing).")
    elif birth_date > today:
        errors["birth_date"] = _("The date of birth is in the future.")
    elif birth_date.year < 1900:
        errors["birth_date"] = _("The date of birth is before 1900.")
    if errors:
        raise UICError(errors)
    assert birth_date is not None
    return mother + father + order + _dob_text(birth_date, scheme)


def normalise_uic(code: str) -> str:
    return re.sub(r"[\s\-_.]", "", code or "").upper()


def validate_uic(code: str, *, scheme: UICScheme | None = None, today: dt.date | None = None) -> str:
    """The code, normalised, if it is well formed under the scheme; otherwise UICError with the reason."""
    scheme = scheme or current_scheme()
    code = normalise_uic(code)
    n = scheme.name_letters
    if len(code) != scheme.length:
        raise UICError(
            {
                "uic": _("A UIC has %(want)d characters; this one has %(got)d.")
                % {"want": scheme.length, "got": len(code)}
            }
        )
    if not code[:n].isascii() or not code[:n].isalpha():
        raise UICError({"uic": _("The first %(n)d characters of a UIC are letters A-Z.") % {"n": n}})
    if not code[n:].isdigit():
        raise UICError({"uic": _("After the letters, a UIC has only digits.")})
    rest = code[n:]
    if scheme.birth_order:
        if int(rest[:2]) == 0:
            raise UICError({"uic": _("Birth order 00 is not valid: use 01-98, or 99 when not known.")})
        rest = rest[2:]
    fmt = "%d%m%Y" if scheme.dob_format == "DDMMYYYY" else "%Y%m%d"
    try:
        dob = dt.datetime.strptime(rest, fmt).date()
    except ValueError:
        raise UICError(
            {"uic": _("The date of birth in this UIC (%(dob)s) is not a real date.") % {"dob": rest}}
        ) from None
    if dob > (today or timezone.localdate()) or dob.year < 1900:
        raise UICError({"uic": _("The date of birth in this UIC (%(dob)s) is not possible.") % {"dob": rest}})
    return code


def birth_date_of(code: str, scheme: UICScheme | None = None) -> dt.date:
    scheme = scheme or current_scheme()
    rest = code[scheme.name_letters + (2 if scheme.birth_order else 0) :]
    fmt = "%d%m%Y" if scheme.dob_format == "DDMMYYYY" else "%Y%m%d"
    return dt.datetime.strptime(rest, fmt).date()


def neighbours(code: str, scheme: UICScheme | None = None) -> set[str]:
    """Every code one keying slip away: one character replaced (letter for letter, digit for digit) or two
    neighbouring characters swapped. Small enough (~250 codes) to look up with one indexed ``IN`` query."""
    scheme = scheme or current_scheme()
    found: set[str] = set()
    for i, kind in enumerate(scheme.pattern[: len(code)]):
        for ch in _LETTERS if kind == "L" else _DIGITS:
            if ch != code[i]:
                found.add(code[:i] + ch + code[i + 1 :])
    for i in range(len(code) - 1):
        if code[i] != code[i + 1]:
            found.add(code[:i] + code[i + 1] + code[i] + code[i + 2 :])
    found.discard(code)
    return found
