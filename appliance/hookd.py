"""The webhook delivery process (`loket hooks`): sends the queued deliveries
(appliance/webhooks.py) in its own process, so a receiver that is dead,
hangs or answers slowly never slows the worker's texts.

The worker starts it (`supervise`) once a webhook is registered or a
delivery waits, and starts it again when it dies; it dies with the worker.
Each receiver gets short connect and read timeouts; at most CONCURRENCY
deliveries are in flight. A SIGKILL mid-flight leaves a row "sending": the
next process takes it again at its start (the receiver may see the id twice).
"""

from __future__ import annotations

import concurrent.futures as cf
import http.client
import logging
import os
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse

from . import events, webhooks
from .clock import utcnow

log = logging.getLogger("loket.hooks")
CONCURRENCY = 4
POLL_SECONDS = 0.25  # how soon a new event goes out when the queue was empty
RESTART_PAUSE = 10.0  # seconds before a process that stopped soon after its start is started again
ANSWER_LIMIT = 64 * 1024  # of a receiver's answer, read and thrown away (the connection closes cleanly)


def owner_prefix() -> str:
    return f"{socket.gethostname()}:hooks:"


def post(url: str, body: bytes, headers: dict, timeout: float) -> tuple[int | None, str]:
    """One POST: (HTTP status, "") or (None, why it never answered). Never raises."""
    parts = urllib.parse.urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connect = min(timeout, 5.0)
    try:
        if parts.scheme == "https":
            conn = http.client.HTTPSConnection(parts.hostname, parts.port, timeout=connect,
                                               context=ssl.create_default_context())
        else:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=connect)
        try:
            conn.connect()
            conn.sock.settimeout(timeout)
            conn.request("POST", path, body=body, headers=headers)
            answer = conn.getresponse()
            answer.read(ANSWER_LIMIT)
            return answer.status, "" if 200 <= answer.status < 300 else (answer.reason or "")[:200]
        finally:
            conn.close()
    except (socket.timeout, TimeoutError):
        return None, "no answer in time"
    except ssl.SSLError as exc:
        return None, f"TLS: {exc.reason or exc}"
    except OSError as exc:
        return None, exc.strerror or str(exc) or type(exc).__name__
    except (http.client.HTTPException, ValueError) as exc:
        return None, f"{type(exc).__name__}: {exc}"[:200]


class Deliverer:
    def __init__(self, settings):
        self.timeout = float(settings.webhook_timeout_seconds)
        self.base = float(settings.webhook_retry_seconds)
        self.max_attempts = int(settings.webhook_max_attempts)
        self.owner = f"{owner_prefix()}{os.getpid()}"
        self.stop = threading.Event()

    def deliver(self, row) -> str:
        body = row.body.encode()
        status, error = post(row.hook.url, body, webhooks.headers(row.hook.secret, body, row.event, row.event_id),
                             self.timeout)
        state = webhooks.finish(row, self.owner, utcnow(), status, error, self.base, self.max_attempts)
        log.info("%s %s to %s: %s%s", row.event, row.event_id, row.hook.url, status or error,
                 "" if state == "delivered" else f" ({state}, attempt {row.attempts})")
        return state

    def run(self) -> None:
        found = webhooks.recover(owner_prefix())
        if found:
            log.warning("%d webhook deliveries were cut short by a stop; sending them again", found)
        busy: set[cf.Future] = set()
        with cf.ThreadPoolExecutor(CONCURRENCY, thread_name_prefix="hook") as pool:
            while not self.stop.is_set():
                try:
                    rows = webhooks.lease(self.owner, utcnow(), self.timeout, CONCURRENCY - len(busy)) \
                        if len(busy) < CONCURRENCY else []
                except Exception:
                    log.exception("reading the webhook queue failed; trying again")
                    rows = []
                busy |= {pool.submit(self.deliver, row) for row in rows}
                if busy:
                    done, busy = cf.wait(busy, timeout=POLL_SECONDS, return_when=cf.FIRST_COMPLETED)
                    for future in done:
                        if future.exception():
                            log.error("a webhook delivery failed: %r", future.exception())
                else:
                    self.stop.wait(POLL_SECONDS)


def serve(settings) -> None:
    deliverer = Deliverer(settings)
    signal.signal(signal.SIGTERM, lambda *_: deliverer.stop.set())
    log.info("webhook deliveries: %s", deliverer.owner)
    deliverer.run()


# -- started by the worker -------------------------------------------------------

def needed() -> bool:
    return bool(events.hooks()) or webhooks.waiting() > 0


def supervise(command: list[str], env: dict, preexec_fn=None, every: float = 1.0) -> threading.Thread:
    """In the worker: start the delivery process when there is something for
    it, and again when it stops. `preexec_fn` makes each child die with the worker."""
    def loop():
        child, started, quick = None, 0.0, 0
        while True:
            try:
                if (child is None or child.poll() is not None) and needed():
                    if child is not None:
                        log.warning("the webhook process stopped (exit %s); starting it again", child.returncode)
                        quick = quick + 1 if time.monotonic() - started < RESTART_PAUSE else 0
                        if quick > 1:
                            time.sleep(RESTART_PAUSE)  # one that cannot start does not spin
                    child, started = subprocess.Popen(command, env=env, preexec_fn=preexec_fn), time.monotonic()
            except Exception:
                log.exception("checking for webhooks failed")
            time.sleep(every)

    thread = threading.Thread(target=loop, name="hooks-supervisor", daemon=True)
    thread.start()
    return thread


def command_for(settings, config: str | None) -> list[str]:
    return [sys.executable, "-m", "appliance.cli", "hooks", "--data-dir", str(settings.data_path)] + (
        ["--config", config] if config else [])
