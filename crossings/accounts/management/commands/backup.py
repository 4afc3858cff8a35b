from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection


def pg_env() -> dict[str, str]:
    s = connection.settings_dict
    env = dict(os.environ)
    env.update(
        {
            "PGHOST": str(s.get("HOST") or "localhost"),
            "PGPORT": str(s.get("PORT") or "5432"),
            "PGUSER": str(s.get("USER") or ""),
            "PGPASSWORD": str(s.get("PASSWORD") or ""),
            "PGDATABASE": str(s.get("NAME") or ""),
        }
    )
    return env


class Command(BaseCommand):
    help = (
        "Write a consistent snapshot of the database to PATH: SQLite's online backup (safe while the app "
        "runs) or pg_dump's custom format for PostgreSQL. Encrypted fields stay encrypted: keep "
        "CROSSINGS_FIELD_KEYS safe and apart from the backups."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument("--force", action="store_true", help="Overwrite PATH if it exists")

    def handle(self, *args: Any, **options: Any) -> None:
        target = Path(options["path"])
        if target.exists() and not options["force"]:
            raise CommandError(f"{target} exists; choose a new file or pass --force.")
        if not target.parent.is_dir():
            raise CommandError(f"Folder {target.parent} does not exist.")
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            tmp = target.with_name(target.name + ".partial")
            tmp.unlink(missing_ok=True)
            dest = sqlite3.connect(tmp)
            try:
                connection.connection.backup(dest)
            finally:
                dest.close()
            os.chmod(tmp, 0o600)
            tmp.replace(target)
        elif connection.vendor == "postgresql":
            result = subprocess.run(
                ["pg_dump", "--format=custom", "--no-owner", "--file", str(target)],
                env=pg_env(),
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
            os.chmod(target, 0o600)
        else:
            raise CommandError(f"Backups of {connection.vendor} databases are not supported.")
        self.stdout.write(f"backup written to {target} ({target.stat().st_size} bytes)")
