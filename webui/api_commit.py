"""Group commit for the API's sends: the writes of requests that arrive
together are committed in one transaction, each in its own savepoint.

On SQLite with synchronous=FULL every commit waits for the disk (~4 ms
here), and a send is three writes (the customer on first contact, the
outbox row, the audit row): one request at a time, that capped a till at
~80 sends a second. Batched, one wait for the disk serves every request
that queued meanwhile, and each still answers only after its rows are on
disk. A job that fails rolls back its own savepoint, never its neighbours'.
A job's `then` (the worker's nudge) runs once per batch, not once per job.
"""

from __future__ import annotations

import logging
import queue
import threading
from typing import Callable

from appliance.models import Message

log = logging.getLogger(__name__)
MAX_BATCH = 200


class _Job:
    __slots__ = ("work", "then", "done", "result", "error")

    def __init__(self, work: Callable, then: Callable | None):
        self.work, self.then, self.done, self.result, self.error = work, then, threading.Event(), None, None


class GroupCommit:
    def __init__(self):
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()

    def run(self, work: Callable, then: Callable | None = None):
        """`work()` inside the next batch's transaction; its result once committed (or its exception).
        `then()` after the commit, once for all the batch's jobs that name it and succeeded."""
        self._started()
        job = _Job(work, then)
        self._jobs.put(job)
        job.done.wait()
        if job.error is not None:
            raise job.error
        return job.result

    def _started(self) -> None:
        if self._thread is None:
            with self._start:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._loop, name="api-group-commit", daemon=True)
                    self._thread.start()

    def _loop(self) -> None:
        while True:
            batch = [self._jobs.get()]
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self._jobs.get_nowait())
                except queue.Empty:
                    break
            self._commit(batch)

    def _commit(self, batch: list[_Job]) -> None:
        database = Message._meta.database
        try:
            with database.atomic():
                for job in batch:
                    try:
                        with database.atomic():  # a savepoint: a refusal undoes this job alone
                            job.result = job.work()
                    except Exception as exc:  # handed to the request that asked
                        job.error = exc
        except Exception as exc:  # the commit itself failed (disk full, locked too long): all of them did
            for job in batch:
                job.error = job.error or exc
            try:
                database.close()  # a fresh connection for the next batch
            except Exception:
                pass
        for then in {job.then: None for job in batch if job.then is not None and job.error is None}:
            try:
                then()
            except Exception:  # a nudge, never a reason to fail requests whose rows are committed
                log.exception("after the API's group commit")
        for job in batch:
            job.done.set()


WRITES = GroupCommit()
