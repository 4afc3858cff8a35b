"""The benchmark's own database: a SQLite file under var/ or a PostgreSQL database of its own name, the only
database a benchmark ever drops and recreates. Shared by bench/people.py and bench/indicators.py."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit


def prepare_own_database(url: str, *, sqlite_file: Path, own_name: str, fresh: bool) -> None:
    """Create the benchmark database if missing; with ``fresh``, start from an empty one."""
    if url.startswith("sqlite"):
        sqlite_file.parent.mkdir(parents=True, exist_ok=True)
        if fresh:
            for suffix in ("", "-wal", "-shm", ".writelock"):
                Path(f"{sqlite_file}{suffix}").unlink(missing_ok=True)
        return
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    assert name == own_name, name  # never drop anything else
    with psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        dbname="postgres",
        autocommit=True,
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None
        if exists and fresh:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        if fresh or not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
