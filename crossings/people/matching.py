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

from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q
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


class Matches(list[Match]):
    """The possible duplicates shown, and how many more were flagged but not listed (``more``): among
    many namesakes born the same year the list stops, and the caseworker is told to narrow it."""

    more: int = 0


def person_keys(family: str, given: str, name_km: str = "", aliases: Iterable[str] = ()) -> set[str]:
    """Every key stored for a person: the romanisation keys and the one-slip keys (see names.py)."""
    return {key for key, _form in _person_keys(family, given, name_km, tuple(aliases))}


@lru_cache(maxsize=65536)  # names repeat: a rebuild of a large register computes each combination once
def _person_keys(
    family: str, given: str, name_km: str, aliases: tuple[str, ...]
) -> tuple[tuple[str, str], ...]:
    """(key, name form) of every key stored for a person, sorted."""
    return tuple(sorted(names.key_forms(family, given, name_km, aliases).items()))


def _key_rows(
    key_model: Any, person_id: int, family: str, given: str, km: str, aliases: Iterable[str]
) -> list[Any]:
    return [
        key_model(person_id=person_id, key=key, kind=key[0], form=form)
        for key, form in _person_keys(family, given, km, tuple(aliases))
    ]


def rebuild_name_keys(person: Person) -> None:
    """Store the search keys of every name form of ``person`` (called whenever a name changes)."""
    aliases = list(PersonName.objects.filter(person=person).values_list("name", flat=True))
    rows = _key_rows(PersonNameKey, person.pk, person.family_name, person.given_name, person.name_km, aliases)
    PersonNameKey.objects.filter(person=person).delete()
    PersonNameKey.objects.bulk_create(rows)


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
            row
            for pk, family, given, km in rows
            for row in _key_rows(key_model, pk, family, given, km, aliases.get(pk, ()))
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


def _born_within(year: int) -> Q:
    """Born within a year of ``year``, or with no date: common names held by hundreds of people are
    narrowed in SQL, before any limit."""
    # clamped: a birth year of 1 or 9999 (a typo, a fuzzer) has no neighbour year in the calendar
    first, last = max(year - 1, dt.MINYEAR), min(year + 1, dt.MAXYEAR)
    return Q(birth_date__isnull=True) | Q(
        birth_date__gte=dt.date(first, 1, 1), birth_date__lte=dt.date(last, 12, 31)
    )


def _with_other_names(found: list[Person]) -> list[Person]:
    """Each person gets ``other_names`` from one light query (no model per alias)."""
    others: dict[int, list[str]] = {}
    for person_id, name in PersonName.objects.filter(person_id__in=[p.pk for p in found]).values_list(
        "person_id", "name"
    ):
        others.setdefault(person_id, []).append(name)
    for person in found:
        person.other_names = others.get(person.pk, [])
    return found


def _candidates(
    visible: PersonQuerySet, keys: Iterable[str], limit: int, born: Q | None = None
) -> list[Person]:
    """People holding any of ``keys``; with ``born``, only those whose birth date passes it."""
    keys = list(keys)
    if not keys:
        return []
    ids = PersonNameKey.objects.filter(key__in=keys).values("person_id")
    people = visible.filter(pk__in=ids)
    if born is not None:
        people = people.filter(born)
    return _with_other_names(list(people.only(*RANKING_FIELDS)[:limit]))


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
        elif khmer_query and spelling and sim < ONE_SLIP_SEARCH_SCORE and names.slip(query, text):
            sim = ONE_SLIP_SEARCH_SCORE  # one Khmer slip from this Latin-only name (names.khmer_repairs)
        if sim > best[0]:
            best = (sim, label, text)
    return best


def _slip_text(query: str, text: str) -> str:
    """ "Vurhy ≈ Vuthy" when ``query`` is one slip from ``text`` (see names.slip), else ""."""
    return ", ".join(f"{x} ≈ {y}" for x, y, _kind in names.slip(query, text))


def _rule(name: str) -> str:
    """The romanisation rule names.explain() names (its _STEPS, "spacing", "Khmer script"), in the
    reader's language."""
    labels = {
        "spacing": _("spacing"),
        "Khmer script": _("Khmer script"),
        "consonant spelling": _("consonant spelling"),
        "aspirate": _("aspirate"),
        "nh/gn/ny": _("nh/gn/ny"),
        "final y": _("final y"),
        "final r/h/v": _("final r/h/v"),
        "doubled letter": _("doubled letter"),
        "vowel spelling": _("vowel spelling"),
    }
    return labels.get(name, name)


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
    spelled = names.explain(query, text, _rule)
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


NAMES_LIMIT = 2000  # names a search weighs (one row per key and name, from the index alone)
NAMES_FETCHED = 100  # names whose people are fetched, the closest first
# People fetched per name: a name is a skeleton pair, which holds several spellings (Sorn, Son, Soun), and
# the one a slip was made from must be among them; 20 fills a page with namesakes.
PER_NAME = 20
PER_SAME_NAME = 100  # …and of the query's own name in any spelling: its namesakes, the one meant among them
SPREAD_FIRST = 5  # the first results a caseworker reads…
SPREAD_MOST = 3  # …hold at most this many people of one name while another name is nearly as close
SPREAD_FLOOR = 0.9


@dataclass
class _Name:
    form: str
    people: int  # in the whole register: decides which names to fetch, and orders equally close names
    score: float  # what its keys say: 1.0 the same name, ≥ ONE_SLIP_SEARCH_SCORE one slip away
    closeness: float = 0.0  # name_similarity of its skeletons to the query (orders one-slip names)


def _names_for(text: str, exact: set[str], near: set[str]) -> list[_Name]:
    """The names holding the query's keys, closest first, then the commoner. ``exact`` keys ("p:" of the
    query) mean the same name in some spelling; ``near`` ones (consonant and one-slip keys) a name one
    slip or one vowel away, scored on its skeletons."""
    rows = (
        PersonNameKey.objects.filter(key__in=exact | near)
        .exclude(form="")
        .values_list("key", "form")
        .annotate(n=Count("person_id"))
        .order_by()[:NAMES_LIMIT]
    )
    found: dict[str, _Name] = {}
    for key, form, n in rows:
        name = found.get(form)
        if name is None:
            # a hashed form (long or not ASCII) has no skeletons to compare: its keys alone score it
            sides = form[2:].split("|") if "#" not in form else []
            closeness = names.name_similarity(text, " ".join(sides)) if sides else 0.0
            name = found[form] = _Name(form, 0, closeness, closeness)
        name.people = max(name.people, n)
        if key in exact:
            name.score = 1.0
        elif key[0] in names.SLIP_KINDS or key.startswith("p:"):  # a "p:" key of the query less a letter
            name.score = max(name.score, ONE_SLIP_SEARCH_SCORE)  # one slip by construction of the key
    return sorted(found.values(), key=lambda x: (-x.score, -x.people, x.form))


def _quota(name: _Name) -> int:
    return PER_SAME_NAME if name.score >= 1.0 else PER_NAME


def _people_of(
    visible: PersonQuerySet, chosen: list[_Name], born: Q | None, quota: int | None = None
) -> list[Person]:
    """The visible people of each chosen name, up to its quota, in one statement: one small indexed read
    per name (its "p:" key with a LIMIT, each row checked against the visibility rule as the read goes),
    joined with UNION ALL. Each read is compiled by the ORM once per quota and only the joining is
    written here, because SQLite refuses LIMIT inside the members of a compound query."""
    if not chosen:
        return []
    pool = visible.filter(born) if born is not None else visible
    sentinel = "p:\x00"  # compiled with a placeholder key: compiling costs more than running
    compiled: dict[int, tuple[str, tuple[Any, ...], int]] = {}
    parts: list[str] = []
    params: list[Any] = []
    for i, name in enumerate(chosen):
        limit = quota or _quota(name)
        if limit not in compiled:
            member = (
                PersonNameKey.objects.filter(key=sentinel)
                .filter(Exists(pool.filter(pk=OuterRef("person_id"))))
                .order_by("form", "person_id")  # the index order: no sort (a "p:" key's form is itself)
                .values_list("person_id", flat=True)[:limit]
            )
            sql, member_params = member.query.sql_with_params()
            compiled[limit] = (sql, tuple(member_params), list(member_params).index(sentinel))
        sql, member_params, at = compiled[limit]
        parts.append(f"SELECT person_id FROM ({sql}) AS name_{i}")  # noqa: S608 (the ORM's own SQL)
        params.extend((*member_params[:at], name.form, *member_params[at + 1 :]))
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        ids = {row[0] for row in cursor.fetchall()}
    return _with_other_names(list(Person.objects.filter(pk__in=ids).only(*RANKING_FIELDS)))


def _spread(
    rows: list[Any], group: Callable[[Any], Any], score: Callable[[Any], float], most: int = SPREAD_MOST
) -> list[Any]:
    """The same order, except in the first SPREAD_FIRST places: there the closest name keeps at most
    SPREAD_MOST people and every other name one, while a person of a name not yet shown scores
    SPREAD_FLOOR or more. A slip that lands on a common real name (Sen Sophea for Seng Sophea) must not
    fill the first screen with that name's namesakes and hide the name one letter away."""
    if not rows:
        return rows
    out: list[Any] = []
    rest = list(rows)
    first = group(rows[0])
    seen: Counter[Any] = Counter()
    while rest and len(out) < SPREAD_FIRST:
        pick = 0
        for i, row in enumerate(rest):
            if seen[group(row)] < (most if group(row) == first else 1):
                pick = i
                break
        row = rest.pop(pick)  # none allowed: the best left
        if score(row) < SPREAD_FLOOR and seen[group(row)] == 0 and out:
            # a far name does not earn a place above a close one: order by score from here on
            rest.insert(pick, row)
            break
        seen[group(row)] += 1
        out.append(row)
    return out + rest


def _group_of(form: str) -> tuple[str, ...]:
    """One name, in any spelling and order: the skeletons of the words of the form that matched."""
    return tuple(sorted(names.skeleton(t) for t in names.tokens(form)))


def search(visible: PersonQuerySet, text: str, *, limit: int = 20) -> list[Match]:
    """Ranked matches for a free-text query: names in Latin or Khmer script, in any order, or an A-number.
    A year in the query ("Chhun Vuthy 1981") keeps people born within a year of it.

    Candidates come in two steps: first the *names* holding the query's keys (from the index alone, with
    how many people hold each), then a few people of each of the closest names. So a one-slip
    query finds the rarer name it was meant for even when the slip spells a common one."""
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
    exact = {k for k in keys if k.startswith("p:")}
    near = {k for k in keys if k.startswith("c:")} | (names.slip_query_keys(text) - keys)
    found = _names_for(text, exact, near)
    chosen: list[_Name] = []
    budget = CANDIDATE_LIMIT
    for name in found:
        if budget <= 0 or len(chosen) == NAMES_FETCHED:
            break
        chosen.append(name)
        budget -= min(name.people, _quota(name))
    born = _born_within(born_near) if born_near is not None else None
    seen = {p.pk: p for p in _people_of(visible, chosen, born)}
    if len(seen) < limit:  # nothing close: people known by one of the words alone
        singles = [k for k in keys if k.startswith("s:")]
        for person in _candidates(visible, singles, CANDIDATE_LIMIT, born):
            seen.setdefault(person.pk, person)
    # Rank every candidate cheaply; explain only the ones that will be shown. Among equally similar
    # candidates the name held by more people comes first: a slip is likelier to be of a common name.
    common = {n.form: n.people for n in found}
    scored = []
    for pk, person in seen.items():
        if pk in matches:
            continue
        sim, label, form = _best_form(text, person, spelling=True)
        if sim >= 0.5:
            # ties: the exact spelling, then the closest spelling (Keo Adny: Keo Dany before Kaev Dani),
            # then the name more people hold (a slip is likelier of a common name)
            closeness = (_spelled_exactly(text, form), names.spelling_similarity(text, form))
            held = common.get(names.form_key(*_name_of(person)), 0)
            scored.append((sim, closeness, held, person, label, form))
    scored.sort(key=lambda r: (-r[0], not r[1][0], -r[1][1], -r[2], r[3].display_name))
    typed_right = bool(scored) and scored[0][1][0] and not names.has_khmer(text)
    scored = _spread(
        scored, group=lambda r: _group_of(r[5]), score=lambda r: r[0], most=SPREAD_MOST + typed_right
    )
    for sim, _closeness, _common, person, label, form in scored[: max(0, limit - len(matches))]:
        reasons = [_reason_for(label, text, form, sim)]
        if born_near and person.birth_date:
            reasons.append(_("born %(year)s") % {"year": person.birth_date.year})
        matches[person.pk] = Match(person, sim, reasons)
    ranked = list(matches.values())  # A-number matches first, then the order above
    return ranked[:limit]


def _duplicate_name_score(
    query_names: list[str],
    person: Person,
    family_name: str = "",
    held: frozenset[str] = frozenset(),
    registered: Callable[[str], bool] = lambda _skeleton: False,
) -> tuple[float, list[str], bool]:
    """(name score, reasons, whether only the same full date of birth makes it a duplicate) of the
    closest pair of an entered name and a name form of ``person``.

    One slip apart (Phqlla for Phalla) counts as the same name, just above NAME_THRESHOLD, with the
    exceptions written at the slip below (docs/matching.md, "The duplicate check"). ``held``: the names
    the candidates are registered under, as skeletons; ``registered``: whether someone the reader can
    see is called a skeleton (asked only for words typed in Khmer)."""
    family = set(names.tokens(family_name))
    best: tuple[float, list[str], bool] = (0.0, [], False)
    for query in query_names:
        sim, label, text = _best_form(query, person)
        if not label:
            continue
        slipped = names.slip(query, text)
        if slipped:
            # A given name one slip from the registered one that changes its ending the way names differ
            # (Sopheap for Sophea) is another person. One that spells a name someone else holds could be
            # either (Samnag is a spelling of Samnang, and a name of its own), so it takes the same full
            # date of birth as well. So does a slip of a family name onto another (Sieng for Seng):
            # family names are a small closed set, so one slip often spells another.
            word = slipped[0][0]
            in_family = bool(family) and set(names.tokens(word)) <= family
            skel = names.skeleton(word)
            if names.has_khmer(word):
                # typed in Khmer, any syllable ends like a name, so the ending alone proves nothing: a
                # changed last vowel (ដារ for ដារា) is another name only when someone the reader can see
                # is called that (សុភាព for សុភា: Sopheap is registered)
                ending = (skel in held or registered(skel)) and names.slip_is_another_name(query, text)
            else:
                ending = names.slip_is_another_name(query, text)
            if ending and not in_family:
                continue
            needs_date = ending or skel in held
            sim = SLIP_NAME_SCORE + 0.05 * sim  # above the threshold; the closer form first
            reason = _("one letter apart from %(name)s (%(slip)s)") % {
                "name": text if label != "name" else person.display_name,
                "slip": _slip_text(query, text),
            }
        else:
            reason = _reason_for(label, query, text, sim)
            needs_date = False
        if sim > best[0]:
            best = (sim, [reason], needs_date)
    return best


# The duplicate check fetches the names one slip away like search, but only people whose recorded birth
# date could agree (_could_agree) and more of each: at 1,000,000 people the one whose date agrees must be
# among them. 8 names: each is one more member of the UNION, and PostgreSQL plans the visibility rule
# once per member (~3 ms); more names found no more duplicates (bench/people.py at 1,000,000: 0.908 with
# 8, 10 or 20 names).
DUPLICATE_NAMES = 8
DUPLICATE_PER_NAME = 60
NAME_WEIGHT, DATE_WEIGHT = 0.65, 0.35  # a duplicate's score: name and date of birth together
YEAR_ONLY_AGREES = 0.8  # the same year, one of the dates being year-only: a duplicate still (0.93 overall)


def _year_only(date: dt.date, precision: str) -> bool:
    return precision in ("year", "estimated") or (date.month, date.day) == (1, 1)


def birth_date_score(a: dt.date | None, pa: str, b: dt.date | None, pb: str) -> tuple[float, str]:
    """How well two birth dates agree, honouring their precision. 1 January counts as year-only: many
    refugees were assigned 1 January of an estimated year."""
    if a is None or b is None:
        return 0.5, ""
    if _year_only(a, pa) or _year_only(b, pb):
        if a.year == b.year:
            # less than the same full date: among namesakes born that year, the one whose recorded date
            # agrees to the day is the likelier duplicate
            return YEAR_ONLY_AGREES, _("born the same year (%(year)s)") % {"year": a.year}
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


def _could_agree(date: dt.date | None, precision: str) -> Q | None:
    """In SQL, the recorded birth dates that could make a duplicate with ``date`` (birth_date_score above
    0, since a name alone scores at most 0.65 of the 0.75 needed): no date; the same date, or with day
    and month swapped; the same year where either side is year-only (or 1 January); a year either side
    where either is estimated; the same month where either is month-only. So the few people fetched of
    each name are ones whose date could agree, not namesakes born on other days of those three years."""
    if date is None:
        return None  # every recorded date scores 0.5 against none

    def in_year(y: int) -> Q:
        return Q(birth_date__year=y)  # a range on the column in SQL, not a function of it

    year_only = Q(birth_date_precision__in=["year", "estimated"]) | Q(birth_date__month=1, birth_date__day=1)
    years = [y for y in (date.year - 1, date.year + 1) if dt.MINYEAR <= y <= dt.MAXYEAR]
    if _year_only(date, precision):
        q = in_year(date.year)
        if precision == "estimated":
            for y in years:
                q |= in_year(y)
        else:
            for y in years:
                q |= in_year(y) & Q(birth_date_precision="estimated")
        return Q(birth_date__isnull=True) | q
    q = Q(birth_date__isnull=True) | Q(birth_date=date) | (in_year(date.year) & year_only)
    for y in years:
        q |= in_year(y) & Q(birth_date_precision="estimated")
    if date.day <= 12:
        q |= Q(birth_date=dt.date(date.year, date.day, date.month))
    if precision == "month":
        q |= Q(birth_date__year=date.year, birth_date__month=date.month)
    else:
        q |= Q(birth_date_precision="month", birth_date__year=date.year, birth_date__month=date.month)
    return q


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
) -> Matches:
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
    born = _could_agree(birth_date, birth_date_precision)
    # The same name first, then names one slip or one vowel away the way search fetches them: some people
    # of each name, so that the holders of a common name one slip from the entry cannot crowd out the
    # rarer name it was meant for; in both, only people whose date could agree.
    candidates = _candidates(visible, strong or weak, CANDIDATE_LIMIT, born)
    fetched = {p.pk for p in candidates}
    near = set(slips) | {k for k in strong if k.startswith("c:")}
    same = {k for k in strong or weak if k.startswith("p:")}
    entered = query_names[0] if query_names else ""
    # among names equally close by their keys, the spelling nearest the entry first (not the commonest,
    # as search does): the entry is one person, re-typed
    near_names = [n for n in _names_for(entered, set(), near) if n.form not in same]
    near_names.sort(key=lambda n: (-n.score, -n.closeness, -n.people))
    chosen = near_names[:DUPLICATE_NAMES]
    candidates += [p for p in _people_of(visible, chosen, born, DUPLICATE_PER_NAME) if p.pk not in fetched]
    # The names the candidates are registered under, as skeletons: an entered word among them is a name.
    # Khmer names are written family name first: a Khmer-only entry's first word is its family name
    family = family_name or " ".join(names.tokens(name_km)[:1])
    known: dict[str, bool] = {}

    def registered(skel: str) -> bool:
        """Someone the reader can see is called ``skel`` (one indexed read per word asked, at most)."""
        if skel not in known:
            ids = PersonNameKey.objects.filter(key=names.single_key(skel)).values("person_id")
            known[skel] = visible.filter(pk__in=ids).exists()
        return known[skel]

    held = frozenset(
        names.skeleton(n) for p in candidates if p.pk != exclude_pk for n in (p.family_name, p.given_name)
    )
    for person in candidates:
        if person.pk == exclude_pk or person.pk in found:
            continue
        dob_score, dob_reason = birth_date_score(
            birth_date, birth_date_precision, person.birth_date, person.birth_date_precision
        )
        if NAME_WEIGHT + DATE_WEIGHT * dob_score < DUPLICATE_THRESHOLD:
            continue  # even the same name would not make a duplicate with this date: skip the name work
        name_score, reasons, needs_date = _duplicate_name_score(query_names, person, family, held, registered)
        if name_score < NAME_THRESHOLD:
            continue
        if needs_date and dob_score < 1.0:
            continue
        score = NAME_WEIGHT * name_score + DATE_WEIGHT * dob_score
        if dob_reason:
            reasons.append(dob_reason)
        if sex not in ("unknown", "") and person.sex not in ("unknown", "") and sex != person.sex:
            score -= 0.2
            reasons.append(_("but recorded with another sex"))
        if score >= DUPLICATE_THRESHOLD:
            found[person.pk] = Match(person, round(score, 3), reasons)
    # equal scores: the spelling closest to the one entered first (Sokh Sreymum before Sok Srei Mom)
    ranked = sorted(
        found.values(),
        key=lambda m: (-m.score, -names.spelling_similarity(entered, m.person.display_name)),
    )
    shown = Matches(ranked[:limit])
    shown.more = max(0, len(ranked) - limit)
    return shown


def duplicates_for(visible: PersonQuerySet, data: dict[str, Any], exclude_pk: int | None = None) -> Matches:
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
