"""The dashboard: what needs attention today, at a glance."""

from __future__ import annotations

import datetime as dt
import json

import bottle

from appliance import clock, messaging, policy
from appliance.models import Booking, Message, QueueTicket, Ticket

from .app import ANY_ROLE, Route, Web


def modem_health(web: Web) -> list[dict]:
    """What the worker last wrote about each modem (the web never opens one)."""
    out = []
    folder = web.settings.data_path / "status"
    now = clock.utcnow()
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            status = json.loads(path.read_text())
            at = dt.datetime.fromisoformat(status["at"])
        except (OSError, ValueError, KeyError):
            continue
        status["age_minutes"] = int((now - at).total_seconds() // 60)
        status["stale"] = status["age_minutes"] > 5
        status["sent_today"] = messaging.parts_sent_since(path.stem, policy.day_start(now, web.settings.tz))
        out.append(status)
    return out


def dashboard(web: Web):
    now = clock.utcnow()
    day_start = policy.day_start(now, web.settings.tz)
    today = now.astimezone(web.settings.tz).date()
    bookings = list(Booking.select().where((Booking.starts_at >= day_start)
                                           & (Booking.starts_at < day_start + dt.timedelta(days=1))
                                           & (Booking.status != "cancelled")).order_by(Booking.starts_at))
    queue = list(QueueTicket.select().where((QueueTicket.day == today)
                                            & QueueTicket.status.in_(["waiting", "called"]))
                 .order_by(QueueTicket.number))
    open_tickets = Ticket.select().where(Ticket.status.in_(["new", "assigned", "pending"]))
    if web.user.role == "technician":  # his own, as on the tickets page
        open_tickets = open_tickets.where(Ticket.assignee == web.user)
    tickets = list(open_tickets.order_by(Ticket.resolution_due.asc(nulls="LAST")).limit(20))
    failed = messaging.attention_count()
    waiting = Message.select().where(Message.needs_staff == True).limit(1000).count()  # noqa: E712
    return web.render("dashboard", title="Dashboard", bookings=bookings, queue=queue, tickets=tickets,
                      failed=failed, waiting=waiting, modems=modem_health(web), now=now,
                      daily_cap=web.settings.daily_cap)


def home(web: Web):
    bottle.redirect("/dashboard")


def routes() -> list[Route]:
    return [
        Route("GET", "/", home, roles=ANY_ROLE),
        Route("GET", "/dashboard", dashboard, roles=ANY_ROLE),
    ]
