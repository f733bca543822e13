"""Moving in: a shop's Gammu SMSD database (alone, or under Kalkun or
playSMS) becomes Loket's customers and their history.

The phonebooks give customers (their groups become tags); the inbox and
the sent items become each customer's messages, with their original times.
They are history, never work: received texts are stored `handled` (Loket
answers only `received` ones) and sent ones `sent`/`delivered`/`failed`,
never `queued`, so nothing is answered, alerted or sent again.

A number that is no phone (an operator's name such as TELKOMSEL, a short
code) is refused as a customer and reported; its texts are kept, in the
robots' folder, as Loket keeps such texts when they arrive live.

Re-running adds nothing twice: a message's key is its SMSD row
(`smsd:inbox:<ID>`, `smsd:sent:<ID>`, the Message table's unique
idempotency key), a customer's is the phone number. A customer already in
Loket keeps what staff wrote: an import only fills an empty name or e-mail
and adds tags.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time

import peewee as pw

from . import smsd_source
from .audit import audit
from .clock import utcnow
from .customers import CustomerError, clean_email, clean_name, clean_tag
from .models import Customer, CustomerTag, Message, Tag, User
from .phone import PhoneError, is_replyable, normalise
from .smsd_source import SourceError, Text, open_source  # noqa: F401 (the callers' one import)
from .words import N_, say  # noqa: F401

BATCH = 1000  # rows per transaction: the worker waits at most one batch for the write lock
BATCH_PAUSE = 0.12  # between batches: longer than SQLite's longest wait between two tries (as customers_csv)
LOOKUP = 500  # values per IN (…) query
STATES = {"DeliveryOK": "delivered", "SendingError": "failed", "Error": "failed", "DeliveryFailed": "failed"}


@dataclasses.dataclass
class Refusal:
    number: str
    reason: str
    contacts: int = 0
    messages: int = 0
    error: Exception | None = dataclasses.field(default=None, repr=False)  # for the reader's language


@dataclasses.dataclass
class Report:
    source: str
    dry_run: bool
    customers_new: int = 0
    customers_updated: int = 0
    customers_unchanged: int = 0
    messages_in: int = 0
    messages_out: int = 0
    messages_already: int = 0  # imported by an earlier run
    multipart_joined: int = 0
    incomplete: int = 0
    robots: int = 0  # texts kept in the robots' folder, with no customer
    refusals: list[Refusal] = dataclasses.field(default_factory=list)
    seconds: float = 0.0

    @property
    def messages(self) -> int:
        return self.messages_in + self.messages_out


@dataclasses.dataclass
class _Person:
    name: str = ""
    email: str = ""
    tags: set = dataclasses.field(default_factory=set)


def run(spec: str, *, region: str = "ID", tz: dt.tzinfo = dt.timezone.utc, dry_run: bool = False,
        by: User | None = None, now: dt.datetime | None = None) -> Report:
    """Read the source, compare with Loket's database, and (unless a dry run) write."""
    started = time.perf_counter()
    now = now or utcnow()
    source = open_source(spec)
    try:
        contacts = smsd_source.contacts(source)
        inbound, joined_in = smsd_source.received(source, tz)
        outbound, joined_out = smsd_source.sent(source, tz)
    finally:
        source.close()
    report = Report(source.label, dry_run, multipart_joined=joined_in + joined_out)
    people, texts, refusals = _plan(contacts, inbound + outbound, region)
    report.refusals = sorted(refusals.values(), key=lambda r: (-r.messages - r.contacts, r.number))
    new_texts = _not_imported(texts)
    report.messages_already = len(texts) - len(new_texts)
    report.messages_in = sum(1 for t, _ in new_texts if t.direction == "in")
    report.messages_out = len(new_texts) - report.messages_in
    report.incomplete = sum(1 for t, _ in new_texts if t.incomplete)
    report.robots = sum(1 for t, phone in new_texts if not phone.startswith("+"))
    _customers(people, new_texts, report, now, write=not dry_run)
    if not dry_run:
        _write_messages(new_texts, now)
        _touch_last_contact({phone for _, phone in new_texts if phone.startswith("+")})
        _recount_days(new_texts, tz, now)
        audit("customer.import_smsd", user=by, target=report.source[:128], now=now,
              detail=f"customers new {report.customers_new}, updated {report.customers_updated}; messages in "
                     f"{report.messages_in}, out {report.messages_out}; refused {len(report.refusals)}")
    report.seconds = time.perf_counter() - started
    return report


def _plan(contacts, texts: list[Text], region: str):
    """Numbers normalised once each: the people, the texts with their E.164
    number (or the robot's name as given), and the refusals."""
    phones: dict[str, str | PhoneError] = {}

    def phone_of(raw: str):
        if raw not in phones:
            try:
                phones[raw] = normalise(raw, region)
            except PhoneError as exc:
                phones[raw] = exc
        return phones[raw]

    people: dict[str, _Person] = {}
    refusals: dict[str, Refusal] = {}

    def refuse(raw: str, reason) -> Refusal:
        return refusals.setdefault(raw, Refusal(raw or "(empty)", str(reason), error=reason))

    for contact in contacts:
        phone = phone_of(contact.number)
        if isinstance(phone, PhoneError):
            refuse(contact.number, phone).contacts += 1
            continue
        person = people.setdefault(phone, _Person())
        person.name = person.name or contact.name
        person.email = person.email or contact.email
        person.tags |= {t for t in contact.tags if t.strip()}
    planned = []
    for text in texts:
        phone = phone_of(text.number)
        if isinstance(phone, PhoneError):
            refuse(text.number, phone).messages += 1
            phone = (text.number or "").strip()[:32] or "unknown"
        else:
            people.setdefault(phone, _Person())
        planned.append((text, phone))
    return people, planned, refusals


def _chunks(items, size: int = LOOKUP):
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _not_imported(texts: list[tuple[Text, str]]) -> list[tuple[Text, str]]:
    done = set()
    for keys in _chunks(t.key for t, _ in texts):
        done.update(k for (k,) in Message.select(Message.idempotency_key)
                    .where(Message.idempotency_key.in_(keys)).tuples())
    return [(t, p) for t, p in texts if t.key not in done]


def _clean(person: _Person) -> tuple[str, str, set[str]]:
    """The phonebook's values as Loket keeps them; one that does not fit is left out."""
    try:
        name = clean_name(person.name) if person.name else ""
    except CustomerError:
        name = person.name[:200]
    try:
        email = clean_email(person.email) if person.email else ""
    except CustomerError:
        email = ""
    tags = set()
    for tag in person.tags:
        try:
            tags.add(clean_tag(tag))
        except CustomerError:
            pass
    return name, email, tags


def _customers(people: dict[str, _Person], texts, report: Report, now: dt.datetime, write: bool) -> None:
    """Count (and write) new customers, names and e-mails filled, tags added."""
    first_seen: dict[str, dt.datetime] = {}
    for text, phone in texts:
        if phone not in first_seen or text.at < first_seen[phone]:
            first_seen[phone] = text.at
    database = Customer._meta.database
    tag_ids: dict[str, int] = {}
    for n, phones in enumerate(_chunks(sorted(people), BATCH)):
        if n and write:
            time.sleep(BATCH_PAUSE)
        with database.atomic():
            known = {row[1]: row for row in Customer.select(Customer.id, Customer.phone, Customer.name,
                                                            Customer.email).where(Customer.phone.in_(phones)).tuples()}
            linked = set()
            if known:
                linked = {(cid, name) for cid, name in CustomerTag.select(CustomerTag.customer, Tag.name).join(Tag)
                          .where(CustomerTag.customer.in_([row[0] for row in known.values()])).tuples()}
            new_rows, links = [], []
            for phone in phones:
                name, email, tags = _clean(people[phone])
                row = known.get(phone)
                if row is None:
                    report.customers_new += 1
                    new_rows.append({"phone": phone, "name": name, "email": email,
                                     "created_at": min(first_seen.get(phone, now), now)})
                    links += [(phone, t) for t in tags]
                    continue
                cid, _, old_name, old_email = row
                fill = {}
                if name and not old_name:
                    fill["name"] = name
                if email and not old_email:
                    fill["email"] = email
                missing = {t for t in tags if (cid, t) not in linked}
                if fill or missing:
                    report.customers_updated += 1
                else:
                    report.customers_unchanged += 1
                if write and fill:
                    Customer.update(**fill).where(Customer.id == cid).execute()
                links += [(phone, t) for t in missing]
            if not write:
                continue
            if new_rows:
                Customer.insert_many(new_rows).on_conflict_ignore().execute()
            if links:
                ids = {phone: cid for cid, phone in Customer.select(Customer.id, Customer.phone)
                       .where(Customer.phone.in_(sorted({p for p, _ in links}))).tuples()}
                for _, tag in links:
                    if tag not in tag_ids:
                        tag_ids[tag] = Tag.get_or_create(name=tag)[0].id
                CustomerTag.insert_many([{"customer": ids[p], "tag": tag_ids[t]} for p, t in links]
                                        ).on_conflict_ignore().execute()


def _write_messages(texts, now: dt.datetime) -> None:
    database = Message._meta.database
    ids: dict[str, int] = {}
    for phones in _chunks(sorted({p for _, p in texts if p.startswith("+")})):
        ids.update((phone, cid) for cid, phone in Customer.select(Customer.id, Customer.phone)
                   .where(Customer.phone.in_(phones)).tuples())
    for n, batch in enumerate(_chunks(texts, BATCH)):
        if n:
            time.sleep(BATCH_PAUSE)
        rows = [_row(text, phone, ids.get(phone), now) for text, phone in batch]
        with database.atomic():
            Message.insert_many(rows).on_conflict_ignore().execute()


def _row(text: Text, phone: str, customer_id, now: dt.datetime) -> dict:
    out = text.direction == "out"
    state = STATES.get(text.status, "sent") if out else "handled"
    return {"direction": text.direction, "customer": customer_id, "phone": phone, "text": text.text,
            "category": "transactional", "state": state, "priority": 0, "idempotency_key": text.key,
            "parts": text.parts, "encoding": text.encoding, "incomplete": text.incomplete,
            "created_at": text.at, "sent_at": text.at if out else None, "updated_at": now,
            "error": f"Gammu: {text.status}" if state == "failed" else "",
            "folder": "" if is_replyable(phone) else "robot", "needs_staff": False}


def _recount_days(texts, tz: dt.tzinfo, now: dt.datetime) -> None:
    """The reports' kept numbers per day, counted again from the first imported day."""
    if not texts:
        return
    from . import daily
    from .models import DailyCount
    first = min(t.at for t, _ in texts).astimezone(tz).date()
    DailyCount.delete().where((DailyCount.zone == daily.zone_key(tz)) & (DailyCount.day >= first)).execute()
    daily.backfill(tz, now=now)


def _touch_last_contact(phones: set[str]) -> None:
    """last_contact_at = the newest message, old or new, of each customer the import touched."""
    newest = (Message.select(pw.fn.MAX(Message.created_at)).where(Message.customer == Customer.id))
    for chunk in _chunks(sorted(phones)):
        with Customer._meta.database.atomic():
            Customer.update(last_contact_at=newest).where(Customer.phone.in_(chunk)).execute()
