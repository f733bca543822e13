"""Debian's Gammu SMSD on Loket's bench workloads, for comparison.

`bench_smsd(row)` runs the real `gammu-smsd` (as a foreground subprocess,
always stopped with SIGTERM) against Gammu's dummy phone, which keeps the
"phone's" SMS folders as files, so no hardware is involved and the phone
answers at once, like the zero-latency simulated modem of Loket's own bench.

- Outbound, files backend: N `OUT<number>.txt` files in the outbox, timed
  from starting SMSD until all N are in the sent folder.
- Outbound, SQL backend on SQLite (through libdbi's sqlite3 driver: Debian's
  build has no native SQLite driver; needs libdbd-sqlite3): N rows in
  `outbox`, timed from starting SMSD until its own "sent" counter (shared
  memory, read with gammu-smsd-monitor) reaches N; `sentitems` is checked
  to hold them once SMSD has stopped.
- Inbound: N messages in the dummy phone's inbox folder, `RunOnReceive` = a
  tiny shell script appending one line per message, timed from starting
  SMSD until the file has N lines.

Each run also samples SMSD's resident memory (VmRSS) for its peak. A run
that does not finish within `limit` seconds is reported as what it managed in
that time, and says so. Measures, never asserts.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path

from support import rss_mb

# The settings that hold SMSD back on a zero-latency phone, as a throughput
# tuner would set them. Defaults in brackets (gammu-smsdrc(5)).
TUNED = {
    "LoopSleep": "0",  # [1] s slept per main-loop pass; 0 = no sleep (busy loop)
    "CommTimeout": "0",  # [30] s before rescanning an empty outbox
    "SendTimeout": "5",  # [30] s to wait for the phone's "sent"; the dummy answers at once
    # [15] s between inbox checks while sending. Not 0: one check of the dummy
    # phone probes every storage location of its five folders as a file
    # (about 0.1 s here), a cost of the dummy driver, not of a modem; with 0,
    # SMSD sends about 9/s (files) and 10/s (SQLite), with 1 about 80 and 57.
    "ReceiveFrequency": "1",
    "StatusFrequency": "0",  # [60] s between battery/signal refreshes; 0 = never
    "CheckSecurity": "0",  # [1] PIN check
    "CheckBattery": "0",  # [1]
    "CheckSignal": "0",  # [1]
    "CheckNetwork": "0",  # [1]
    "DeliveryReport": "no",  # [no]
    "DebugLevel": "0",  # [0]
}

INBOUND = {"ReceiveFrequency": "0"}  # what the inbound run sets differently

SCHEMA_CANDIDATES = [Path("/usr/share/doc/gammu-smsd/examples/sqlite.sql"),
                     Path("/usr/share/doc/gammu-smsd/examples/sqlite.sql.gz"),
                     Path("/usr/share/doc/gammu/examples/sql/sqlite.sql"),
                     Path("/usr/share/doc/gammu/examples/sql/sqlite.sql.gz")]

DBI_SQLITE_DRIVER_DIRS = [Path("/usr/lib/x86_64-linux-gnu/dbd"), Path("/usr/lib/aarch64-linux-gnu/dbd"),
                          Path("/usr/lib/dbd"), Path("/usr/local/lib/dbd")]


def _config(root: Path, service: list[str], extra: dict | None = None) -> Path:
    phone = root / "phone"
    for folder in range(1, 6):  # the dummy phone's SMS folders (1 = inbox)
        (phone / "sms" / str(folder)).mkdir(parents=True, exist_ok=True)
    lines = ["[gammu]", f"device = {phone}/", "model = dummy", "connection = none", "",
             "[smsd]", f"logfile = {root / 'smsd.log'}", *service]
    lines += [f"{k} = {v}" for k, v in {**TUNED, **(extra or {})}.items()]
    path = root / "smsdrc"
    path.write_text("\n".join(lines) + "\n")
    return path


def _files_service(root: Path) -> list[str]:
    lines = ["service = files"]
    for key, folder in (("InboxPath", "inbox"), ("OutboxPath", "outbox"), ("SentSMSPath", "sent"),
                        ("ErrorSMSPath", "error")):
        (root / folder).mkdir(parents=True, exist_ok=True)
        lines.append(f"{key} = {root / folder}/")
    return lines


class Run:
    """One gammu-smsd run: started in __enter__, SIGTERMed in __exit__."""

    def __init__(self, config: Path, limit: float):
        self.config, self.limit = config, limit
        self.peak_mb = 0.0
        self.seconds = 0.0
        self.first: float | None = None  # seconds until the first one was seen done
        self.died = False  # SMSD exited by itself before the end

    def __enter__(self):
        self.started = time.perf_counter()
        # SMSD copies its errors to stderr: a file, never a pipe nobody drains.
        self.stderr_path = self.config.parent / "smsd.stderr"
        with self.stderr_path.open("wb") as stderr:
            self.process = subprocess.Popen(["gammu-smsd", "-c", str(self.config)], stdin=subprocess.DEVNULL,
                                            stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True)
        return self

    def wait_for(self, count, n: int, every: float = 0.02) -> int:
        """Poll count() until it reaches n, SMSD exits or the limit passes;
        returns the last count and sets seconds (to the moment it was seen)."""
        done = 0
        while True:
            self.peak_mb = max(self.peak_mb, rss_mb(self.process.pid))
            done = count()
            now = time.perf_counter()
            self.seconds = now - self.started
            if done and self.first is None:
                self.first = self.seconds
            if self.process.poll() is not None:
                self.died = True
                return done
            if done >= n or self.seconds > self.limit:
                return done
            time.sleep(every)

    def __exit__(self, *exc):
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.stderr = self.stderr_path.read_text(errors="replace")[-20000:]
        return False

    def monitor(self) -> dict[str, int]:
        """SMSD's own counters (Sent, Received, Failed) from its shared memory,
        through gammu-smsd-monitor: no lock on SMSD's database."""
        try:
            out = subprocess.run(["gammu-smsd-monitor", "-c", str(self.config), "-n", "1", "-d", "0", "-C"],
                                 capture_output=True, text=True, timeout=10).stdout
            fields = (out.strip().splitlines() or [""])[-1].split(";")
            # Client;PhoneID;IMEI;IMSI;Sent;Received;Failed;Battery;Signal
            return {"Sent": int(fields[-5]), "Received": int(fields[-4]), "Failed": int(fields[-3])}
        except (subprocess.TimeoutExpired, IndexError, ValueError):
            return {}  # not started yet


def _why(root: Path, run: Run) -> str:
    """The last error SMSD logged, for a row that has no number."""
    text = run.stderr
    with contextlib.suppress(FileNotFoundError):
        text += (root / "smsd.log").read_text(errors="replace")
    lines = [line for line in text.splitlines() if line.strip()]
    errors = [line for line in lines if ("rror" in line or "ailed" in line or "Can't" in line)
              and "out-of-range index" not in line]  # logged on every pass over an empty SQL outbox
    last = (errors or lines or ["no output"])[-1]
    return last.split("]: ", 1)[-1].strip()[:160]


def _result(what: str, row, done: int, n: int, run: Run, unit: str = "msg/s") -> float | None:
    rate = done / run.seconds if run.seconds else 0.0
    first = f"; first after {run.first:.1f} s" if run.first is not None else ""
    if done >= n:
        row(f"{what} ({n:,} msgs{first})", f"{rate:.0f} {unit}")
    elif done and not run.died:
        row(f"{what} ({done:,} of {n:,} msgs within the {run.limit:.0f} s limit{first})", f"{rate:.1f} {unit}")
    else:
        return None
    return rate


def _count_files(folder: Path):
    return lambda: len(os.listdir(folder))


# -- outbound, files backend ---------------------------------------------------------------

def _outbound_files(tmp: Path, n: int, limit: float, row) -> tuple[float | None, float]:
    root = tmp / "out-files"
    config = _config(root, _files_service(root))
    outbox = root / "outbox"
    for k in range(n):
        (outbox / f"OUT+62812{k:07d}.txt").write_text(f"Promo akhir tahun nomor {k}", encoding="utf-8")
    with Run(config, limit) as run:
        done = run.wait_for(_count_files(root / "sent"), n)
    errors = len(os.listdir(root / "error"))
    rate = _result("Gammu SMSD outbound, files backend, dummy phone", row, done, n, run)
    if rate is None:
        row("Gammu SMSD outbound, files backend", f"failed: {done} of {n} sent, {errors} in error/; "
            f"{_why(root, run)}")
    elif errors:
        row("Gammu SMSD outbound, files backend: messages in error/", f"{errors}")
    return rate, run.peak_mb


# -- outbound, SQL backend on SQLite ---------------------------------------------------------

def _schema() -> str | None:
    for path in SCHEMA_CANDIDATES:
        if path.exists():
            with gzip.open(path, "rt") if path.suffix == ".gz" else path.open() as f:
                return f.read()
    return None


def _dbi_sqlite3() -> bool:
    return any((d / "libdbdsqlite3.so").exists() for d in DBI_SQLITE_DRIVER_DIRS)


def _outbound_sqlite(tmp: Path, n: int, limit: float, row) -> tuple[float | None, float]:
    what = "Gammu SMSD outbound, SQL backend on SQLite"
    schema = _schema()
    if schema is None:
        row(what, "not measured: no sqlite.sql schema in /usr/share/doc/gammu-smsd/examples")
        return None, 0.0
    if shutil.which("gammu-smsd-monitor") is None:
        row(what, "not measured: gammu-smsd-monitor (from the gammu-smsd package) is missing")
        return None, 0.0
    if not _dbi_sqlite3():
        row(what, "not measured: libdbi's sqlite3 driver is missing (apt-get install libdbd-sqlite3); "
            "Debian's gammu-smsd has no native SQLite driver")
        return None, 0.0
    root = tmp / "out-sqlite"
    root.mkdir(parents=True)
    database = root / "smsd.db"
    with contextlib.closing(sqlite3.connect(database)) as db:
        db.executescript(schema)
        # Due a day ago, so none waits for SMSD's "SendingDateTime < now"
        # (second resolution), whether SMSD compares in UTC or local time.
        db.executemany(
            "INSERT INTO outbox (DestinationNumber, TextDecoded, Coding, CreatorID, SendingDateTime, "
            "SendingTimeOut) VALUES (?, ?, 'Default_No_Compression', 'bench', datetime('now', '-1 day'), "
            "datetime('now', '-1 day'))",
            ((f"+62812{k:07d}", f"Promo akhir tahun nomor {k}") for k in range(n)))
        db.commit()
    service = ["service = sql", "driver = sqlite3", f"dbdir = {root}/", f"database = {database.name}"]
    config = _config(root, service)
    # Progress comes from SMSD's shared-memory counters, not from reading the
    # database: any reader's lock makes SMSD's next write fail ("database is
    # locked"), and it then reconnects after a second's pause.
    with Run(config, limit) as run:
        done = run.wait_for(lambda: run.monitor().get("Sent", 0), n, every=0.05)
    with contextlib.closing(sqlite3.connect(database)) as db:
        stored = db.execute("SELECT count(*) FROM sentitems").fetchone()[0]
        failed = db.execute("SELECT count(*) FROM sentitems WHERE Status NOT IN "
                            "('SendingOK', 'SendingOKNoReport')").fetchone()[0]
    done = min(done, stored)
    rate = _result(f"{what}, dummy phone", row, done, n, run)
    if rate is None:
        row(what, f"failed: {done} of {n} sent; {_why(root, run)}")
    elif failed:
        row(f"{what}: sentitems not sent OK", f"{failed}")
    return rate, run.peak_mb


# -- inbound with RunOnReceive ---------------------------------------------------------------

def _inbound(tmp: Path, n: int, limit: float, row) -> tuple[float | None, float]:
    import gammu
    root = tmp / "in"
    received = root / "received.txt"
    script = root / "on-receive.sh"
    root.mkdir(parents=True)
    script.write_text(f"#!/bin/sh\necho \"$SMS_1_NUMBER $*\" >> {received}\n")
    script.chmod(0o755)
    # Nothing to send here, so check the phone on every pass (Loket's worker
    # polls its modem every 0.05 s in the bench).
    config = _config(root, _files_service(root), {**INBOUND, "RunOnReceive": str(script)})
    inbox = root / "phone" / "sms" / "1"
    for k in range(n):
        gammu.SaveSMSBackup(str(inbox / str(k + 1)), [{
            "Number": f"+62813{k:07d}", "Text": "BANTUAN", "SMSC": {"Location": 0, "Number": "+62816124"},
            "Type": "Deliver", "State": "UnRead", "Folder": 1, "Coding": "Default", "Class": -1}])

    def lines() -> int:
        try:
            with received.open("rb") as f:
                return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(65536), b""))
        except FileNotFoundError:
            return 0

    with Run(config, limit) as run:
        done = run.wait_for(lines, n)
    what = "Gammu SMSD inbound, RunOnReceive per message, files backend, dummy phone"
    rate = _result(what, row, done, n, run)
    if rate is None:
        row("Gammu SMSD inbound with RunOnReceive", f"failed: {done} of {n} run; {_why(root, run)}")
    return rate, run.peak_mb


def bench_smsd(row, n_out: int = 2000, n_in: int = 500, limit: float = 45.0) -> dict:
    """Measure gammu-smsd; report through row(what, measured). Returns the raw
    numbers (msg/s, MB); a rate is None when that run could not be measured.
    out_per_s is out_files_per_s again (SMSD's fastest outbound)."""
    if shutil.which("gammu-smsd") is None:
        row("Gammu SMSD comparison", "skipped: gammu-smsd not installed")
        return {}
    version = subprocess.run(["gammu-smsd", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    results: dict = {"version": version.split()[-1] if version else "?",
                     "settings": dict(TUNED), "settings_inbound": {**TUNED, **INBOUND}}
    with tempfile.TemporaryDirectory(prefix="bench-smsd-") as tmp:
        tmp = Path(tmp)
        rate, peak = _outbound_files(tmp, n_out, limit, row)
        results.update(out_files_per_s=rate, out_files_peak_rss_mb=peak, out_per_s=rate)
        rate, peak = _outbound_sqlite(tmp, n_out, limit, row)
        results.update(out_sqlite_per_s=rate, out_sqlite_peak_rss_mb=peak)
        try:
            rate, peak = _inbound(tmp, n_in, limit, row)
        except ImportError:
            row("Gammu SMSD inbound with RunOnReceive", "not measured: python-gammu is needed to write the inbox")
            rate, peak = None, 0.0
        results.update(in_run_on_receive_per_s=rate, in_peak_rss_mb=peak)
    peaks = [results[k] for k in ("out_files_peak_rss_mb", "out_sqlite_peak_rss_mb", "in_peak_rss_mb")]
    results["peak_rss_mb"] = max(peaks)
    row(f"Gammu SMSD {results['version']} peak memory (outbound files / SQLite / inbound {n_in:,} waiting)",
        " / ".join(f"{p:.0f}" if p else "-" for p in peaks) + " MB")
    if results["in_run_on_receive_per_s"] and results["out_files_peak_rss_mb"]:
        # SMSD reads the phone's whole inbox into memory before handling any.
        each = (results["in_peak_rss_mb"] - results["out_files_peak_rss_mb"]) / n_in
        results["rss_mb_per_waiting_inbound"] = each
        row("Gammu SMSD memory per waiting inbound message", f"{each * 1024:.0f} KB")
    return results
