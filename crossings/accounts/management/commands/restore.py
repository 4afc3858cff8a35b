from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from crossings.accounts.management.commands.backup import pg_env


class Command(BaseCommand):
    help = (
        "Replace the whole database with a snapshot written by `crossings backup`. Everything stored since "
        "that backup is lost, so it asks first unless --yes is given. Stop the app servers before restoring."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation")

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["path"])
        if not source.is_file():
            raise CommandError(f"No backup file at {source}.")
        if not options["yes"]:
            answer = input(f"Replace the whole database with {source}? Type yes: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled.")
        if connection.vendor == "sqlite":
            self._restore_sqlite(source)
        elif connection.vendor == "postgresql":
            result = subprocess.run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    "--dbname",
                    pg_env()["PGDATABASE"],
                    str(source),
                ],
                env=pg_env(),
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                raise CommandError(f"pg_restore failed: {result.stderr.strip()}")
        else:
            raise CommandError(f"Restoring {connection.vendor} databases is not supported.")
        self.stdout.write(f"database restored from {source}")

    def _restore_sqlite(self, source: Path) -> None:
        try:
            src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
            ok = src.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            has_django = src.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='django_migrations'"
            ).fetchone()
        except sqlite3.DatabaseError as exc:
            raise CommandError(f"{source} is not an SQLite backup: {exc}") from exc
        if not ok or not has_django:
            src.close()
            raise CommandError(f"{source} is not a Crossings backup (integrity check failed or no tables).")
        connection.ensure_connection()
        try:
            # The online-backup API copies page by page into the live database in one step.
            src.backup(connection.connection)
        finally:
            src.close()
        connection.close()
