"""`./dev bench`: webhook deliveries per second from the real `loket hooks`
process to a local receiver that checks every signature."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from support import LOKET  # noqa: E402


def bench_hooks(row, n: int = 2000) -> float:
    from webhook_receiver import Receiver

    from appliance import db, events, migrations, settings, webhooks
    receiver = Receiver()
    with tempfile.TemporaryDirectory() as tmp:
        s = settings.load(env={}, overrides={"data_dir": tmp})
        database = db.connect(s.db_url)
        migrations.migrate(database)
        events.use(tmp)
        hook = webhooks.create(receiver.url + "/ok", ["order.paid"])
        receiver.secrets["/ok"] = hook.secret
        with database.atomic():
            for k in range(n):
                events.emit("order.paid", {"order_id": k})
        process = subprocess.Popen(LOKET + ["hooks", "--data-dir", tmp], stderr=subprocess.DEVNULL)
        try:
            while not receiver.at("/ok"):  # from its first delivery: the process's start is not the rate
                time.sleep(0.01)
            started = time.perf_counter()
            while webhooks.waiting() and time.perf_counter() - started < 300:
                time.sleep(0.05)
            elapsed = time.perf_counter() - started
        finally:
            process.terminate()
            process.wait(30)
        delivered = len(receiver.at("/ok"))
        signed = all(s.signed for s in receiver.seen)
        database.close()
    receiver.close()
    rate = delivered / elapsed
    row("webhook deliveries to a local receiver (signed, SQLite)", f"{rate:.0f} /s" + ("" if signed else " UNSIGNED"))
    return rate


if __name__ == "__main__":
    bench_hooks(lambda what, measured, *rest: print(f"{what}: {measured}"))
