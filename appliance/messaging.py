"""The message pipeline's bookkeeping: the outbox and the inbox as rows.

Outbound: a committed `queued` row first; the worker leases it (`sending`,
with its id and the attempt number), hands it to a modem, and records
`sent` with the network's reference per part, or `failed` with a reason, or
puts it back with a later `next_attempt_at`. A row still `sending` when a
worker starts was interrupted by a crash: it becomes `unknown` and its
category decides whether it goes out again.

Inbound: raw parts are committed (a unique key makes re-reading harmless)
before the modem deletes them; complete groups become one `received`
message; a group still missing a part after the timeout is delivered with
what arrived and marked incomplete.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import logging
import random
import weakref
from typing import Callable, Iterable, Sequence

import peewee as pw


from .clock import utcnow
from .crm import customer_for
from .models import PRIORITY, Customer, InboundPart, Message, OutboundPart, User

log = logging.getLogger(__name__)

# Categories whose `unknown` rows are sent again after a crash: a customer
# would rather get a confirmation twice than never; a promotion never twice.
RESEND_UNKNOWN = frozenset({"transactional", "reminder"})
MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 5
BACKOFF_CAP_SECONDS = 30 * 60


def _db() -> pw.Database:
    return Message._meta.database


# -- outbound ------------------------------------------------------------------

def queue_outbound(phone: str, text: str, *, category: str = "transactional",
                   customer: Customer | None = None, key: str | None = None,
                   reply_to: Message | None = None, author: User | None = None,
                   template: str = "", send_at: dt.datetime | None = None,
                   now: dt.datetime | None = None) -> tuple[Message, bool]:
    """Commit an outbound row. Returns (row, created).

    With an idempotency key, a second call with the same key returns the
    first row and creates nothing.
    """
    if category not in PRIORITY:
        raise ValueError(f"unknown message category {category!r}")
    if key is not None:
        existing = Message.get_or_none(Message.idempotency_key == key)
        if existing is not None:
            return existing, False
    now = now or utcnow()
    try:
        with _db().atomic():
            row = Message.create(
                direction="out", phone=phone, text=clean_text(text), category=category,
                customer=customer, state="queued", priority=PRIORITY[category],
                idempotency_key=key, reply_to=reply_to, author=author, template=template,
                send_at=send_at, created_at=now, updated_at=now)
    except pw.IntegrityError:
        if key is None:
            raise
        return Message.get(Message.idempotency_key == key), False
    return row, True


def queue_many(recipients: Iterable[tuple[Customer | None, str, str]], *, category: str, key_prefix: str,
               send_at: dt.datetime | None = None, now: dt.datetime | None = None,
               campaign=None, template: str = "", chunk: int = 500) -> int:
    """Commit many outbound rows at once: a campaign, a batch of reminders.

    `recipients` yields (customer, phone, text). Each row's idempotency key
    is `key_prefix` plus the phone, so re-running the same job after a crash
    adds only the rows that were missing. Returns the rows added.
    """
    if category not in PRIORITY:
        raise ValueError(f"unknown message category {category!r}")
    now = now or utcnow()
    added = 0
    batch: list[dict] = []

    def flush():
        nonlocal added
        if batch:
            with _db().atomic():
                added += Message.insert_many(batch).on_conflict_ignore().as_rowcount().execute()
            batch.clear()

    for customer, phone, text in recipients:
        batch.append(dict(direction="out", phone=phone, text=clean_text(text), category=category,
                          customer=customer.id if customer else None, state="queued",
                          priority=PRIORITY[category], idempotency_key=f"{key_prefix}{phone}",
                          send_at=send_at, created_at=now, updated_at=now, template=template,
                          campaign=campaign.id if campaign is not None else None))
        if len(batch) >= chunk:
            flush()
    flush()
    return added


def due_outbound(now: dt.datetime, limit: int = 100, *, hold_low: bool = False,
                 clock_trusted: bool = True) -> list[Message]:
    """Queued rows that may go now, most urgent first.

    `hold_low`: reminders and promotions wait (quiet hours, the daily cap).
    Without a trusted clock, scheduled rows and every reminder and promotion
    wait: whether it is quiet hours, or time for a reminder, is unknowable.
    """
    due = ((Message.direction == "out") & (Message.state == "queued")
           & (Message.next_attempt_at.is_null() | (Message.next_attempt_at <= now)))
    if clock_trusted:
        due &= Message.send_at.is_null() | (Message.send_at <= now)
    else:
        due &= Message.send_at.is_null()
    if hold_low or not clock_trusted:
        due &= Message.category == "transactional"
    return list(Message.select().where(due).order_by(Message.priority, Message.id).limit(limit))


def skip_stale(now: dt.datetime, grace: dt.timedelta) -> int:
    """Scheduled reminders and promotions far past their time are skipped, not
    sent: after a clock jump (1970 -> today) or a long outage, a burst of
    yesterday's reminders would only confuse customers."""
    cutoff = now - grace
    stale = ((Message.direction == "out") & (Message.state == "queued")
             & Message.category.in_(["reminder", "marketing"])
             & Message.send_at.is_null(False) & (Message.send_at < cutoff))
    count = (Message.update(state="cancelled", updated_at=now,
                            error=f"skipped: it was due more than {grace} ago (clock jump or long outage)")
             .where(stale).execute())
    if count:
        log.warning("skipped %d scheduled messages that were due before %s", count, cutoff.isoformat())
    return count


def parts_sent_since(modem: str, since: dt.datetime) -> int:
    """SMS parts this modem has handed to the network since a moment."""
    return OutboundPart.select().where((OutboundPart.modem == modem) & (OutboundPart.sent_at >= since)).count()


def _consent_allows():
    """True for a row whose customer (if any) allows its category, now."""
    customer = Customer.alias()
    return (
        (Message.category == "transactional") | Message.customer.is_null()
        | pw.fn.EXISTS(customer.select(customer.id).where(
            (customer.id == Message.customer)
            & (((Message.category == "reminder") & (customer.consent_reminder == True))  # noqa: E712
               | ((Message.category == "marketing") & (customer.consent_marketing == True))))))  # noqa: E712


class _Hot:
    """A statement the worker runs for every outbound message, compiled once.

    Building a query's SQL is peewee's slowest part: for the lease and the
    `sent` record it cost as much as the database work itself. Here peewee
    writes the SQL once per database, from the same query as always, built
    with a sentinel in place of each value that changes (`slots`: name ->
    the field whose `db_value` converts it); each run then only binds the
    values, in the places where the sentinels were found. The statement,
    its constants and the values' conversion are peewee's own, so it runs
    exactly as `build(**values).execute()` would (tests/test_hot_queries.py
    compares the two on SQLite and PostgreSQL).
    """

    def __init__(self, build: Callable[..., pw.Query], **slots: pw.Field):
        self.build = build
        self.slots = slots
        self._compiled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    @staticmethod
    def _sentinel(field: pw.Field, k: int):
        if isinstance(field, pw.DateTimeField):
            return dt.datetime(1901, 2, 3, 4, 5, 6, 700_000 + k, tzinfo=dt.timezone.utc)
        if isinstance(field, (pw.IntegerField, pw.AutoField, pw.ForeignKeyField)):
            return -7_654_321_000 - k
        if isinstance(field, (pw.CharField, pw.TextField)):
            return f"\x00hot-{k}\x00"
        raise TypeError(f"no sentinel for {type(field).__name__}")

    def compile(self, database: pw.Database) -> tuple[str, list[tuple[bool, object]]]:
        """(sql, plan): each parameter is (True, slot name) or (False, constant)."""
        sentinels = {name: self._sentinel(field, k) for k, (name, field) in enumerate(self.slots.items())}
        marks = [(name, self.slots[name].db_value(value)) for name, value in sentinels.items()]
        sql, params = database.get_sql_context().sql(self.build(**sentinels)).query()
        plan: list[tuple[bool, object]] = []
        for param in params:
            names = [name for name, mark in marks if type(mark) is type(param) and mark == param]
            plan.append((True, names[0]) if names else (False, param))
        missing = set(self.slots) - {name for is_slot, name in plan if is_slot}
        if missing:  # inlined into the SQL text, or dropped: the plan would be wrong
            raise RuntimeError(f"hot query: {sorted(missing)} not found among the parameters of {sql}")
        return sql, plan

    def render(self, database: pw.Database, **values) -> tuple[str, list]:
        """The SQL and parameters for these values, as peewee would make them."""
        if isinstance(database, pw.DatabaseProxy):
            database = database.obj
        try:
            sql, plan = self._compiled[database]
        except KeyError:
            sql, plan = self._compiled[database] = self.compile(database)
        converted = {name: self.slots[name].db_value(value) for name, value in values.items()}
        return sql, [converted[x] if is_slot else x for is_slot, x in plan]

    def execute(self, **values) -> int:
        """Run it on the bound database; the rows it changed."""
        database = _db()
        sql, params = self.render(database, **values)
        return database.rows_affected(database.execute_sql(sql, params))


def lease(message: Message, owner: str, now: dt.datetime) -> bool:
    """Take one queued row for sending. False when someone else took it first,
    or when consent was withdrawn since it was queued (it is then cancelled).

    Consent is part of the same UPDATE: nothing can change between the check
    and the lease.
    """
    if _LEASE.execute(id=message.id, owner=owner, now=now):
        return True
    queued = (Message.id == message.id) & (Message.state == "queued")
    if message.category != "transactional" and message.customer_id:
        Message.update(state="cancelled", error="the customer opted out before it was sent",
                       updated_at=now).where(queued & ~_consent_allows()).execute()
    return False


def _lease_query(id, owner, now):
    return (Message.update(state="sending", lease_owner=owner, attempts=Message.attempts + 1, updated_at=now)
            .where((Message.id == id) & (Message.state == "queued") & _consent_allows()))


_LEASE = _Hot(_lease_query, id=Message.id, owner=Message.lease_owner, now=Message.updated_at)


def _held(message_id: int, owner: str):
    return ((Message.id == message_id) & (Message.state == "sending") & (Message.lease_owner == owner))


def _sent_query(id, owner, now, modem, parts, encoding=None):
    changes = dict(state="sent", sent_at=now, updated_at=now, modem=modem, parts=parts, error="")
    if encoding is not None:
        changes["encoding"] = encoding
    return Message.update(**changes).where(_held(id, owner))


def _part_query(message, part_no, reference, modem, now):
    # As a row count: peewee would otherwise add RETURNING on PostgreSQL at run time.
    return OutboundPart.insert(message=message, part_no=part_no, reference=reference, modem=modem,
                               sent_at=now, updated_at=now).as_rowcount()


_SENT_SLOTS = dict(id=Message.id, owner=Message.lease_owner, now=Message.updated_at, modem=Message.modem,
                   parts=Message.parts)
_SENT = _Hot(_sent_query, **_SENT_SLOTS)
_SENT_ENCODING = _Hot(_sent_query, **_SENT_SLOTS, encoding=Message.encoding)
_PART = _Hot(_part_query, message=OutboundPart.message, part_no=OutboundPart.part_no,
             reference=OutboundPart.reference, modem=OutboundPart.modem, now=OutboundPart.sent_at)


def mark_sent(message: Message, owner: str, references: Sequence[int], modem: str,
              now: dt.datetime, encoding: str | None = None) -> None:
    values = dict(id=message.id, owner=owner, now=now, modem=modem, parts=max(1, len(references)))
    with _db().atomic():
        held = _SENT_ENCODING.execute(**values, encoding=encoding) if encoding else _SENT.execute(**values)
        if held:
            for n, ref in enumerate(references, 1):
                _PART.execute(message=message.id, part_no=n, reference=ref, modem=modem, now=now)


def mark_failed(message: Message, owner: str, reason: str, now: dt.datetime) -> None:
    Message.update(state="failed", error=reason[:500], updated_at=now).where(
        _held(message.id, owner)).execute()


def retry_later(message: Message, owner: str, reason: str, now: dt.datetime,
                rng: random.Random | None = None) -> bool:
    """Put a row back after a transient error, with exponential backoff and
    jitter. Returns False when the attempts are used up (the row fails)."""
    attempts = Message.get_by_id(message.id).attempts
    if attempts >= MAX_ATTEMPTS:
        mark_failed(message, owner, f"gave up after {attempts} attempts: {reason}", now)
        return False
    delay = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempts - 1))
    delay *= (rng or random).uniform(0.5, 1.5)
    Message.update(state="queued", lease_owner="", error=reason[:500], updated_at=now,
                   next_attempt_at=now + dt.timedelta(seconds=delay)).where(
        _held(message.id, owner)).execute()
    return True


def mark_unknown(message: Message, owner: str, reason: str, now: dt.datetime) -> bool:
    """The modem took the message but never confirmed it: it may or may not
    have gone out. The crash policy applies (RESEND_UNKNOWN): a reply goes
    once more, flagged; a promotion never. Returns True when it was re-queued."""
    with _db().atomic():
        Message.update(state="unknown", error=f"{reason}"[:500], updated_at=now).where(
            _held(message.id, owner)).execute()
        return bool(Message.update(state="queued", lease_owner="", resent_after_crash=True, updated_at=now,
                                   next_attempt_at=now + dt.timedelta(seconds=BACKOFF_BASE_SECONDS)).where(
            (Message.id == message.id) & (Message.state == "unknown") & (Message.lease_owner == owner)
            & Message.category.in_(sorted(RESEND_UNKNOWN))
            & (Message.resent_after_crash == False)).execute())  # noqa: E712


def recover_interrupted(now: dt.datetime, owner_prefix: str = "") -> dict[str, int]:
    """Rows left `sending` by a crash: `unknown`, then re-queued where the
    category allows (flagged, since the customer may get it twice).

    Call it when a worker starts, before it sends anything. With several
    workers, `owner_prefix` limits it to this worker's own leases.
    """
    stranded = (Message.direction == "out") & (Message.state == "sending")
    if owner_prefix:
        stranded &= Message.lease_owner.startswith(owner_prefix)
    with _db().atomic():
        unknown = Message.update(state="unknown", updated_at=now,
                                 error="interrupted while sending: it may or may not have arrived").where(
            stranded).execute()
        resent = Message.update(state="queued", lease_owner="", resent_after_crash=True, updated_at=now).where(
            (Message.direction == "out") & (Message.state == "unknown")
            & Message.category.in_(sorted(RESEND_UNKNOWN))
            & (Message.resent_after_crash == False)).execute()  # noqa: E712
    return {"unknown": unknown, "requeued": resent}


def resend(message: Message, now: dt.datetime, by: User | None = None) -> Message:
    """Staff asked to send a failed, unknown or cancelled message again: a new
    row, so the first one's story stays as it was. Consent is checked again
    when it is sent."""
    row, _ = queue_outbound(message.phone, message.text, category=message.category,
                            customer=message.customer, reply_to=message.reply_to, author=by,
                            template=message.template, key=f"resend:{message.id}:{now.isoformat()}", now=now)
    Message.update(error=(message.error + f" (sent again as message {row.id})").strip(), superseded_by=row.id,
                   updated_at=now).where(Message.id == message.id).execute()
    return row


def needing_attention(limit: int = 50, offset: int = 0) -> list[Message]:
    """Outbound rows that failed, or may not have arrived, and that staff have
    not sent again: newest first."""
    return list(Message.select().where(
        (Message.direction == "out") & Message.state.in_(["failed", "unknown"]) & Message.superseded_by.is_null())
        .order_by(Message.id.desc()).limit(limit).offset(offset))


def attention_count(cap: int = 1000) -> int:
    """How many need a decision, counted up to `cap` (the dashboard shows "1000+")."""
    inner = (Message.select(Message.id).where(
        (Message.direction == "out") & Message.state.in_(["failed", "unknown"]) & Message.superseded_by.is_null())
        .limit(cap))
    return Message.select().from_(inner.alias("attention")).count()


# -- inbound -------------------------------------------------------------------

_CONTROL = dict.fromkeys(c for c in range(32) if chr(c) not in "\n\r\t")


def clean_text(text: str) -> str:
    """Control characters out (a NUL cannot be stored in PostgreSQL, and none
    of them means anything to a person); line breaks and tabs stay."""
    return (text or "").translate(_CONTROL)


def store_parts(parts: Iterable, modem: str, now: dt.datetime | None = None) -> int:
    """Commit raw parts (modem.base.InboundPart-like objects). A part already
    stored (same sender, SMSC time, reference and part number) is skipped.
    Returns the number of new parts. Once this returns, the modem may delete
    every one of them."""
    now = now or utcnow()
    rows = []
    for part in parts:
        if getattr(part, "is_status_report", False):
            continue
        text = clean_text(part.text)
        rows.append(dict(
            modem=modem, sender=part.sender[:32], smsc_time=part.smsc_time or now,
            concat_ref=part.concat_ref if part.concat_ref is not None else -1,
            part_no=part.part_no or 1, part_count=part.part_count or 1,
            text=text, coding=part.coding, raw=part.raw, received_at=now,
            digest=hashlib.sha256(f"{text}\x00{part.raw}".encode("utf-8", "surrogatepass")).hexdigest()[:16]))
    if not rows:
        return 0
    with _db().atomic():
        return InboundPart.insert_many(rows).on_conflict_ignore().as_rowcount().execute()


def apply_status_reports(parts: Iterable, modem: str, now: dt.datetime) -> int:
    """Status reports move the matching sent part, and its message when every
    part is settled, to `delivered` or `failed`."""
    changed = 0
    for part in parts:
        # "pending": the message centre is still trying; only a final report settles a part.
        if not getattr(part, "is_status_report", False) or part.status not in ("delivered", "failed"):
            continue
        with _db().atomic():
            sent = (OutboundPart.select().where(
                (OutboundPart.modem == modem) & (OutboundPart.reference == part.status_ref))
                .order_by(OutboundPart.id.desc()).first())
            if sent is None:
                continue
            sent.status = "delivered" if part.status == "delivered" else "failed"
            sent.updated_at = now
            sent.save()
            statuses = {p.status for p in OutboundPart.select().where(OutboundPart.message == sent.message_id)}
            if statuses == {"delivered"}:
                final = "delivered"
            elif "failed" in statuses:
                final = "failed"
            else:
                continue
            Message.update(state=final, updated_at=now,
                           error="" if final == "delivered" else "the network reported it undelivered").where(
                (Message.id == sent.message_id) & Message.state.in_(["sent", "unknown"])).execute()
            changed += 1
    return changed


UNREADABLE = "[an unreadable message arrived; its raw data is kept for diagnosis]"


def _join(parts: list[InboundPart]) -> str:
    # UCS-2 parts are joined as bytes before decoding: a phone may split an
    # emoji's surrogate pair across two parts.
    if parts and all(p.coding == "ucs2" and p.raw for p in parts):
        try:
            return b"".join(bytes.fromhex(p.raw) for p in parts).decode("utf-16-be", "replace")
        except ValueError:
            pass
    return "".join(p.text for p in parts)


def assemble(now: dt.datetime, timeout: dt.timedelta, region_key) -> list[Message]:
    """Turn stored parts into messages: complete groups at once, incomplete
    ones after `timeout`. `region_key(sender)` gives the customer key."""
    # Read to the end before writing: on SQLite, a query still being read keeps
    # its snapshot, and once another thread commits (the drain, sending) this
    # connection can no longer begin a write; BEGIN fails at once, and the
    # messages already created would never be answered.
    loose = list(InboundPart.select().where(InboundPart.message.is_null())
                 .order_by(InboundPart.sender, InboundPart.concat_ref, InboundPart.part_no))
    created = []
    groups = itertools.groupby(loose, key=lambda p: (p.sender, p.concat_ref if p.part_count > 1 else -p.id))
    for (sender, _), group in groups:
        group = list(group)
        try:
            message = _assemble_group(group, now, timeout, region_key)
        except Exception:  # this group waits for the next pass; the others go on
            log.exception("assembling the parts %s failed; they are tried again", [p.id for p in group])
            continue
        if message is not None:
            created.append(message)
    return created


def _assemble_group(group: list, now: dt.datetime, timeout: dt.timedelta, region_key) -> Message | None:
    """One sender's parts as one message, or None while parts are still awaited."""
    first = group[0]
    seen = {p.part_no for p in group}
    complete = first.part_count <= 1 or seen >= set(range(1, first.part_count + 1))
    if not complete and now - first.received_at < timeout:
        return None
    phone = region_key(first.sender)
    customer = customer_for(phone, now=now) if phone.startswith("+") else None
    with _db().atomic():
        unique = {p.part_no: p for p in group}
        ordered = [unique[n] for n in sorted(unique)]
        # A part the modem layer could not decode keeps its raw PDU; staff
        # see it, nobody answers it, and the next message goes on as usual.
        unreadable = any(p.coding == "raw" for p in ordered)
        message = Message.create(
            direction="in", phone=phone, customer=customer,
            text=UNREADABLE if unreadable else _join(ordered),
            state="handled" if unreadable else "received", needs_staff=unreadable,
            parts=len(ordered), encoding=first.coding,
            incomplete=not complete, modem=first.modem, created_at=min(p.smsc_time for p in group),
            updated_at=now)
        InboundPart.update(message=message).where(InboundPart.id.in_([p.id for p in group])).execute()
        if customer is not None:
            Customer.update(last_contact_at=now).where(Customer.id == customer.id).execute()
    return message


def stranded(now: dt.datetime, older_than: dt.timedelta, limit: int = 100) -> list[Message]:
    """Customers' messages stored but never answered (a crash or an error
    between storing and answering), oldest first."""
    return list(Message.select().where(Message.direction == "in", Message.state == "received",
                                       Message.updated_at < now - older_than).order_by(Message.id).limit(limit))


def claim(message: Message, now: dt.datetime) -> bool:
    """Take a stranded message for answering; False when another worker took
    it first (the update matches only the row as it was read)."""
    taken = Message.update(updated_at=now).where(Message.id == message.id, Message.state == "received",
                                                 Message.updated_at == message.updated_at).execute()
    if taken:
        message.updated_at = now
    return taken == 1


# -- reading, for the staff inbox ---------------------------------------------

def conversations(limit: int = 50, offset: int = 0, waiting_only: bool = False) -> list[dict]:
    """One row per phone, newest activity first; or only those waiting for staff.

    Walks the newest messages backwards until enough distinct phones are
    found: a shop with a million messages shows its inbox without grouping
    them all."""
    wanted = offset + limit
    phones: dict[str, int] = {}  # phone -> its newest message id, in order of recency
    query = Message.select(Message.id, Message.phone)
    if waiting_only:
        query = query.where(Message.needs_staff == True)  # noqa: E712
    before = None
    chunk = 2000
    scanned = 0
    while len(phones) < wanted and scanned < 2_000_000:
        page = query.where(Message.id < before) if before else query
        rows = list(page.order_by(Message.id.desc()).limit(chunk).tuples())
        if not rows:
            break
        for message_id, phone in rows:
            phones.setdefault(phone, message_id)
        before = rows[-1][0]
        scanned += len(rows)
        chunk = min(chunk * 2, 50_000)
    if waiting_only:  # the newest message of each, waiting or not
        newest = dict(Message.select(Message.phone, pw.fn.MAX(Message.id)).where(
            Message.phone.in_(list(phones)[offset:wanted])).group_by(Message.phone).tuples())
        ids = [newest[p] for p in list(phones)[offset:wanted]]
    else:
        ids = list(phones.values())[offset:wanted]
    by_id = {m.id: m for m in Message.select().where(Message.id.in_(ids))} if ids else {}
    waiting = {row.phone for row in Message.select(Message.phone).where(
        Message.needs_staff == True, Message.phone.in_([m.phone for m in by_id.values()]))}  # noqa: E712
    return [dict(last=by_id[i], phone=by_id[i].phone, customer=by_id[i].customer,
                 needs_staff=by_id[i].phone in waiting) for i in ids if i in by_id]


def thread(phone: str, limit: int = 200) -> list[Message]:
    rows = (Message.select().where(Message.phone == phone).order_by(Message.id.desc()).limit(limit))
    return list(reversed(list(rows)))
