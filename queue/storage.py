"""When the data dir stops taking writes: say so, wait quietly, come back.

A data dir that turned read-only (an SD card remounted after errors, a
wrong chmod) or full once left the worker logging `attempt to write a
readonly database` every second for minutes, still reporting "ok" and
feeding systemd's watchdog, and never answering again once the disk was
writable: SQLite connections opened meanwhile stay read-only for good.

So: a write that fails for lack of storage marks the storage down (logged
once, then with a growing pause), closes the connection that failed (the
next one is opened afresh), and the worker stops taking texts off the modem
(they wait there, safe). A probe checks the files every few seconds; once
they take writes again, everything goes on where it stopped.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Callable

import huey.storage
import peewee

log = logging.getLogger(__name__)

# What SQLite and the kernel say when the disk, not the data, is the problem.
_SIGNS = ("readonly database", "read-only file system", "database or disk is full", "disk i/o error",
          "unable to open database file", "no space left on device", "permission denied",
          "operation not permitted")


def is_storage_error(exc: BaseException | None) -> bool:
    """The error, or one it arose from (a failed COMMIT's rollback fails
    too, and says only that), is the disk refusing a write."""
    seen = 0
    while exc is not None and seen < 10:
        if (isinstance(exc, (sqlite3.OperationalError, peewee.OperationalError, OSError))
                and any(sign in str(exc).lower() for sign in _SIGNS)):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


class StorageHealth:
    """Is the data dir taking writes? Shared by every thread of the worker."""

    LOG_PAUSE_MAX = 15 * 60.0
    GRACE = 10 * 60.0  # down this long: stop feeding systemd's watchdog (a restart may help)

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self.error = ""
        self.since: float | None = None
        self.generation = 0  # counts recoveries: a thread's older connection is closed before its next write
        self._seen = threading.local()
        self._next_log = 0.0
        self._log_pause = 60.0
        self._lock = threading.Lock()

    @property
    def ok(self) -> bool:
        return self.since is None

    def alive(self) -> bool:
        """For the watchdog: healthy, or down for less than GRACE."""
        since = self.since
        return since is None or self.clock() - since < self.GRACE

    def failed(self, exc: BaseException, where: str) -> bool:
        """A write failed for lack of storage. True the first time (down now)."""
        _close_this_threads_connection()
        now = self.clock()
        with self._lock:
            first = self.since is None
            if first:
                self.since, self.error = now, str(exc)
                self._next_log, self._log_pause = now + 60.0, 60.0
        if first:
            log.error("the data dir takes no writes (%s, in %s): texts wait on the modem until it does", exc, where)
        elif now >= self._next_log:
            self._next_log = now + self._log_pause
            self._log_pause = min(self.LOG_PAUSE_MAX, self._log_pause * 2)
            log.warning("the data dir still takes no writes after %.0f s (%s)", now - (self.since or now), exc)
        return first

    def recovered(self) -> bool:
        """The files take writes again. True when they had not."""
        with self._lock:
            if self.since is None:
                return False
            down = self.clock() - self.since
            self.since, self.error = None, ""
            self.generation += 1
        log.warning("the data dir takes writes again after %.0f s: answering the waiting texts", down)
        return True

    def fresh_connection(self) -> None:
        """Before a thread writes: its connection may predate a recovery (and
        be read-only for good); then it is closed, and the next is new."""
        if getattr(self._seen, "generation", 0) != self.generation:
            _close_this_threads_connection()
            self._seen.generation = self.generation


def _close_this_threads_connection() -> None:
    from appliance import db
    try:
        db.proxy.close()
    except Exception:  # closing a broken connection may complain; it is gone either way
        pass


def writable(paths: list[Path], folder: Path) -> bool:
    """True when FOLDER takes a new file (written, synced, removed) and each
    existing file in PATHS opens for writing: what a read-only mount, a
    wrong mode, an immutable flag or a full disk refuse."""
    probe = folder / ".write-probe"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, b"\0" * 4096)
            os.fsync(fd)
        finally:
            os.close(fd)
        probe.unlink()
        for path in paths:
            if path.exists():
                os.close(os.open(path, os.O_WRONLY | os.O_APPEND))
    except OSError:
        try:
            probe.unlink()
        except OSError:
            pass
        return False
    return True


class QueueStorage(huey.storage.SqliteStorage):
    """Huey's SQLite queue, which reopens its connection after a storage
    error (its one connection, opened while the disk was read-only, would
    stay read-only) and reads an unreadable queue as empty rather than
    logging a traceback every second: the worker reports the storage."""

    health: StorageHealth | None = None

    def _lost(self, exc: BaseException) -> None:
        self._conn = None  # (not close(): the broken connection may be mid-statement in another thread)
        if self.health is not None:
            self.health.failed(exc, "the task queue")

    def dequeue(self):
        try:
            return super().dequeue()
        except sqlite3.Error as exc:
            if not is_storage_error(exc):
                raise
            self._lost(exc)
            return None

    def enqueue(self, data, priority=None):
        try:
            return super().enqueue(data, priority)
        except sqlite3.Error as exc:
            if is_storage_error(exc):
                self._lost(exc)
            raise
