"""Benchmark: the home page of a caseworker and of a legal advocate with thousands of due items, over a
register of 1,000,000 people (issue 13, "Bad input": the home stays paged and within the page budget).

Not a test: it measures and prints, and never asserts a time. It builds N people of one organisation
(bulk inserts, without the name keys search needs: the home never searches), then one caseworker's load:
``--tasks`` open cases with a task each (due from a month ago to a month ahead), ``--deadlines`` court
events with an open deadline each, ``--detained`` people detained now; then times ``GET /`` for the
caseworker and for a legal advocate of the organisation (p50/p95 over --repeat runs after a warm-up) and
counts its queries.

    CROSSINGS_MODE=test .venv/bin/python bench/homes.py                  # SQLite, var/bench-homes.sqlite3
    CROSSINGS_MODE=test .venv/bin/python bench/homes.py --db postgres    # database crossings_bench_homes
    CROSSINGS_MODE=test .venv/bin/python bench/homes.py --reuse          # time again on the built data
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import django

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

SQLITE_FILE = PROJECT_DIR / "var" / "bench-homes.sqlite3"
PG_URL = "postgres://crossings:crossings@127.0.0.1:5432/crossings_bench_homes"
PG_OWN_DATABASE = "crossings_bench_homes"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="people in the register (default 1,000,000)")
    parser.add_argument("--tasks", type=int, default=3000)
    parser.add_argument("--deadlines", type=int, default=2000)
    parser.add_argument("--detained", type=int, default=500)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--reuse", action="store_true", help="keep the data when the database holds N people")
    parser.add_argument("--repeat", type=int, default=20, help="timed runs of each home page")
    parser.add_argument("--batch", type=int, default=10_000)
    return parser.parse_args(argv)


from bench.owndb import prepare_own_database  # noqa: E402

ARGS = parse_args()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crossings.settings")
os.environ.setdefault("CROSSINGS_MODE", "test")
DATABASE_URL = PG_URL if ARGS.db == "postgres" else f"sqlite:///{SQLITE_FILE}"
os.environ["DATABASE_URL"] = DATABASE_URL
prepare_own_database(DATABASE_URL, sqlite_file=SQLITE_FILE, own_name=PG_OWN_DATABASE, fresh=not ARGS.reuse)
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from crossings.accounts.models import Membership, Organisation, User  # noqa: E402
from crossings.accounts.roles import OrgKind, Role  # noqa: E402
from crossings.cases.models import Case, Task  # noqa: E402
from crossings.legal.models import CourtEvent, Deadline, Detention, Proceeding  # noqa: E402
from crossings.people.models import Person  # noqa: E402
from tests.conftest import verified_client  # noqa: E402

FAMILY = ["Sok", "Chea", "Meas", "Prak", "Keo", "Chhun", "Lim", "Heng", "Kim", "Nuon", "Ouk", "Sam"]
GIVEN = ["Dara", "Vuthy", "Phalla", "Chenda", "Sophea", "Vannak", "Sreymom", "Rithy", "Bopha", "Sokha"]


def people_of(org: Organisation) -> int:
    return Person.objects.filter(organisation=org).count()


def build_people(org: Organisation, n: int, batch: int) -> float:
    rng = random.Random(20261204)
    started = time.perf_counter()
    for lo in range(0, n, batch):
        with transaction.atomic():
            Person.objects.bulk_create(
                [
                    Person(
                        organisation=org,
                        family_name=rng.choice(FAMILY),
                        given_name=rng.choice(GIVEN),
                        sex=rng.choice(["male", "female"]),
                        birth_date=dt.date(
                            1960 + rng.randrange(40), 1 + rng.randrange(12), 1 + rng.randrange(28)
                        ),
                    )
                    for _ in range(min(batch, n - lo))
                ],
                batch_size=2000,
            )
        if (lo + batch) % 100_000 == 0:
            print(f"  {lo + batch:,} / {n:,} people, {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return time.perf_counter() - started


def build_caseload(org: Organisation, worker: User, advocate: User) -> None:
    today = timezone.localdate()
    ids = list(
        Person.objects.filter(organisation=org).order_by("id").values_list("id", flat=True)[: ARGS.tasks]
    )
    with transaction.atomic():
        cases = Case.objects.bulk_create(
            [
                Case(organisation=org, person_id=i, programme=Case.Programme.LEGAL_DEFENCE, owner=worker)
                for i in ids
            ]
        )
        Task.objects.bulk_create(
            [
                Task(
                    case=c,
                    title=f"Call witness {k}",
                    due_on=today + dt.timedelta(days=k % 61 - 30),
                    assignee=worker,
                    created_by=worker,
                )
                for k, c in enumerate(cases)
            ]
        )
        proceedings = Proceeding.objects.bulk_create(
            [Proceeding(organisation=org, person_id=i, court="Tacoma") for i in ids[: ARGS.deadlines]]
        )
        events = CourtEvent.objects.bulk_create(
            [
                CourtEvent(
                    proceeding=p, kind=CourtEvent.Kind.IJ_DECISION, date=today - dt.timedelta(days=k % 25)
                )
                for k, p in enumerate(proceedings)
            ]
        )
        # A deadline reaches an advocate's home through its task (legal.services makes one per deadline).
        deadline_tasks = Task.objects.bulk_create(
            [
                Task(case=c, title="Appeal to the BIA", due_on=today, assignee=advocate, created_by=worker)
                for c in cases[: len(events)]
            ]
        )
        Deadline.objects.bulk_create(
            [
                Deadline(
                    person_id=e.proceeding.person_id,
                    organisation=org,
                    trigger=e,
                    rule_code="bia_appeal",
                    action="Appeal to the BIA",
                    citation="8 CFR 1003.38(b)",
                    due_on=e.date + dt.timedelta(days=30),
                    task=t,
                )
                for e, t in zip(events, deadline_tasks, strict=True)
            ]
        )
        Detention.objects.bulk_create(
            [
                Detention(
                    organisation=org,
                    person_id=i,
                    facility="Tacoma NWDC",
                    started_on=today - dt.timedelta(days=k),
                )
                for k, i in enumerate(ids[: ARGS.detained])
            ]
        )


def timed(client: object, repeat: int, shows: str) -> dict[str, float]:
    get = client.get  # type: ignore[attr-defined]
    first = get("/")  # warm-up, and proof that the page holds the load
    assert first.status_code == 200 and shows in first.content.decode(), shows
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = get("/")
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        get("/")
    times.sort()
    return {
        "p50": statistics.median(times),
        "p95": times[min(len(times) - 1, round(0.95 * len(times)) - 1)],
        "queries": len(queries),
    }


def main() -> int:
    call_command("migrate", verbosity=0)
    org, _ = Organisation.objects.get_or_create(
        name="Bench advocates (bench/homes.py)", kind=OrgKind.ADVOCACY
    )
    worker, _ = User.objects.get_or_create(username="bench-home-caseworker")
    advocate, _ = User.objects.get_or_create(username="bench-home-advocate")
    Membership.objects.get_or_create(user=worker, organisation=org, role=Role.CASEWORKER)
    Membership.objects.get_or_create(user=advocate, organisation=org, role=Role.LEGAL_ADVOCATE)
    have = people_of(org)
    built = 0.0
    if have != ARGS.n:
        if have:
            print(
                f"the database holds {have:,} people, not {ARGS.n:,}: rebuild without --reuse",
                file=sys.stderr,
            )
            return 2
        built = build_people(org, ARGS.n, ARGS.batch)
        build_caseload(org, worker, advocate)
    results = {}
    for label, user, shows in (
        ("caseworker", worker, "Call witness"),
        ("legal advocate", advocate, "Appeal to the BIA"),
    ):
        results[label] = timed(verified_client(user), ARGS.repeat, shows)
        reset_queries()
        r = results[label]
        print(
            f"  home of the {label}: p50 {r['p50']:.0f} ms, p95 {r['p95']:.0f} ms, {r['queries']} queries",
            file=sys.stderr,
        )
    print(f"\n### Homes — {connection.vendor}, {people_of(org):,} people\n")
    print(
        f"One caseworker's load: {Task.objects.filter(assignee=worker).count():,} tasks assigned to them, "
        f"{Deadline.objects.filter(organisation=org).count():,} open deadlines, "
        f"{Detention.objects.filter(organisation=org, ended_on=None).count():,} people detained now. "
        + (f"Built in {built:.0f} s. " if built else "")
        + f"{ARGS.repeat} timed runs after a warm-up.\n"
    )
    print("| home | p50 ms | p95 ms | queries |\n|---|---:|---:|---:|")
    for label, r in results.items():
        print(f"| {label} | {r['p50']:.0f} | {r['p95']:.0f} | {r['queries']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
