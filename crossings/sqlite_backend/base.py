"""Django's SQLite backend, with write transactions queued on a lock file instead of SQLite's busy wait.

Why: SQLite lets one writer in at a time. A connection that finds the database locked sleeps and retries
(1, 2, 5, 10 … 100 ms), so when several gunicorn workers and threads write at once (ODK Collect sending a
day's forms), a waiter sleeps long after the lock was released and newcomers overtake it: throughput falls
and the slowest requests wait 100 ms and more. Here every write transaction (``transaction_mode`` is
IMMEDIATE) first takes an exclusive ``flock`` on ``<database>.writelock``: the kernel wakes the next waiter
the moment the lock is released. Readers never take it (WAL lets them read during a write), and a write
outside a transaction still falls back on SQLite's own busy timeout. The lock is released when the
transaction commits or rolls back, and by the kernel if the process dies.
"""

from __future__ import annotations

import fcntl
import os
from typing import Any

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    _write_lock: int | None = None

    def _lock_path(self) -> str | None:
        if self.is_in_memory_db():
            return None
        return f"{self.settings_dict['NAME']}.writelock"

    def _start_transaction_under_autocommit(self) -> None:
        path = self._lock_path()
        if path is not None and self._write_lock is None:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
            except BaseException:
                os.close(fd)
                raise
            self._write_lock = fd
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # private hooks, absent from the stubs
        except BaseException:
            self._release_write_lock()
            raise

    def _release_write_lock(self) -> None:
        fd, self._write_lock = self._write_lock, None
        if fd is not None:
            os.close(fd)  # closing the descriptor releases its flock

    def _commit(self) -> Any:
        try:
            return super()._commit()  # type: ignore[misc]  # private hooks, absent from the stubs
        finally:
            self._release_write_lock()

    def _rollback(self) -> Any:
        try:
            return super()._rollback()  # type: ignore[misc]  # private hooks, absent from the stubs
        finally:
            self._release_write_lock()

    def _close(self) -> Any:
        try:
            return super()._close()  # type: ignore[misc]  # private hooks, absent from the stubs
        finally:
            self._release_write_lock()
