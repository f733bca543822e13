"""Bookings: opening hours, slots with capacity, and BOOK / CANCEL by SMS.

Slots. Each service's slots start at opening time and step by the service's
own duration (a 90-minute treatment: 09:00, 10:30, 12:00 ...); the last one
ends no later than closing time. One grid per service keeps the offer short
and means back-to-back bookings never leave a useless gap. Staff may still
book any start time inside opening hours (a late walk-in at 10:15): a slot
is free while fewer than `Service.capacity` non-cancelled bookings of that
service overlap it, whatever their start.

Opening hours are OpeningHours rows (several per weekday for a lunch break);
with no rows at all, DEFAULT_HOURS apply: Monday to Saturday 09:00-17:00.

Times are stored in UTC; days and times people see are the shop's (`Shop.tz`).
Functions staff pages call take `shop=` (a responder.Shop; `Shop()` is used
when it is left out, which is UTC+7 and the name "Loket").

By SMS:
    PESAN pijat bayi besok        -> "1) 09:00 2) 10:30 3) 13:00, reply with the number"
    2 / 2. / nomor 2 / yg 2 / dua -> books slot 2 (checked again), confirms
    PESAN pijat bayi besok jam 10 -> books 10:00 at once when it is free
    BATAL                         -> cancels the next booking (asks which when there are several)
    BATAL ANTRI                   -> leaves today's waiting queue (see waiting.py)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
import unicodedata

from . import alerts, crm, loyalty, messaging, replies, shopdata
from .keywords import distance, fold
from .models import Booking, Customer, OpeningHours, Service, User
from .responder import Conversation, Shop, on_keyword, on_reply

log = logging.getLogger(__name__)

# weekday (0 = Monday) -> opening intervals, when the shop has entered none.
DEFAULT_HOURS: dict[int, list[tuple[dt.time, dt.time]]] = {
    day: [(dt.time(9, 0), dt.time(17, 0))] for day in range(6)}

# Tunables staff may change (shopdata), with their defaults.
OFFER_SLOTS = 3  # "booking_offer_slots": slots offered in one SMS (3 fit one SMS with a long shop name)
MAX_DAYS_AHEAD = 90  # "booking_max_days": how far ahead a booking may be made
SEARCH_DAYS = 14  # "booking_search_days": how far to look for the next day with a free slot
OFFER_MINUTES = 30  # "booking_offer_minutes": how long an offer of slots stands

# The Pending row outlives the offer so a late "2" gets a helpful answer
# instead of falling through to "staff will answer".
PENDING_MINUTES = 24 * 60

ACTIVE = ("booked", "done", "no_show")  # statuses that occupy a slot

WEEKDAYS = {
    "id": ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
RELATIVE = {"id": ("hari ini", "besok"), "en": ("today", "tomorrow")}


class BookingError(ValueError):
    """A booking that cannot be made or changed. The message is for people;
    `reason` is for code: past, closed, full, too_far, inactive, duplicate, state."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


replies.register({
    "book_how": {
        "id": "{shop}: ketik PESAN, layanan dan hari, contoh: PESAN {example} besok. Layanan: {services}",
        "en": "{shop}: text BOOK, the service and the day, e.g. BOOK {example} tomorrow. Services: {services}",
    },
    "book_unknown_service": {
        "id": "{shop}: maaf, layanan itu tidak kami kenal. Pilihan: {services}. Contoh: PESAN {example} besok",
        "en": "{shop}: sorry, we do not know that service. Choose: {services}. E.g. BOOK {example} tomorrow",
    },
    "book_offer": {
        "id": "{shop}: {service} {day} masih kosong jam {slots}. Balas dengan nomornya, contoh: 1",
        "en": "{shop}: {service} {day} is free at {slots}. Reply with the number, e.g. 1",
    },
    "book_full_offer": {
        "id": "{shop}: maaf, {asked} sudah penuh. {service} {day} kosong jam {slots}. Balas dengan nomornya",
        "en": "{shop}: sorry, {asked} is full. {service} {day} is free at {slots}. Reply with the number",
    },
    "book_closed_offer": {
        "id": "{shop}: maaf, {asked} kami tutup. {service} {day} kosong jam {slots}. Balas dengan nomornya",
        "en": "{shop}: sorry, we are closed {asked}. {service} {day} is free at {slots}. Reply with the number",
    },
    "book_gone_offer": {
        "id": "{shop}: maaf, {asked} sudah tidak tersedia. {service} {day} kosong jam {slots}. Balas dengan nomornya",
        "en": "{shop}: sorry, {asked} is no longer free. {service} {day} is free at {slots}. Reply with the number",
    },
    "book_none": {
        "id": "{shop}: maaf, {service} sudah penuh {days} hari ke depan. Silakan hubungi kami langsung.",
        "en": "{shop}: sorry, {service} is fully booked for the next {days} days. Please contact us.",
    },
    "book_done": {
        "id": "{shop}: terima kasih, {service} {day} jam {time} sudah kami catat. Ketik BATAL jika berhalangan.",
        "en": "{shop}: thank you, {service} {day} at {time} is booked. Text CANCEL if you cannot come.",
    },
    "book_already": {
        "id": "{shop}: Anda sudah punya jadwal {service} {day} jam {time}. Ketik BATAL untuk membatalkan.",
        "en": "{shop}: you already have {service} {day} at {time}. Text CANCEL to cancel it.",
    },
    "book_past": {
        "id": "{shop}: maaf, waktu itu sudah lewat. Silakan pilih hari lain, contoh: PESAN {example} besok",
        "en": "{shop}: sorry, that time has passed. Please choose another day, e.g. BOOK {example} tomorrow",
    },
    "book_impossible": {
        "id": "{shop}: maaf, tanggal itu tidak ada di kalender. Contoh: PESAN {example} 15/12 jam 10",
        "en": "{shop}: sorry, that date does not exist. For example: BOOK {example} 15/12 10:00",
    },
    "book_too_far": {
        "id": "{shop}: maaf, pemesanan paling jauh {days} hari ke depan. Silakan pilih tanggal lebih dekat.",
        "en": "{shop}: sorry, bookings can be made at most {days} days ahead. Please choose an earlier date.",
    },
    "book_slot_range": {
        "id": "{shop}: balas dengan nomor 1 sampai {n} untuk memilih jam.",
        "en": "{shop}: reply with a number from 1 to {n} to choose a time.",
    },
    "book_slot_expired": {
        "id": "{shop}: pilihan jam tadi sudah kedaluwarsa. Ketik PESAN {service} {day} untuk melihat jam kosong.",
        "en": "{shop}: that offer has expired. Text BOOK {service} {day} to see the free times.",
    },
    "cancel_none": {
        "id": "{shop}: Anda tidak punya jadwal yang bisa dibatalkan.",
        "en": "{shop}: you have no booking to cancel.",
    },
    "cancel_none_queue": {
        "id": "{shop}: Anda tidak punya jadwal. Untuk keluar dari antrian, ketik BATAL ANTRI.",
        "en": "{shop}: you have no booking. To leave the queue, text CANCEL QUEUE.",
    },
    "cancel_done": {
        "id": "{shop}: jadwal {service} {day} jam {time} sudah dibatalkan. Sampai jumpa lain waktu!",
        "en": "{shop}: your {service} {day} at {time} is cancelled. See you another time!",
    },
    "move_done": {
        "id": "{shop}: booking {service} dipindah ke {day} jam {time}. Ketik BATAL jika berhalangan.",
        "en": "{shop}: your {service} is moved to {day} at {time}. Text CANCEL if you cannot come.",
    },
    "move_none": {
        "id": "{shop}: Anda belum punya booking yang bisa dipindah. Untuk booking: PESAN layanan hari jam.",
        "en": "{shop}: you have no booking to move. To book: BOOK service day time.",
    },
    "move_how": {
        "id": "{shop}: booking {service} {day} jam {time} mau dipindah ke kapan? Contoh: UBAH besok jam 10",
        "en": "{shop}: when should your {service} ({day} at {time}) move to? For example: MOVE tomorrow 10am",
    },
    "move_which": {
        "id": "{shop}: booking yang mana? {choices}. Sebut layanannya, contoh: UBAH {example} besok jam 10",
        "en": "{shop}: which booking? {choices}. Name the service, e.g. MOVE {example} tomorrow 10am",
    },
    "cancel_which": {
        "id": "{shop}: jadwal mana yang dibatalkan? {choices}. Balas dengan nomornya.",
        "en": "{shop}: which booking should we cancel? {choices}. Reply with the number.",
    },
    "cancel_range": {
        "id": "{shop}: balas dengan nomor 1 sampai {n} untuk memilih jadwal yang dibatalkan.",
        "en": "{shop}: reply with a number from 1 to {n} to choose the booking to cancel.",
    },
    "cancel_by_shop": {
        "id": "{shop}: mohon maaf, jadwal {service} {day} jam {time} dibatalkan. Hubungi kami untuk jadwal baru.",
        "en": "{shop}: sorry, your {service} {day} at {time} is cancelled. Contact us for a new time.",
    },
})


def _setting(name: str, default: int, lo: int, hi: int) -> int:
    """A whole-number shop setting, kept in a sane range whatever was stored."""
    try:
        value = int(shopdata.get(name, default))
    except (TypeError, ValueError):
        return default
    return min(hi, max(lo, value))


def _shop(shop: Shop | None) -> Shop:
    return shop or Shop()


# -- opening hours and slots ----------------------------------------------------------

def opening_hours(day: dt.date) -> list[tuple[dt.time, dt.time]]:
    """The shop's opening intervals on a local date; [] when closed."""
    rows = list(OpeningHours.select())
    if not rows:
        return list(DEFAULT_HOURS.get(day.weekday(), []))
    return sorted((r.opens, r.closes) for r in rows if r.weekday == day.weekday() and r.opens < r.closes)


def is_open_day(day: dt.date) -> bool:
    return bool(opening_hours(day))


def _at(day: dt.date, time: dt.time, tz: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=tz)


def _grid(service: Service, day: dt.date, tz: dt.tzinfo) -> list[dt.datetime]:
    """Every slot start of the day (local, aware), ignoring bookings."""
    length = dt.timedelta(minutes=max(1, service.duration_minutes))
    starts = []
    for opens, closes in opening_hours(day):
        start, end = _at(day, opens, tz), _at(day, closes, tz)
        while start + length <= end:
            starts.append(start)
            start += length
    return starts


def _taken(service: Service, start: dt.datetime, end: dt.datetime) -> list[Booking]:
    return list(Booking.select().where(
        (Booking.service == service) & Booking.status.in_(ACTIVE)
        & (Booking.starts_at < end) & (Booking.ends_at > start)))


def _overlapping(bookings: list[Booking], start: dt.datetime, end: dt.datetime) -> int:
    return sum(1 for b in bookings if b.starts_at < end and b.ends_at > start)


def free_slots(service: Service, day: dt.date, now: dt.datetime, *, shop: Shop | None = None) -> list[dt.datetime]:
    """Free slot starts of a local date, in the shop's zone, later than now."""
    tz = _shop(shop).tz
    if not service.active or day > now.astimezone(tz).date() + dt.timedelta(days=_setting(
            "booking_max_days", MAX_DAYS_AHEAD, 1, 3650)):
        return []
    grid = [s for s in _grid(service, day, tz) if s > now]
    if not grid:
        return []
    length = dt.timedelta(minutes=service.duration_minutes)
    booked = _taken(service, grid[0], grid[-1] + length)
    return [s for s in grid if _overlapping(booked, s, s + length) < max(1, service.capacity)]


def next_free_day(service: Service, after: dt.date, now: dt.datetime, *, shop: Shop | None = None,
                  include: bool = False) -> tuple[dt.date, list[dt.datetime]] | None:
    """The first local date after `after` (or from it, with include) that has
    a free slot, and its slots; None within the search window."""
    start = after if include else after + dt.timedelta(days=1)
    for n in range(_setting("booking_search_days", SEARCH_DAYS, 1, 366)):
        day = start + dt.timedelta(days=n)
        slots = free_slots(service, day, now, shop=shop)
        if slots:
            return day, slots
    return None


# -- booking, cancelling, visits ---------------------------------------------------------

def _describe(booking: Booking, tz: dt.tzinfo) -> str:
    return f"{booking.service.name} {booking.starts_at.astimezone(tz):%Y-%m-%d %H:%M}"


def _check_time(service: Service, start: dt.datetime, now: dt.datetime, tz: dt.tzinfo) -> None:
    if not service.active:
        raise BookingError(f"{service.name} is not offered at the moment", "inactive")
    if start <= now:
        raise BookingError("that time has already passed", "past")
    local = start.astimezone(tz)
    max_days = _setting("booking_max_days", MAX_DAYS_AHEAD, 1, 3650)
    if local.date() > now.astimezone(tz).date() + dt.timedelta(days=max_days):
        raise BookingError(f"bookings can be made at most {max_days} days ahead", "too_far")
    hours = opening_hours(local.date())
    if not hours:
        raise BookingError(f"the shop is closed on {local:%A %d %B}", "closed")
    end = local + dt.timedelta(minutes=service.duration_minutes)
    if not any(_at(local.date(), o, tz) <= local and end <= _at(local.date(), c, tz) for o, c in hours):
        spans = ", ".join(f"{o:%H:%M}-{c:%H:%M}" for o, c in hours)
        raise BookingError(f"{service.name} ({service.duration_minutes} min) must fit in the opening hours: {spans}",
                           "closed")


def book(customer: Customer, service: Service, starts_at: dt.datetime, *, source: str = "sms",
         by: User | None = None, now: dt.datetime, note: str = "", shop: Shop | None = None) -> Booking:
    """Book a slot, or raise BookingError saying why not. A naive `starts_at`
    is the shop's local time (what a staff form gives). Staff bookings get a
    confirmation SMS; an SMS booking is confirmed by the reply itself."""
    shop = _shop(shop)
    if source not in ("sms", "staff"):
        raise ValueError(f"unknown booking source {source!r}")
    if starts_at.tzinfo is None:
        starts_at = starts_at.replace(tzinfo=shop.tz)
    starts_at = starts_at.replace(second=0, microsecond=0)
    _check_time(service, starts_at, now, shop.tz)
    ends_at = starts_at + dt.timedelta(minutes=service.duration_minutes)
    db = Booking._meta.database
    with db.atomic():
        # Touching the service row serialises bookings of one service on
        # every database (a row lock on PostgreSQL, the write lock on SQLite),
        # so two customers can never both get the last place.
        Service.update(capacity=Service.capacity).where(Service.id == service.id).execute()
        taken = _taken(service, starts_at, ends_at)
        if any(b.customer_id == customer.id and b.status == "booked" for b in taken):
            raise BookingError("this customer already has a booking of this service at that time", "duplicate")
        if len(taken) >= max(1, service.capacity):
            raise BookingError(f"{service.name} is fully booked at {starts_at.astimezone(shop.tz):%H:%M}", "full")
        booking = Booking.create(customer=customer, service=service, starts_at=starts_at, ends_at=ends_at,
                                 source=source, note=(note or "")[:1000], created_at=now, updated_at=now)
    booking.service = service
    booking.customer = customer
    crm.audit("booking.add", user=by, target=customer.phone, detail=f"{_describe(booking, shop.tz)} via {source}",
              now=now)
    if source == "staff":
        _notify(booking, "book_done", f"booking:{booking.id}:confirmed", shop, now)
    return booking


def _notify(booking: Booking, template: str, key: str, shop: Shop, now: dt.datetime) -> None:
    customer = booking.customer
    language = customer.language or shop.default_language
    text = replies.reply(template, language, shop=shop.name, **when_values(booking, now, shop.tz, language))
    messaging.queue_outbound(customer.phone, text, category="transactional", customer=customer, key=key,
                             template=template, now=now)


def _change(booking: Booking, status: str, allowed: tuple[str, ...], now: dt.datetime) -> bool:
    """Move a booking to a status, only from the allowed ones; False when it
    is already there (a double click), BookingError when it cannot."""
    # The status is part of the UPDATE: of two staff clicking at once, one wins.
    if Booking.update(status=status, updated_at=now).where(
            (Booking.id == booking.id) & Booking.status.in_(allowed)).execute():
        booking.status, booking.updated_at = status, now
        return True
    fresh = Booking.get_by_id(booking.id)
    if fresh.status == status:
        booking.status = status
        return False
    raise BookingError(f"this booking is {fresh.status.replace('_', ' ')}; it cannot become "
                       f"{status.replace('_', ' ')}", "state")


def cancel(booking: Booking, *, by: User | None = None, now: dt.datetime, shop: Shop | None = None) -> Booking:
    """Cancel a booking; its reminders not yet sent are cancelled too. When
    staff cancel, the customer is told by SMS."""
    shop = _shop(shop)
    with Booking._meta.database.atomic():
        if not _change(booking, "cancelled", ("booked",), now):
            return booking
        from .reminders import cancel_reminders  # reminders imports this module
        cancel_reminders(booking, now)
    crm.audit("booking.cancel", user=by, target=booking.customer.phone,
              detail=f"{_describe(booking, shop.tz)} by {'staff' if by else 'the customer'}", now=now)
    if by is not None:
        _notify(booking, "cancel_by_shop", f"booking:{booking.id}:cancelled", shop, now)
    return booking


def mark_done(booking: Booking, by: User | None, now: dt.datetime, *, shop: Shop | None = None) -> Booking:
    """The customer came: a visit. Sets last_visit_at and calls on_visit once."""
    shop = _shop(shop)
    with Booking._meta.database.atomic():
        if not _change(booking, "done", ("booked", "no_show"), now):
            return booking
        Customer.update(last_visit_at=now).where(Customer.id == booking.customer_id).execute()
        booking.customer.last_visit_at = now
    crm.audit("booking.done", user=by, target=booking.customer.phone, detail=_describe(booking, shop.tz), now=now)
    on_visit(booking, now)
    return booking


def mark_no_show(booking: Booking, by: User | None, now: dt.datetime, *, shop: Shop | None = None) -> Booking:
    shop = _shop(shop)
    if booking.starts_at > now:
        raise BookingError("a booking can be marked as a no-show only after its start time", "state")
    _change(booking, "no_show", ("booked",), now)
    crm.audit("booking.no_show", user=by, target=booking.customer.phone, detail=_describe(booking, shop.tz),
              now=now)
    return booking


def on_visit(booking: Booking, now: dt.datetime) -> None:
    """Called once per visit (a booking marked done): the audit trail, and
    the loyalty points for the visit (once per booking)."""
    crm.audit("visit", target=booking.customer.phone, detail=f"booking:{booking.id}", now=now)
    loyalty.award_visit(booking.customer, f"booking:{booking.id}", now)


def upcoming(customer: Customer, now: dt.datetime) -> list[Booking]:
    """The customer's booked appointments that have not started, soonest first."""
    return list(Booking.select(Booking, Service).join(Service).where(
        (Booking.customer == customer) & (Booking.status == "booked") & (Booking.starts_at > now))
        .order_by(Booking.starts_at, Booking.id))


def day_bookings(day: dt.date, *, shop: Shop | None = None) -> list[Booking]:
    """Every booking on a local date, for the staff's day view."""
    tz = _shop(shop).tz
    start = _at(day, dt.time(0, 0), tz)
    return list(Booking.select(Booking, Service, Customer).join(Service).switch(Booking).join(Customer).where(
        (Booking.starts_at >= start) & (Booking.starts_at < start + dt.timedelta(days=1)))
        .order_by(Booking.starts_at, Booking.id))


# -- finding a service in what a customer wrote ------------------------------------------

def _phrases(service: Service) -> list[str]:
    words = [service.name] + (service.aliases or "").split(",")
    return [p for p in dict.fromkeys(fold(w) for w in words) if p]


def _fuzz(phrase: str) -> int:
    return 0 if len(phrase) < 4 else 1 if len(phrase) < 8 else 2


def _score(words: list[str], phrase: str) -> int | None:
    """Lower is better: 0 the whole text, 1 the phrase among other words,
    2 the text is part of the phrase ("bayi" for "pijat bayi"), 3+ a typo."""
    text, parts = " ".join(words), phrase.split()
    if text == phrase:
        return 0
    n = len(parts)
    windows = [" ".join(words[i:i + n]) for i in range(len(words) - n + 1)] or [text]
    if phrase in windows:
        return 1
    if set(words) <= set(parts) and any(len(w) >= 4 for w in words):
        return 2
    limit = _fuzz(phrase)
    best = min(distance(w, phrase, limit) for w in windows)
    return 3 + best if best <= limit else None


def find_service(text: str, services: list[Service] | None = None) -> Service | None:
    """The active service a customer means, by name or alias, forgiving case,
    accents and a small typo. None when nothing (or two services equally) fit."""
    words = fold(text or "").split()[:20]  # a 1000-character text is not a service name
    if not words:
        return None
    if services is None:
        services = list(Service.select().where(Service.active == True))  # noqa: E712
    candidates = services
    scored: dict[int, tuple[int, int, Service]] = {}
    for service in candidates:
        for phrase in _phrases(service):
            score = _score(words, phrase)
            if score is not None:
                key = (score, -len(phrase))
                if service.id not in scored or key < scored[service.id][:2]:
                    scored[service.id] = (*key, service)
    if not scored:
        return None
    ranked = sorted(scored.values(), key=lambda s: s[:2])
    if len(ranked) > 1 and ranked[0][:2] == ranked[1][:2]:
        return None  # "pijat" alone when there are two massages: ask rather than guess
    return ranked[0][2]


# -- words for people --------------------------------------------------------------------

def day_label(day: dt.date, today: dt.date, language: str) -> str:
    """'besok 24/11', 'hari ini 23/11', 'Kamis 26/11': short and unambiguous."""
    language = language if language in WEEKDAYS else "id"
    delta = (day - today).days
    if delta in (0, 1):
        word = RELATIVE[language][delta]
    else:
        word = WEEKDAYS[language][day.weekday()]
    return f"{word} {day.day}/{day.month}"


def when_values(booking: Booking, now: dt.datetime, tz: dt.tzinfo, language: str) -> dict:
    local = booking.starts_at.astimezone(tz)
    return dict(service=booking.service.name, day=day_label(local.date(), now.astimezone(tz).date(), language),
                time=f"{local:%H:%M}")


def _services_list(limit: int = 60) -> tuple[str, str]:
    """A short list of service names for an SMS, and an example."""
    names = [s.name for s in Service.select().where(Service.active == True).order_by(Service.name)]  # noqa: E712
    if not names:
        return "-", "pijat bayi"
    shown, used = [], 0
    for name in names:
        if used + len(name) + 2 > limit:
            shown.append("...")
            break
        shown.append(name)
        used += len(name) + 2
    return ", ".join(shown), names[0].lower()


def gsm_safe(text: str) -> str:
    """Service names are staff text: keep replies GSM-7 (no accents, no emoji)."""
    folded = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in folded if ch.isascii() and (ch.isprintable() or ch == " ")).strip() or "?"


# -- BOOK by SMS -------------------------------------------------------------------------

@dataclasses.dataclass
class _When:
    """What we use of when.parse_when's answer."""
    date: dt.date | None
    time: dt.time | None
    rest: str
    error: str | None


def _parse_when(text: str, now_local: dt.datetime, language: str) -> _When:
    try:
        from .when import parse_when
    except ImportError:  # the date parser is not installed yet: the service words are all we read
        return _When(None, None, text, None)
    try:
        w = parse_when(text, now_local, language)
    except Exception:  # a parser bug must not lose the customer's request
        log.exception("parse_when failed on %r", text[:100])
        return _When(None, None, text, None)
    return _When(w.date, w.time, w.rest, w.error)


def _how(c: Conversation, key: str = "book_how") -> list:
    services, example = _services_list()
    return [c.reply(key, services=gsm_safe(services), example=gsm_safe(example))]


def _slots_text(slots: list[dt.datetime], tz: dt.tzinfo) -> str:
    return " ".join(f"{n}) {s.astimezone(tz):%H:%M}" for n, s in enumerate(slots, 1))


def _offer(c: Conversation, service: Service, day: dt.date, slots: list[dt.datetime], *,
           key: str = "book_offer", asked: str = "", replaces: Booking | None = None) -> list:
    slots = slots[:_setting("booking_offer_slots", OFFER_SLOTS, 1, 5)]
    c.remember("book.slot", {"service": service.id, "day": day.isoformat(), "offered_at": c.now.isoformat(),
                             "slots": [s.astimezone(dt.timezone.utc).isoformat() for s in slots],
                             "replaces": replaces.id if replaces else None},
               minutes=PENDING_MINUTES)
    today = c.local(c.now).date()
    return [c.reply(key, service=gsm_safe(service.name), day=day_label(day, today, c.language),
                    slots=_slots_text(slots, c.shop.tz), asked=asked)]


def _offer_from(c: Conversation, service: Service, day: dt.date, *, asked: str = "",
                reason: str = "full", replaces: Booking | None = None) -> list:
    """Offer the day's free slots, or the next day that has some."""
    today = c.local(c.now).date()
    slots = free_slots(service, day, c.now, shop=c.shop)
    if slots and not asked:
        return _offer(c, service, day, slots, replaces=replaces)
    if slots:
        return _offer(c, service, day, slots, key=f"book_{reason}_offer", asked=asked, replaces=replaces)
    found = next_free_day(service, day, c.now, shop=c.shop)
    if found is None:
        return [c.reply("book_none", service=gsm_safe(service.name),
                        days=_setting("booking_search_days", SEARCH_DAYS, 1, 366))]
    if not is_open_day(day):
        reason = "closed"
    asked = asked or day_label(day, today, c.language)
    return _offer(c, service, found[0], found[1], key=f"book_{reason}_offer", asked=asked, replaces=replaces)


def _book_sms(c: Conversation, service: Service, start: dt.datetime, day: dt.date, *,
              replaces: Booking | None = None) -> list:
    """Book from an SMS: confirm, or explain and offer what is free. With
    `replaces` (UBAH, a move), the old booking is cancelled in the same
    transaction: its slot is free for the new one, and a refused move leaves
    it as it was."""
    if replaces is None and alerts.upcoming_bookings(c.customer, c.now) >= alerts.MAX_UPCOMING_BOOKINGS_BY_SMS:
        c.forget()  # one phone cannot book every free slot by SMS
        return [c.reply("book_too_many", count=alerts.upcoming_bookings(c.customer, c.now))]
    try:
        with Booking._meta.database.atomic():
            if replaces is not None:
                cancel(replaces, now=c.now, shop=c.shop)
            booking = book(c.customer, service, start, source="sms", now=c.now, shop=c.shop)
    except BookingError as exc:
        if exc.reason == "duplicate":
            c.forget()
            ends = start + dt.timedelta(minutes=service.duration_minutes)
            existing = next((b for b in upcoming(c.customer, c.now)
                             if b.service_id == service.id and b.starts_at < ends and b.ends_at > start), None)
            values = when_values(existing, c.now, c.shop.tz, c.language) if existing else dict(
                service=service.name, day=day_label(day, c.local(c.now).date(), c.language),
                time=f"{start.astimezone(c.shop.tz):%H:%M}")
            values["service"] = gsm_safe(values["service"])
            return [c.reply("book_already", **values)]
        if exc.reason == "too_far":
            c.forget()
            return [c.reply("book_too_far", days=_setting("booking_max_days", MAX_DAYS_AHEAD, 1, 3650))]
        if exc.reason == "inactive":
            c.forget()
            return _how(c, "book_unknown_service")
        today = c.local(c.now).date()
        asked = f"{day_label(day, today, c.language)} {start.astimezone(c.shop.tz):%H:%M}"
        reason = {"closed": "closed", "past": "gone"}.get(exc.reason, "full")
        return _offer_from(c, service, day, asked=asked, reason=reason, replaces=replaces)
    c.forget()
    values = when_values(booking, c.now, c.shop.tz, c.language)
    values["service"] = gsm_safe(values["service"])
    return [c.reply("move_done" if replaces is not None else "book_done", **values)]


@on_keyword("BOOK")
def _book(c: Conversation):
    if c.customer is None or not fold(c.args):
        return _how(c)
    text = c.args[:200]  # nobody names a service and a day in more
    now_local = c.local(c.now)
    w = _parse_when(text, now_local, c.language)
    _, example = _services_list()
    if w.error == "past":
        return [c.reply("book_past", example=gsm_safe(example))]
    if w.error:
        return [c.reply("book_impossible", example=gsm_safe(example))]
    service = find_service(w.rest)
    if service is None:
        return _how(c, "book_unknown_service")
    today = now_local.date()
    if w.date is not None and w.date < today:
        return [c.reply("book_past", example=gsm_safe(service.name.lower()))]
    if w.date is not None and w.date > today + dt.timedelta(days=_setting("booking_max_days", MAX_DAYS_AHEAD,
                                                                                1, 3650)):
        return [c.reply("book_too_far", days=_setting("booking_max_days", MAX_DAYS_AHEAD, 1, 3650))]
    if w.time is not None:
        day = w.date
        if day is None:  # "jam 10" alone: today if 10:00 is still ahead, else tomorrow
            day = today if w.time > now_local.time() else today + dt.timedelta(days=1)
        return _book_sms(c, service, _at(day, w.time, c.shop.tz), day)
    if w.date is None:
        # No day: offer the first day with a free slot, from today.
        found = next_free_day(service, today, c.now, shop=c.shop, include=True)
        if found is None:
            return [c.reply("book_none", service=gsm_safe(service.name),
                            days=_setting("booking_search_days", SEARCH_DAYS, 1, 366))]
        return _offer(c, service, *found)
    return _offer_from(c, service, w.date)


NUMBER_WORDS = {"satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5,
                "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_CHOICE = re.compile(
    r"^(?:(?:no|nomor|nomer|nmr|yg|yang|pilih|pilihan|slot|ke|number|option)[\s.:#]*)*"
    r"#?(?P<n>-?\s*\d{1,20}|" + "|".join(NUMBER_WORDS) + r")"
    r"(?:[\s.)!,]+(?:ya|kak|aja|saja|deh|dong|please|pls|thanks|makasih))*[\s.)!,]*$")
_TIME = re.compile(r"^(?:jam\s*|pukul\s*|at\s*)?(?P<h>\d{1,2})(?:[.:](?P<m>\d{2}))?\s*$")


def parse_choice(text: str) -> int | None:
    """The number in an answer like '2', '2.', 'nomor 2', 'yg 2', 'dua';
    None when the text is not a numbered answer at all. May be 0 or negative:
    the caller says which numbers are allowed."""
    found = _CHOICE.match((text or "").strip().lower())
    if not found:
        return None
    n = found.group("n").replace(" ", "")
    return NUMBER_WORDS[n] if n in NUMBER_WORDS else int(n)


def _time_choice(text: str, slots: list[dt.datetime], tz: dt.tzinfo) -> int | None:
    """'10.30' or 'jam 10' naming one of the offered times: its number."""
    found = _TIME.match((text or "").strip().lower())
    if not found:
        return None
    hour, minute = int(found.group("h")), int(found.group("m") or 0)
    for n, slot in enumerate(slots, 1):
        local = slot.astimezone(tz)
        if (local.hour, local.minute) == (hour, minute):
            return n
    return None


def _offer_expired(c: Conversation) -> bool:
    try:
        offered = dt.datetime.fromisoformat(c.pending["offered_at"])
    except (KeyError, TypeError, ValueError):
        return True
    minutes = _setting("booking_offer_minutes", OFFER_MINUTES, 1, PENDING_MINUTES)
    return c.now > offered + dt.timedelta(minutes=minutes)


@on_reply("book.slot")
def _book_slot(c: Conversation):
    slots = [dt.datetime.fromisoformat(s) for s in (c.pending or {}).get("slots", [])]
    n = parse_choice(c.text)
    if n is None or not 1 <= n <= len(slots):
        # "10" or "jam 10.30" naming one of the offered times means that time.
        n = _time_choice(c.text, slots, c.shop.tz) or n
    if n is None:
        return None  # not an answer: the text is read as a new request
    service = Service.get_or_none(Service.id == c.pending.get("service"))
    if service is None or not service.active:
        c.forget()
        return _how(c, "book_unknown_service")
    day = dt.date.fromisoformat(c.pending["day"])
    replaces = _own_booking(c, c.pending.get("replaces"))
    if c.pending.get("replaces") and replaces is None:  # cancelled or moved meanwhile: nothing to move
        c.forget()
        return [c.reply("move_none")]
    if _offer_expired(c):
        c.forget()
        return [c.reply("book_slot_expired", service=gsm_safe(service.name.lower()),
                        day=day_label(day, c.local(c.now).date(), c.language))]
    if not 1 <= n <= len(slots):
        return [c.reply("book_slot_range", n=len(slots))]  # the offer stands: they may answer again
    return _book_sms(c, service, slots[n - 1], day, replaces=replaces)


def _own_booking(c: Conversation, booking_id) -> Booking | None:
    """This customer's own booking, still booked: never another's."""
    if not booking_id or c.customer is None:
        return None
    return Booking.get_or_none((Booking.id == booking_id) & (Booking.customer == c.customer.id)
                               & (Booking.status == "booked"))


# -- MOVE by SMS: UBAH besok jam 3 -----------------------------------------------------

@on_keyword("MOVE")
def _move(c: Conversation):
    """UBAH besok jam 3 / UBAH pijat bayi senin: the booking moves, or the
    day's free times are offered; the old one goes only when the new one is made."""
    bookings = upcoming(c.customer, c.now) if c.customer is not None else []
    if not bookings:
        return [c.reply("move_none")]
    now_local = c.local(c.now)
    w = _parse_when(c.args[:200], now_local, c.language)
    service = find_service(w.rest) if fold(w.rest) else None
    if service is not None:
        bookings = [b for b in bookings if b.service_id == service.id] or bookings
    if len(bookings) > 1:
        return [c.reply("move_which", choices=_choice_line(bookings[:MAX_CANCEL_CHOICES], c),
                        example=gsm_safe(bookings[0].service.name.lower())[:20])]
    old = bookings[0]
    values = when_values(old, c.now, c.shop.tz, c.language)
    values["service"] = gsm_safe(values["service"])
    if w.error == "past":
        return [c.reply("book_past", example=gsm_safe(old.service.name.lower()))]
    if w.error or (w.date is None and w.time is None):
        return [c.reply("move_how", **values)]
    service, today = old.service, now_local.date()
    if w.date is not None and w.date < today:
        return [c.reply("book_past", example=gsm_safe(service.name.lower()))]
    if w.time is None:
        return _offer_from(c, service, w.date, replaces=old)
    day = w.date
    if day is None:  # "jam 3" alone: the same day as before
        day = old.starts_at.astimezone(c.shop.tz).date()
    return _book_sms(c, service, _at(day, w.time, c.shop.tz), day, replaces=old)


# -- CANCEL by SMS -----------------------------------------------------------------------

QUEUE_WORDS = {"antri", "antre", "antrian", "antreean", "queue"}
MAX_CANCEL_CHOICES = 3


def _cancel_one(c: Conversation, booking: Booking) -> list:
    c.forget()
    cancel(booking, now=c.now, shop=c.shop)
    values = when_values(booking, c.now, c.shop.tz, c.language)
    values["service"] = gsm_safe(values["service"])
    return [c.reply("cancel_done", **values)]


def _choice_line(bookings: list[Booking], c: Conversation) -> str:
    parts = []
    for n, b in enumerate(bookings, 1):
        local = b.starts_at.astimezone(c.shop.tz)
        parts.append(f"{n}) {gsm_safe(b.service.name)[:14]} {local.day}/{local.month} {local:%H:%M}")
    return " ".join(parts)


@on_keyword("CANCEL")
def _cancel(c: Conversation):
    words = fold(c.args).split()
    if words and words[0] in QUEUE_WORDS:
        from .waiting import leave_by_sms  # waiting imports this module
        return leave_by_sms(c)
    if c.customer is None:
        return [c.reply("cancel_none")]
    bookings = upcoming(c.customer, c.now)
    if not bookings:
        from .waiting import holds_ticket
        return [c.reply("cancel_none_queue" if holds_ticket(c.customer, c.now, c.shop) else "cancel_none")]
    if len(bookings) > 1 and words:
        # "BATAL pijat bayi" / "BATAL besok": narrow down when the words tell.
        w = _parse_when(c.args[:200], c.local(c.now), c.language)
        service = find_service(w.rest) if fold(w.rest) else None
        narrowed = [b for b in bookings
                    if (service is None or b.service_id == service.id)
                    and (w.date is None or b.starts_at.astimezone(c.shop.tz).date() == w.date)]
        bookings = narrowed or bookings
    if len(bookings) == 1:
        return _cancel_one(c, bookings[0])
    shown = bookings[:MAX_CANCEL_CHOICES]
    c.remember("booking.cancel", {"ids": [b.id for b in shown]})
    return [c.reply("cancel_which", choices=_choice_line(shown, c))]


@on_reply("booking.cancel")
def _cancel_answer(c: Conversation):
    n = parse_choice(c.text)
    if n is None:
        return None
    ids = (c.pending or {}).get("ids", [])
    if not 1 <= n <= len(ids):
        return [c.reply("cancel_range", n=len(ids))]
    booking = Booking.get_or_none(Booking.id == ids[n - 1])
    # Only this customer's own, still-booked appointment: never another's.
    if booking is None or c.customer is None or booking.customer_id != c.customer.id or booking.status != "booked":
        c.forget()
        return [c.reply("cancel_none")]
    return _cancel_one(c, booking)


__all__ = ["BookingError", "DEFAULT_HOURS", "book", "cancel", "day_bookings", "day_label", "find_service",
           "free_slots", "gsm_safe", "is_open_day", "mark_done", "mark_no_show", "next_free_day", "on_visit",
           "opening_hours", "parse_choice", "upcoming", "when_values"]
