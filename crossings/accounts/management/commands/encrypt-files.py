from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from crossings.storage import reencrypt_files


class Command(BaseCommand):
    help = (
        "Encrypt every uploaded file still stored in plaintext (written before files were encrypted at "
        "rest) with the first key in CROSSINGS_FIELD_KEYS. Safe to run again: encrypted files are left alone."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = reencrypt_files(rotate=False)
        self.stdout.write(f"files: {counts['encrypted']} encrypted, {counts['unchanged']} already encrypted")
