"""Finding people by name, and warning before a duplicate is created.

Candidates come from indexed name keys (crossings.people.names: exact romanisation skeletons, then
consonant skeletons for typos, then one side of the name), so a query touches a few hundred rows at most
whatever the size of the register; candidates are then ranked in Python with rapidfuzz and explained.
Only records the user may see are ever searched: a duplicate held by another organisation is not revealed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from crossings.people import names
from crossings.people.models import Person, PersonName, PersonNameKey, PersonQuerySet

CANDIDATE_LIMIT = 300
DUPLICATE_THRESHOLD = 0.75
NAME_THRESHOLD = 0.9
ONE_SLIP_SEARCH_SCORE = 0.95  # search: one keystroke from a stored spelling
SLIP_NAME_SCORE = 0.92  # a one-slip re-entry: the same name, with a reason saying so


# A search box holds a name or an A-number: anything longer is cut before any work is done.
MAX_QUERY = 200


@dataclass
class Match:
    person: Person
    score: float
    reasons: list[str] = field(default_factory=list)


def person_keys(family: str, given: str, name_km: str = "", aliases: Iterable[str] = ()) -> set[str]:
    """Every key stored for a person: the romanisation keys and the one-slip keys (see names.py)."""
    return set(_person_keys(family, given, name_km, tuple(aliases)))


@lru_cache(maxsize=65536)  # names repeat: a rebuild of a large register computes each combination once
def _person_keys(family: str, given: str, name_km: str, aliases: tuple[str, ...]) -> frozenset[str]:
    keys = names.index_keys(family, given, name_km, aliases)
    return frozenset(keys | names.slip_keys(family, given, name_km, aliases))


def rebuild_name_keys(person: Person) -> None:
    """Store the search keys of every name form of ``person`` (called whenever a name changes)."""
    aliases = list(PersonName.objects.filter(person=person).values_list("name", flat=True))
    keys = person_keys(person.family_name, person.given_name, person.name_km, aliases)
    PersonNameKey.objects.filter(person=person).delete()
    PersonNameKey.objects.bulk_create([PersonNameKey(person=person, key=k, kind=k[0]) for k in sorted(keys)])


def rebuild_all_name_keys(
    *,
    person_model: Any = Person,
    name_model: Any = PersonName,
    key_model: Any = PersonNameKey,
    batch: int = 2000,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[int, int]:
    """Recompute the stored keys of every person, ``batch`` people per transaction; (people, key rows).

    Idempotent: each batch replaces its people's keys, so running it again (or after an interruption)
    gives the same rows. The model arguments let a migration pass its historical models."""
    total = person_model.objects.count()
    done = rows_written = 0
    last = 0
    while True:
        rows = list(
            person_model.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "family_name", "given_name", "name_km")[:batch]
        )
        if not rows:
            break
        last = rows[-1][0]
        ids = [r[0] for r in rows]
        aliases: dict[int, list[str]] = {}
        for pk, name in name_model.objects.filter(person_id__in=ids).values_list("person_id", "name"):
            aliases.setdefault(pk, []).append(name)
        new = [
            key_model(person_id=pk, key=k, kind=k[0])
            for pk, family, given, km in rows
            for k in sorted(person_keys(family, given, km, aliases.get(pk, ())))
        ]
        with transaction.atomic():
            key_model.objects.filter(person_id__in=ids).delete()
            key_model.objects.bulk_create(new, batch_size=5000)
        done += len(rows)
        rows_written += len(new)
        if progress is not None:
            progress(done, total)
    return done, rows_written


# Only what ranking needs: loading the encrypted fields would decrypt them for every candidate.
RANKING_FIELDS = (
    "id",
    "organisation_id",
    "given_name",
    "family_name",
    "name_km",
    "sex",
    "birth_date",
    "birth_date_precision",
)


def _candidates(
    visible: PersonQuerySet, keys: Iterable[str], limit: int, born_near: int | None = None
) -> list[Person]:
    """People holding any of ``keys``; with ``born_near`` only those born within a year of it (or with no
    date), so that common names held by hundreds of people are narrowed in SQL, before the limit. Each
    person gets ``other_names`` from one light query (no model per alias)."""
    keys = list(keys)
    if not keys:
        return []
    ids = PersonNameKey.objects.filter(key__in=keys).values("person_id")
    people = visible.filter(pk__in=ids)
    if born_near is not None:
        # clamped: a birth year of 1 or 9999 (a typo, a fuzzer) has no neighbour year in the calendar
        first, last = max(born_near - 1, dt.MINYEAR), min(born_near + 1, dt.MAXYEAR)
        people = people.filter(
            Q(birth_date__isnull=True)
            | Q(birth_date__gte=dt.date(first, 1, 1), birth_date__lte=dt.date(last, 12, 31))
        )
    found = list(people.only(*RANKING_FIELDS)[:limit])
    others: dict[int, list[str]] = {}
    for person_id, name in PersonName.objects.filter(person_id__in=[p.pk for p in found]).values_list(
        "person_id", "name"
    ):
        others.setdefault(person_id, []).append(name)
    for person in found:
        person.other_names = others.get(person.pk, [])
    return found


def _name_of(person: Person) -> tuple[str, ...]:
    return tuple(sorted((names.skeleton(person.family_name), names.skeleton(person.given_name))))


YEAR = re.compile(r"\b(19[0-9]{2}|20[0-9]{2})\b")


def _forms(person: Person) -> list[tuple[str, str]]:
    """(label, full name) pairs to compare a query against."""
    forms = [("name", f"{person.family_name} {person.given_name}".strip())]
    if person.name_km:
        forms.append(("khmer", person.name_km))
    aliases = getattr(person, "other_names", None)
    if aliases is None:
        aliases = [a.name for a in person.aliases.all()]
    forms += [("alias", name) for name in aliases]
    return [(label, text) for label, text in forms if text]


def _best_form(query: str, person: Person, *, spelling: bool = False) -> tuple[float, str, str]:
    """(similarity, label, text) of the person's name form closest to ``query``. A query in Khmer script is
    also compared letter by letter with the Khmer name, so that a slipped vowel sign or subscript (which
    can change the whole reading) costs one letter, not a syllable."""
    best: tuple[float, str, str] = (0.0, "", "")
    khmer_query = names.has_khmer(query)
    for label, text in _forms(person):
        sim = names.name_similarity(query, text)
        if spelling and sim < 1.0:
            # search only: a slip of the spelling as stored is closer than its skeleton says; one keystroke
            # from this very spelling ranks just below the same name in any spelling
            sim = max(sim, names.spelling_similarity(query, text))
            if sim < ONE_SLIP_SEARCH_SCORE and names.spelling_slips(query, text) == 1:
                sim = ONE_SLIP_SEARCH_SCORE
        if khmer_query and label == "khmer":
            sim = max(sim, names.khmer_similarity(query, text))
            if spelling and sim < ONE_SLIP_SEARCH_SCORE and names.khmer_slips(query, text) == 1:
                sim = ONE_SLIP_SEARCH_SCORE
        if sim > best[0]:
            best = (sim, label, text)
    return best


def _slip_text(query: str, text: str) -> str:
    """ "Vurhy ≈ Vuthy" when ``query`` is one slip from ``text`` (see names.slip), else ""."""
    return ", ".join(f"{x} ≈ {y}" for x, y, _kind in names.slip(query, text))


def _reason_for(label: str, query: str, text: str, sim: float) -> str:
    slipped = _slip_text(query, text)
    if label == "khmer":
        if slipped:
            return _("Khmer name %(name)s, one letter apart: %(slip)s") % {"name": text, "slip": slipped}
        return _("Khmer name %(name)s matches") % {"name": text}
    if label == "alias":
        if slipped:
            return _("other name %(name)s, one letter apart: %(slip)s") % {"name": text, "slip": slipped}
        return _("other name %(name)s matches") % {"name": text}
    spelled = names.explain(query, text)
    if slipped:
        if spelled:
            return _("one letter apart: %(slip)s; spelled differently: %(how)s") % {
                "slip": slipped,
                "how": spelled,
            }
        return _("one letter apart: %(slip)s") % {"slip": slipped}
    if sim >= 0.999 and not spelled:
        return _("same name")
    if spelled:
        return _("same name, spelled differently: %(how)s") % {"how": spelled}
    return _("similar name (%(percent)d%%)") % {"percent": round(sim * 100)}


def _spelled_exactly(query: str, text: str) -> bool:
    """The query uses this very spelling (any order, case, spacing): ranks above other spellings."""
    return sorted(names.tokens(query)) == sorted(names.tokens(text)) or "".join(
        names.tokens(query)
    ) == "".join(names.tokens(text))


def search(visible: PersonQuerySet, text: str, *, limit: int = 20) -> list[Match]:
    """Ranked matches for a free-text query: names in Latin or Khmer script, in any order, or an A-number.
    A year in the query ("Chhun Vuthy 1981") keeps people born within a year of it."""
    text = text.strip()[:MAX_QUERY]
    if not text:
        return []
    matches: dict[int, Match] = {}
    if sum(ch.isdigit() for ch in text) >= 7:
        for person in visible.with_a_number(text)[:limit]:
            matches[person.pk] = Match(person, 1.0, [_("same A-number")])
    year_match = YEAR.search(text)
    born_near = int(year_match.group(1)) if year_match else None
    if year_match:
        text = YEAR.sub(" ", text).strip()
    keys = names.query_keys(text)
    slips = names.slip_query_keys(text) - keys
    groups = [
        [[k for k in keys if k.startswith("p:")]],
        # consonant keys and one-slip keys: both "nearly the same name"; one statement each, so that the
        # many vowel neighbours of a common name do not crowd the slips out of the candidate limit
        [[k for k in keys if k.startswith("c:")], sorted(slips)],
        [[k for k in keys if k.startswith("s:")]],
    ]
    seen: dict[int, Person] = {}
    for group in groups:
        for stage in group:
            for person in _candidates(visible, stage, CANDIDATE_LIMIT, born_near):
                seen.setdefault(person.pk, person)
        if len(seen) >= limit:
            break
    # Rank every candidate cheaply; explain only the ones that will be shown. Among equally similar
    # candidates the name held by more of them comes first: a slip is likelier to be of a common name.
    common = Counter(_name_of(p) for p in seen.values())
    scored = []
    for pk, person in seen.items():
        if pk in matches:
            continue
        sim, label, form = _best_form(text, person, spelling=True)
        if sim >= 0.5:
            # ties: the exact spelling, then the closest spelling (Keo Adny: Keo Dany before Kaev Dani),
            # then the commoner name
            closeness = (_spelled_exactly(text, form), names.spelling_similarity(text, form))
            scored.append((sim, closeness, common[_name_of(person)], person, label, form))
    scored.sort(key=lambda r: (-r[0], not r[1][0], -r[1][1], -r[2], r[3].display_name))
    for sim, _closeness, _common, person, label, form in scored[: max(0, limit - len(matches))]:
        reasons = [_reason_for(label, text, form, sim)]
        if born_near and person.birth_date:
            reasons.append(_("born %(year)s") % {"year": person.birth_date.year})
        matches[person.pk] = Match(person, sim, reasons)
    ranked = sorted(matches.values(), key=lambda m: -m.score)  # stable: keeps the order above among equals
    return ranked[:limit]


def _duplicate_name_score(
    query_names: list[str], person: Person, family_name: str = "", held: frozenset[str] = frozenset()
) -> tuple[float, list[str]]:
    """(name score, reasons) of the closest pair of an entered name and a name form of ``person``.

    One slip apart (Phqlla for Phalla) counts as the same name, just above NAME_THRESHOLD, unless the
    slip is in a given name and looks like another real name (Sopheap for Sophea, Rithy for Rith:
    names.slip_is_another_name), which counts as a different name whatever its similarity. Family names
    are a small closed set: a slip at the end of one (Cha for Chea) is taken for a slip. And a "slip" that
    is itself the name of another candidate (``held``: Sek Sophea entered, Sok Sophea and Sek Sopheap
    registered) is two real names, not a slip."""
    family = set(names.tokens(family_name))
    best: tuple[float, list[str]] = (0.0, [])
    for query in query_names:
        sim, label, text = _best_form(query, person)
        if not label:
            continue
        slipped = names.slip(query, text)
        if slipped:
            if names.skeleton(slipped[0][0]) in held:
                continue
            in_family = bool(family) and set(names.tokens(slipped[0][0])) <= family
            if not in_family and names.slip_is_another_name(query, text):
                continue
            sim = SLIP_NAME_SCORE + 0.05 * sim  # above the threshold; the closer form first
            reason = _("one letter apart from %(name)s (%(slip)s)") % {
                "name": text if label != "name" else person.display_name,
                "slip": _slip_text(query, text),
            }
        else:
            reason = _reason_for(label, query, text, sim)
        if sim > best[0]:
            best = (sim, [reason])
    return best


def _year_only(date: dt.date, precision: str) -> bool:
    return precision in ("year", "estimated") or (date.month, date.day) == (1, 1)


def birth_date_score(a: dt.date | None, pa: str, b: dt.date | None, pb: str) -> tuple[float, str]:
    """How well two birth dates agree, honouring their precision. 1 January counts as year-only: many
    refugees were assigned 1 January of an estimated year."""
    if a is None or b is None:
        return 0.5, ""
    if _year_only(a, pa) or _year_only(b, pb):
        if a.year == b.year:
            return 1.0, _("born the same year (%(year)s)") % {"year": a.year}
        if abs(a.year - b.year) == 1 and "estimated" in (pa, pb):
            return 0.6, _("born within a year (estimated date)")
        return 0.0, ""
    if pa == "month" or pb == "month":
        return (1.0, _("born the same month")) if (a.year, a.month) == (b.year, b.month) else (0.0, "")
    if a == b:
        return 1.0, _("same date of birth")
    if (a.year, a.month, a.day) == (b.year, b.day, b.month):
        return 0.7, _("date of birth with day and month swapped")
    return 0.0, ""


def possible_duplicates(
    visible: PersonQuerySet,
    *,
    family_name: str = "",
    given_name: str = "",
    name_km: str = "",
    aliases: Iterable[str] = (),
    birth_date: dt.date | None = None,
    birth_date_precision: str = "exact",
    sex: str = "unknown",
    a_number: str | None = None,
    exclude_pk: int | None = None,
    limit: int = 5,
) -> list[Match]:
    """Records the user can see that are probably the same person as the one being entered."""
    found: dict[int, Match] = {}
    if a_number:
        for person in visible.with_a_number(a_number)[:limit]:
            found[person.pk] = Match(person, 1.0, [_("same A-number")])
    aliases = list(aliases)
    keys = names.index_keys(family_name, given_name, name_km, aliases)
    strong = [k for k in keys if k.startswith(("p:", "c:")) and "|" in k]
    weak = [k for k in keys if k.startswith("p:") and "|" not in k]
    slips = sorted(names.slip_record_keys(family_name, given_name, name_km, aliases) - keys)
    query_names = [n for n in (f"{family_name} {given_name}".strip(), name_km, *aliases) if n]
    born_near = birth_date.year if birth_date else None
    candidates = _candidates(visible, (strong or weak) + slips, CANDIDATE_LIMIT, born_near)
    # The names the candidates are registered under, as skeletons: an entered word among them is a name.
    held = frozenset(
        names.skeleton(n) for p in candidates if p.pk != exclude_pk for n in (p.family_name, p.given_name)
    )
    for person in candidates:
        if person.pk == exclude_pk or person.pk in found:
            continue
        name_score, reasons = _duplicate_name_score(query_names, person, family_name, held)
        if name_score < NAME_THRESHOLD:
            continue
        dob_score, dob_reason = birth_date_score(
            birth_date, birth_date_precision, person.birth_date, person.birth_date_precision
        )
        score = 0.65 * name_score + 0.35 * dob_score
        if dob_reason:
            reasons.append(dob_reason)
        if sex not in ("unknown", "") and person.sex not in ("unknown", "") and sex != person.sex:
            score -= 0.2
            reasons.append(_("but recorded with another sex"))
        if score >= DUPLICATE_THRESHOLD:
            found[person.pk] = Match(person, round(score, 3), reasons)
    return sorted(found.values(), key=lambda m: -m.score)[:limit]


def duplicates_for(
    visible: PersonQuerySet, data: dict[str, Any], exclude_pk: int | None = None
) -> list[Match]:
    return possible_duplicates(
        visible,
        family_name=data.get("family_name") or "",
        given_name=data.get("given_name") or "",
        name_km=data.get("name_km") or "",
        # Only as many other names as a record may hold are compared: the check runs before the input is
        # refused, and must not cost more than a real record would.
        aliases=list(data.get("aliases") or ())[: PersonName.MAX_PER_PERSON],
        birth_date=data.get("birth_date"),
        birth_date_precision=data.get("birth_date_precision") or "exact",
        sex=data.get("sex") or "unknown",
        a_number=data.get("a_number") or None,
        exclude_pk=exclude_pk,
    )
