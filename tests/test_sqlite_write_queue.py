"""crossings.sqlite_backend: write transactions queue on a lock file, which every commit, rollback and
close releases, so concurrent writers wait their turn instead of failing with "database is locked"."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import IntegrityError, OperationalError, connections, transaction

from crossings.sqlite_backend.base import DatabaseWrapper


def wrapper(path: Path, *, busy_timeout: float = 20) -> DatabaseWrapper:
    return DatabaseWrapper(
        {
            "ENGINE": "crossings.sqlite_backend",
            "NAME": str(path),
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": busy_timeout},
            "CONN_MAX_AGE": 0,
            "CONN_HEALTH_CHECKS": False,
            "AUTOCOMMIT": True,
            "ATOMIC_REQUESTS": False,
            "TIME_ZONE": None,
            "USER": "",
            "PASSWORD": "",
            "HOST": "",
            "PORT": "",
            "TEST": {},
        },
        alias="write_queue_test",
    )


def lock_is_free(path: Path) -> bool:
    fd = os.open(f"{path}.writelock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


@pytest.fixture(autouse=True)
def own_database(django_db_blocker: Any) -> Any:
    """These tests open their own SQLite file, never the test database."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    path = tmp_path / "queue.sqlite3"
    setup = wrapper(path)
    with setup.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("CREATE TABLE line (id INTEGER PRIMARY KEY, writer INTEGER, n INTEGER)")
    setup.close()
    return path


@pytest.mark.parametrize("end", ["commit", "rollback", "close"])
def test_a_write_transaction_holds_the_lock_until_it_ends(db_file: Path, end: str) -> None:
    conn = wrapper(db_file)
    conn.ensure_connection()
    conn._start_transaction_under_autocommit()
    with conn.cursor() as cursor:
        cursor.execute("INSERT INTO line (writer, n) VALUES (0, 0)")
    assert not lock_is_free(db_file)
    getattr(conn, end)()
    assert lock_is_free(db_file)
    conn.close()


def test_concurrent_writers_take_turns_and_all_succeed(db_file: Path) -> None:
    """Six threads, each its own connection, 30 write transactions each: every one gets its turn, every
    row is written, and the lock is free at the end (a leaked lock would time the others out)."""
    errors: list[BaseException] = []

    def write(writer: int) -> None:
        conn = wrapper(db_file, busy_timeout=5)
        try:
            conn.ensure_connection()
            for n in range(30):
                conn._start_transaction_under_autocommit()
                try:
                    with conn.cursor() as cursor:
                        cursor.execute("SELECT COUNT(*) FROM line")
                        cursor.execute("INSERT INTO line (writer, n) VALUES (%s, %s)", [writer, n])
                    conn.commit()
                except BaseException:
                    conn.rollback()
                    raise
        except BaseException as exc:
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=write, args=(w,)) for w in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    check = wrapper(db_file)
    with check.cursor() as cursor:
        cursor.execute("SELECT COUNT(*), COUNT(DISTINCT writer) FROM line")
        counts: Any = cursor.fetchone()
    check.close()
    assert tuple(counts) == (180, 6)
    assert lock_is_free(db_file)


def test_an_in_memory_database_takes_no_lock_file(tmp_path: Path) -> None:
    conn = wrapper(Path(":memory:"))
    assert conn._lock_path() is None


def test_a_writer_gives_up_after_the_timeout_and_leaks_nothing(db_file: Path) -> None:
    holder = os.open(f"{db_file}.writelock", os.O_RDONLY | os.O_CREAT, 0o644)
    fcntl.flock(holder, fcntl.LOCK_EX)  # a long transaction elsewhere
    conn = wrapper(db_file, busy_timeout=0.05)
    conn.ensure_connection()
    try:
        with pytest.raises(OperationalError, match="database is locked"):
            conn._start_transaction_under_autocommit()
        assert conn._write_lock is None
    finally:
        os.close(holder)
        conn.close()
    # The abandoned wait gets the lock once the holder lets go, and drops it at once.
    for _ in range(200):
        if lock_is_free(db_file):
            break
        time.sleep(0.01)
    assert lock_is_free(db_file)


@pytest.fixture
def registered(db_file: Path) -> Any:
    """The file database as a Django connection alias, so transaction.atomic works on it as in the app."""
    alias = "write_queue_test"
    conn = wrapper(db_file)
    connections.settings[alias] = conn.settings_dict
    setattr(connections._connections, alias, conn)
    yield alias, conn
    conn.close()
    delattr(connections._connections, alias)
    del connections.settings[alias]


def test_django_transactions_take_and_release_the_lock(registered: Any, db_file: Path) -> None:
    alias, conn = registered
    after_commit: list[bool] = []
    with transaction.atomic(using=alias):
        with conn.cursor() as cursor:
            cursor.execute("INSERT INTO line (id, writer, n) VALUES (1, 0, 0)")
        assert not lock_is_free(db_file)
        with pytest.raises(IntegrityError), transaction.atomic(using=alias), conn.cursor() as cursor:
            cursor.execute("INSERT INTO line (id, writer, n) VALUES (1, 0, 0)")  # a savepoint, rolled back
        assert not lock_is_free(db_file)  # still inside the outer transaction
        transaction.on_commit(lambda: after_commit.append(lock_is_free(db_file)), using=alias)
    assert after_commit == [True]  # released by the time on_commit callbacks run
    with pytest.raises(RuntimeError), transaction.atomic(using=alias):
        with conn.cursor() as cursor:
            cursor.execute("INSERT INTO line (id, writer, n) VALUES (2, 0, 0)")
        raise RuntimeError("the view failed")
    assert lock_is_free(db_file)
    with conn.cursor() as cursor:
        cursor.execute("SELECT id FROM line")
        assert cursor.fetchall() == [(1,)]
