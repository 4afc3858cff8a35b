from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from crossings.legal.digests import send_digests


class Command(BaseCommand):
    help = (
        "E-mail each user their deadlines of the next 14 days and everything overdue. Run daily from cron "
        "(e.g. `0 6 * * * crossings send-digests`)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{send_digests()} digests sent")
