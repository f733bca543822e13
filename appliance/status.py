"""STATUS without a number: the customer's own open tickets and orders."""

from __future__ import annotations

from . import orders, replies, tickets
from .responder import Conversation, on_status

replies.register({
    "status_list": {
        "id": "{shop}: yang masih berjalan: {items}. Ketik STATUS dan nomornya untuk rinciannya.",
        "en": "{shop}: still open: {items}. Text STATUS and the number for details.",
    },
    "status_none": {
        "id": "{shop}: tidak ada tiket atau pesanan yang masih berjalan atas nomor Anda.",
        "en": "{shop}: you have no open tickets or orders with us.",
    },
})


@on_status("")
def _everything_open(c: Conversation):
    open_tickets = tickets.open_tickets_for(c.customer) if c.customer else []
    open_orders = orders.open_orders_for(c.customer) if c.customer else []
    if len(open_tickets) + len(open_orders) == 1:
        if open_tickets:
            return [tickets.status_reply(c, open_tickets[0])]
        c.pending = {"prefix": orders.PREFIX, "number": open_orders[0].number}
        return orders.order_status(c)
    if not open_tickets and not open_orders:
        return [c.reply("status_none")]
    items = [tickets.label(t) for t in open_tickets[:3]] + [orders.ref(o) for o in open_orders[:3]]
    return [c.reply("status_list", items=", ".join(items))]
