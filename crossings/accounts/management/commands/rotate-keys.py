from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from crossings.crypto import EncryptedTextField
from crossings.storage import reencrypt_files


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field and every uploaded file with the first key in "
        "CROSSINGS_FIELD_KEYS and recompute keyed hashes. Run after putting a new key first; afterwards the "
        "old keys can be removed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        for model in apps.get_models():
            fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
            if not fields:
                continue
            names = [str(f.column) for f in fields]
            table = model._meta.db_table
            pk = str(model._meta.pk.column)
            count = 0
            # Raw values, so nothing is decrypted into Python objects we don't need and no save() hooks run.
            rows = model._default_manager.values_list(model._meta.pk.attname, *[f.attname for f in fields])
            with transaction.atomic():
                from django.db import connection

                with connection.cursor() as cursor:
                    for row in rows.iterator(chunk_size=options["batch_size"]):
                        pk_value, *plain = row
                        # The field's own preparation encrypts with the first key (and serialises a
                        # JSON field first), exactly as a save would.
                        values = [f.get_prep_value(v) if v else v for f, v in zip(fields, plain, strict=True)]
                        assignments = ", ".join(f"{connection.ops.quote_name(n)} = %s" for n in names)
                        cursor.execute(
                            f"UPDATE {connection.ops.quote_name(table)} SET {assignments} "  # noqa: S608 - names from models
                            f"WHERE {connection.ops.quote_name(pk)} = %s",
                            [*values, pk_value],
                        )
                        count += 1
                rehash = getattr(model, "recompute_blind_indexes", None)
                if callable(rehash):
                    rehash()
            if count:
                self.stdout.write(f"{model._meta.label}: {count} rows re-encrypted")
            total += count
        self.stdout.write(f"done: {total} rows re-encrypted with the first key")
        files = reencrypt_files(rotate=True)
        self.stdout.write(
            f"files: {files['rotated']} re-encrypted, {files['encrypted']} encrypted (were plain) "
            "with the first key"
        )
