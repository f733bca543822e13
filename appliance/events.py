"""What happened in the shop, for the owner's webhooks.

The domain code calls `emit(event, data)` where a thing happens. Each
webhook that asked for the event gets one row in the delivery queue
(HookDelivery), written on the same database connection: inside the
change's transaction where the caller has one, so a crash loses the change
and its deliveries together or neither (the outbox pattern). hookd.py sends
them. With no webhook registered, emit is one cached lookup and no write.

The registered hooks are cached per process for CACHE_SECONDS and re-read at
once when the stamp file (touched by every change on the Webhooks page)
moves: the web and the worker are separate processes.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
import time
import uuid
from pathlib import Path

from .clock import as_utc, utcnow
from .models import HookDelivery, Message, Webhook

log = logging.getLogger("loket.events")

# The events, in the order the Webhooks page lists them.
EVENTS = ("message.received", "message.sent", "message.delivered", "message.failed",
          "booking.made", "booking.moved", "booking.cancelled",
          "ticket.opened", "ticket.changed", "ticket.resolved",
          "order.made", "order.paid", "order.changed", "order.shipped",
          "sim.credit_low")

CACHE_SECONDS = 5.0
_lock = threading.Lock()
_cache: dict = {"at": -1e9, "stamp": None, "hooks": ()}
_stamp: Path | None = None


def use(data_dir) -> None:
    """Where the stamp file is (the data dir); every process calls this when it opens the database."""
    global _stamp
    _stamp = Path(data_dir) / "webhooks.stamp" if data_dir else None
    invalidate()


def _stamp_now():
    try:
        return os.stat(_stamp).st_mtime_ns if _stamp else None
    except OSError:
        return None


def changed() -> None:
    """The hooks changed: this process and (through the stamp) every other re-reads them."""
    if _stamp is not None:
        try:
            _stamp.touch()
            os.utime(_stamp, ns=(time.time_ns(), time.time_ns()))
        except OSError:
            log.warning("cannot touch %s: other processes see the change within %ss", _stamp, CACHE_SECONDS)
    invalidate()


def invalidate() -> None:
    with _lock:
        _cache["at"] = -1e9


def hooks() -> tuple[tuple[int, frozenset], ...]:
    """(id, events) of every enabled webhook, cached."""
    now, stamp = time.monotonic(), _stamp_now()
    with _lock:
        if now - _cache["at"] < CACHE_SECONDS and stamp == _cache["stamp"]:
            return _cache["hooks"]
    found = tuple((h.id, frozenset(h.events.split())) for h in
                  Webhook.select(Webhook.id, Webhook.events).where(Webhook.enabled == True))  # noqa: E712
    with _lock:
        _cache.update(at=now, stamp=stamp, hooks=found)
    return found


def body(event: str, data: dict, occurred_at: dt.datetime, event_id: str | None = None) -> tuple[str, str]:
    """(id, the JSON body) of one event."""
    event_id = event_id or uuid.uuid4().hex
    text = json.dumps({"id": event_id, "event": event, "occurred_at": as_utc(occurred_at).isoformat(timespec="seconds"),
                       "data": data}, ensure_ascii=False, separators=(",", ":"), default=str)
    return event_id, text


def wanted(event: str) -> bool:
    """Whether any enabled webhook wants `event` (cached): the caller may skip reading its data."""
    return any(event in chosen for _, chosen in hooks())


def emit(event: str, data: dict, now: dt.datetime | None = None, *, key: str = "") -> int:
    """Queue `event` for every webhook that wants it; returns how many rows were written.
    `key`: the event happens once per key (its id is derived from it; a repeat is dropped).
    Never raises: a webhook problem must not undo a text, a booking or an order."""
    if event not in EVENTS:
        raise ValueError(f"unknown event {event!r}")  # a programming mistake, found by the tests
    try:
        wanted = [hook_id for hook_id, events in hooks() if event in events]
        if not wanted:
            return 0
        now = now or utcnow()
        event_id = uuid.uuid5(uuid.NAMESPACE_URL, f"loket:{key}").hex if key else None
        if event_id and HookDelivery.select().where(HookDelivery.event_id == event_id).exists():
            return 0
        event_id, text = body(event, data, now, event_id)
        # A savepoint: should the insert fail (a webhook removed a moment ago), the caller's
        # transaction goes on; on PostgreSQL a failed statement would abort all of it.
        with HookDelivery._meta.database.atomic():
            HookDelivery.insert_many([dict(hook=hook_id, event_id=event_id, event=event, body=text, next_at=now,
                                           created_at=now) for hook_id in wanted]).execute()
        return len(wanted)
    except Exception:
        invalidate()  # read the webhooks afresh next time
        log.exception("the %s event could not be queued for its webhooks", event)
        return 0


# -- the data each event carries: small, stable, no secrets ---------------------------------

def message_data(message) -> dict:
    return {"message_id": message.id, "phone": message.phone, "direction": message.direction,
            "state": message.state, "text": message.text, "parts": message.parts,
            "customer_id": message.customer_id, "error": message.error or ""}


def message_changed(event: str, message_id: int, now: dt.datetime) -> None:
    """A message's event, its row read only when a webhook wants it (the worker's hot path)."""
    if wanted(event):
        emit(event, message_data(Message.get_by_id(message_id)), now)


def booking_data(booking, **extra) -> dict:
    return {"booking_id": booking.id, "customer_id": booking.customer_id, "service_id": booking.service_id,
            "starts_at": booking.starts_at.isoformat(), "ends_at": booking.ends_at.isoformat(),
            "status": booking.status, "source": booking.source,
            "staff_id": booking.staff_id, **extra}  # the therapist, a user's id; None when nobody is planned


TICKET_EVENTS = {"opened": "ticket.opened", "resolved": "ticket.resolved"}  # any other change: ticket.changed


def ticket_changed(ticket, kind: str, note: str, now: dt.datetime) -> None:
    emit(TICKET_EVENTS.get(kind, "ticket.changed"), ticket_data(ticket, change=kind, note=note), now)


def ticket_data(ticket, **extra) -> dict:
    return {"ticket_id": ticket.id, "number": ticket.number, "customer_id": ticket.customer_id,
            "status": ticket.status, "summary": ticket.summary, **extra}


def order_data(order, **extra) -> dict:
    return {"order_id": order.id, "number": order.number, "customer_id": order.customer_id,
            "status": order.status, "total": order.total, **extra}
