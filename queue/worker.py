"""The worker process: owns the modems, runs the Huey consumer.

One ModemThread per modem. Inbound parts go straight from the modem thread
into the database (committed before the modem deletes them), are assembled
into messages and answered; the replies are committed and the outbox is
nudged. Sending happens in Huey's worker threads, which lease rows and
hand them to a modem thread.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import socket
import threading
import zlib
from pathlib import Path
from typing import Callable

from appliance.modem.base import ModemError, ModemStatus, SendHandedOver, UnknownOutcomeError
from appliance.modem.owner import ModemThread

from appliance import inbox, jobs, missed_calls, outbox, policy, shopdata, simcredit
from appliance.clock import utcnow
from appliance.models import Message
from appliance.phone import is_replyable
from appliance.responder import Responder

from . import storage as storage_module
from . import tasks as task_module

log = logging.getLogger(__name__)


# A received message not answered after this long was left by an interrupted
# run (the live path answers within seconds); the sweep answers it.
STRANDED_AFTER = dt.timedelta(minutes=2)
SWEEP_INTERVAL = dt.timedelta(minutes=1)


class ModemPool:
    """Routes each send to a modem: the same phone keeps the same modem while
    it is healthy, otherwise the least busy one."""

    def __init__(self, modems: list[ModemThread]):
        if not modems:
            raise ValueError("a worker needs at least one modem")
        self.modems = modems

    def pick(self, phone: str) -> ModemThread:
        if len(self.modems) == 1:
            return self.modems[0]
        healthy = [m for m in self.modems if m.last_status.ok] or self.modems
        preferred = self.modems[zlib.crc32(phone.encode()) % len(self.modems)]
        return preferred if preferred in healthy else min(healthy, key=lambda m: m.pending)

    def start(self) -> None:
        for modem in self.modems:
            modem.start()

    def stop(self) -> None:
        for modem in self.modems:
            modem.stop()


class Worker:
    # How long a sending thread waits for its modem; a send still running then
    # is recorded by the modem's own thread (see ModemThread.call).
    send_patience = 120.0

    def __init__(self, *, tasks: task_module.Tasks, modems: list[ModemThread], responder: Responder,
                 region_key: Callable[[str], str], status_dir: Path, rules: policy.Rules,
                 rate_per_minute: int = 0, reassembly: dt.timedelta = dt.timedelta(minutes=10),
                 clock_trusted: Callable[[], bool] = lambda: True, worker_name: str | None = None,
                 threads: int = 2, clock: Callable[[], dt.datetime] = utcnow):
        self.tasks = tasks
        self.pool = ModemPool(modems)
        self._rules = rules
        self.live_rules: Callable[[], policy.Rules] | None = None  # the owner's changes, when wired
        self.reassembly = reassembly
        self.clock_trusted = clock_trusted
        self.limiters = {m.name: policy.RateLimiter(rate_per_minute) for m in modems}
        self.responder = responder
        self.region_key = region_key
        self.status_dir = status_dir
        self.name = worker_name or socket.gethostname()
        self.owner = f"{self.name}:{os.getpid()}"
        self.threads = threads
        self.clock = clock
        self._inbound_lock = threading.Lock()
        self._kick_at: dt.datetime | None = None  # when the scheduled retry nudge runs
        self.on_network_time: Callable[[dt.datetime], None] | None = None
        self.on_started: Callable[[], None] | None = None
        for modem in modems:
            modem.on_inbound = self.on_inbound
            modem.on_status = self.on_status
            modem.on_call = self.on_call
        self._asking_credit: set[str] = set()  # modems with a balance question on their way
        # Is the data dir taking writes? (see storage.py) Huey's queue reports to it too.
        self.storage = storage_module.StorageHealth()
        if isinstance(tasks.huey.storage, storage_module.QueueStorage):
            tasks.huey.storage.health = self.storage

    @property
    def rules(self) -> policy.Rules:
        return self.live_rules() if self.live_rules else self._rules

    @rules.setter
    def rules(self, value: policy.Rules) -> None:
        self._rules, self.live_rules = value, None

    # -- inbound, on a modem thread ------------------------------------------
    def on_inbound(self, modem: str, parts) -> None:
        self.storage.fresh_connection()
        try:
            now = self.clock()
            inbox.store_parts(parts, modem, now)
            outbox.apply_status_reports(parts, modem, now)
            self.process_inbound(now)
        except Exception as exc:
            if storage_module.is_storage_error(exc):
                self.storage.failed(exc, "storing texts")
                self._hold_texts()
            raise  # not stored: the parts stay on the modem

    def process_inbound(self, now: dt.datetime, recover: bool = False) -> int:
        # Several modems may deliver at once; assembling is done by one at a time.
        with self._inbound_lock:
            replies = 0
            messages = inbox.assemble(now, self.reassembly, self.region_key)
            if recover:
                messages += self._stranded(now)
            for message in messages:
                try:
                    # The moment of answering, not of reading: the rows tell how long it took.
                    replies += len(self.responder.handle(message, self.clock()))
                except Exception:
                    log.exception("handling message %s failed; it waits for staff", message.id)
                    inbox.hand_to_staff(message, handled=True)
                if not is_replyable(message.phone):
                    self._read_operator_sms(message, now)
        if replies:
            self.tasks.kick_outbox()
        return replies

    def _read_operator_sms(self, message, now: dt.datetime) -> None:
        """An operator's balance SMS (kept in the robots' folder) updates the SIM's credit."""
        try:
            simcredit.read_operator_sms(message, now)
        except Exception:  # reading a robot's text must never stop the customers' answers
            log.exception("reading message %s as a balance notice failed", message.id)

    # -- missed calls, on a modem thread ----------------------------------------------
    def on_call(self, modem: str, number: str) -> None:
        """A customer's call, already rejected by the modem: the owner's missed_call_action."""
        self.storage.fresh_connection()
        queued = missed_calls.handle(number, modem, self.clock(), self.responder.shop)
        if queued:
            self.tasks.kick_outbox()

    # -- the SIM's credit -------------------------------------------------------------
    def check_credit(self, now: dt.datetime, *, force: bool = False) -> int:
        """Ask each modem that can (USSD) for its balance when it is due; the
        answer is recorded on the modem's thread when it comes. Returns how many were asked."""
        asked = 0
        for modem in self.pool.modems:
            if not hasattr(modem.driver, "check_balance") or modem.name in self._asking_credit:
                continue
            if not force and not simcredit.check_due(modem.name, now):
                continue
            status = modem.last_status
            if status is None or not (status.operator or status.imsi or shopdata.setting("balance_code")):
                continue  # the health check has not told the operator yet: ask at the next sweep
            code = simcredit.balance_code(status.operator, status.imsi, shopdata.setting("balance_code"))
            if not code:
                simcredit.asked(modem.name, now, f"no balance code is known for the operator "
                                                 f"{status.operator or '?'}; set balance_code")
                continue
            self._asking_credit.add(modem.name)
            modem.submit(lambda driver, code=code: driver.check_balance(code),
                         lambda outcome, name=modem.name, code=code: self._credit_answer(name, code, outcome))
            asked += 1
        return asked

    def _credit_answer(self, modem: str, code: str, outcome) -> None:
        self._asking_credit.discard(modem)
        self.storage.fresh_connection()
        now = self.clock()
        if isinstance(outcome, BaseException):
            log.warning("modem %s: asking the balance (%s) failed: %s", modem, code, outcome)
            simcredit.asked(modem, now, f"{code}: {outcome}")
            return
        simcredit.record(modem, simcredit.parse(outcome), now, source=code, text=outcome)

    def _stranded(self, now: dt.datetime) -> list:
        """Messages stored but never answered (the worker died between the
        two, or assembling failed part-way): answered now, claimed first so
        that two workers never both answer one; too old to answer sensibly,
        they wait for staff instead."""
        found = []
        for message in inbox.stranded(now, STRANDED_AFTER):
            if not inbox.claim(message, now):
                continue
            if now - message.created_at > self.rules.stale_grace:
                log.warning("message %s was never answered and is too old now; it waits for staff", message.id)
                inbox.hand_to_staff(message, handled=True)
                continue
            log.warning("message %s was stored but not answered (an interrupted run); answering it now", message.id)
            found.append(message)
        return found

    def on_status(self, modem: str, status: ModemStatus) -> None:
        if status.network_time is not None and self.on_network_time is not None:
            self.on_network_time(status.network_time)
        # A small file the web process reads for the dashboard: no modem access there.
        report = {"modem": modem, "at": self.clock().isoformat(), **status.as_dict()}
        if not self.storage.ok:  # the modem is fine, the box is not: `loket modem status` and the dashboard say so
            report.update(ok=False, error=f"the data dir takes no writes: {self.storage.error}")
        try:
            self.status_dir.mkdir(parents=True, exist_ok=True)
            path = self.status_dir / f"{modem}.json"
            tmp = path.with_suffix(f".{threading.get_ident()}.tmp")  # (written from more than one thread now)
            tmp.write_text(json.dumps(report))
            os.replace(tmp, path)
        except OSError as exc:
            if not storage_module.is_storage_error(exc):
                raise
            self.storage.failed(exc, "the modem's status file")  # (it goes stale, which also reads NOT OK)

    # -- a data dir that takes no writes ---------------------------------------
    STORAGE_PROBE_SECONDS = 2.0

    def _hold_texts(self) -> None:
        """Storage is down: leave the texts on the modems (no reading them
        every second only to fail), and say so in the status files."""
        for modem in self.pool.modems:
            modem.on_inbound = None
        for modem in self.pool.modems:
            self.on_status(modem.name, modem.last_status)

    def _storage_files(self) -> list[Path]:
        files = []
        crm = outbox._db()
        crm = getattr(crm, "obj", crm)  # (the proxy's database)
        for name in (getattr(crm, "database", None), getattr(self.tasks.huey.storage, "filename", None)):
            if name and name != ":memory:":
                files += [Path(name), Path(f"{name}-wal"), Path(f"{name}-shm")]
        return files

    def _watch_storage(self, stop: threading.Event) -> None:
        """While storage is down, look every few seconds whether the files take
        writes again; then take the waiting texts and answer them."""
        while not stop.wait(self.STORAGE_PROBE_SECONDS):
            if self.storage.ok or not storage_module.writable(self._storage_files(), self.status_dir.parent):
                continue
            if not self.storage.recovered():
                continue
            for modem in self.pool.modems:
                modem.on_inbound = self.on_inbound
                self.on_status(modem.name, modem.last_status)
                modem.poll_now()
            try:
                self.storage.fresh_connection()
                self.process_inbound(self.clock(), recover=True)
            except Exception as exc:
                if not storage_module.is_storage_error(exc):
                    log.exception("answering after the storage came back failed")
                    continue
                self.storage.failed(exc, "answering")
                self._hold_texts()
                continue
            self.tasks.kick_outbox()

    def _guarded(self, where: str, work: Callable, nothing):
        """A task's work; when storage is down it does nothing, quietly (the
        storage is reported once, not a traceback a second)."""
        self.storage.fresh_connection()
        try:
            return work()
        except Exception as exc:
            if not storage_module.is_storage_error(exc):
                raise
            if self.storage.failed(exc, where):
                self._hold_texts()
            return nothing

    # -- tasks ---------------------------------------------------------------
    def drain(self, limit: int = 10_000) -> int:
        """Send due rows, most urgent first, until none may go. Returns how many went."""
        return self._guarded("sending", lambda: self._drain(limit), 0)

    def _drain(self, limit: int) -> int:
        sent = 0
        while sent < limit:
            now = self.clock()
            rules = self.rules  # once per batch (the owner's changes apply from the next), not per message
            if rules.rate_per_minute is not None:
                for limiter in self.limiters.values():
                    limiter.set_rate(rules.rate_per_minute)
            trusted = self.clock_trusted()
            quiet = trusted and policy.is_quiet(now, rules)
            used = self._parts_today(now, rules)
            # One rule decides what may go now (policy.may_send); the query asks
            # the database for no more than it allows.
            low_may_go = policy.may_send("reminder", quiet=quiet, capped=self._capped(used, rules),
                                         clock_trusted=trusted)
            batch = outbox.due_outbound(now, limit=20, hold_low=not low_may_go, clock_trusted=trusted)
            if not batch:
                break
            progressed = False
            short = None  # the credit's verdict on promotions: asked once a batch, when one is in it
            prices = {}  # what a part costs on each modem's SIM: looked up once a batch
            done: list[outbox.Sent] = []  # sends confirmed, written with the next lease (outbox.lease)
            try:
                for message in batch:
                    if message.category == "marketing" and short is None:
                        short = simcredit.marketing_short(now)
                    if not policy.may_send(message.category, quiet=quiet, capped=self._capped(used, rules),
                                           clock_trusted=trusted, credit_short=bool(short)):
                        break  # the rest of the batch is lower still; re-select with the cap applied
                    leased = outbox.lease(message, self.owner, now, done)
                    done.clear()
                    if not leased:
                        continue
                    progressed = True
                    modem, parts = self._send(message, done, prices)
                    if parts:
                        sent += 1
                        used[modem] = used.get(modem, 0) + parts
                    now = self.clock()
            finally:
                outbox.record_sent(done, self.owner)  # the batch's last (the next batch's counts see it)
            if not progressed:
                break
        return sent

    def _schedule_retry(self) -> None:
        """A row waits a few seconds' backoff: nudge the outbox then, rather
        than leave it to the minute sweep."""
        now = self.clock()
        row = (Message.select(Message.next_attempt_at)
               .where((Message.direction == "out") & (Message.state == "queued")
                      & (Message.next_attempt_at > now))
               .order_by(Message.next_attempt_at).first())
        if row is None:
            return
        soonest = row.next_attempt_at
        if soonest - now > SWEEP_INTERVAL:
            return  # the sweep comes first anyway
        if self._kick_at is not None and now < self._kick_at <= soonest:
            return  # a nudge is already on its way
        self._kick_at = soonest
        self.tasks.kick_outbox_in((soonest - now).total_seconds() + 0.05)

    def _parts_today(self, now: dt.datetime, rules: policy.Rules) -> dict[str, int]:
        if not rules.daily_cap:
            return {}
        since = policy.day_start(now, rules.tz)
        return {m.name: outbox.parts_sent_since(m.name, since) for m in self.pool.modems}

    def _capped(self, used: dict[str, int], rules: policy.Rules) -> bool:
        """Every SIM has used its daily allowance."""
        cap = rules.daily_cap
        return bool(cap) and all(used.get(m.name, 0) >= cap for m in self.pool.modems)

    def _send(self, message, done: list | None = None, prices: dict | None = None) -> tuple[str, int]:
        """Hand one leased row to a modem; returns (modem, parts sent).

        A transient failure on one modem tries the next healthy one at once
        (failover); only when none takes it does the row wait and retry.
        `done`: a confirmed send is added there for the caller to write
        (with its next lease) instead of being written at once."""
        modem = self.pool.pick(message.phone)
        tried = []
        while True:
            self.limiters[modem.name].wait()
            try:
                result = modem.send(message.phone, message.text, self.send_patience,
                                    on_abandoned=lambda outcome, name=modem.name: self._record(message, name, outcome))
                break
            except SendHandedOver as exc:
                # Still running on the modem's thread, which records it: the
                # row stays leased, so nothing else can send it meanwhile.
                log.warning("message %s: %s", message.id, exc)
                return modem.name, 0
            except ModemError as exc:
                tried.append(modem)
                spare = [m for m in self.pool.modems if m not in tried and m.last_status.ok]
                # Only a failure the modem reported (nothing went out) may try another modem.
                if exc.transient and spare and not isinstance(exc, UnknownOutcomeError):
                    log.warning("message %s: %s failed (%s); trying %s", message.id, modem.name, exc, spare[0].name)
                    modem = spare[0]
                    continue
                return modem.name, self._record(message, modem.name, exc)
        return modem.name, self._record(message, modem.name, result, done, prices)

    def part_price(self, modem: str, prices: dict | None = None) -> int:
        """What one part costs on this modem's SIM now (its operator's price, or the owner's)."""
        if prices is not None and modem in prices:
            return prices[modem]
        status = next((m.last_status for m in self.pool.modems if m.name == modem), None)
        price = simcredit.part_price(getattr(status, "operator", ""), getattr(status, "imsi", ""),
                                     shopdata.setting("sms_price"))
        if prices is not None:
            prices[modem] = price
        return price

    def _record(self, message, modem: str, outcome, done: list | None = None, prices: dict | None = None) -> int:
        """Write a send's outcome to its row; the parts sent (0 unless it went).
        Called on the modem's thread when the sender had stopped waiting."""
        now = self.clock()
        if isinstance(outcome, UnknownOutcomeError):
            if outbox.mark_unknown(message, self.owner, str(outcome), now):
                self._schedule_retry()
        elif isinstance(outcome, ModemError):
            if outcome.transient:
                if outbox.retry_later(message, self.owner, str(outcome), now):
                    self._schedule_retry()
            else:
                outbox.mark_failed(message, self.owner, str(outcome), now)
        else:
            sent = outbox.Sent(message.id, outcome.references, modem, now, getattr(outcome, "encoding", None),
                               self.part_price(modem, prices))
            if done is None:
                outbox.record_sent([sent], self.owner)
            else:
                done.append(sent)
            return outcome.parts
        log.warning("message %s not sent: %s", message.id, outcome)
        return 0

    def sweep(self) -> dict:
        """Once a minute: late multipart messages, and anything due to send."""
        return self._guarded("the minute's sweep", self._sweep, {})

    def _sweep(self) -> dict:
        now = self.clock()
        answered = self.process_inbound(now, recover=True)
        trusted = self.clock_trusted()
        skipped = outbox.skip_stale(now, self.rules.stale_grace) if trusted else 0
        # Reminders, SLA checks, unpaid orders, scheduled campaigns: only on a clock we trust.
        done = jobs.run_all(self.responder.shop, now) if trusted else {}
        credit = self.check_credit(now)
        warned = simcredit.warn_owner(now, self.responder.shop) if trusted else 0
        sent = self.drain()
        return {"answered": answered, "skipped": skipped, "jobs": done, "sent": sent,
                "credit_asked": credit, "credit_warnings": warned}

    # -- life cycle -----------------------------------------------------------
    def run(self, consumer_options: dict | None = None) -> None:
        recovered = outbox.recover_interrupted(self.clock(), owner_prefix=f"{self.name}:")
        if any(recovered.values()):
            log.warning("after an interrupted run: %s", recovered)
        task_module.set_runtime(self)
        self.pool.start()
        stop_watching = threading.Event()
        threading.Thread(target=self._watch_storage, args=(stop_watching,), name="storage", daemon=True).start()
        if getattr(self, "on_started", None):
            self.on_started()
        options = dict(workers=self.threads, worker_type="thread", periodic=True, initial_delay=0.05,
                       backoff=1.5, max_delay=1.0, graceful_signal="TERM", shutdown_timeout=30)
        options.update(consumer_options or {})
        consumer = self.tasks.huey.create_consumer(**options)
        try:
            self.tasks.kick_outbox()  # whatever was queued while no worker ran
            consumer.run()
        finally:
            stop_watching.set()
            self.pool.stop()
            task_module.set_runtime(None)
