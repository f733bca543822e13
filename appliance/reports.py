"""The numbers the owner asked for, as plain rows the UI charts and exports.

Every report takes a period [since, until) in UTC and counts by the shop's
local day, so "today" means the shop's today.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import peewee as pw

from .models import Booking, Campaign, Customer, Message, PointsEntry, Ticket


def _days(since: dt.datetime, until: dt.datetime, tz: dt.tzinfo) -> list[dt.date]:
    first, last = since.astimezone(tz).date(), (until - dt.timedelta(microseconds=1)).astimezone(tz).date()
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def _local_day(field, tz: dt.tzinfo, at: dt.datetime):
    """SQL for the shop-local date of a UTC timestamp column, so the database
    groups a million rows instead of Python. Uses the zone's offset at `at`
    (Indonesia keeps no daylight saving time; elsewhere a report spanning a
    change is off by an hour at its edges)."""
    minutes = int(at.astimezone(tz).utcoffset().total_seconds() // 60)
    database = Message._meta.database
    database = getattr(database, "obj", database)  # the proxy's database
    # coerce(False): the result is a date string, not the column's datetime.
    if isinstance(database, pw.PostgresqlDatabase):
        return pw.fn.to_char(field + pw.SQL(f"interval '{minutes} minutes'"), "YYYY-MM-DD").coerce(False)
    return pw.fn.date(field, f"{minutes:+d} minutes").coerce(False)


def messages_per_day(since: dt.datetime, until: dt.datetime, tz: dt.tzinfo) -> list[dict]:
    day = _local_day(Message.created_at, tz, until)
    kind = pw.Case(None, [((Message.direction == "in"), "received"),
                          (Message.state.in_(["sent", "delivered"]), "sent"),
                          ((Message.state == "failed"), "failed")], "other")
    counts: dict[str, Counter] = defaultdict(Counter)
    for day_text, what, n in (Message.select(day, kind, pw.fn.COUNT(Message.id))
                              .where((Message.created_at >= since) & (Message.created_at < until))
                              .group_by(day, kind).tuples()):
        counts[str(day_text)][what] += n
    return [{"day": d.isoformat(), "received": counts[d.isoformat()]["received"],
             "sent": counts[d.isoformat()]["sent"], "failed": counts[d.isoformat()]["failed"]}
            for d in _days(since, until, tz)]


def bookings_per_day(since: dt.datetime, until: dt.datetime, tz: dt.tzinfo) -> list[dict]:
    counts: dict[dt.date, Counter] = defaultdict(Counter)
    for starts, status in (Booking.select(Booking.starts_at, Booking.status)
                           .where((Booking.starts_at >= since) & (Booking.starts_at < until)).tuples()):
        counts[starts.astimezone(tz).date()][status] += 1
    return [{"day": d.isoformat(), "booked": sum(counts[d].values()) - counts[d]["cancelled"],
             "done": counts[d]["done"], "no_show": counts[d]["no_show"], "cancelled": counts[d]["cancelled"]}
            for d in _days(since, until, tz)]


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
