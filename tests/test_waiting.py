"""The spa's waiting queue: numbers by SMS, calls, "your turn soon", and the
public board in the waiting room."""

import datetime as dt
import threading
import zoneinfo

import pytest
from support import owner_sets, text_in

import appliance.bookings  # noqa: F401  registers BOOK and CANCEL (BATAL ANTRI)
import appliance.waiting  # noqa: F401  registers QUEUE
from appliance import auth, bookings, waiting
from appliance.conversation import Shop
from appliance.customers import customer_for
from appliance.models import AuditEntry, Booking, Customer, Message, QueueTicket, Service
from appliance.responder import Responder

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
SHOP = Shop(name="Spa Bunda", tz=WIB)
NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=WIB)  # Monday, just opened
DAY = NOW.date()
PHONES = [f"+62812000001{n:02d}" for n in range(10)]


@pytest.fixture
def responder(shop):
    return Responder(SHOP)


@pytest.fixture
def staff(shop):
    return auth.create_user("desk", "correct horse battery", "frontdesk")


@pytest.fixture
def baby(shop):
    return Service.create(name="Pijat Bayi", duration_minutes=30)


def sent(key):
    return list(Message.select().where(Message.idempotency_key == key))


# -- ANTRI by SMS -------------------------------------------------------------------------

def test_antri_gives_a_number_and_asking_again_gives_the_same(responder):
    _, [first] = text_in(PHONES[0], "ANTRI", NOW, responder)
    # The first in line is never told "about 0 minutes": the counter still has to call her.
    assert "nomor antrian Anda 1" in first.text and "urutan ke-1" in first.text and "kira-kira 5 menit" in first.text
    _, [again] = text_in(PHONES[0], "antri", NOW + dt.timedelta(minutes=5), responder)
    assert "nomor antrian Anda 1" in again.text
    assert QueueTicket.select().count() == 1


def test_position_and_estimate_grow_with_the_people_ahead(responder, baby):
    for phone in PHONES[:3]:
        text_in(phone, "ANTRI", NOW, responder)
    _, [reply] = text_in(PHONES[3], "queue", NOW, responder)
    # Three people ahead with no service: the average duration (30 minutes) each.
    assert "number is 4" in reply.text and "position 4" in reply.text and "90 minutes" in reply.text


def test_the_estimate_is_shared_by_the_counters(responder, baby):
    owner_sets(queue_counters=2)
    for phone in PHONES[:4]:
        text_in(phone, "ANTRI", NOW, responder)
    ticket = QueueTicket.get(QueueTicket.number == 4)
    assert waiting.eta_minutes(ticket, NOW) == 45  # 3 x 30 minutes over 2 counters


def test_without_services_a_ticket_counts_twenty_minutes(shop):
    tickets = [waiting.join(None, now=NOW, shop=SHOP) for _ in range(3)]
    assert waiting.eta_minutes(tickets[2], NOW) == 40


def test_the_person_being_served_counts_what_is_left(staff, baby):
    first = waiting.join(None, service=baby, now=NOW, shop=SHOP)
    second = waiting.join(None, service=baby, now=NOW, shop=SHOP)
    waiting.call_next(staff, NOW, shop=SHOP)
    assert waiting.eta_minutes(second, NOW + dt.timedelta(minutes=10)) == 20
    assert waiting.eta_minutes(second, NOW + dt.timedelta(minutes=45)) == 0
    assert waiting.eta_minutes(first, NOW) == 0 and waiting.position(first) == 0


def test_leaving_by_sms_both_ways(responder):
    text_in(PHONES[0], "ANTRI", NOW, responder)
    _, [left] = text_in(PHONES[0], "ANTRI BATAL", NOW, responder)
    assert "keluar dari antrian (nomor 1)" in left.text
    text_in(PHONES[0], "ANTRI", NOW, responder)
    _, [left] = text_in(PHONES[0], "BATAL ANTRI", NOW, responder)
    assert "nomor 2" in left.text
    assert [t.status for t in QueueTicket.select().order_by(QueueTicket.number)] == ["left", "left"]
    _, [none] = text_in(PHONES[0], "batal antrian", NOW, responder)
    assert "tidak sedang dalam antrian" in none.text


def test_batal_points_a_waiting_customer_to_batal_antri(responder):
    text_in(PHONES[0], "ANTRI", NOW, responder)
    _, [reply] = text_in(PHONES[0], "BATAL", NOW, responder)
    assert "BATAL ANTRI" in reply.text
    assert QueueTicket.get().status == "waiting"


def test_out_of_hours_the_queue_says_when_it_takes_numbers_again(responder):
    """Numbers are taken from an hour before opening (09:00 Monday to Saturday
    here) until closing; outside that the customer hears when to text again."""
    sunday, late, early, opening = (dt.datetime(2026, 11, 29, 10, 0, tzinfo=WIB), dt.datetime(2026, 11, 23, 17, 30, tzinfo=WIB),
                                    dt.datetime(2026, 11, 23, 6, 30, tzinfo=WIB), dt.datetime(2026, 11, 23, 8, 0, tzinfo=WIB))
    _, [closed_day] = text_in(PHONES[0], "ANTRI", sunday, responder)
    _, [after] = text_in(PHONES[1], "ANTRI", late, responder)
    _, [before] = text_in(PHONES[2], "ANTRI", early, responder)
    _, [saturday_night] = text_in(PHONES[4], "ANTRI", dt.datetime(2026, 11, 28, 21, 0, tzinfo=WIB), responder)
    assert "belum dibuka" in closed_day.text and "besok 30/11 jam 08:00" in closed_day.text
    assert "Senin 30/11 jam 08:00" in saturday_night.text  # past the closed Sunday
    assert "besok 24/11 jam 08:00" in after.text
    assert "hari ini 23/11 jam 08:00" in before.text and "PESAN" in before.text
    assert QueueTicket.select().count() == 0
    _, [joined] = text_in(PHONES[2], "ANTRI", opening, responder)  # at 08:00, as she was told
    assert "nomor antrian Anda 1" in joined.text
    customer_for(PHONES[3])
    Customer.update(language="en").where(Customer.phone == PHONES[3]).execute()
    _, [english] = text_in(PHONES[3], "QUEUE", late, responder)
    assert "opens tomorrow 24/11 at 08:00" in english.text and "BOOK" in english.text


def test_a_shop_open_no_day_says_its_queue_is_closed(responder):
    bookings.OpeningHours.create(weekday=0, opens=dt.time(9), closes=dt.time(9))  # a row, and no open hour
    _, [reply] = text_in(PHONES[0], "ANTRI", NOW, responder)
    assert "sudah tutup" in reply.text and QueueTicket.select().count() == 0


def test_an_arrival_for_todays_booking_carries_it(responder, baby, staff):
    sari = customer_for(PHONES[0])
    booking = bookings.book(sari, baby, NOW.replace(hour=11), now=NOW, shop=SHOP)
    text_in(PHONES[0], "ANTRI", NOW, responder)
    ticket = QueueTicket.get()
    assert ticket.booking_id == booking.id and ticket.service_id == baby.id
    waiting.call_next(staff, NOW, shop=SHOP)
    waiting.done(ticket, staff, NOW + dt.timedelta(minutes=30), shop=SHOP)
    assert Booking.get_by_id(booking.id).status == "done"
    assert Customer.get_by_id(sari.id).last_visit_at == NOW + dt.timedelta(minutes=30)


@pytest.mark.parametrize("text", ["ANTRI " + "x" * 1000, "ANTRI 😀😀", "antri???", "ANTRI pijat bayi"])
def test_odd_queue_texts_still_get_a_number(responder, baby, text):
    _, [reply] = text_in(PHONES[0], text, NOW, responder)
    assert "nomor antrian Anda 1" in reply.text and reply.text.isascii() and len(reply.text) <= 160


# -- staff call the next number --------------------------------------------------------

def test_call_next_tells_the_called_and_the_customer_three_places_back_once(responder, staff, baby):
    for phone in PHONES[:6]:
        text_in(phone, "ANTRI", NOW, responder)
    tickets = list(QueueTicket.select().order_by(QueueTicket.number))
    # 1-3 heard it in their answer; nobody has had a "soon" SMS yet.
    assert [t.soon_notified for t in tickets] == [True, True, True, False, False, False]

    called = waiting.call_next(staff, NOW, shop=SHOP)
    assert called.number == 1 and called.status == "called"
    [turn] = sent(f"queue:{called.id}:called")
    assert "sekarang giliran Anda" in turn.text and turn.phone == PHONES[0] and turn.category == "transactional"
    fourth = tickets[3]
    assert waiting.position(fourth) == 3
    [soon] = sent(f"queue:{fourth.id}:soon")
    assert soon.phone == PHONES[3] and "nomor antrian 4" in soon.text and "kira-kira 90 menit" in soon.text
    assert sent(f"queue:{tickets[4].id}:soon") == []

    later = NOW + dt.timedelta(minutes=30)
    waiting.done(called, staff, later, shop=SHOP)
    waiting.call_next(staff, later, shop=SHOP)
    assert len(sent(f"queue:{fourth.id}:soon")) == 1  # exactly once
    assert len(sent(f"queue:{tickets[4].id}:soon")) == 1  # the next one moved up to 3
    assert sent(f"queue:{tickets[5].id}:soon") == []
    assert Message.select().where(Message.idempotency_key.startswith("queue:")).count() == 4


def test_call_next_on_an_empty_queue(staff):
    assert waiting.call_next(staff, NOW, shop=SHOP) is None


def test_the_notice_distance_is_a_shop_setting(responder, staff):
    owner_sets(queue_notify_ahead=1)
    for phone in PHONES[:3]:
        text_in(phone, "ANTRI", NOW, responder)
    waiting.call_next(staff, NOW, shop=SHOP)
    second, third = QueueTicket.select().where(QueueTicket.number > 1).order_by(QueueTicket.number)
    assert len(sent(f"queue:{second.id}:soon")) == 1 and sent(f"queue:{third.id}:soon") == []


def test_skip_done_and_walk_ins_without_a_phone(staff):
    walk_in = waiting.join(None, now=NOW, by=staff, source="staff", shop=SHOP)
    sari = waiting.join(customer_for(PHONES[0]), now=NOW, by=staff, source="staff", shop=SHOP)
    assert (walk_in.number, sari.number) == (1, 2)
    [joined] = sent(f"queue:{sari.id}:joined")  # staff added her: she hears her number by SMS
    assert "nomor antrian Anda 2" in joined.text
    first = waiting.call_next(staff, NOW, shop=SHOP)
    assert first.id == walk_in.id and Message.select().where(Message.phone == "").count() == 0
    waiting.skip(first, staff, NOW, shop=SHOP)
    second = waiting.call_next(staff, NOW, shop=SHOP)
    waiting.done(second, staff, NOW, shop=SHOP)
    waiting.done(second, staff, NOW, shop=SHOP)  # a double click
    with pytest.raises(waiting.QueueError):
        waiting.skip(second, staff, NOW, shop=SHOP)
    assert [t.status for t in waiting.tickets(DAY)] == ["skipped", "done"]
    assert AuditEntry.select().where(AuditEntry.action == "queue.done").count() == 1


def test_numbers_start_again_each_local_day(shop):
    waiting.join(None, now=NOW, shop=SHOP)
    waiting.join(None, now=NOW, shop=SHOP)
    # 00:30 in Jakarta is still the previous day in UTC: the shop's day counts.
    next_day = dt.datetime(2026, 11, 24, 0, 30, tzinfo=WIB)
    assert waiting.join(None, now=next_day, shop=SHOP).number == 1


def test_two_joining_at_once_get_different_numbers(shop):
    database = shop
    numbers, errors = [], []

    def join():
        try:
            for _ in range(3):
                numbers.append(waiting.join(None, now=NOW, shop=SHOP).number)
        except Exception as exc:  # noqa: BLE001  reported below
            errors.append(exc)
        finally:
            database.close()

    threads = [threading.Thread(target=join) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(numbers) == list(range(1, 19))


def test_the_board_shows_numbers_only(responder, staff):
    for phone in PHONES[:4]:
        text_in(phone, "ANTRI", NOW, responder)
    waiting.call_next(staff, NOW, shop=SHOP)
    board = waiting.board(DAY)
    assert board == {"day": "2026-11-23", "serving": [1], "waiting": [2, 3, 4], "done": 0}
    flat = repr(board)
    assert not any(phone[-6:] in flat for phone in PHONES)
    assert waiting.board(dt.date(2026, 11, 24)) == {"day": "2026-11-24", "serving": [], "waiting": [], "done": 0}


# -- one number per counter ---------------------------------------------------------------

def test_calling_the_next_number_finishes_the_one_being_served(staff):
    sari = waiting.join(customer_for(PHONES[0]), now=NOW, shop=SHOP)
    for _ in range(2):
        waiting.join(None, now=NOW, shop=SHOP)
    waiting.call_next(staff, NOW, shop=SHOP)
    waiting.call_next(staff, NOW + dt.timedelta(minutes=20), shop=SHOP)
    # One counter: the display shows the number at it, not the one before.
    assert waiting.board(DAY) == {"day": "2026-11-23", "serving": [2], "waiting": [3], "done": 1}
    assert QueueTicket.get_by_id(sari.id).status == "done"
    assert Customer.get(Customer.phone == PHONES[0]).last_visit_at == NOW + dt.timedelta(minutes=20)
    # Nobody left to call: the customer at the counter stays on the display.
    waiting.call_next(staff, NOW + dt.timedelta(minutes=40), shop=SHOP)
    waiting.call_next(staff, NOW + dt.timedelta(minutes=60), shop=SHOP)
    assert waiting.board(DAY)["serving"] == [3]


def test_with_two_counters_two_numbers_are_served_and_the_longest_served_finishes_first(staff):
    owner_sets(queue_counters=2)
    for _ in range(4):
        waiting.join(None, now=NOW, shop=SHOP)
    waiting.call_next(staff, NOW, shop=SHOP)
    waiting.call_next(staff, NOW + dt.timedelta(minutes=5), shop=SHOP)
    assert waiting.board(DAY)["serving"] == [1, 2]
    waiting.call_next(staff, NOW + dt.timedelta(minutes=10), shop=SHOP)
    assert waiting.board(DAY) == {"day": "2026-11-23", "serving": [2, 3], "waiting": [4], "done": 1}


def test_calling_past_a_customer_here_early_for_a_booking_counts_the_visit(staff, baby):
    sari = customer_for(PHONES[0])
    booking = bookings.book(sari, baby, NOW.replace(hour=14), now=NOW, shop=SHOP)
    waiting.join(sari, booking=booking, now=NOW, by=staff, source="staff", shop=SHOP)
    waiting.join(None, now=NOW, shop=SHOP)
    waiting.call_next(staff, NOW, shop=SHOP)
    waiting.call_next(staff, NOW + dt.timedelta(minutes=30), shop=SHOP)  # served at 09:30, booked for 14:00
    assert Booking.get_by_id(booking.id).status == "done"


# -- only today's bookings join today's queue --------------------------------------------

def test_tomorrows_booking_cannot_arrive_in_todays_queue(staff, baby):
    sari = customer_for(PHONES[0])
    tomorrow = bookings.book(sari, baby, NOW.replace(hour=10) + dt.timedelta(days=1), now=NOW, shop=SHOP)
    with pytest.raises(waiting.QueueError, match="not today"):
        waiting.join(sari, booking=tomorrow, now=NOW, by=staff, source="staff", shop=SHOP)
    assert QueueTicket.select().count() == 0 and sent("queue:1:joined") == []
    # Tomorrow morning she arrives, and then she gets a number.
    ticket = waiting.join(sari, booking=tomorrow, now=NOW + dt.timedelta(days=1), by=staff, source="staff",
                          shop=SHOP)
    assert ticket.number == 1 and ticket.day == DAY + dt.timedelta(days=1)
