"""Quiet hours, caps, priorities, consent and the clock, with a clock the test controls.

The worker's drain runs for real here: real rows in SQLite, a real
simulated modem on its own thread; only time is the test's.
"""

import dataclasses
import datetime as dt
import zoneinfo

import pytest
from appliance.modem.network import SimNetwork
from appliance.modem.owner import ModemThread
from appliance.modem.simulated import SimulatedModem
from appliance.queue.tasks import Tasks, make_huey
from appliance.queue.worker import Worker

from appliance import customers, outbox, policy
from appliance.conversation import Shop
from appliance.models import Customer, Message
from appliance.responder import Responder

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")


def local(hour, minute=0, day=22):
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=JAKARTA).astimezone(dt.timezone.utc)


RULES = policy.Rules(tz=JAKARTA, quiet=policy.parse_window("21:00-08:00"), daily_cap=0)


@pytest.mark.parametrize("hour, minute, quiet", [
    (20, 59, False), (21, 0, True), (23, 30, True), (0, 0, True), (7, 59, True), (8, 0, False), (12, 0, False),
])
def test_quiet_hours_wrap_midnight(hour, minute, quiet):
    assert policy.is_quiet(local(hour, minute), RULES) is quiet


def test_quiet_hours_end_at_the_next_window():
    assert policy.quiet_ends(local(22), RULES) == local(8, day=23)
    assert policy.quiet_ends(local(3), RULES) == local(8)
    assert policy.quiet_ends(local(12), RULES) is None


def test_a_window_inside_one_day_and_no_window():
    daytime = policy.Rules(tz=JAKARTA, quiet=policy.parse_window("12:00-13:00"))
    assert policy.is_quiet(local(12, 30), daytime) and not policy.is_quiet(local(13), daytime)
    assert not policy.is_quiet(local(3), policy.Rules(tz=JAKARTA, quiet=policy.parse_window("")))


def test_the_day_starts_at_local_midnight():
    assert policy.day_start(local(0, 30), JAKARTA) == local(0)
    assert policy.day_start(local(23, 59), JAKARTA) == local(0)


def test_transactional_is_never_held():
    for quiet in (True, False):
        for capped in (True, False):
            for trusted in (True, False):
                assert policy.may_send("transactional", quiet=quiet, capped=capped, clock_trusted=trusted)
    assert not policy.may_send("marketing", quiet=True, capped=False, clock_trusted=True)
    assert not policy.may_send("reminder", quiet=False, capped=True, clock_trusted=True)
    assert not policy.may_send("reminder", quiet=False, capped=False, clock_trusted=False)


def test_the_rate_limiter_spaces_sends_evenly():
    now = [100.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    limiter = policy.RateLimiter(30, clock=lambda: now[0], sleep=sleep)
    for _ in range(4):
        limiter.wait()
    assert slept == [2.0, 2.0, 2.0]
    assert policy.RateLimiter(0).wait() == 0.0


class Clock:
    def __init__(self, start):
        self.now = start

    def __call__(self):
        return self.now


@pytest.fixture
def shop_worker(shop, settings, tmp_path):
    clock = Clock(local(12))
    trusted = {"value": True}
    modem = ModemThread("sim", SimulatedModem(settings.sim_path), poll_seconds=60).start()
    worker = Worker(tasks=Tasks(make_huey(f"sqlite:///{tmp_path / 'q.db'}")), modems=[modem],
                    responder=Responder(Shop(name="Spa")), region_key=lambda s: s, status_dir=tmp_path / "status",
                    rules=policy.Rules(tz=JAKARTA, quiet=policy.parse_window("21:00-08:00")),
                    clock_trusted=lambda: trusted["value"], clock=clock)
    yield worker, clock, trusted, SimNetwork(settings.sim_path)
    modem.stop()


def customer(phone, marketing=True):
    c = customers.customer_for(phone)
    customers.set_consent(c, marketing=marketing)
    return c


def states():
    return {m.text: m.state for m in Message.select()}


def test_promotions_wait_through_quiet_hours_and_go_in_the_morning(shop_worker):
    worker, clock, _, network = shop_worker
    c = customer("+6281200000001")
    clock.now = local(22)
    outbox.queue_outbound(c.phone, "Diskon 20%", category="marketing", customer=c, now=clock.now)
    outbox.queue_outbound(c.phone, "Terima kasih", customer=c, now=clock.now)
    assert worker.drain() == 1
    assert states() == {"Diskon 20%": "queued", "Terima kasih": "sent"}
    clock.now = local(8, 1, day=23)
    assert worker.drain() == 1
    assert states()["Diskon 20%"] == "sent"
    assert [sms["text"] for sms in network.received(c.phone)] == ["Terima kasih", "Diskon 20%"]


def test_priorities_replies_then_reminders_then_promotions(shop_worker):
    worker, clock, _, network = shop_worker
    c = customer("+6281200000002")
    for text, category in [("promo", "marketing"), ("reminder", "reminder"), ("reply", "transactional")]:
        outbox.queue_outbound(c.phone, text, category=category, customer=c, now=clock.now)
    worker.drain()
    assert [sms["text"] for sms in network.received(c.phone)] == ["reply", "reminder", "promo"]


def test_the_daily_cap_holds_promotions_but_not_replies(shop_worker):
    worker, clock, _, _ = shop_worker
    worker.rules = dataclasses.replace(worker.rules, daily_cap=3)  # parts per SIM per day
    c = customer("+6281200000003")
    for n in range(5):
        outbox.queue_outbound(c.phone, f"promo {n}", category="marketing", customer=c, now=clock.now)
    assert worker.drain() == 3
    outbox.queue_outbound(c.phone, "your order shipped", customer=c, now=clock.now)
    assert worker.drain() == 1
    assert states()["your order shipped"] == "sent"
    assert [states()[f"promo {n}"] for n in range(5)].count("queued") == 2
    clock.now = local(9, day=23)  # a new day, a new allowance
    assert worker.drain() == 2


def test_an_untrusted_clock_holds_scheduled_and_promotional_sends(shop_worker):
    worker, clock, trusted, _ = shop_worker
    c = customer("+6281200000004")
    trusted["value"] = False
    outbox.queue_outbound(c.phone, "reminder tomorrow", category="reminder", customer=c,
                          send_at=clock.now - dt.timedelta(minutes=1), now=clock.now)
    outbox.queue_outbound(c.phone, "scheduled alert", customer=c, send_at=clock.now, now=clock.now)
    outbox.queue_outbound(c.phone, "promo", category="marketing", customer=c, now=clock.now)
    outbox.queue_outbound(c.phone, "reply", customer=c, now=clock.now)
    assert worker.drain() == 1
    assert states()["reply"] == "sent"
    trusted["value"] = True
    assert worker.drain() == 3


def test_a_clock_jump_skips_stale_reminders_instead_of_a_burst(shop_worker):
    worker, clock, _, network = shop_worker
    c = customer("+6281200000005")
    clock.now = dt.datetime(1970, 1, 1, 0, 5, tzinfo=dt.timezone.utc)  # a Pi after a power cut
    for n in range(3):
        outbox.queue_outbound(c.phone, f"old reminder {n}", category="reminder", customer=c,
                              send_at=local(9, day=19 + n), now=clock.now)
    outbox.queue_outbound(c.phone, "due soon", category="reminder", customer=c,
                          send_at=local(11, 50), now=clock.now)
    clock.now = local(12)  # NTP or the modem corrects the clock
    result = worker.sweep()
    assert result["skipped"] == 3
    assert states()["due soon"] == "sent"
    assert all("skipped" in m.error for m in Message.select().where(Message.state == "cancelled"))
    assert [sms["text"] for sms in network.received(c.phone)] == ["due soon"]


def test_an_auto_responder_loop_gets_a_few_replies_and_is_flagged(shop):
    """A robot sends the same text again and again: two answers, then one line
    saying a person will answer, then silence; staff see it flagged."""
    responder = Responder(Shop(name="Spa"))
    phone = "+6281200000006"
    now = local(12)
    for n in range(100):
        c = customers.customer_for(phone)
        message = Message.create(direction="in", phone=phone, text="HELP", customer=c, state="received",
                                 created_at=now + dt.timedelta(seconds=n * 0.6), updated_at=now)
        responder.handle(message, now + dt.timedelta(seconds=n * 0.6))
    replies = [m.template for m in Message.select().where((Message.direction == "out") & (Message.phone == phone))
               .order_by(Message.id)]
    assert replies == ["help", "help", "throttled"]
    assert "the same text" in Customer.get(Customer.phone == phone).flag
    assert Message.select().where((Message.direction == "in") & Message.needs_staff).count() == 98


def test_our_replies_answered_instantly_with_the_same_answer_is_a_loop(shop):
    """Another shop's robot answers each of our replies within a second, with
    texts that vary: after a run of four it hears one line and then nothing."""
    responder = Responder(Shop(name="Spa"))
    phone = "+6281200000008"
    now = local(12)
    for n in range(12):
        c = customers.customer_for(phone)
        at = now + dt.timedelta(seconds=n * 10)
        message = Message.create(direction="in", phone=phone, text=f"Pesan otomatis nomor {n}: kami sedang tutup",
                                 customer=c, state="received", created_at=at, updated_at=at)
        for reply in responder.handle(message, at):
            reply.state, reply.sent_at = "sent", at + dt.timedelta(seconds=9)  # the robot answers 1 s later
            reply.save()
    templates = [m.template for m in Message.select().where((Message.direction == "out") & (Message.phone == phone))]
    assert templates[-1] == "throttled" and len(templates) <= 6, templates
    assert "within 5 s" in Customer.get(Customer.phone == phone).flag


def test_a_quick_customer_answering_a_reply_whose_send_is_not_yet_written_is_no_robot(shop):
    """The worker writes a send down with its next lease: a customer who
    answers within seconds can text before our last reply's `sent_at` is in.
    Her run of quick answers is judged by the replies she answered, that last
    one too, so three price answers and a "ya" to a booking question are no loop."""
    from appliance.models import Service
    Service.create(name="Pijat bayi", duration_minutes=60, price=150_000)
    Service.create(name="Pijat ibu hamil", duration_minutes=90, price=200_000)
    responder = Responder(Shop(name="Spa", tz=zoneinfo.ZoneInfo("Asia/Jakarta")))
    phone = "+6281200000010"
    at = local(8)
    answers = []
    for text, recorded in (("harga pijat bayi brp kak?", True), ("pijat ibu hamil harganya?", True),
                           ("pijat bayi harganya brp ya", True), ("pijat bayi besok jam 10 bisa?", False),
                           ("ya", True)):
        c = customers.customer_for(phone)
        message = Message.create(direction="in", phone=phone, text=text, customer=c, state="received",
                                 created_at=at, updated_at=at)
        replies = responder.handle(message, at)
        for reply in replies:  # on her phone a second later; the last question's send not yet written down
            reply.state, reply.sent_at = ("sent", at + dt.timedelta(seconds=1)) if recorded else ("sending", None)
            reply.save()
        answers += [r.template for r in replies]
        at += dt.timedelta(seconds=3)
    assert "throttled" not in answers and answers[-1].startswith("book_done"), answers
    assert Customer.get(Customer.phone == phone).flag in ("", None)


def test_an_ordinary_customer_is_answered_twenty_times_an_hour(shop):
    """People are never silenced: twenty different texts in an hour, each
    read a little while after our answer arrived, all get their answer."""
    responder = Responder(Shop(name="Spa"))
    phone = "+6281200000009"
    texts = ["antri", "poin?", "bantuan", "help", "jam buka?", "alamatnya dimana", "berapa poin saya",
             "STATUS", "halo", "cek poin", "antrian nomor berapa", "poin", "HELP", "menu", "buka jam berapa",
             "status", "info", "bantuan dong", "poin saya", "antri"]
    now = local(10)
    answered = 0
    for n, text in enumerate(texts):
        at = now + dt.timedelta(minutes=3 * n)
        c = customers.customer_for(phone)
        message = Message.create(direction="in", phone=phone, text=text, customer=c, state="received",
                                 created_at=at, updated_at=at)
        replies = responder.handle(message, at)
        for reply in replies:
            reply.state, reply.sent_at = "sent", at + dt.timedelta(seconds=5)
            reply.save()
        answered += bool(replies) and replies[0].template != "throttled"
    assert Customer.get(Customer.phone == phone).flag in ("", None)
    assert answered >= 18  # a greeting or a repeated acknowledgement may stay unanswered, nothing else


def test_an_opt_out_is_honoured_even_when_replies_are_paused(shop):
    responder = Responder(Shop(name="Spa", replies_per_hour=1))
    phone = "+6281200000007"
    c = customer(phone)
    for text in ("HELP", "STOP"):
        message = Message.create(direction="in", phone=phone, text=text, customer=c, state="received")
        responder.handle(message, local(12))
    assert not Customer.get_by_id(c.id).consent_marketing


def test_the_owner_s_new_rate_applies_without_a_worker_restart(shop_worker):
    """The rate is a UI setting: the next batch the worker sends keeps it."""
    worker, clock, _, _ = shop_worker
    assert all(limiter.interval == 0 for limiter in worker.limiters.values())
    c = customer("+6281200000009")
    live = {"rules": dataclasses.replace(worker.rules, rate_per_minute=600)}  # one part per 0.1 s
    worker.live_rules = lambda: live["rules"]
    outbox.queue_outbound(c.phone, "Terima kasih", customer=c, now=clock.now)
    assert worker.drain() == 1
    assert all(limiter.interval == 0.1 for limiter in worker.limiters.values())
    live["rules"] = dataclasses.replace(worker.rules, rate_per_minute=0)
    outbox.queue_outbound(c.phone, "Sampai jumpa", customer=c, now=clock.now)
    assert worker.drain() == 1
    assert all(limiter.interval == 0 for limiter in worker.limiters.values())
