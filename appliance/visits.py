"""Field work: the technician's visit to the customer, planned on the ticket.

The desk sets a ticket's visit date and time. The customer hears of it by SMS
(and again when it moves); the assigned technician gets the job with the
customer's name, phone, address and the visit time. A visit in the past is
refused: a visit is planned, not recorded afterwards. Each morning every
technician with visits that day gets one SMS listing them (visits_morning.py).
"""

from __future__ import annotations

import datetime as dt

from . import outbox
from .clock import as_utc, utcnow
from .conversation import Shop, shop_or_default
from .models import Ticket, User
from .phone import is_replyable
from .tickets import DONE, TicketError, _fresh, _tell_customer, label, record, staff_name
from .visit_texts import local_text, technician_job
from .words import N_, say

# How far ahead a visit may be planned; further is a typing mistake (2062 for 2026).
MAX_AHEAD = dt.timedelta(days=366)
# A visit set a little in the past (the form was open a while) is taken as now.
GRACE = dt.timedelta(minutes=15)


def parse_local(date_text: str, time_text: str, tz: dt.tzinfo) -> dt.datetime:
    """The form's date (YYYY-MM-DD) and time (HH:MM), in the shop's zone, as UTC."""
    try:
        day = dt.date.fromisoformat((date_text or "").strip())
    except ValueError:
        raise TicketError(N_("Give the visit's date, for example 2026-12-04.")) from None
    try:
        hour, minute = (int(part) for part in (time_text or "").strip().replace(".", ":").split(":"))
        at = dt.time(hour, minute)
    except (TypeError, ValueError):
        raise TicketError(N_("Give the visit's time, for example 09:30.")) from None
    return dt.datetime.combine(day, at, tzinfo=tz).astimezone(dt.timezone.utc)


def schedule(ticket: Ticket, when: dt.datetime | None, by: User | None, now: dt.datetime | None = None, *,
             shop: Shop | None = None) -> Ticket:
    """Set, move or clear the ticket's visit. The customer hears the new time
    (set or moved); the assigned technician gets the job again with it."""
    now = as_utc(now or utcnow())
    shop = shop_or_default(shop)
    ticket = _fresh(ticket)
    if ticket.status in DONE:
        raise TicketError(say(N_("{ticket} is {status}; reopen it first"), ticket=label(ticket),
                              status=ticket.status))
    if when is None:
        if ticket.visit_at is not None:
            record(ticket, "visit", by, now, note="visit cleared", visit_at=None)
        return ticket
    when = as_utc(when)
    if when < now - GRACE:
        raise TicketError(N_("That time has passed: a visit is planned ahead."))
    if when > now + MAX_AHEAD:
        raise TicketError(N_("A visit is planned at most a year ahead."))
    if ticket.visit_at is not None and as_utc(ticket.visit_at) == when:
        return ticket  # the same form sent twice
    moved = ticket.visit_at is not None
    date, time = local_text(when, shop.tz)
    with Ticket._meta.database.atomic():
        event = record(ticket, "visit", by, now, note=f"{'moved to' if moved else 'visit'} {date} {time}",
                       visit_at=when)
        _tell_customer(ticket, "ticket_visit_moved" if moved else "ticket_visit_set", event, shop, now,
                       date=date, time=time)
        technician = ticket.assignee
        if technician is not None and technician.active and is_replyable(technician.phone or ""):
            template, text = technician_job(ticket, label(ticket), technician, shop)
            outbox.queue_outbound(technician.phone, text, category="transactional",
                                  key=f"ticket:{ticket.id}:visit:{technician.id}:{event.id}", template=template,
                                  now=now)
    return ticket


def between(since: dt.datetime, until: dt.datetime, technician: User | None = None) -> list[Ticket]:
    """Visits from `since` to before `until`, earliest first; of one technician when given."""
    query = Ticket.select().where((Ticket.visit_at >= as_utc(since)) & (Ticket.visit_at < as_utc(until)))
    if technician is not None:
        query = query.where(Ticket.assignee == technician)
    return list(query.order_by(Ticket.visit_at, Ticket.number))


def who(ticket: Ticket) -> str:
    return staff_name(ticket.assignee) if ticket.assignee_id else "-"
