from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from crossings.accompaniment.reminders import queue_due_reminders


class Command(BaseCommand):
    help = (
        "Queue the e-mail reminding each volunteer of the check-in or hearing they accompany today or "
        "tomorrow: one per sign-up, however often it runs. Run daily from cron "
        "(e.g. `0 7 * * * crossings accompaniment remind`); the worker (`crossings db_worker`) sends them."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{len(queue_due_reminders())} reminders queued")
