"""The database seam: one proxy every model binds to, opened from a URL.

SQLite is the embedded default: WAL so the web process reads while the
worker writes; foreign keys on; a busy timeout so the two processes wait for
each other instead of failing; `synchronous` from settings (FULL by default:
in WAL mode that makes each commit durable across a power cut, which is what
"a message is never lost and never sent twice" needs; NORMAL is faster and
only risks the last commits on power loss, never corruption).
PostgreSQL is the scale-out path, chosen by URL.
"""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import unquote, urlparse

import peewee

proxy = peewee.DatabaseProxy()
LOCKED_PATIENCE = 15.0  # seconds a start waits for another process holding the lock


class DatabaseError(RuntimeError):
    """The database cannot be opened or used; the message says why."""


def open_database(url: str, *, synchronous: str = "full") -> peewee.Database:
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = Path(unquote(parsed.path))
        if str(path) != ":memory:":
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseError(f"cannot create the folder {path.parent}: {exc.strerror}") from None
        return peewee.SqliteDatabase(
            str(path),
            pragmas={
                # The wait first: switching to WAL needs the lock another
                # process may hold while it creates a fresh database.
                "busy_timeout": 10_000,
                "journal_mode": "wal",
                "foreign_keys": 1,
                "synchronous": synchronous,
                "cache_size": -8_000,  # 8 MB: a Pi has little memory to spare
            },
            timeout=10,
            check_same_thread=False,
            # Transactions take the write lock up front: two processes that
            # both read then write would otherwise deadlock on the upgrade,
            # which the busy timeout cannot resolve.
            lock_type="IMMEDIATE",
        )
    if parsed.scheme in ("postgres", "postgresql"):
        return peewee.PostgresqlDatabase(
            parsed.path.lstrip("/"),
            user=unquote(parsed.username) if parsed.username else None,
            password=unquote(parsed.password) if parsed.password else None,
            host=parsed.hostname,
            port=parsed.port,
        )
    raise DatabaseError(f"unsupported database URL {url!r}")


def bind(database: peewee.Database) -> peewee.Database:
    proxy.initialize(database)
    return database


def connect(url: str, *, synchronous: str = "full") -> peewee.Database:
    """Open, bind and check that the database answers."""
    database = bind(open_database(url, synchronous=synchronous))
    deadline = time.monotonic() + LOCKED_PATIENCE
    while True:
        try:
            database.connect(reuse_if_open=True)
            return database
        except peewee.OperationalError as exc:
            # Switching a new file to WAL needs the lock for a moment, and SQLite
            # may refuse at once, without its busy wait, while the other process
            # (web and worker start together) is still creating the tables.
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise DatabaseError(f"cannot open the database {url}: {exc}"
                                    " (check the file, or restore a backup)") from None
            if not database.is_closed():
                database.close()
            time.sleep(0.1)
        except peewee.DatabaseError as exc:  # unreadable, or not a database at all
            raise DatabaseError(f"cannot open the database {url}: {exc}"
                                " (check the file, or restore a backup)") from None
