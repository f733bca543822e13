"""The numbers the owner asked for, as plain rows the UI charts and exports.

The daily numbers take the shop's local days [first, last]; the others a
period [since, until) in UTC, counted by the shop's local day, so "today"
means the shop's today.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import peewee as pw

from . import daily
from .models import Booking, Campaign, Customer, Message, PointsEntry, Ticket


def per_day(first: dt.date, last: dt.date, tz: dt.tzinfo) -> list[dict]:
    """Every shop-local day in [first, last] with its numbers (daily.FIELDS),
    from the counts kept per day: a year is 365 rows, not a million messages."""
    return daily.per_day(first, last, tz)


def retention(since: dt.datetime, until: dt.datetime, tz: dt.tzinfo) -> list[dict]:
    """Per month: customers who visited, and how many of them had visited before."""
    visits = (Booking.select(Booking.customer, Booking.starts_at).where(Booking.status == "done")
              .order_by(Booking.starts_at).tuples())
    first_visit: dict[int, dt.datetime] = {}
    months: dict[str, dict[str, set]] = defaultdict(lambda: {"visitors": set(), "returning": set()})
    for customer, starts in visits:
        first = first_visit.setdefault(customer, starts)
        if since <= starts < until:
            month = starts.astimezone(tz).strftime("%Y-%m")
            months[month]["visitors"].add(customer)
            if first < starts.astimezone(tz).replace(day=1, hour=0, minute=0, second=0, microsecond=0):
                months[month]["returning"].add(customer)
    out = []
    for month in sorted(months):
        v, r = len(months[month]["visitors"]), len(months[month]["returning"])
        out.append({"month": month, "visitors": v, "returning": r, "returning_percent": round(100 * r / v) if v else 0})
    return out


def tickets_summary(since: dt.datetime, until: dt.datetime) -> dict:
    """Counts by category and status, and the share that met their SLA."""
    rows = list(Ticket.select().where((Ticket.created_at >= since) & (Ticket.created_at < until)))
    by_category: Counter = Counter((t.category.name if t.category_id else "-") for t in rows)
    by_status: Counter = Counter(t.status for t in rows)

    def met(done_field, due_field) -> int | None:
        judged = [t for t in rows if getattr(t, due_field) is not None and getattr(t, done_field) is not None]
        if not judged:
            return None
        return round(100 * sum(getattr(t, done_field) <= getattr(t, due_field) for t in judged) / len(judged))

    return {"total": len(rows), "by_category": dict(by_category), "by_status": dict(by_status),
            "response_met_percent": met("first_response_at", "response_due"),
            "resolution_met_percent": met("resolved_at", "resolution_due")}


def points(since: dt.datetime, until: dt.datetime) -> dict:
    period = (PointsEntry.at >= since) & (PointsEntry.at < until)
    issued = PointsEntry.select(pw.fn.SUM(PointsEntry.delta)).where(period & (PointsEntry.delta > 0)).scalar() or 0
    used = PointsEntry.select(pw.fn.SUM(PointsEntry.delta)).where(period & (PointsEntry.delta < 0)).scalar() or 0
    return {"issued": int(issued), "redeemed": -int(used),
            "customers_with_points": Customer.select().where(Customer.points > 0).count()}


def campaign_results(limit: int = 20) -> list[dict]:
    out = []
    for campaign in Campaign.select().order_by(Campaign.id.desc()).limit(limit):
        counts = dict(Message.select(Message.state, pw.fn.COUNT(Message.id)).where(Message.campaign == campaign)
                      .group_by(Message.state).tuples())
        total = sum(counts.values())
        delivered = counts.get("delivered", 0)
        out.append({"campaign": campaign.name, "kind": campaign.kind, "status": campaign.status,
                    "recipients": total, "sent": counts.get("sent", 0) + delivered, "delivered": delivered,
                    "failed": counts.get("failed", 0), "cancelled": counts.get("cancelled", 0)})
    return out
