"""Customers: first contact, the profile staff keep, consent, tags, search
and the timeline of everything that happened with them."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import peewee as pw

from .words import N_, say  # noqa: F401
from .audit import audit
from .clock import utcnow
from .hotsql import Hot, HotGet
from .models import Booking, Customer, CustomerTag, Message, Order, PointsEntry, QueueTicket, Tag, Ticket, User
from .phone import PhoneError, normalise

MAX_NAME = 100


class CustomerError(ValueError):
    """A customer change that cannot be made; the message is for people."""


_by_phone = HotGet(Customer, Customer.phone)  # every inbound text and API send looks one up


def customer_for(phone: str, *, now: dt.datetime | None = None) -> Customer:
    """The customer with this E.164 number, created on first contact."""
    customer = _by_phone(phone)
    if customer is None:
        # One statement, atomic by itself: no savepoint inside a caller's transaction (the API's
        # group commit), and a row added meanwhile by another process is simply kept.
        _NEW.execute(phone=phone, created_at=now or utcnow())
        customer = _by_phone(phone)
    return customer


# A first contact's row, its INSERT compiled once (hotsql.py): peewee writing it cost more than the write.
_NEW = Hot(lambda **row: Customer.insert(**row).on_conflict_ignore().as_rowcount(), phone=Customer.phone,
           created_at=Customer.created_at)


def set_consent(customer: Customer, *, reminder: bool | None = None, marketing: bool | None = None,
                by: User | None = None, via: str = "sms", now: dt.datetime | None = None) -> None:
    now = now or utcnow()
    changes = []
    if reminder is not None and customer.consent_reminder != reminder:
        customer.consent_reminder = reminder
        changes.append(f"reminder={'yes' if reminder else 'no'}")
    if marketing is not None and customer.consent_marketing != marketing:
        customer.consent_marketing = marketing
        changes.append(f"marketing={'yes' if marketing else 'no'}")
    customer.consent_changed_at = now
    customer.save()
    if changes:
        audit("consent", user=by, target=customer.phone, detail=f"{', '.join(changes)} via {via}", now=now)


# -- the profile --------------------------------------------------------------------

def clean_name(raw: str) -> str:
    """A person's name as they would write it, or CustomerError."""
    name = " ".join(unicodedata.normalize("NFC", raw or "").split())
    if not name:
        raise CustomerError(N_("a name is needed"))
    if len(name) > MAX_NAME:
        raise CustomerError(say(N_("a name has at most {n} characters"), n=MAX_NAME))
    if not re.fullmatch(r"[^\W\d_][\w .,'’()\-]*", name) or not any(ch.isalpha() for ch in name):
        raise CustomerError(N_("a name starts with a letter and has letters, spaces, dots, dashes or apostrophes"))
    return name


def clean_email(raw: str) -> str:
    email = (raw or "").strip()
    if email and (len(email) > 254 or not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email)):
        raise CustomerError(say(N_("{email} is not an e-mail address"), email=repr(email)))
    return email


def update_profile(customer: Customer, *, by: User | None = None, now: dt.datetime | None = None,
                   **fields) -> Customer:
    """Change name, address, email, notes or language; every change audited."""
    cleaners = {
        "name": lambda v: clean_name(v) if (v or "").strip() else "",
        "address": lambda v: _limit(v, 500, "an address"),
        "email": clean_email,
        "notes": lambda v: _limit(v, 5000, "notes"),
        "language": clean_language,
    }
    changed = []
    for name, value in fields.items():
        if name not in cleaners:
            raise CustomerError(f"unknown profile field {name}")
        value = cleaners[name](value)
        if getattr(customer, name) != value:
            setattr(customer, name, value)
            changed.append(name)
    if changed:
        customer.save()
        audit("customer.update", user=by, target=customer.phone, detail=", ".join(changed), now=now)
    return customer


def set_contact(customer: Customer, *, contact_name: str = "", contact_phone: str = "",
                salesperson: User | None = None, region: str = "ID", by: User | None = None,
                now: dt.datetime | None = None) -> Customer:
    """A business customer's contact person (name and phone) and the staff
    member who sells to it; empty clears them. Every change audited."""
    name = " ".join((contact_name or "").split())
    if name:
        name = clean_name(name)
    try:
        phone = normalise(contact_phone, region) if (contact_phone or "").strip() else ""
    except PhoneError as exc:
        raise CustomerError(exc.args[0]) from None  # its words and pattern, for the page to translate
    if salesperson is not None and (not salesperson.active or salesperson.role == "viewer"):
        raise CustomerError(N_("a salesperson is an active member of staff"))
    seller = salesperson.id if salesperson else None
    if (customer.contact_name, customer.contact_phone, customer.salesperson_id) != (name, phone, seller):
        customer.contact_name, customer.contact_phone, customer.salesperson = name, phone, salesperson
        customer.save()
        audit("customer.contact", user=by, target=customer.phone, now=now,
              detail=f"{name} {phone} salesperson {salesperson.username if salesperson else '-'}")
    return customer


def salespeople() -> list[User]:
    """Whom a customer's salesperson may be: active staff (not a read-only viewer)."""
    return list(User.select().where((User.active == True) & (User.role != "viewer"))  # noqa: E712
                .order_by(User.full_name, User.username))


def _limit(value: str, size: int, what: str) -> str:
    value = (value or "").strip()
    if len(value) > size:
        raise CustomerError(say(N_("{what} may have at most {n} characters"), what=what, n=size))
    return value


def clean_language(value: str) -> str | None:
    value = (value or "").strip().lower()
    if value in ("", "none"):
        return None
    if value not in ("id", "en"):
        raise CustomerError(N_("language is id or en"))
    return value


def add_customer(phone: str, *, name: str = "", region: str = "ID", by: User | None = None,
                 now: dt.datetime | None = None, **fields) -> Customer:
    """A customer staff add by hand; refuses a number that is already a customer."""
    try:
        e164 = normalise(phone, region)
    except PhoneError as exc:
        raise CustomerError(exc.args[0]) from None  # its words and pattern, for the page to translate
    if Customer.select().where(Customer.phone == e164).exists():
        raise CustomerError(say(N_("{phone} is already a customer"), phone=e164))
    with Customer._meta.database.atomic():  # a refused name or address leaves no empty customer behind
        customer = Customer.create(phone=e164, created_at=now or utcnow())
        audit("customer.add", user=by, target=e164, now=now)
        return update_profile(customer, by=by, now=now, name=name, **fields)


# -- tags ---------------------------------------------------------------------------------

def clean_tag(raw: str) -> str:
    tag = " ".join((raw or "").strip().lower().split())
    if not tag or len(tag) > 64:
        raise CustomerError(N_("a tag has 1 to 64 characters"))
    return tag


def tags_of(customer: Customer) -> list[str]:
    return sorted(t.name for t in Tag.select().join(CustomerTag).where(CustomerTag.customer == customer))


def set_tags(customer: Customer, names, *, by: User | None = None, now: dt.datetime | None = None) -> list[str]:
    wanted = sorted({clean_tag(n) for n in names if (n or "").strip()})
    with Customer._meta.database.atomic():
        CustomerTag.delete().where(CustomerTag.customer == customer).execute()
        for name in wanted:
            tag, _ = Tag.get_or_create(name=name)
            CustomerTag.create(customer=customer, tag=tag)
    audit("customer.tags", user=by, target=customer.phone, detail=", ".join(wanted), now=now)
    return wanted


# -- search and the timeline -------------------------------------------------------------

def search(query: str, *, region: str = "ID", limit: int = 50, offset: int = 0) -> list[Customer]:
    """By name (any part), or by any phone format: 0812…, +62812…, 62812…, a fragment."""
    query = (query or "").strip()[:100]
    rows = Customer.select().order_by(Customer.last_contact_at.desc(nulls="LAST"), Customer.id.desc())
    if query:
        digits = re.sub(r"\D", "", query)
        # A number (only what numbers are written with) is not looked for in the names:
        # with 100,000 customers that scan alone took longer than the page may.
        a_number = len(digits) >= 3 and re.fullmatch(r"[\d\s+\-().]+", query)
        condition = Customer.name.contains(query) if not a_number else None
        if len(digits) >= 3:
            try:
                # A whole number as the customer says it at the counter: it and the
                # numbers it begins, a range of the phone index (no scan).
                number = normalise(query, region)
                found = (Customer.phone >= number) & (Customer.phone < number + ":")  # ':' sorts after '9'
            except PhoneError:
                # "345-67" -> a fragment anywhere: read from the phone index alone, then the rows.
                found = Customer.id.in_(Customer.select(Customer.id).where(
                    Customer.phone.contains(digits.lstrip("0") or digits)))
            condition = found if condition is None else condition | found
        rows = rows.where(condition)
    return list(rows.limit(limit).offset(offset))


def timeline(customer: Customer, limit: int = 200) -> list[dict]:
    """Everything that happened with this customer, newest first (`row`: the
    message, booking ... itself, for a page that words it in its own language)."""
    events: list[dict] = []
    for m in Message.select().where(Message.customer == customer).order_by(Message.id.desc()).limit(limit):
        events.append(dict(at=m.created_at, kind=f"sms-{m.direction}", text=m.text,
                           detail=m.state if m.direction == "out" else "", row=m))
    for b in Booking.select().where(Booking.customer == customer).order_by(Booking.id.desc()).limit(limit):
        events.append(dict(at=b.created_at, kind="booking", text=f"{b.service.name} {b.starts_at:%Y-%m-%d %H:%M} UTC",
                           detail=b.status, row=b))
    for q in QueueTicket.select().where(QueueTicket.customer == customer).order_by(QueueTicket.id.desc()).limit(limit):
        events.append(dict(at=q.created_at, kind="queue", text=f"queue number {q.number}", detail=q.status, row=q))
    for p in PointsEntry.select().where(PointsEntry.customer == customer).order_by(PointsEntry.id.desc()).limit(limit):
        events.append(dict(at=p.at, kind="points", text=f"{p.delta:+d} points: {p.reason}", detail=p.source, row=p))
    for t in Ticket.select().where(Ticket.customer == customer).order_by(Ticket.id.desc()).limit(limit):
        events.append(dict(at=t.created_at, kind="ticket", text=f"T-{t.number:04d} {t.summary}",
                           detail=t.status, row=t))
    for o in Order.select().where(Order.customer == customer).order_by(Order.id.desc()).limit(limit):
        shipped = f" {o.courier} {o.tracking}".rstrip() if o.courier else ""
        events.append(dict(at=o.created_at, kind="order", text=f"O-{o.number} total {o.total}{shipped}",
                           detail=o.status, row=o))
    events.sort(key=lambda e: e["at"], reverse=True)
    return events[:limit]


def count() -> int:
    return Customer.select(pw.fn.COUNT(Customer.id)).scalar() or 0
