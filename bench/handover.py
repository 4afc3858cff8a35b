"""Benchmark: what the pre-arrival packets cost a flight's manifest (issue 16 item 6).

Not a test: it measures and prints, and never asserts a time. It builds a reception organisation that
already sees ``--people`` people (referred to it, with consent), a US organisation that announces
``--announced`` of the next flight's passengers by a pre-arrival packet, and a manifest of ``--rows`` rows:
the announced people (spelled as the manifest writes them), some people the reception already knows, and
new ones. It then times the manifest's preview (the matching: packet people first, then everyone the
organisation sees) and the import, with the number of SQL queries, and reports how many rows matched and how
many records the import created. The same run without packets gives the "before" figures.

    CROSSINGS_MODE=test .venv/bin/python bench/handover.py                       # SQLite, bench/var
    CROSSINGS_MODE=test .venv/bin/python bench/handover.py --db postgres

Results are in docs/performance.md ("Pre-arrival packets and the manifest").
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
SQLITE_FILE = Path(__file__).resolve().parent / "var" / "handover.sqlite3"
PG_URL = os.environ.get("CROSSINGS_TEST_PG_URL", "postgres://crossings:crossings@127.0.0.1:5432/crossings")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--people", type=int, default=5000, help="people the reception already sees")
    parser.add_argument("--announced", type=int, default=100, help="passengers announced by a packet")
    parser.add_argument("--rows", type=int, default=300, help="manifest rows")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


ARGS = parse_args()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crossings.settings")
os.environ.setdefault("CROSSINGS_MODE", "test")
URL = (
    f"sqlite:///{SQLITE_FILE}"
    if ARGS.db == "sqlite"
    else PG_URL.rsplit("/", 1)[0] + "/crossings_handover_bench"
)
os.environ["DATABASE_URL"] = URL
from bench.owndb import prepare_own_database  # noqa: E402

prepare_own_database(URL, sqlite_file=SQLITE_FILE, own_name="crossings_handover_bench", fresh=True)
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.khmer_names import FAMILY, GIVEN  # noqa: E402
from crossings.accounts.models import Membership, Organisation, User  # noqa: E402
from crossings.accounts.roles import OrgKind, Role  # noqa: E402
from crossings.people import sharing  # noqa: E402
from crossings.people.matching import rebuild_name_keys  # noqa: E402
from crossings.people.models import Consent, Person, Referral  # noqa: E402
from crossings.reception import handover, services  # noqa: E402
from crossings.reception.models import ArrivalBatch, Packet  # noqa: E402


def person(org: Organisation, rng: random.Random, n: int) -> Person:
    family = rng.choice(FAMILY)
    given = rng.choice(GIVEN)
    p = Person.objects.create(
        organisation=org,
        family_name=family.latin,
        given_name=given.latin,
        birth_date=dt.date(1960 + n % 40, 1 + n % 12, 1 + n % 28),
        sex="male" if n % 2 else "female",
        a_number=f"A-{n:09d}",
    )
    rebuild_name_keys(p)
    return p


def build(with_packets: bool) -> tuple[ArrivalBatch, User, bytes, int]:
    rng = random.Random(ARGS.seed)
    us = Organisation.objects.create(name=f"US {with_packets}", kind=OrgKind.ADVOCACY, country="US")
    pp = Organisation.objects.create(name=f"PP {with_packets}", kind=OrgKind.RECEPTION, country="KH")
    advocate = User.objects.create_user(username=f"adv{with_packets}")
    officer = User.objects.create_user(username=f"off{with_packets}")
    Membership.objects.create(user=advocate, organisation=us, role=Role.CASEWORKER)
    Membership.objects.create(user=officer, organisation=pp, role=Role.CASEWORKER)
    today = timezone.localdate()
    known = [person(us, rng, i) for i in range(ARGS.people)]
    for p in known:  # the reception already sees them: a consent and an accepted referral each
        c = Consent.objects.create(
            person=p, organisation=us, scope="share", shared_with=pp, sections=["journey"], given_on=today
        )
        Referral.objects.create(
            person=p,
            from_organisation=us,
            to_organisation=pp,
            purpose="x",
            consent=c,
            status="accepted",
            created_by=advocate,
            sections=["journey"],
        )
    announced = [person(us, rng, ARGS.people + i) for i in range(ARGS.announced)]
    if with_packets:
        advocate = User.objects.get(pk=advocate.pk)
        for p in announced:
            sharing.record_consent(
                person=p, user=advocate, scope="share", shared_with=pp, sections=["contact"], given_on=today
            )
            handover.prepare_packet(
                person=p,
                to_organisation=pp,
                user=advocate,
                data={"expected_on": today + dt.timedelta(days=5)},
            )
    rows = ["Surname,First name,DOB,Sex,A-Number"]
    for p in announced:
        rows.append(
            f"{p.family_name},{p.given_name},{p.birth_date.isoformat()},{p.sex[0].upper()},{p.a_number}"
        )
    for p in rng.sample(known, min(len(known), (ARGS.rows - ARGS.announced) // 2)):
        rows.append(
            f"{p.family_name},{p.given_name},{p.birth_date.isoformat()},{p.sex[0].upper()},{p.a_number}"
        )
    new_rows = 0
    while len(rows) <= ARGS.rows:
        new_rows += 1
        n = len(rows) + 900_000
        rows.append(f"Newname{n},Given{n},1985-05-0{1 + n % 9},F,")
    batch = ArrivalBatch.objects.create(
        organisation=pp, flight="KH", date=today + dt.timedelta(days=5), created_by=officer
    )
    return batch, User.objects.get(pk=officer.pk), ("\n".join(rows) + "\n").encode(), new_rows


def measure(with_packets: bool) -> dict[str, object]:
    batch, officer, data, new_rows = build(with_packets)
    record = services.store_upload(batch=batch, data=data, filename="m.csv", user=officer)
    visible = Person.objects.visible_to(officer)
    before = Person.objects.count()
    with CaptureQueriesContext(connection) as q1:
        t = time.perf_counter()
        preview = services.preview(record, visible)
        t_preview = time.perf_counter() - t
    with CaptureQueriesContext(connection) as q2:
        t = time.perf_counter()
        report = services.run_import(record=record, visible=visible, user=officer)
        t_import = time.perf_counter() - t
    return {
        "packets": with_packets,
        "rows": len(preview.rows),
        "matched": report["matched"],
        "created": report["created"],
        "second records of announced people": Person.objects.count() - before - new_rows,
        "packets on the flight": Packet.objects.filter(arrival__batch=batch).count(),
        "preview s": round(t_preview, 2),
        "preview queries": len(q1.captured_queries),
        "import s": round(t_import, 2),
        "import queries": len(q2.captured_queries),
    }


def main() -> None:
    print(
        f"Database: {connection.vendor}; {ARGS.people:,} people seen, "
        f"{ARGS.announced} announced, {ARGS.rows} rows"
    )
    call_command("migrate", verbosity=0, interactive=False)
    for with_packets in (False, True):
        print(measure(with_packets), flush=True)


if __name__ == "__main__":
    main()
