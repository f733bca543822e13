"""STATUS: `STATUS T-0042` / `STATUS O-1001` goes to the service that owns the
prefix; STATUS alone lists the customer's own open tickets and orders."""

from __future__ import annotations

import re

from . import orders, orders_sms, tickets, tickets_sms
from .conversation import STATUS_HANDLERS, Conversation, Reply, on_keyword, on_status, templates

templates({
    "status_list": {
        "id": "{shop}: yang masih berjalan: {items}. Ketik STATUS dan nomornya untuk rinciannya.",
        "en": "{shop}: still open: {items}. Text STATUS and the number for details.",
    },
    "status_none": {
        "id": "{shop}: tidak ada tiket atau pesanan yang masih berjalan atas nomor Anda.",
        "en": "{shop}: you have no open tickets or orders with us.",
    },
}, purpose="basics")


REFERENCE = re.compile(r"\b([A-Za-z])\s*-?\s*(\d{1,7})\b")


@on_keyword("STATUS")
def _status(c: Conversation) -> list[Reply]:
    """STATUS T-0042 / STATUS O-1001: the service that owns the prefix answers."""
    found = REFERENCE.search(c.args)
    if found and found.group(1).upper() in STATUS_HANDLERS:
        c.pending = {"prefix": found.group(1).upper(), "number": int(found.group(2))}
        return STATUS_HANDLERS[found.group(1).upper()](c) or []
    if "" in STATUS_HANDLERS:  # "STATUS" alone: everything open for this customer
        return STATUS_HANDLERS[""](c) or []
    return [c.reply("status_how")]


def status_of(c: Conversation, *, order: int | None = None, ticket: int | None = None) -> list[Reply]:
    """A free text asking after an order or a ticket: the one it names, else everything open."""
    prefix, number = ("O", order) if order is not None else ("T", ticket) if ticket is not None else ("", None)
    if number is not None and prefix in STATUS_HANDLERS:
        c.pending = {"prefix": prefix, "number": number}
        return STATUS_HANDLERS[prefix](c) or []
    return _everything_open(c) or []


@on_status("")
def _everything_open(c: Conversation):
    open_tickets = tickets.open_tickets_for(c.customer) if c.customer else []
    open_orders = orders.open_orders_for(c.customer) if c.customer else []
    if len(open_tickets) + len(open_orders) == 1:
        if open_tickets:
            return [tickets_sms.status_reply(c, open_tickets[0])]
        c.pending = {"prefix": orders.PREFIX, "number": open_orders[0].number}
        return orders_sms.order_status(c)
    if not open_tickets and not open_orders:
        return [c.reply("status_none")]
    items = [tickets.label(t) for t in open_tickets[:3]] + [orders.ref(o) for o in open_orders[:3]]
    return [c.reply("status_list", items=", ".join(items))]
