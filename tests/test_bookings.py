"""Bookings at the mom & baby spa: slots with capacity, PESAN and BATAL by
SMS, and what staff do with a booking."""

import datetime as dt
import zoneinfo

import pytest
from support import open_all_day_every_day, owner_sets, text_in

import appliance.bookings  # noqa: F401  registers BOOK and CANCEL
import appliance.reminders  # noqa: F401  its templates are checked here too
import appliance.waiting  # noqa: F401  registers QUEUE
from appliance import auth, bookings, bookings_sms, catalogue
from appliance.bookings import BookingError
from appliance.conversation import Shop
from appliance.customers import customer_for
from appliance.models import AuditEntry, Booking, Customer, Message, OpeningHours, Service
from appliance.replies import DEFAULT_TEMPLATES, render
from appliance.responder import Responder

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
SHOP = Shop(name="Spa Bunda", tz=WIB)
NOW = dt.datetime(2026, 11, 23, 8, 0, tzinfo=WIB)  # Monday morning, before opening
TOMORROW = dt.date(2026, 11, 24)
SARI = "+6281234567890"
BUDI = "+6281298765432"


def at(day, hour, minute=0):
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=WIB)


@pytest.fixture
def responder(shop):
    return Responder(SHOP)


@pytest.fixture
def baby(shop):
    return Service.create(name="Pijat Bayi", aliases="baby massage, pijat baby", duration_minutes=60,
                          capacity=1, comeback_days=14, price=100_000)


@pytest.fixture
def prenatal(shop):
    return Service.create(name="Spa Ibu Hamil", aliases="prenatal, hamil", duration_minutes=90, capacity=2)


@pytest.fixture
def staff(shop):
    return auth.create_user("desk", "correct horse battery", "frontdesk")


def bookings_of(phone):
    return list(Booking.select().join(Customer).where(Customer.phone == phone).order_by(Booking.id))


# -- the spa journey by SMS -----------------------------------------------------------

def test_pesan_offers_slots_and_the_number_books_one(responder, baby):
    _, [offer] = text_in(SARI, "PESAN pijat bayi besok", NOW, responder)
    assert "1) 09:00 2) 10:00 3) 11:00" in offer.text
    assert "besok 24/11" in offer.text and "nomor" in offer.text
    _, [done] = text_in(SARI, "2", NOW + dt.timedelta(minutes=3), responder)
    assert "sudah kami catat" in done.text and "10:00" in done.text
    [booking] = bookings_of(SARI)
    assert booking.starts_at == at(TOMORROW, 10) and booking.ends_at == at(TOMORROW, 11)
    assert booking.starts_at.tzinfo is not None and booking.source == "sms"
    # The reply is the confirmation: no second SMS.
    assert Message.select().where(Message.idempotency_key == f"booking:{booking.id}:confirmed").count() == 0
    assert AuditEntry.select().where(AuditEntry.action == "booking.add").count() == 1


@pytest.mark.parametrize("text, first", [
    ("PESAN pijat bayi besok sore", "1) 15:00"),
    ("besok sore bisa pijat bayi kak?", "1) 15:00"),
    ("baby massage tomorrow afternoon", "1) 12:00"),
    ("selamat sore kak, besok bisa pijat bayi?", "1) 09:00"),  # a greeting, not a wish for the afternoon
])
def test_a_day_part_without_a_time_offers_that_part_of_the_day_first(responder, baby, text, first):
    _, [offer] = text_in(SARI, text, NOW, responder)
    assert first in offer.text, offer.text


@pytest.mark.parametrize("answer, booked", [
    ("jam 4 aja kak", 16), ("jam 4 sore ya", 16), ("16.00", 16), ("yg jam 3", 15), ("pukul 16.00 ya kak", 16),
    ("jam 15.00 ya mbak", 15), ("besok jam 4", 16),  # the offered day named again
])
def test_an_offered_time_answered_as_customers_write_it_books_it(responder, baby, answer, booked):
    """Offered "1) 15:00 2) 16:00", a customer answers with the time, not the number;
    'jam 4' in the afternoon of a shop that opens at nine is four in the afternoon."""
    _, [offer] = text_in(SARI, "PESAN pijat bayi besok sore", NOW, responder)
    assert "1) 15:00 2) 16:00" in offer.text
    _, [done] = text_in(SARI, answer, NOW + dt.timedelta(minutes=2), responder)
    assert "catat" in done.text and f"{booked}:00" in done.text, done.text
    assert bookings_of(SARI)[0].starts_at == at(TOMORROW, booked)


@pytest.mark.parametrize("answer", ["jam 4 pagi", "lusa jam 4", "jam 4 tapi pijat ibu hamil", "jam 10"])
def test_a_time_that_was_not_offered_is_not_taken_for_one_that_was(responder, baby, answer):
    text_in(SARI, "PESAN pijat bayi besok sore", NOW, responder)
    text_in(SARI, answer, NOW + dt.timedelta(minutes=2), responder)
    assert all(b.starts_at not in (at(TOMORROW, 15), at(TOMORROW, 16)) for b in bookings_of(SARI))


def test_a_time_in_the_request_books_at_once(responder, baby):
    _, [done] = text_in(SARI, "pesan pijat bayi besok jam 10", NOW, responder)
    assert "10:00" in done.text and "catat" in done.text
    assert bookings_of(SARI)[0].starts_at == at(TOMORROW, 10)


def test_one_phone_cannot_book_every_free_slot_by_sms(responder, baby):
    from appliance import alerts
    for hour in range(9, 16):  # one text a slot (an hour apart: the per-sender limit holds only replies)
        text_in(SARI, f"PESAN pijat bayi besok jam {hour}", NOW + dt.timedelta(hours=hour - 9), responder)
    assert len(bookings_of(SARI)) == alerts.MAX_UPCOMING_BOOKINGS_BY_SMS
    _, [refused] = text_in(SARI, "PESAN pijat bayi lusa jam 10", NOW + dt.timedelta(hours=8), responder)
    assert "sudah punya 5 janji" in refused.text and len(refused.text) <= 160 and refused.text.isascii()
    assert len(bookings_of(SARI)) == alerts.MAX_UPCOMING_BOOKINGS_BY_SMS
    _, [free] = text_in(BUDI, "PESAN pijat bayi besok jam 15", NOW + dt.timedelta(hours=1), responder)
    assert "catat" in free.text, "the other customers still find free slots"


def test_english_and_a_forgiving_service_name(responder, baby):
    _, [offer] = text_in(SARI, "book Baby Massage tomorrow", NOW, responder)
    assert "Reply with the number" in offer.text and "tomorrow 24/11" in offer.text
    _, [done] = text_in(SARI, "1.", NOW, responder)
    assert "is booked" in done.text and "09:00" in done.text


def test_a_full_slot_is_refused_and_free_ones_offered(responder, baby):
    budi = customer_for(BUDI)
    bookings.book(budi, baby, at(TOMORROW, 10), now=NOW, shop=SHOP)
    _, [offer] = text_in(SARI, "PESAN pijat bayi besok jam 10", NOW, responder)
    assert "penuh" in offer.text and "10:00" in offer.text  # what was asked for
    assert "1) 09:00 2) 11:00 3) 12:00" in offer.text
    assert bookings_of(SARI) == []
    text_in(SARI, "1", NOW, responder)
    assert bookings_of(SARI)[0].starts_at == at(TOMORROW, 9)


def test_a_slot_taken_before_the_answer_is_checked_again(responder, baby):
    text_in(SARI, "PESAN pijat bayi besok", NOW, responder)
    bookings.book(customer_for(BUDI), baby, at(TOMORROW, 10), now=NOW, shop=SHOP)  # staff, meanwhile
    _, [again] = text_in(SARI, "2", NOW, responder)
    assert "penuh" in again.text and "1) 09:00 2) 11:00" in again.text
    assert bookings_of(SARI) == []
    text_in(SARI, "2", NOW, responder)
    assert bookings_of(SARI)[0].starts_at == at(TOMORROW, 11)


def test_a_full_day_offers_the_next_day_with_room(responder, baby):
    budi = customer_for(BUDI)
    for hour in range(9, 17):
        bookings.book(budi, baby, at(TOMORROW, hour), now=NOW, shop=SHOP, source="staff")
    _, [offer] = text_in(SARI, "PESAN pijat bayi besok", NOW, responder)
    assert "penuh" in offer.text and "Rabu 25/11" in offer.text and "1) 09:00" in offer.text


def test_a_closed_day_says_so(responder, baby):
    _, [offer] = text_in(SARI, "PESAN pijat bayi minggu", NOW, responder)  # Sunday: closed by default
    assert "tutup" in offer.text and "Senin 30/11" in offer.text


def test_no_day_offers_the_first_free_slots(responder, baby):
    _, [offer] = text_in(SARI, "PESAN pijat bayi", NOW, responder)
    assert "hari ini 23/11" in offer.text and "1) 09:00" in offer.text
    late = at(NOW.date(), 16, 30)
    _, [offer] = text_in(SARI, "PESAN pijat bayi", late, responder)
    assert "besok 24/11" in offer.text


@pytest.mark.parametrize("text", ["PESAN pijat bayi 1/11/2026", "PESAN pijat bayi 20-11-2026"])
def test_a_past_date_is_corrected_politely(responder, baby, text):
    _, [reply] = text_in(SARI, text, NOW, responder)
    assert "sudah lewat" in reply.text
    assert bookings_of(SARI) == [] and not reply.text.startswith("Spa Bunda: terima kasih")


def test_an_impossible_date_is_not_booked(responder, baby):
    _, [reply] = text_in(SARI, "PESAN pijat bayi 31/02", NOW, responder)
    assert "tidak ada" in reply.text and bookings_of(SARI) == []


def test_a_time_today_that_has_passed(responder, baby):
    _, [reply] = text_in(SARI, "PESAN pijat bayi hari ini jam 9", at(NOW.date(), 12), responder)
    assert bookings_of(SARI) == [] and "sudah lewat" in reply.text


def test_a_time_outside_opening_hours_says_closed(responder, baby):
    _, [offer] = text_in(SARI, "PESAN pijat bayi besok jam 7", NOW, responder)
    assert "besok 24/11 07:00 kami tutup" in offer.text and "1) 09:00" in offer.text


def test_an_offered_slot_that_has_begun_is_not_booked(responder, baby):
    early = at(NOW.date(), 8, 50)
    _, [offer] = text_in(SARI, "PESAN pijat bayi hari ini", early, responder)
    assert "1) 09:00" in offer.text
    _, [again] = text_in(SARI, "1", at(NOW.date(), 9, 5), responder)
    assert "sudah tidak tersedia" in again.text and "1) 10:00" in again.text
    assert bookings_of(SARI) == []


def test_an_unknown_service_lists_the_services(responder, baby, prenatal):
    _, [reply] = text_in(SARI, "PESAN potong rambut besok", NOW, responder)
    assert "Pijat Bayi" in reply.text and "Spa Ibu Hamil" in reply.text
    assert bookings_of(SARI) == []


def test_too_far_ahead(responder, baby):
    _, [reply] = text_in(SARI, "PESAN pijat bayi 15/12/2027", NOW, responder)
    assert "90 hari" in reply.text and bookings_of(SARI) == []


def test_booking_the_same_slot_twice_is_noticed(responder, baby, prenatal):
    text_in(SARI, "PESAN hamil besok jam 9", NOW, responder)
    _, [reply] = text_in(SARI, "PESAN hamil besok jam 9", NOW, responder)
    assert "sudah punya jadwal" in reply.text and len(bookings_of(SARI)) == 1


# -- answers to "reply with the number" --------------------------------------------------

@pytest.mark.parametrize("answer, hour", [("2", 10), ("2.", 10), ("nomor 2", 10), ("yg 2", 10), ("No. 2", 10),
                                          ("dua", 10), ("3 ya kak", 11), ("#1", 9), ("10.00", 10),
                                          ("jam 11", 11)])
def test_the_ways_people_answer_with_a_number(responder, baby, answer, hour):
    text_in(SARI, "PESAN pijat bayi besok", NOW, responder)
    text_in(SARI, answer, NOW, responder)
    assert [b.starts_at for b in bookings_of(SARI)] == [at(TOMORROW, hour)]


@pytest.mark.parametrize("answer", ["0", "99", "-1", "4", "99999999999999"])
def test_a_number_out_of_range_asks_again(responder, baby, answer):
    text_in(SARI, "PESAN pijat bayi besok", NOW, responder)
    _, [reply] = text_in(SARI, answer, NOW, responder)
    assert "1 sampai 3" in reply.text and bookings_of(SARI) == []
    text_in(SARI, "3", NOW, responder)  # the offer still stands
    assert len(bookings_of(SARI)) == 1


def test_a_late_answer_gets_a_helpful_reply(responder, baby):
    text_in(SARI, "PESAN pijat bayi besok", NOW, responder)
    _, [reply] = text_in(SARI, "2", NOW + dt.timedelta(hours=2), responder)
    assert "kedaluwarsa" in reply.text and "PESAN pijat bayi" in reply.text
    assert bookings_of(SARI) == []


def test_an_answer_that_is_no_number_is_read_as_a_new_text(responder, baby):
    text_in(SARI, "PESAN pijat bayi besok", NOW, responder)
    # Thanks are read as thanks: no booking, and no reply that would cost credit.
    _, nothing = text_in(SARI, "oke makasih, nanti saya kabari", NOW, responder)
    assert nothing == []
    _, [points] = text_in(SARI, "POIN", NOW, responder)
    assert "poin" in points.text.lower()
    assert bookings_of(SARI) == []
    text_in(SARI, "2", NOW, responder)  # a new request replaced the question: "2" books nothing
    assert bookings_of(SARI) == []


def test_another_customer_cannot_answer_my_offer(responder, baby):
    text_in(SARI, "PESAN pijat bayi besok", NOW, responder)
    text_in(BUDI, "2", NOW, responder)
    assert bookings_of(BUDI) == [] and bookings_of(SARI) == []


# -- odd texts --------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["PESAN", "pesan   ", "PESAN 😀😀😀", "PESAN " + "x" * 1000,
                                  "PESAN " + "pijat bayi besok " * 60, "PESAN ???", "PESAN 12345"])
def test_odd_requests_get_one_polite_gsm7_answer(responder, baby, text):
    _, replies = text_in(SARI, text, NOW, responder)
    assert len(replies) == 1
    assert replies[0].text.isascii() and len(replies[0].text) <= 160
    assert "PESAN" in replies[0].text or "nomor" in replies[0].text
    assert len(bookings_of(SARI)) <= 1


def test_pesan_alone_explains_how(responder, baby):
    _, [reply] = text_in(SARI, "PESAN", NOW, responder)
    assert "PESAN pijat bayi besok" in reply.text and "Pijat Bayi" in reply.text


def test_a_customer_without_a_name_can_book(responder, baby):
    text_in(SARI, "PESAN pijat bayi besok jam 9", NOW, responder)
    assert Customer.get(Customer.phone == SARI).name == "" and len(bookings_of(SARI)) == 1


def test_no_services_yet(responder):
    """A shop with no services yet never cites another shop's as an example:
    the customer hears that staff will answer, and the text waits for them."""
    message, [reply] = text_in(SARI, "PESAN pijat bayi besok", NOW, responder)
    assert "staf" in reply.text and "pijat" not in reply.text.lower()
    assert Message.get_by_id(message.id).needs_staff


# -- BATAL --------------------------------------------------------------------------------

def test_batal_cancels_the_next_booking(responder, baby):
    text_in(SARI, "PESAN pijat bayi besok jam 9", NOW, responder)
    _, [reply] = text_in(SARI, "BATAL", NOW, responder)
    assert "dibatalkan" in reply.text and "09:00" in reply.text
    assert bookings_of(SARI)[0].status == "cancelled"
    # The slot is free again.
    assert at(TOMORROW, 9) in bookings.free_slots(baby, TOMORROW, NOW, shop=SHOP)


def test_batal_with_several_bookings_asks_which(responder, baby, prenatal):
    text_in(SARI, "PESAN pijat bayi besok jam 9", NOW, responder)
    text_in(SARI, "PESAN hamil lusa jam 10", NOW, responder)
    _, [ask] = text_in(SARI, "BATAL", NOW, responder)
    assert "1) Pijat Bayi 24/11 09:00 2) Spa Ibu Hamil 25/11 10:00" in ask.text
    _, [bad] = text_in(SARI, "7", NOW, responder)
    assert "1 sampai 2" in bad.text
    _, [done] = text_in(SARI, "2", NOW, responder)
    assert "Spa Ibu Hamil" in done.text
    assert [b.status for b in bookings_of(SARI)] == ["booked", "cancelled"]


def test_batal_names_which_booking(responder, baby, prenatal):
    text_in(SARI, "PESAN pijat bayi besok jam 9", NOW, responder)
    text_in(SARI, "PESAN hamil lusa jam 10", NOW, responder)
    text_in(SARI, "BATAL hamil", NOW, responder)
    assert [b.status for b in bookings_of(SARI)] == ["booked", "cancelled"]


# -- UBAH: moving a booking by SMS ---------------------------------------------------------------

def test_ubah_moves_the_booking_to_the_new_time(responder, baby):
    text_in(SARI, "PESAN pijat bayi besok jam 9", NOW, responder)
    _, [done] = text_in(SARI, "UBAH besok jam 9.30", NOW + dt.timedelta(minutes=5), responder)
    assert "dipindah" in done.text and "09:30" in done.text
    old, new = bookings_of(SARI)
    assert (old.status, new.status) == ("cancelled", "booked")
    # The new time overlaps the old one: freed in the same transaction, so it could be taken.
    assert new.starts_at == at(TOMORROW, 9, 30)


def test_ubah_to_a_day_offers_its_times_and_the_number_moves(responder, baby):
    text_in(SARI, "PESAN pijat bayi besok jam 9", NOW, responder)
    _, [offer] = text_in(SARI, "pindah lusa", NOW, responder)
    assert "1) 09:00" in offer.text
    _, [done] = text_in(SARI, "2", NOW + dt.timedelta(minutes=2), responder)
    assert "dipindah" in done.text and "10:00" in done.text
    assert [(b.status, b.starts_at) for b in bookings_of(SARI)] == [
        ("cancelled", at(TOMORROW, 9)), ("booked", at(TOMORROW + dt.timedelta(days=1), 10))]


def test_a_move_that_cannot_be_made_keeps_the_old_booking(responder, baby):
    text_in(BUDI, "PESAN pijat bayi besok jam 10", NOW, responder)  # 10:00 is taken
    text_in(SARI, "PESAN pijat bayi besok jam 9", NOW, responder)
    _, [reply] = text_in(SARI, "UBAH besok jam 10", NOW, responder)
    assert "10:00" not in reply.text.split("1)")[-1] and "1)" in reply.text  # the free times instead
    assert [b.status for b in bookings_of(SARI)] == ["booked"], "nothing moved, nothing lost"
    _, [reply] = text_in(SARI, "UBAH kemarin jam 10", NOW, responder)
    assert [b.status for b in bookings_of(SARI)] == ["booked"]


@pytest.mark.parametrize("text, expected", [
    ("UBAH", "mau dipindah ke kapan"),
    ("UBAH 31/02 jam 10", "mau dipindah ke kapan"),
    ("UBAH 🙂", "mau dipindah ke kapan"),
])
def test_ubah_without_a_usable_time_asks_when(responder, baby, text, expected):
    text_in(SARI, "PESAN pijat bayi besok jam 9", NOW, responder)
    _, [reply] = text_in(SARI, text, NOW, responder)
    assert expected in reply.text and "09:00" in reply.text
    assert [b.status for b in bookings_of(SARI)] == ["booked"]


def test_ubah_with_several_bookings_asks_for_the_service(responder, baby, prenatal):
    text_in(SARI, "PESAN pijat bayi besok jam 9", NOW, responder)
    text_in(SARI, "PESAN hamil lusa jam 10", NOW, responder)
    _, [ask] = text_in(SARI, "UBAH besok jam 11", NOW, responder)
    assert "yang mana" in ask.text and "Spa Ibu Hamil" in ask.text
    _, [done] = text_in(SARI, "UBAH hamil besok jam 11", NOW, responder)
    assert "dipindah" in done.text and "Spa Ibu Hamil" in done.text
    assert [b.status for b in bookings_of(SARI)] == ["booked", "cancelled", "booked"]


def test_ubah_without_a_booking_says_so(responder, baby):
    _, [reply] = text_in(SARI, "UBAH besok jam 10", NOW, responder)
    assert "belum punya booking" in reply.text and bookings_of(SARI) == []


def test_batal_with_nothing_to_cancel(responder, baby):
    _, [reply] = text_in(SARI, "BATAL", NOW, responder)
    assert "tidak punya jadwal" in reply.text


def test_batal_never_touches_another_customers_booking(responder, baby):
    text_in(BUDI, "PESAN pijat bayi besok jam 9", NOW, responder)
    _, [reply] = text_in(SARI, "BATAL", NOW, responder)
    assert "tidak punya jadwal" in reply.text
    assert bookings_of(BUDI)[0].status == "booked"


# -- the service functions staff pages use ---------------------------------------------

def test_slots_follow_hours_duration_and_capacity(shop, baby, prenatal):
    assert [s.hour for s in bookings.free_slots(baby, TOMORROW, NOW, shop=SHOP)] == list(range(9, 17))
    # 90 minutes from 09:00; the last ends by 17:00.
    assert [f"{s:%H:%M}" for s in bookings.free_slots(prenatal, TOMORROW, NOW, shop=SHOP)] == [
        "09:00", "10:30", "12:00", "13:30", "15:00"]
    assert bookings.free_slots(baby, dt.date(2026, 11, 29), NOW, shop=SHOP) == []  # Sunday
    a, b = customer_for(SARI), customer_for(BUDI)
    bookings.book(a, prenatal, at(TOMORROW, 9), now=NOW, shop=SHOP)
    assert at(TOMORROW, 9) in bookings.free_slots(prenatal, TOMORROW, NOW, shop=SHOP)  # capacity 2
    bookings.book(b, prenatal, at(TOMORROW, 9), now=NOW, shop=SHOP)
    assert at(TOMORROW, 9) not in bookings.free_slots(prenatal, TOMORROW, NOW, shop=SHOP)
    with pytest.raises(BookingError) as full:
        bookings.book(customer_for("+6281200000003"), prenatal, at(TOMORROW, 9), now=NOW, shop=SHOP)
    assert full.value.reason == "full" and "fully booked" in str(full.value)


def test_the_shops_own_opening_hours(shop, baby):
    OpeningHours.create(weekday=6, opens=dt.time(10, 0), closes=dt.time(12, 0))  # Sunday mornings only
    OpeningHours.create(weekday=1, opens=dt.time(13, 0), closes=dt.time(15, 0))
    OpeningHours.create(weekday=1, opens=dt.time(8, 0), closes=dt.time(10, 0))  # Tuesday: a lunch break
    assert [s.hour for s in bookings.free_slots(baby, TOMORROW, NOW, shop=SHOP)] == [8, 9, 13, 14]
    assert [s.hour for s in bookings.free_slots(baby, dt.date(2026, 11, 29), NOW, shop=SHOP)] == [10, 11]
    assert bookings.free_slots(baby, NOW.date(), NOW, shop=SHOP) == []  # Monday: no row, closed
    with pytest.raises(BookingError, match="opening hours"):
        bookings.book(customer_for(SARI), baby, at(TOMORROW, 11), now=NOW, shop=SHOP)


@pytest.mark.parametrize("start, reason", [
    (at(NOW.date(), 7), "past"),  # before now
    (at(dt.date(2026, 11, 29), 10), "closed"),  # Sunday
    (at(TOMORROW, 16, 30), "closed"),  # would end after closing
    (at(TOMORROW, 8, 30), "closed"),  # before opening
    (at(dt.date(2027, 6, 1), 10), "too_far"),
])
def test_book_refuses_with_a_reason_people_can_read(shop, baby, start, reason):
    with pytest.raises(BookingError) as refused:
        bookings.book(customer_for(SARI), baby, start, now=NOW, shop=SHOP)
    assert refused.value.reason == reason and str(refused.value)
    assert Booking.select().count() == 0


def test_staff_book_any_time_inside_hours_and_the_customer_gets_a_confirmation(staff, baby):
    sari = customer_for(SARI)
    booking = bookings.book(sari, baby, dt.datetime(2026, 11, 24, 10, 15), source="staff", by=staff, now=NOW,
                            shop=SHOP)  # naive: the shop's local time
    assert booking.starts_at == at(TOMORROW, 10, 15)
    [sms] = Message.select().where(Message.idempotency_key == f"booking:{booking.id}:confirmed")
    assert sms.category == "transactional" and "10:15" in sms.text and "besok 24/11" in sms.text
    # 10:15-11:15 overlaps both the 10:00 and the 11:00 slot.
    free = bookings.free_slots(baby, TOMORROW, NOW, shop=SHOP)
    assert at(TOMORROW, 10) not in free and at(TOMORROW, 11) not in free and at(TOMORROW, 12) in free
    entry = AuditEntry.get(AuditEntry.action == "booking.add")
    assert entry.user_id == staff.id and "via staff" in entry.detail


def test_staff_cancel_tells_the_customer(staff, baby):
    booking = bookings.book(customer_for(SARI), baby, at(TOMORROW, 9), now=NOW, shop=SHOP)
    bookings.cancel(booking, by=staff, now=NOW, shop=SHOP)
    bookings.cancel(booking, by=staff, now=NOW, shop=SHOP)  # a double click
    [sms] = Message.select().where(Message.idempotency_key == f"booking:{booking.id}:cancelled")
    assert "dibatalkan" in sms.text
    assert AuditEntry.select().where(AuditEntry.action == "booking.cancel").count() == 1


def test_a_visit_sets_last_visit_and_calls_the_hook_once(staff, baby):
    booking = bookings.book(customer_for(SARI), baby, at(TOMORROW, 9), now=NOW, shop=SHOP)
    visit = at(TOMORROW, 10)
    bookings.mark_done(booking, staff, visit, shop=SHOP)
    bookings.mark_done(booking, staff, visit, shop=SHOP)
    assert Customer.get(Customer.phone == SARI).last_visit_at == visit
    assert AuditEntry.select().where(AuditEntry.action == "visit").count() == 1
    with pytest.raises(BookingError):
        bookings.cancel(booking, now=visit)
    assert Booking.get_by_id(booking.id).status == "done"


def test_no_show_only_after_the_start(staff, baby):
    booking = bookings.book(customer_for(SARI), baby, at(TOMORROW, 9), now=NOW, shop=SHOP)
    with pytest.raises(BookingError):
        bookings.mark_no_show(booking, staff, NOW, shop=SHOP)
    bookings.mark_no_show(booking, staff, at(TOMORROW, 10), shop=SHOP)
    assert Booking.get_by_id(booking.id).status == "no_show"
    bookings.mark_done(booking, staff, at(TOMORROW, 10, 30), shop=SHOP)  # came late after all
    assert Booking.get_by_id(booking.id).status == "done"


def test_upcoming_is_the_customers_own_future(shop, baby):
    sari, budi = customer_for(SARI), customer_for(BUDI)
    later = bookings.book(sari, baby, at(TOMORROW, 12), now=NOW, shop=SHOP)
    sooner = bookings.book(sari, baby, at(TOMORROW, 9), now=NOW, shop=SHOP)
    bookings.book(budi, baby, at(TOMORROW, 10), now=NOW, shop=SHOP)
    assert [b.id for b in bookings.upcoming(sari, NOW)] == [sooner.id, later.id]
    assert [b.id for b in bookings.upcoming(sari, at(TOMORROW, 10))] == [later.id]


@pytest.mark.parametrize("text, expected", [
    ("Pijat Bayi", "Pijat Bayi"), ("  PIJAT   BAYI ", "Pijat Bayi"), ("pìjat báyi", "Pijat Bayi"),
    ("pijat bayy", "Pijat Bayi"), ("pjat bayi", "Pijat Bayi"), ("baby massage", "Pijat Bayi"),
    ("mau pijat bayi dong", "Pijat Bayi"), ("bayi", "Pijat Bayi"), ("prenatal", "Spa Ibu Hamil"),
    ("spa ibu hamil", "Spa Ibu Hamil"), ("hamil", "Spa Ibu Hamil"),
    ("", None), ("   ", None), ("😀", None), ("potong rambut", None), ("x" * 1000, None), ("a", None),
])
def test_find_service_forgives(baby, prenatal, text, expected):
    found = catalogue.find_service(text)
    assert (found.name if found else None) == expected


def test_find_service_will_not_guess_between_two(shop):
    Service.create(name="Pijat Bayi", aliases="pijat")
    Service.create(name="Pijat Ibu", aliases="pijat")
    assert catalogue.find_service("pijat") is None
    assert catalogue.find_service("pijat ibu").name == "Pijat Ibu"
    Service.create(name="Lulur", active=False)
    assert catalogue.find_service("lulur") is None


def test_the_number_of_slots_offered_is_a_shop_setting(responder, baby):
    owner_sets(booking_offer_slots=5)
    _, [offer] = text_in(SARI, "PESAN pijat bayi besok", NOW, responder)
    assert "5) 13:00" in offer.text and len(offer.text) <= 160


@pytest.mark.parametrize("text, n", [("2", 2), ("2.", 2), ("nomor 2", 2), ("yg 2", 2), ("-1", -1), ("0", 0),
                                     ("dua", 2), ("halo", None), ("", None), ("2 orang besok", None),
                                     ("😀", None), ("9" * 40, None)])
def test_parse_choice(text, n):
    assert bookings_sms.parse_choice(text) == n


def test_every_reply_fits_one_sms_with_typical_values():
    typical = dict(shop="Toko Sepatu Kulit Bandung", service="Spa Ibu Hamil", day="besok 24/11", time="10:30",
                   slots="1) 09:00 2) 10:30 3) 12:00", asked="Selasa 24/11 10:30", days=90, n=3,
                   example="pijat bayi", services="Pijat Bayi, Spa Ibu Hamil, Baby Gym, Lulur",
                   choices="1) Pijat Bayi 24/11 09:00 2) Spa Ibu Hamil 25/11 10:00", number=12, position=3, eta=45,
                   goods="Baju bayi katun, Minyak telon", count=5, staff="Bidan Rina Kartika")
    for key in [k for k in DEFAULT_TEMPLATES if k.startswith(("book_", "cancel_", "queue_", "reminder_"))]:
        for language, template in DEFAULT_TEMPLATES[key].items():
            text = render(template, **typical)
            assert len(text) <= 160 and text.isascii(), f"{key}/{language}: {len(text)} {text}"
            assert "{" not in text, f"{key}/{language} has an unfilled placeholder"


def test_the_owner_sets_the_times_offered_on_the_settings_page_and_the_next_sms_offers_that_many(loket):
    import re
    import time

    from appliance import db, shopdata
    from appliance import settings as settings_module
    settings = settings_module.load(env={}, overrides={"data_dir": str(loket.data_dir)})
    database = db.connect(settings.db_url)
    open_all_day_every_day()  # the test runs at whatever hour CI runs it
    browser = loket.browser()
    assert browser.login(loket.user, loket.password) == 200
    status, _, page = browser.post("/settings/shop", {"csrf": browser.csrf("/settings/shop"), "section": "booking",
                                                      "booking_offer_slots": "2"})
    assert status == 200 and 'name="booking_offer_slots" value="2"' in page
    time.sleep(shopdata.CACHE_SECONDS)  # the worker rereads the owner's settings within a few seconds
    offer = loket.text("+6281234500001", "PESAN pijat bayi besok").stdout
    assert re.findall(r"\d\) \d\d:\d\d", offer) and len(re.findall(r"\d\) \d\d:\d\d", offer)) == 2, offer
    database.close()


def test_a_booking_cannot_be_marked_done_before_it_starts_nor_earn_points_for_it(staff, baby):
    from appliance.models import PointsEntry
    booking = bookings.book(customer_for(SARI), baby, at(TOMORROW, 9), now=NOW, shop=SHOP)
    with pytest.raises(BookingError, match="not started yet") as refused:
        bookings.mark_done(booking, staff, NOW, shop=SHOP)
    assert refused.value.reason == "early"
    assert Booking.get_by_id(booking.id).status == "booked"
    assert PointsEntry.select().count() == 0 and Customer.get(Customer.phone == SARI).last_visit_at is None
    bookings.mark_done(booking, staff, at(TOMORROW, 9), shop=SHOP)  # from the start time on, it is a visit
    assert Booking.get_by_id(booking.id).status == "done" and PointsEntry.select().count() == 1
