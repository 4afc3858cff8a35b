"""Decrypt the stored submissions of encrypted forms with the supervisor's private key, then record them."""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from crossings.accounts.models import Organisation
from crossings.outreach.odk.decrypt import decrypt_pending, load_private_key

PASSPHRASE_ENV = "CROSSINGS_ODK_KEY_PASSPHRASE"  # noqa: S105 - the name of a variable


class Command(BaseCommand):
    help = (
        "Decrypt every stored encrypted ODK submission with the form's private key (PEM; never stored) and "
        "record it like a plain submission. Safe to run again: recorded submissions are not touched, and "
        "those refused by a wrong key are tried again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--key", type=Path, required=True, help="the RSA private key, PEM")
        parser.add_argument("--org", help="only this organisation (name)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            pem = options["key"].read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read the key: {exc}") from exc
        try:
            key = load_private_key(pem)
        except ValueError as exc:
            if "encrypted" not in str(exc) and "Password" not in str(exc):
                raise CommandError(str(exc)) from exc
            passphrase = os.environ.get(PASSPHRASE_ENV) or getpass.getpass("Passphrase of the private key: ")
            try:
                key = load_private_key(pem, passphrase.encode())
            except ValueError as exc2:
                raise CommandError(str(exc2)) from exc2
        org_ids: list[int] | None = None
        if options.get("org"):
            try:
                org_ids = [Organisation.objects.get(name=options["org"]).pk]
            except Organisation.DoesNotExist as exc:
                raise CommandError(f"No organisation named {options['org']!r}.") from exc
        summary = decrypt_pending(key, org_ids)
        for problem in summary.problems:
            self.stderr.write(problem)
        self.stdout.write(
            f"Recorded {summary.parsed}, failed {summary.failed}, waiting for attachments {summary.waiting}."
        )
