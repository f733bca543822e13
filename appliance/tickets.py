"""Complaints and service tickets with an SLA (the ISP, the IT service desk).

A customer texts `KELUHAN internet mati sejak pagi` and gets a number
(`T-0042`). Staff assign a technician, who gets the job by SMS and answers
from their own phone: `OK T-0042`, `JALAN T-0042`, `TUNDA T-0042 tunggu modem`,
`SELESAI T-0042 ganti kabel`. The customer hears of every step. A periodic
job warns the supervisors (owner and admin with a phone) before a response
or resolution time runs out, and again when it has run out, once each.

Statuses: new -> assigned -> pending -> resolved -> closed. Accepting and
being on the way are events, not statuses: the ticket stays `assigned`.
Every change is a TicketEvent (who, when, note) and an audit entry. While a
ticket is pending (waiting for the customer or a part) its resolution clock
stands still: no warning or breach then, and the due time moves on by the
wait when the ticket leaves pending.
"""

from __future__ import annotations

import datetime as dt
import re

import peewee as pw

from . import alerts, crm, messaging, replies, shopdata
from .clock import UTC, as_utc, short, utcnow
from .jobs import periodic
from .keywords import _tolerance, distance, fold
from .models import Customer, Ticket, TicketCategory, TicketEvent, User
from .phone import is_replyable
from .responder import Conversation, Shop, on_keyword, on_reply, on_staff_command, on_status

OPEN = ("new", "assigned", "pending")
DONE = ("resolved", "closed")
STATUSES = OPEN + DONE
SUPERVISOR_ROLES = ("owner", "admin")
MAX_SUMMARY = 200
MAX_DETAIL = 10_000
MAX_NOTE = 2_000
MAX_REASON = 200
MAX_NUMBER = 2**31 - 1  # an INTEGER column: a bigger number cannot exist (and PostgreSQL would refuse the query)
NUMBER_ATTEMPTS = 20
# A phone that sends the same complaint twice (a resend after "failed") gets the first ticket back.
DUPLICATE_WINDOW = dt.timedelta(minutes=30)
DEFAULT_SLA = {"response_minutes": 60, "resolution_minutes": 24 * 60, "warn_percent": 80}
MAX_SLA_MINUTES = 365 * 24 * 60


class TicketError(ValueError):
    """A ticket change that cannot be made; the message is for people."""


replies.register({
    # to the customer
    "ticket_ask": {
        "id": "{shop}: mohon maaf atas kendalanya. Silakan balas SMS ini dengan penjelasan singkat masalah Anda.",
        "en": "{shop}: sorry for the trouble. Please reply to this SMS with a short description of the problem.",
    },
    "ticket_opened": {
        "id": "{shop}: keluhan Anda kami terima dengan nomor {number}. Kami segera menindaklanjuti. Cek: STATUS {number}",
        "en": "{shop}: we got your complaint, number {number}. We will follow up soon. Check: STATUS {number}",
    },
    "ticket_assigned": {
        "id": "{shop}: teknisi {technician} sudah ditugaskan untuk {number} dan akan segera menghubungi Anda.",
        "en": "{shop}: technician {technician} is assigned to {number} and will contact you soon.",
    },
    "ticket_accepted": {
        "id": "{shop}: teknisi {technician} sudah menerima {number} dan akan segera menangani masalah Anda.",
        "en": "{shop}: technician {technician} has accepted {number} and will handle your problem soon.",
    },
    "ticket_on_the_way": {
        "id": "{shop}: teknisi {technician} sedang dalam perjalanan ke lokasi Anda untuk {number}.",
        "en": "{shop}: technician {technician} is on the way to you for {number}.",
    },
    "ticket_pending": {
        "id": "{shop}: {number} ditunda: {reason}. Kami kabari lagi secepatnya.",
        "en": "{shop}: {number} is on hold: {reason}. We will update you as soon as we can.",
    },
    "ticket_resolved": {
        "id": "{shop}: {number} sudah selesai ({resolution}). Bila masih ada kendala, ketik KELUHAN. Terima kasih.",
        "en": "{shop}: {number} is resolved ({resolution}). If the problem is still there, text COMPLAIN. Thank you.",
    },
    "ticket_resolved_plain": {
        "id": "{shop}: {number} sudah selesai. Bila masih ada kendala, ketik KELUHAN. Terima kasih.",
        "en": "{shop}: {number} is resolved. If the problem is still there, text COMPLAIN. Thank you.",
    },
    "ticket_status_new": {
        "id": "{shop}: {number} ({summary}) sudah kami terima dan menunggu teknisi.",
        "en": "{shop}: {number} ({summary}) is received and waiting for a technician.",
    },
    "ticket_status_assigned": {
        "id": "{shop}: {number} ({summary}) sedang ditangani teknisi {technician}.",
        "en": "{shop}: {number} ({summary}) is being handled by technician {technician}.",
    },
    "ticket_status_pending": {
        "id": "{shop}: {number} ({summary}) ditunda: {reason}.",
        "en": "{shop}: {number} ({summary}) is on hold: {reason}.",
    },
    "ticket_status_resolved": {
        "id": "{shop}: {number} ({summary}) sudah selesai pada {when}.",
        "en": "{shop}: {number} ({summary}) was resolved on {when}.",
    },
    "ticket_status_closed": {
        "id": "{shop}: {number} ({summary}) sudah selesai dan ditutup.",
        "en": "{shop}: {number} ({summary}) is resolved and closed.",
    },
    "ticket_not_found": {
        "id": "{shop}: tiket {number} tidak ditemukan untuk nomor HP Anda. Mohon periksa lagi nomornya.",
        "en": "{shop}: ticket {number} was not found for your phone number. Please check the number.",
    },
    # to the technician
    "ticket_tech_assigned": {
        "id": "{shop}: tugas {number}: {summary}. {name} {phone}, {address}. Balas OK {number}",
        "en": "{shop}: job {number}: {summary}. {name} {phone}, {address}. Reply OK {number}",
    },
    "ticket_tech_accepted": {
        "id": "{shop}: {number} Anda terima. Ketik JALAN {number} saat berangkat.",
        "en": "{shop}: you accepted {number}. Text ONWAY {number} when you leave.",
    },
    "ticket_tech_on_the_way": {
        "id": "{shop}: {number} dicatat: dalam perjalanan. Setelah beres ketik SELESAI {number} dan tindakannya.",
        "en": "{shop}: {number} noted: on the way. When finished text DONE {number} and what was done.",
    },
    "ticket_tech_pending": {
        "id": "{shop}: {number} dicatat ditunda: {reason}.",
        "en": "{shop}: {number} noted on hold: {reason}.",
    },
    "ticket_tech_done": {
        "id": "{shop}: {number} dicatat selesai. Terima kasih.",
        "en": "{shop}: {number} noted as resolved. Thank you.",
    },
    "ticket_tech_no_number": {
        "id": "{shop}: sebutkan nomor tiket, contoh: {command} T-0042. Tiket Anda: {open}",
        "en": "{shop}: please give the ticket number, for example: {command} T-0042. Your tickets: {open}",
    },
    "ticket_tech_not_found": {
        "id": "{shop}: tiket {number} tidak ada. Tiket Anda: {open}",
        "en": "{shop}: there is no ticket {number}. Your tickets: {open}",
    },
    "ticket_tech_not_yours": {
        "id": "{shop}: maaf, {number} tidak ditugaskan kepada Anda. Hubungi admin bila perlu.",
        "en": "{shop}: sorry, {number} is not assigned to you. Please ask the admin if needed.",
    },
    "ticket_tech_closed": {
        "id": "{shop}: {number} sudah selesai atau ditutup; tidak ada yang diubah. Hubungi admin bila perlu dibuka lagi.",
        "en": "{shop}: {number} is already resolved or closed; nothing changed. Ask the admin to reopen it.",
    },
    "ticket_tech_need_reason": {
        "id": "{shop}: sebutkan alasannya, contoh: TUNDA {number} tunggu modem baru.",
        "en": "{shop}: please give the reason, for example: PENDING {number} waiting for a new modem.",
    },
    # to the supervisors
    "ticket_sla_warning_response": {
        "id": "{shop}: PERINGATAN {number} belum direspon, batas {due}. {summary}. Teknisi: {technician}",
        "en": "{shop}: WARNING {number} has no response yet, due {due}. {summary}. Technician: {technician}",
    },
    "ticket_sla_warning_resolution": {
        "id": "{shop}: PERINGATAN {number} belum selesai, batas {due}. {summary}. Teknisi: {technician}",
        "en": "{shop}: WARNING {number} is not resolved yet, due {due}. {summary}. Technician: {technician}",
    },
    "ticket_sla_breach_response": {
        "id": "{shop}: SLA TERLEWAT {number} belum direspon sejak {due}. {summary}. Teknisi: {technician}",
        "en": "{shop}: SLA MISSED {number} has no response since {due}. {summary}. Technician: {technician}",
    },
    "ticket_sla_breach_resolution": {
        "id": "{shop}: SLA TERLEWAT {number} belum selesai sejak {due}. {summary}. Teknisi: {technician}",
        "en": "{shop}: SLA MISSED {number} is not resolved since {due}. {summary}. Technician: {technician}",
    },
})


# -- numbers -------------------------------------------------------------------------

def label(ticket_or_number: Ticket | int) -> str:
    """How people write a ticket's number: T-0042."""
    number = ticket_or_number.number if isinstance(ticket_or_number, Ticket) else int(ticket_or_number)
    return f"T-{number:04d}"


_WHOLE_REFERENCE = re.compile(r"\s*(?:t|tiket|ticket)?\s*[-.:#]?\s*#?\s*(\d+)\s*", re.IGNORECASE)
_LEADING_REFERENCE = re.compile(r"^\s*(?:(?:t|tiket|ticket|no|nomor)\s*[-.:#]?\s*)?#?(\d+)(?!\d)", re.IGNORECASE)
_ANY_REFERENCE = re.compile(r"(?<![A-Za-z0-9])[Tt]\s*-?\s*(\d+)(?!\d)")


def parse_number(text: str | int | None) -> int | None:
    """'T-0042', 't42', '42', ' T 42 ' -> 42; anything else -> None."""
    if isinstance(text, bool):
        return None
    if isinstance(text, int):
        return text
    found = _WHOLE_REFERENCE.fullmatch(str(text or ""))
    return int(found.group(1)) if found else None


def parse_reference(args: str) -> tuple[int | None, str]:
    """A technician's text after the command: the ticket number (None when
    there is none) and the rest ("T-0042 ganti kabel" -> 42, "ganti kabel")."""
    args = args or ""
    found = _LEADING_REFERENCE.search(args) or _ANY_REFERENCE.search(args)
    if not found:
        return None, _tidy(args)
    rest = args[:found.start()] + " " + args[found.end():]
    return int(found.group(1)), _tidy(rest)


def _tidy(text: str) -> str:
    return " ".join((text or "").split()).strip(" -:,.;")


def find(number_or_text: str | int | None) -> Ticket | None:
    """The ticket for 'T-0042', 't42', '42' or 42; None when there is none."""
    number = parse_number(number_or_text)
    if number is None or not 1 <= number <= MAX_NUMBER:
        return None
    return Ticket.get_or_none(Ticket.number == number)


def _next_number() -> int:
    highest = Ticket.select(pw.fn.MAX(Ticket.number)).scalar() or 0
    return max(highest + 1, int(shopdata.get("tickets.first_number", 1) or 1))


# -- categories and the SLA --------------------------------------------------------------

_PREFIXES = ("meng", "mem", "men", "ter", "ber", "per", "di", "me", "ke", "se")
_SUFFIXES = ("nya", "lah", "kah", "kan", "an")


def _forms(word: str) -> set[str]:
    """A word and its stem without common Indonesian affixes: 'terputus' -> 'putus', 'matinya' -> 'mati'."""
    forms = {word}
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            forms.add(word[:-len(suffix)])
    for form in list(forms):
        for prefix in _PREFIXES:
            if form.startswith(prefix) and len(form) - len(prefix) >= 3:
                forms.add(form[len(prefix):])
    return forms


def split_words(words: str) -> list[str]:
    """A category's words as staff typed them: comma separated, folded."""
    return [w for w in dict.fromkeys(fold(part) for part in (words or "").split(",")) if w]


def _matches(category_word: str, text_words: list[str], text: str) -> bool:
    if " " in category_word:  # a phrase: "tidak bisa", "wifi lemot"
        return f" {category_word} " in f" {text} "
    limit = _tolerance(category_word)
    return any(form == category_word or (limit and distance(form, category_word, limit) <= limit)
               for word in text_words for form in _forms(word))


def score(text: str, words: str) -> int:
    """How many of a category's words the text has, forgiving typos and affixes."""
    folded = fold(text)
    text_words = folded.split()
    return sum(1 for word in split_words(words) if _matches(word, text_words, folded))


def guess_category(text: str, categories: list[TicketCategory] | None = None) -> TicketCategory | None:
    """The category whose words the text matches most (the first made wins a
    tie); the default category (`tickets.default_category`, "umum") when none
    matches, or None when there is no such category."""
    if categories is None:
        categories = list(TicketCategory.select().order_by(TicketCategory.id))
    best, best_score = None, 0
    for category in categories:
        points = score(text, category.words)
        if points > best_score:
            best, best_score = category, points
    if best is not None:
        return best
    default = fold(shopdata.get("tickets.default_category", "umum") or "")
    return next((c for c in categories if fold(c.name) == default), None) if default else None


def sla_for(category: TicketCategory | None) -> dict:
    """Response and resolution minutes and the warning percent for a category
    (the shop's `tickets.default_sla` for a ticket without one)."""
    if category is not None:
        return {"response_minutes": category.response_minutes, "resolution_minutes": category.resolution_minutes,
                "warn_percent": category.warn_percent}
    return {**DEFAULT_SLA, **(shopdata.get("tickets.default_sla", {}) or {})}


def save_category(name: str, *, words: str = "", response_minutes: int = 60, resolution_minutes: int = 24 * 60,
                  warn_percent: int = 80, category: TicketCategory | None = None, by: User | None = None,
                  now: dt.datetime | None = None) -> TicketCategory:
    """Create or change a category (staff UI); TicketError says what is wrong."""
    now = now or utcnow()
    name = " ".join((name or "").split())
    if not name:
        raise TicketError("a category needs a name")
    if len(name) > 64:
        raise TicketError("a category name has at most 64 characters")
    response_minutes = _whole(response_minutes, "the response time", 1, MAX_SLA_MINUTES)
    resolution_minutes = _whole(resolution_minutes, "the resolution time", 1, MAX_SLA_MINUTES)
    warn_percent = _whole(warn_percent, "the warning threshold", 1, 99)
    if resolution_minutes < response_minutes:
        raise TicketError("the resolution time cannot be shorter than the response time")
    clash = TicketCategory.select().where(pw.fn.LOWER(TicketCategory.name) == name.lower())
    if category is not None:
        clash = clash.where(TicketCategory.id != category.id)
    if clash.exists():
        raise TicketError(f"there is already a category called {name!r}")
    fields = dict(name=name, words=", ".join(split_words(words)), response_minutes=response_minutes,
                  resolution_minutes=resolution_minutes, warn_percent=warn_percent)
    if category is None:
        category = TicketCategory.create(**fields)
        action = "ticket.category_added"
    else:
        for field, value in fields.items():
            setattr(category, field, value)
        category.save()
        action = "ticket.category_changed"
    crm.audit(action, user=by, target=name, now=now,
              detail=f"response {response_minutes} min, resolution {resolution_minutes} min, "
                     f"warn at {warn_percent}%, words: {fields['words']}")
    return category


def _whole(value, what: str, low: int, high: int) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise TicketError(f"{what} must be a whole number") from None
    if not low <= number <= high:
        raise TicketError(f"{what} must be between {low} and {high}")
    return number


# -- texts -----------------------------------------------------------------------------------

def clean_text(text: str) -> str:
    """One line, single spaces, no control characters."""
    return " ".join(messaging.clean_text(text or "").split())


def meaningful(text: str) -> bool:
    """Has at least a letter or a digit: an emoji or '???' alone says nothing we can act on."""
    return any(ch.isalnum() for ch in text or "")


def _cut(text: str, limit: int) -> str:
    text = text or ""
    return text if len(text) <= limit else text[:limit - 3].rstrip() + "..."


def _shop(shop: Shop | None) -> Shop:
    # The web UI passes Shop.from_settings(settings); the default keeps a direct call working.
    return shop or Shop()


def _staff_name(user: User | None) -> str:
    if user is None:
        return "-"
    return user.full_name or user.username


# -- the ticket's life -----------------------------------------------------------------------

def _fresh(ticket: Ticket | int) -> Ticket:
    """The ticket as stored now: a form or an SMS may act on an old copy."""
    return Ticket.get_by_id(ticket.id if isinstance(ticket, Ticket) else ticket)


def _record(ticket: Ticket, kind: str, by: User | None, now: dt.datetime, note: str = "",
            **fields) -> TicketEvent:
    """Change the ticket, add the event to its history and to the audit trail."""
    if ticket.status == "pending" and fields.get("status", "pending") != "pending" and ticket.resolution_due:
        # The resolution clock stood still while the ticket waited (for the
        # customer, for a part): the due time moves on by that wait.
        since = _pending_since(ticket)
        if since is not None and now > since:
            fields["resolution_due"] = ticket.resolution_due + (now - since)
    if fields:
        fields["updated_at"] = now
        Ticket.update(**fields).where(Ticket.id == ticket.id).execute()
        for name, value in fields.items():
            setattr(ticket, name, value)
    event = TicketEvent.create(ticket=ticket, at=now, user=by, kind=kind, note=note)
    crm.audit(f"ticket.{kind}", user=by, target=label(ticket), detail=note, now=now)
    return event


def _pending_since(ticket: Ticket) -> dt.datetime | None:
    """When the ticket's current wait began: its earliest 'pending' event
    since it last changed otherwise (a new reason keeps the same wait)."""
    since = None
    for kind, at in (TicketEvent.select(TicketEvent.kind, TicketEvent.at).where(TicketEvent.ticket == ticket.id)
                     .order_by(TicketEvent.at.desc(), TicketEvent.id.desc()).tuples()):
        if kind == "pending":
            since = at
        elif kind in ("opened", "assigned", "on_the_way", "resolved", "closed", "reopened"):
            break  # (notes, SLA alerts and an OK leave a ticket pending)
    return since


def _tell_customer(ticket: Ticket, template: str, event: TicketEvent, shop: Shop, now: dt.datetime,
                   **values) -> None:
    customer = ticket.customer
    if not is_replyable(customer.phone):
        return
    language = customer.language or shop.default_language
    text = replies.reply(template, language, shop=shop.name, number=label(ticket), **values)
    messaging.queue_outbound(customer.phone, text, category="transactional", customer=customer,
                             key=f"ticket:{ticket.id}:{event.kind}:{event.id}", template=template, now=now)


def _first_response(ticket: Ticket, now: dt.datetime) -> dict:
    return {} if ticket.first_response_at else {"first_response_at": now}


def open_ticket(customer: Customer, text: str, *, by: User | None = None, source: str = "sms",
                now: dt.datetime | None = None, category: TicketCategory | None = None,
                detail: str = "", shop: Shop | None = None) -> Ticket:
    """A new ticket from a complaint. The category is guessed from its words
    unless given; the SLA clocks start now. A ticket opened by staff (a phone
    call) texts the customer its number; one opened by SMS is answered by
    the responder."""
    now = now or utcnow()
    if source not in ("sms", "staff"):
        raise TicketError("a ticket comes from an SMS or from staff")
    text = clean_text(text)
    if not meaningful(text):
        raise TicketError("please describe the problem")
    detail = messaging.clean_text(detail or "").strip()
    if len(text) > MAX_SUMMARY and not detail:
        detail = text  # the whole complaint is kept; the summary is its start
    summary = _cut(text, MAX_SUMMARY)
    detail = detail[:MAX_DETAIL]
    if category is None:
        category = guess_category(text)
    sla = sla_for(category)
    database = Ticket._meta.database
    for _ in range(NUMBER_ATTEMPTS):
        try:
            with database.atomic():
                ticket = Ticket.create(
                    number=_next_number(), customer=customer, category=category, summary=summary,
                    detail=detail, status="new", created_at=now, updated_at=now,
                    response_due=now + dt.timedelta(minutes=sla["response_minutes"]),
                    resolution_due=now + dt.timedelta(minutes=sla["resolution_minutes"]))
            break
        except pw.IntegrityError:
            continue  # another complaint took this number at the same moment: take the next one
    else:
        raise TicketError("could not give the ticket a number; please try again")
    event = _record(ticket, "opened", by, now,
                    note=f"via {source}; category {category.name if category else '-'}; {summary}")
    if source == "staff":
        _tell_customer(ticket, "ticket_opened", event, _shop(shop), now)
    return ticket


def assign(ticket: Ticket, technician: User, by: User | None = None, now: dt.datetime | None = None, *,
           shop: Shop | None = None) -> Ticket:
    """Give the ticket to a technician: they get the job by SMS (number,
    summary, the customer's name, phone and address), the customer hears a
    technician is assigned. Assigning the same technician again changes nothing."""
    now = now or utcnow()
    shop = _shop(shop)
    ticket = _fresh(ticket)
    if technician is None or not technician.active:
        raise TicketError("choose an active staff member")
    if ticket.status in DONE:
        raise TicketError(f"{label(ticket)} is {ticket.status}; reopen it first")
    if ticket.assignee_id == technician.id and ticket.status == "assigned":
        return ticket  # a second click of the same form
    with Ticket._meta.database.atomic():
        event = _record(ticket, "assigned", by, now, note=_staff_name(technician),
                        status="assigned", assignee=technician, pending_reason="")
        times = (TicketEvent.select().where((TicketEvent.ticket == ticket) & (TicketEvent.kind == "assigned"))
                 .count())
        if technician.phone and is_replyable(technician.phone):
            customer = ticket.customer
            text = replies.reply("ticket_tech_assigned", technician.language, shop=shop.name,
                                 number=label(ticket), summary=_cut(ticket.summary, 70),
                                 name=customer.name or "-", phone=customer.phone,
                                 address=_cut(" ".join(customer.address.split()), 100) or "-")
            messaging.queue_outbound(technician.phone, text, category="transactional",
                                     key=f"ticket:{ticket.id}:assigned:{technician.id}:{times}",
                                     template="ticket_tech_assigned", now=now)
        _tell_customer(ticket, "ticket_assigned", event, shop, now, technician=_staff_name(technician))
    return ticket


def accept(ticket: Ticket, by: User | None, now: dt.datetime | None = None, *,
           shop: Shop | None = None) -> Ticket:
    """The technician takes the job (`OK T-0042`): the first response."""
    now = now or utcnow()
    ticket = _fresh(ticket)
    _must_be_open(ticket)
    if ticket.assignee_id is None:
        raise TicketError(f"{label(ticket)} has no technician yet")
    if TicketEvent.select().where((TicketEvent.ticket == ticket) & (TicketEvent.kind == "accepted")
                                  & (TicketEvent.at >= _last_assigned_at(ticket))).exists():
        return ticket  # accepted already since it was (re)assigned
    with Ticket._meta.database.atomic():
        event = _record(ticket, "accepted", by, now, note=_staff_name(by), **_first_response(ticket, now))
        _tell_customer(ticket, "ticket_accepted", event, _shop(shop), now,
                       technician=_staff_name(ticket.assignee))
    return ticket


def _last_assigned_at(ticket: Ticket) -> dt.datetime:
    last = (TicketEvent.select().where((TicketEvent.ticket == ticket) & (TicketEvent.kind == "assigned"))
            .order_by(TicketEvent.id.desc()).first())
    return last.at if last is not None else ticket.created_at


def on_the_way(ticket: Ticket, by: User | None, now: dt.datetime | None = None, *,
               shop: Shop | None = None) -> Ticket:
    """The technician is going to the customer (`JALAN T-0042`)."""
    now = now or utcnow()
    ticket = _fresh(ticket)
    _must_be_open(ticket)
    if ticket.assignee_id is None:
        raise TicketError(f"{label(ticket)} has no technician yet")
    last = ticket.events.order_by(TicketEvent.id.desc()).first()
    if last is not None and last.kind == "on_the_way":
        return ticket  # said twice
    with Ticket._meta.database.atomic():
        event = _record(ticket, "on_the_way", by, now, note=_staff_name(by), status="assigned",
                        pending_reason="", **_first_response(ticket, now))
        _tell_customer(ticket, "ticket_on_the_way", event, _shop(shop), now,
                       technician=_staff_name(ticket.assignee))
    return ticket


def set_pending(ticket: Ticket, reason: str, by: User | None, now: dt.datetime | None = None, *,
                shop: Shop | None = None) -> Ticket:
    """On hold, with the reason the customer is told (`TUNDA T-0042 tunggu modem baru`)."""
    now = now or utcnow()
    ticket = _fresh(ticket)
    _must_be_open(ticket)
    reason = _cut(clean_text(reason), MAX_REASON)
    if not meaningful(reason):
        raise TicketError("say why the ticket waits")
    if ticket.status == "pending" and ticket.pending_reason == reason:
        return ticket
    with Ticket._meta.database.atomic():
        event = _record(ticket, "pending", by, now, note=reason, status="pending", pending_reason=reason,
                        **_first_response(ticket, now))
        _tell_customer(ticket, "ticket_pending", event, _shop(shop), now, reason=_cut(reason, 60))
    return ticket


def resolve(ticket: Ticket, resolution: str, by: User | None, now: dt.datetime | None = None, *,
            shop: Shop | None = None) -> Ticket:
    """Done, with what was done (`SELESAI T-0042 ganti kabel`)."""
    now = now or utcnow()
    ticket = _fresh(ticket)
    _must_be_open(ticket)
    resolution = messaging.clean_text(resolution or "").strip()[:MAX_DETAIL]
    with Ticket._meta.database.atomic():
        event = _record(ticket, "resolved", by, now, note=resolution, status="resolved", resolution=resolution,
                        resolved_at=now, pending_reason="", **_first_response(ticket, now))
        if meaningful(resolution):
            _tell_customer(ticket, "ticket_resolved", event, _shop(shop), now,
                           resolution=_cut(clean_text(resolution), 60))
        else:
            _tell_customer(ticket, "ticket_resolved_plain", event, _shop(shop), now)
    return ticket


def close(ticket: Ticket, by: User | None, now: dt.datetime | None = None, note: str = "") -> Ticket:
    """Filed away (after resolving, or a duplicate): no SMS to the customer."""
    now = now or utcnow()
    ticket = _fresh(ticket)
    if ticket.status == "closed":
        return ticket
    _record(ticket, "closed", by, now, note=_cut(clean_text(note), MAX_NOTE), status="closed", closed_at=now)
    return ticket


def reopen(ticket: Ticket, by: User | None, now: dt.datetime | None = None, note: str = "") -> Ticket:
    """Back to work: assigned when it has a technician, else new. Its SLA
    due times stay as they were: the customer has waited since the start."""
    now = now or utcnow()
    ticket = _fresh(ticket)
    if ticket.status not in DONE:
        raise TicketError(f"{label(ticket)} is still open")
    _record(ticket, "reopened", by, now, note=_cut(clean_text(note), MAX_NOTE),
            status="assigned" if ticket.assignee_id else "new", resolved_at=None, closed_at=None)
    return ticket


def note(ticket: Ticket, text: str, by: User | None, now: dt.datetime | None = None) -> TicketEvent:
    """A line in the ticket's history; the customer is not told."""
    now = now or utcnow()
    ticket = _fresh(ticket)
    text = messaging.clean_text(text or "").strip()
    if not meaningful(text):
        raise TicketError("a note needs some text")
    Ticket.update(updated_at=now).where(Ticket.id == ticket.id).execute()
    return _record(ticket, "note", by, now, note=text[:MAX_NOTE])


def _must_be_open(ticket: Ticket) -> None:
    if ticket.status in DONE:
        raise TicketError(f"{label(ticket)} is already {ticket.status}")


def open_tickets_for(customer: Customer | None) -> list[Ticket]:
    """The customer's tickets still being worked on, oldest first (for STATUS without a number)."""
    if customer is None:
        return []
    return list(Ticket.select().where((Ticket.customer == customer) & Ticket.status.in_(OPEN))
                .order_by(Ticket.number))


def open_tickets_of(technician: User) -> list[Ticket]:
    """What a technician still has to do, oldest first."""
    return list(Ticket.select().where((Ticket.assignee == technician) & Ticket.status.in_(OPEN))
                .order_by(Ticket.number))


# -- the customer's SMS ------------------------------------------------------------------------

@on_keyword("COMPLAIN")
def _complain(c: Conversation):
    text = clean_text(c.args)
    if not meaningful(text):
        c.remember("complain.detail", {})
        return [c.reply("ticket_ask")]
    return [_complaint_reply(c, text)]


@on_reply("complain.detail")
def _complain_detail(c: Conversation):
    text = clean_text(c.text)
    if not meaningful(text) or c.match.kind == "typo":
        # An emoji is not the description (the inbox and staff take it); "STATSU T-1" is a keyword.
        return None
    c.forget()
    return [_complaint_reply(c, text)]


def _complaint_reply(c: Conversation, text: str):
    """A new ticket, or, while one of theirs is open and recent, the text
    added to it: one phone's flood of complaints is one ticket (see alerts)."""
    ticket = _open_from_sms(c, text)
    if ticket.created_at != c.now and ticket.summary != _cut(text, MAX_SUMMARY):
        return c.reply("ticket_added", number=label(ticket))
    return c.reply("ticket_opened", number=label(ticket))


def _open_from_sms(c: Conversation, text: str) -> Ticket:
    same = (Ticket.select().where(
        (Ticket.customer == c.customer) & (Ticket.summary == _cut(text, MAX_SUMMARY))
        & (Ticket.created_at >= c.now - DUPLICATE_WINDOW)).order_by(Ticket.id.desc()).first())
    if same is not None:
        return same  # the phone sent it twice
    joined = alerts.ticket_to_join(c.customer, c.now)
    if joined is not None:
        alerts.add_to_ticket(joined, text, c.now)
        return joined
    return open_ticket(c.customer, text, source="sms", now=c.now, shop=c.shop)


@on_status("T")
def _status(c: Conversation):
    number = c.pending["number"]
    ticket = find(number)
    # Someone else's ticket gets exactly the answer a missing one gets.
    if ticket is None or c.customer is None or ticket.customer_id != c.customer.id:
        return [c.reply("ticket_not_found", number=label(number))]
    return [status_reply(c, ticket)]


def status_reply(c: Conversation, ticket: Ticket):
    """The STATUS answer for one of the customer's own tickets."""
    values = dict(number=label(ticket), summary=_cut(ticket.summary, 40))
    if ticket.status == "assigned":
        values["technician"] = _staff_name(ticket.assignee)
    elif ticket.status == "pending":
        values["reason"] = _cut(ticket.pending_reason, 50)
    elif ticket.status == "resolved":
        values["when"] = short(ticket.resolved_at, c.shop.tz, today=c.local(c.now).date())
    return c.reply(f"ticket_status_{ticket.status}", **values)


# -- the technician's SMS ---------------------------------------------------------------------

def _open_list(user: User) -> str:
    numbers = [label(t) for t in open_tickets_of(user)]
    if not numbers:
        return "-"
    return ", ".join(numbers[:5]) + (" ..." if len(numbers) > 5 else "")


def _may_act(user: User, ticket: Ticket) -> bool:
    # A technician acts on their own tickets; the owner and admins on any.
    return ticket.assignee_id == user.id or user.role in SUPERVISOR_ROLES


def _technician_command(c: Conversation, action, needs_text: bool = False):
    number, rest = parse_reference(c.args)
    command = (c.text or "").split()[0].upper() if (c.text or "").split() else ""
    if number is None:
        return [c.reply("ticket_tech_no_number", command=_cut(command, 12), open=_open_list(c.staff))]
    ticket = find(number)
    if ticket is None:
        return [c.reply("ticket_tech_not_found", number=label(number), open=_open_list(c.staff))]
    if not _may_act(c.staff, ticket):
        return [c.reply("ticket_tech_not_yours", number=label(ticket))]
    if ticket.status in DONE:
        return [c.reply("ticket_tech_closed", number=label(ticket))]
    if needs_text and not meaningful(rest):
        return [c.reply("ticket_tech_need_reason", number=label(ticket))]
    return action(ticket, rest)


@on_staff_command("ACCEPT")
def _sms_accept(c: Conversation):
    def act(ticket, _rest):
        if ticket.assignee_id is None:  # an admin taking an unassigned ticket takes it on
            assign(ticket, c.staff, by=c.staff, now=c.now, shop=c.shop)
        accept(ticket, c.staff, c.now, shop=c.shop)
        return [c.reply("ticket_tech_accepted", number=label(ticket))]
    return _technician_command(c, act)


@on_staff_command("ONTHEWAY")
def _sms_on_the_way(c: Conversation):
    def act(ticket, _rest):
        if ticket.assignee_id is None:
            assign(ticket, c.staff, by=c.staff, now=c.now, shop=c.shop)
        on_the_way(ticket, c.staff, c.now, shop=c.shop)
        return [c.reply("ticket_tech_on_the_way", number=label(ticket))]
    return _technician_command(c, act)


@on_staff_command("PENDING")
def _sms_pending(c: Conversation):
    def act(ticket, reason):
        ticket = set_pending(ticket, reason, c.staff, c.now, shop=c.shop)
        return [c.reply("ticket_tech_pending", number=label(ticket), reason=_cut(ticket.pending_reason, 60))]
    return _technician_command(c, act, needs_text=True)


@on_staff_command("DONE")
def _sms_done(c: Conversation):
    def act(ticket, resolution):
        resolve(ticket, resolution, c.staff, c.now, shop=c.shop)
        return [c.reply("ticket_tech_done", number=label(ticket))]
    return _technician_command(c, act)


# -- the SLA watch ------------------------------------------------------------------------------

def _warn_at(created: dt.datetime, due: dt.datetime, percent: int) -> dt.datetime:
    return created + (due - created) * (percent / 100)


def _warn_percent(ticket: Ticket) -> int:
    return sla_for(ticket.category if ticket.category_id else None)["warn_percent"]


def sla_alerts_due(ticket: Ticket, now: dt.datetime, sent: set[tuple[str, str]]) -> list[tuple[str, str]]:
    """Which alerts a ticket needs now: (stage, clock) pairs such as
    ('sla_breach', 'response'), given those already `sent`. A breach found
    before its warning went out (the box was off) skips the stale warning."""
    due_alerts = []
    clocks = []
    if ticket.first_response_at is None and ticket.response_due is not None:
        clocks.append(("response", ticket.response_due))
    if ticket.resolved_at is None and ticket.resolution_due is not None and ticket.status != "pending":
        clocks.append(("resolution", ticket.resolution_due))  # (paused while the ticket waits)
    percent = _warn_percent(ticket)
    for clock, due in clocks:
        if ("sla_breach", clock) in sent:
            continue
        if now >= due:
            due_alerts.append(("sla_breach", clock))
        elif now >= _warn_at(ticket.created_at, due, percent) and ("sla_warning", clock) not in sent:
            due_alerts.append(("sla_warning", clock))
    return due_alerts


def supervisors() -> list[User]:
    """Who hears of SLA warnings and breaches: active owners and admins with a phone."""
    return list(User.select().where(User.role.in_(SUPERVISOR_ROLES) & (User.active == True)  # noqa: E712
                                    & User.phone.is_null(False)).order_by(User.id))


@periodic("tickets.sla")
def watch_sla(shop: Shop, now: dt.datetime) -> int:
    """Warn the supervisors when a ticket's response or resolution time is
    nearly used up, and again when it has run out; once each. Returns the
    alerts raised."""
    now = as_utc(now)
    tickets = list(Ticket.select().where(Ticket.status.in_(OPEN)
                                         & (Ticket.first_response_at.is_null() | Ticket.resolved_at.is_null())))
    if not tickets:
        return 0
    sent: dict[int, set[tuple[str, str]]] = {}
    for event in TicketEvent.select().where(TicketEvent.ticket.in_([t.id for t in tickets])
                                            & TicketEvent.kind.in_(["sla_warning", "sla_breach"])):
        sent.setdefault(event.ticket_id, set()).add((event.kind, event.note.split(" ")[0]))
    people = supervisors()
    raised = 0
    for ticket in tickets:
        for stage, clock in sla_alerts_due(ticket, now, sent.get(ticket.id, set())):
            _alert(ticket, stage, clock, people, shop, now)
            raised += 1
    alerts.send_digests(people, shop, now)  # for phones past their day's share of alerts
    return raised


def _alert(ticket: Ticket, stage: str, clock: str, people: list[User], shop: Shop, now: dt.datetime) -> None:
    due = ticket.response_due if clock == "response" else ticket.resolution_due
    due_text = short(due, shop.tz, today=now.astimezone(shop.tz).date())
    template = f"ticket_{stage}_{clock}"
    with Ticket._meta.database.atomic():
        fields = {"breached_at": ticket.breached_at or now} if stage == "sla_breach" else \
            {"warned_at": ticket.warned_at or now}
        told = held = 0
        for person in people:
            if not is_replyable(person.phone):
                continue
            text = replies.reply(template, person.language, shop=shop.name, number=label(ticket), due=due_text,
                                 summary=_cut(ticket.summary, 40), technician=_staff_name(ticket.assignee))
            if alerts.sla_alert(person.phone, text, key=f"ticket:{ticket.id}:{stage}:{clock}:{person.id}",
                                template=template, now=now, tz=shop.tz):
                told += 1
            else:
                held += 1
        held = f", {held} {alerts.HELD}" if held else ""
        _record(ticket, stage, None, now, note=f"{clock} due {due_text}; told {told} supervisor(s){held}",
                **fields)


# -- for staff: the job card and the report -------------------------------------------------------

def job_card(ticket: Ticket, tz: dt.tzinfo = UTC) -> dict:
    """Everything a printed job card shows; times are aware, in `tz` (the shop's zone)."""
    ticket = _fresh(ticket)
    customer = ticket.customer
    technician = ticket.assignee

    def at(value):
        return None if value is None else as_utc(value).astimezone(tz)

    history = [dict(at=at(e.at), kind=e.kind, user=_staff_name(e.user) if e.user_id else "", note=e.note)
               for e in ticket.events.order_by(TicketEvent.at, TicketEvent.id)]
    return dict(
        number=label(ticket), status=ticket.status,
        category=ticket.category.name if ticket.category_id else "",
        summary=ticket.summary, detail=ticket.detail,
        customer=dict(name=customer.name, phone=customer.phone, address=customer.address),
        technician=None if technician is None else dict(name=_staff_name(technician), phone=technician.phone or ""),
        created_at=at(ticket.created_at), response_due=at(ticket.response_due),
        resolution_due=at(ticket.resolution_due), first_response_at=at(ticket.first_response_at),
        resolved_at=at(ticket.resolved_at), closed_at=at(ticket.closed_at),
        pending_reason=ticket.pending_reason, resolution=ticket.resolution,
        sla=dict(response=_sla_state(ticket.first_response_at, ticket.response_due),
                 resolution=_sla_state(ticket.resolved_at, ticket.resolution_due)),
        history=history,
        # The paper part: lines the technician fills in at the customer's, and who signs.
        blank_lines=6,
        signatures=[dict(role="technician", label_id="Teknisi", label_en="Technician"),
                    dict(role="customer", label_id="Pelanggan", label_en="Customer")],
    )


def _sla_state(done_at: dt.datetime | None, due: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """'met', 'missed', 'open' (not done, not yet late) or 'late' (not done and past due)."""
    if due is None:
        return "open" if done_at is None else "met"
    if done_at is not None:
        return "met" if done_at <= due else "missed"
    return "late" if (now or utcnow()) > due else "open"


def report(since: dt.datetime, until: dt.datetime, *, now: dt.datetime | None = None) -> dict:
    """Tickets opened in [since, until): counts by status, category and
    technician; the share that met each SLA (a ticket still open past its due
    time counts as missed, one open within time is not counted yet); average
    response and resolution times in minutes."""
    now = now or utcnow()
    if until <= since:
        raise TicketError("the report's end must be after its start")
    rows = list(Ticket.select().where((Ticket.created_at >= since) & (Ticket.created_at < until))
                .order_by(Ticket.id))
    categories = {c.id: c.name for c in TicketCategory.select()}
    people = {u.id: _staff_name(u) for u in User.select()}
    by_status = {status: 0 for status in STATUSES}
    by_category: dict[str, int] = {}
    by_technician: dict[str, int] = {}
    clocks = {"response": [0, 0, []], "resolution": [0, 0, []]}  # met, missed, minutes taken
    for t in rows:
        by_status[t.status] = by_status.get(t.status, 0) + 1
        name = categories.get(t.category_id, "") if t.category_id else ""
        by_category[name] = by_category.get(name, 0) + 1
        if t.assignee_id:
            who = people.get(t.assignee_id, "")
            by_technician[who] = by_technician.get(who, 0) + 1
        for clock, done_at, due in (("response", t.first_response_at, t.response_due),
                                    ("resolution", t.resolved_at, t.resolution_due)):
            state = _sla_state(done_at, due, now)
            if state == "met":
                clocks[clock][0] += 1
            elif state in ("missed", "late"):
                clocks[clock][1] += 1
            if done_at is not None:
                clocks[clock][2].append((done_at - t.created_at).total_seconds() / 60)
    result = dict(since=since, until=until, total=len(rows), by_status=by_status, by_category=by_category,
                  by_technician=by_technician)
    for clock, (met, missed, minutes) in clocks.items():
        measured = met + missed
        result[f"{clock}_sla"] = dict(met=met, missed=missed,
                                      percent=round(100 * met / measured, 1) if measured else None)
        result[f"average_{clock}_minutes"] = round(sum(minutes) / len(minutes), 1) if minutes else None
    return result
