"""`./dev bench --api`: the JSON API's send, as a till or web shop calls it:
POST /api/v1/messages over real HTTP (keep-alive, a few clients at once) to
`loket web` on a fresh SQLite data dir; p95 latency and sends accepted (201,
the row committed) per second. The worker is not running: what is measured
is what the API accepts, not what the modem sends (bench.py measures that)."""

from __future__ import annotations

import http.client
import json
import os
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse


def _token(data: Path) -> str:
    from appliance import apitokens, db, migrations
    from appliance import settings as settings_module
    settings = settings_module.load(env={}, overrides={"data_dir": str(data)})
    database = db.connect(settings.db_url)
    migrations.migrate(database)
    _, secret = apitokens.make(["send"], note="bench", per_minute=apitokens.MAX_PER_MINUTE)
    database.close()
    return secret


def bench_api_send(row, clients: int = 8, seconds: float = 8.0) -> dict:
    from support import cpu_seconds, start_web, web_pid
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        secret = _token(data)
        with start_web(data) as url:
            web = web_pid(data)
            cpu = cpu_seconds(web)
            where = urlparse(url)
            latencies: list[float] = []
            failures: list[int] = []
            lock = threading.Lock()
            deadline = time.monotonic() + seconds

            def client(number: int) -> None:
                connection = http.client.HTTPConnection(where.hostname, where.port, timeout=30)
                mine, bad, sent = [], [], 0
                while time.monotonic() < deadline:
                    body = json.dumps({"to": f"+62812{number:02d}{sent % 100000:06d}", "text": "Pesanan siap"})
                    started = time.perf_counter()
                    connection.request("POST", "/api/v1/messages", body,
                                       {"Authorization": f"Bearer {secret}", "Content-Type": "application/json",
                                        "Idempotency-Key": f"bench-{number}-{sent}"})
                    response = connection.getresponse()
                    response.read()
                    mine.append(time.perf_counter() - started)
                    if response.status != 201:
                        bad.append(response.status)
                    sent += 1
                with lock:
                    latencies.extend(mine)
                    failures.extend(bad)

            started = time.monotonic()
            threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
            cpu = cpu_seconds(web) - cpu
            load = os.getloadavg()[0]
    latencies.sort()
    accepted = len(latencies) - len(failures)
    rate = accepted / elapsed
    p95 = latencies[int(len(latencies) * 0.95)] * 1000 if latencies else float("nan")
    row(f"API send (POST /api/v1/messages, {clients} clients): p95", f"{p95:.1f} ms")
    row("API send: sends accepted (201, committed)", f"{rate:.0f} /s", "≥ 500 /s", rate >= 500 and not failures)
    # The rate needs a quiet machine; the web's CPU time per request hardly moves with what else runs.
    cpu_ms = cpu / max(1, len(latencies)) * 1000
    row("API send: the web process's CPU per request", f"{cpu_ms:.2f} ms (load {load:.1f})")
    if failures:
        row("API send: refused or failed", f"{len(failures)} ({sorted(set(failures))})", "0", False)
    return {"p95_ms": p95, "per_s": rate, "failures": len(failures), "cpu_ms": cpu_ms}
