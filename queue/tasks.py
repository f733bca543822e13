"""The job queue: the Huey instance and its tasks.

The rows in the CRM database are the real outbox; a Huey task is only a
nudge to drain it. Losing a nudge loses nothing (the minute sweep drains
too), and running one twice sends nothing twice (each row is leased).
The web process only enqueues; the tasks run in `loket worker`, where
`worker.Worker` has registered itself as the runtime.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import unquote, urlparse

import huey
from huey import crontab

log = logging.getLogger(__name__)


class QueueConfigError(ValueError):
    pass


def make_huey(url: str) -> huey.Huey:
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = Path(unquote(parsed.path))
        path.parent.mkdir(parents=True, exist_ok=True)
        # No fsync: a task is a nudge, and the rows it nudges are durable.
        from .storage import QueueStorage  # (reopens after the data dir was read-only or full)
        return huey.SqliteHuey(name="loket", filename=str(path), results=False, fsync=False,
                               storage_class=QueueStorage)
    if parsed.scheme == "redis":
        return huey.RedisHuey(name="loket", url=url, results=False)
    raise QueueConfigError(f"unsupported queue URL {url!r}")


# The worker runtime executing tasks in this process (set by Worker.run).
_runtime = None


def set_runtime(runtime) -> None:
    global _runtime
    _runtime = runtime


def _require_runtime():
    if _runtime is None:
        raise RuntimeError("Loket tasks run only inside `loket worker`")
    return _runtime


class Tasks:
    """The tasks, registered on one Huey instance. Names are fixed strings so
    the web process and the worker agree whatever the import path."""

    def __init__(self, queue: huey.Huey):
        self.huey = queue

        @queue.task(name="loket.send_outbox")
        def send_outbox():
            return _require_runtime().drain()

        @queue.periodic_task(crontab(minute="*"), name="loket.sweep")
        def sweep():
            return _require_runtime().sweep()

        self.send_outbox = send_outbox
        self.sweep = sweep

    def kick_outbox_in(self, seconds: float) -> None:
        """Drain again after `seconds` (a retry's backoff), not at the next sweep."""
        try:
            self.send_outbox.schedule(delay=max(0.0, seconds))
        except Exception:
            log.exception("could not schedule the send task; the next sweep will send")

    def kick_outbox(self) -> None:
        """Ask the worker to send what is due. Never fails the caller: the
        rows are committed already and the sweep will find them."""
        try:
            self.send_outbox()
        except Exception:
            log.exception("could not enqueue the send task; the next sweep will send")
