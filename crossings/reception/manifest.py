"""Reading removal-flight manifests: CSV or XLSX, columns in any order and with any of the usual header
spellings. Nothing here touches the database; crossings.reception.services does the matching and saving.

Dates: a file is read in one order. When some date in the file can only be day first (25/04/1980) or only
month first (04/25/1980), the whole file is read that way; when every such date could be either (03/04/1980),
manifests come from US agencies, so it is read month first and the report asks the user to confirm or choose
day first (``date_order``). ISO dates, "4 Mar 1980", and real spreadsheet dates are read as such.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rapidfuzz import fuzz, process

from crossings import uploads

MAX_ROWS = uploads.MANIFEST.max_rows

# field -> (label, required, header spellings seen on manifests)
FIELDS: dict[str, tuple[Any, bool, tuple[str, ...]]] = {
    "family_name": (
        gettext_lazy("family name"),
        True,
        ("family name", "last name", "surname", "last", "family", "lname", "nom"),
    ),
    "given_name": (
        gettext_lazy("given name"),
        True,
        ("given name", "given names", "first name", "first", "fname", "first and middle name", "prenom"),
    ),
    "name_km": (
        gettext_lazy("name in Khmer script"),
        False,
        ("khmer name", "name in khmer", "name khmer", "ឈ្មោះ"),
    ),
    "sex": (gettext_lazy("sex"), False, ("sex", "gender", "m/f")),
    "birth_date": (
        gettext_lazy("date of birth"),
        True,
        ("date of birth", "dob", "birth date", "birthdate", "born"),
    ),
    "a_number": (
        gettext_lazy("A-number"),
        False,
        ("a-number", "a number", "a#", "alien number", "anumber", "a no"),
    ),
    "us_city": (gettext_lazy("last US city"), False, ("city", "us city", "last city", "last address city")),
    "remarks": (gettext_lazy("remarks"), False, ("remarks", "notes", "comment", "comments")),
}
MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1
    )
}


class ManifestError(ValueError):
    """The file as a whole cannot be read (wrong type, empty, too long)."""


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Any]]  # data rows, each as long as headers


@dataclass
class RowResult:
    number: int  # the row number as the user sees it in the file (header is row 1)
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (field, message)
    notes: list[str] = field(default_factory=list)


def _norm(header: str) -> str:
    return re.sub(r"[^a-z0-9#\u1780-\u17ff]+", " ", str(header).strip().lower()).strip()


def read_table(data: bytes, filename: str) -> Table:
    """Rows of a CSV (UTF-8, with or without BOM) or XLSX file; refuses anything else by its content, and
    any file past the manifest limits in crossings.uploads (bytes, unpacked size, rows, columns, cells)
    at the first row past them."""
    try:
        uploads.check_size(len(data), uploads.MANIFEST)
        if data[:4] == b"PK\x03\x04":
            return _table(uploads.read_xlsx(data, uploads.MANIFEST)[0][1])
        if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            raise ManifestError(
                _("This is an old Excel (.xls) file. Save it as .xlsx or CSV and upload it again.")
            )
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ManifestError(_("The file is neither an XLSX workbook nor a UTF-8 CSV file.")) from exc
        if "\x00" in text:
            raise ManifestError(_("The file is neither an XLSX workbook nor a UTF-8 CSV file."))
        return _table(uploads.read_csv(text, uploads.MANIFEST))
    except ValidationError as exc:
        raise ManifestError(" ".join(exc.messages)) from exc


def _table(rows: list[list[Any]]) -> Table:
    if not rows:
        raise ManifestError(_("The file is empty."))
    headers = [str(h).strip() if h is not None else "" for h in rows[0]]
    width = len(headers)
    body = [(list(r) + [None] * width)[:width] for r in rows[1:]]
    return Table(headers, body)


def guess_mapping(headers: list[str]) -> dict[str, int | None]:
    """Field -> column index, by known spellings first, then by the closest spelling (typos, extra words)."""
    normalised = [_norm(h) for h in headers]
    mapping: dict[str, int | None] = {}
    taken: set[int] = set()
    for name, (_label, _required, spellings) in FIELDS.items():
        choice = next((i for i, h in enumerate(normalised) if h in spellings and i not in taken), None)
        if choice is None:
            candidates = {i: h for i, h in enumerate(normalised) if i not in taken and h}
            best = (
                process.extractOne(spellings[0], candidates, scorer=fuzz.WRatio, processor=None)
                if candidates
                else None
            )
            for spelling in spellings[1:]:
                other = (
                    process.extractOne(spelling, candidates, scorer=fuzz.WRatio, processor=None)
                    if candidates
                    else None
                )
                if other and (best is None or other[1] > best[1]):
                    best = other
            choice = best[2] if best and best[1] >= 85 else None
        mapping[name] = choice
        if choice is not None:
            taken.add(choice)
    return mapping


def missing_fields(mapping: dict[str, int | None]) -> list[str]:
    return [name for name, (_l, required, _s) in FIELDS.items() if required and mapping.get(name) is None]


MONTH_FIRST, DAY_FIRST = "mdy", "dmy"
ORDER_LABELS = {MONTH_FIRST: gettext_lazy("month first"), DAY_FIRST: gettext_lazy("day first")}


class WrongOrder(ValueError):
    """A date that the order chosen for the whole file cannot read (25/04/1980 month first)."""


SLASHED = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")


def parse_date(value: Any, order: str | None = None) -> tuple[dt.date | None, str]:
    """(date, note). ``order`` (MONTH_FIRST / DAY_FIRST) reads 03/04/1980 one way; None reads each value as it
    can be read, month first when it could be either. Raises ValueError with a message saying what was
    expected."""
    try:
        return _parse_date(value, order)
    except WrongOrder:
        raise
    except ValueError as exc:
        raise ValueError(
            _("“%(value)s” is not a date; expected e.g. 1980-03-04 or 03/04/1980.") % {"value": value}
        ) from exc


def _parse_date(value: Any, order: str | None) -> tuple[dt.date | None, str]:
    if value in (None, ""):
        return None, ""
    if isinstance(value, dt.datetime):
        return value.date(), ""
    if isinstance(value, dt.date):
        return value, ""
    text = str(value).strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if m:
        return dt.date(int(m[1]), int(m[2]), int(m[3])), ""
    m = SLASHED.fullmatch(text)
    if m:
        a, b, year = int(m[1]), int(m[2]), int(m[3])
        if (order == MONTH_FIRST and a > 12) or (order == DAY_FIRST and b > 12):
            raise WrongOrder(
                _("“%(value)s” cannot be read %(order)s; the dates of this file are read that way.")
                % {"value": text, "order": ORDER_LABELS[order]}
            )
        if order == DAY_FIRST or (order is None and a > 12):
            return dt.date(year, b, a), ""
        note = _("read as month/day (US order)") if order is None and b <= 12 and a != b else ""
        return dt.date(year, a, b), note
    m = re.fullmatch(r"(\d{1,2})[ -]([A-Za-z]{3})[a-z]*[ -,]*(\d{4})", text)
    if m and m[2].lower() in MONTHS:
        return dt.date(int(m[3]), MONTHS[m[2].lower()], int(m[1])), ""
    m = re.fullmatch(r"(\d{4})", text)
    if m:
        return dt.date(int(m[1]), 1, 1), _("year only")
    raise ValueError(
        _("“%(value)s” is not a date; expected e.g. 1980-03-04 or 03/04/1980.") % {"value": text}
    )


@dataclass
class DateOrder:
    """How the file's slashed dates are read: ``order``, and why (``source``): "file" when a date in it can
    only be read one way, "chosen" by the user, "assumed" month first (US) when nothing tells;
    ``ambiguous`` counts the dates that could be read either way."""

    order: str
    source: str
    ambiguous: int = 0
    conflict: bool = False  # the file has dates that can only be day first and others only month first


def date_order(table: Table, mapping: dict[str, int | None], chosen: str = "") -> DateOrder:
    col = mapping.get("birth_date")
    day_only = month_only = ambiguous = 0
    for row in table.rows:
        if col is None:
            break
        m = SLASHED.fullmatch(str(row[col] or "").strip())
        if not m:
            continue
        a, b = int(m[1]), int(m[2])
        day_only += a > 12 >= b
        month_only += b > 12 >= a
        ambiguous += a <= 12 and b <= 12 and a != b
    conflict = bool(day_only and month_only)
    if chosen in (MONTH_FIRST, DAY_FIRST):
        return DateOrder(chosen, "chosen", ambiguous, conflict)
    if day_only and not month_only:
        return DateOrder(DAY_FIRST, "file", ambiguous)
    if month_only and not day_only:
        return DateOrder(MONTH_FIRST, "file", ambiguous)
    return DateOrder(MONTH_FIRST, "assumed", ambiguous, conflict)


SEX = {
    "m": "male",
    "male": "male",
    "f": "female",
    "female": "female",
    "x": "other",
    "": "unknown",
    "u": "unknown",
    "unknown": "unknown",
    "ប្រុស": "male",
    "ស្រី": "female",
}


def _is_khmer(text: str) -> bool:
    return any("\u1780" <= ch <= "\u17ff" for ch in text)


def read_rows(
    table: Table, mapping: dict[str, int | None], order: DateOrder | None = None
) -> list[RowResult]:
    """Validate each row; every problem names the row and the field. Slashed dates are read in ``order``
    (``date_order(...)`` when not given); only an assumed order is noted on each row it decided."""
    order = order or date_order(table, mapping)
    reading = None if order.source == "assumed" and not order.conflict else order.order
    results = []
    seen: dict[tuple[str, str, Any], int] = {}
    for index, row in enumerate(table.rows):
        result = RowResult(number=index + 2)
        raw = {name: (row[col] if col is not None else None) for name, col in mapping.items()}
        for name in ("family_name", "given_name", "name_km", "a_number", "us_city", "remarks"):
            value = raw.get(name)
            result.values[name] = "" if value is None else str(value).strip()
        for name in ("family_name", "given_name"):
            text = result.values[name]
            if text and _is_khmer(text):
                # Names in Khmer script in a Latin column: keep them, as the Khmer name.
                result.values["name_km"] = " ".join(p for p in (result.values["name_km"], text) if p)
                result.values[name] = ""
                result.notes.append(
                    _("%(field)s was in Khmer script; kept as the Khmer name") % {"field": FIELDS[name][0]}
                )
        if not (result.values["family_name"] or result.values["given_name"] or result.values["name_km"]):
            result.errors.append(("family_name", _("no name in this row")))
        sex = str(raw.get("sex") or "").strip().lower()
        if sex not in SEX:
            result.errors.append(
                ("sex", _("“%(value)s” is not a sex; expected M, F or blank") % {"value": raw.get("sex")})
            )
        result.values["sex"] = SEX.get(sex, "unknown")
        try:
            born, note = parse_date(raw.get("birth_date"), reading)
            result.values["birth_date"] = born
            result.values["birth_date_precision"] = "year" if note == _("year only") else "exact"
            if note:
                result.notes.append(f"{FIELDS['birth_date'][0]}: {note}")
            if born is None:
                result.errors.append(("birth_date", _("the date of birth is missing")))
            elif born > timezone.localdate() or born.year < 1900:
                result.errors.append(
                    ("birth_date", _("%(date)s is not a possible date of birth") % {"date": born})
                )
        except ValueError as exc:
            result.values["birth_date"] = None
            result.errors.append(("birth_date", str(exc)))
        if result.values["a_number"] and not 7 <= sum(c.isdigit() for c in result.values["a_number"]) <= 9:
            result.errors.append(("a_number", _("an A-number has 7 to 9 digits")))
        key = (
            result.values["family_name"].lower(),
            result.values["given_name"].lower(),
            result.values["birth_date"],
        )
        if key in seen and any(key[:2]):
            result.errors.append(("family_name", _("the same person as row %(row)s") % {"row": seen[key]}))
        seen.setdefault(key, result.number)
        results.append(result)
    return results
