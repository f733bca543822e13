"""The outbox: outbound messages as rows, from queued to settled.

A committed `queued` row first; the worker leases it (`sending`, with its
id and the attempt number), hands it to a modem, and records `sent` with the
network's reference per part, or `failed` with a reason, or puts it back
with a later `next_attempt_at`. Status reports settle each part as
`delivered` or `failed`. A row still `sending` when a worker starts was
interrupted by a crash: it becomes `unknown` and its category decides
whether it goes out again (RESEND_UNKNOWN).
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from typing import Iterable, NamedTuple, Sequence

import peewee as pw

from . import events
from .clock import utcnow
from .hotsql import Hot, HotGet
from .models import PRIORITY, Customer, Message, OutboundPart, User

log = logging.getLogger(__name__)

# Categories whose `unknown` rows are sent again after a crash: a customer
# would rather get a confirmation twice than never; a promotion never twice.
RESEND_UNKNOWN = frozenset({"transactional", "reminder"})
MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 5
BACKOFF_CAP_SECONDS = 30 * 60


def _db() -> pw.Database:
    return Message._meta.database


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
    now = now or utcnow()
    if key is not None:  # the API's send path: both statements compiled once (hotsql.py)
        # One statement, atomic by itself (no savepoint needed inside the API's group commit); a key
        # already there adds nothing, so no look-up first: a retry is the rare case.
        added = _ONE_QUEUED.execute(
            direction="out", phone=phone, text=clean_text(text), category=category,
            customer=customer.id if customer is not None else None, state="queued",
            priority=PRIORITY[category], idempotency_key=key, reply_to=reply_to.id if reply_to else None,
            author=author.id if author else None, template=template, send_at=send_at, created_at=now,
            updated_at=now)
        return by_key(key), added == 1  # not added: the key's first row, committed before or meanwhile
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


by_key = HotGet(Message, Message.idempotency_key)  # the outbound row with this idempotency key, or None


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
                added += _insert_queued(batch)
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


def _queued_query(**row):
    return Message.insert(**row).on_conflict_ignore().as_rowcount()


# The columns every queued row is written with; a campaign's rows add the campaign, one keyed send its
# reply and author.
_QUEUED_COLUMNS = dict(direction=Message.direction, phone=Message.phone, text=Message.text,
                       category=Message.category, customer=Message.customer, state=Message.state,
                       priority=Message.priority, idempotency_key=Message.idempotency_key, send_at=Message.send_at,
                       created_at=Message.created_at, updated_at=Message.updated_at, template=Message.template)
_QUEUED = Hot(_queued_query, **_QUEUED_COLUMNS, campaign=Message.campaign)
_ONE_QUEUED = Hot(_queued_query, **_QUEUED_COLUMNS, reply_to=Message.reply_to, author=Message.author)


def _insert_queued(rows: list[dict]) -> int:
    """Insert rows, skipping those whose key is there already; the rows added.

    On SQLite one prepared INSERT runs per row: peewee writing a 500-row
    INSERT's SQL was nine tenths of a 10,000-recipient campaign's fan-out.
    Elsewhere (PostgreSQL, a round trip per statement) the multi-row INSERT stays."""
    database = _db()
    if isinstance(getattr(database, "obj", database), pw.SqliteDatabase):
        return _QUEUED.execute_many(rows)
    return Message.insert_many(rows).on_conflict_ignore().as_rowcount().execute()


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
    # Only what sending needs: reading a row's five timestamps cost more than the rest of it.
    return list(Message.select(*_SENDING).where(due).order_by(Message.priority, Message.id).limit(limit))


# The columns a worker reads to send a row (lease, modem, outcome: see queue/worker.py).
_SENDING = (Message.id, Message.phone, Message.text, Message.category, Message.customer, Message.priority)


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


def spent_since(modem: str, since: dt.datetime) -> int:
    """Rupiah this modem's SIM spent on sends since a moment: each part at the
    price recorded when it went (Message.part_price)."""
    return (OutboundPart.select(pw.fn.COALESCE(pw.fn.SUM(Message.part_price), 0))
            .join(Message, on=(OutboundPart.message == Message.id))
            .where((OutboundPart.modem == modem) & (OutboundPart.sent_at >= since)).scalar()) or 0


def _consent_allows():
    """True for a row whose customer (if any) allows its category, now."""
    customer = Customer.alias()
    return (
        (Message.category == "transactional") | Message.customer.is_null()
        | pw.fn.EXISTS(customer.select(customer.id).where(
            (customer.id == Message.customer)
            & (((Message.category == "reminder") & (customer.consent_reminder == True))  # noqa: E712
               | ((Message.category == "marketing") & (customer.consent_marketing == True))))))  # noqa: E712


def lease(message: Message, owner: str, now: dt.datetime, sent: Sequence[Sent] = ()) -> bool:
    """Take one queued row for sending. False when someone else took it first,
    or when consent was withdrawn since it was queued (it is then cancelled).

    Consent is part of the same UPDATE: nothing can change between the check
    and the lease.

    `sent`: the sends this worker finished since its last lease, written in
    the same commit. One commit a message instead of two (each is an fsync
    with synchronous=FULL), and no wider window for a crash: those sends are
    over before this row is leased, and this row goes to a modem only after
    the commit returns. A crash before it leaves them `sending`, which the
    next start calls unknown, exactly as a crash between a send and its own
    commit always did; a leased row is never sent before its lease is durable.
    """
    with _db().atomic():
        for one in sent:
            _write_sent(one, owner)
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


_LEASE = Hot(_lease_query, id=Message.id, owner=Message.lease_owner, now=Message.updated_at)


def _held(message_id: int, owner: str):
    return ((Message.id == message_id) & (Message.state == "sending") & (Message.lease_owner == owner))


def _sent_query(id, owner, now, modem, parts, price, encoding=None):
    changes = dict(state="sent", sent_at=now, updated_at=now, modem=modem, parts=parts, part_price=price, error="")
    if encoding is not None:
        changes["encoding"] = encoding
    return Message.update(**changes).where(_held(id, owner))


def _part_query(message, part_no, reference, modem, now):
    # As a row count: peewee would otherwise add RETURNING on PostgreSQL at run time.
    return OutboundPart.insert(message=message, part_no=part_no, reference=reference, modem=modem,
                               sent_at=now, updated_at=now).as_rowcount()


_SENT_SLOTS = dict(id=Message.id, owner=Message.lease_owner, now=Message.updated_at, modem=Message.modem,
                   parts=Message.parts, price=Message.part_price)
_SENT = Hot(_sent_query, **_SENT_SLOTS)
_SENT_ENCODING = Hot(_sent_query, **_SENT_SLOTS, encoding=Message.encoding)
_PART = Hot(_part_query, message=OutboundPart.message, part_no=OutboundPart.part_no,
             reference=OutboundPart.reference, modem=OutboundPart.modem, now=OutboundPart.sent_at)


class Sent(NamedTuple):
    """A send the modem confirmed, to be written (see `lease` and `record_sent`)."""
    message_id: int
    references: Sequence[int]
    modem: str
    now: dt.datetime
    encoding: str | None = None
    price: int = 0  # what one part cost the shop (simcredit.part_price), for the reports


def _write_sent(sent: Sent, owner: str) -> None:
    values = dict(id=sent.message_id, owner=owner, now=sent.now, modem=sent.modem,
                  parts=max(1, len(sent.references)), price=sent.price)
    held = (_SENT_ENCODING.execute(**values, encoding=sent.encoding) if sent.encoding
            else _SENT.execute(**values))
    if held:
        for n, ref in enumerate(sent.references, 1):
            _PART.execute(message=sent.message_id, part_no=n, reference=ref, modem=sent.modem, now=sent.now)
        events.message_changed("message.sent", sent.message_id, sent.now)


def record_sent(sent: Iterable[Sent], owner: str) -> None:
    """Write confirmed sends (each only while this worker still holds its lease), in one commit."""
    sent = list(sent)
    if sent:
        with _db().atomic():
            for one in sent:
                _write_sent(one, owner)


def mark_sent(message: Message, owner: str, references: Sequence[int], modem: str,
              now: dt.datetime, encoding: str | None = None, price: int = 0) -> None:
    record_sent([Sent(message.id, references, modem, now, encoding, price)], owner)


def mark_failed(message: Message, owner: str, reason: str, now: dt.datetime) -> None:
    with _db().atomic():
        if Message.update(state="failed", error=reason[:500], updated_at=now).where(_held(message.id, owner)).execute():
            events.message_changed("message.failed", message.id, now)


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


_CONTROL = dict.fromkeys(c for c in range(32) if chr(c) not in "\n\r\t")


def clean_text(text: str) -> str:
    """Control characters out (a NUL cannot be stored in PostgreSQL, and none
    of them means anything to a person); line breaks and tabs stay."""
    return (text or "").translate(_CONTROL)


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
            if Message.update(state=final, updated_at=now,
                              error="" if final == "delivered" else "the network reported it undelivered").where(
                    (Message.id == sent.message_id) & Message.state.in_(["sent", "unknown"])).execute():
                events.message_changed(f"message.{final}", sent.message_id, now)
            changed += 1
    return changed
