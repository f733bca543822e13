"""Complaints and service tickets with an SLA (the ISP, the IT service desk).

Staff (or a customer's SMS, see tickets_sms.py) open a ticket; it gets a
number (`T-0042`) and its SLA clocks (tickets_sla.py). Staff assign a
technician, who gets the job by SMS. The customer hears of every step.

Statuses: new -> assigned -> pending -> resolved -> closed. Accepting and
being on the way are events, not statuses: the ticket stays `assigned`.
Every change is a TicketEvent (who, when, note) and an audit entry.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re

import peewee as pw

from .words import N_, say  # noqa: F401
from . import events, outbox, projects, replies, satisfaction, shopdata, tickets_sla, visit_texts
from .audit import audit
from .clock import UTC, as_utc, utcnow
from .conversation import Shop, shop_or_default
from .keywords import _tolerance, distance, fold
from .models import Customer, Ticket, TicketCategory, TicketEvent, User
from .phone import PhoneError, is_replyable, normalise
from .smstext import cut
from .tickets_sla import MAX_SLA_MINUTES

OPEN, DONE = ("new", "assigned", "pending"), ("resolved", "closed")
STATUSES = OPEN + DONE
SUPERVISOR_ROLES = ("owner", "admin")
# Whom the office hands tickets to: the people who go out and fix things.
# (Anyone on staff may still take a ticket themselves by SMS: OK T-0001.)
ASSIGNABLE_ROLES = ("technician",)
MAX_SUMMARY = 200
MAX_DETAIL = 10_000
MAX_NOTE = 2_000
MAX_REASON = 200
MAX_NUMBER = 2**31 - 1  # an INTEGER column: a bigger number cannot exist (and PostgreSQL would refuse the query)
NUMBER_ATTEMPTS = 20
# A phone that sends the same complaint twice (a resend after "failed") gets the first ticket back.
DUPLICATE_WINDOW = dt.timedelta(minutes=30)


class TicketError(ValueError):
    """A ticket change that cannot be made; the message is for people."""


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


def matching(words: str, region: str = "ID"):
    """The condition for tickets staff look for by 'T-0042' or 42, the customer's
    phone (written any way) or name, or words of the complaint."""
    words = " ".join((words or "").split())[:100]
    people = Customer.name.contains(words)
    with contextlib.suppress(PhoneError):
        people |= Customer.phone == normalise(words, region)
    found = (Ticket.summary.contains(words) | Ticket.detail.contains(words)
             | Ticket.customer.in_(Customer.select(Customer.id).where(people)))
    number = parse_number(words)
    return found | (Ticket.number == number) if number is not None and 0 < number <= MAX_NUMBER else found


def _next_number() -> int:
    highest = Ticket.select(pw.fn.MAX(Ticket.number)).scalar() or 0
    return max(highest + 1, shopdata.setting("ticket_first_number"))


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
    default = fold(shopdata.setting("ticket_default_category"))
    return next((c for c in categories if fold(c.name) == default), None) if default else None


def save_category(name: str, *, words: str = "", response_minutes: int = 60, resolution_minutes: int = 24 * 60,
                  warn_percent: int = 80, category: TicketCategory | None = None, by: User | None = None,
                  now: dt.datetime | None = None) -> TicketCategory:
    """Create or change a category (staff UI); TicketError says what is wrong."""
    now = now or utcnow()
    name = " ".join((name or "").split())
    if not name:
        raise TicketError(N_("a category needs a name"))
    if len(name) > 64:
        raise TicketError(N_("a category name has at most 64 characters"))
    response_minutes = _whole(response_minutes, N_("the response time"), 1, MAX_SLA_MINUTES)
    resolution_minutes = _whole(resolution_minutes, N_("the resolution time"), 1, MAX_SLA_MINUTES)
    warn_percent = _whole(warn_percent, N_("the warning threshold"), 1, 99)
    if resolution_minutes < response_minutes:
        raise TicketError(N_("the resolution time cannot be shorter than the response time"))
    clash = TicketCategory.select().where(pw.fn.LOWER(TicketCategory.name) == name.lower())
    if category is not None:
        clash = clash.where(TicketCategory.id != category.id)
    if clash.exists():
        raise TicketError(say(N_("there is already a category called {name}"), name=repr(name)))
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
    audit(action, user=by, target=name, now=now,
          detail=f"response {response_minutes} min, resolution {resolution_minutes} min, "
                     f"warn at {warn_percent}%, words: {fields['words']}")
    return category


def _whole(value, what: str, low: int, high: int) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise TicketError(say(N_("{what} must be a whole number"), what=what)) from None
    if not low <= number <= high:
        raise TicketError(say(N_("{what} must be between {low} and {high}"), what=what, low=low, high=high))
    return number


# -- texts -----------------------------------------------------------------------------------

def clean_text(text: str) -> str:
    """One line, single spaces, no control characters."""
    return " ".join(outbox.clean_text(text or "").split())


def meaningful(text: str) -> bool:
    """Has at least a letter or a digit: an emoji or '???' alone says nothing we can act on."""
    return any(ch.isalnum() for ch in text or "")


def staff_name(user: User | None) -> str:
    if user is None:
        return "-"
    return user.full_name or user.username


# -- the ticket's life -----------------------------------------------------------------------

def _fresh(ticket: Ticket | int) -> Ticket:
    """The ticket as stored now: a form or an SMS may act on an old copy."""
    return Ticket.get_by_id(ticket.id if isinstance(ticket, Ticket) else ticket)


def record(ticket: Ticket, kind: str, by: User | None, now: dt.datetime, note: str = "",
            **fields) -> TicketEvent:
    """Change the ticket, add the event to its history and to the audit trail."""
    if ticket.status == "pending" and fields.get("status", "pending") != "pending":
        fields.update(tickets_sla.resumed(ticket, now))
    if fields:
        fields["updated_at"] = now
        Ticket.update(**fields).where(Ticket.id == ticket.id).execute()
        for name, value in fields.items():
            setattr(ticket, name, value)
    event = TicketEvent.create(ticket=ticket, at=now, user=by, kind=kind, note=note)
    audit(f"ticket.{kind}", user=by, target=label(ticket), detail=note, now=now)
    events.ticket_changed(ticket, kind, note, now)
    return event


def _tell_customer(ticket: Ticket, template: str, event: TicketEvent, shop: Shop, now: dt.datetime,
                   **values) -> None:
    customer = ticket.customer
    if not is_replyable(customer.phone):
        return
    language = customer.language or shop.default_language
    text = replies.reply(template, language, shop=shop.name, number=label(ticket), **values)
    outbox.queue_outbound(customer.phone, text, category="transactional", customer=customer,
                          key=f"ticket:{ticket.id}:{event.kind}:{event.id}", template=template, now=now)


def _first_response(ticket: Ticket, now: dt.datetime) -> dict:
    return {} if ticket.first_response_at else {"first_response_at": now}


def open_ticket(customer: Customer, text: str, *, by: User | None = None, source: str = "sms",
                now: dt.datetime | None = None, category: TicketCategory | None = None,
                detail: str = "", shop: Shop | None = None, service_point=None) -> Ticket:
    """A new ticket from a complaint. The category is guessed from its words
    unless given; the SLA clocks start now, with the service point's and the
    customer's running project's times (tickets_sla.effective). A ticket opened
    by staff (a phone call) texts the customer its number; one opened by SMS
    is answered by the responder."""
    now = now or utcnow()
    if source not in ("sms", "staff"):
        raise TicketError(N_("a ticket comes from an SMS or from staff"))
    text = clean_text(text)
    if not meaningful(text):
        raise TicketError(N_("please describe the problem"))
    detail = outbox.clean_text(detail or "").strip()
    if len(text) > MAX_SUMMARY and not detail:
        detail = text  # the whole complaint is kept; the summary is its start
    summary = cut(text, MAX_SUMMARY)
    detail = detail[:MAX_DETAIL]
    if category is None:
        category = guess_category(text)
    project = projects.running(customer, now, shop_or_default(shop).tz)
    sla = tickets_sla.effective(category, service_point, project)
    database = Ticket._meta.database
    for _ in range(NUMBER_ATTEMPTS):
        try:
            with database.atomic():
                ticket = Ticket.create(
                    number=_next_number(), customer=customer, category=category, summary=summary,
                    detail=detail, status="new", created_at=now, updated_at=now, service_point=service_point,
                    project=project, **tickets_sla.dues(sla, now))
            break
        except pw.IntegrityError:
            continue  # another complaint took this number at the same moment: take the next one
    else:
        raise TicketError(N_("could not give the ticket a number; please try again"))
    event = record(ticket, "opened", by, now,
                    note=f"via {source}; category {category.name if category else '-'}; {summary}")
    if source == "staff":
        _tell_customer(ticket, "ticket_opened", event, shop_or_default(shop), now)
    return ticket


def assign(ticket: Ticket, technician: User, by: User | None = None, now: dt.datetime | None = None, *,
           shop: Shop | None = None) -> Ticket:
    """Give the ticket to a technician: they get the job by SMS (number,
    summary, the customer's name, phone and address, the visit's time), the customer hears a
    technician is assigned. Assigning the same technician again changes nothing."""
    now = now or utcnow()
    shop = shop_or_default(shop)
    ticket = _fresh(ticket)
    if technician is None or not technician.active:
        raise TicketError(N_("choose an active staff member"))
    if ticket.status in DONE:
        raise TicketError(say(N_("{ticket} is {status}; reopen it first"), ticket=label(ticket), status=ticket.status))
    if ticket.assignee_id == technician.id and ticket.status == "assigned":
        return ticket  # a second click of the same form
    with Ticket._meta.database.atomic():
        event = record(ticket, "assigned", by, now, note=staff_name(technician),
                        status="assigned", assignee=technician, pending_reason="")
        times = (TicketEvent.select().where((TicketEvent.ticket == ticket) & (TicketEvent.kind == "assigned"))
                 .count())
        if technician.phone and is_replyable(technician.phone):
            template, text = visit_texts.technician_job(ticket, label(ticket), technician, shop)
            outbox.queue_outbound(technician.phone, text, category="transactional",
                                  key=f"ticket:{ticket.id}:assigned:{technician.id}:{times}",
                                  template=template, now=now)
        _tell_customer(ticket, "ticket_assigned", event, shop, now, technician=staff_name(technician))
    return ticket


def accept(ticket: Ticket, by: User | None, now: dt.datetime | None = None, *,
           shop: Shop | None = None) -> Ticket:
    """The technician takes the job (`OK T-0042`): the first response."""
    now = now or utcnow()
    ticket = _fresh(ticket)
    _must_be_open(ticket)
    if ticket.assignee_id is None:
        raise TicketError(say(N_("{ticket} has no technician yet"), ticket=label(ticket)))
    if TicketEvent.select().where((TicketEvent.ticket == ticket) & (TicketEvent.kind == "accepted")
                                  & (TicketEvent.at >= _last_assigned_at(ticket))).exists():
        return ticket  # accepted already since it was (re)assigned
    with Ticket._meta.database.atomic():
        event = record(ticket, "accepted", by, now, note=staff_name(by), **_first_response(ticket, now))
        _tell_customer(ticket, "ticket_accepted", event, shop_or_default(shop), now,
                       technician=staff_name(ticket.assignee))
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
        raise TicketError(say(N_("{ticket} has no technician yet"), ticket=label(ticket)))
    last = ticket.events.order_by(TicketEvent.id.desc()).first()
    if last is not None and last.kind == "on_the_way":
        return ticket  # said twice
    with Ticket._meta.database.atomic():
        event = record(ticket, "on_the_way", by, now, note=staff_name(by), status="assigned",
                        pending_reason="", **_first_response(ticket, now))
        _tell_customer(ticket, "ticket_on_the_way", event, shop_or_default(shop), now,
                       technician=staff_name(ticket.assignee))
    return ticket


def set_pending(ticket: Ticket, reason: str, by: User | None, now: dt.datetime | None = None, *,
                shop: Shop | None = None) -> Ticket:
    """On hold, with the reason the customer is told (`TUNDA T-0042 tunggu modem baru`)."""
    now = now or utcnow()
    ticket = _fresh(ticket)
    _must_be_open(ticket)
    reason = cut(clean_text(reason), MAX_REASON)
    if not meaningful(reason):
        raise TicketError(N_("say why the ticket waits"))
    if ticket.status == "pending" and ticket.pending_reason == reason:
        return ticket
    with Ticket._meta.database.atomic():
        event = record(ticket, "pending", by, now, note=reason, status="pending", pending_reason=reason,
                        **_first_response(ticket, now))
        _tell_customer(ticket, "ticket_pending", event, shop_or_default(shop), now, reason=cut(reason, 60))
    return ticket


def resolve(ticket: Ticket, resolution: str, by: User | None, now: dt.datetime | None = None, *,
            shop: Shop | None = None) -> Ticket:
    """Done, with what was done (`SELESAI T-0042 ganti kabel`)."""
    now = now or utcnow()
    ticket = _fresh(ticket)
    _must_be_open(ticket)
    resolution = outbox.clean_text(resolution or "").strip()[:MAX_DETAIL]
    with Ticket._meta.database.atomic():
        event = record(ticket, "resolved", by, now, note=resolution, status="resolved", resolution=resolution,
                        resolved_at=now, pending_reason="", **_first_response(ticket, now))
        if meaningful(resolution):
            _tell_customer(ticket, "ticket_resolved", event, shop_or_default(shop), now,
                           resolution=cut(clean_text(resolution), 60))
        else:
            _tell_customer(ticket, "ticket_resolved_plain", event, shop_or_default(shop), now)
        satisfaction.ask_after_ticket(ticket, now, shop_or_default(shop).name)
    return ticket


def close(ticket: Ticket, by: User | None, now: dt.datetime | None = None, note: str = "") -> Ticket:
    """Filed away (after resolving, or a duplicate): no SMS to the customer."""
    now = now or utcnow()
    ticket = _fresh(ticket)
    if ticket.status == "closed":
        return ticket
    record(ticket, "closed", by, now, note=cut(clean_text(note), MAX_NOTE), status="closed", closed_at=now)
    return ticket


def reopen(ticket: Ticket, by: User | None, now: dt.datetime | None = None, note: str = "") -> Ticket:
    """Back to work: assigned when it has a technician, else new. Its SLA
    due times stay as they were: the customer has waited since the start."""
    now = now or utcnow()
    ticket = _fresh(ticket)
    if ticket.status not in DONE:
        raise TicketError(say(N_("{ticket} is still open"), ticket=label(ticket)))
    record(ticket, "reopened", by, now, note=cut(clean_text(note), MAX_NOTE),
            status="assigned" if ticket.assignee_id else "new", resolved_at=None, closed_at=None)
    return ticket


def note(ticket: Ticket, text: str, by: User | None, now: dt.datetime | None = None) -> TicketEvent:
    """A line in the ticket's history; the customer is not told."""
    now = now or utcnow()
    ticket = _fresh(ticket)
    text = outbox.clean_text(text or "").strip()
    if not meaningful(text):
        raise TicketError(N_("a note needs some text"))
    Ticket.update(updated_at=now).where(Ticket.id == ticket.id).execute()
    return record(ticket, "note", by, now, note=text[:MAX_NOTE])


def edit(ticket: Ticket, summary: str, category: TicketCategory | None, by: User | None,
         now: dt.datetime | None = None) -> Ticket:
    """Staff correct a ticket's summary and category. A new category brings
    its own SLA to the clocks still running (a pause already counted stays),
    unless the ticket's service point or project sets those times."""
    now = now or utcnow()
    ticket = _fresh(ticket)
    summary = " ".join(outbox.clean_text(summary or "").split())
    if not meaningful(summary):
        raise TicketError(N_("a ticket needs a summary"))
    if len(summary) > MAX_SUMMARY:
        raise TicketError(say(N_("a summary has at most {max} characters"), max=MAX_SUMMARY))
    changes, said = {}, []
    if summary != ticket.summary:
        changes["summary"], said = summary, [f"summary: {summary}"]
    if (category.id if category else None) != ticket.category_id:
        changes["category"], said = category, said + [f"category: {category.name if category else '-'}"]
        changes.update(tickets_sla.shifted(ticket, tickets_sla.sla_of(ticket),
                                           tickets_sla.sla_of(ticket, category=category)))
    if changes:
        record(ticket, "changed", by, now, note="; ".join(said), **changes)
    return ticket


def _must_be_open(ticket: Ticket) -> None:
    if ticket.status in DONE:
        raise TicketError(say(N_("{ticket} is already {status}"), ticket=label(ticket), status=ticket.status))


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


def assignable(user_id: int | None = None):
    """Whom the office can give a ticket to (the assign list); with an id,
    that one person or None."""
    query = User.select().where(User.role.in_(ASSIGNABLE_ROLES) & (User.active == True))  # noqa: E712
    if user_id is not None:
        return query.where(User.id == user_id).first()
    return list(query.order_by(User.username))


def may_see(user: User, ticket: Ticket) -> bool:
    """A technician works on his own tickets only; the office sees them all."""
    return user.role != "technician" or ticket.assignee_id == user.id


def visible_to(user: User, query=None):
    """The tickets of a query this user may open (every ticket by default)."""
    query = Ticket.select() if query is None else query
    return query.where(Ticket.assignee == user) if user.role == "technician" else query


# -- for staff: the job card and the report -------------------------------------------------------

def job_card(ticket: Ticket, tz: dt.tzinfo = UTC) -> dict:
    """Everything a printed job card shows; times are aware, in `tz` (the shop's zone)."""
    ticket = _fresh(ticket)
    customer = ticket.customer
    technician = ticket.assignee

    def at(value):
        return None if value is None else as_utc(value).astimezone(tz)

    history = [dict(at=at(e.at), kind=e.kind, user=staff_name(e.user) if e.user_id else "", note=e.note)
               for e in ticket.events.order_by(TicketEvent.at, TicketEvent.id)]
    return dict(
        number=label(ticket), status=ticket.status,
        category=ticket.category.name if ticket.category_id else "",
        summary=ticket.summary, detail=ticket.detail,
        customer=dict(name=customer.name, phone=customer.phone, address=customer.address,
                      contact_name=customer.contact_name, contact_phone=customer.contact_phone),
        technician=None if technician is None else dict(name=staff_name(technician), phone=technician.phone or ""),
        created_at=at(ticket.created_at), response_due=at(ticket.response_due),
        resolution_due=at(ticket.resolution_due), first_response_at=at(ticket.first_response_at),
        resolved_at=at(ticket.resolved_at), closed_at=at(ticket.closed_at), visit_at=at(ticket.visit_at),
        pending_reason=ticket.pending_reason, resolution=ticket.resolution,
        sla={name: clock.state for name, clock in tickets_sla.clocks(ticket).items()},
        history=history,
        # The paper part: lines the technician fills in at the customer's, and who signs.
        blank_lines=6,
        signatures=[dict(role="technician", label_id="Teknisi", label_en="Technician"),
                    dict(role="customer", label_id="Pelanggan", label_en="Customer")],
    )


def report(since: dt.datetime, until: dt.datetime, *, now: dt.datetime | None = None) -> dict:
    """Tickets opened in [since, until): counts by status, category and
    technician; the share that met each SLA (a ticket still open past its due
    time counts as missed, one open within time is not counted yet); average
    response and resolution times in minutes."""
    now = now or utcnow()
    if until <= since:
        raise TicketError(N_("the report's end must be after its start"))
    rows = list(Ticket.select().where((Ticket.created_at >= since) & (Ticket.created_at < until))
                .order_by(Ticket.id))
    categories = {c.id: c.name for c in TicketCategory.select()}
    people = {u.id: staff_name(u) for u in User.select()}
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
            state = tickets_sla.state(done_at, due, now)
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
