"""Rewrite the built-in XLSForm(s) in crossings/outreach/odk/forms/ from odk/xlsforms.py."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from crossings.outreach.odk.xlsforms import compile_xlsform, write_encounter_xlsx


class Command(BaseCommand):
    help = "Regenerate forms/outreach_encounter.xlsx and check that it compiles."

    def handle(self, *args: Any, **options: Any) -> None:
        path = write_encounter_xlsx()
        compiled = compile_xlsform(path.read_bytes())
        self.stdout.write(f"{path}: {compiled.form_id} version {compiled.version}, media {compiled.media}")
