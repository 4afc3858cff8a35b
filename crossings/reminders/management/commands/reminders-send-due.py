from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from crossings.reminders.delivery import send_waiting
from crossings.reminders.scheduling import schedule_due


class Command(BaseCommand):
    help = (
        "Queue the reminders now due (check-ins, hearings and follow-up visits to the people who agreed to "
        "them; legal deadlines to staff), once per event, offset and recipient however often it runs, and "
        "hand over those waiting whose time has come. Run it every hour from cron "
        "(e.g. `5 * * * * crossings reminders send-due`); the worker (`crossings db_worker`) sends them."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        queued = schedule_due()
        waiting = send_waiting()
        self.stdout.write(f"{len(queued)} reminders queued, {len(waiting)} handed to the worker")
