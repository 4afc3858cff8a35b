"""Compile an XLSForm with pyxform and offer it to an organisation's phones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from crossings.accounts.models import Organisation
from crossings.outreach.odk.forms_registry import upload_form
from crossings.outreach.odk.xlsforms import FormError


class Command(BaseCommand):
    help = "Upload an XLSForm (.xlsx) for an organisation; its form_id/version come from the settings sheet."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("xlsx", type=Path)
        parser.add_argument("organisation", help="organisation name")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            org = Organisation.objects.get(name=options["organisation"])
            form = upload_form(organisation_id=org.pk, data=options["xlsx"].read_bytes(), by=None)
        except (Organisation.DoesNotExist, FormError, ValueError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Offered {form.form_id} version {form.version} (md5 {form.md5}).")
