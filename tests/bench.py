"""`./dev bench`: measure Loket against the targets in DESIGN.md, print a table.

Measures, never asserts: a slow machine gives a slow number, not a failure.
"""

from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from support import LOKET, free_port  # noqa: E402


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"HEAD /login HTTP/1.0\r\n\r\n")
            return sock.recv(5) == b"HTTP/"
    except OSError:
        return False


def start_loket(data_dir: str) -> tuple[subprocess.Popen, float, int]:
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen(LOKET + ["run", "--data-dir", data_dir, "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    while not _answers(port):
        if process.poll() is not None or time.perf_counter() - started > 60:
            raise RuntimeError("loket run did not answer")
        time.sleep(0.01)
    return process, time.perf_counter() - started, port


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(40)


def bench_startup(runs: int = 3) -> tuple[list[float], float]:
    times = []
    memory = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(runs):
            process, elapsed, _ = start_loket(tmp)  # the first run also creates and seeds the database
            times.append(elapsed)
            if n == runs - 1:
                time.sleep(5)  # idle: modem polling, queue polling
                memory = sum(_rss_mb(pid) for pid in _children(process.pid))
            stop(process)
    return times, memory


def main() -> int:
    rows = []
    times, memory = bench_startup()
    rows.append(("`loket run` to first HTTP answer (first start)", f"{times[0]:.2f} s", "≤ 3 s",
                 times[0] <= 3))
    warm = statistics.median(times[1:])
    rows.append(("`loket run` to first HTTP answer (later starts, median)", f"{warm:.2f} s", "≤ 3 s", warm <= 3))
    rows.append(("resident memory, web + worker, idle", f"{memory:.0f} MB", "≤ 100 MB", memory <= 100))

    width = max(len(r[0]) for r in rows)
    print(f"{'what':<{width}}  {'measured':>10}  {'target':>10}  met")
    print("-" * (width + 30))
    for what, measured, target, met in rows:
        print(f"{what:<{width}}  {measured:>10}  {target:>10}  {'yes' if met else 'NO'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
