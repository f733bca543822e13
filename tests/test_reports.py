"""The owner's numbers, counted by the shop's local day."""

import datetime as dt
import zoneinfo

from appliance import customers, reports
from appliance.models import Booking, Message, PointsEntry, Service, Ticket, TicketCategory

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")


def local(day, hour=12, month=11):
    return dt.datetime(2026, month, day, hour, tzinfo=JAKARTA).astimezone(dt.timezone.utc)


def test_messages_per_local_day(shop):
    Message.create(direction="in", phone="+62812", text="a", state="handled", created_at=local(20, 23))
    Message.create(direction="out", phone="+62812", text="b", state="sent", created_at=local(21, 0))
    Message.create(direction="out", phone="+62812", text="c", state="failed", created_at=local(21, 6))
    rows = reports.messages_per_day(local(20, 0), local(22, 0), JAKARTA)
    assert rows == [{"day": "2026-11-20", "received": 1, "sent": 0, "failed": 0},
                    {"day": "2026-11-21", "received": 0, "sent": 1, "failed": 1}]


def test_bookings_no_shows_and_retention(shop):
    massage = Service.create(name="Pijat bayi", duration_minutes=60)
    sari, budi = customers.customer_for("+6281200000001"), customers.customer_for("+6281200000002")
    for customer, when, status in [(sari, local(5, month=10), "done"), (sari, local(3), "done"),
                                   (budi, local(4), "done"), (budi, local(5), "no_show"),
                                   (budi, local(6), "cancelled")]:
        Booking.create(customer=customer, service=massage, starts_at=when, ends_at=when, status=status)
    days = {r["day"]: r for r in reports.bookings_per_day(local(1, 0), local(7, 0), JAKARTA)}
    assert days["2026-11-05"]["no_show"] == 1 and days["2026-11-06"]["cancelled"] == 1
    assert days["2026-11-06"]["booked"] == 0
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
