"""The ticket report's list: the tickets opened in a period, one row each
with who, what and how its two SLA clocks went, for the page and its CSV."""

from __future__ import annotations

import datetime as dt

from . import tickets_sla
from .clock import utcnow
from .models import Customer, Ticket, TicketCategory, User
from .tickets import label, staff_name


def _minutes(done_at: dt.datetime | None, opened: dt.datetime) -> int | None:
    return None if done_at is None else round((done_at - opened).total_seconds() / 60)


def rows(since: dt.datetime, until: dt.datetime, *, offset: int = 0, limit: int | None = None,
         now: dt.datetime | None = None) -> list[dict]:
    """Tickets opened in [since, until), the oldest first; each clock is
    (minutes taken or None, 'met'/'missed'/'open'/'late')."""
    now = now or utcnow()
    query = (Ticket.select(Ticket, Customer).join(Customer)
             .where((Ticket.created_at >= since) & (Ticket.created_at < until))
             .order_by(Ticket.created_at, Ticket.id).offset(offset))
    if limit is not None:
        query = query.limit(limit)
    categories = {c.id: c.name for c in TicketCategory.select()}
    people = {u.id: staff_name(u) for u in User.select()}
    return [dict(id=t.number, number=label(t), opened=t.created_at, customer=t.customer,
                 category=categories.get(t.category_id, "") if t.category_id else "", status=t.status,
                 technician=people.get(t.assignee_id, "") if t.assignee_id else "",
                 answer=(_minutes(t.first_response_at, t.created_at),
                         tickets_sla.state(t.first_response_at, t.response_due, now)),
                 fix=(_minutes(t.resolved_at, t.created_at),
                      tickets_sla.state(t.resolved_at, t.resolution_due, now)))
            for t in query]
