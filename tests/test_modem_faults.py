"""A bad modem never makes Loket send a message twice without saying so.

Each fault of the AT simulator is driven through the real worker: the real
Worker drains the outbox into a real ModemThread, whose AT driver talks over
a real pty to the simulated modem. The simulated network's own records say
what went out (every PDU it took) and what reached each phone; the rows must
agree: nothing delivered twice unless the row is flagged, nothing lost, and
every send whose outcome the modem never told is `unknown`.
"""

from __future__ import annotations

import collections
import threading
import time
import zoneinfo

import pytest

from appliance import customers, db, migrations, outbox, policy, shopdata
from appliance.models import Message, OutboundPart
from appliance.modem import atsim
from appliance.modem.network import SimNetwork
from appliance.modem.at_driver import ATDriver
from appliance.modem.owner import ModemThread
from appliance.queue.tasks import Tasks, make_huey
from appliance.queue.worker import Worker
from appliance.conversation import Shop
from appliance.responder import Responder

SENT = ("sent", "delivered")  # delivered: its status report came back
LONG = ("Pesanan Anda sudah kami terima dan sedang disiapkan. Kami kabari lagi begitu siap diambil. "
        "Terima kasih sudah berbelanja di toko kami, sampai jumpa lagi! ") * 2  # three parts


@pytest.fixture
def database(settings):
    shopdata.invalidate()
    database = db.connect(settings.db_url)
    migrations.migrate(database)
    yield database
    database.close()


class Bench:
    """One simulated modem on a pty, the real worker in front of it."""

    def __init__(self, tmp_path, *, faults=None, timeout=0.5, send_timeout=1.5, patience=120.0,
                 simulator=atsim.ModemSimulator, poll_seconds=0.2):
        self.net = tmp_path / "net"
        self.sim = simulator(self.net, seed=11)
        if faults:
            self.sim.set_faults(**faults)  # from power-on: init meets them too
        self.handle = atsim.SimulatorHandle(self.sim, str(tmp_path / "tty"))
        self.driver = ATDriver(str(tmp_path / "tty"), timeout=timeout, send_timeout=send_timeout)
        self.modem = ModemThread("m", self.driver, poll_seconds=poll_seconds, status_seconds=3600).start()
        self.worker = Worker(tasks=Tasks(make_huey(f"sqlite:///{tmp_path / 'q.db'}")), modems=[self.modem],
                             responder=Responder(Shop()), region_key=lambda s: s,
                             status_dir=tmp_path / "status",
                             rules=policy.Rules(tz=zoneinfo.ZoneInfo("Asia/Jakarta")))
        self.worker.send_patience = patience

    def stop(self):
        self.modem.stop()
        self.handle.stop()

    def faults(self, **faults):
        self.sim.set_faults(**faults)

    def queue(self, n, *, category="transactional", text="Pesanan {n} siap diambil.", start=0):
        rows = []
        for k in range(start, start + n):
            phone = f"+62812{k:07d}"
            customer = None
            if category == "marketing":
                customer = customers.customer_for(phone)
                customer.consent_marketing = True
                customer.save()
            rows.append(outbox.queue_outbound(phone, text.format(n=k), category=category,
                                                 customer=customer)[0])
        return rows

    def send_all(self, timeout=30.0):
        """Drain like the worker's tasks do (retries included) until nothing waits."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            # Retries wait their backoff; the test does not.
            Message.update(next_attempt_at=None).where(Message.state == "queued").execute()
            self.worker.drain()
            if not Message.select().where(Message.state.in_(["queued", "sending"])).exists():
                return
            time.sleep(0.1)
        raise AssertionError("rows still waiting: " + str(
            [(m.id, m.state, m.error) for m in Message.select().where(Message.state.in_(["queued", "sending"]))]))

    def delivered(self) -> collections.Counter:
        """How many times each (phone, text) reached the phone, by the network's own record."""
        return collections.Counter((sms["to"], sms["text"]) for sms in SimNetwork(self.net).everything())

    def account(self):
        """0 duplicates unless flagged, 0 losses, every ambiguity flagged; returns the tally."""
        delivered = self.delivered()
        rows = list(Message.select().where(Message.direction == "out"))
        tally = collections.Counter()
        for m in rows:
            times = delivered[(m.phone, m.text)]
            m_key = f"message {m.id} ({m.category}, {m.state}, {m.error!r})"
            assert m.state in ("sent", "delivered", "unknown"), m_key
            if m.state in SENT:
                assert times >= 1, f"{m_key} is sent but never reached the phone"
            if times > 1:
                assert m.resent_after_crash and m.category != "marketing", f"{m_key} arrived {times} times"
                tally["duplicated (flagged)"] += 1
            if m.state == "unknown" or m.resent_after_crash:
                tally["flagged"] += 1
            if times == 0 and m.state != "unknown":
                tally["lost"] += 1
            tally["delivered"] += times >= 1
        assert tally["lost"] == 0
        # Everything the modem was handed is known to a row: no send to a number nobody queued.
        queued = {m.phone for m in rows}
        assert {r["number"] for r in self.sim.sent} <= queued, "the modem sent to a number nobody queued"
        return tally


@pytest.fixture
def bench(tmp_path, database):
    made = []

    def make(**options):
        made.append(Bench(tmp_path, **options))
        return made[-1]

    yield make
    for b in made:
        b.stop()


@pytest.mark.parametrize("fault", [dict(calls=True), dict(noise="huawei"), dict(noise="quectel")],
                         ids=["missed calls", "huawei chatter", "quectel chatter"])
def test_calls_and_network_chatter_inside_answers_change_nothing(bench, fault):
    b = bench(faults=fault)
    b.queue(8)
    b.queue(2, text=LONG + "{n}", start=8)
    b.sim.inject("+6281299990001", "Halo, masih buka?")  # read while the line chatters (AT+CMGL)
    b.send_all()
    tally = b.account()
    out = list(Message.select().where(Message.direction == "out"))  # ours, and any answer to the customer
    assert tally["flagged"] == 0 and tally["delivered"] == len(out) >= 10
    assert {m.state for m in out} <= set(SENT)
    assert len(b.sim.sent) == sum(m.parts for m in out)  # each part handed to the network once
    deadline = time.monotonic() + 5
    while not Message.select().where(Message.direction == "in").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert Message.select().where((Message.direction == "in") & (Message.text == "Halo, masih buka?")).exists()
    if fault.get("calls"):
        assert {"ring", "clip", "call_ended"} <= {u["type"] for u in b.driver.urcs}


def test_a_missed_call_after_the_pdu_is_not_taken_as_the_result(bench):
    b = bench()
    b.faults(calls=True)  # RING ... NO CARRIER between every PDU and its +CMGS
    b.queue(5, category="marketing")
    b.send_all()
    assert b.account()["flagged"] == 0
    assert all(m.state in SENT for m in Message.select())
    assert len(b.sim.sent) == 5


def test_a_lost_answer_is_unknown_promotions_never_go_twice_replies_once_more_flagged(bench):
    b = bench(send_timeout=0.8)
    promo = b.queue(1, category="marketing", text="Diskon {n} persen!")[0]
    reply = b.queue(1, text="Pesanan {n} siap.", start=1)[0]
    b.faults(lose_cmgs=True)
    b.worker.drain()
    promo, reply = Message.get_by_id(promo.id), Message.get_by_id(reply.id)
    assert promo.state == "unknown" and "did not confirm" in promo.error
    assert reply.state == "queued" and reply.resent_after_crash  # the policy for an unknown outcome
    b.faults(lose_cmgs=False)
    b.send_all()
    tally = b.account()
    assert Message.get_by_id(promo.id).state == "unknown"
    assert b.delivered()[(promo.phone, promo.text)] == 1  # it did go: staff decide, nothing is re-sent
    assert Message.get_by_id(reply.id).state in SENT
    assert tally["duplicated (flagged)"] == 1 and tally["flagged"] == 2


def test_a_late_answer_is_never_credited_to_the_next_message(bench):
    b = bench(send_timeout=0.6)
    first = b.queue(1, category="marketing", text="Promo {n}")[0]
    b.faults(late_cmgs=1.5)  # the +CMGS comes after the driver stopped waiting
    b.worker.drain()
    assert Message.get_by_id(first.id).state == "unknown"
    b.faults(late_cmgs=0)
    later = b.queue(3, start=1)
    b.send_all()
    b.account()
    by_number = {r["number"]: r["ref"] for r in b.sim.sent}
    for row in later:
        (part,) = OutboundPart.select().where(OutboundPart.message == row.id)
        assert part.reference == by_number[row.phone], "a delivery report would land on the wrong message"


def test_a_send_outlasting_the_callers_patience_is_recorded_once_by_the_modem(bench):
    b = bench(send_timeout=3.0, patience=0.5)
    long_one = b.queue(1, text=LONG + "{n}")[0]
    behind = b.queue(2, start=1)
    b.faults(late_cmgs=0.4)  # three parts: 1.2 s, more than the sender waits
    b.worker.drain()
    # The long one is the modem thread's to record; one waiting behind it was
    # cancelled before it started (queued again), never sent behind the row's back.
    assert Message.get_by_id(long_one.id).state in ("sending", *SENT)
    assert Message.get_by_id(behind[0].id).state == "queued"
    deadline = time.monotonic() + 5
    while Message.select().where(Message.state == "sending").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    row = Message.get_by_id(long_one.id)
    assert row.state in SENT and row.parts == 3 and row.attempts == 1
    b.faults(late_cmgs=0)
    b.send_all()
    assert b.account()["flagged"] == 0
    assert sum(1 for r in b.sim.sent if r["number"] == long_one.phone) == 3  # not six


@pytest.mark.parametrize("pause", [0.0, 1.5], ids=["mid-batch", "between batches"])
def test_a_modem_that_resets_into_text_mode_with_echo_is_set_up_again_before_sending(bench, pause):
    b = bench(poll_seconds=3600)  # no poll in between: the send path must notice by itself
    b.queue(3)
    b.send_all()
    time.sleep(pause)
    b.faults(reset="text")
    assert b.sim.cmgf == 1 and b.sim.echo
    b.queue(3, start=3, text=LONG + "{n}")
    b.send_all()
    tally = b.account()
    assert tally["delivered"] == 6 and tally["flagged"] == 0
    assert b.sim.cmgf == 0 and not b.sim.echo
    assert all(len(r["pdu"]) > 20 for r in b.sim.sent)  # no PDU went out as text to a number "18"


def test_a_modem_that_takes_one_command_per_line_comes_up(bench):
    b = bench(faults=dict(combined_rejected=True))
    b.queue(2)
    b.send_all()
    assert b.account()["delivered"] == 2
    assert not b.sim.echo and b.sim.verbose


def test_every_fault_at_once_duplicates_nothing_and_loses_nothing(bench):
    b = bench(send_timeout=0.8, patience=1.5)
    b.queue(12, category="marketing", text="Promo {n}")
    b.queue(12, start=12)
    stop = threading.Event()

    def havoc():
        rounds = [dict(calls=0.5), dict(noise="huawei"), dict(lose_cmgs=0.3), dict(late_cmgs=1.0),
                  dict(reset="text"), dict(noise="quectel", calls=0.3), {}]
        k = 0
        while not stop.wait(0.4):
            b.faults(**rounds[k % len(rounds)]) if rounds[k % len(rounds)] else b.sim.set_faults()
            k += 1

    chaos = threading.Thread(target=havoc)
    chaos.start()
    try:
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline:
            Message.update(next_attempt_at=None).where(Message.state == "queued").execute()
            b.worker.drain()
            time.sleep(0.1)
    finally:
        stop.set()
        chaos.join()
    b.sim.set_faults()
    b.send_all()
    tally = b.account()
    assert tally["delivered"] + sum(1 for m in Message.select() if m.state == "unknown"
                                    and b.delivered()[(m.phone, m.text)] == 0) == 24


# -- what the worker records, and how often it says so ---------------------------------------------
def test_every_message_is_recorded_with_the_coding_it_went_out_in(bench):
    b = bench()
    plain = outbox.queue_outbound("+6281200000001", "Pesanan siap diambil.")[0]
    emoji = outbox.queue_outbound("+6281200000002", "Terima kasih 🙏 sampai jumpa!")[0]
    b.send_all()
    assert Message.get_by_id(plain.id).encoding == "gsm7"
    assert Message.get_by_id(emoji.id).encoding == "ucs2"


def test_after_a_refusal_the_retry_is_nudged_after_its_short_backoff_not_the_minute_sweep(bench):
    b = bench()
    row = b.queue(1)[0]
    b.faults(cms_error={row.phone: 500})  # "unknown error": worth trying again soon
    b.worker.drain()
    row = Message.get_by_id(row.id)
    assert row.state == "queued" and row.attempts == 1
    wait = (row.next_attempt_at - row.updated_at).total_seconds()
    assert 2 <= wait <= 8  # the first backoff: about 5 s
    # A real Huey queue on SQLite: the nudge waits there with its time (the consumer holds it till then).
    (nudge,) = [t for t in b.worker.tasks.huey.pending() if t.eta is not None]
    assert nudge.name == "loket.send_outbox"
    assert abs((nudge.eta - row.next_attempt_at.replace(tzinfo=None)).total_seconds()) < 1.5


def test_a_modem_that_vanished_says_so_once_not_every_second(tmp_path, caplog):
    handle = atsim.serve(str(tmp_path / "tty"), tmp_path / "net")
    modem = ModemThread("m", ATDriver(str(tmp_path / "tty"), timeout=0.3), poll_seconds=0.05,
                        status_seconds=3600).start()
    try:
        deadline = time.monotonic() + 5
        while modem.last_contact is None and time.monotonic() < deadline:
            time.sleep(0.05)
        with caplog.at_level("WARNING", logger="appliance.modem.owner"):
            handle.vanish()
            time.sleep(3)  # sixty polls' worth
            failures = [r for r in caplog.records if "reading messages failed" in r.getMessage()]
            assert 1 <= len(failures) <= 2  # "vanished", then "cannot open": each said once
            handle.reappear()
            deadline = time.monotonic() + 40
            while "reading messages again" not in caplog.text and time.monotonic() < deadline:
                time.sleep(0.1)
        assert "reading messages again" in caplog.text
    finally:
        modem.stop()
        handle.stop()


class SecondPartRefused(atsim.ModemSimulator):
    """The network refuses the second part of a long message (congestion), once."""

    def _send(self, number, text, pdu_hex, decoded):
        if decoded.concat and decoded.concat.seq == 2 and not getattr(self, "refused", False):
            self.refused = True
            raise atsim.CmsError(42)
        return super()._send(number, text, pdu_hex, decoded)


def test_a_long_message_cut_off_half_way_is_not_sent_whole_again_silently(bench):
    b = bench(simulator=SecondPartRefused)
    promo = b.queue(1, category="marketing", text=LONG + "{n}")[0]
    b.send_all()
    row = Message.get_by_id(promo.id)
    assert row.state == "unknown" and "1 of 3 parts went out" in row.error
    assert sum(1 for r in b.sim.sent if r["number"] == promo.phone and r.get("ref") is not None) == 1
