"""Fault tests with real processes: the worker killed mid-send, and a modem
having a bad day in the middle of a campaign.

The worker is the real `loket worker` with its default simulated modem (the
AT simulator on a pty, driven by our AT driver). The simulator appends every
PDU it was given to `modem_sent.jsonl` and every delivered SMS to the network's
file: that record is on disk, so it survives the kills and is the truth the
rows are checked against.
"""

import collections
import json
import os
import random
import signal
import subprocess
import time

import pytest
from appliance.modem import atsim
from appliance.modem.network import SimNetwork
from appliance.queue.tasks import Tasks, make_huey
from support import LOKET, wait_until, wait_while_moving

from appliance import campaigns, customers, db, migrations, outbox
from appliance.models import Message
from appliance.settings import load

FINAL = {"sent", "delivered", "failed", "unknown", "cancelled"}
SEED = int(os.environ.get("LOKET_FAULT_SEED", "20261122"))


@pytest.fixture
def box(tmp_path):
    settings = load(env={}, overrides={"data_dir": str(tmp_path / "var")})
    database = db.connect(settings.db_url)
    migrations.migrate(database)
    env = {**os.environ, "LOKET_DATA_DIR": str(settings.data_path), "LOKET_RATE_PER_MINUTE": "0",
           "LOKET_QUIET_HOURS": "", "LOKET_DAILY_CAP": "0", "LOKET_MODEM_POLL_SECONDS": "0.2",
           "LOKET_MODEM_CHECK_SECONDS": "1",
           # The simulated SIM holds Rp 50.000: at Rp 150 a part it cannot pay for 1,000 texts, and a worker
           # that lived long enough to ask its balance rightly held the promotions for a top-up. These tests
           # are about kills and a bad modem, not credit (tests/test_simcredit*.py are): no balance asked.
           "LOKET_CREDIT_CHECK_HOURS": "0"}
    workers = []

    def start_worker():
        # Each worker's log is kept: when a test fails, its report ends with the last one's tail.
        with open(tmp_path / f"worker-{len(workers) + 1}.log", "wb") as log:
            process = subprocess.Popen(LOKET + ["worker"], env=env, stdout=log, stderr=subprocess.STDOUT)
        workers.append(process)
        return process

    def kick():
        Tasks(make_huey(settings.huey_url)).kick_outbox()

    yield settings, start_worker, kick
    for process in workers:
        if process.poll() is None:
            process.terminate()
            process.wait(40)
    database.close()


def last_worker_log(settings, lines: int = 60) -> str:
    """The newest worker's log, its last lines: what a failed run was doing."""
    logs = sorted(settings.data_path.parent.glob("worker-*.log"), key=lambda p: int(p.stem.split("-")[1]))
    return "\n".join(logs[-1].read_text(errors="replace").splitlines()[-lines:]) if logs else "(no worker log)"


def delivered_texts(settings) -> collections.Counter:
    """How many times each (phone, text) reached the phone."""
    return collections.Counter((sms["to"], sms["text"]) for sms in SimNetwork(settings.sim_path).everything())


def test_sigkill_during_a_1000_message_send_loses_nothing_and_sends_nothing_twice_silently(box):
    settings, start_worker, kick = box
    rng = random.Random(SEED)
    for n in range(1000):
        category = "marketing" if n % 3 == 0 else "transactional"
        customer = None
        if category == "marketing":
            customer = customers.customer_for(f"+62812{n:07d}")
            customer.consent_marketing = True
            customer.save()
        outbox.queue_outbound(f"+62812{n:07d}", f"message number {n}", category=category, customer=customer)

    for _ in range(5):
        worker = start_worker()
        kick()
        time.sleep(rng.uniform(1.0, 4.0))
        worker.send_signal(signal.SIGKILL)
        worker.wait()

    start_worker()  # the last one runs to the end
    kick()
    assert wait_while_moving(lambda: Message.select().where(Message.state.in_(["queued", "sending"])).count()), \
        "rows were still waiting, and none had left for two minutes\n" + last_worker_log(settings)

    delivered = delivered_texts(settings)
    rows = list(Message.select())
    assert len(rows) == 1000
    assert {m.state for m in rows} <= FINAL
    for m in rows:
        times = delivered[(m.phone, m.text)]
        if m.state in ("sent", "delivered"):
            assert times >= 1, f"{m.text} is {m.state} but never reached the phone"
        if times > 1:
            # Only allowed where a crash made the outcome unknown and the category allows a re-send.
            assert m.resent_after_crash and m.category != "marketing", f"{m.text} arrived {times} times"
        if m.category == "marketing":
            assert times <= 1
    assert sum(1 for m in rows if m.state in ("sent", "delivered")) >= 900  # nothing lost: the rest say why
    unknown = [m for m in rows if m.state == "unknown"]
    assert all(m.category == "marketing" for m in unknown)  # replies were re-sent; promotions wait for staff


def test_a_campaign_survives_refusals_a_hung_modem_and_a_vanished_device(box):
    settings, start_worker, kick = box
    people = []
    for n in range(60):
        customer = customers.customer_for(f"+62813{n:07d}")
        customer.consent_marketing = True
        customer.save()
        people.append(customer)
    refused = {people[3].phone: 21, people[7].phone: 28}  # "SM rejected", "unidentified subscriber": never
    campaign = campaigns.create("Promo", "Diskon akhir tahun {name}!", {})
    worker = start_worker()
    time.sleep(2)  # the simulator is up
    atsim.write_faults(settings.sim_path, cms_error=refused)
    campaigns.start(campaign)
    kick()
    assert wait_until(lambda: Message.select().where(Message.state == "sent").count() >= 10, 60)

    atsim.write_faults(settings.sim_path, cms_error=refused, hung=True)  # the modem stops answering
    time.sleep(4)
    atsim.write_faults(settings.sim_path, cms_error=refused, vanish=3)  # then the USB device disappears
    time.sleep(5)
    atsim.write_faults(settings.sim_path, cms_error=refused)  # and it is back

    def left():
        kick()
        return Message.select().where(Message.state.in_(["queued", "sending"])).count()

    assert wait_while_moving(left), "the campaign stopped going out after the modem came back"
    assert worker.poll() is None, "the worker must survive the modem's bad day"
    by_phone = {m.phone: m for m in Message.select()}
    for phone in refused:
        assert by_phone[phone].state == "failed" and "CMS" in by_phone[phone].error.upper()
    delivered = delivered_texts(settings)
    others = [c for c in people if c.phone not in refused]
    for customer in others:
        message = by_phone[customer.phone]
        assert message.state in ("sent", "delivered", "unknown"), f"{customer.phone}: {message.state} {message.error}"
        assert delivered[(message.phone, message.text)] <= 1
    assert sum(by_phone[c.phone].state in ("sent", "delivered") for c in others) >= len(others) - 2


def test_missed_calls_modem_chatter_and_a_reset_change_nothing(box):
    # The real `loket worker` and its default modem: a customer keeps calling
    # (RING, +CLIP, NO CARRIER between every PDU and its +CMGS), the modem
    # chatters like a Huawei, and between two batches it restarts into text
    # mode with echo on, without its port going away.
    settings, start_worker, kick = box
    worker = start_worker()
    time.sleep(2)  # the simulator is up
    atsim.write_faults(settings.sim_path, calls=True, noise="huawei")

    def finished():
        kick()
        return not Message.select().where(Message.state.in_(["queued", "sending"])).exists()

    for batch in range(2):
        for n in range(20):
            outbox.queue_outbound(f"+62814{batch}{n:06d}", f"Pesanan {batch}-{n} siap diambil.")
        assert wait_until(finished, 60)
        atsim.write_faults(settings.sim_path, calls=True, noise="huawei", reset="text")
        time.sleep(0.5)  # the simulator reads its faults file every 0.1 s
    assert worker.poll() is None
    delivered = delivered_texts(settings)
    for m in Message.select():
        assert m.state in ("sent", "delivered"), f"{m.phone}: {m.state} {m.error}"
        assert delivered[(m.phone, m.text)] == 1, f"{m.text} arrived {delivered[(m.phone, m.text)]} times"
    sent_log = [json.loads(line) for line in (settings.sim_path / "modem_sent.jsonl").read_text().splitlines()]
    assert {r["number"] for r in sent_log} == {m.phone for m in Message.select()}  # nothing texted to "18"
