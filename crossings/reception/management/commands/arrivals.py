from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from crossings.accounts.management.commands.user import find_org
from crossings.accounts.models import User
from crossings.accounts.roles import Cap
from crossings.people.models import Person
from crossings.reception import manifest, services
from crossings.reception.models import ArrivalBatch


class Command(BaseCommand):
    help = (
        "Import a flight manifest: `crossings arrivals import FILE --org ORG --flight F --date YYYY-MM-DD "
        "[--username U] [--only-valid]`. All or nothing: any bad row stops the import, prints the report and "
        "exits non-zero."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Import a CSV or XLSX manifest into a flight (created if new).")
        imp.add_argument("file")
        imp.add_argument("--org", required=True, help="Organisation id or name")
        imp.add_argument("--flight", required=True)
        imp.add_argument("--date", required=True, help="Arrival date, YYYY-MM-DD")
        imp.add_argument("--expected", type=int, default=0)
        imp.add_argument(
            "--username", help="Whose import this is (default: the organisation's first caseworker)"
        )
        imp.add_argument(
            "--only-valid", action="store_true", help="Import the valid rows even if others are bad"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        org = find_org(options["org"])
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        try:
            date = dt.date.fromisoformat(options["date"])
        except ValueError as exc:
            raise CommandError(f"--date must be YYYY-MM-DD, not {options['date']!r}.") from exc
        user = self._user(org.pk, options.get("username"))
        try:
            with transaction.atomic():
                batch, _created = ArrivalBatch.objects.get_or_create(
                    organisation=org,
                    flight=options["flight"],
                    date=date,
                    defaults={"expected": options["expected"], "created_by": user},
                )
                record = services.store_upload(
                    batch=batch, data=path.read_bytes(), filename=path.name, user=user
                )
                visible = Person.objects.visible_to(user)
                preview = services.preview(record, visible)
                if preview.errors and not options["only_valid"]:
                    for row, field, message in preview.errors:
                        where = f"row {row}, " if row else ""
                        self.stderr.write(f"{where}{field}: {message}")
                    raise CommandError(
                        f"{len(preview.errors)} problems in {path.name}; nothing was imported."
                    )
                report = services.run_import(
                    record=record, visible=visible, user=user, only_valid=options["only_valid"]
                )
        except (manifest.ManifestError, ValidationError) as exc:
            raise CommandError(str(exc)) from exc
        for row in report["rows"]:
            self.stdout.write(f"row {row['row']}: {row['result']}")
        self.stdout.write(
            f"{report['created']} new, {report['matched']} matched, "
            f"{report['already_on_flight']} already on this flight"
        )

    def _user(self, org_id: int, username: str | None) -> User:
        if username:
            user = User.objects.filter(username=username, is_active=True).first()
            if user is None or not user.scope.can(Cap.PEOPLE_EDIT, org_id):
                raise CommandError(f"{username!r} is not an active caseworker of this organisation.")
            return user
        for user in User.objects.filter(memberships__organisation_id=org_id, is_active=True).distinct():
            if user.scope.can(Cap.PEOPLE_EDIT, org_id):
                return user
        raise CommandError("The organisation has no caseworker to attribute the import to; pass --username.")
