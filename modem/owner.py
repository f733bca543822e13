"""The one thread that owns a modem.

python-gammu and serial calls block and a modem does one thing at a time,
so every driver call runs on this thread: sends come in through a queue
(and go first), and between them the thread polls the modem for new
messages. Inbound parts are handed to `on_inbound`, which must persist them
before it returns; only then are they deleted from the modem.
"""

from __future__ import annotations

import concurrent.futures
import logging
import queue
import threading
import time
from typing import Callable

from .base import Driver, InboundPart, ModemError, ModemStatus, SendHandedOver, SendResult, TransientModemError

log = logging.getLogger(__name__)


class ModemThread:
    def __init__(self, name: str, driver: Driver, *, poll_seconds: float = 1.0,
                 on_inbound: Callable[[str, list[InboundPart]], None] | None = None,
                 on_status: Callable[[str, ModemStatus], None] | None = None,
                 status_seconds: float = 60.0, watchdog=None,
                 on_call: Callable[[str, str], None] | None = None):
        self.name = name
        self.driver = driver
        # The health check: a Watchdog escalates (ping, re-init, reopen, USB
        # power-cycle, report); without one, a plain status() call.
        self.watchdog = watchdog
        self.poll_seconds = poll_seconds
        self.status_seconds = status_seconds
        self.on_inbound = on_inbound
        self.on_status = on_status
        self.on_call = on_call  # (modem, caller's number): a missed call, already rejected
        self._calls: queue.Queue = queue.Queue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"modem-{name}", daemon=True)
        self._opened = False
        self._open_error, self._open_pause, self._next_open = "", 0.0, 0.0
        self._poll_error, self._poll_pause = "", 0.0  # the same for reading, once it was open
        self.last_status = ModemStatus(ok=False, error="not opened yet")
        self.last_contact: float | None = None

    # -- used from other threads ---------------------------------------------
    def start(self) -> "ModemThread":
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._calls.put(None)
        self._thread.join(timeout)

    @property
    def pending(self) -> int:
        return self._calls.qsize()

    def send(self, number: str, text: str, timeout: float = 120.0,
             on_abandoned: Callable[[object], None] | None = None) -> SendResult:
        """Send on this modem's thread. If the wait ends while the send is
        already running, SendHandedOver is raised and `on_abandoned` gets the
        outcome (a SendResult or the ModemError) on the modem's thread."""
        return self.call(lambda d: d.send(number, text), timeout, on_abandoned=on_abandoned)

    def submit(self, fn: Callable[[Driver], object], on_done: Callable[[object], None]) -> None:
        """Run `fn(driver)` on the modem's thread when its turn comes, without
        waiting: `on_done` gets the outcome (a result or the ModemError) there."""
        call = _Call(fn, concurrent.futures.Future(), on_done)
        call.abandoned = True  # nobody waits: the outcome goes to on_done
        self._calls.put((fn, call))

    def poll_now(self) -> None:
        self._calls.put(("poll", None))

    def call(self, fn: Callable[[Driver], object], timeout: float = 60.0, *,
             on_abandoned: Callable[[object], None] | None = None):
        """Run `fn(driver)` on the modem's thread and wait up to `timeout`.

        A call still waiting in the queue when the time is up is cancelled: it
        never runs. One already running cannot be stopped half-way (a PDU may
        be with the modem): its outcome goes to `on_abandoned` when it ends,
        and the caller gets SendHandedOver, so that nobody acts on it twice.
        """
        future: concurrent.futures.Future = concurrent.futures.Future()
        call = _Call(fn, future, on_abandoned)
        self._calls.put((fn, call))
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            pass
        with call.lock:
            if not call.finished:
                if future.cancel():
                    raise TransientModemError(f"modem {self.name} did not get to it within {timeout:g} s; "
                                              "it was not started") from None
                call.abandoned = True
                raise SendHandedOver(f"modem {self.name} is still at it after {timeout:g} s; "
                                     "its outcome is recorded when it ends")
        return future.result()  # it finished just now

    # -- the owning thread ------------------------------------------------------
    OPEN_RETRY_MAX = 30.0  # seconds between attempts while a modem is missing

    def _ensure_open(self) -> bool:
        """Open the driver if it is not; while the modem is missing, try again
        with a growing pause and say so once, not every second (a box left
        without its modem would otherwise write its log onto the SD card)."""
        if self._opened:
            return True
        now = time.monotonic()
        if now < self._next_open:
            return False
        try:
            self.driver.open()
        except Exception as exc:
            # A driver bug (not a ModemError) is retried like a missing modem: were this
            # thread to end, the worker would stop feeding systemd's watchdog and be
            # restarted over and over instead of reporting the modem.
            self.last_status = ModemStatus(ok=False, error=str(exc) or type(exc).__name__)
            if str(exc) == self._open_error:
                log.debug("modem %s: cannot open: %s", self.name, exc)
            elif isinstance(exc, ModemError):
                log.warning("modem %s: cannot open: %s", self.name, exc)
            else:
                log.exception("modem %s: cannot open (unexpected error)", self.name)
            self._open_error = str(exc)
            self._open_pause = min(self.OPEN_RETRY_MAX, max(1.0, self._open_pause * 2))
            self._next_open = now + self._open_pause
            return False
        if self._open_error:
            log.warning("modem %s: opened again (it was: %s)", self.name, self._open_error)
        self._opened, self._open_error, self._open_pause, self._next_open = True, "", 0.0, 0.0
        return True

    def _run(self) -> None:
        next_poll = 0.0
        next_status = 0.0
        while not self._stop.is_set():
            timeout = max(0.0, next_poll - time.monotonic())
            try:
                item = self._calls.get(timeout=timeout)
            except queue.Empty:
                item = ("poll", None)
            if item is None:
                break
            fn, call = item
            if fn == "poll":
                try:
                    if self._ensure_open():
                        self._poll()
                    if time.monotonic() >= next_status:
                        self._refresh_status()  # also where a lost modem is brought back
                        next_status = time.monotonic() + self.status_seconds
                except Exception:  # nothing may end the modem's only thread (see _ensure_open)
                    log.exception("modem %s: unexpected error while polling", self.name)
                    next_status = max(next_status, time.monotonic() + self.status_seconds)
                self._take_calls()
                next_poll = time.monotonic() + max(self.poll_seconds, self._poll_pause)
                continue
            if not call.future.set_running_or_notify_cancel():
                continue  # its caller gave up before it started
            if not self._ensure_open():
                call.finish(TransientModemError(f"modem {self.name} is not available"))
                continue
            try:
                outcome = fn(self.driver)
            except ModemError as exc:
                outcome = exc
            except Exception as exc:  # a driver bug must not kill the modem's only thread
                log.exception("modem %s: unexpected error", self.name)
                outcome = TransientModemError(f"modem {self.name}: {exc}")
            else:
                self.last_contact = time.time()
                if self._poll_pause:  # it answers again: read its messages soon, not after the pause
                    self._poll_pause, next_poll = 0.0, time.monotonic()
            call.finish(outcome, self.name)
            self._take_calls()  # a call that rang during it is rejected now, between two commands
        try:
            self.driver.shutdown()
        except ModemError:
            pass

    def _poll(self) -> None:
        try:
            parts = self.driver.read_inbound()
        except ModemError as exc:
            # A modem that was open and vanished fails every poll: say it once,
            # and ask less often (a box left without its modem would otherwise
            # write a line a second onto the SD card).
            if str(exc) != self._poll_error:
                log.warning("modem %s: reading messages failed: %s", self.name, exc)
            else:
                log.debug("modem %s: reading messages failed again: %s", self.name, exc)
            self._poll_error = str(exc)
            self._poll_pause = min(self.OPEN_RETRY_MAX, max(self.poll_seconds, self._poll_pause * 2))
            return
        if self._poll_error:
            log.warning("modem %s: reading messages again (it was: %s)", self.name, self._poll_error)
            self._poll_error, self._poll_pause = "", 0.0
        self.last_contact = time.time()
        if not parts or self.on_inbound is None:
            return
        try:
            self.on_inbound(self.name, parts)
        except Exception:
            # Not persisted: leave every part on the modem for the next poll.
            log.exception("modem %s: storing %d inbound parts failed; they stay on the modem", self.name, len(parts))
            return
        for part in parts:
            try:
                self.driver.delete(part.location)
            except ModemError as exc:
                # Stored already; a re-read later is harmless (unique key).
                log.warning("modem %s: could not delete %s: %s", self.name, part.location, exc)

    def _take_calls(self) -> None:
        take = getattr(self.driver, "take_calls", None)
        if take is None or not self._opened:
            return
        try:
            callers = take()
        except ModemError as exc:
            log.info("modem %s: rejecting a call failed: %s", self.name, exc)
            return
        except Exception:  # nothing may end the modem's only thread
            log.exception("modem %s: unexpected error while rejecting a call", self.name)
            return
        for number in callers:
            log.info("modem %s: missed call from %s (rejected)", self.name, number)
            if self.on_call is None:
                continue
            try:
                self.on_call(self.name, number)
            except Exception:
                log.exception("modem %s: handling the missed call from %s failed", self.name, number)

    def _refresh_status(self) -> None:
        if self.watchdog is not None:
            self.last_status = self.watchdog.check()
            self._opened = self.last_status.ok or self._opened
        else:
            try:
                self.last_status = self.driver.status()
            except ModemError as exc:
                self.last_status = ModemStatus(ok=False, error=str(exc))
        if self.on_status is not None:
            try:
                self.on_status(self.name, self.last_status)
            except Exception:
                log.exception("modem %s: recording status failed", self.name)


class _Call:
    """One call handed to the modem's thread, and who takes its outcome."""

    def __init__(self, fn, future: concurrent.futures.Future, on_abandoned):
        self.fn, self.future, self.on_abandoned = fn, future, on_abandoned
        self.lock = threading.Lock()
        self.finished = False
        self.abandoned = False

    def finish(self, outcome, modem: str = "") -> None:
        with self.lock:
            self.finished = True
            abandoned = self.abandoned
        if isinstance(outcome, BaseException):
            self.future.set_exception(outcome)
        else:
            self.future.set_result(outcome)
        if abandoned:
            if self.on_abandoned is None:
                log.warning("modem %s: a call ended after its caller gave up: %s", modem, outcome)
                return
            try:
                self.on_abandoned(outcome)
            except Exception:  # the modem's only thread goes on
                log.exception("modem %s: recording a late outcome failed", modem)
