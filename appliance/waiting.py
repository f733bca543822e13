"""The waiting queue: numbered tickets per shop-local day, "your turn" calls.

A ticket is `waiting`, then `called` (being served), then `done`; or
`skipped` (staff moved on: not there when called) or `left` (the customer
left by SMS). Numbers start at 1 every local day and never repeat within it.

Everyone hears once that their turn is near: a customer who joins already
within `queue_notify_ahead` places (default 3) was told the estimate in the
join answer; the others get "your turn in about N minutes" when calls move
them that close (`soon_notified` keeps it to once).

What customers text about the queue is in waiting_sms.py.
"""

from __future__ import annotations

import datetime as dt
import math

import peewee as pw

from .words import N_, say  # noqa: F401
from . import bookings, outbox, replies, shopdata
from .audit import audit
from .conversation import Shop, shop_or_default
from .models import Booking, Customer, QueueTicket, Service, User

# queue_notify_ahead and queue_counters are the owner's: in the settings table.
DEFAULT_MINUTES = 20  # a ticket with no service, when the shop has no services either
OPEN_EARLY_MINUTES = 60  # SMS joins are taken from this long before opening until closing

class QueueError(ValueError):
    """A queue change that cannot be made; the message is for people."""


NOT_TODAY = N_("This booking is not today: only a customer booked for today can join today's queue.")


def today(now: dt.datetime, shop: Shop | None = None) -> dt.date:
    return now.astimezone(shop_or_default(shop).tz).date()


# -- joining -----------------------------------------------------------------------------

def join(customer: Customer | None, *, service: Service | None = None, booking: Booking | None = None,
         now: dt.datetime, by: User | None = None, source: str = "sms", shop: Shop | None = None) -> QueueTicket:
    """A new number in today's queue. Two joins at the same moment get
    different numbers (the unique (day, number) index, and a retry). A
    customer added by staff (source='staff') is told their number by SMS."""
    shop = shop_or_default(shop)
    day = today(now, shop)
    if booking is not None and booking.starts_at.astimezone(shop.tz).date() != day:
        # Today's queue is for today's customers: an early "arrived" click
        # must not give tomorrow's customer a number today.
        raise QueueError(NOT_TODAY)
    if booking is not None and service is None:
        service = booking.service
    for _ in range(20):
        last = QueueTicket.select(pw.fn.MAX(QueueTicket.number)).where(QueueTicket.day == day).scalar() or 0
        try:
            with QueueTicket._meta.database.atomic():
                ticket = QueueTicket.create(day=day, number=last + 1, customer=customer, service=service,
                                            booking=booking, created_at=now)
            break
        except pw.IntegrityError:
            continue  # someone took that number a moment ago
    else:
        raise QueueError(N_("the queue is busy; please try again"))
    audit("queue.join", user=by, target=customer.phone if customer else f"queue:{ticket.id}",
          detail=f"number {ticket.number} on {day} via {source}", now=now)
    told = customer is not None and source in ("sms", "call")  # (a missed call is answered by SMS too)
    if customer is not None and source == "staff":
        language = customer.language or shop.default_language
        text = replies.reply("queue_joined", language, shop=shop.name, **status_values(ticket, now))
        outbox.queue_outbound(customer.phone, text, category="transactional", customer=customer,
                              key=f"queue:{ticket.id}:joined", template="queue_joined", now=now)
        told = True
    if told and position(ticket) <= shopdata.setting("queue_notify_ahead"):
        # The answer to joining already said the turn is near.
        QueueTicket.update(soon_notified=True).where(QueueTicket.id == ticket.id).execute()
        ticket.soon_notified = True
    return ticket


def current_ticket(customer: Customer, now: dt.datetime, shop: Shop | None = None) -> QueueTicket | None:
    """The customer's waiting or called ticket today."""
    return (QueueTicket.select().where(
        (QueueTicket.customer == customer) & (QueueTicket.day == today(now, shop))
        & QueueTicket.status.in_(["waiting", "called"])).order_by(QueueTicket.number).first())


def holds_ticket(customer: Customer, now: dt.datetime, shop: Shop | None = None) -> bool:
    return current_ticket(customer, now, shop) is not None


# -- where a ticket stands --------------------------------------------------------------

def _waiting(day: dt.date):
    return QueueTicket.select().where((QueueTicket.day == day) & (QueueTicket.status == "waiting"))


def position(ticket: QueueTicket) -> int:
    """1 for the next to be called; 0 when the ticket is not waiting."""
    fresh = QueueTicket.get_by_id(ticket.id)
    if fresh.status != "waiting":
        return 0
    return 1 + _waiting(fresh.day).where(QueueTicket.number < fresh.number).count()


def average_minutes() -> int:
    value = Service.select(pw.fn.AVG(Service.duration_minutes)).where(Service.active == True).scalar()  # noqa: E712
    return int(round(float(value))) if value else DEFAULT_MINUTES


def _minutes(ticket: QueueTicket, average: int) -> int:
    return ticket.service.duration_minutes if ticket.service_id and ticket.service else average


def eta_minutes(ticket: QueueTicket, now: dt.datetime) -> int:
    """Minutes until this ticket is likely called: what is left of the people
    being served plus the people waiting ahead, shared by the counters."""
    fresh = QueueTicket.get_by_id(ticket.id)
    if fresh.status != "waiting":
        return 0
    average = average_minutes()
    work = 0.0
    for ahead in _waiting(fresh.day).where(QueueTicket.number < fresh.number):
        work += _minutes(ahead, average)
    for served in QueueTicket.select().where((QueueTicket.day == fresh.day) & (QueueTicket.status == "called")):
        elapsed = (now - served.called_at).total_seconds() / 60 if served.called_at else 0
        work += max(0.0, _minutes(served, average) - elapsed)
    return math.ceil(work / shopdata.setting("queue_counters"))


# The least wait an SMS promises: the first in line still waits for the counter to
# call her, and "about 0 minutes" reads as a mistake.
LEAST_ETA_MINUTES = 5


def status_values(ticket: QueueTicket, now: dt.datetime) -> dict:
    return dict(number=ticket.number, position=position(ticket),
                eta=max(LEAST_ETA_MINUTES, eta_minutes(ticket, now)))


def board(day: dt.date) -> dict:
    """For the public waiting-room screen: numbers only, nothing personal."""
    rows = list(QueueTicket.select(QueueTicket.number, QueueTicket.status).where(QueueTicket.day == day)
                .order_by(QueueTicket.number))
    return {"day": day.isoformat(),
            "serving": [r.number for r in rows if r.status == "called"],
            "waiting": [r.number for r in rows if r.status == "waiting"],
            "done": sum(1 for r in rows if r.status == "done")}


def tickets(day: dt.date) -> list[QueueTicket]:
    """Every ticket of a day with its customer and service, for staff."""
    return list(QueueTicket.select().where(QueueTicket.day == day).order_by(QueueTicket.number))


# -- staff actions -----------------------------------------------------------------------

def _tell(ticket: QueueTicket, template: str, key: str, shop: Shop, now: dt.datetime, **values) -> None:
    customer = ticket.customer
    if customer is None:
        return
    language = customer.language or shop.default_language
    text = replies.reply(template, language, shop=shop.name, number=ticket.number, **values)
    outbox.queue_outbound(customer.phone, text, category="transactional", customer=customer, key=key,
                          template=template, now=now)


def notify_soon(now: dt.datetime, shop: Shop | None = None) -> list[QueueTicket]:
    """Tell everyone now within `queue_notify_ahead` places, once, that
    their turn is near."""
    shop = shop_or_default(shop)
    ahead = shopdata.setting("queue_notify_ahead")
    told = []
    if ahead <= 0:
        return told
    for ticket in _waiting(today(now, shop)).order_by(QueueTicket.number).limit(ahead):
        if ticket.soon_notified:
            continue
        # Claim it first: two staff clicking at once never send it twice.
        if not QueueTicket.update(soon_notified=True).where(
                (QueueTicket.id == ticket.id) & (QueueTicket.soon_notified == False)).execute():  # noqa: E712
            continue
        _tell(ticket, "queue_soon", f"queue:{ticket.id}:soon", shop, now, eta=eta_minutes(ticket, now))
        told.append(ticket)
    return told


def call_next(by: User | None, now: dt.datetime, *, shop: Shop | None = None) -> QueueTicket | None:
    """Call the lowest waiting number; None when nobody is waiting.

    Each counter serves one customer: a counter calling the next has finished
    with its last one, so once `queue_counters` numbers are being served the
    one called longest ago is done (a visit, the booking done). The
    waiting-room display then shows one number per counter. With nobody
    waiting nothing changes: the customer at the counter stays on it."""
    shop = shop_or_default(shop)
    day = today(now, shop)
    for _ in range(20):
        ticket = _waiting(day).order_by(QueueTicket.number).first()
        if ticket is None:
            return None
        # Only one caller wins a ticket; the other takes the next one.
        if QueueTicket.update(status="called", called_at=now).where(
                (QueueTicket.id == ticket.id) & (QueueTicket.status == "waiting")).execute():
            break
    else:
        return None
    ticket = QueueTicket.get_by_id(ticket.id)
    audit("queue.call", user=by, target=f"queue:{ticket.id}", detail=f"number {ticket.number} on {day}", now=now)
    _tell(ticket, "queue_called", f"queue:{ticket.id}:called", shop, now)
    _finish_served(day, ticket, by, now, shop)
    notify_soon(now, shop)
    return ticket


def _finish_served(day: dt.date, called: QueueTicket, by: User | None, now: dt.datetime, shop: Shop) -> None:
    """Done with whoever is served beyond one per counter, longest first."""
    served = list(QueueTicket.select().where((QueueTicket.day == day) & (QueueTicket.status == "called")
                                             & (QueueTicket.id != called.id))
                  .order_by(QueueTicket.called_at, QueueTicket.number))
    for ticket in served[:max(0, len(served) + 1 - shopdata.setting("queue_counters"))]:
        done(ticket, by, now, shop=shop)


def _move(ticket: QueueTicket, status: str, allowed: tuple[str, ...], by: User | None, now: dt.datetime,
          **fields) -> QueueTicket:
    fresh = QueueTicket.get_by_id(ticket.id)
    if fresh.status == status:
        return fresh
    if fresh.status not in allowed:
        raise QueueError(say(N_("number {n} is {now}; it cannot become {then}"), n=fresh.number, now=fresh.status, then=status))
    QueueTicket.update(status=status, **fields).where(QueueTicket.id == ticket.id).execute()
    audit(f"queue.{status}", user=by, target=f"queue:{ticket.id}", detail=f"number {fresh.number} on {fresh.day}",
          now=now)
    return QueueTicket.get_by_id(ticket.id)


def skip(ticket: QueueTicket, by: User | None, now: dt.datetime, *, shop: Shop | None = None) -> QueueTicket:
    """Not there when called (or staff move past them)."""
    ticket = _move(ticket, "skipped", ("waiting", "called"), by, now)
    notify_soon(now, shop)  # everyone behind moved up
    return ticket


def done(ticket: QueueTicket, by: User | None, now: dt.datetime, *, shop: Shop | None = None) -> QueueTicket:
    """Served. A ticket for a booking marks the booking done (a visit); a
    walk-in customer's visit is recorded too."""
    before = QueueTicket.get_by_id(ticket.id).status
    ticket = _move(ticket, "done", ("waiting", "called"), by, now, done_at=now)
    if before == "done":
        return ticket
    if ticket.booking_id and ticket.booking.status in ("booked", "no_show"):
        bookings.mark_done(ticket.booking, by, now, shop=shop, arrived=True)
    elif ticket.customer_id:
        Customer.update(last_visit_at=now).where(Customer.id == ticket.customer_id).execute()
    notify_soon(now, shop)
    return ticket


def leave(ticket: QueueTicket, now: dt.datetime, *, by: User | None = None,
          shop: Shop | None = None) -> QueueTicket:
    """The customer left the queue."""
    ticket = _move(ticket, "left", ("waiting", "called"), by, now)
    notify_soon(now, shop)
    return ticket
