"""The dashboard: what needs attention today, at a glance."""

from __future__ import annotations

import datetime as dt

import bottle

from appliance import clock, outbox, policy, tickets as ticket_rules
from appliance.models import Booking, Message, QueueTicket, Ticket

from .modems import modem_health
from .web import Web
from .wizard import checklist


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
    # Only tickets this user may open: a technician sees his own.
    tickets = list(ticket_rules.visible_to(web.user).where(Ticket.status.in_(["new", "assigned", "pending"]))
                   .order_by(Ticket.resolution_due.asc(nulls="LAST")).limit(20))
    failed = outbox.attention_count()
    waiting = Message.select().where(Message.needs_staff == True).limit(1000).count()  # noqa: E712
    modems = modem_health(web)
    return web.render("dashboard", title="Dashboard", bookings=bookings, queue=queue, tickets=tickets,
                      failed=failed, waiting=waiting, modems=modems, now=now,
                      daily_cap=web.settings.daily_cap, checklist=checklist(web, modems))


def home(web: Web):
    bottle.redirect("/dashboard")
