from __future__ import annotations

import datetime as dt
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from crossings import exports
from crossings.legal import deadlines as engine


class Command(BaseCommand):
    help = (
        "Print the deadlines an event starts, as CSV action,due_date,rule,citation "
        "(e.g. `crossings deadlines --event ij_decision --date 2026-11-25`). " + engine.NOT_LEGAL_ADVICE
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--event", required=True, choices=engine.TRIGGERS)
        parser.add_argument("--date", required=True, help="YYYY-MM-DD")
        parser.add_argument("--outcome", default=None, help="e.g. removal_ordered (default) or dismissed")
        parser.add_argument("--in-absentia", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            date = dt.date.fromisoformat(options["date"])
        except ValueError as exc:
            raise CommandError(f"--date must be YYYY-MM-DD, not {options['date']!r}.") from exc
        computed = engine.preview(
            trigger=options["event"],
            date=date,
            outcome=options["outcome"],
            in_absentia=options["in_absentia"],
        )
        writer = exports.csv_writer(self.stdout if self.stdout else sys.stdout, lineterminator="\n")
        writer.writerow(["action", "due_date", "rule", "citation"])
        for item in computed:
            writer.writerow(
                [
                    item.rule.action,
                    item.due.isoformat() if item.due else "no time limit",
                    item.rule.code,
                    item.rule.citation,
                ]
            )
        self.stderr.write(engine.NOT_LEGAL_ADVICE)
