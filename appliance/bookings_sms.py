"""BOOK, MOVE and CANCEL by SMS.

    PESAN pijat bayi besok        -> "1) 09:00 2) 10:30 3) 13:00, reply with the number"
    2 / 2. / nomor 2 / yg 2 / dua -> books slot 2 (checked again), confirms
    PESAN pijat bayi besok jam 10 -> books 10:00 at once when it is free
    UBAH besok jam 3              -> moves the booking (the old one goes only when the new one is made)
    BATAL                         -> cancels the next booking (asks which when there are several)
    BATAL ANTRI                   -> leaves today's waiting queue (see waiting_sms.py)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re

from . import alerts, shopdata
from . import staff as staffing
from .bookings import (PENDING_MINUTES, BookingError, book, cancel, confirmation, free_slots, is_open_day,
                       local_moment, next_free_day, upcoming, when_values)
from .catalogue import find_service
from .conversation import Conversation, on_keyword, on_reply, templates
from .inbox import hand_to_staff
from .keywords import fold
from .models import Booking, Service, User
from .smstext import day_label, gsm_safe
from .waiting_sms import leave_by_sms
from .when import day_part_hours, parse_when

log = logging.getLogger(__name__)

templates({
    "book_no_services": {
        "id": "{shop}: pesanan layanan lewat SMS belum bisa kami terima; staf kami akan segera membalas.",
        "en": "{shop}: we cannot take bookings by SMS yet; our staff will answer you shortly.",
    },
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
    "book_staff_offer": {
        "id": "{shop}: {service} bersama {staff} kosong {day} jam {slots}. Balas nomornya, contoh: 1",
        "en": "{shop}: {service} with {staff} is free {day} at {slots}. Reply with the number, e.g. 1",
    },
    "book_staff_full_offer": {
        "id": "{shop}: maaf, {staff} sudah penuh {asked}. Dia kosong {day} jam {slots}. Balas nomornya",
        "en": "{shop}: sorry, {staff} is booked {asked}. Free {day} at {slots}. Reply with the number",
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
    "book_done_with": {
        "id": "{shop}: terima kasih, {service} {day} jam {time} bersama {staff} sudah kami catat. Ketik BATAL jika "
              "berhalangan.",
        "en": "{shop}: thank you, {service} {day} at {time} with {staff} is booked. Text CANCEL if you cannot come.",
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
    "move_done_with": {
        "id": "{shop}: booking {service} dipindah ke {day} jam {time} bersama {staff}. Ketik BATAL jika berhalangan.",
        "en": "{shop}: your {service} is moved to {day} at {time} with {staff}. Text CANCEL if you cannot come.",
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
}, purpose="bookings")


def _services_list(limit: int = 60) -> tuple[str, str | None]:
    """A short list of service names for an SMS, and an example."""
    names = [s.name for s in Service.select().where(Service.active == True).order_by(Service.name)]  # noqa: E712
    if not names:
        return "", None
    shown, used = [], 0
    for name in names:
        if used + len(name) + 2 > limit:
            shown.append("...")
            break
        shown.append(name)
        used += len(name) + 2
    return ", ".join(shown), names[0].lower()


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
        w = parse_when(text, now_local, language)
    except Exception:  # a parser bug must not lose the customer's request
        log.exception("parse_when failed on %r", text[:100])
        return _When(None, None, text, None)
    return _When(w.date, w.time, w.rest, w.error)


def how(c: Conversation, key: str = "book_how") -> list:
    services, example = _services_list()
    if example is None:  # no services: never another shop's example; staff answer
        hand_to_staff(c.message)
        return [c.reply("book_no_services")]
    return [c.reply(key, services=gsm_safe(services), example=gsm_safe(example))]


def _slots_text(slots: list[dt.datetime], tz: dt.tzinfo) -> str:
    return " ".join(f"{n}) {s.astimezone(tz):%H:%M}" for n, s in enumerate(slots, 1))


def _offer(c: Conversation, service: Service, day: dt.date, slots: list[dt.datetime], *,
           key: str = "book_offer", asked: str = "", replaces: Booking | None = None,
           staff: User | None = None) -> list:
    """Offer these slots (a named person's, with `staff`); the answer's number books one."""
    hours = day_part_hours(c.text)  # "jumat sore": the afternoon's times first, if it has any
    if hours is not None:
        slots = [s for s in slots if hours[0] <= s.astimezone(c.shop.tz).hour < hours[1]] or slots
    slots = slots[:shopdata.setting("booking_offer_slots")]
    c.remember("book.slot", {"service": service.id, "day": day.isoformat(), "offered_at": c.now.isoformat(),
                             "slots": [s.astimezone(dt.timezone.utc).isoformat() for s in slots],
                             "replaces": replaces.id if replaces else None,
                             "staff": staff.id if staff is not None else None},
               minutes=PENDING_MINUTES)
    today = c.local(c.now).date()
    values = {"staff": gsm_safe(staffing.name(staff))} if staff is not None else {}
    if staff is not None and key in ("book_offer", "book_full_offer"):
        key = key.replace("book_", "book_staff_", 1)
    return [c.reply(key, service=gsm_safe(service.name), day=day_label(day, today, c.language),
                    slots=_slots_text(slots, c.shop.tz), asked=asked, **values)]


def offer_from(c: Conversation, service: Service, day: dt.date, *, asked: str = "",
               reason: str = "full", replaces: Booking | None = None, staff: User | None = None) -> list:
    """Offer the day's free slots, or the next day that has some (with
    `staff`, the times that person is free: "besok sama bidan rina")."""
    today = c.local(c.now).date()
    slots = free_slots(service, day, c.now, shop=c.shop, staff=staff)
    if slots and not asked:
        return _offer(c, service, day, slots, replaces=replaces, staff=staff)
    if slots:
        return _offer(c, service, day, slots, key=f"book_{reason}_offer", asked=asked, replaces=replaces,
                      staff=staff)
    found = next_free_day(service, day, c.now, shop=c.shop, staff=staff)
    if found is None:
        return [c.reply("book_none", service=gsm_safe(service.name),
                        days=shopdata.setting("booking_search_days"))]
    if not is_open_day(day):
        reason = "closed"
    asked = asked or day_label(day, today, c.language)
    return _offer(c, service, found[0], found[1], key=f"book_{reason}_offer", asked=asked, replaces=replaces,
                  staff=staff)


def book_sms(c: Conversation, service: Service, start: dt.datetime, day: dt.date, *,
              replaces: Booking | None = None, staff: User | None = None) -> list:
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
                cancel(replaces, now=c.now, shop=c.shop, moving=True)
            booking = book(c.customer, service, start, source="sms", now=c.now, shop=c.shop,
                           event="booking.moved" if replaces is not None else "booking.made",
                           was=replaces.id if replaces is not None else None, staff=staff)
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
            return [c.reply("book_too_far", days=shopdata.setting("booking_max_days"))]
        if exc.reason == "inactive":
            c.forget()
            return how(c, "book_unknown_service")
        today = c.local(c.now).date()
        asked = f"{day_label(day, today, c.language)} {start.astimezone(c.shop.tz):%H:%M}"
        reason = {"closed": "closed", "past": "gone"}.get(exc.reason, "full")
        return offer_from(c, service, day, asked=asked, reason=reason, replaces=replaces, staff=staff)
    c.forget()
    values = when_values(booking, c.now, c.shop.tz, c.language)
    values["service"], values["staff"] = gsm_safe(values["service"]), gsm_safe(values["staff"])
    return [c.reply(confirmation(booking, moved=replaces is not None), **values)]


@on_keyword("BOOK")
def _book(c: Conversation):
    if c.customer is None or not fold(c.args):
        return how(c)
    text = c.args[:200]  # nobody names a service and a day in more
    now_local = c.local(c.now)
    w = _parse_when(text, now_local, c.language)
    _, example = _services_list()
    if example is None:
        return how(c)
    if w.error == "past":
        return [c.reply("book_past", example=gsm_safe(example))]
    if w.error:
        return [c.reply("book_impossible", example=gsm_safe(example))]
    service = find_service(w.rest)
    if service is None:
        return how(c, "book_unknown_service")
    today = now_local.date()
    if w.date is not None and w.date < today:
        return [c.reply("book_past", example=gsm_safe(service.name.lower()))]
    if w.date is not None and w.date > today + dt.timedelta(days=shopdata.setting("booking_max_days")):
        return [c.reply("book_too_far", days=shopdata.setting("booking_max_days"))]
    if w.time is not None:
        day = w.date
        if day is None:  # "jam 10" alone: today if 10:00 is still ahead, else tomorrow
            day = today if w.time > now_local.time() else today + dt.timedelta(days=1)
        return book_sms(c, service, local_moment(day, w.time, c.shop.tz), day)
    if w.date is None:
        return offer_next(c, service)
    return offer_from(c, service, w.date)


def offer_next(c: Conversation, service: Service, staff: User | None = None) -> list:
    """No day named: offer the first day with a free slot, from today."""
    found = next_free_day(service, c.local(c.now).date(), c.now, shop=c.shop, include=True, staff=staff)
    if found is None:
        return [c.reply("book_none", service=gsm_safe(service.name),
                        days=shopdata.setting("booking_search_days"))]
    return _offer(c, service, *found, staff=staff)


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


# Words around a time that do not change the answer: "jam 4 aja kak", "yg 10.30 ya".
_AROUND_A_TIME = frozenset("ya yaa iya kak ka kakak aja aj saja deh dong yg yang pilih ambil mau boleh bisa "
                           "mbak mba bu pak ok oke okay sy saya please pls thanks makasih mksh the".split())
_MORNING = re.compile(r"\b(?:pagi|am|a\.m\.?)(?:\b|$)")


def _time_choice(text: str, slots: list[dt.datetime], tz: dt.tzinfo, day: dt.date,
                 now: dt.datetime) -> int | None:
    """'10.30', 'jam 10' or 'jam 4 aja kak' naming one of the offered times: its
    number. 'jam 4' is the clock as written, 04:00; where only 16:00 was offered
    and the text says nothing of the morning, it means 16:00, as it would to
    the shop assistant reading it."""
    low = (text or "").strip().lower()
    found = _TIME.match(low)
    if found:
        wanted = [(int(found.group("h")), int(found.group("m") or 0))]
    else:
        when = parse_when(low, now.astimezone(tz))
        if when.time is None or when.error or when.date not in (None, day):
            return None
        if any(word.strip(".,!?") not in _AROUND_A_TIME for word in when.rest.split()):
            return None  # more than a time: read as a new request
        wanted = [(when.time.hour, when.time.minute)]
    hour, minute = wanted[0]
    if 1 <= hour <= 11 and not _MORNING.search(low):
        wanted.append((hour + 12, minute))
    offered = [(s.astimezone(tz).hour, s.astimezone(tz).minute) for s in slots]
    return next((offered.index(w) + 1 for w in wanted if w in offered), None)


def _offer_expired(c: Conversation) -> bool:
    try:
        offered = dt.datetime.fromisoformat(c.pending["offered_at"])
    except (KeyError, TypeError, ValueError):
        return True
    minutes = shopdata.setting("booking_offer_minutes")
    return c.now > offered + dt.timedelta(minutes=minutes)


@on_reply("book.slot")
def _book_slot(c: Conversation):
    slots = [dt.datetime.fromisoformat(s) for s in (c.pending or {}).get("slots", [])]
    n = parse_choice(c.text)
    if n is None or not 1 <= n <= len(slots):
        # "10" or "jam 10.30" naming one of the offered times means that time.
        try:
            offered_day = dt.date.fromisoformat(c.pending["day"])
        except (KeyError, TypeError, ValueError):
            offered_day = None
        n = _time_choice(c.text, slots, c.shop.tz, offered_day, c.now) or n
    if n is None:
        return None  # not an answer: the text is read as a new request
    service = Service.get_or_none(Service.id == c.pending.get("service"))
    if service is None or not service.active:
        c.forget()
        return how(c, "book_unknown_service")
    day = dt.date.fromisoformat(c.pending["day"])
    replaces = own_booking(c, c.pending.get("replaces"))
    if c.pending.get("replaces") and replaces is None:  # cancelled or moved meanwhile: nothing to move
        c.forget()
        return [c.reply("move_none")]
    if _offer_expired(c):
        c.forget()
        return [c.reply("book_slot_expired", service=gsm_safe(service.name.lower()),
                        day=day_label(day, c.local(c.now).date(), c.language))]
    if not 1 <= n <= len(slots):
        return [c.reply("book_slot_range", n=len(slots))]  # the offer stands: they may answer again
    person = User.get_or_none(User.id == c.pending["staff"]) if c.pending.get("staff") else None
    return book_sms(c, service, slots[n - 1], day, replaces=replaces, staff=person)


def own_booking(c: Conversation, booking_id) -> Booking | None:
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
        return move_choice(c, bookings)
    old = bookings[0]
    values = values_of(c, old)
    if w.error == "past":
        return [c.reply("book_past", example=gsm_safe(old.service.name.lower()))]
    if w.error or (w.date is None and w.time is None):
        return [c.reply("move_how", **values)]
    service, today = old.service, now_local.date()
    if w.date is not None and w.date < today:
        return [c.reply("book_past", example=gsm_safe(service.name.lower()))]
    if w.time is None:
        return offer_from(c, service, w.date, replaces=old)
    day = w.date
    if day is None:  # "jam 3" alone: the same day as before
        day = old.starts_at.astimezone(c.shop.tz).date()
    return book_sms(c, service, local_moment(day, w.time, c.shop.tz), day, replaces=old)


# -- CANCEL by SMS -----------------------------------------------------------------------

QUEUE_WORDS = {"antri", "antre", "antrian", "antreean", "queue"}
MAX_CANCEL_CHOICES = 3


def values_of(c: Conversation, booking: Booking) -> dict:
    """A booking's service, day and time as a reply names them."""
    values = when_values(booking, c.now, c.shop.tz, c.language)
    values["service"] = gsm_safe(values["service"])
    return values


def narrowed(c: Conversation, found: list[Booking], service_ids=(), day=None) -> list[Booking]:
    """The customer's bookings their words point at ("batal pijat bayi", "besok"):
    by service, then by day; words that match none leave all (the customer picks)."""
    if service_ids:
        found = [b for b in found if b.service_id in service_ids] or found
    if day is not None and len(found) > 1:
        found = [b for b in found if b.starts_at.astimezone(c.shop.tz).date() == day] or found
    return found


def move_choice(c: Conversation, bookings: list[Booking]) -> list:
    return [c.reply("move_which", choices=_choice_line(bookings[:MAX_CANCEL_CHOICES], c),
                    example=gsm_safe(bookings[0].service.name.lower())[:20])]


def cancel_choice(c: Conversation, bookings: list[Booking]) -> list:
    """Several bookings: which one? (the answer is a number, so it is certain)"""
    shown = bookings[:MAX_CANCEL_CHOICES]
    c.remember("booking.cancel", {"ids": [b.id for b in shown]})
    return [c.reply("cancel_which", choices=_choice_line(shown, c))]


def cancel_one(c: Conversation, booking: Booking) -> list:
    c.forget()
    cancel(booking, now=c.now, shop=c.shop)
    return [c.reply("cancel_done", **values_of(c, booking))]


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
        bookings = narrowed(c, bookings, {service.id} if service else (), w.date)
    if len(bookings) == 1:
        return cancel_one(c, bookings[0])
    return cancel_choice(c, bookings)


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
    return cancel_one(c, booking)
