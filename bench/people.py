"""Benchmark: person search and the duplicate check on a large synthetic register.

Not a test: it measures and prints, and never asserts a time. It

1. builds N synthetic people (default 1,000,000) with realistic Cambodian names (bench/khmer_names.py):
   spellings as people write them, ~30% with the name in Khmer script, ~10% with one other name, ~30%
   born "1 January" of a year-only or estimated date, 5% with an A-number; name keys come from
   ``crossings.people.names.index_keys`` as the application stores them;
2. measures, as a caseworker of the organisation holding them all,
   - ``matching.search`` on noisy queries drawn from existing people (romanisation variants, swapped
     order, joined/split given names, Khmer script, case, typos): latency and recall@5 per kind of noise,
     plus extra queries with the birth year typed after the name;
   - ``matching.possible_duplicates`` with an existing person re-entered with a noisy name and birth date
     (is the true person flagged?), and with near-miss names (Sophea for Sopheap: false positives);
   - where the time goes (SQL / Python, candidate counts), peak memory and database size.

    CROSSINGS_MODE=test .venv/bin/python bench/people.py --n 1000000             # SQLite, var/
    CROSSINGS_MODE=test .venv/bin/python bench/people.py --n 1000000 --db postgres
    CROSSINGS_MODE=test .venv/bin/python bench/people.py --n 1000000 --reuse     # keep the built data

SQLite goes to var/bench-people.sqlite3, PostgreSQL to the database crossings_bench (created if missing);
without ``--db`` a DATABASE_URL in the environment is honoured. Without ``--reuse`` the benchmark database
is emptied and rebuilt; with it, a shorter one is completed (each batch has its own seed, so the data is the
same), and if names.py changed since, the name keys are recomputed. Results: a Markdown table on stdout,
the diagnosis (slowest calls, why a true person was missed, profiles, query plans) and JSON in
bench/results/. The figures and their reading are in docs/performance.md.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import hashlib
import io
import json
import multiprocessing
import os
import platform
import pstats
import random
import re
import resource
import shlex
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import django

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

SQLITE_FILE = PROJECT_DIR / "var" / "bench-people.sqlite3"
PG_URL = "postgres://crossings:crossings@127.0.0.1:5432/crossings_bench"
# The only PostgreSQL database this script ever drops and recreates is the one named by --pg-name.
RESULTS_DIR = PROJECT_DIR / "bench" / "results"
ORG_NAME = "Benchmark organisation (bench/people.py)"
USERNAME = "bench-caseworker"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="number of people (default 1,000,000)")
    parser.add_argument("--reuse", action="store_true", help="skip building when the database holds N people")
    parser.add_argument(
        "--db", choices=["sqlite", "postgres"], help="benchmark database (default: DATABASE_URL, else sqlite)"
    )
    parser.add_argument("--searches", type=int, default=500, help="search queries to time")
    parser.add_argument(
        "--year-searches",
        type=int,
        default=100,
        help="extra queries with the birth year typed after the name",
    )
    parser.add_argument("--duplicates", type=int, default=500, help="duplicate checks of existing people")
    parser.add_argument("--near-misses", type=int, default=200, help="duplicate checks of near-miss names")
    parser.add_argument("--batch", type=int, default=5000, help="people per insert transaction")
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--no-analyze", action="store_true", help="do not ANALYZE after building")
    parser.add_argument(
        "--pg-name",
        default="crossings_bench",
        help="the benchmark's own PostgreSQL database (dropped and recreated; default crossings_bench)",
    )
    return parser.parse_args(argv)


def choose_database(args: argparse.Namespace) -> tuple[str, bool]:
    """(DATABASE_URL to use, whether it is one of this benchmark's own databases)."""
    if args.db == "postgres":
        return PG_URL.rsplit("/", 1)[0] + "/" + args.pg_name, True
    if args.db == "sqlite" or not os.environ.get("DATABASE_URL"):
        return f"sqlite:///{SQLITE_FILE}", True
    return os.environ["DATABASE_URL"], False


from bench.owndb import prepare_own_database  # noqa: E402

# --- Django set-up (before any model import) -------------------------------------------------------------
ARGS = parse_args()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crossings.settings")
os.environ.setdefault("CROSSINGS_MODE", "test")
USER_DATABASE_URL = os.environ.get("DATABASE_URL", "")
DATABASE_URL, OWN_DATABASE = choose_database(ARGS)
os.environ["DATABASE_URL"] = DATABASE_URL
if OWN_DATABASE:
    prepare_own_database(DATABASE_URL, sqlite_file=SQLITE_FILE, own_name=ARGS.pg_name, fresh=not ARGS.reuse)
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import DatabaseError, connection, connections, transaction  # noqa: E402
from django.db.models import Count, Q, QuerySet  # noqa: E402

from bench.khmer_names import AMERICAN_GIVEN, FAMILY, GIVEN, NEAR_MISSES, Name, normalise  # noqa: E402
from crossings.accounts.models import Membership, Organisation, User  # noqa: E402
from crossings.accounts.roles import OrgKind, Role  # noqa: E402
from crossings.people import matching, names  # noqa: E402
from crossings.people.models import Person, PersonName, PersonNameKey  # noqa: E402

# The code measured changes while the project moves: say which version of it was measured.
CODE_VERSIONS = {
    Path(m.__file__).name: hashlib.sha256(Path(m.__file__).read_bytes()).hexdigest()[:12]
    for m in (names, matching)
    if m.__file__
}

# --- Synthetic people ---------------------------------------------------------------------------------------
P_KHMER = 0.36  # of the people whose names all have a Khmer spelling (~83%): ~30% overall
P_ALIAS = 0.10
P_A_NUMBER = 0.05
P_AMERICAN_GIVEN = 0.05
P_FAMILY_VARIANT = (
    0.25  # stored under a variant spelling (as on their US documents) rather than the usual one
)
P_GIVEN_VARIANT = 0.25
AMERICAN = tuple(Name(latin=n, khmer="", variants=()) for n in AMERICAN_GIVEN)
ALL_GIVEN = GIVEN + AMERICAN


def _cumulative(weights: Sequence[float]) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


FAMILY_CUM = _cumulative([n.weight for n in FAMILY])
GIVEN_CUM = _cumulative([n.weight for n in GIVEN])
FAMILY_BY_SPELLING = {normalise(s): i for i, n in enumerate(FAMILY) for s in n.spellings}
GIVEN_BY_SPELLING = {normalise(s): i for i, n in enumerate(ALL_GIVEN) for s in n.spellings}


@dataclass
class Spec:
    family: str
    given: str
    name_km: str
    sex: str
    birth_date: dt.date
    precision: str
    alias: str
    a_number: str


def spelling(name: Name, rng: random.Random, p_variant: float) -> str:
    if name.variants and rng.random() < p_variant:
        return rng.choice(name.variants)
    return name.latin


def make_person(rng: random.Random) -> Spec:
    fam = rng.choices(FAMILY, cum_weights=FAMILY_CUM)[0]
    if rng.random() < P_AMERICAN_GIVEN:
        giv = rng.choice(AMERICAN)
    else:
        giv = rng.choices(GIVEN, cum_weights=GIVEN_CUM)[0]
    family, given = spelling(fam, rng, P_FAMILY_VARIANT), spelling(giv, rng, P_GIVEN_VARIANT)
    sex = giv.sex if giv.sex != "unknown" else rng.choice(("male", "female"))
    if rng.random() < 0.05:
        sex = "unknown"
    name_km = f"{fam.khmer} {giv.khmer}" if fam.khmer and giv.khmer and rng.random() < P_KHMER else ""
    year = rng.randint(1960, 2000)
    r = rng.random()
    if r < 0.30:
        birth, precision = dt.date(year, 1, 1), ("year" if r < 0.20 else "estimated")
    else:
        birth, precision = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365)), "exact"
    alias = ""
    if rng.random() < P_ALIAS:
        kind = rng.random()
        if kind < 0.5:  # another spelling, as on a deportation manifest
            alias = f"{spelling(fam, rng, 0.7)} {spelling(giv, rng, 0.7)}"
        elif kind < 0.8:  # given name first, as on a US document
            alias = f"{giv.latin} {fam.latin}"
        else:  # an American first name
            alias = f"{rng.choice(AMERICAN).latin} {family}"
    a_number = f"A{rng.randrange(10_000_000, 999_999_999):09d}" if rng.random() < P_A_NUMBER else ""
    return Spec(family, given, name_km, sex, birth, precision, alias, a_number)


@lru_cache(maxsize=300_000)
def keys_for(family: str, given: str, name_km: str, alias: str) -> tuple[str, ...]:
    """The romanisation keys (p, c, s) for one name combination (many people share one: computed once).
    The build stores only these, as before issue 14; the one-slip keys (d, k) are then added by the
    application's own rebuild (``crossings people rebuild-keys``), so that the database size and key rows
    are measured before and after, and the rebuild is timed at scale."""
    return tuple(sorted(names.index_keys(family, given, name_km, [alias] if alias else [])))


def bench_org_and_user() -> tuple[Organisation, User]:
    org, _ = Organisation.objects.get_or_create(
        name=ORG_NAME, defaults={"kind": OrgKind.ADVOCACY, "country": "US"}
    )
    user = User.objects.filter(username=USERNAME).first()
    if user is None:
        user = User.objects.create_user(username=USERNAME, password=None)
    Membership.objects.get_or_create(user=user, organisation=org, role=Role.CASEWORKER)
    return org, user


def delete_bench_people(org: Organisation) -> None:
    """Raw deletes (the ORM's cascade collector is far too slow for a million rows); bench people only."""
    qn = connection.ops.quote_name
    person, key, alias = (qn(m._meta.db_table) for m in (Person, PersonNameKey, PersonName))
    ids = f"SELECT id FROM {person} WHERE organisation_id = %s"  # noqa: S608
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"DELETE FROM {key} WHERE person_id IN ({ids})", [org.pk])  # noqa: S608
        cur.execute(f"DELETE FROM {alias} WHERE person_id IN ({ids})", [org.pk])  # noqa: S608
        cur.execute(f"DELETE FROM {person} WHERE organisation_id = %s", [org.pk])  # noqa: S608


def build(org_id: int, start: int, n: int, batch: int, seed: int) -> None:
    """Insert people ``start``..``n-1``. Each batch has its own seed: a resumed build gives the same data."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("PRAGMA cache_size=-1000000")  # 1 GiB page cache for this connection: index inserts
    t0 = time.perf_counter()
    done = keys_done = 0
    next_report = 50_000
    for lo in range(start, n, batch):
        rng = random.Random(seed * 1_000_003 + lo)
        specs = [make_person(rng) for _ in range(min(batch, n - lo))]
        with transaction.atomic():
            people = Person.objects.bulk_create(
                [
                    Person(
                        organisation_id=org_id,
                        family_name=s.family,
                        given_name=s.given,
                        name_km=s.name_km,
                        sex=s.sex,
                        birth_date=s.birth_date,
                        birth_date_precision=s.precision,
                        a_number=s.a_number or None,  # encrypted by the field on insert
                        a_number_index=Person.a_number_digest(s.a_number),
                    )
                    for s in specs
                ]
            )
            PersonName.objects.bulk_create(
                [
                    PersonName(person_id=p.pk, name=s.alias)
                    for p, s in zip(people, specs, strict=True)
                    if s.alias
                ]
            )
            rows = [
                PersonNameKey(person_id=p.pk, key=k, kind=k[0])
                for p, s in zip(people, specs, strict=True)
                for k in keys_for(s.family, s.given, s.name_km, s.alias)
            ]
            PersonNameKey.objects.bulk_create(rows)
        done += len(specs)
        keys_done += len(rows)
        if start + done >= next_report or start + done == n:
            next_report += 50_000
            elapsed = time.perf_counter() - t0
            print(
                f"  {start + done:>10,} / {n:,} people  {keys_done:>11,} keys  "
                f"{done / elapsed:>7,.0f} people/s  {keys_done / elapsed:>8,.0f} keys/s  {elapsed:6.0f} s",
                flush=True,
            )
    print(f"  key cache: {keys_for.cache_info()}", flush=True)


def in_child(target: Callable[..., None], *args: Any) -> float:
    """Run ``target`` in a forked process (so that the parent's peak RSS is that of the measurements
    alone); return the seconds it took."""
    connections.close_all()
    proc = multiprocessing.get_context("fork").Process(target=target, args=args)
    t0 = time.perf_counter()
    proc.start()
    proc.join()
    if proc.exitcode != 0:
        raise SystemExit(f"{target.__name__} failed (exit code {proc.exitcode})")
    return time.perf_counter() - t0


def stale_keys(org: Organisation, rng: random.Random, count: int = 300) -> int:
    """How many of ``count`` random people have stored keys that differ from what names.index_keys gives
    now (crossings/people/names.py changed since the data was built)."""
    people = list(Person.objects.filter(organisation=org).order_by("?")[:count].prefetch_related("aliases"))
    stored: dict[int, set[str]] = defaultdict(set)
    for pk, key in PersonNameKey.objects.filter(person__in=people).values_list("person_id", "key"):
        stored[pk].add(key)
    return sum(
        stored[p.pk]
        != matching.person_keys(p.family_name, p.given_name, p.name_km, [a.name for a in p.aliases.all()])
        for p in people
    )


def rekey(org_id: int, batch: int) -> None:
    """Recompute every person's name keys with the current names.py: the application's own rebuild
    (``crossings people rebuild-keys``, also run by migration 0005), with its progress lines."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("PRAGMA cache_size=-1000000")
    t0 = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if done % 20_000 < batch or done == total:
            rate = done / (time.perf_counter() - t0)
            print(f"  {done:>10,} / {total:,} people re-keyed  {rate:>7,.0f}/s", flush=True)

    matching.rebuild_all_name_keys(batch=batch, progress=progress)


# --- Noise, as caseworkers and documents introduce it -------------------------------------------------------
@dataclass
class Sample:
    """An existing person with the canonical names their stored spellings stand for."""

    pk: int
    family: str
    given: str
    name_km: str
    sex: str
    birth_date: dt.date | None
    precision: str
    fam: Name
    giv: Name

    @property
    def identity(self) -> tuple[str, str]:
        return (self.fam.latin, self.giv.latin)


def identity_of(family: str, given: str) -> tuple[str, str] | None:
    fi, gi = FAMILY_BY_SPELLING.get(normalise(family)), GIVEN_BY_SPELLING.get(normalise(given))
    if fi is None or gi is None:
        return None
    return (FAMILY[fi].latin, ALL_GIVEN[gi].latin)


def alias_identities(alias: str) -> set[tuple[str, str]]:
    """The canonical names an other-name string stands for, in either order ("Tony Kim", "Kim Srey Mom")."""
    words = alias.split()
    found = set()
    for i in range(1, len(words)):
        a, b = " ".join(words[:i]), " ".join(words[i:])
        found |= {x for x in (identity_of(a, b), identity_of(b, a)) if x}
    return found


def identities(p: Person) -> set[tuple[str, str]]:
    """Every canonical name a result is known under: its names and its other names (prefetched)."""
    found = {x for x in [identity_of(p.family_name, p.given_name)] if x}
    for alias in p.aliases.all():
        found |= alias_identities(alias.name)
    return found


def load_samples(org: Organisation, count: int, rng: random.Random) -> list[Sample]:
    qs = Person.objects.filter(organisation=org)
    lo, hi = (
        qs.order_by("pk").values_list("pk", flat=True)[0],
        qs.order_by("-pk").values_list("pk", flat=True)[0],
    )
    pks = rng.sample(range(lo, hi + 1), min(count, hi - lo + 1))
    rows = qs.filter(pk__in=pks).values_list(
        "pk", "family_name", "given_name", "name_km", "sex", "birth_date", "birth_date_precision"
    )
    by_pk = {r[0]: r for r in rows}
    samples = []
    for pk in pks:  # keep the random order
        r = by_pk.get(pk)
        if r is None:
            continue
        fi, gi = FAMILY_BY_SPELLING.get(normalise(r[1])), GIVEN_BY_SPELLING.get(normalise(r[2]))
        if fi is None or gi is None:
            continue
        samples.append(Sample(*r, fam=FAMILY[fi], giv=ALL_GIVEN[gi]))
    return samples


def other_spelling(name: Name, current: str, rng: random.Random) -> str | None:
    options = [s for s in name.spellings if normalise(s) != normalise(current)]
    return rng.choice(options) if options else None


def typo(text: str, rng: random.Random) -> str:
    """One letter substituted or deleted (never the space)."""
    positions = [i for i, ch in enumerate(text) if ch.isalpha()]
    i = rng.choice(positions)
    if rng.random() < 0.5:
        return text[:i] + text[i + 1 :]
    letter = rng.choice([c for c in "abcdefghijklmnopqrstuvwxyz" if c != text[i].lower()])
    return text[:i] + letter + text[i + 1 :]


# One slip of the fingers (issue 14), as the kinds the search must forgive.
KEYBOARD = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
NEIGHBOUR_KEYS = {
    ch: "".join(
        KEYBOARD[r2][c2]
        for r2 in (r - 1, r, r + 1)
        if 0 <= r2 < len(KEYBOARD)
        for c2 in (c - 1, c, c + 1)
        if 0 <= c2 < len(KEYBOARD[r2]) and (r2, c2) != (r, c)
    )
    for r, row in enumerate(KEYBOARD)
    for c, ch in enumerate(row)
}
SLIP_NEIGHBOUR, SLIP_DROPPED = "slip: neighbouring key", "slip: letter dropped"
SLIP_DOUBLED, SLIP_SWAPPED = "slip: letter doubled", "slip: adjacent letters swapped"
SLIP_KHMER = "slip: Khmer vowel sign or subscript"
LATIN_SLIPS = (SLIP_NEIGHBOUR, SLIP_DROPPED, SLIP_DOUBLED, SLIP_SWAPPED)
KHMER_VOWEL_SIGNS = [chr(c) for c in range(0x17B6, 0x17C6)]
COENG = "\u17d2"


def latin_slip(word: str, kind: str, rng: random.Random) -> str | None:
    """``word`` with one slip of kind ``kind`` at a random letter; None when it does not apply."""
    letters = [i for i, ch in enumerate(word) if ch.isascii() and ch.isalpha()]
    if kind == SLIP_SWAPPED:
        letters = [i for i in letters if i + 1 in letters and word[i].lower() != word[i + 1].lower()]
    if not letters or (kind == SLIP_DROPPED and len(letters) < 3):
        return None
    i = rng.choice(letters)
    if kind == SLIP_NEIGHBOUR:
        key = rng.choice(NEIGHBOUR_KEYS[word[i].lower()])
        return word[:i] + (key.upper() if word[i].isupper() else key) + word[i + 1 :]
    if kind == SLIP_DROPPED:
        return word[:i] + word[i + 1 :]
    if kind == SLIP_DOUBLED:
        return word[: i + 1] + word[i].lower() + word[i + 1 :]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def khmer_slip(text: str, rng: random.Random) -> str | None:
    """A dropped or wrong vowel sign, a dropped subscript, or a subscript typed as a full letter (the coeng
    forgotten)."""
    options = []
    for i, ch in enumerate(text):
        if ch in KHMER_VOWEL_SIGNS:
            options += [("drop", i), ("wrong", i)]
        elif ch == COENG and i + 1 < len(text):
            options += [("drop subscript", i), ("drop coeng", i)]
    if not options:
        return None
    op, i = rng.choice(options)
    if op == "wrong":
        return text[:i] + rng.choice([v for v in KHMER_VOWEL_SIGNS if v != text[i]]) + text[i + 1 :]
    if op == "drop subscript":
        return text[:i] + text[i + 2 :]
    return text[:i] + text[i + 1 :]


def toggled_split(s: Sample) -> str | None:
    """The given name joined if stored split, split if stored joined ("Sreymom" <-> "Srey Mom")."""
    if not s.giv.split:
        return None
    return s.given.replace(" ", "") if " " in s.given else s.giv.split


def khmer_of(s: Sample) -> str | None:
    if s.name_km:
        return s.name_km
    if s.fam.khmer and s.giv.khmer:  # typed in Khmer script for a record held in Latin letters only
        return f"{s.fam.khmer} {s.giv.khmer}"
    return None


def noisy_names(kind: str, s: Sample, rng: random.Random) -> tuple[str, str] | None:
    """(family, given) as typed, or None when this kind of noise does not apply to this person."""
    family, given = s.family, s.given
    if kind == "exact":
        return family, given
    if kind in ("variant", "mixed"):
        fam2, giv2 = other_spelling(s.fam, family, rng), other_spelling(s.giv, given, rng)
        side = rng.choice(("family", "given", "both")) if kind == "variant" else "both"
        if side in ("family", "both") and fam2:
            family = fam2
        if side in ("given", "both") and giv2:
            given = giv2
        if (family, given) == (s.family, s.given):
            family, given = fam2 or family, giv2 or given
        return None if (family, given) == (s.family, s.given) else (family, given)
    if kind == "joined/split":
        toggled = toggled_split(s)
        return (family, toggled) if toggled else None
    if kind == "typo":
        text = typo(f"{family}\t{given}", rng)
        family, given = text.split("\t")
        return (family, given) if family and given else None
    if kind in LATIN_SLIPS:
        if rng.random() < 0.5:
            slipped = latin_slip(family, kind, rng)
            return (slipped, given) if slipped else None
        slipped = latin_slip(given, kind, rng)
        return (family, slipped) if slipped else None
    raise ValueError(kind)


def year_query(kind: str, s: Sample, rng: random.Random) -> str | None:
    """The name (as recorded, or another spelling) followed by the birth year: "Chhun Vuthy 1981"."""
    if s.birth_date is None:
        return None
    pair = noisy_names("variant", s, rng) if rng.random() < 0.5 else None
    family, given = pair or (s.family, s.given)
    return f"{family} {given} {s.birth_date.year}"


def search_query(kind: str, s: Sample, rng: random.Random) -> str | None:
    if kind == "swapped":
        return f"{s.given} {s.family}"
    if kind == "khmer":
        return khmer_of(s)
    if kind == SLIP_KHMER:
        km = khmer_of(s)
        return khmer_slip(km, rng) if km else None
    if kind == "case":
        return rng.choice(
            (
                f"{s.family} {s.given}".upper(),
                f"{s.family} {s.given}".lower(),
                f"{s.family.upper()}, {s.given}",
            )
        )
    pair = noisy_names(kind, s, rng)
    if pair is None:
        return None
    if kind == "mixed":  # another spelling, given name first, all lower case
        return f"{pair[1]} {pair[0]}".lower()
    return f"{pair[0]} {pair[1]}"


SEARCH_KINDS = {  # kind of noise -> share of the queries
    "exact": 0.07,
    "variant": 0.13,
    "swapped": 0.08,
    "joined/split": 0.06,
    "khmer": 0.08,
    "case": 0.05,
    "typo": 0.05,
    "mixed": 0.08,
    SLIP_NEIGHBOUR: 0.08,
    SLIP_DROPPED: 0.08,
    SLIP_DOUBLED: 0.06,
    SLIP_SWAPPED: 0.08,
    SLIP_KHMER: 0.10,
}
YEAR_KIND = "name + birth year (extra)"
DUPLICATE_KINDS = {
    "exact": 0.10,
    "variant": 0.25,
    "swapped": 0.10,
    "joined/split": 0.05,
    "typo": 0.05,
    "khmer": 0.10,
    SLIP_NEIGHBOUR: 0.08,
    SLIP_DROPPED: 0.08,
    SLIP_DOUBLED: 0.05,
    SLIP_SWAPPED: 0.07,
    SLIP_KHMER: 0.07,
}


def kinds_for(total: int, shares: dict[str, float], rng: random.Random) -> list[str]:
    kinds = [k for k, share in shares.items() for _ in range(round(total * share))]
    kinds = (kinds + list(shares))[:total] if len(kinds) < total else kinds[:total]
    rng.shuffle(kinds)
    return kinds


def draw(
    kinds: list[str], samples: list[Sample], make: Callable[[str, Sample], Any | None]
) -> list[tuple[str, Sample, Any]]:
    """One case per kind, from the first unused sample the kind applies to (each sample used once)."""
    out: list[tuple[str, Sample, Any]] = []
    unused = list(samples)
    for kind in kinds:
        for i, s in enumerate(unused):
            case = make(kind, s)
            if case is not None:
                out.append((kind, s, case))
                del unused[i]
                break
        else:
            raise SystemExit(f"not enough sampled people for noise {kind!r}")
    return out


def reentered_birth(s: Sample, rng: random.Random) -> tuple[dt.date | None, str]:
    """The birth date as a caseworker re-enters it."""
    if s.birth_date is None:
        return None, "exact"
    r = rng.random()
    if s.precision in ("year", "estimated") or (s.birth_date.month, s.birth_date.day) == (1, 1):
        if r < 0.60:
            return s.birth_date, s.precision
        if r < 0.85:  # the person now gives a day
            return dt.date(s.birth_date.year, 1, 1) + dt.timedelta(days=rng.randrange(365)), "exact"
        return dt.date(s.birth_date.year + rng.choice((-1, 1)), 1, 1), "estimated"
    d = s.birth_date
    if r < 0.80:
        return d, "exact"
    if r < 0.90 and d.day <= 12 and d.day != d.month:  # day and month swapped (US vs Cambodian order)
        return dt.date(d.year, d.day, d.month), "exact"
    return dt.date(d.year, 1, 1), "year"  # only the year is known this time


@dataclass
class DuplicateInput:
    family_name: str
    given_name: str
    name_km: str
    birth_date: dt.date | None
    birth_date_precision: str
    sex: str


def describe(d: DuplicateInput) -> str:
    names_ = " ".join(x for x in (d.family_name, d.given_name, d.name_km) if x)
    return f"{names_}, born {d.birth_date} ({d.birth_date_precision}), {d.sex}"


def duplicate_input(kind: str, s: Sample, rng: random.Random) -> DuplicateInput | None:
    if kind == "khmer":  # Latin names as recorded, plus the Khmer name from an ID card
        km = khmer_of(s)
        if km is None:
            return None
        pair: tuple[str, str] | None = (s.family, s.given)
    elif kind == "swapped":  # family and given name entered in each other's field
        pair = (s.given, s.family)
        km = ""
    elif kind == SLIP_KHMER:  # only the Khmer name, from an ID card, with one slip
        km = khmer_of(s)
        km = khmer_slip(km, rng) if km else None
        if km is None:
            return None
        pair = ("", "")
    else:
        pair, km = noisy_names(kind, s, rng), ""
    if pair is None:
        return None
    born, precision = reentered_birth(s, rng)
    sex = s.sex if rng.random() < 0.7 else "unknown"
    return DuplicateInput(pair[0], pair[1], km, born, precision, sex)


GIVEN_INDEX = {n.latin: n for n in GIVEN}
PARTNERS: dict[str, list[str]] = defaultdict(list)
for _a, _b in NEAR_MISSES:
    PARTNERS[_a].append(_b)
    PARTNERS[_b].append(_a)


def near_miss_input(kind: str, s: Sample, rng: random.Random) -> DuplicateInput | None:
    """A new person whose given name is a near miss of an existing person's (Sopheap for Sophea), same
    family name, same birth date: the hardest case for the warning."""
    partners = PARTNERS.get(s.giv.latin)
    if not partners:
        return None
    other = GIVEN_INDEX[rng.choice(partners)]
    return DuplicateInput(s.family, other.latin, "", s.birth_date, s.precision, s.sex)


# --- Measuring ----------------------------------------------------------------------------------------------
class SqlTimer:
    """Execute wrapper: time spent in the database, statement count, and the statements themselves."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.count = 0
        self.statements: list[tuple[float, str, Any]] = []

    def reset(self) -> None:
        self.seconds, self.count, self.statements = 0.0, 0, []

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - t0
            self.seconds += spent
            self.count += 1
            self.statements.append((spent, sql, params))


@dataclass
class Timing:
    kind: str
    text: str
    ms: float
    execute_ms: float  # inside cursor.execute only (SQLite fetches rows later)
    statements: int
    hit: bool
    db_ms: float = 0.0  # the same SQL replayed with its rows fetched: the database's share of ``ms``
    rank: int | None = None
    name_hit: bool = False
    candidates: dict[str, int] = field(default_factory=dict)
    namesakes: int = 0
    flagged: int = 0
    wrong_flags: int = 0
    wrong_kinds: list[str] = field(default_factory=list)
    top_scores: list[float] = field(default_factory=list)
    miss: str = ""  # why the true person was not in the top 5 / not flagged
    sql: list[tuple[str, Any]] = field(default_factory=list, repr=False)


def replay(t: Timing) -> None:
    """Run a call's SQL again and fetch every row: Django's execute wrapper does not see the fetch, which
    is where SQLite does most of the work."""
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        for sql, params in t.sql:
            cur.execute(sql, params)
            cur.fetchall()
    t.db_ms = (time.perf_counter() - t0) * 1000


def pct(values: Sequence[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def candidate_counts(keys: set[str], stages: Sequence[tuple[str, Callable[[str], bool]]]) -> dict[str, int]:
    """How many people each stage's keys reach before the candidate limit (what the SQL has to sort)."""
    counts = {}
    for label, selects in stages:
        stage = unmark([k for k in keys if selects(k)])
        counts[label] = (
            PersonNameKey.objects.filter(key__in=stage).values("person_id").distinct().count() if stage else 0
        )
    return counts


def windowed_candidates(keys: set[str], born: dt.date | None) -> int:
    """What-if: the strong-key candidates of a duplicate check if SQL also kept only people born within a
    year of the date entered (or with no birth date)."""
    strong = unmark([k for k in keys if (k.startswith(("p:", "c:")) and "|" in k) or k[0] in "dkP"])
    ids = PersonNameKey.objects.filter(key__in=strong).values("person_id")
    people = Person.objects.filter(pk__in=ids)
    if born is not None:
        window = Q(birth_date__year__gte=born.year - 1, birth_date__year__lte=born.year + 1)
        people = people.filter(window | Q(birth_date__isnull=True))
    return people.count()


SEARCH_STAGES = (
    ("p", lambda k: k.startswith("p:")),
    ("c+slip", lambda k: k.startswith(("c:", "d:", "k:")) or k.startswith(SLIP_P)),
    ("s", lambda k: k.startswith("s:")),
)
SLIP_P = "P:"  # marks the p: keys that only the slip lookup asks for (a letter added), see search_keys()
DUPLICATE_STAGES = (
    ("strong", lambda k: k.startswith(("p:", "c:")) and "|" in k),
    ("slip", lambda k: k.startswith(("d:", "k:", SLIP_P))),
)


def search_keys(text: str) -> set[str]:
    """The keys matching.search looks up, the slip lookup's own p: keys marked so that stages can tell."""
    keys = names.query_keys(text)
    return keys | {("P:" + k[2:]) if k.startswith("p:") else k for k in names.slip_query_keys(text) - keys}


def duplicate_keys(d: DuplicateInput) -> set[str]:
    keys = names.index_keys(d.family_name, d.given_name, d.name_km, [])
    slips = names.slip_record_keys(d.family_name, d.given_name, d.name_km, []) - keys
    return keys | {("P:" + k[2:]) if k.startswith("p:") else k for k in slips}


def unmark(keys: Sequence[str]) -> list[str]:
    return [("p:" + k[2:]) if k.startswith(SLIP_P) else k for k in keys]


def run_searches(
    visible: QuerySet[Person], cases: list[tuple[str, Sample, str]], timer: SqlTimer
) -> list[Timing]:
    out = []
    for kind, s, text in cases:
        timer.reset()
        t0 = time.perf_counter()
        with connection.execute_wrapper(timer):
            results = matching.search(visible, text, limit=20)
        ms = (time.perf_counter() - t0) * 1000
        top = [m.person for m in results[:5]]
        pks = [p.pk for p in top]
        out.append(
            Timing(
                kind=kind,
                text=text,
                ms=ms,
                execute_ms=timer.seconds * 1000,
                statements=timer.count,
                hit=s.pk in pks,
                rank=pks.index(s.pk) + 1 if s.pk in pks else None,
                name_hit=any(s.identity in identities(p) for p in top),
                top_scores=[m.score for m in results[:5]],
                sql=[(sql, params) for _, sql, params in timer.statements],
            )
        )
    return out


def run_duplicates(
    visible: QuerySet[Person],
    cases: list[tuple[str, Sample, DuplicateInput]],
    timer: SqlTimer,
    *,
    near_miss: bool = False,
) -> list[Timing]:
    out = []
    for kind, s, data in cases:
        timer.reset()
        t0 = time.perf_counter()
        with connection.execute_wrapper(timer):
            found = matching.possible_duplicates(visible, **asdict(data))
        ms = (time.perf_counter() - t0) * 1000
        entered = identity_of(data.family_name, data.given_name) if near_miss else s.identity
        wrong = [m for m in found if entered not in identities(m.person)]
        wrong_kinds = []
        for m in wrong:
            ident = identity_of(m.person.family_name, m.person.given_name)
            if ident and entered and ident[0] == entered[0]:
                wrong_kinds.append(f"another given name: {ident[1]} for {entered[1]}")
            elif ident and entered and ident[1] == entered[1]:
                wrong_kinds.append(f"another family name: {ident[0]} for {entered[0]}")
            else:
                wrong_kinds.append(f"both names differ: {ident} for {entered}")
        out.append(
            Timing(
                kind=kind,
                text=describe(data),
                ms=ms,
                execute_ms=timer.seconds * 1000,
                statements=timer.count,
                hit=s.pk in [m.person.pk for m in found],
                flagged=len(found),
                wrong_flags=len(wrong),
                wrong_kinds=wrong_kinds,
                top_scores=[m.score for m in found],
                sql=[(sql, params) for _, sql, params in timer.statements],
            )
        )
    return out


# --- The peer: PostgreSQL trigram search, as a PostgreSQL user would write it ---------------------------
TRGM_NAME = "lower(family_name || ' ' || given_name)"


def trgm_prepare() -> str:
    """pg_trgm and GIN trigram indexes on the normalised full name and on the Khmer name; '' or why not."""
    table = connection.ops.quote_name(Person._meta.db_table)
    try:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as exc:
        return f"pg_trgm could not be created ({exc}); as postgres: CREATE EXTENSION pg_trgm"
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        for name, expr in (("bench_person_trgm_name", f"({TRGM_NAME})"), ("bench_person_trgm_km", "name_km")):
            cur.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({expr} gin_trgm_ops)")
        cur.execute(f"ANALYZE {table}")
    print(f"pg_trgm GIN indexes ready in {time.perf_counter() - t0:.0f} s", flush=True)
    return ""


def trgm_sql() -> str:
    table = connection.ops.quote_name(Person._meta.db_table)
    return (
        f"SELECT id FROM {table} WHERE organisation_id = %s AND ({TRGM_NAME} %% %s OR name_km %% %s) "  # noqa: S608
        f"ORDER BY GREATEST(similarity({TRGM_NAME}, %s), similarity(name_km, %s)) DESC, id LIMIT 5"
    )


def run_trgm(org_id: int, cases: list[tuple[str, Sample, str]]) -> list[Timing]:
    """The same queries through pg_trgm: ``%`` (similarity ≥ pg_trgm.similarity_threshold, 0.3) on the GIN
    indexes, best five by similarity()."""
    sql = trgm_sql()
    out = []
    with connection.cursor() as cur:
        for kind, s, text in cases:
            q = text.lower()
            t0 = time.perf_counter()
            cur.execute(sql, [org_id, q, q, q, q])
            ids = [row[0] for row in cur.fetchall()]
            ms = (time.perf_counter() - t0) * 1000
            top = list(Person.objects.filter(pk__in=ids).prefetch_related("aliases"))
            out.append(
                Timing(
                    kind=kind,
                    text=text,
                    ms=ms,
                    execute_ms=ms,
                    statements=1,
                    hit=s.pk in ids,
                    rank=ids.index(s.pk) + 1 if s.pk in ids else None,
                    name_hit=any(s.identity in identities(p) for p in top),
                )
            )
    return out


def trgm_index_size() -> int:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT COALESCE(SUM(pg_relation_size(c.oid)), 0) FROM pg_class c "
            "WHERE c.relname IN ('bench_person_trgm_name', 'bench_person_trgm_km')"
        )
        return int(cur.fetchone()[0])


def search_miss(t: Timing, s: Sample) -> str:
    """Why the true person is not in the top 5: run the same search over that one record alone."""
    alone = matching.search(Person.objects.filter(pk=s.pk), t.text)
    if not alone:
        keys = unmark(sorted(search_keys(t.text)))
        shared = PersonNameKey.objects.filter(person_id=s.pk, key__in=keys).exists()
        return "scored below 0.5" if shared else "no name key in common"
    score = alone[0].score
    if len(t.top_scores) < 5 or score > t.top_scores[-1]:
        return "not fetched: its name not among the closest names (matching.NAMES_FETCHED, CANDIDATE_LIMIT)"
    if score == t.top_scores[-1]:
        return "tied with ≥ 5 others at the same score"
    return "outranked by ≥ 5 better-scoring others"


def duplicate_miss(t: Timing, s: Sample, data: DuplicateInput) -> str:
    """Why the true person was not flagged: the same check against that one record alone."""
    alone = matching.possible_duplicates(Person.objects.filter(pk=s.pk), **asdict(data))
    if not alone:
        keys = duplicate_keys(data)
        strong = unmark([k for k in keys if (k.startswith(("p:", "c:")) and "|" in k) or k[0] in "dkP"])
        shared = PersonNameKey.objects.filter(person_id=s.pk, key__in=strong).exists()
        return "scored below the threshold" if shared else "no strong or slip name key in common"
    if len(t.top_scores) < 5 or alone[0].score > t.top_scores[-1]:
        return "not fetched: candidate limit (matching.CANDIDATE_LIMIT, in key order)"
    return "outranked: ≥ 5 others flagged with as high a score"


def explain(sql: str, params: Any) -> str:
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("EXPLAIN QUERY PLAN " + sql, params)
            return "\n".join(str(row[-1]) for row in cur.fetchall())
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(row[0] for row in cur.fetchall())


def profile_call(fn: Callable[[], Any], timer: SqlTimer) -> dict[str, Any]:
    """Where one call spends its time: SQL statements (slowest with its plan) and Python functions."""
    timer.reset()
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    with connection.execute_wrapper(timer):
        prof.enable()
        fn()
        prof.disable()
    total = (time.perf_counter() - t0) * 1000
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(30)
    replayed = []
    with connection.cursor() as cur:
        for _, sql, params in timer.statements:
            t1 = time.perf_counter()
            cur.execute(sql, params)
            rows = len(cur.fetchall())
            replayed.append(((time.perf_counter() - t1) * 1000, rows, sql, params))
    replayed.sort(key=lambda st: -st[0])
    slowest = replayed[0] if replayed else None
    return {
        "total_ms": round(total, 1),
        "db_ms": round(sum(st[0] for st in replayed), 1),
        "statements": [(round(ms, 1), rows, sql[:300]) for ms, rows, sql, _ in replayed],
        "slowest_sql": slowest[2] if slowest else "",
        "slowest_sql_params": str(slowest[3])[:500] if slowest else "",
        "plan": explain(slowest[2], slowest[3]) if slowest else "",
        "python_profile": "\n".join(line for line in buf.getvalue().splitlines()[4:] if line.strip()),
    }


def database_size() -> dict[str, int]:
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            files = [
                Path(f"{SQLITE_FILE if OWN_DATABASE else connection.settings_dict['NAME']}{s}")
                for s in ("", "-wal")
            ]
            sizes = {"total": sum(f.stat().st_size for f in files if f.exists())}
            with contextlib.suppress(DatabaseError), transaction.atomic():  # dbstat is an optional module
                cur.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 6")
                sizes.update({name: int(size) for name, size in cur.fetchall()})
            return sizes
        cur.execute("SELECT pg_database_size(current_database())")
        sizes = {"total": int(cur.fetchone()[0])}
        cur.execute(
            "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n ON "
            "n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 2 DESC LIMIT 4"
        )
        sizes.update({name: int(size) for name, size in cur.fetchall()})
        return sizes


def namesake_counts(org: Organisation) -> Counter[tuple[str, str]]:
    """How many people carry each canonical name (whatever its spelling): the limit of any name search."""
    counts: Counter[tuple[str, str]] = Counter()
    rows = (
        Person.objects.filter(organisation=org)
        .values("family_name", "given_name")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows.iterator():
        ident = identity_of(row["family_name"], row["given_name"])
        if ident is not None:
            counts[ident] += row["n"]
    return counts


# --- Report ------------------------------------------------------------------------------------------------
def fmt_ms(values: Sequence[float]) -> str:
    return f"{pct(values, 0.5):.1f} / {pct(values, 0.95):.1f} / {max(values):.1f}"


def rate(flags: Sequence[bool]) -> float:
    return sum(flags) / len(flags) if flags else float("nan")


def share(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "-"


def mib(n: float) -> str:
    return f"{n / 2**20:,.0f} MiB"


def command_line() -> str:
    env = ["CROSSINGS_MODE=" + os.environ["CROSSINGS_MODE"]]
    if USER_DATABASE_URL and not ARGS.db:
        env.append("DATABASE_URL=" + shlex.quote(USER_DATABASE_URL))
    script = os.path.relpath(Path(__file__).resolve(), Path.cwd())
    inside = sys.executable.startswith(str(PROJECT_DIR))
    python = os.path.relpath(sys.executable, Path.cwd()) if inside else "python"
    return " ".join([*env, python, script, *map(shlex.quote, sys.argv[1:])])


@dataclass
class Results:
    engine: str
    stats: dict[str, int]
    built: int  # people built by this run (0: reused)
    build_seconds: float | None
    build_rss: int
    measure_rss: int
    sizes: dict[str, int]
    searches: list[Timing]
    duplicates: list[Timing]
    near: list[Timing]
    year_searches: list[Timing]
    profiles: dict[str, dict[str, Any]]
    sizes_before: dict[str, int] = field(default_factory=dict)  # before the one-slip keys were added
    keys_before: int = 0
    rekey_seconds: float | None = None
    kinds: dict[str, int] = field(default_factory=dict)  # name key rows per kind
    trgm: list[Timing] = field(default_factory=list)
    trgm_note: str = ""
    trgm_index_bytes: int = 0


def summary_table(r: Results) -> list[str]:
    st, n = r.stats, r.stats["people"]
    s_ms, d_ms, n_ms = ([t.ms for t in ts] for ts in (r.searches, r.duplicates, r.near))
    statements = statistics.mean(t.statements for t in r.searches)
    year_ms = [t.ms for t in r.year_searches]
    namesakes = [t.namesakes for t in r.searches]
    if r.build_seconds:
        speed = r.built / r.build_seconds
        build = f"{r.build_seconds:,.0f} s ({speed:,.0f} people/s), peak RSS {mib(r.build_rss)}"
    else:
        build = "reused from an earlier run"
    data = (
        f"{n:,} people, {st['name_keys']:,} name keys; Khmer name {share(st['with_khmer'], n)}, "
        f"other name {share(st['with_alias'], n)}, A-number {share(st['with_a_number'], n)}, "
        f"year-only birth date {share(st['year_only'], n)}"
    )
    return [
        "| what | figure |",
        "|---|---|",
        f"| data | {data} |",
        f"| build | {build} |",
        f"| search p50 / p95 / max, {len(s_ms)} queries | {fmt_ms(s_ms)} ms |",
        f"| search: in the database (SQL replayed, rows fetched), p50 / p95; statements per query | "
        f"{pct([t.db_ms for t in r.searches], 0.5):.1f} / {pct([t.db_ms for t in r.searches], 0.95):.1f} ms; "
        f"{statements:.1f} |",
        f"| search recall@5, the true person | {rate([t.hit for t in r.searches]):.3f} |",
        f"| search recall@5, someone of the same name (any spelling) | "
        f"{rate([t.name_hit for t in r.searches]):.3f} |",
        f"| search recall@5, the true person, with the birth year typed after the name "
        f"({len(r.year_searches)} extra queries); p50 / p95 | {rate([t.hit for t in r.year_searches]):.3f}; "
        f"{pct(year_ms, 0.5):.1f} / {pct(year_ms, 0.95):.1f} ms |",
        f"| people sharing the queried person's name, median / p95 | "
        f"{pct(namesakes, 0.5):,.0f} / {pct(namesakes, 0.95):,.0f} |",
        f"| duplicate check p50 / p95 / max, {len(d_ms)} calls | {fmt_ms(d_ms)} ms |",
        f"| duplicate check: in the database, p50 / p95 | {pct([t.db_ms for t in r.duplicates], 0.5):.1f} / "
        f"{pct([t.db_ms for t in r.duplicates], 0.95):.1f} ms |",
        f"| duplicate check flags the true person | {rate([t.hit for t in r.duplicates]):.3f} |",
        f"| near-miss name entered (Sopheap for Sophea, same family name and birth date), {len(n_ms)} calls: "
        f"flags someone of another name | {rate([t.wrong_flags > 0 for t in r.near]):.3f} |",
        f"| near-miss: flags anyone (real namesakes included); p95 | "
        f"{rate([t.flagged > 0 for t in r.near]):.3f}; {pct(n_ms, 0.95):.1f} ms |",
        f"| peak RSS while measuring | {mib(r.measure_rss)} |",
        f"| database size | {size_line(r)} |",
        f"| name key rows per person, by kind | {kinds_line(r)} |",
        f"| one-slip keys added by `crossings people rebuild-keys` (its code path) | {rekey_line(r)} |",
    ]


def size_line(r: Results) -> str:
    table = PersonNameKey._meta.db_table
    after = f"{mib(r.sizes['total'])}, of which name keys {mib(r.sizes.get(table, 0))}"
    if not r.sizes_before:
        return after + " (reused: no before figure)"
    before = f"{mib(r.sizes_before['total'])} (name keys {mib(r.sizes_before.get(table, 0))})"
    return f"{before} before the one-slip keys → {after}"


def rekey_line(r: Results) -> str:
    if not r.rekey_seconds:
        return "not run (reused, keys current)"
    return f"{r.rekey_seconds:,.0f} s ({r.stats['people'] / r.rekey_seconds:,.0f} people/s)"


def kinds_line(r: Results) -> str:
    n = r.stats["people"] or 1
    per = ", ".join(f"{k} {v / n:.1f}" for k, v in r.kinds.items())
    old = sum(v for k, v in r.kinds.items() if k in "pcs")
    total = sum(r.kinds.values())
    return f"{per}; {old / n:.1f} → {total / n:.1f} per person ({old:,} → {total:,})"


def peer_table(r: Results) -> list[str]:
    """Crossings and pg_trgm side by side on the same queries, per kind of noise."""
    if not r.trgm:
        return [f"pg_trgm peer: not run ({r.trgm_note})."]
    lines = [
        "Side by side on the same register and the same queries: Crossings (`matching.search`) and "
        "PostgreSQL pg_trgm (`%` and `similarity()` on GIN trigram indexes of "
        f"`{TRGM_NAME}` and `name_km`, {mib(r.trgm_index_bytes)} of indexes). "
        "Recall@5 of the true person / of someone with the true name; latency p50 / p95 in ms.",
        "",
        "| search noise | n | Crossings recall@5 | pg_trgm recall@5 | Crossings ms | pg_trgm ms |",
        "|---|---|---|---|---|---|",
    ]
    for kind in [*SEARCH_KINDS, "all"]:
        ours = [t for t in r.searches if kind in ("all", t.kind)]
        theirs = [t for t in r.trgm if kind in ("all", t.kind)]
        if not ours:
            continue
        lines.append(
            f"| {kind} | {len(ours)} "
            f"| {rate([t.hit for t in ours]):.3f} / {rate([t.name_hit for t in ours]):.3f} "
            f"| {rate([t.hit for t in theirs]):.3f} / {rate([t.name_hit for t in theirs]):.3f} "
            f"| {pct([t.ms for t in ours], 0.5):.1f} / {pct([t.ms for t in ours], 0.95):.1f} "
            f"| {pct([t.ms for t in theirs], 0.5):.1f} / {pct([t.ms for t in theirs], 0.95):.1f} |"
        )
    return lines


def kind_tables(r: Results) -> list[str]:
    lines = [
        "| search noise | n | recall@5 true person | recall@5 same name | p50 ms | p95 ms | cand. p50/max |",
        "|---|---|---|---|---|---|---|",
    ]
    for kind in [*SEARCH_KINDS, YEAR_KIND]:
        ts = [t for t in [*r.searches, *r.year_searches] if t.kind == kind]
        if not ts:
            continue
        cands = [sum(t.candidates.values()) for t in ts]
        ms = [t.ms for t in ts]
        lines.append(
            f"| {kind} | {len(ts)} | {rate([t.hit for t in ts]):.3f} | {rate([t.name_hit for t in ts]):.3f} "
            f"| {pct(ms, 0.5):.1f} | {pct(ms, 0.95):.1f} | {pct(cands, 0.5):,.0f}/{max(cands):,.0f} |"
        )
    lines += [
        "",
        "| duplicate-check noise | n | flagged | p50 ms | p95 ms | cand. p50/max | ±1 y p50/max |",
        "|---|---|---|---|---|---|---|",
    ]
    for kind in DUPLICATE_KINDS:
        ts = [t for t in r.duplicates if t.kind == kind]
        if not ts:
            continue
        cands = [t.candidates.get("strong", 0) + t.candidates.get("slip", 0) for t in ts]
        window = [t.candidates.get("born ±1 year", 0) for t in ts]
        ms = [t.ms for t in ts]
        lines.append(
            f"| {kind} | {len(ts)} | {rate([t.hit for t in ts]):.3f} | {pct(ms, 0.5):.1f} | "
            f"{pct(ms, 0.95):.1f} | {pct(cands, 0.5):,.0f}/{max(cands):,.0f} | "
            f"{pct(window, 0.5):,.0f}/{max(window):,.0f} |"
        )
    return lines


def diagnosis(r: Results) -> list[str]:
    lines = ["### Where the time goes", ""]
    for t in sorted(r.searches, key=lambda t: -t.ms)[:5]:
        lines.append(
            f"- search {t.ms:.0f} ms (database {t.db_ms:.0f} ms, {t.statements} statements) {t.text!r} "
            f"[{t.kind}], people per key stage {t.candidates}, {t.namesakes} namesakes"
        )
    for t in sorted(r.duplicates, key=lambda t: -t.ms)[:5]:
        lines.append(
            f"- duplicate check {t.ms:.0f} ms (database {t.db_ms:.0f} ms) {t.text} [{t.kind}], "
            f"people per key stage {t.candidates}"
        )
    missed = [t for t in r.searches if not t.name_hit]
    if missed:
        lines += ["", f"Searches with no one of the true name in the top 5 ({len(missed)}, first 15):"]
        lines += [f"- [{t.kind}] {t.text!r}" for t in missed[:15]]
    missed = [t for t in r.duplicates if not t.hit]
    if missed:
        lines += ["", f"Duplicate checks that did not flag the true person ({len(missed)}, first 15):"]
        lines += [
            f"- [{t.kind}] {t.text} ({t.namesakes} namesakes, candidates {t.candidates})" for t in missed[:15]
        ]
    causes = Counter(t.miss for t in r.searches if not t.hit)
    if causes:
        lines += ["", "Why the true person was not in the top 5 of a search:"]
        lines += [f"- {cause}: {n}" for cause, n in causes.most_common()]
    causes = Counter(t.miss for t in r.searches if not t.name_hit)
    if causes:
        lines += ["", "…of which searches with no one of the true name in the top 5:"]
        lines += [f"- {cause}: {n}" for cause, n in causes.most_common()]
    causes = Counter(t.miss for t in r.duplicates if not t.hit)
    if causes:
        lines += ["", "Why a duplicate check did not flag the true person:"]
        lines += [f"- {cause}: {n}" for cause, n in causes.most_common()]
    wrong_kinds = Counter(k.split(":")[0] for t in r.near for k in t.wrong_kinds)
    if wrong_kinds:
        lines += ["", "Near-miss checks, records of another name flagged (all calls):"]
        lines += [f"- {kind}: {n}" for kind, n in wrong_kinds.most_common()]
        pairs = Counter(k.split(": ")[1] for t in r.near for k in t.wrong_kinds if "given" in k)
        lines += ["- most frequent: " + "; ".join(f"{k} ({n})" for k, n in pairs.most_common(8))]
    wrong = [t for t in r.near if t.wrong_flags]
    if wrong:
        lines += ["", f"Near-miss names flagged as duplicates ({len(wrong)}, first 10):"]
        lines += [f"- {t.text}" for t in wrong[:10]]
    for title, prof in r.profiles.items():
        lines += ["", f"#### Profile of the {title}", ""]
        lines.append(f"{prof['total_ms']} ms under cProfile; its SQL replayed takes {prof['db_ms']} ms:")
        lines += [f"    {ms:8.1f} ms {rows:5} rows  {sql}" for ms, rows, sql in prof["statements"]]
        lines += ["", "Plan of the slowest statement:", *("    " + x for x in prof["plan"].splitlines())]
        lines += ["", *("    " + x for x in prof["python_profile"].splitlines())]
    return lines


# --- Main ---------------------------------------------------------------------------------------------------
@dataclass
class Built:
    people: int = 0  # built by this run (0: reused)
    seconds: float | None = None
    rss: int = 0
    sizes_before: dict[str, int] = field(default_factory=dict)
    keys_before: int = 0
    rekey_seconds: float | None = None


def ensure_built(args: argparse.Namespace, org: Organisation) -> Built:
    """Build (or reuse) the register. A build stores the romanisation keys only, measures the database,
    then adds the one-slip keys with the application's rebuild, so both sizes come from one run."""
    existing = Person.objects.filter(organisation=org).count()
    if existing > args.n:
        raise SystemExit(f"The database holds {existing:,} benchmark people, more than --n {args.n:,}.")
    if existing == args.n and args.reuse:
        print(f"Reusing the {existing:,} people already built.", flush=True)
        stale = stale_keys(org, random.Random(args.seed))
        built = Built()
        if stale:
            print(
                f"{stale} of 300 people have keys from an older names.py: recomputing all keys…", flush=True
            )
            built.rekey_seconds = in_child(rekey, org.pk, args.batch)
            print(f"Re-keyed in {built.rekey_seconds:,.0f} s.", flush=True)
            analyze(args)
        return built
    start = existing if args.reuse else 0
    if existing and not args.reuse:
        print(f"Deleting {existing:,} benchmark people of an earlier run…", flush=True)
        delete_bench_people(org)
    print(f"Building {args.n - start:,} people in transactions of {args.batch:,}…", flush=True)
    seconds = in_child(build, org.pk, start, args.n, args.batch, args.seed)
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    print(f"Built in {seconds:,.0f} s.", flush=True)
    analyze(args)
    built = Built(args.n - start, seconds, rss)
    built.sizes_before = database_size()
    built.keys_before = PersonNameKey.objects.filter(person__organisation=org).count()
    print(
        f"Before the one-slip keys: {built.keys_before:,} name keys, "
        f"database {mib(built.sizes_before['total'])}; adding them with `crossings people rebuild-keys`…",
        flush=True,
    )
    built.rekey_seconds = in_child(rekey, org.pk, args.batch)
    print(f"Re-keyed in {built.rekey_seconds:,.0f} s.", flush=True)
    analyze(args)
    return built


def analyze(args: argparse.Namespace) -> None:
    """Planner statistics, as PostgreSQL's autovacuum would gather them (SQLite never does by itself)."""
    if args.no_analyze:
        return
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(f"ANALYZE: {time.perf_counter() - t0:.0f} s", flush=True)


def data_stats(org: Organisation) -> dict[str, int]:
    people = Person.objects.filter(organisation=org)
    return {
        "people": people.count(),
        "with_khmer": people.exclude(name_km="").count(),
        "with_alias": PersonName.objects.filter(person__organisation=org).count(),
        "with_a_number": people.exclude(a_number_index="").count(),
        "year_only": people.filter(birth_date_precision__in=["year", "estimated"]).count(),
        "name_keys": PersonNameKey.objects.filter(person__organisation=org).count(),
    }


def key_kinds(org: Organisation) -> dict[str, int]:
    rows = (
        PersonNameKey.objects.filter(person__organisation=org)
        .values_list("kind")
        .annotate(n=Count("id"))
        .order_by("kind")
    )
    return {kind: n for kind, n in rows}


def main() -> None:
    args = ARGS
    engine = connection.vendor
    print(f"Database: {engine} {connection.settings_dict['NAME']}", flush=True)
    call_command("migrate", verbosity=0, interactive=False)
    org, user = bench_org_and_user()
    built = ensure_built(args, org)
    stats = data_stats(org)
    kinds = key_kinds(org)
    print("Data: " + ", ".join(f"{k} {v:,}" for k, v in stats.items()), flush=True)

    rng = random.Random(args.seed)
    samples = load_samples(org, 4 * (args.searches + args.duplicates + args.near_misses) + 2000, rng)
    search_kinds = kinds_for(args.searches, SEARCH_KINDS, rng)
    search_cases = draw(search_kinds, samples, lambda k, s: search_query(k, s, rng))
    used = {s.pk for _, s, _ in search_cases}
    rest = [s for s in samples if s.pk not in used]
    duplicate_kinds = kinds_for(args.duplicates, DUPLICATE_KINDS, rng)
    duplicate_cases = draw(duplicate_kinds, rest, lambda k, s: duplicate_input(k, s, rng))
    used |= {s.pk for _, s, _ in duplicate_cases}
    rest = [s for s in samples if s.pk not in used]
    near_cases = draw(["near miss"] * args.near_misses, rest, lambda k, s: near_miss_input(k, s, rng))
    used |= {s.pk for _, s, _ in near_cases}
    rest = [s for s in samples if s.pk not in used]
    year_cases = draw([YEAR_KIND] * args.year_searches, rest, lambda k, s: year_query(k, s, rng))

    visible = Person.objects.visible_to(user)
    timer = SqlTimer()
    run_searches(visible, search_cases[:20], timer)  # warm-up, not counted
    run_duplicates(visible, duplicate_cases[:20], timer)
    print("Timing searches…", flush=True)
    searches = run_searches(visible, search_cases, timer)
    print("Timing duplicate checks…", flush=True)
    duplicates = run_duplicates(visible, duplicate_cases, timer)
    near = run_duplicates(visible, near_cases, timer, near_miss=True)
    year_searches = run_searches(visible, year_cases, timer)
    measure_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    trgm: list[Timing] = []
    trgm_note = "PostgreSQL only" if engine != "postgresql" else trgm_prepare()
    if not trgm_note:
        print("Timing the same searches through pg_trgm…", flush=True)
        run_trgm(org.pk, search_cases[:20])  # warm-up, not counted
        trgm = run_trgm(org.pk, search_cases)

    print("Diagnosis: database time, candidates, namesakes, profiles…", flush=True)
    for t in [*searches, *duplicates, *near, *year_searches]:
        replay(t)
    for t in [*searches, *year_searches]:
        text = re.sub(r"\b(19|20)[0-9]{2}\b", " ", t.text)  # candidates by name only
        t.candidates = candidate_counts(search_keys(text), SEARCH_STAGES)
    for t, (_, _, data) in zip(duplicates, duplicate_cases, strict=True):
        keys = duplicate_keys(data)
        t.candidates = candidate_counts(keys, DUPLICATE_STAGES)
        t.candidates["born ±1 year"] = windowed_candidates(keys, data.birth_date)
    for t, (_, s, _) in [
        *zip(searches, search_cases, strict=True),
        *zip(year_searches, year_cases, strict=True),
    ]:
        if not t.hit:
            t.miss = search_miss(t, s)
    for t, (_, s, data) in zip(duplicates, duplicate_cases, strict=True):
        if not t.hit:
            t.miss = duplicate_miss(t, s, data)
    counts = namesake_counts(org)
    for t, (_, s, _) in [
        *zip(searches, search_cases, strict=True),
        *zip(duplicates, duplicate_cases, strict=True),
    ]:
        t.namesakes = counts[s.identity]
    slowest = max(searches, key=lambda t: t.ms).text
    median = sorted(searches, key=lambda t: t.ms)[len(searches) // 2].text
    slow_dup = max(range(len(duplicates)), key=lambda i: duplicates[i].ms)
    slow_dup_input = asdict(duplicate_cases[slow_dup][2])
    profiles = {
        f"slowest search, {slowest!r}": profile_call(lambda: matching.search(visible, slowest), timer),
        f"median search, {median!r}": profile_call(lambda: matching.search(visible, median), timer),
        f"slowest duplicate check, {duplicates[slow_dup].text}": profile_call(
            lambda: matching.possible_duplicates(visible, **slow_dup_input), timer
        ),
    }
    results = Results(
        engine, stats, built.people, built.seconds, built.rss, measure_rss, database_size(),
        searches, duplicates, near, year_searches, profiles,
        built.sizes_before, built.keys_before, built.rekey_seconds, kinds, trgm, trgm_note,
        trgm_index_bytes=trgm_index_size() if trgm else 0,
    )  # fmt: skip

    version = connection.Database.sqlite_version if engine == "sqlite" else str(connection.pg_version)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    machine = (
        f"{os.cpu_count()} cores, Python {platform.python_version()}, {engine} {version}, load average {load}"
    )
    report = [
        f"## People: search and duplicate check ({engine}, {stats['people']:,} people)",
        "",
        *summary_table(results),
        "",
        *kind_tables(results),
        "",
        *peer_table(results),
        "",
        f"Command: `{command_line()}`  ",
        f"Machine: {machine}.  ",
        "Code measured: " + ", ".join(f"{name} {sha}" for name, sha in CODE_VERSIONS.items()) + " (sha256).",
    ]
    print("\n" + "\n".join(report) + "\n\n" + "\n".join(diagnosis(results)))
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"people-{engine}-{stats['people']}.json"
    for t in [*searches, *duplicates, *near, *year_searches, *trgm]:
        t.sql = []
    payload = {"report": report, "diagnosis": diagnosis(results), **asdict(results)}
    out.write_text(json.dumps(payload, indent=1, default=str, ensure_ascii=False))
    print(f"\nDetails: {os.path.relpath(out, Path.cwd())}")


if __name__ == "__main__":
    main()
