"""The SIM's credit and customers' missed calls, through the real worker.

The real Worker owns a real ModemThread whose AT driver talks over a real
pty to the simulated modem: the balance is asked by USSD and read, the
owner is warned once a day, promotions the credit cannot pay for wait while
replies go, the operator's own balance SMS is read the same way, and a
customer's missed call is rejected and answered as the owner chose.
"""

from __future__ import annotations

import datetime as dt
import time
import zoneinfo

import pytest
from support import open_all_day_every_day, owner_sets

from appliance import auth, customers, db, migrations, outbox, policy, shopdata, simcredit
from appliance.clock import utcnow
from appliance.conversation import Shop
from appliance.models import Message, QueueTicket, User
from appliance.modem import atsim
from appliance.modem.network import SimNetwork
from appliance.modem.at_driver import ATDriver
from appliance.modem.owner import ModemThread
from appliance.queue.tasks import Tasks, make_huey
from appliance.queue.worker import Worker
from appliance.responder import Responder

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
CUSTOMER = "+6281299990001"
OWNER_PHONE = "+6281377770001"


@pytest.fixture
def database(settings):
    shopdata.invalidate()
    database = db.connect(settings.db_url)
    migrations.migrate(database)
    open_all_day_every_day()  # the queue takes missed calls whenever the test runs
    yield database
    database.close()


class Bench:
    def __init__(self, tmp_path):
        self.net = tmp_path / "net"
        self.sim = atsim.ModemSimulator(self.net, seed=5)
        self.handle = atsim.SimulatorHandle(self.sim, str(tmp_path / "tty"))
        self.driver = ATDriver(str(tmp_path / "tty"), timeout=0.5, send_timeout=2.0)
        self.modem = ModemThread("m", self.driver, poll_seconds=0.2, status_seconds=3600).start()
        self.worker = Worker(tasks=Tasks(make_huey(f"sqlite:///{tmp_path / 'q.db'}")), modems=[self.modem],
                             responder=Responder(Shop(name="Toko Jaya", tz=WIB)), region_key=lambda s: s,
                             status_dir=tmp_path / "status", rules=policy.Rules(tz=WIB))
        wait_until(lambda: self.modem.last_status.operator, 10)  # the first health check names the operator

    def stop(self):
        self.modem.stop()
        self.handle.stop()

    def send_all(self, timeout=20.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            Message.update(next_attempt_at=None).where(Message.state == "queued").execute()
            self.worker.drain()
            if not Message.select().where(Message.state == "sending").exists():
                return
            time.sleep(0.1)

    def received(self, phone):
        return [sms["text"] for sms in SimNetwork(self.net).received(phone)]

    def ask_credit(self, reply):
        self.sim.set_faults(ussd={"*888#": reply})
        before = (simcredit.latest("m") or {}).get("asked_at")
        assert self.worker.check_credit(utcnow(), force=True) == 1
        assert wait_until(lambda: (shopdata.invalidate(), (simcredit.latest("m") or {}).get("asked_at"))[1]
                          not in (None, before))
        return simcredit.latest("m")


def wait_until(condition, timeout=8.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.fixture
def bench(tmp_path, database):
    b = Bench(tmp_path)
    yield b
    b.stop()


def promotions(n, text="Promo akhir pekan: diskon 20% untuk semua layanan. Balas STOP untuk berhenti."):
    for k in range(n):
        customer = customers.customer_for(f"+62812555{k:04d}")
        customer.consent_marketing = True
        customer.save()
        outbox.queue_outbound(customer.phone, text, category="marketing", customer=customer)


# -- the balance ------------------------------------------------------------------------------

def test_the_balance_is_asked_by_ussd_and_read_in_rupiah_with_the_active_until_date(bench):
    entry = bench.ask_credit("Sisa Pulsa Anda Rp12.500. Aktif s.d. 15-01-2027. Cek kuota *363#")
    assert entry["credit"] == 12_500 and entry["active_until"] == "2027-01-15" and entry["source"] == "*888#"
    assert bench.sim.calls == []  # (USSD is no call)


def test_an_unreadable_answer_keeps_the_last_known_credit_and_says_so(bench):
    bench.ask_credit("Sisa Pulsa Anda Rp12.500. Aktif s.d. 15-01-2027.")
    entry = bench.ask_credit("Maaf, layanan sedang sibuk. Silakan coba beberapa saat lagi.")
    assert entry["credit"] == 12_500 and entry["readable"] is False
    assert "sibuk" in entry["reply"]


def test_the_check_is_due_every_few_hours_and_after_a_campaign_starts(bench):
    from appliance import campaigns
    now = utcnow()
    bench.ask_credit("Sisa Pulsa Anda Rp50.000. Aktif s.d. 15-01-2027.")
    assert not simcredit.check_due("m", now + dt.timedelta(hours=1))
    assert simcredit.check_due("m", now + dt.timedelta(hours=6, minutes=1))
    campaign = campaigns.create("Promo", "Diskon 20% minggu ini!", {})
    campaigns.start(campaign, now=now + dt.timedelta(minutes=5))
    assert simcredit.check_due("m", now + dt.timedelta(minutes=8))


def test_low_credit_warns_the_owner_once_a_day(bench):
    owner = auth.create_user("pemilik", "correct horse battery", "owner")
    User.update(phone=OWNER_PHONE).where(User.id == owner.id).execute()
    bench.ask_credit("Sisa Pulsa Anda Rp4.000. Aktif s.d. 15-01-2027.")
    assert bench.worker.sweep()["credit_warnings"] == 1
    assert bench.worker.sweep()["credit_warnings"] == 0  # one a day
    bench.send_all()
    [warning] = bench.received(OWNER_PHONE)
    assert "pulsa SIM modem m tinggal Rp4.000" in warning
    [found] = simcredit.warnings(utcnow(), WIB)
    assert (found.kind, found.credit) == ("low", 4000 - 150)  # the warning itself cost one SMS


def test_an_active_period_ending_soon_warns_the_owner(bench):
    owner = auth.create_user("pemilik", "correct horse battery", "owner", language="en")
    User.update(phone=OWNER_PHONE).where(User.id == owner.id).execute()
    ends = (dt.datetime.now(WIB) + dt.timedelta(days=3)).strftime("%d-%m-%Y")
    bench.ask_credit(f"Sisa Pulsa Anda Rp80.000. Aktif s.d. {ends}.")
    assert bench.worker.sweep()["credit_warnings"] == 1
    bench.send_all()
    assert bench.received(OWNER_PHONE) == [f"Toko Jaya: the SIM in modem m stays active until {ends}. "
                                           "Top it up so the number is not lost."]


def test_promotions_the_credit_cannot_pay_for_wait_while_replies_go(bench):
    owner_sets(sms_price=150)
    bench.ask_credit("Sisa Pulsa Anda Rp1.000. Aktif s.d. 15-01-2027.")  # 6 parts' worth
    promotions(10)
    outbox.queue_outbound(CUSTOMER, "Pesanan Anda siap diambil.", category="transactional")
    bench.send_all()
    assert bench.received(CUSTOMER) == ["Pesanan Anda siap diambil."]
    assert Message.select().where((Message.category == "marketing") & (Message.state == "queued")).count() == 10
    # Topped up: the next reading lets them go.
    bench.ask_credit("Sisa Pulsa Anda Rp100.000. Aktif s.d. 15-03-2027.")
    bench.send_all()
    assert Message.select().where((Message.category == "marketing") & Message.state.in_(["sent", "delivered"])).count() == 10


def test_an_unknown_credit_holds_nothing(bench):
    bench.ask_credit("UNKNOWN APPLICATION")
    promotions(3)
    bench.send_all()
    assert Message.select().where((Message.category == "marketing") & Message.state.in_(["sent", "delivered"])).count() == 3


def test_the_operators_own_balance_sms_is_read_the_same_way(bench):
    bench.sim.inject("TELKOMSEL", "Sisa Pulsa Anda Rp7.500. Aktif s.d. 01-03-2027. Terima kasih.")
    assert wait_until(lambda: (shopdata.invalidate(), (simcredit.latest("m") or {}).get("credit"))[1] == 7500)
    message = Message.get((Message.direction == "in") & (Message.phone == "TELKOMSEL"))
    assert message.folder == "robot"  # never answered
    assert simcredit.latest("m")["active_until"] == "2027-03-01"


# -- missed calls ------------------------------------------------------------------------------

def test_a_missed_call_is_ignored_by_default_but_still_rejected(bench):
    bench.sim.place_call(CUSTOMER)
    assert wait_until(lambda: bench.sim.calls)
    assert bench.sim.calls[0]["ended"] == "rejected"
    bench.send_all()
    assert bench.received(CUSTOMER) == [] and not Message.select().where(Message.phone == CUSTOMER).exists()


def test_a_missed_call_joins_todays_queue_and_the_customer_gets_the_number_once(bench):
    owner_sets(missed_call_action="queue")
    bench.sim.place_call(CUSTOMER)
    assert wait_until(lambda: Message.select().where(Message.phone == CUSTOMER).exists())
    bench.send_all()
    [sms] = bench.received(CUSTOMER)
    assert "nomor antrian Anda 1" in sms
    assert QueueTicket.select().count() == 1
    assert bench.sim.calls[0]["ended"] == "rejected"
    # Nobody picked up, so the customer calls again: still one number, no second SMS.
    bench.sim.place_call(CUSTOMER)
    assert wait_until(lambda: len(bench.sim.calls) == 2)
    time.sleep(0.3)
    bench.send_all()
    assert len(bench.received(CUSTOMER)) == 1 and QueueTicket.select().count() == 1


def test_a_missed_call_asking_for_a_call_back_is_a_note_for_staff(bench):
    owner_sets(missed_call_action="callback")
    bench.sim.place_call(CUSTOMER)
    assert wait_until(lambda: Message.select().where(Message.phone == CUSTOMER).exists())
    note = Message.get((Message.phone == CUSTOMER) & (Message.direction == "in"))
    assert note.needs_staff and "call me back" in note.text
    bench.send_all()
    assert bench.received(CUSTOMER) == ["Toko Jaya: terima kasih sudah menelepon. Staf kami akan menelepon Anda "
                                        "kembali secepatnya."]


def test_a_call_while_a_campaign_goes_out_disturbs_no_sms(bench):
    owner_sets(missed_call_action="queue")
    promotions(15)
    bench.sim.set_faults(late_cmgs=0.2)  # each part takes a moment: the call rings in the middle
    bench.sim.place_call(CUSTOMER)
    bench.send_all(timeout=40)
    assert wait_until(lambda: bench.sim.calls)
    bench.send_all()
    assert bench.sim.calls[0]["ended"] == "rejected"
    assert Message.select().where((Message.category == "marketing") & Message.state.in_(["sent", "delivered"])).count() == 15
    assert len(bench.sim.sent) == 15 + 1  # every promotion once, and the queue number
    assert "nomor antrian Anda" in bench.received(CUSTOMER)[0]


def test_a_call_from_a_landline_or_from_staff_gets_no_sms(bench):
    owner_sets(missed_call_action="callback")
    staff = auth.create_user("kasir", "correct horse battery", "frontdesk")
    User.update(phone="+6281377770009").where(User.id == staff.id).execute()
    bench.sim.place_call("+62215550123")  # a Jakarta landline
    assert wait_until(lambda: len(bench.sim.calls) == 1)
    bench.sim.place_call("+6281377770009")
    assert wait_until(lambda: len(bench.sim.calls) == 2)
    time.sleep(0.3)
    bench.send_all()
    assert not Message.select().exists()
    assert [c["ended"] for c in bench.sim.calls] == ["rejected", "rejected"]


# -- the whole box -----------------------------------------------------------------------------

def test_loket_sim_call_rings_the_running_shop_which_rejects_it_and_answers_as_the_owner_chose(tmp_path):
    from conftest import launch_loket
    from support import loket_cli
    with launch_loket(tmp_path / "var", env={"LOKET_MISSED_CALL_ACTION": "callback"}) as running:
        # (--wait ends as soon as the SMS comes: a long one costs only a slow machine its time)
        done = loket_cli("sim", "call", "0812-9999-0005", "--wait", 90, data_dir=running.data_dir,
                         env=running.env, timeout=150)
        assert done.returncode == 0, done.stderr
        assert "loket: the call was rejected after" in done.stdout  # (one ring, or two on a busy machine)
        assert "Staf kami akan menelepon Anda kembali" in done.stdout  # (the shop speaks Indonesian by default)
