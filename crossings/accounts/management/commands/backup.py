from __future__ import annotations

import hashlib
import io
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
from django.utils import timezone


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


FORMAT = "crossings-backup"
MANIFEST_NAME = "crossings-backup.json"
DATABASE_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def dump_database(target: Path) -> None:
    """A consistent snapshot of the database in use: SQLite's online backup, or pg_dump's custom format."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        dest = sqlite3.connect(target)
        try:
            connection.connection.backup(dest)
        finally:
            dest.close()
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
    else:
        raise CommandError(f"Backups of {connection.vendor} databases are not supported.")


def media_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


class Command(BaseCommand):
    help = (
        "Write one archive (tar) to PATH holding a consistent snapshot of the database (SQLite's online "
        "backup, or pg_dump's custom format for PostgreSQL), every uploaded file under MEDIA_ROOT, and a "
        "manifest of their SHA-256 checksums that `crossings restore` verifies. Encrypted fields and files "
        "stay encrypted: keep CROSSINGS_FIELD_KEYS safe and apart from the backups."
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
        tmp = target.with_name(target.name + ".partial")
        tmp.unlink(missing_ok=True)
        media_root = Path(settings.MEDIA_ROOT)
        with tempfile.TemporaryDirectory(dir=target.parent, prefix=".crossings-backup-") as work:
            database = Path(work) / DATABASE_NAMES.get(connection.vendor, "database")
            dump_database(database)
            files: dict[str, dict[str, Any]] = {}
            with tarfile.open(tmp, "w", format=tarfile.PAX_FORMAT) as archive:
                os.chmod(tmp, 0o600)
                archive.add(database, arcname=database.name, recursive=False)
                files[database.name] = {"sha256": sha256_of(database), "size": database.stat().st_size}
                for path in media_files(media_root):
                    name = "media/" + path.relative_to(media_root).as_posix()
                    # The checksum of exactly what goes into the archive: read once, hashed and added.
                    data = path.read_bytes()
                    info = tarfile.TarInfo(name)
                    info.size, info.mode, info.mtime = len(data), 0o600, int(path.stat().st_mtime)
                    archive.addfile(info, io.BytesIO(data))
                    files[name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
                manifest = json.dumps(
                    {
                        "format": FORMAT,
                        "version": 1,
                        "created": timezone.now().isoformat(),
                        "database": connection.vendor,
                        "files": files,
                    },
                    indent=1,
                    sort_keys=True,
                ).encode()
                info = tarfile.TarInfo(MANIFEST_NAME)
                info.size, info.mode, info.mtime = len(manifest), 0o600, int(timezone.now().timestamp())
                archive.addfile(info, io.BytesIO(manifest))
        tmp.replace(target)
        self.stdout.write(
            f"backup written to {target} ({target.stat().st_size} bytes): the database and "
            f"{len(files) - 1} uploaded files, with SHA-256 checksums"
        )
