"""One journey per business Loket was born from, as real SMS conversations.

Each test starts the real `loket run --demo KIND` (web, worker, simulated
modem), texts it with `loket sim` as customers and technicians would, and
does the staff side through the same services the web UI calls, on the same
database files. What phones receive is read from the simulated network.
"""

import datetime as dt
import re
import time

import pytest
from appliance.modem.network import SimNetwork
from appliance.queue.tasks import Tasks, make_huey
from conftest import launch_loket
from support import open_all_day_every_day

from appliance import auth, bookings, campaigns, clock, db, draws, orders, tickets, tickets_sms
from appliance.conversation import Shop
from appliance.jobs import run_all
from appliance.models import Booking, Customer, Rating, Ticket, User
from appliance.settings import load

QUIET = {"LOKET_QUIET_HOURS": ""}  # promotions and reminders may go at any hour of the test run


@pytest.fixture
def shop_of(tmp_path):
    started = []

    def start(kind):
        context = launch_loket(tmp_path / kind, QUIET, args=("--demo", kind))
        loket = context.__enter__()
        started.append(context)
        settings = load(env={}, overrides={"data_dir": str(loket.data_dir)})
        database = db.connect(settings.db_url)
        loket.settings = settings
        loket.shop = Shop.from_settings(settings.replace(shop_name=loket.env.get("LOKET_SHOP_NAME", "x")))
        loket.network = SimNetwork(settings.sim_path)
        loket.kick = lambda: Tasks(make_huey(settings.huey_url)).kick_outbox()
        loket.database = database
        open_all_day_every_day()  # the journeys run at whatever hour CI runs them
        return loket

    yield start
    for context in started:
        context.__exit__(None, None, None)


def say(loket, phone, text):
    result = loket.text(phone, text, wait=15)
    assert result.returncode == 0, f"no reply to {text!r}: {result.stderr}"
    return result.stdout


def received(loket, phone, contains, timeout=15):
    """Wait until this phone has received an SMS containing `contains`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        texts = [sms["text"] for sms in loket.network.received(phone)]
        found = [t for t in texts if contains.lower() in t.lower()]
        if found:
            return found[-1]
        time.sleep(0.1)
    raise AssertionError(f"{phone} never received {contains!r}; it has {texts}")


def test_the_spa(shop_of):
    spa = shop_of("spa")
    sari = "+6281234500001"
    offer = say(spa, sari, "PESAN pijat bayi besok")
    assert "1)" in offer and "2)" in offer
    confirmed = say(spa, sari, "2")
    booking = Booking.select().join(Customer).where((Booking.status == "booked") & (Customer.phone == sari)).get()
    assert booking.service.name == "Pijat bayi"
    assert booking.starts_at.astimezone(spa.settings.tz).strftime("%H:%M") in confirmed

    # Another mother books tomorrow afternoon, then moves it to the day after.
    rina = "+6281234500009"
    assert "15:00" in say(spa, rina, "PESAN pijat bayi besok jam 15")
    moved = say(spa, rina, "UBAH lusa jam 15")
    assert "dipindah" in moved or "moved" in moved
    [rinas] = Booking.select().join(Customer).where((Customer.phone == rina) & (Booking.status == "booked"))
    today = clock.utcnow().astimezone(spa.settings.tz).date()
    assert rinas.starts_at.astimezone(spa.settings.tz).date() == today + dt.timedelta(days=2)

    queue = say(spa, sari, "ANTRI")
    assert "nomor antrian Anda 1" in queue

    # The reminders job (the worker runs it every minute): Ibu Sari's last baby massage was
    # 20 days ago and the service's interval is 14 days, so she is reminded to come back.
    run_all(spa.shop, clock.utcnow())
    spa.kick()
    assert "Pijat bayi" in received(spa, sari, "pijat bayi")

    # A visit earns points; POIN answers the balance.
    bookings.mark_done(booking, None, booking.starts_at + dt.timedelta(hours=1), shop=spa.shop)
    assert "20" in say(spa, sari, "poin")  # 10 from the demo's earlier visit, 10 now

    # A prize draw: committed, run, winners told by SMS.
    draw = draws.create_draw("Undian bayi", period_start=clock.utcnow() - dt.timedelta(days=40),
                               period_end=clock.utcnow(), prizes=["Voucher pijat"])
    draws.commit(draw)
    [winner] = draws.run(draw)
    draws.notify_winners(draw, shop=spa.shop.name)
    spa.kick()
    assert "Voucher pijat" in received(spa, winner.customer.phone, "Voucher pijat")
    assert draws.public_view(draw)["winners_match"]


def test_the_parts_dealer(shop_of):
    parts = shop_of("parts")
    budi, rudi = "+6281234500011", "+6281234500012"
    order = orders.find_order("O-1001")
    paid = say(parts, budi, "BAYAR O-1001 Rp 120.000")
    assert "O-1001" in paid
    [claim] = orders.pending_claims()
    orders.verify_claim(claim, None, clock.utcnow(), shop=parts.shop)
    parts.kick()
    received(parts, budi, "O-1001")
    assert "O-1001" in say(parts, budi, "STATUS O-1001")
    # ... and the desk prints his receipt: paid, numbered after the order.
    desk = parts.browser()
    desk.login(parts.user, parts.password)
    status, _, receipt = desk.get("/orders/1001/receipt?paper=58")
    assert status == 200 and "RCP-1001" in receipt and "LUNAS" in receipt and "Rp 120.000" in receipt

    # Pak Rudi orders by SMS: a new order for staff to check, its number in the reply.
    taken = say(parts, rudi, "beli busi ngk 2")
    assert "O-1002" in taken and orders.find_order("O-1002").status == "new"

    # An order nobody pays is cancelled after three days, with an SMS.
    unpaid = orders.create_order(Customer.get(Customer.phone == rudi), [("Busi NGK CPR9EA", 2, None)],
                                 now=clock.utcnow(), shop=parts.shop)
    orders.cancel_unpaid(parts.shop, clock.utcnow() + dt.timedelta(days=3, minutes=1))
    parts.kick()
    assert orders.find_order(unpaid.number).status == "cancelled"
    received(parts, rudi, orders.ref(unpaid))

    # A promotion to customers who agreed to promotions.
    campaign = campaigns.create("Oli baru", "Oli mesin baru, diskon 10% minggu ini!", {}, now=clock.utcnow())
    campaigns.start(campaign)
    parts.kick()
    received(parts, budi, "diskon 10%")


def test_the_internet_provider(shop_of):
    isp = shop_of("isp")
    dewi, andi_phone = "+6281234500021", "+6281234599001"
    opened = say(isp, dewi, "KELUHAN internet mati sejak pagi")
    ticket = Ticket.select().order_by(Ticket.id.desc()).get()  # the demo has visits planned already
    assert tickets.label(ticket) in opened and ticket.category.name == "internet mati"

    andi = User.get(User.username == "andi")
    tickets.assign(ticket, andi, User.get(User.username == "owner"), shop=isp.shop)
    isp.kick()
    alert = received(isp, andi_phone, tickets.label(ticket))
    assert "Perum Bumi Indah" in alert  # the technician gets the address

    # The desk plans the visit for tomorrow 10:00 on the ticket's page.
    tomorrow = (clock.utcnow().astimezone(isp.settings.tz) + dt.timedelta(days=1)).date()
    desk = isp.browser()
    desk.login(isp.user, isp.password)
    form = {"csrf": desk.csrf(f"/tickets/{ticket.number}"), "action": "visit", "visit_date": tomorrow.isoformat(),
            "visit_time": "10:00", "address": "Perum Bumi Indah Blok C-7"}
    assert desk.post(f"/tickets/{ticket.number}", form)[0] == 200
    past = dict(form, visit_date=(tomorrow - dt.timedelta(days=3)).isoformat())
    status, _, page = desk.post(f"/tickets/{ticket.number}", past)
    assert status == 400 and "sudah lewat" in page
    job = received(isp, andi_phone, f"{tomorrow.day}/{tomorrow.month} 10:00")
    assert "Dewi Lestari" in job and "Perum Bumi Indah Blok C-7" in job
    received(isp, dewi, f"{tomorrow.day}/{tomorrow.month} pukul 10:00")
    # It is on his calendar, and only his visits are.
    andi.password_hash = auth.hash_password("teknisi-andi-2026")
    andi.save()
    field = isp.browser()
    field.login("andi", "teknisi-andi-2026")
    status, _, calendar = field.get(f"/visits?day={tomorrow.isoformat()}&view=week")
    assert status == 200 and tickets.label(ticket) in calendar and "Perum Bumi Indah" in calendar
    assert not any(tickets.label(t) in calendar for t in Ticket.select().where(Ticket.assignee != andi))

    say(isp, andi_phone, f"OK {tickets.label(ticket)}")
    say(isp, andi_phone, f"JALAN {tickets.label(ticket)}")
    say(isp, andi_phone, f"SELESAI {tickets.label(ticket)} ganti kabel")
    ticket = Ticket.get_by_id(ticket.id)
    assert ticket.status == "resolved" and ticket.resolution == "ganti kabel"
    received(isp, dewi, tickets.label(ticket))
    # How did we do? Dewi scores the visit.
    received(isp, dewi, "Balas 1-5")
    assert "terima kasih" in say(isp, dewi, "5").lower()
    assert Rating.get(Rating.ticket == ticket).score == 5

    # Someone else asking for Dewi's ticket learns nothing.
    nosy = say(isp, "+6281234500022", f"STATUS {tickets.label(ticket)}")
    assert "ganti kabel" not in nosy and "Dewi" not in nosy


def test_the_online_shop(shop_of):
    shop = shop_of("shop")
    rina = "+6281234500031"
    status = say(shop, rina, "cek O-1001")
    assert "O-1001" in status
    order = orders.find_order("O-1001")
    orders.set_status(order, "shipped", by=None, now=clock.utcnow(), courier="JNE", tracking="CGK1234567890",
                      shop=shop.shop)
    shop.kick()
    assert "lewat JNE, no. resi CGK1234567890" in received(shop, rina, "CGK1234567890")
    assert "(JNE CGK1234567890)" in say(shop, rina, "STATUS O-1001")


def test_the_it_service_desk(shop_of):
    desk = shop_of("service")
    lina, supervisor = "+6281234500041", "+6281234599010"
    # Her office's printer ticket, asked after in her own words: who handles it, in Indonesian only.
    assert re.search(r"T-0001 \(Printer lantai 3 .*\) sedang ditangani teknisi Eko Prasetyo\.$",
                     say(desk, lina, "status tiket saya gimana"))
    opened = say(desk, lina, "KELUHAN laptop direktur tidak bisa menyala")
    ticket = Ticket.select().order_by(Ticket.id.desc()).get()
    assert tickets.label(ticket) in opened and ticket.category.name == "hardware"
    # Time passes: the SLA job warns the supervisor before the response time runs out.
    tickets_sms.watch_sla(desk.shop, ticket.response_due - dt.timedelta(minutes=5))
    desk.kick()
    received(desk, supervisor, tickets.label(ticket))
    browser = desk.browser()
    browser.login(desk.user, desk.password)
    status, _, card = browser.get(f"/tickets/{ticket.number}/card")
    assert status == 200 and "laptop direktur" in card and "Perum" not in card


@pytest.mark.parametrize("text", [
    "PESAN pijat bayi penuh 15/12/2020",   # a past date
    "PESAN potong rambut besok",           # a service the spa does not have
    "STATUS T-0001",                       # someone else's (or nobody's) ticket
    "",                                    # an empty SMS
    "x" * 1000,                            # 1,000 characters
    "😀🙏🎉",                              # only emoji
])
def test_unpleasant_texts_get_one_sane_reply(shop_of, text):
    spa = shop_of("spa")
    before = len(spa.network.received("+6281299900000"))
    reply = say(spa, "0812-9990-0000", text)  # a number in an odd format
    assert reply.strip()
    assert "Traceback" not in reply
    time.sleep(0.5)
    assert len(spa.network.received("+6281299900000")) == before + 1  # exactly one reply


def test_a_full_slot_offers_another(shop_of):
    spa = shop_of("spa")
    from appliance.models import Service
    massage = Service.get(Service.name == "Baby spa")  # capacity 1
    tomorrow = (clock.utcnow().astimezone(spa.settings.tz) + dt.timedelta(days=1)).date()
    slots = bookings.free_slots(massage, tomorrow, clock.utcnow(), shop=spa.shop)
    first = slots[0].astimezone(spa.settings.tz)
    bookings.book(Customer.get(Customer.phone == "+6281234500002"), massage, first, source="staff",
                  now=clock.utcnow(), shop=spa.shop)
    reply = say(spa, "+6281234500003", f"BOOK baby spa tomorrow {first:%H:%M}")
    assert "1)" in reply  # the time asked is taken: other slots are offered
