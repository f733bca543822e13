"""`./dev bench --soak-day MINUTES`: a shop's whole day compressed into
MINUTES, against the real `loket run` (web, worker, the simulated modem, the
demo spa), to see what a box that runs for months would show: memory that
grows, files left open, a database and a log that outgrow the SD card.

The day: customers texting (keywords and free texts from the corpus), staff
reading pages over HTTP with a logged-in session, one campaign sent from the
Campaigns page, appointment reminders going out from the periodic job, and a
modem that misbehaves now and then (the AT simulator's faults). Before it, a
quiet spell (the night) measures what the box logs when nothing happens, so
the log's growth per day is the day's traffic plus 24 hours of idling.

LOKET_SOAK_DIR=DIR keeps the day's data dir (database, run.log) in DIR.
The day's traffic is fixed (DAY below); MINUTES only sets its pace. Memory
growth per hour is per hour of running, so a short soak only hints at it:
run an hour (`--soak-day 60`) before calling memory flat.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import random
import re
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from support import LOKET, Browserless, free_port, rss_mb

# A busy day at a small shop.
DAY = {"texts": 400, "pages": 600, "reminders": 12, "phones": 250}
KEYWORDS = ["POIN", "BANTUAN", "ANTRI", "INFO", "STOP", "MULAI"]
PAGES = ["/dashboard", "/inbox", "/customers", "/outbox", "/tickets", "/campaigns", "/bookings", "/queue",
         "/reports", "/orders"]
# Each fault lasts a few seconds, then the modem is well again until the next.
FAULTS = [dict(calls=0.5), dict(noise="huawei"), dict(noise="quectel", calls=0.2), dict(lose_cmgs=0.3),
          dict(late_cmgs=2.0), dict(reset="text"), dict(reset="pdu", combined_rejected=True), dict(garbage=0.2),
          dict(vanish=2.0)]


def _children(pid: int) -> dict[str, int]:
    """`loket run`'s web and worker processes by name."""
    found = {}
    try:
        pids = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return found
    for child in pids:
        with contextlib.suppress(FileNotFoundError):
            argv = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
            for name in ("web", "worker"):
                if name.encode() in argv:
                    found[name] = child
    return found


def _fds(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except FileNotFoundError:
        return 0


def _size(*paths: Path) -> int:
    return sum(p.stat().st_size for p in paths if p.exists())


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, max(0, int(len(values) * share + 0.5) - 1))]


def _slope_per_hour(samples: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, MB) in MB per hour."""
    if len(samples) < 3:
        return 0.0
    n = len(samples)
    mean_t = sum(t for t, _ in samples) / n
    mean_v = sum(v for _, v in samples) / n
    spread = sum((t - mean_t) ** 2 for t, _ in samples)
    return 0.0 if spread == 0 else sum((t - mean_t) * (v - mean_v) for t, v in samples) / spread * 3600


def bench_soak_day(row, minutes: float = 2.0, seed: int = 17) -> dict:
    import texts
    from appliance import db, settings as settings_module
    from appliance.modem import atsim
    from appliance.modem.network import SimNetwork

    rng = random.Random(seed)
    seconds = max(60.0, minutes * 60)  # the periodic jobs run once a minute
    night = max(10.0, seconds * 0.1)
    kept = os.environ.get("LOKET_SOAK_DIR")  # keep the day's data dir and log to look at afterwards
    with (contextlib.nullcontext(kept) if kept else tempfile.TemporaryDirectory()) as tmp:
        data = Path(tmp)
        data.mkdir(parents=True, exist_ok=True)
        settings = settings_module.load(env={}, overrides={"data_dir": str(data)})
        log_path = data / "run.log"  # what journald would get from web, worker and run
        port = free_port()
        # A compressed day cannot wait for the clock: no quiet hours (it may be
        # night where this runs) and no per-minute pace (a day's sends in minutes).
        env = {**os.environ, "LOKET_QUIET_HOURS": "", "LOKET_RATE_PER_MINUTE": "0"}
        with open(log_path, "wb") as log:
            run = subprocess.Popen(LOKET + ["run", "--demo", "spa", "--data-dir", str(data), "--host", "127.0.0.1",
                                            "--port", str(port)], stdout=log, stderr=subprocess.STDOUT, env=env,
                                   start_new_session=True)
        try:
            return _day(row, run, data, settings, log_path, port, seconds, night, rng, texts, db, atsim,
                        SimNetwork(settings.sim_path))
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(run.pid, signal.SIGTERM)
            try:
                run.wait(40)
            except subprocess.TimeoutExpired:
                os.killpg(run.pid, signal.SIGKILL)
                run.wait(5)


def _day(row, run, data, settings, log_path, port, seconds, night, rng, texts, db, atsim, network) -> dict:
    deadline = time.monotonic() + 60
    login = None
    while login is None:
        found = re.search(r"Log in as (\S+) with password (\S+)", log_path.read_text(errors="replace"))
        login = found and found.groups()
        if run.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("loket run did not start:\n" + log_path.read_text(errors="replace")[-2000:])
        time.sleep(0.1)
    procs = _children(run.pid)
    # The databases' own files: their WALs are reused, not grown (a few MB at most),
    # so growth is measured after a checkpoint, on the main files.
    database_files = [data / "loket.db", data / "queue.db"]

    def checkpoint():
        import sqlite3
        for path in database_files:
            with contextlib.closing(sqlite3.connect(path, timeout=10)) as connection:
                connection.execute("PRAGMA wal_checkpoint(PASSIVE)")

    samples = []  # (t, rss web, rss worker, fds web, fds worker, db bytes, log bytes)
    started = time.monotonic()
    stop = threading.Event()

    def sample():
        samples.append((time.monotonic() - started, rss_mb(procs.get("web", 0)), rss_mb(procs.get("worker", 0)),
                        _fds(procs.get("web", 0)), _fds(procs.get("worker", 0)),
                        _size(*database_files), _size(log_path)))

    def sampler():
        every = max(1.0, seconds / 60)
        while not stop.wait(every):
            sample()

    # -- the night: nothing happens; what does the box log and hold? ----------------------
    time.sleep(2)  # started and settled
    sample()
    threading.Thread(target=sampler, daemon=True).start()
    time.sleep(night)
    checkpoint()
    sample()
    idle_log_per_s = (samples[-1][6] - samples[0][6]) / max(1.0, samples[-1][0] - samples[0][0])

    # -- appointments whose 2-hour reminder falls in the day -------------------------------
    from appliance.models import Booking, Customer, Service
    db.connect(settings.db_url, synchronous=settings.sqlite_synchronous)
    service = Service.select().where(Service.active == True).first()  # noqa: E712
    now = dt.datetime.now(dt.timezone.utc)
    for k in range(DAY["reminders"]):
        customer, _ = Customer.get_or_create(phone=f"+62858{k:07d}", defaults={"name": f"Tamu {k}",
                                                                               "consent_reminder": True})
        starts = now + dt.timedelta(hours=2, seconds=(k + 1) * seconds / (DAY["reminders"] + 2))
        Booking.create(customer=customer, service=service, starts_at=starts,
                       ends_at=starts + dt.timedelta(minutes=service.duration_minutes), created_at=now)

    words = [t.text for t in texts.all_texts() if t.kind == "spa"]
    # Every customer texts once or twice a day, hours apart (compressed: a good part
    # of the soak apart), as people do; not the same phone every few seconds.
    phones = [f"+62857{k:07d}" for k in range(DAY["phones"])]
    rng.shuffle(phones)
    sent: list[tuple[str, float]] = []
    pages: list[tuple[float, int]] = []
    faults = []
    day_start = time.monotonic()
    day_start_wall = time.time()

    def customers():
        for k in range(DAY["texts"]):
            at = day_start + (k + rng.random()) * seconds / DAY["texts"]
            if stop.wait(max(0.0, at - time.monotonic())):
                return
            phone = phones[k % len(phones)]
            text = rng.choice(KEYWORDS) if rng.random() < 0.3 else rng.choice(words)
            sent.append((phone, time.time()))
            network.text_shop(phone, text)

    campaign = {}

    def staff():
        browser = Browserless(f"http://127.0.0.1:{port}")
        browser.login(*login)
        for k in range(DAY["pages"]):
            at = day_start + k * seconds / DAY["pages"]
            if stop.wait(max(0.0, at - time.monotonic())):
                return
            if k == DAY["pages"] // 3:  # mid-morning: the owner sends the month's promotion
                token = browser.csrf("/campaigns/new")
                t0 = time.perf_counter()
                status, _, _ = browser.post("/campaigns", {"csrf": token, "name": "Promo akhir pekan",
                                                           "kind": "promotion", "action": "send",
                                                           "text": "Diskon 20% pijat akhir pekan ini!"})
                campaign.update(status=status, seconds=time.perf_counter() - t0)
                continue
            t0 = time.perf_counter()
            status, _, _ = browser.get(PAGES[k % len(PAGES)])
            pages.append((time.perf_counter() - t0, status))

    def havoc():
        while not stop.wait(rng.uniform(6.0, 15.0)):
            fault = rng.choice(FAULTS)
            faults.append(fault)
            atsim.write_faults(settings.sim_path, **fault)
            if stop.wait(rng.uniform(1.0, 3.0)):
                break
            atsim.write_faults(settings.sim_path)

    threads = [threading.Thread(target=f, daemon=True) for f in (customers, staff, havoc)]
    for thread in threads:
        thread.start()
    for thread in threads[:2]:
        thread.join(seconds + 60)
    # -- the evening: the modem is well again; the day's work finishes ----------------------
    atsim.write_faults(settings.sim_path)
    from appliance.models import InboundPart, Message
    settle = time.monotonic() + 60
    while time.monotonic() < settle:
        busy = Message.select().where(Message.state.in_(["queued", "sending"]) & (
            Message.send_at.is_null() | (Message.send_at <= dt.datetime.now(dt.timezone.utc)))).count()
        if not busy and not network.pending():
            break
        time.sleep(0.5)
    time.sleep(2)
    checkpoint()
    sample()
    stop.set()
    day_seconds = time.monotonic() - day_start

    # -- what the day showed -------------------------------------------------------------------
    committed = []
    for part in InboundPart.select().where(InboundPart.received_at >= dt.datetime.fromtimestamp(
            day_start_wall, dt.timezone.utc)):
        reply = Message.get_or_none((Message.reply_to == part.message_id) & (Message.direction == "out"))
        if reply is not None:
            committed.append((reply.created_at - part.received_at).total_seconds())
    end_to_end, unanswered = [], 0
    by_phone: dict[str, list[float]] = {}
    for phone, at in sent:
        by_phone.setdefault(phone, []).append(at)
    for phone, times in by_phone.items():
        arrivals = sorted(dt.datetime.fromisoformat(sms["at"]).timestamp() for sms in network.received(phone))
        for n, at in enumerate(times):
            following = times[n + 1] if n + 1 < len(times) else float("inf")
            first = next((a for a in arrivals if at <= a < following), None)
            if first is None:
                unanswered += 1
            else:
                end_to_end.append(first - at)
    reminders = Message.select().where((Message.category == "reminder")
                                       & Message.state.in_(["sent", "delivered"])).count()
    campaign_sent = Message.select().where(Message.campaign.is_null(False)
                                           & Message.state.in_(["sent", "delivered"])).count()
    campaign_total = Message.select().where(Message.campaign.is_null(False)).count()
    stuck = Message.select().where(Message.state.in_(["queued", "sending"]) & (
        Message.send_at.is_null() | (Message.send_at <= dt.datetime.now(dt.timezone.utc)))).count()

    night_end = next(s for s in samples if s[0] >= night)
    midday = next(s for s in samples if s[0] >= night + day_seconds / 2)
    end = samples[-1]
    memory = [(t, web + worker) for t, web, worker, *_ in samples]
    warm = [m for m in memory if m[0] >= night]
    peak = max(v for _, v in memory)
    growth = _slope_per_hour(warm[len(warm) // 4:])
    db_day = (end[5] - night_end[5]) / 1e6
    log_day = ((end[6] - night_end[6]) + idle_log_per_s * max(0.0, 86400 - day_seconds)) / 1e6
    page_times = [t for t, _ in pages]
    page_errors = sum(1 for _, status in pages if status != 200)

    row(f"shop day in {seconds / 60:g} min: {len(sent)} texts from {len(by_phone)} phones, {len(pages) + 1} staff "
        f"pages, a campaign to {campaign_total}, {reminders} reminders, {len(faults)} modem faults", "")
    row("day: memory web + worker, start / peak / end",
        f"{night_end[1] + night_end[2]:.0f} / {peak:.0f} / {end[1] + end[2]:.0f} MB", "≤ 100 MB peak", peak <= 100)
    row("day: memory web, worker: start → end",
        f"{night_end[1]:.0f} → {end[1]:.0f}, {night_end[2]:.0f} → {end[2]:.0f} MB", "")
    tenths = [next(v for t, v in memory if t >= night + day_seconds * k / 10) for k in range(10)] + [memory[-1][1]]
    row("day: memory web + worker over the day, MB at every tenth", " ".join(f"{v:.0f}" for v in tenths), "flat")
    long_enough = seconds >= 30 * 60
    row("day: memory growth while busy (slope after warm-up, per hour of running)",
        f"{growth:+.1f} MB/h", "≤ 5 MB/h" if long_enough else "(≥ 30 min)", growth <= 5 if long_enough else None)
    files = [s[3] + s[4] for s in (night_end, midday, end)]
    row("day: open files web + worker, start → midday → end", " → ".join(map(str, files)),
        "no growth after midday", files[2] <= files[1] + 2)
    row("day: database growth per shop day (after a checkpoint)", f"{db_day:.2f} MB",
        f"{db_day * 365 / 1000:.1f} GB/year", None)
    row(f"day: log growth per day (the day's + 24 h idle at {idle_log_per_s * 86400 / 1000:.0f} kB/day)",
        f"{log_day:.2f} MB" if log_day >= 0.1 else f"{log_day * 1000:.0f} kB", "≤ 10 MB", log_day <= 10)
    # Texts read in one poll are answered one after another: after a fault, a
    # backlog read at once makes the last of them wait for the others.
    row("day: modem read → reply committed, p50 / p99",
        f"{_percentile(committed, 0.5) * 1000:.0f} / {_percentile(committed, 0.99) * 1000:.0f} ms", "p99 ≤ 50 ms",
        _percentile(committed, 0.99) <= 0.05)
    row("day: customer's text → reply on the phone, p50 / p99",
        f"{_percentile(end_to_end, 0.5):.1f} / {_percentile(end_to_end, 0.99):.1f} s", "")
    row("day: texts not answered (a 'thanks', STOP, ...) / messages stuck at the end",
        f"{unanswered} / {stuck}", "— / 0", stuck == 0)
    row("day: campaign messages sent / reminders sent",
        f"{campaign_sent} of {campaign_total} / {reminders} of {DAY['reminders']}",
        "all", campaign_sent == campaign_total and reminders == DAY["reminders"] and campaign.get("status") == 200)
    logged = log_path.read_text(errors="replace")
    row("day: log lines warning / error / traceback",
        f"{logged.count(' WARNING ')} / {logged.count(' ERROR ')} / {logged.count('Traceback')}", "— / 0 / 0",
        logged.count(" ERROR ") == 0 and "Traceback" not in logged)
    row("day: staff pages p95 / errors", f"{_percentile(page_times, 0.95) * 1000:.0f} ms / {page_errors}",
        "≤ 100 ms / 0", _percentile(page_times, 0.95) <= 0.1 and page_errors == 0)
    return {"samples": samples, "faults": faults}
