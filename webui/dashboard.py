"""The dashboard: each role's home, what needs it today, at a glance.

The front desk sees today's bookings and the queue; a technician his visits
and his open tickets; the owner the money, the SIM's credit and how the
customers rate the service, above what waits for staff; an admin and a
viewer the shop's day as a whole. Everyone reads the staff news board
(news.py) on top."""

from __future__ import annotations

import datetime as dt

import bottle

from appliance import clock, daily, news, outbox, policy, reports, satisfaction, tickets as ticket_rules, visits
from appliance.models import Booking, Message, PaymentClaim, QueueTicket, Rating, Ticket

from .modems import modem_health
from .web import MANAGERS, Web
from .wizard import checklist

# Each role's home; a role not named (a future one) gets the whole day's view.
HOMES = {"owner": "owner", "frontdesk": "desk", "technician": "field"}
VISIT_DAYS = 7  # a technician's visits: today and the six days after


def dashboard(web: Web, news_error: str = "", typed: dict | None = None):
    now = clock.utcnow()
    home = HOMES.get(web.user.role, "office")
    values = dict(home=home, now=now, news=news.recent(now), news_error=news_error, typed=typed or {},
                  title_max=news.TITLE_MAX, text_max=news.TEXT_MAX,
                  may_post=web.user.role in MANAGERS, checklist=[], modems=[], bookings=[], queue=[], visits=[])
    if home == "field":
        values.update(_field(web, now))
    else:
        values.update(_attention(), bookings=_bookings_today(web, now), queue=_queue_today(web, now),
                      tickets=_open_tickets(web))
        if home != "desk":  # the modem and its credit: the owner's and the office's care, not the desk's
            values["modems"] = modem_health(web)
            values["daily_cap"] = web.settings.daily_cap
        if home == "owner":
            values.update(money_now=_money(web, now), quality=_quality(web, now),
                          checklist=checklist(web, values["modems"]))
    return web.render("dashboard", title="Dashboard", **values)


def home(web: Web):
    bottle.redirect("/dashboard")


def _attention() -> dict:
    return {"failed": outbox.attention_count(),
            "waiting": Message.select().where(Message.needs_staff == True).limit(1000).count()}  # noqa: E712


def _bookings_today(web: Web, now: dt.datetime) -> list[Booking]:
    day_start = policy.day_start(now, web.settings.tz)
    return list(Booking.select().where((Booking.starts_at >= day_start)
                                       & (Booking.starts_at < day_start + dt.timedelta(days=1))
                                       & (Booking.status != "cancelled")).order_by(Booking.starts_at))


def _queue_today(web: Web, now: dt.datetime) -> list[QueueTicket]:
    today = now.astimezone(web.settings.tz).date()
    return list(QueueTicket.select().where((QueueTicket.day == today)
                                           & QueueTicket.status.in_(["waiting", "called"]))
                .order_by(QueueTicket.number))


def _open_tickets(web: Web) -> list[Ticket]:
    # Only tickets this user may open: a technician sees his own.
    return list(ticket_rules.visible_to(web.user).where(Ticket.status.in_(ticket_rules.OPEN))
                .order_by(Ticket.resolution_due.asc(nulls="LAST")).limit(20))


def _field(web: Web, now: dt.datetime) -> dict:
    """A technician's week of visits (from the start of today: this morning's
    visit stays on the list while he is there) and his open tickets."""
    start = policy.day_start(now, web.settings.tz)
    planned = visits.between(start, start + dt.timedelta(days=VISIT_DAYS), technician=web.user)
    today_ends = start + dt.timedelta(days=1)
    return {"visits": planned, "visits_today": sum(1 for k in planned if k.visit_at < today_ends),
            "tickets": _open_tickets(web)}


def _money(web: Web, now: dt.datetime) -> dict:
    """Today's and this month's sales and SMS spend, from the reports' kept
    days; the orders still unpaid and the payments waiting for staff."""
    tz = web.settings.tz
    today = now.astimezone(tz).date()
    days = reports.per_day(today.replace(day=1), today, tz)

    def total(rows: list[dict], *fields: str) -> int:
        return sum(row[field] for row in rows for field in fields)

    spend = [f"spend_{kind}" for kind in daily.SPEND_KINDS]
    return {"today_revenue": total(days[-1:], "revenue"), "today_paid": total(days[-1:], "paid_orders"),
            "month_revenue": total(days, "revenue"), "month_paid": total(days, "paid_orders"),
            "month_sms": total(days, *spend), "unpaid": reports.unpaid_orders(),
            "claims": PaymentClaim.select().where(PaymentClaim.status == "claimed").count()}


def _quality(web: Web, now: dt.datetime) -> dict:
    """This month's scores (average, how many, the low ones) and its tickets'
    SLA, with the staff scored lowest first (satisfaction.summary's order)."""
    tz = web.settings.tz
    today = now.astimezone(tz).date()
    since, _ = daily.bounds(today.replace(day=1), today, tz)
    scores = satisfaction.summary(since, now, tz)
    answered = sum(row["count"] for row in scores["month"])
    average = sum(row["average"] * row["count"] for row in scores["month"]) / answered if answered else None
    low = Rating.select().where((Rating.answered_at >= since) & (Rating.score <= satisfaction.LOW)).count()
    sla = reports.tickets_summary(since, now)
    return {"average": average, "answered": answered, "low": low, "staff": scores["staff"][:3],
            "resolution_met": sla["resolution_met_percent"], "tickets": sla["total"]}
