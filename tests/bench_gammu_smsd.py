"""Debian's Gammu SMSD on the same workloads, for comparison (`./dev bench`).

Gammu's dummy phone stands in for a modem, as for Loket's own zero-latency
numbers. Outbound: N files in the outbox, timed until all are in `sent/`.
Inbound: N messages in the dummy phone's inbox, RunOnReceive running a tiny
script per message, timed until it has run N times. Measured only where
gammu-smsd is installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from support import rss_mb

SETTINGS = {  # as fast as SMSD goes without skipping its work
    "LoopSleep": "0", "CommTimeout": "0", "SendTimeout": "1", "ReceiveFrequency": "0", "StatusFrequency": "0",
    "CheckSecurity": "0", "CheckBattery": "0", "CheckSignal": "0", "CheckNetwork": "0", "debuglevel": "0",
}


def _config(root: Path, extra: dict) -> Path:
    lines = ["[gammu]", f"device = {root / 'phone'}", "model = dummy", "connection = none", "[smsd]",
             "service = files", f"logfile = {root / 'log'}"]
    for folder in ("inbox", "outbox", "sent", "error"):
        (root / folder).mkdir(parents=True, exist_ok=True)
        lines.append(f"{folder if folder != 'sent' else 'sentsms'}path = {root / folder}/")
    lines += [f"{k} = {v}" for k, v in {**SETTINGS, **extra}.items()]
    (root / "phone").mkdir(exist_ok=True)
    path = root / "smsdrc"
    path.write_text("\n".join(lines).replace("errorpath", "errorsmspath") + "\n")
    return path


def _run(config: Path, done, limit: float) -> tuple[float, float]:
    """Start SMSD, wait until done() or the limit; (seconds, peak RSS MB)."""
    started = time.perf_counter()
    process = subprocess.Popen(["gammu-smsd", "-c", str(config)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    peak = 0.0
    try:
        while not done() and time.perf_counter() - started < limit:
            peak = max(peak, rss_mb(process.pid))
            time.sleep(0.02)
        return time.perf_counter() - started, peak
    finally:
        process.terminate()
        process.wait(10)


def bench_smsd(row, n_out: int = 300, n_in: int = 200, limit: float = 60.0) -> dict:
    if not shutil.which("gammu-smsd"):
        row("Gammu SMSD comparison", "skipped: gammu-smsd not installed")
        return {}
    import gammu
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "out"
        config = _config(root, {})
        for k in range(n_out):
            (root / "outbox" / f"OUT+62812{k:07d}.txt").write_text(f"Pesanan {k} sudah dikirim hari ini.")
        seconds, peak = _run(config, lambda: len(os.listdir(root / "sent")) >= n_out, limit)
        sent = len(os.listdir(root / "sent"))
        results["out_per_s"] = sent / seconds
        row(f"Gammu SMSD outbound, files backend, dummy phone ({sent} msgs)", f"{sent / seconds:.0f} msg/s")

        root = Path(tmp) / "in"
        script = Path(tmp) / "on-receive.sh"
        counter = Path(tmp) / "received.txt"
        script.write_text(f"#!/bin/sh\necho \"$SMS_1_NUMBER\" >> {counter}\n")
        script.chmod(0o755)
        config = _config(root, {"RunOnReceive": str(script)})
        inbox = root / "phone" / "sms" / "1"
        inbox.mkdir(parents=True, exist_ok=True)
        for k in range(n_in):
            gammu.SaveSMSBackup(str(inbox / str(k + 1)), [{
                "Number": f"+62813{k:07d}", "Text": "BANTUAN", "SMSC": {"Location": 0, "Number": "+62816124"},
                "Type": "Deliver", "State": "UnRead", "Folder": 1, "Coding": "Default", "Class": -1}])

        def received() -> int:
            try:
                return len(counter.read_text().splitlines())
            except FileNotFoundError:
                return 0

        seconds, peak_in = _run(config, lambda: received() >= n_in, limit)
        results["in_per_s"] = received() / seconds
        row(f"Gammu SMSD inbound with RunOnReceive, dummy phone ({received()} msgs)",
            f"{received() / seconds:.0f} msg/s")
        row("Gammu SMSD peak memory (outbound / inbound)", f"{peak:.0f} / {peak_in:.0f} MB")
    return results
