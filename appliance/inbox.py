"""The inbox: what customers sent, from raw parts to conversations.

Raw parts are committed (a unique key makes re-reading harmless) before the
modem deletes them; complete groups become one `received` message; a group
still missing a part after the timeout is delivered with what arrived and
marked incomplete. A message nobody answered (an interrupted run) is found
again by `stranded` and `claim`ed by one worker.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import logging
import re
from typing import Iterable

import peewee as pw

from .clock import utcnow
from .customers import customer_for
from . import events
from .models import Customer, InboundPart, Message
from .outbox import clean_text
from .phone import PhoneError, normalise

log = logging.getLogger(__name__)


def _db() -> pw.Database:
    return Message._meta.database


def hand_to_staff(message: Message, *, handled: bool = False) -> None:
    """A text no robot should answer: it waits in the staff inbox."""
    changes = {"needs_staff": True}
    if handled:
        changes["state"] = "handled"
    Message.update(**changes).where(Message.id == message.id).execute()


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
        events.emit("message.received", events.message_data(message), now)
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

RECENT_TEXTS = 50_000  # a text search, and the robots' folder, read at most this many of the newest messages


def conversations(limit: int = 50, offset: int = 0, waiting_only: bool = False, folder: str = "") -> list[dict]:
    """One row per phone, newest activity first; or only those waiting for
    staff. `folder` "" is the customers' inbox, "robot" the operators' and
    short codes' texts.

    Walks the newest messages backwards until enough distinct phones are
    found: a shop with a million messages shows its inbox without grouping
    them all."""
    wanted = offset + limit
    query = Message.select(Message.id, Message.phone).where(Message.folder == folder)
    if folder:
        # Robots' texts are few and the folder has no index: look through the
        # newest messages only, so a million rows are never walked for them.
        newest = Message.select(pw.fn.MAX(Message.id)).scalar() or 0
        query = query.where(Message.id > newest - RECENT_TEXTS)
    if waiting_only:
        query = query.where(Message.needs_staff == True)  # noqa: E712
    phones = _walk(query, wanted, scan=2_000_000)
    if waiting_only:  # the newest message of each, waiting or not
        newest = dict(Message.select(Message.phone, pw.fn.MAX(Message.id)).where(
            Message.phone.in_(list(phones)[offset:wanted])).group_by(Message.phone).tuples())
        ids = [newest[p] for p in list(phones)[offset:wanted]]
    else:
        ids = list(phones.values())[offset:wanted]
    return _rows(ids)


def _walk(query, wanted: int, scan: int, among: set[str] | None = None) -> dict[str, int]:
    """Phone -> its newest message id, newest first: walks `query`'s messages
    backwards from the newest, in growing chunks, until `wanted` phones (of
    `among`, if given) are found or `scan` messages were read."""
    phones: dict[str, int] = {}
    before, chunk, scanned = None, 2000, 0
    while len(phones) < wanted and scanned < scan:
        page = query.where(Message.id < before) if before else query
        rows = Message._meta.database.execute(page.order_by(Message.id.desc()).limit(chunk)).fetchall()
        if not rows:
            break
        for message_id, phone in rows:
            if among is None or phone in among:
                phones.setdefault(phone, message_id)
        before = rows[-1][0]
        scanned += len(rows)
        chunk = min(chunk * 2, 50_000)
    return phones


def _rows(ids: list[int]) -> list[dict]:
    """The inbox rows for these newest-message ids: the newest message, the
    customer's own last text (staff read what they wrote, not our reply),
    and whether any text waits for staff."""
    by_id = {m.id: m for m in Message.select().where(Message.id.in_(ids))} if ids else {}
    phones = list({m.phone for m in by_id.values()})
    waiting = {row.phone for row in Message.select(Message.phone).where(
        Message.needs_staff == True, Message.phone.in_(phones))}  # noqa: E712
    # One query over the page's phones, through the phone index. (Naming the
    # direction in WHERE would let the planner walk half the table by its
    # direction index instead.)
    newest_in = (Message.select(pw.fn.MAX(pw.Case(None, [(Message.direction == "in", Message.id)])))
                 .where(Message.phone.in_(phones)).group_by(Message.phone))
    last_in = {m.phone: m for m in Message.select().where(Message.id.in_(newest_in))} if phones else {}
    return [dict(last=by_id[i], last_in=last_in.get(by_id[i].phone), phone=by_id[i].phone,
                 customer=by_id[i].customer, needs_staff=by_id[i].phone in waiting) for i in ids if i in by_id]


def search_phones(words: str, region: str = "ID", folder: str = "") -> set[str]:
    """The phones whose customer's name or number, or one of the recent
    inbound texts, contains `words`. A number may be written any way
    (0812..., +62812..., 62 812-...)."""
    words = " ".join((words or "").split())[:100]
    if not words:
        return set()
    phones: set[str] = set()
    digits = re.sub(r"[\s().-]", "", words)
    number = None
    if re.fullmatch(r"\+?[0-9]{3,20}", digits):
        try:
            number = normalise(digits, region)  # a whole number: a range of the phone index, no scan
            matching = (Customer.phone >= number) & (Customer.phone < number + ":")  # ':' sorts after '9'
        except PhoneError:
            national = re.sub(r"^(\+?62|0)", "", digits) if region == "ID" else digits.lstrip("+0")
            matching = Customer.phone.contains(national)
        phones |= {c.phone for c in Customer.select(Customer.phone).where(matching).limit(500)}
        phones |= {m.phone for m in Message.select(Message.phone).distinct().where(
            Message.phone.in_({digits, number or digits}), Message.folder == folder)}
    phones |= {m.phone for m in Message.select(Message.phone).distinct().where(
        Message.phone.in_([words, words.upper()]), Message.folder == folder)}  # TELKOMSEL, 3636
    if number is None:  # a whole phone number is looked for among the numbers only, not in names or texts
        phones |= {c.phone for c in Customer.select(Customer.phone).where(Customer.name.contains(words))
                   .limit(500)}
        # The newest messages by id only (the direction is checked here, and no
        # DISTINCT, so the planner keeps to that range of the primary key).
        newest = Message.select(pw.fn.MAX(Message.id)).scalar() or 0
        # Read off the cursor: a common word ("besok") matches thousands of rows.
        found = Message._meta.database.execute(Message.select(Message.phone, Message.direction).where(
            Message.id > newest - RECENT_TEXTS, Message.folder == folder, Message.text.contains(words)))
        phones |= {phone for phone, direction in found.fetchall() if direction == "in"}
    return phones


def search(words: str, region: str = "ID", limit: int = 50, folder: str = "") -> list[dict]:
    """Conversations found by `search_phones`, newest activity first."""
    return among(search_phones(words, region, folder), limit=limit, folder=folder)


def answered_by(user) -> set[str]:
    """"Mine": the conversations whose last staff reply is this user's. Staff
    replies are few beside the robot's, and the author column is indexed."""
    own = dict(Message.select(Message.phone, pw.fn.MAX(Message.id)).where(Message.author == user)
               .group_by(Message.phone).tuples())
    if not own:
        return set()
    last_staff = dict(Message.select(Message.phone, pw.fn.MAX(Message.id)).where(
        Message.phone.in_(list(own)) & Message.author.is_null(False)).group_by(Message.phone).tuples())
    return {phone for phone, newest in own.items() if last_staff.get(phone) == newest}


def texted_since(moment: dt.datetime, folder: str = "") -> set[str]:
    """The phones that texted the shop since `moment` (the start of the
    shop's day, for "today"): a range of the created_at index."""
    return {phone for phone, direction in Message.select(Message.phone, Message.direction).where(
        Message.created_at >= moment, Message.folder == folder).tuples() if direction == "in"}


WALK_AMONG, WALK_SCAN = 300, 20_000  # more phones than this are found by walking back at most this far


def among(phones: Iterable[str], *, limit: int = 50, offset: int = 0, waiting_only: bool = False,
          folder: str = "") -> list[dict]:
    """The conversations of these phones, newest activity first; or those of
    them waiting for staff."""
    phones = list(phones)
    if not phones:
        return []
    if waiting_only:
        phones = [row[0] for row in Message.select(Message.phone).distinct().where(
            Message.phone.in_(phones) & (Message.needs_staff == True)).tuples()]  # noqa: E712
        if not phones:
            return []
    # Each phone's newest id straight from the phone index (it holds the id);
    # naming the folder here would read every message of every phone. A
    # phone's texts share one folder (the robots' are the unanswerable
    # numbers), so the folder is checked on the newest row of each instead.
    wanted = offset + limit
    if len(phones) > WALK_AMONG:
        # Many phones (a common name or word): their newest messages are met
        # soon when walking back from the newest message of the shop.
        found = _walk(Message.select(Message.id, Message.phone).where(Message.folder == folder), wanted,
                      scan=WALK_SCAN, among=set(phones))
        if len(found) >= wanted:
            return _rows(list(found.values())[offset:wanted])
    latest = sorted((newest for _, newest in Message.select(Message.phone, pw.fn.MAX(Message.id)).where(
        Message.phone.in_(phones)).group_by(Message.phone).tuples()), reverse=True)
    return _rows(_in_folder(latest, folder, offset + limit)[offset:])


def _in_folder(ids: list[int], folder: str, wanted: int) -> list[int]:
    """The first `wanted` of these ids whose message is in `folder`, looked
    up a page at a time (nearly all are: a search rarely mixes folders)."""
    kept: list[int] = []
    start, step = 0, max(wanted * 2, 50)
    while len(kept) < wanted and start < len(ids):
        page = ids[start:start + step]
        found = {i for (i,) in Message.select(Message.id).where(Message.id.in_(page), Message.folder == folder).tuples()}
        kept += [i for i in page if i in found]
        start, step = start + step, min(step * 4, 900)  # 900: under SQLite's bound on a query's variables
    return kept[:wanted]


def thread(phone: str, limit: int = 200) -> list[Message]:
    rows = (Message.select().where(Message.phone == phone).order_by(Message.id.desc()).limit(limit))
    return list(reversed(list(rows)))
