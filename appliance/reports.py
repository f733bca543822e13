"""The numbers the owner asked for, as plain rows the UI charts and exports.

The daily numbers take the shop's local days [first, last]; the others a
period [since, until) in UTC, counted by the shop's local day, so "today"
means the shop's today.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter, defaultdict

import peewee as pw

from . import daily
from .models import Booking, Campaign, Customer, Message, Order, OrderItem, PointsEntry, Product, Ticket


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


# -- sales ---------------------------------------------------------------------------------

def products_sold(first: dt.date, last: dt.date, tz: dt.tzinfo) -> list[dict]:
    """What sold in the shop-local days [first, last]: the items of the orders
    paid in the period and not cancelled since (as the revenue counts them),
    per product, the best-selling first. A line with no product (a deleted
    product, a typed item) is kept under its own name."""
    since, until = daily.bounds(first, last, tz)
    amount = pw.fn.SUM(OrderItem.quantity * OrderItem.price)
    rows = (OrderItem.select(OrderItem.product, OrderItem.name, Product.name, Product.category,
                             pw.fn.SUM(OrderItem.quantity), amount)
            .join(Order).switch(OrderItem).join(Product, pw.JOIN.LEFT_OUTER)
            .where((Order.paid_at >= since) & (Order.paid_at < until) & (Order.status != "cancelled"))
            .group_by(OrderItem.product, OrderItem.name, Product.name, Product.category).tuples())
    sold: dict = {}
    for product, line_name, name, category, quantity, rupiah in rows:
        key = product if product is not None else f"line:{line_name}"
        entry = sold.setdefault(key, {"product": name or line_name, "category": category or "",
                                      "quantity": 0, "revenue": 0})
        entry["quantity"] += int(quantity or 0)
        entry["revenue"] += int(rupiah or 0)
    return sorted(sold.values(), key=lambda r: (-r["revenue"], -r["quantity"], r["product"]))


def categories_sold(products: list[dict]) -> list[dict]:
    """products_sold summed per category, the biggest first ("" is no category)."""
    out: dict[str, dict] = {}
    for row in products:
        entry = out.setdefault(row["category"], {"category": row["category"], "products": 0, "quantity": 0,
                                                 "revenue": 0})
        entry["products"] += 1
        entry["quantity"] += row["quantity"]
        entry["revenue"] += row["revenue"]
    return sorted(out.values(), key=lambda r: (-r["revenue"], r["category"]))


def unpaid_orders() -> dict:
    """The orders waiting for the customer's money now (new or awaiting
    payment), whenever placed: how many, and what they come to."""
    from .orders import UNPAID  # here: orders reaches the outbox and the replies, reports only reads
    count, total = Order.select(pw.fn.COUNT(Order.id), pw.fn.SUM(Order.total)).where(
        Order.status.in_(UNPAID)).tuples().get()
    return {"count": int(count or 0), "total": int(total or 0)}


# -- customers -----------------------------------------------------------------------------

def customers_before(day: dt.date, tz: dt.tzinfo) -> int:
    """Customers the shop had before the shop-local `day` (a range of the created_at index)."""
    since, _ = daily.bounds(day, day, tz)
    return Customer.select().where(Customer.created_at < since).count()


def returning(spans: list[tuple[dt.date, dt.date]], tz: dt.tzinfo) -> tuple[list[dict], dict]:
    """Customers who ordered (an order not cancelled) or came (a booking done)
    in the period the spans of shop-local days cover, and the returning ones:
    those who did so more than once in the period. Per span: who did so in
    it, and who of them were returning by then (their second time in the
    period or later). Two ranges of the orders' and bookings' time indexes;
    a year of a busy shop is some ten thousand short rows."""
    if not spans:
        return [], {"active": 0, "returning": 0}
    since, until = daily.bounds(spans[0][0], spans[-1][1], tz)
    orders = Order.select(Order.customer, Order.created_at).where(
        (Order.created_at >= since) & (Order.created_at < until) & (Order.status != "cancelled")).tuples()
    visits = Booking.select(Booking.customer, Booking.starts_at).where(
        (Booking.starts_at >= since) & (Booking.starts_at < until) & (Booking.status == "done")).tuples()
    times: Counter = Counter()
    per_span = [{"first": first, "last": last, "active": set(), "returning": set()} for first, last in spans]
    ends = [last for _, last in spans]
    for who, moment in sorted([*orders, *visits], key=lambda row: row[1]):
        times[who] += 1
        day = moment.astimezone(tz).date()
        span = per_span[min(bisect.bisect_left(ends, day), len(ends) - 1)]
        span["active"].add(who)
        if times[who] > 1:
            span["returning"].add(who)
    rows = [{**span, "active": len(span["active"]), "returning": len(span["returning"])} for span in per_span]
    return rows, {"active": len(times), "returning": sum(1 for n in times.values() if n > 1)}
