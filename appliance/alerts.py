"""Floods from one phone, and the SMS they would make the shop send: held here.
(The SMS side of complaints, bookings and orders asks these rules.)

One phone texting `KELUHAN …` 250 times once opened 239 tickets in 26 s,
and the SLA watch then queued 2,040 alerts to staff in a day: transactional
SMS, which no quiet hours or caps hold, so the SIM's credit drained and real
replies waited behind them. Two limits, each a small rule:

- A customer's new SMS complaint while one of their tickets is still open
  (opened within `JOIN_WINDOW`, or they already have `MAX_OPEN_BY_SMS` open)
  is added to that ticket as an event; it does not open another one.
- SLA alerts to one staff phone: each ticket's warning and breach once (as
  before), at most `STAFF_DAILY_CAP` a local day; past it, one digest at most
  every `DIGEST_EVERY` says how many tickets need attention. Every alert is
  still recorded on its ticket and shown on the pages.
"""

from __future__ import annotations

import datetime as dt

from . import outbox, replies
from .audit import audit
from .conversation import templates
from .models import Booking, Message, Order, Ticket, TicketEvent
from .phone import is_replyable
from .policy import day_start
from .tickets import label

JOIN_WINDOW = dt.timedelta(minutes=10)
MAX_OPEN_BY_SMS = 3
STAFF_DAILY_CAP = 30
DIGEST_EVERY = dt.timedelta(hours=1)
SLA_TEMPLATES = "ticket_sla_"  # the prefix of every SLA alert's template (the digest's too)
DIGEST = "ticket_sla_digest"
HELD = "held for the digest"  # in the note of an SLA event whose SMS the cap held back

templates({
    "ticket_added": {
        "id": "{shop}: pesan Anda kami tambahkan ke keluhan {number} yang sedang kami tangani. Cek: STATUS {number}",
        "en": "{shop}: your message is added to complaint {number}, which we are working on. Check: STATUS {number}",
    },
}, purpose="tickets")
templates({
    DIGEST: {
        "id": "{shop}: {count} tiket mendekati/melewati batas SLA, mis. {numbers}. SMS per tiket ditahan hari ini;"
              " lihat Loket.",
        "en": "{shop}: {count} tickets near or past their SLA, e.g. {numbers}. Alerts per ticket are held today;"
              " see Loket.",
    },
}, purpose="staff")


# -- complaints by SMS -----------------------------------------------------------------------

# Words every complaint has: sharing one of these says nothing about being the same trouble.
_ANY_TROUBLE = frozenset("error rusak mati tidak bisa lagi juga masih belum sudah tolong minta mohon segera teknisi "
                         "datang kesini sekalian cepat kenapa gimana bagaimana problem masalah trouble please saya "
                         "kami dari sejak tadi kemarin sekarang hari pagi siang sore malam".split())


def _same_trouble(summary: str, text: str) -> bool:
    """'printer di lt 3 jg error' names what 'Printer lantai 3 tidak bisa mencetak' is about."""
    from .understand import words
    def telling(value: str) -> set[str]:
        return {w for w in words(value) if len(w) >= 5 and w not in _ANY_TROUBLE}
    return bool(telling(summary) & telling(text))


def ticket_to_join(customer, now: dt.datetime, text: str = "") -> Ticket | None:
    """The open ticket a customer's new SMS complaint joins, or None when a
    new ticket may be opened: none of theirs is open and recent or about the
    same thing, and they have fewer than MAX_OPEN_BY_SMS open."""
    if customer is None:
        return None
    still_open = list(Ticket.select().where((Ticket.customer == customer)
                                            & Ticket.status.in_(("new", "assigned", "pending")))
                      .order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(MAX_OPEN_BY_SMS))
    if not still_open:
        return None
    newest = still_open[0]
    if now - newest.created_at < JOIN_WINDOW or len(still_open) >= MAX_OPEN_BY_SMS:
        return newest
    return next((ticket for ticket in still_open if _same_trouble(ticket.summary, text)), None)


def add_to_ticket(ticket: Ticket, text: str, now: dt.datetime, limit: int = 2000) -> TicketEvent:
    """The customer's further complaint, kept on the ticket staff already see."""
    Ticket.update(updated_at=now).where(Ticket.id == ticket.id).execute()
    event = TicketEvent.create(ticket=ticket, at=now, kind="customer_sms", note=text[:limit])
    audit("ticket.customer_sms", target=label(ticket), detail=text[:200], now=now)
    return event


# -- the same for bookings and orders by SMS ---------------------------------------------------
# One phone could also book every free slot for three months, or reserve the
# whole stock in unpaid orders, one text at a time. Staff may add more in the UI.

MAX_UPCOMING_BOOKINGS_BY_SMS = 5
MAX_UNPAID_ORDERS_BY_SMS = 3

templates({
    "book_too_many": {
        "id": "{shop}: Anda sudah punya {count} janji yang akan datang. Untuk menambah, hubungi kami atau BATAL"
              " salah satunya.",
        "en": "{shop}: you already have {count} upcoming bookings. To add another, call us or CANCEL one first.",
    },
}, purpose="bookings")
templates({
    "order_too_many": {
        "id": "{shop}: Anda masih punya {count} pesanan yang belum dibayar. Bayar dulu atau hubungi kami untuk"
              " pesan lagi.",
        "en": "{shop}: you still have {count} unpaid orders. Please pay them, or call us, before ordering more.",
    },
}, purpose="orders")


def upcoming_bookings(customer, now: dt.datetime) -> int:
    return (Booking.select().where((Booking.customer == customer) & (Booking.status == "booked")
                                   & (Booking.starts_at > now)).count()) if customer is not None else 0


def unpaid_orders(customer) -> int:
    return (Order.select().where((Order.customer == customer) & Order.status.in_(("new", "awaiting_payment")))
            .count()) if customer is not None else 0


# -- SLA alerts to staff -------------------------------------------------------------------

def _sla_sent_today(phone: str, now: dt.datetime, tz: dt.tzinfo) -> int:
    return (Message.select().where((Message.phone == phone) & (Message.direction == "out")
                                   & Message.template.startswith(SLA_TEMPLATES)
                                   & (Message.created_at >= day_start(now, tz))).count())


def sla_alert(phone: str, text: str, *, key: str, template: str, now: dt.datetime, tz: dt.tzinfo) -> bool:
    """Queue one SLA alert to a staff phone unless the phone had its day's
    share; True when it was queued. The caller records the alert on the
    ticket either way, so the digest and the pages still show it."""
    if _sla_sent_today(phone, now, tz) >= STAFF_DAILY_CAP:
        return False
    outbox.queue_outbound(phone, text, category="transactional", key=key, template=template, now=now)
    return True


def send_digests(people, shop, now: dt.datetime) -> int:
    """For each staff phone past its daily cap: one digest of the tickets
    alerted since its last digest (at most one every DIGEST_EVERY). Returns
    the digests queued."""
    queued = 0
    for phone, language in {p.phone: p.language for p in people if p.phone and is_replyable(p.phone)}.items():
        if _sla_sent_today(phone, now, shop.tz) < STAFF_DAILY_CAP:
            continue
        last = (Message.select(Message.created_at).where((Message.phone == phone) & (Message.template == DIGEST))
                .order_by(Message.created_at.desc()).first())
        if last is not None and now - last.created_at < DIGEST_EVERY:
            continue
        since = max(last.created_at, day_start(now, shop.tz)) if last else day_start(now, shop.tz)
        alerted = (Ticket.select(Ticket.number).join(TicketEvent)
                   .where(TicketEvent.kind.in_(("sla_warning", "sla_breach")) & (TicketEvent.at > since)
                          & TicketEvent.note.contains(HELD)
                          & Ticket.status.in_(("new", "assigned", "pending")))
                   .distinct().order_by(Ticket.number))
        numbers = [label(n) for (n,) in alerted.tuples()]
        if not numbers:
            continue
        text = replies.reply(DIGEST, language, shop=shop.name, count=len(numbers),
                             numbers=", ".join(numbers[:3]))
        outbox.queue_outbound(phone, text, category="transactional", template=DIGEST, now=now,
                                 key=f"sla-digest:{phone}:{now.isoformat(timespec='minutes')}")
        queued += 1
    return queued
