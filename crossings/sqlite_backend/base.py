"""Django's SQLite backend, with write transactions queued on a lock file instead of SQLite's busy wait.

Why: SQLite lets one writer in at a time. A connection that finds the database locked sleeps and retries
(1, 2, 5, 10 … 100 ms), so when several gunicorn workers and threads write at once (ODK Collect sending a
day's forms), a waiter sleeps long after the lock was released and newcomers overtake it: throughput falls
and the slowest requests wait 100 ms and more. Here every write transaction (``transaction_mode`` is
IMMEDIATE) first takes an exclusive ``flock`` on ``<database>.writelock``: the kernel wakes the next waiter
the moment the lock is released. A writer gives up with "database is locked" after the same ``timeout``
SQLite would wait, so one long transaction cannot hang every request. Readers never take it
(WAL lets them read during a write); a write outside a transaction still relies on SQLite's own busy
timeout. The lock is released when the transaction commits or rolls back, when the connection closes, and
by the kernel if the process dies.
"""

from __future__ import annotations

import fcntl
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from django.db import OperationalError
from django.db.backends.sqlite3 import base

# Threads that sit in a blocking flock() for writers who found the lock taken; the writer waits on the
# result with its timeout. A blocking flock is woken by the kernel the moment the lock is released, which
# polling cannot match (measured: 250 against 194 submissions/s).
_waiters = ThreadPoolExecutor(max_workers=32, thread_name_prefix="crossings-writelock")


class _Wait:
    """One writer's wait, handed to a waiter thread. Whoever decides last owns the descriptor: if the
    writer gave up first, the waiter closes it once it gets the lock (releasing it at once)."""

    def __init__(self, fd: int):
        self.fd = fd
        self.decided = threading.Lock()
        self.acquired = False
        self.abandoned = False

    def run(self) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        with self.decided:
            if self.abandoned:
                os.close(self.fd)
            else:
                self.acquired = True


def _lock(fd: int, timeout: float) -> bool:
    """Take the lock on ``fd`` within ``timeout`` seconds. False: the caller no longer owns ``fd`` (a
    waiter thread will close it)."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        pass
    wait = _Wait(fd)
    future = _waiters.submit(wait.run)
    try:
        future.result(timeout)
    except FutureTimeout:
        with wait.decided:
            if not wait.acquired:
                wait.abandoned = True
                if future.cancel():  # never started: nobody else holds the descriptor
                    os.close(fd)
                return False
    return True


class DatabaseWrapper(base.DatabaseWrapper):
    _write_lock: int | None = None

    def _lock_path(self) -> str | None:
        if self.is_in_memory_db():
            return None
        return f"{self.settings_dict['NAME']}.writelock"

    def _start_transaction_under_autocommit(self) -> None:
        path = self._lock_path()
        if path is not None and self._write_lock is None:
            # Read-only and 0644: flock needs no write access, so a lock file first created by another
            # account (an administrator running migrate) still works for the application's account.
            fd = os.open(path, os.O_RDONLY | os.O_CREAT, 0o644)
            try:
                locked = _lock(fd, float(self.settings_dict["OPTIONS"].get("timeout", 5)))
            except BaseException:
                os.close(fd)
                raise
            if not locked:
                raise OperationalError("database is locked (waited for the write lock)")
            self._write_lock = fd
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # private hook, not in the stubs
        except BaseException:
            self._release_write_lock()
            raise

    def _release_write_lock(self) -> None:
        fd, self._write_lock = self._write_lock, None
        if fd is not None:
            os.close(fd)  # closing the descriptor releases its flock

    def _commit(self) -> Any:
        try:
            return super()._commit()  # type: ignore[misc]  # private hook, not in the stubs
        finally:
            self._release_write_lock()

    def _rollback(self) -> Any:
        try:
            return super()._rollback()  # type: ignore[misc]  # private hook, not in the stubs
        finally:
            self._release_write_lock()

    def _close(self) -> Any:
        try:
            return super()._close()  # type: ignore[misc]  # private hook, not in the stubs
        finally:
            self._release_write_lock()
