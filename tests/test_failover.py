"""Several modems: one thread each, the same customer keeps the same modem,
and when one modem dies its messages go through another."""

import zoneinfo

from appliance.modem import atsim
from appliance.modem.owner import ModemThread
from appliance.modem.simulated_at import SimulatedATModem
from appliance.modem.watchdog import Watchdog
from appliance.queue.tasks import Tasks, make_huey
from appliance.queue.worker import Worker

from appliance import outbox, policy
from appliance.conversation import Shop
from appliance.models import Message
from appliance.responder import Responder


def make_worker(tmp_path, names):
    threads = []
    for name in names:
        driver = SimulatedATModem(tmp_path / name, timeout=0.5, send_timeout=3)
        threads.append(ModemThread(name, driver, poll_seconds=30, status_seconds=0.5,
                                   watchdog=Watchdog(driver, name=name)).start())
    worker = Worker(tasks=Tasks(make_huey(f"sqlite:///{tmp_path / 'q.db'}")), modems=threads,
                    responder=Responder(Shop()), region_key=lambda s: s, status_dir=tmp_path / "status",
                    rules=policy.Rules(tz=zoneinfo.ZoneInfo("Asia/Jakarta")))
    return worker, threads


def wait_healthy(threads):
    import time
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not all(t.last_status.ok for t in threads):
        time.sleep(0.1)
    assert all(t.last_status.ok for t in threads)


def test_the_same_customer_keeps_the_same_modem(shop, tmp_path):
    worker, threads = make_worker(tmp_path, ["a", "b"])
    try:
        wait_healthy(threads)
        for n in range(6):
            outbox.queue_outbound("+6281200000001", f"pesan {n}")
            outbox.queue_outbound("+6281200000002", f"pesan {n}")
        assert worker.drain() == 12
        for phone in ("+6281200000001", "+6281200000002"):
            assert len({m.modem for m in Message.select().where(Message.phone == phone)}) == 1
    finally:
        for t in threads:
            t.stop()


def test_when_a_modem_dies_its_messages_go_through_the_other(shop, tmp_path):
    worker, threads = make_worker(tmp_path, ["a", "b"])
    try:
        wait_healthy(threads)
        atsim.write_faults(tmp_path / "a", vanish=True)  # modem a's USB device is gone
        import time
        deadline = time.monotonic() + 5
        while (tmp_path / "a" / "modem.tty").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        for n in range(10):
            outbox.queue_outbound(f"+628120000{n:04d}", f"pesan {n}")
        assert worker.drain() == 10
        assert {m.state for m in Message.select()} == {"sent"}
        assert {m.modem for m in Message.select()} == {"b"}
    finally:
        for t in threads:
            t.stop()
