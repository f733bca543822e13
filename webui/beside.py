"""What sits beside a conversation: the customer's bookings, orders and
tickets, each a link to its page, and the forms staff open for this customer
(a booking, a queue number, a ticket, an order) with the number filled in."""

from __future__ import annotations

from urllib.parse import urlencode

from appliance import clock, orders, tickets
from appliance.models import Booking, Customer, Order, Product, Service, Ticket

from . import formats
from .i18n import N_
from .web import DESK, Web

SHOWN = 5  # the newest few of each: the full history is on the customer's page


def things(web: Web, customer: Customer | None) -> list[dict]:
    """The customer's bookings, orders and tickets, as sections of rows
    (text, detail, status, link); a technician sees only his own tickets."""
    if customer is None:
        return []
    tz = web.settings.tz
    bookings = [dict(text=b.service.name, detail=formats.when(b.starts_at, web.language, tz), status=b.status,
                     link=f"/bookings?day={clock.local(b.starts_at, tz).date()}")
                for b in Booking.select().where(Booking.customer == customer)
                .order_by(Booking.starts_at.desc()).limit(SHOWN)]
    order_rows = [dict(text=orders.ref(o), detail=formats.money(o.total, web.language), status=o.status,
                       link=f"/orders/{o.number}")
                  for o in Order.select().where(Order.customer == customer).order_by(Order.number.desc()).limit(SHOWN)]
    ticket_rows = [dict(text=tickets.label(k), detail=k.summary, status=k.status, link=f"/tickets/{k.number}")
                   for k in tickets.visible_to(web.user, Ticket.select().where(Ticket.customer == customer))
                   .order_by(Ticket.number.desc()).limit(SHOWN)]
    return [dict(title=title, rows=rows, empty=empty) for title, rows, empty in (
        (N_("Bookings"), bookings, N_("No bookings.")),
        (N_("Orders"), order_rows, N_("No orders.")),
        (N_("Tickets"), ticket_rows, N_("No tickets.")))]


def actions(web: Web, phone: str) -> list[tuple[str, str]]:
    """(label, link) of the forms staff may open for this number, prefilled.
    Only the desk makes bookings, numbers, tickets and orders; a booking
    needs a service and an order goods, so a shop without them is not offered one."""
    if web.user.role not in DESK or not phone.startswith("+"):
        return []
    query = "?" + urlencode({"phone": formats.phone(phone), "from": "inbox"})  # done, back to the conversation
    offered = []
    if Service.select().where(Service.active == True).exists():  # noqa: E712
        offered.append((N_("New booking"), f"/bookings{query}#new"))
    offered.append((N_("Queue number"), f"/queue{query}#new"))
    offered.append((N_("Open a ticket"), f"/tickets{query}#new"))
    if Product.select().where(Product.active == True).exists():  # noqa: E712
        offered.append((N_("New order"), f"/orders{query}#new"))
    return offered
