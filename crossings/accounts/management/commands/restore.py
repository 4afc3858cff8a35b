from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from crossings.accounts.management.commands.backup import DATABASE_NAMES, FORMAT, MANIFEST_NAME, pg_env


class Command(BaseCommand):
    help = (
        "Replace the whole database and the uploaded files (MEDIA_ROOT) with an archive written by "
        "`crossings backup`. Every file's SHA-256 checksum is verified against the archive's manifest "
        "before anything is replaced: a damaged, truncated or altered archive is refused and nothing is "
        "restored. Everything stored since that backup is lost, so it asks first unless --yes is given. "
        "Stop the app servers before restoring."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation")

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["path"])
        if not source.is_file():
            raise CommandError(f"No backup file at {source}.")
        if not tarfile.is_tarfile(source):
            # A database-only file from before backups held the uploads: restored as before, no checksums.
            self._confirm(options, f"Replace the whole database with {source}?")
            self._restore_database(source)
            self.stdout.write(
                f"database restored from {source} (an old-style backup: no uploaded files, no checksums)"
            )
            return
        media_root = Path(settings.MEDIA_ROOT)
        media_root.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=media_root.parent, prefix=".crossings-restore-") as work:
            staged = Path(work)
            database, count = self._verify_and_stage(source, staged)
            self._confirm(options, f"Replace the whole database and the uploaded files with {source}?")
            self._restore_database(database)
            # The database is in; the verified files replace the old ones by two renames.
            new_media = staged / "media"
            new_media.mkdir(exist_ok=True)
            old_media = staged / "media-before-restore"
            if media_root.exists():
                media_root.rename(old_media)
            new_media.rename(media_root)
        self.stdout.write(f"database and {count} uploaded files restored from {source} (checksums verified)")

    def _confirm(self, options: dict[str, Any], question: str) -> None:
        if not options["yes"]:
            answer = input(f"{question} Type yes: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled.")

    def _verify_and_stage(self, source: Path, staged: Path) -> tuple[Path, int]:
        """Unpack the archive into ``staged``, checking every file against the manifest; CommandError on the
        first problem (then nothing has been replaced)."""
        refuse = f"{source} is damaged or was altered; nothing was restored"
        try:
            with tarfile.open(source, "r:") as archive:
                try:
                    manifest = json.load(archive.extractfile(MANIFEST_NAME))  # type: ignore[arg-type]
                except (KeyError, ValueError) as exc:
                    raise CommandError(f"{refuse}: it has no readable backup manifest.") from exc
                if manifest.get("format") != FORMAT or not isinstance(manifest.get("files"), dict):
                    raise CommandError(f"{source} is not a Crossings backup archive; nothing was restored.")
                vendor = manifest.get("database")
                if vendor != connection.vendor:
                    raise CommandError(
                        f"{source} is a backup of a {vendor} database; this one is {connection.vendor}. "
                        "Nothing was restored."
                    )
                expected: dict[str, dict[str, Any]] = manifest["files"]
                database_name = DATABASE_NAMES[connection.vendor]
                if database_name not in expected:
                    raise CommandError(f"{refuse}: the database is missing.")
                seen: set[str] = set()
                for member in archive:
                    name = member.name
                    if name == MANIFEST_NAME:
                        continue
                    if name not in expected or not member.isfile() or not _safe(name):
                        raise CommandError(f"{refuse}: {name} is not listed in its manifest.")
                    target = staged / name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    digest = hashlib.sha256()
                    reader = archive.extractfile(member)
                    assert reader is not None
                    with open(target, "wb") as out:
                        for chunk in iter(lambda: reader.read(1 << 20), b""):  # noqa: B023
                            digest.update(chunk)
                            out.write(chunk)
                    os.chmod(target, 0o600)
                    if digest.hexdigest() != expected[name].get("sha256"):
                        raise CommandError(f"{refuse}: the checksum of {name} does not match its manifest.")
                    seen.add(name)
                missing = sorted(set(expected) - seen)
                if missing:
                    raise CommandError(f"{refuse}: {len(missing)} files are missing, e.g. {missing[0]}.")
        except (tarfile.TarError, EOFError, OSError) as exc:
            raise CommandError(f"{refuse}: {exc}.") from exc
        return staged / database_name, len(seen) - 1

    def _restore_database(self, source: Path) -> None:
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


def _safe(name: str) -> bool:
    """A member name that stays inside the restore folder: relative, no '..', no odd characters."""
    parts = name.split("/")
    return not name.startswith("/") and all(p not in ("", ".", "..") for p in parts) and "\\" not in name
