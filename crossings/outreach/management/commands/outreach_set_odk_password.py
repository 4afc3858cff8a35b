"""Give an outreach worker a password for ODK Collect (stored only as a Digest HA1)."""

from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from crossings.accounts.models import Organisation, User
from crossings.outreach.odk.auth import set_credential


class Command(BaseCommand):
    help = "Set the ODK Collect (OpenRosa) password of a user for one organisation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("organisation", help="organisation name")
        parser.add_argument("--password-stdin", action="store_true", help="read the password from stdin")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["username"])
            org = Organisation.objects.get(name=options["organisation"])
        except (User.DoesNotExist, Organisation.DoesNotExist) as exc:
            raise CommandError(str(exc)) from exc
        password = input() if options["password_stdin"] else getpass.getpass("ODK password: ")
        try:
            set_credential(user=user, organisation=org, password=password, by=None)
        except (ValueError, PermissionError) as exc:
            raise CommandError(str(exc)) from exc
        except Exception as exc:  # PermissionDenied: no outreach role there
            raise CommandError(str(exc) or "This user has no outreach role in that organisation.") from exc
        self.stdout.write(f"ODK password set for user id {user.pk}.")
