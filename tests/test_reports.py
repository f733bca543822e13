"""The owner's numbers, counted by the shop's local day, and kept per day so
a year's report never groups a million messages."""

import datetime as dt
import random
import zoneinfo
from collections import Counter, defaultdict

from appliance import customers, daily, reports
from appliance.models import (Booking, Customer, DailyCount, Message, Order, PointsEntry, Service, Ticket,
                              TicketCategory)

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
TODAY = dt.date(2026, 12, 2)


def local(day, hour=12, month=11):
    return dt.datetime(2026, month, day, hour, tzinfo=JAKARTA).astimezone(dt.timezone.utc)


NOW = dt.datetime(2026, 12, 2, 20, tzinfo=JAKARTA)


def days(first, last, now=NOW):
    return {row["day"]: row for row in daily.per_day(first, last, JAKARTA, now=now)}


def test_messages_per_local_day(shop):
    Message.create(direction="in", phone="+62812", text="a", state="handled", created_at=local(20, 23))
    Message.create(direction="out", phone="+62812", text="b", state="sent", created_at=local(21, 0))
    Message.create(direction="out", phone="+62812", text="c", state="failed", created_at=local(21, 6),
                   category="marketing")
    rows = days(dt.date(2026, 11, 20), dt.date(2026, 11, 21))
    assert [(r["received"], r["sent"], r["failed"], r["marketing"]) for r in rows.values()] == [(1, 0, 0, 0),
                                                                                               (0, 1, 1, 1)]


def test_a_settled_day_is_counted_once_and_kept_the_recent_days_live(shop):
    Message.create(direction="in", phone="+62812", text="a", state="handled", created_at=local(10))
    Message.create(direction="in", phone="+62812", text="b", state="handled", created_at=local(1, month=12))
    assert days(dt.date(2026, 11, 10), TODAY)[dt.date(2026, 11, 10)]["received"] == 1
    assert DailyCount.select().where(DailyCount.day == dt.date(2026, 11, 10)).exists()
    assert not DailyCount.select().where(DailyCount.day > daily.settled_until(TODAY)).exists()
    # The kept day is read, not counted again; yesterday is counted on every view.
    Message.delete().execute()
    Message.create(direction="in", phone="+62812", text="c", state="handled", created_at=local(1, 9, month=12))
    rows = days(dt.date(2026, 11, 10), TODAY)
    assert rows[dt.date(2026, 11, 10)]["received"] == 1
    assert rows[dt.date(2026, 12, 1)]["received"] == 1


def test_a_booking_changed_after_its_day_was_kept_is_counted_again(shop):
    massage = Service.create(name="Pijat bayi", duration_minutes=60)
    sari = customers.customer_for("+6281200000001")
    booking = Booking.create(customer=sari, service=massage, starts_at=local(5), ends_at=local(5),
                             updated_at=local(5))
    assert days(dt.date(2026, 11, 5), dt.date(2026, 11, 5))[dt.date(2026, 11, 5)]["no_show"] == 0
    later = NOW + dt.timedelta(hours=1)
    booking.status, booking.updated_at = "no_show", later
    booking.save()
    assert days(dt.date(2026, 11, 5), dt.date(2026, 11, 5), later)[dt.date(2026, 11, 5)]["no_show"] == 1


def test_the_kept_numbers_equal_a_direct_count_after_random_writes(shop):
    """Property: day after day of random writes as a shop makes them (texts
    in and out, new customers, bookings for any day, orders paid later, late
    delivery reports, staff marking bookings late), with the reports viewed
    on random days, every day's numbers equal a count of the rows."""
    rng = random.Random(13)
    massage = Service.create(name="Pijat bayi", duration_minutes=60)
    first, last = dt.date(2026, 10, 1), TODAY
    made = 0

    def at(day, hour=None):
        return dt.datetime.combine(day, dt.time(hour if hour is not None else rng.randrange(24), rng.randrange(60)),
                                   tzinfo=JAKARTA).astimezone(dt.timezone.utc)

    day = first
    while day <= last:
        now = at(day, 23)
        for _ in range(rng.randrange(8)):
            made += 1
            customer = Customer.create(phone=f"+628120000{made:04d}", created_at=at(day))
            direction = rng.choice(("in", "out"))
            Message.create(direction=direction, phone=customer.phone, text="x", created_at=at(day),
                           state="handled" if direction == "in" else "queued",
                           category=rng.choice(("transactional", "reminder", "marketing")),
                           parts=rng.choice((1, 1, 2)), part_price=rng.choice((0, 150, 200)))
            if rng.random() < 0.4:
                starts = at(day + dt.timedelta(days=rng.randrange(-3, 10)))
                Booking.create(customer=customer, service=massage, starts_at=starts, ends_at=starts,
                               created_at=now, updated_at=now)
            if rng.random() < 0.3:
                Order.create(number=made, customer=customer, total=rng.randrange(1, 50) * 1000, created_at=at(day),
                             updated_at=now)
        # What happens to earlier rows today: delivery reports, visits marked, payments.
        recent = Message.select().where((Message.state == "queued")
                                        & (Message.created_at >= at(day - dt.timedelta(days=2), 0)))
        for message in recent:
            Message.update(state=rng.choice(("sent", "delivered", "failed"))).where(Message.id == message.id).execute()
        for booking in Booking.select().where(Booking.status == "booked").order_by(Booking.id):
            if booking.starts_at < now and rng.random() < 0.3:
                Booking.update(status=rng.choice(("done", "no_show", "cancelled")), updated_at=now).where(
                    Booking.id == booking.id).execute()
        for order in Order.select().where(Order.paid_at.is_null()):
            if rng.random() < 0.2:
                Order.update(status="paid", paid_at=now, updated_at=now).where(Order.id == order.id).execute()
        if rng.random() < 0.3:  # someone looks at a report today
            since = first + dt.timedelta(days=rng.randrange((day - first).days + 1))
            daily.per_day(since, day, JAKARTA, now=now)
        if day == dt.date(2026, 11, 1):
            daily.backfill(JAKARTA, now=now, pause=0)
        day += dt.timedelta(days=1)

    expected: dict = defaultdict(Counter)
    for m in Message.select():
        numbers = expected[m.created_at.astimezone(JAKARTA).date()]
        if m.direction == "in":
            numbers["received"] += 1
        else:
            numbers[m.category] += 1
            numbers["sent"] += m.state in ("sent", "delivered")
            numbers["failed"] += m.state == "failed"
            if m.state in ("sent", "delivered"):
                kind = {"transactional": "reply", "marketing": "campaign"}.get(m.category, m.category)
                numbers[f"parts_{kind}"] += m.parts
                numbers[f"spend_{kind}"] += m.parts * m.part_price
    for c in Customer.select():
        expected[c.created_at.astimezone(JAKARTA).date()]["new_customers"] += 1
    for b in Booking.select():
        numbers = expected[b.starts_at.astimezone(JAKARTA).date()]
        numbers["booked"] += b.status != "cancelled"
        if b.status != "booked":
            numbers[b.status] += 1
    for o in Order.select():
        expected[o.created_at.astimezone(JAKARTA).date()]["orders"] += 1
        expected[o.created_at.astimezone(JAKARTA).date()]["unpaid"] += o.status == "new"
        if o.paid_at:
            expected[o.paid_at.astimezone(JAKARTA).date()]["paid_orders"] += 1
            expected[o.paid_at.astimezone(JAKARTA).date()]["revenue"] += o.total
    counted = days(first, last)
    assert list(counted) == [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    assert DailyCount.select().count() > 30  # most of it came from the kept days
    for day, row in counted.items():
        assert {f: row[f] for f in daily.FIELDS} == {f: expected[day][f] for f in daily.FIELDS}, day


def test_an_upgrade_counts_the_past_in_batches(shop):
    for n in range(100):
        Message.create(direction="in", phone="+62812", text="a", state="handled",
                       created_at=local(2, month=12) - dt.timedelta(days=n))
    counted = daily.backfill(JAKARTA, now=NOW, pause=0)
    assert counted == 100 - daily.SETTLE_DAYS - 1
    assert all(row.received == 1 for row in DailyCount.select())
    assert daily.backfill(JAKARTA, now=NOW, pause=0) == 0  # nothing twice
    assert max(end - start for start, end in daily._runs(sorted(r.day for r in DailyCount.select()))) \
        < dt.timedelta(days=daily.BATCH_DAYS)


def test_bookings_no_shows_and_retention(shop):
    massage = Service.create(name="Pijat bayi", duration_minutes=60)
    sari, budi = customers.customer_for("+6281200000001"), customers.customer_for("+6281200000002")
    for customer, when, status in [(sari, local(5, month=10), "done"), (sari, local(3), "done"),
                                   (budi, local(4), "done"), (budi, local(5), "no_show"),
                                   (budi, local(6), "cancelled")]:
        Booking.create(customer=customer, service=massage, starts_at=when, ends_at=when, status=status)
    rows = days(dt.date(2026, 11, 1), dt.date(2026, 11, 6))
    assert rows[dt.date(2026, 11, 5)]["no_show"] == 1 and rows[dt.date(2026, 11, 6)]["cancelled"] == 1
    assert rows[dt.date(2026, 11, 6)]["booked"] == 0
    [november] = reports.retention(local(1, 0), local(30, 0), JAKARTA)
    assert november == {"month": "2026-11", "visitors": 2, "returning": 1, "returning_percent": 50}


def test_ticket_sla_and_points(shop):
    category = TicketCategory.create(name="internet")
    customer = customers.customer_for("+6281200000001")
    base = local(10)
    Ticket.create(number=1, customer=customer, category=category, summary="mati", created_at=base,
                  response_due=base + dt.timedelta(hours=1), first_response_at=base + dt.timedelta(minutes=30),
                  resolution_due=base + dt.timedelta(hours=24), resolved_at=base + dt.timedelta(hours=30),
                  status="resolved")
    Ticket.create(number=2, customer=customer, summary="lambat", created_at=base,
                  response_due=base + dt.timedelta(hours=1), first_response_at=base + dt.timedelta(hours=2))
    summary = reports.tickets_summary(local(1), local(30))
    assert summary["total"] == 2 and summary["by_category"] == {"internet": 1, "-": 1}
    assert summary["response_met_percent"] == 50 and summary["resolution_met_percent"] == 0
    PointsEntry.create(customer=customer, delta=30, reason="x", source="visit", at=base)
    PointsEntry.create(customer=customer, delta=-10, reason="y", source="redeem", at=base)
    assert reports.points(local(1), local(30))["issued"] == 30
    assert reports.points(local(1), local(30))["redeemed"] == 10


def test_sales_payments_and_sms_spend_per_day_through_the_real_order_flow(shop):
    from appliance import orders
    from appliance.models import Campaign, Product
    shoe = Product.create(name="Sepatu kulit", category="Sepatu", price=250_000, stock=10)
    belt = Product.create(name="Ikat pinggang", category="", price=80_000, stock=10)
    placed = local(10, 9)
    paid = orders.create_order("+6281200000001", [(shoe, 2, None), (belt, 1, None)], now=placed)
    claim, _ = orders.record_claim(paid, 580_000, now=local(11, 9))
    orders.verify_claim(claim, None, local(12, 9))
    rejected = orders.create_order("+6281200000002", [(shoe, 1, None)], now=placed)
    claim, _ = orders.record_claim(rejected, 1000, now=local(11, 10))
    orders.reject_claim(claim, "belum masuk", None, local(11, 11))
    orders.create_order("+6281200000003", [("Ongkir", 1, 20_000)], now=placed)  # never paid: cancelled by the job
    orders.cancel_unpaid(orders.shop_or_default(None), local(25))
    still = orders.create_order("+6281200000004", [(belt, 1, None)], now=local(10, 10), status="new")
    promo = Campaign.create(name="Promo", text="x")
    Message.delete().execute()  # the orders' own notices are not counted below
    for category, campaign, parts, price in (("transactional", None, 1, 150), ("reminder", None, 2, 150),
                                             ("marketing", promo, 3, 200), ("transactional", promo, 1, 200)):
        Message.create(direction="out", phone="+62812", text="x", state="delivered", category=category,
                       campaign=campaign, parts=parts, part_price=price, created_at=local(10, 8))
    Message.create(direction="out", phone="+62812", text="x", state="failed", parts=5, part_price=150,
                   created_at=local(10, 8))
    rows = days(dt.date(2026, 11, 10), dt.date(2026, 11, 12))
    day = rows[dt.date(2026, 11, 10)]
    assert (day["orders"], day["unpaid"], day["auto_cancelled"]) == (4, 1, 2)  # the rejected one was not paid either
    assert (day["parts_reply"], day["parts_reminder"], day["parts_campaign"]) == (1, 2, 4)
    assert (day["spend_reply"], day["spend_reminder"], day["spend_campaign"]) == (150, 300, 800)
    assert rows[dt.date(2026, 11, 11)]["claims"] == 2 and rows[dt.date(2026, 11, 11)]["claims_rejected"] == 1
    assert rows[dt.date(2026, 11, 12)]["claims_verified"] == 1 and rows[dt.date(2026, 11, 12)]["revenue"] == 580_000
    assert DailyCount.select().where(DailyCount.day == dt.date(2026, 11, 10)).exists()  # kept, and read the same
    assert days(dt.date(2026, 11, 10), dt.date(2026, 11, 10))[dt.date(2026, 11, 10)] == day
    orders.cancel_order(still, by=None, reason="stok habis", now=NOW + dt.timedelta(hours=1))  # staff cancel: counted again, not the job's
    again = days(dt.date(2026, 11, 10), dt.date(2026, 11, 10))[dt.date(2026, 11, 10)]
    assert (again["unpaid"], again["auto_cancelled"]) == (0, 2)

    sold = reports.products_sold(dt.date(2026, 11, 1), dt.date(2026, 11, 30), JAKARTA)
    assert [(r["product"], r["category"], r["quantity"], r["revenue"]) for r in sold] == [
        ("Sepatu kulit", "Sepatu", 2, 500_000), ("Ikat pinggang", "", 1, 80_000)]
    assert [(r["category"], r["revenue"]) for r in reports.categories_sold(sold)] == [("Sepatu", 500_000),
                                                                                    ("", 80_000)]


def test_returning_customers_ordered_or_came_more_than_once_in_the_span(shop):
    massage = Service.create(name="Pijat bayi", duration_minutes=60)
    sari, budi, dewi = (customers.customer_for(f"+628120000000{n}") for n in (1, 2, 3))
    Order.create(number=1, customer=sari, total=1, created_at=local(3))
    Booking.create(customer=sari, service=massage, starts_at=local(5), ends_at=local(5), status="done")
    Order.create(number=2, customer=budi, total=1, created_at=local(3))
    Order.create(number=3, customer=budi, total=1, created_at=local(20), status="cancelled")  # not counted
    Booking.create(customer=dewi, service=massage, starts_at=local(4), ends_at=local(4), status="no_show")
    Order.create(number=4, customer=sari, total=1, created_at=local(20))
    spans = [(dt.date(2026, 11, 1), dt.date(2026, 11, 15)), (dt.date(2026, 11, 16), dt.date(2026, 11, 30))]
    rows, whole = reports.returning(spans, JAKARTA)
    assert [(r["active"], r["returning"]) for r in rows] == [(2, 1), (1, 1)]  # Sari's second and third time
    assert whole == {"active": 2, "returning": 1}
    rows, whole = reports.returning(spans[1:], JAKARTA)  # her first time in this period
    assert [(r["active"], r["returning"]) for r in rows] == [(1, 0)] and whole == {"active": 1, "returning": 0}
    assert reports.customers_before(dt.date(2026, 11, 1), JAKARTA) == 0
