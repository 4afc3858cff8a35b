"""Check the running stock balances against the ledger, and with --repair recompute them from it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from crossings.outreach import supplies
from crossings.outreach.models import Site


class Command(BaseCommand):
    help = (
        "Compare every site's running stock balances with its ledger added up; --repair recomputes the "
        "balances that differ (for example after lines were written outside the application)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repair", action="store_true", help="recompute the balances from the ledger")

    def handle(self, *args: Any, **options: Any) -> None:
        ids = list(Site.objects.values_list("id", flat=True))
        wrong = supplies.balance_differences(ids)
        for (site_id, item), (running, ledger) in sorted(wrong.items()):
            self.stdout.write(f"site {site_id} {item}: running balance {running}, ledger {ledger}")
        if not wrong:
            self.stdout.write(f"{len(ids)} sites: every running balance equals its ledger.")
            return
        if not options["repair"]:
            raise CommandError(f"{len(wrong)} balances differ from the ledger; run again with --repair.")
        supplies.rebuild_balances(ids)
        self.stdout.write(f"{len(wrong)} balances recomputed from the ledger.")
