"""Benchmark: outreach indicators, breakdowns, reports and the supplies ledger over a large programme.

Not a test: it measures and prints, and never asserts a time. It

1. builds N synthetic encounters (default 1,000,000) of one organisation over the last four years: 30
   outreach workers, 8 sites, a pool of clients seen with a skewed frequency (a few weekly, most a handful
   of times), the key-population, sex, age, supplies, HIV-test and referral mix of a Phnom Penh programme,
   and the stock movements those encounters draw (plus monthly deliveries), as ``record_encounter`` would;
2. times, as an outreach worker of that organisation (p50/p95 over --repeat runs after one warm-up):
   ``indicators.compute`` for a month, a quarter and a year; the month/site/worker breakdowns for a
   quarter; the indicators page (GET /outreach/indicators/, rendered: the headline figures) and each breakdown
   table it then fetches; the quarterly donor report
   (XLSX: the quarter and each month); the outreach home page (stock warnings over the whole ledger); the
   reconciliation report for a quarter; plus query counts, peak memory and database size.

    CROSSINGS_MODE=test .venv/bin/python bench/indicators.py                 # SQLite, var/
    CROSSINGS_MODE=test .venv/bin/python bench/indicators.py --db postgres
    CROSSINGS_MODE=test .venv/bin/python bench/indicators.py --reuse         # keep the built data

SQLite goes to var/bench-outreach.sqlite3, PostgreSQL to the database crossings_bench_outreach (the only
database this script drops and recreates). The figures and their reading are in docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import resource
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import django

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

SQLITE_FILE = PROJECT_DIR / "var" / "bench-outreach.sqlite3"
PG_URL = "postgres://crossings:crossings@127.0.0.1:5432/crossings_bench_outreach"
PG_OWN_DATABASE = "crossings_bench_outreach"
RESULTS_DIR = PROJECT_DIR / "bench" / "results"
ORG_NAME = "Benchmark outreach programme (bench/indicators.py)"
USERNAME = "bench-outreach-worker"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="number of encounters (default 1,000,000)")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the data when the database holds N encounters"
    )
    parser.add_argument("--repeat", type=int, default=7, help="timed runs of each operation")
    parser.add_argument("--batch", type=int, default=20_000, help="encounters per insert transaction")
    parser.add_argument("--seed", type=int, default=20261128)
    return parser.parse_args(argv)


from bench.owndb import prepare_own_database  # noqa: E402

# --- Django set-up (before any model import) -------------------------------------------------------------
ARGS = parse_args()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crossings.settings")
os.environ.setdefault("CROSSINGS_MODE", "test")
DATABASE_URL = PG_URL if ARGS.db == "postgres" else f"sqlite:///{SQLITE_FILE}"
os.environ["DATABASE_URL"] = DATABASE_URL
prepare_own_database(DATABASE_URL, sqlite_file=SQLITE_FILE, own_name=PG_OWN_DATABASE, fresh=not ARGS.reuse)
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.test import Client as HttpClient  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from crossings.accounts.models import Membership, Organisation, User  # noqa: E402
from crossings.accounts.roles import OrgKind, Role  # noqa: E402
from crossings.outreach import followup, indicators, report, supplies  # noqa: E402
from crossings.outreach.encounters import age_band  # noqa: E402
from crossings.outreach.indicators import Period  # noqa: E402
from crossings.outreach.models import Client, Encounter, Site, StockMovement  # noqa: E402
from crossings.outreach.odk.media import media_file  # noqa: E402
from crossings.outreach.odk.xlsforms import CLIENTS_DUE_CSV  # noqa: E402

# --- The synthetic programme ----------------------------------------------------------------------------
WORKERS = 30
SITES = [
    ("Drop-in Boeung Keng Kang", "Chamkar Mon"),
    ("Drop-in Tuol Kork", "Tuol Kouk"),
    ("Office Russey Keo", "Russey Keo"),
    ("Hot spot Phsar Thmei", "Daun Penh"),
    ("Hot spot Chbar Ampov", "Chbar Ampov"),
    ("Hot spot Steung Meanchey", "Meanchey"),
    ("Drop-in Sen Sok", "Sen Sok"),
    ("Hot spot Boeng Tumpun", "Meanchey"),
]
KEY_POPULATION = (["pwid"] * 45) + (["pwud"] * 38) + (["sw"] * 12) + (["other"] * 5)
SEX = (["male"] * 78) + (["female"] * 20) + (["unknown"] * 2)
ENCOUNTERS_PER_CLIENT = 12  # mean; the pool size follows from N
DAYS = 4 * 365


def _client_codes(rng: random.Random, count: int) -> list[tuple[str, str, str, dt.date]]:
    """(uic, sex, key population, birth date) for ``count`` distinct clients."""
    seen: set[str] = set()
    out = []
    letters = "ABCDEKLMNPRSTV"
    while len(out) < count:
        born = dt.date(1965, 1, 1) + dt.timedelta(days=rng.randrange(40 * 365))
        order = rng.choice([1, 2, 3, 4, 5, 99])
        code = (
            rng.choice(letters)
            + rng.choice(letters)
            + rng.choice(letters)
            + rng.choice(letters)
            + f"{order:02d}"
            + born.strftime("%d%m%Y")
        )
        if code in seen:
            continue
        seen.add(code)
        out.append((code, rng.choice(SEX), rng.choice(KEY_POPULATION), born))
    return out


def bench_org() -> tuple[Organisation, User, list[User], list[Site]]:
    org, _ = Organisation.objects.get_or_create(
        name=ORG_NAME, defaults={"kind": OrgKind.OUTREACH, "country": "KH"}
    )
    viewer = User.objects.filter(username=USERNAME).first() or User.objects.create_user(
        USERNAME, password=None
    )
    Membership.objects.get_or_create(user=viewer, organisation=org, role=Role.OUTREACH_WORKER)
    workers = []
    for i in range(WORKERS):
        user = User.objects.filter(username=f"bench-worker-{i:02d}").first() or User.objects.create_user(
            f"bench-worker-{i:02d}", password=None
        )
        Membership.objects.get_or_create(user=user, organisation=org, role=Role.OUTREACH_WORKER)
        workers.append(user)
    sites = [
        Site.objects.get_or_create(organisation=org, name=name, defaults={"district": district})[0]
        for name, district in SITES
    ]
    return org, viewer, workers, sites


def build(org: Organisation, workers: list[User], sites: list[Site], n: int, batch: int, seed: int) -> float:
    """Insert the clients, encounters and stock movements with plain executemany (the generator, not the
    code under test). Returns seconds taken."""
    started = time.perf_counter()
    rng = random.Random(seed)
    today = dt.date.today()
    first_day = today - dt.timedelta(days=DAYS)
    pool = _client_codes(rng, max(1, n // ENCOUNTERS_PER_CLIENT))
    # Skewed frequency: a client's weight is 1/rank^0.8, so a few are seen weekly and most rarely.
    weights = [1 / (rank + 1) ** 0.8 for rank in range(len(pool))]
    picks = rng.choices(range(len(pool)), weights=weights, k=n)
    now = connection.ops.adapt_datetimefield_value(dt.datetime.now(dt.UTC))
    qn = connection.ops.quote_name
    day_of = connection.ops.adapt_datefield_value

    seen: dict[int, tuple[dt.date, dt.date]] = {}
    encounters: list[tuple[Any, ...]] = []
    for index in picks:
        day = first_day + dt.timedelta(days=rng.randrange(DAYS))
        first, last = seen.get(index, (day, day))
        seen[index] = (min(first, day), max(last, day))
        encounters.append((index, day))
    encounters.sort(key=lambda e: e[1])

    with transaction.atomic(), connection.cursor() as cur:
        rows = []
        for index, (first, last) in seen.items():
            code, sex, kp, born = pool[index]
            band = age_band(born, last)
            rows.append((org.pk, code, sex, band, kp, rng.choice(SITES)[1], day_of(first), day_of(last)))
        cur.executemany(
            f"INSERT INTO {qn(Client._meta.db_table)} (organisation_id, uic, sex, age_band, key_population, "  # noqa: S608
            "district, first_seen, last_seen) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            rows,
        )
        cur.execute(f"SELECT uic, id FROM {qn(Client._meta.db_table)} WHERE organisation_id = %s", [org.pk])  # noqa: S608
        client_ids = dict(cur.fetchall())

    enc_table, stock_table = qn(Encounter._meta.db_table), qn(StockMovement._meta.db_table)
    enc_columns = (
        "organisation_id, client_id, date, worker_id, site_id, province, district, commune, hot_spot, "
        "needles_syringes, condoms, naloxone, swabs, hiv_test, referral, referral_completed, source, "
        "sex, age_band, key_population, created_at, updated_at"
    )
    enc_sql = f"INSERT INTO {enc_table} ({enc_columns}) VALUES ({', '.join(['%s'] * 22)})"  # noqa: S608
    stock_columns = (
        "organisation_id, site_id, item, kind, quantity, date, encounter_id, note, recorded_by_id, created_at"
    )
    stock_sql = f"INSERT INTO {stock_table} ({stock_columns}) VALUES ({', '.join(['%s'] * 10)})"  # noqa: S608
    cur_enc_id = 0
    for start in range(0, n, batch):
        chunk = encounters[start : start + batch]
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {enc_table}")  # noqa: S608
            cur_enc_id = int(cur.fetchone()[0])
            enc_rows, stock_rows = [], []
            for offset, (index, day) in enumerate(chunk, start=1):
                code, sex, kp, born = pool[index]
                site = rng.choice(sites) if rng.random() < 0.9 else None
                worker = rng.choice(workers)
                ns = rng.choice([0, 10, 20, 30, 40, 60]) if kp == "pwid" else 0
                condoms = rng.choice([0, 0, 5, 10, 20])
                naloxone = 1 if kp in ("pwid", "pwud") and rng.random() < 0.05 else 0
                swabs = ns if rng.random() < 0.8 else 0
                test = rng.choices(["not_done", "non_reactive", "reactive"], weights=[85, 14, 1])[0]
                referral = rng.choices(
                    ["", "ost", "hiv_treatment", "tb", "shelter", "detox"], weights=[80, 7, 4, 3, 3, 3]
                )[0]
                completed = bool(referral) and rng.random() < 0.55
                enc_rows.append(
                    (
                        org.pk,
                        client_ids[code],
                        day_of(day),
                        worker.pk,
                        site.pk if site else None,
                        "Phnom Penh",
                        site.district if site else rng.choice(SITES)[1],
                        "",
                        "",
                        ns,
                        condoms,
                        naloxone,
                        swabs,
                        test,
                        referral,
                        completed,
                        "odk",
                        sex,
                        age_band(born, day),
                        kp,
                        now,
                        now,
                    )
                )
                if site is not None:
                    # Encounter ids are given in insert order within this transaction (one writer).
                    enc_id = cur_enc_id + offset
                    drawn = {
                        "needles_syringes": ns,
                        "condoms": condoms,
                        "naloxone": naloxone,
                        "swabs": swabs,
                        "hiv_test_kits": 0 if test == "not_done" else 1,
                    }
                    stock_rows.extend(
                        (org.pk, site.pk, item, "distributed", qty, day_of(day), enc_id, "", worker.pk, now)
                        for item, qty in drawn.items()
                        if qty
                    )
            cur.executemany(enc_sql, enc_rows)
            cur.execute(f"SELECT MIN(id), MAX(id) FROM {enc_table} WHERE id > %s", [cur_enc_id])  # noqa: S608
            low, high = cur.fetchone()
            assert (low, high) == (cur_enc_id + 1, cur_enc_id + len(chunk)), "encounter ids not contiguous"
            cur.executemany(stock_sql, stock_rows)
        print(f"  built {min(start + batch, n):,} / {n:,} encounters", file=sys.stderr, end="\r")
    # Monthly deliveries to every site, so the ledger has inbound lines as in life.
    with transaction.atomic(), connection.cursor() as cur:
        month = first_day.replace(day=1)
        deliveries = []
        while month <= today:
            for site in sites:
                for item, qty in (
                    ("needles_syringes", 6000),
                    ("condoms", 3000),
                    ("naloxone", 40),
                    ("swabs", 6000),
                    ("hiv_test_kits", 150),
                ):
                    deliveries.append(
                        (org.pk, site.pk, item, "received", qty, day_of(month), None, "", workers[0].pk, now)
                    )
            month = (month + dt.timedelta(days=32)).replace(day=1)
        cur.executemany(stock_sql, deliveries)
    print(file=sys.stderr)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    else:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    return time.perf_counter() - started


# --- Timing ---------------------------------------------------------------------------------------------
def timed(fn: Callable[[], Any], repeat: int) -> dict[str, Any]:
    fn()  # warm-up: caches, first compilation
    times, queries = [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        queries = len(captured)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return {"p50_ms": statistics.median(times) * 1000, "p95_ms": p95 * 1000, "queries": queries}


def database_size() -> int:
    if connection.vendor == "sqlite":
        return sum(
            Path(f"{SQLITE_FILE}{s}").stat().st_size
            for s in ("", "-wal")
            if Path(f"{SQLITE_FILE}{s}").exists()
        )
    with connection.cursor() as cur:
        cur.execute("SELECT pg_database_size(current_database())")
        return int(cur.fetchone()[0])


def main() -> int:
    call_command("migrate", verbosity=0)
    org, viewer, workers, sites = bench_org()
    have = Encounter.objects.filter(organisation=org).count()
    built = 0.0
    if have != ARGS.n:
        if have:
            print(
                f"the database holds {have:,} encounters, not {ARGS.n:,}: rebuild without --reuse",
                file=sys.stderr,
            )
            return 2
        built = build(org, workers, sites, ARGS.n, ARGS.batch, ARGS.seed)
    # The generator writes ledger lines with plain SQL, past services: fill the running balances as the
    # application keeps them (and check them on a reused database).
    site_ids = [site.pk for site in sites]
    if supplies.balance_differences(site_ids):
        supplies.rebuild_balances(site_ids)
        print("  running balances recomputed from the ledger", file=sys.stderr)
    # Likewise the clients' follow-up facts (crossings.outreach.followup), as the migration fills them.
    refreshed = 0.0
    if Client.objects.filter(organisation=org, last_worker=None).exists():
        started = time.perf_counter()
        followup.refresh(Client.objects.filter(organisation=org).values_list("pk", flat=True))
        refreshed = time.perf_counter() - started
        print(f"  follow-up facts of every client refreshed in {refreshed:.1f} s", file=sys.stderr)
    counts = {
        "encounters": Encounter.objects.filter(organisation=org).count(),
        "clients": Client.objects.filter(organisation=org).count(),
        "stock_movements": StockMovement.objects.filter(organisation=org).count(),
    }
    today = dt.date.today()
    last_month = today.replace(day=1) - dt.timedelta(days=1)  # the last complete month and quarter
    month = Period.month(last_month.year, last_month.month)
    before = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1) - dt.timedelta(days=1)
    q = (before.month - 1) // 3 + 1
    quarter = Period.quarter(before.year, q)
    year = Period(today - dt.timedelta(days=364), today)
    scoped = Encounter.objects.visible_to(viewer)

    http = HttpClient()
    http.force_login(viewer)
    page_url = f"/outreach/indicators/?quarter={before.year}-Q{q}"

    def page() -> None:
        response = http.get(page_url)
        assert response.status_code == 200, response.status_code

    def table(by: str) -> Callable[[], None]:  # one breakdown table, as the page fetches it after loading
        def fetch() -> None:
            response = http.get(
                f"/outreach/indicators/by/{by}/?quarter={before.year}-Q{q}", headers={"HX-Request": "true"}
            )
            assert response.status_code == 200, response.status_code

        return fetch

    def month_page() -> None:  # what the page shows when opened without choosing a period
        response = http.get(f"/outreach/indicators/?month={month.start:%Y-%m}")
        assert response.status_code == 200, response.status_code

    def home() -> None:
        response = http.get("/outreach/")
        assert response.status_code == 200, response.status_code

    def today_page() -> None:  # the home page's blocks, the clients due a follow-up among them
        response = http.get("/")
        assert response.status_code == 200, response.status_code

    ops: dict[str, Callable[[], Any]] = {
        "compute, one month": lambda: indicators.compute(scoped, month),
        "compute, one quarter": lambda: indicators.compute(scoped, quarter),
        "compute, last 12 months": lambda: indicators.compute(scoped, year),
        "breakdown by month, quarter": lambda: indicators.breakdown(scoped, quarter, "month"),
        "breakdown by site, quarter": lambda: indicators.breakdown(scoped, quarter, "site"),
        "breakdown by worker, quarter": lambda: indicators.breakdown(scoped, quarter, "worker"),
        "indicators page (month, rendered)": month_page,
        "indicators page (quarter, rendered)": page,
        "table by month, quarter (page's 2nd request)": table("month"),
        "table by site, quarter (page's 3rd request)": table("site"),
        "table by worker, quarter (page's 4th request)": table("worker"),
        "donor report XLSX (quarter + 3 months)": lambda: report.quarterly_xlsx(scoped, quarter),
        "outreach home (stock warnings, whole ledger)": home,
        "reconciliation, quarter, 8 sites": lambda: supplies.reconciliation(
            sites, quarter.start, quarter.end
        ),
        "clients due a follow-up, organisation": lambda: followup.due_clients(
            organisation_id=org.pk, today=today
        ),
        "clients due a follow-up, one worker's sites": lambda: followup.due_clients(
            organisation_id=org.pk, worker=workers[0], today=today
        ),
        "clients_due.csv for one worker's phone": lambda: media_file(org.pk, CLIENTS_DUE_CSV, workers[0]),
        "home page / (today blocks, clients due)": today_page,
    }
    results: dict[str, dict[str, Any]] = {}
    for label, fn in ops.items():
        results[label] = timed(fn, ARGS.repeat)
        reset_queries()
        r = results[label]
        print(
            f"  {label}: p50 {r['p50_ms']:.0f} ms, p95 {r['p95_ms']:.0f} ms, {r['queries']} queries",
            file=sys.stderr,
        )
    ind = indicators.compute(scoped, quarter)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"\n### Outreach indicators — {connection.vendor}, {counts['encounters']:,} encounters\n")
    print(
        f"{counts['clients']:,} clients, {counts['stock_movements']:,} stock movements, {WORKERS} workers, "
        f"{len(sites)} sites, four years; quarter measured {quarter.start}–{quarter.end} "
        f"({ind.encounters:,} encounters, {ind.clients_reached:,} clients). "
        + (f"Built in {built:.0f} s. " if built else "")
        + f"Database {database_size() / 1e6:.0f} MB; peak memory {peak_mb:.0f} MB; "
        f"{ARGS.repeat} timed runs each after a warm-up; {platform.python_version()}, "
        f"{os.cpu_count()} CPUs.\n"
    )
    print("| operation | p50 ms | p95 ms | queries |")
    print("|---|---:|---:|---:|")
    for label, r in results.items():
        print(f"| {label} | {r['p50_ms']:.0f} | {r['p95_ms']:.0f} | {r['queries']} |")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"indicators-{connection.vendor}-{ARGS.n}.json"
    out.write_text(
        json.dumps({"counts": counts, "built_s": built, "peak_mb": peak_mb, "results": results}, indent=2)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
