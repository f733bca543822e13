"""Reminders: the day before and two hours before an appointment, and "time
to come back" once a treatment's interval has passed."""

import datetime as dt
import zoneinfo

import pytest
from support import owner_sets, text_in

import appliance.bookings  # noqa: F401  registers BOOK and CANCEL
import appliance.reminders  # noqa: F401  registers the job
from appliance import auth, bookings, jobs, outbox, reminders
from appliance.conversation import Shop
from appliance.customers import customer_for
from appliance.models import Customer, Message, Service
from appliance.responder import Responder
from appliance.settings import SettingsError

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
SHOP = Shop(name="Spa Bunda", tz=WIB)
MONDAY = dt.datetime(2026, 11, 23, 8, 0, tzinfo=WIB)
WEDNESDAY_10 = dt.datetime(2026, 11, 25, 10, 0, tzinfo=WIB)
SARI = "+6281234567890"


@pytest.fixture
def baby(shop):
    return Service.create(name="Pijat Bayi", duration_minutes=60, comeback_days=14)


@pytest.fixture
def staff(shop):
    return auth.create_user("desk", "correct horse battery", "frontdesk")


def run(now):
    return reminders.send_reminders(SHOP, now)


def reminder_rows():
    return list(Message.select().where(Message.category == "reminder").order_by(Message.send_at))


# -- before an appointment ---------------------------------------------------------------

def test_reminders_24_and_2_hours_before_once_each(baby):
    booking = bookings.book(customer_for(SARI), baby, WEDNESDAY_10, now=MONDAY, shop=SHOP)
    run(MONDAY)
    assert reminder_rows() == []  # far ahead: nothing in the outbox yet
    tuesday = WEDNESDAY_10 - dt.timedelta(hours=24, minutes=30)
    run(tuesday)
    run(tuesday + dt.timedelta(minutes=1))
    [day_before] = reminder_rows()
    assert day_before.idempotency_key == f"reminder:{booking.id}:24h"
    assert day_before.send_at == WEDNESDAY_10 - dt.timedelta(hours=24)
    assert "besok 25/11 jam 10:00" in day_before.text and "BATAL" in day_before.text
    assert day_before.state == "queued" and day_before.customer_id == booking.customer_id

    for minutes in range(0, 120, 7):  # the job runs every minute; a sample of them
        run(WEDNESDAY_10 - dt.timedelta(hours=2, minutes=minutes))
    day_before, two_hours = reminder_rows()
    assert two_hours.idempotency_key == f"reminder:{booking.id}:2h"
    assert two_hours.send_at == WEDNESDAY_10 - dt.timedelta(hours=2)
    assert "hari ini 25/11 jam 10:00" in two_hours.text
    assert len(reminder_rows()) == 2


def test_the_reminder_job_is_registered(baby):
    bookings.book(customer_for(SARI), baby, WEDNESDAY_10, now=MONDAY, shop=SHOP)
    assert "reminders" in jobs.JOBS
    jobs.run_all(SHOP, WEDNESDAY_10 - dt.timedelta(hours=2, minutes=5))
    assert {m.idempotency_key.rsplit(":", 1)[1] for m in reminder_rows()} == {"24h", "2h"}


def test_a_booking_made_shortly_before_gets_no_reminder_from_the_past(baby):
    booked_at = WEDNESDAY_10 - dt.timedelta(hours=3)
    booking = bookings.book(customer_for(SARI), baby, WEDNESDAY_10, now=booked_at, shop=SHOP)
    run(booked_at)
    [only] = reminder_rows()
    assert only.idempotency_key == f"reminder:{booking.id}:2h"
    late = bookings.book(customer_for("+6281200000002"), baby, WEDNESDAY_10 + dt.timedelta(hours=1),
                         now=WEDNESDAY_10 - dt.timedelta(minutes=30), shop=SHOP)
    run(WEDNESDAY_10 - dt.timedelta(minutes=30))
    assert not [m for m in reminder_rows() if m.idempotency_key.startswith(f"reminder:{late.id}:")]


def test_a_cancelled_booking_loses_its_queued_reminders(shop, baby):
    responder = Responder(SHOP)
    text_in(SARI, "PESAN pijat bayi rabu jam 10", MONDAY, responder)
    run(WEDNESDAY_10 - dt.timedelta(hours=24, minutes=10))
    [queued] = reminder_rows()
    text_in(SARI, "BATAL", WEDNESDAY_10 - dt.timedelta(hours=20), responder)
    assert Message.get_by_id(queued.id).state == "cancelled"
    run(WEDNESDAY_10 - dt.timedelta(hours=2))
    assert [m.state for m in reminder_rows()] == ["cancelled"]


def test_a_sent_reminder_is_left_as_it_was(staff, baby):
    booking = bookings.book(customer_for(SARI), baby, WEDNESDAY_10, now=MONDAY, shop=SHOP)
    run(WEDNESDAY_10 - dt.timedelta(hours=24))
    [row] = reminder_rows()
    Message.update(state="sent").where(Message.id == row.id).execute()
    bookings.cancel(booking, by=staff, now=WEDNESDAY_10 - dt.timedelta(hours=5), shop=SHOP)
    assert Message.get_by_id(row.id).state == "sent"


def test_no_reminders_for_a_customer_who_opted_out(shop, baby):
    responder = Responder(SHOP)
    text_in(SARI, "PESAN pijat bayi rabu jam 10", MONDAY, responder)
    text_in(SARI, "STOP", MONDAY, responder)
    run(WEDNESDAY_10 - dt.timedelta(hours=24))
    run(WEDNESDAY_10 - dt.timedelta(hours=2))
    assert reminder_rows() == []


def test_reminder_hours_are_a_shop_setting(baby):
    owner_sets(reminder_hours="3, 48")
    assert reminders.reminder_hours() == [48, 3]
    booking = bookings.book(customer_for(SARI), baby, WEDNESDAY_10, now=MONDAY, shop=SHOP)
    run(WEDNESDAY_10 - dt.timedelta(hours=48))
    run(WEDNESDAY_10 - dt.timedelta(hours=3))
    assert [m.idempotency_key for m in reminder_rows()] == [f"reminder:{booking.id}:48h", f"reminder:{booking.id}:3h"]
    for junk, reason in (("nonsense", "hour nonsense: expected a whole number"),
                         ([48, 0], "hour 0: must be between 1 and 336"), ("10000", "between 1 and 336")):
        with pytest.raises(SettingsError, match=reason):
            owner_sets(reminder_hours=junk)
    assert reminders.reminder_hours() == [48, 3]
    owner_sets(reminder_hours="")
    assert reminders.reminder_hours() == []


def test_after_an_outage_only_the_latest_reminder_goes(baby):
    booking = bookings.book(customer_for(SARI), baby, WEDNESDAY_10, now=MONDAY, shop=SHOP)
    run(WEDNESDAY_10 - dt.timedelta(hours=1))  # the box was off all Tuesday
    [row] = reminder_rows()
    assert row.idempotency_key == f"reminder:{booking.id}:2h" and "hari ini" in row.text


def test_reminders_follow_the_customers_language(baby):
    sari = customer_for(SARI)
    Customer.update(language="en").where(Customer.id == sari.id).execute()
    bookings.book(Customer.get_by_id(sari.id), baby, WEDNESDAY_10, now=MONDAY, shop=SHOP)
    run(WEDNESDAY_10 - dt.timedelta(hours=24))
    [row] = reminder_rows()
    assert "reminder of your Pijat Bayi tomorrow 25/11 at 10:00" in row.text


def test_the_pipeline_holds_a_reminder_until_its_time(baby):
    bookings.book(customer_for(SARI), baby, WEDNESDAY_10, now=MONDAY, shop=SHOP)
    queued_at = WEDNESDAY_10 - dt.timedelta(hours=24, minutes=30)
    run(queued_at)
    assert outbox.due_outbound(queued_at) == []
    assert len(outbox.due_outbound(WEDNESDAY_10 - dt.timedelta(hours=24))) == 1


# -- come back ---------------------------------------------------------------------------

def visit(customer, service, day, staff):
    booking = bookings.book(customer, service, dt.datetime.combine(day, dt.time(9), tzinfo=WIB),
                            now=dt.datetime.combine(day, dt.time(7), tzinfo=WIB), shop=SHOP)
    bookings.mark_done(booking, staff, dt.datetime.combine(day, dt.time(10), tzinfo=WIB), shop=SHOP)
    return booking


def comebacks():
    return list(Message.select().where(Message.idempotency_key.startswith("comeback:")))


def test_come_back_after_the_interval_once(staff, baby):
    sari = customer_for(SARI)
    visit(sari, baby, dt.date(2026, 11, 2), staff)
    run(dt.datetime(2026, 11, 15, 12, 0, tzinfo=WIB))  # 13 days
    assert comebacks() == []
    run(dt.datetime(2026, 11, 16, 8, 0, tzinfo=WIB))  # 14 days, but before 10:00
    assert comebacks() == []
    for hour in (10, 11, 15):
        run(dt.datetime(2026, 11, 16, hour, 0, tzinfo=WIB))
    [row] = comebacks()
    assert row.idempotency_key == f"comeback:{sari.id}:{baby.id}:2026-11-02"
    assert row.category == "reminder" and "14 hari" in row.text and "PESAN pijat bayi" in row.text
    run(dt.datetime(2026, 11, 20, 10, 0, tzinfo=WIB))
    assert len(comebacks()) == 1


def test_a_later_visit_moves_the_come_back(staff, baby):
    sari = customer_for(SARI)
    visit(sari, baby, dt.date(2026, 11, 2), staff)
    visit(sari, baby, dt.date(2026, 11, 10), staff)
    run(dt.datetime(2026, 11, 16, 10, 0, tzinfo=WIB))
    assert comebacks() == []
    run(dt.datetime(2026, 11, 24, 10, 0, tzinfo=WIB))
    [row] = comebacks()
    assert row.idempotency_key.endswith(":2026-11-10")


def test_no_come_back_when_already_booked(staff, baby):
    sari = customer_for(SARI)
    visit(sari, baby, dt.date(2026, 11, 2), staff)
    bookings.book(sari, baby, dt.datetime(2026, 11, 20, 9, tzinfo=WIB), now=dt.datetime(2026, 11, 10, tzinfo=WIB),
                  shop=SHOP)
    run(dt.datetime(2026, 11, 16, 10, 0, tzinfo=WIB))
    assert comebacks() == []


def test_no_come_back_after_stop(staff, baby):
    visit(customer_for(SARI), baby, dt.date(2026, 11, 2), staff)
    text_in(SARI, "STOP", dt.datetime(2026, 11, 5, 10, tzinfo=WIB), Responder(SHOP))
    run(dt.datetime(2026, 11, 16, 10, 0, tzinfo=WIB))
    assert comebacks() == []


def test_no_come_back_for_services_without_an_interval_or_long_ago(staff, shop):
    once = Service.create(name="Konsultasi", duration_minutes=30)
    old = Service.create(name="Pijat Ibu", duration_minutes=60, comeback_days=14)
    visit(customer_for(SARI), once, dt.date(2026, 9, 1), staff)
    visit(customer_for("+6281200000002"), old, dt.date(2026, 6, 1), staff)  # due in June: too late now
    run(dt.datetime(2026, 11, 16, 10, 0, tzinfo=WIB))
    assert comebacks() == []


def test_cancelled_and_no_show_are_not_visits(staff, baby):
    sari = customer_for(SARI)
    booking = bookings.book(sari, baby, dt.datetime(2026, 11, 2, 9, tzinfo=WIB),
                            now=dt.datetime(2026, 11, 1, tzinfo=WIB), shop=SHOP)
    bookings.mark_no_show(booking, staff, dt.datetime(2026, 11, 2, 11, tzinfo=WIB), shop=SHOP)
    run(dt.datetime(2026, 11, 16, 10, 0, tzinfo=WIB))
    assert comebacks() == []
