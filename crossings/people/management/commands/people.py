from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from crossings.people import matching


class Command(BaseCommand):
    help = "People register maintenance: `crossings people rebuild-keys` recomputes every stored name key."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rebuild = sub.add_parser(
            "rebuild-keys",
            help="Recompute the search and duplicate-check keys of every person (idempotent; safe to rerun "
            "after an interruption or after crossings/people/names.py changed).",
        )
        rebuild.add_argument("--batch", type=int, default=2000, help="people per transaction (default 2000)")

    def handle(self, *args: Any, **options: Any) -> None:
        t0 = time.monotonic()
        step = max(options["batch"], 1)

        def progress(done: int, total: int) -> None:
            rate = done / max(time.monotonic() - t0, 1e-6)
            self.stderr.write(f"{done:,} / {total:,} people re-keyed ({rate:,.0f}/s)")

        people, rows = matching.rebuild_all_name_keys(batch=step, progress=progress)
        self.stdout.write(f"{people:,} people, {rows:,} name keys")
