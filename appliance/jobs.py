"""Periodic work the services register: reminders, SLA checks, unpaid orders,
scheduled campaigns. The worker runs them once a minute (Huey's periodic
task); each must be safe to run again (idempotency keys on every message).

    @periodic("reminders")
    def send_reminders(shop, now): ...
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Callable

log = logging.getLogger(__name__)

JOBS: dict[str, Callable] = {}


def periodic(name: str):
    def register(job: Callable) -> Callable:
        JOBS[name] = job
        return job
    return register


def run_all(shop, now: dt.datetime) -> dict[str, object]:
    """Run every job; one failing job does not stop the others."""
    results: dict[str, object] = {}
    for name, job in JOBS.items():
        try:
            results[name] = job(shop, now)
        except Exception:
            log.exception("periodic job %s failed", name)
            results[name] = "failed"
    return results
