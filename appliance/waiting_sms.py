"""ANTRI / QUEUE by SMS: a number in today's queue, its place and the wait;
BATAL ANTRI leaves it."""

from __future__ import annotations

import datetime as dt

from . import bookings, catalogue
from .conversation import Conversation, Shop, on_keyword, templates
from .keywords import fold
from .smstext import day_label
from .models import Booking, Customer
from .waiting import OPEN_EARLY_MINUTES, current_ticket, join, leave, status_values

LEAVE_WORDS = {"batal", "batalkan", "cancel", "keluar", "leave", "out"}

templates({
    "queue_joined": {
        "id": "{shop}: nomor antrian Anda {number}, urutan ke-{position}, kira-kira {eta} menit lagi. "
              "Ketik BATAL ANTRI untuk keluar.",
        "en": "{shop}: your queue number is {number}, position {position}, about {eta} minutes. "
              "Text CANCEL QUEUE to leave.",
    },
    "queue_status": {
        "id": "{shop}: nomor antrian Anda {number}, sekarang urutan ke-{position}, kira-kira {eta} menit lagi.",
        "en": "{shop}: your queue number is {number}, now position {position}, about {eta} minutes to go.",
    },
    "queue_called": {
        "id": "{shop}: nomor antrian {number}, sekarang giliran Anda. Silakan menuju meja layanan.",
        "en": "{shop}: number {number}, it is your turn now. Please come to the counter.",
    },
    "queue_soon": {
        "id": "{shop}: nomor antrian {number}, giliran Anda kira-kira {eta} menit lagi. Mohon bersiap ya.",
        "en": "{shop}: number {number}, your turn is in about {eta} minutes. Please get ready.",
    },
    "queue_left": {
        "id": "{shop}: Anda sudah keluar dari antrian (nomor {number}). Terima kasih.",
        "en": "{shop}: you have left the queue (number {number}). Thank you.",
    },
    "queue_not_in": {
        "id": "{shop}: Anda tidak sedang dalam antrian. Ketik ANTRI untuk mengambil nomor.",
        "en": "{shop}: you are not in the queue. Text QUEUE to take a number.",
    },
    "queue_closed": {
        "id": "{shop}: maaf, antrian hari ini sudah tutup. Ketik PESAN untuk membuat jadwal.",
        "en": "{shop}: sorry, today's queue is closed. Text BOOK to make an appointment.",
    },
    "queue_opens": {
        "id": "{shop}: maaf, antrian belum dibuka. Antrian dibuka {day} jam {time}: ketik ANTRI lagi mulai jam itu, "
              "atau PESAN untuk membuat jadwal.",
        "en": "{shop}: sorry, the queue is not open yet. It opens {day} at {time}: text QUEUE again from then, "
              "or BOOK to make an appointment.",
    },
}, purpose="queue")


# -- QUEUE by SMS -------------------------------------------------------------------------

def _window(day: dt.date, shop: Shop) -> tuple[dt.datetime, dt.datetime] | None:
    """When SMS joins are taken on a day: from a little before opening until closing."""
    hours = bookings.opening_hours(day)
    if not hours:
        return None
    opens = dt.datetime.combine(day, hours[0][0], tzinfo=shop.tz)
    return opens - dt.timedelta(minutes=OPEN_EARLY_MINUTES), dt.datetime.combine(day, hours[-1][1], tzinfo=shop.tz)


def accepting(now: dt.datetime, shop: Shop) -> bool:
    window = _window(now.astimezone(shop.tz).date(), shop)
    return window is not None and window[0] <= now < window[1]


def closed_answer(now: dt.datetime, shop: Shop, language: str) -> tuple[str, dict]:
    """Not taking numbers now: when it next does (tonight: tomorrow at 08:00;
    on the closed Sunday: Monday), or, with no open day ahead, that it is closed."""
    today = now.astimezone(shop.tz).date()
    for ahead in range(8):
        window = _window(today + dt.timedelta(days=ahead), shop)
        if window is not None and window[0] > now:
            return "queue_opens", {"day": day_label(window[0].date(), today, language), "time": f"{window[0]:%H:%M}"}
    return "queue_closed", {}


def closed_reply(c: Conversation):
    key, values = closed_answer(c.now, c.shop, c.language)
    return c.reply(key, **values)


def leave_by_sms(c: Conversation):
    ticket = current_ticket(c.customer, c.now, c.shop) if c.customer else None
    if ticket is None:
        return [c.reply("queue_not_in")]
    leave(ticket, c.now, shop=c.shop)
    return [c.reply("queue_left", number=ticket.number)]


def _todays_booking(customer: Customer, now: dt.datetime, shop: Shop) -> Booking | None:
    """An arrival for today's appointment: the ticket carries the booking."""
    local = now.astimezone(shop.tz)
    start = dt.datetime.combine(local.date(), dt.time(0, 0), tzinfo=shop.tz)
    return (Booking.select().where(
        (Booking.customer == customer) & (Booking.status == "booked") & (Booking.starts_at >= start)
        & (Booking.starts_at < start + dt.timedelta(days=1))).order_by(Booking.starts_at).first())


@on_keyword("QUEUE")
def _queue(c: Conversation):
    words = fold(c.args).split()
    if words and words[0] in LEAVE_WORDS:
        return leave_by_sms(c)
    if c.customer is None:
        return [c.reply("queue_closed")]
    if current_ticket(c.customer, c.now, c.shop) is not None:
        return queue_status(c)
    if not accepting(c.now, c.shop):
        return [closed_reply(c)]
    return join_by_sms(c, c.args)


def queue_status(c: Conversation) -> list:
    """Where the customer's ticket stands: called, or the place and the wait."""
    ticket = current_ticket(c.customer, c.now, c.shop)
    if ticket.status == "called":
        return [c.reply("queue_called", number=ticket.number)]
    return [c.reply("queue_status", **status_values(ticket, c.now))]


def join_by_sms(c: Conversation, words: str) -> list:
    """A number in today's queue, for today's booking or the service named."""
    if c.customer is None:
        return [c.reply("queue_closed")]
    if not accepting(c.now, c.shop):
        return [closed_reply(c)]
    if current_ticket(c.customer, c.now, c.shop) is not None:
        return queue_status(c)
    booking = _todays_booking(c.customer, c.now, c.shop)
    service = catalogue.find_service(words) if fold(words) and booking is None else None
    ticket = join(c.customer, service=service, booking=booking, now=c.now, shop=c.shop)
    return [c.reply("queue_joined", **status_values(ticket, c.now))]
