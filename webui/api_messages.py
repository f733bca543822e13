"""/api/v1: sending a text, its status and parts, the inbox, a conversation."""

from __future__ import annotations

import datetime as dt

import bottle

from appliance import outbox
from appliance.customers import customer_for
from appliance.models import Message, OutboundPart
from appliance.phone import PhoneError, normalise, normalise_replyable, sender_key

from .api import describe, Field, Problem, answer, audit_row, body, page, query_text
from .api_commit import WRITES
from .i18n import N_
from .web import Web, int_or_zero

MAX_TEXT = 1000  # what a staff reply may have (the inbox's box): a program gets no more
CATEGORIES = ("transactional", "reminder", "marketing")
SEND = {"to": Field(str, required=True, limit=40), "text": Field(str, required=True, limit=MAX_TEXT),
        "category": Field(str, limit=16)}


def show(message: Message, parts: list | None = None) -> dict:
    out = {"id": message.id, "direction": message.direction, "phone": message.phone, "text": message.text,
           "category": message.category, "state": message.state, "parts": message.parts,
           "customer_id": message.customer_id, "created_at": message.created_at, "sent_at": message.sent_at,
           "error": message.error or None}
    if parts is not None:
        out["sent_parts"] = [{"part": p.part_no, "status": p.status, "reference": p.reference, "sent_at": p.sent_at,
                              "updated_at": p.updated_at} for p in parts]
    return out


def phone_of(web: Web, raw: str, parse=normalise):
    """A phone in any format as E.164, or a 422 problem saying why not."""
    try:
        return parse(raw, web.settings.default_region)
    except PhoneError as exc:
        raise Problem(422, str(exc.args[0]), kind="bad-phone") from None


@describe(N_("Send a text (Idempotency-Key: a retry sends once)"), SEND)
def send(web: Web):
    """Queue a text. With an Idempotency-Key, a retry (after a timeout, a crash)
    returns the first message and sends nothing more: the key becomes the
    outbox's own idempotency key, unique in the database."""
    data = body(SEND)
    phone, replyable = phone_of(web, data["to"], normalise_replyable)
    text = data["text"].strip()
    category = data.get("category") or "transactional"
    if category not in CATEGORIES:
        raise Problem(422, f"category is one of {', '.join(CATEGORIES)}.", kind="invalid")
    if not text:
        raise Problem(422, "text is empty.", kind="invalid")
    if not replyable:
        raise Problem(422, "That number is not a mobile phone; no text can reach it.", kind="bad-phone")
    raw_key = bottle.request.get_header("Idempotency-Key", "")
    if len(raw_key) > 64 or (raw_key and not raw_key.isprintable()):
        raise Problem(400, "Idempotency-Key has at most 64 printable characters.", kind="bad-key")
    token = bottle.request.environ["loket.api_token"]
    key = f"api:{token.id}:{raw_key}" if raw_key else None
    if key and (earlier := outbox.by_key(key)) is not None:
        return _replayed(earlier, phone, text)
    where = f"{bottle.request.method} {bottle.request.path}"

    def write():  # in the group commit's thread: no bottle.request here
        customer = customer_for(phone)
        if not customer.allows(category):  # the shop's consent rules, as every sender keeps them
            raise Problem(422, f"The customer has not agreed to {category} texts.", kind="no-consent")
        queued, created = outbox.queue_outbound(phone, text, category=category, customer=customer, key=key)
        audit_row(token, f"{where} {201 if created else 200}")  # this request's audit row, in the same commit
        return queued, created

    message, created = WRITES.run(write, then=web.tasks.kick_outbox)  # one nudge for the batch's texts
    bottle.request.environ["loket.api_audited"] = True
    if not created:  # the same key, at the same moment, from another request
        return _replayed(message, phone, text)
    return answer(show(message, []), 201, {"Location": f"/api/v1/messages/{message.id}"})


def _replayed(message: Message, phone: str, text: str):
    if (message.phone, message.text) != (phone, outbox.clean_text(text)):
        raise Problem(409, "This Idempotency-Key was used for another message.", kind="key-reused",
                      message_id=message.id)
    return answer(show(message, _parts(message)), 200, {"Location": f"/api/v1/messages/{message.id}",
                                                        "Idempotent-Replayed": "true"})


def _parts(message: Message) -> list:
    return list(OutboundPart.select().where(OutboundPart.message == message).order_by(OutboundPart.part_no))


@describe(N_("A message: its state and sent parts"))
def message_detail(web: Web, message_id: str):
    message = Message.get_or_none(Message.id == int_or_zero(message_id))
    if message is None:
        raise Problem(404, "No such message.")
    return show(message, _parts(message) if message.direction == "out" else None)


def _since() -> dt.datetime | None:
    raw = query_text("since", 40)
    if not raw:
        return None
    try:
        moment = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise Problem(400, "since is an ISO 8601 time, e.g. 2026-12-03T10:00:00Z.", kind="bad-since") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


@describe(N_("Messages, newest first: ?direction=in is the inbox"))
def messages(web: Web):
    """Messages, newest first: ?direction=in is the inbox; ?phone= (any format), ?state=, ?since=."""
    query = Message.select()
    direction = query_text("direction", 3)
    if direction:
        if direction not in ("in", "out"):
            raise Problem(400, "direction is in or out.", kind="bad-filter")
        query = query.where(Message.direction == direction)
    if phone := query_text("phone", 40):
        query = query.where(Message.phone == sender_key(phone, web.settings.default_region))
    if state := query_text("state", 12):
        query = query.where(Message.state == state)
    if (since := _since()) is not None:
        query = query.where(Message.created_at >= since)
    return page(query, Message.id, show)


@describe(N_("Everything to and from one number"))
def conversation(web: Web, phone: str):
    """Everything to and from one number (any format), newest first."""
    key = sender_key(phone, web.settings.default_region)
    return page(Message.select().where(Message.phone == key), Message.id, show)
