"""The inbox: conversations per customer, live, and the reply box with the
codec's own count of characters and parts."""

from __future__ import annotations

import secrets
from urllib.parse import quote

import bottle

from appliance import clock, inbox, outbox, sms
from appliance.customers import customer_for
from appliance.models import Message
from appliance.phone import PhoneError, is_replyable, normalise

from .web import PER_PAGE, Web, int_or_zero

MAX_REPLY_CHARS = 1000


def inbox_page(web: Web):
    page = web.page_number()
    waiting_only = web.query("waiting") == "1"
    rows = inbox.conversations(limit=PER_PAGE + 1, offset=(page - 1) * PER_PAGE, waiting_only=waiting_only)
    return web.render("inbox", title="Inbox", rows=rows[:PER_PAGE], page=page, more=len(rows) > PER_PAGE,
                      waiting_only=waiting_only)


def _is_number(phone: str, region: str) -> bool:
    try:
        return normalise(phone, region) == phone
    except PhoneError:
        return False


def conversation(web: Web, phone: str, error: str = "", draft: str = ""):
    messages = inbox.thread(phone)
    if not messages and not _is_number(phone, web.settings.default_region):
        web.refuse(404, "No conversation with that number.")
    customer = next((m.customer for m in messages if m.customer_id), None)
    return web.render("conversation", title=customer.display_name if customer else phone, phone=phone,
                      messages=messages, customer=customer, error=error, draft=draft,
                      can_reply=is_replyable(phone), form_key=secrets.token_urlsafe(16), max_chars=MAX_REPLY_CHARS,
                      last_id=messages[-1].id if messages else 0)


def reply(web: Web, phone: str):
    text = web.form("text", limit=MAX_REPLY_CHARS * 4).strip()
    key = web.form("key", limit=64)
    if not is_replyable(phone):
        bottle.response.status = 400
        return conversation(web, phone, "This sender is not a phone number; it cannot be answered.")
    if not text:
        bottle.response.status = 400
        return conversation(web, phone, "Write a message before sending.")
    if len(text) > MAX_REPLY_CHARS:
        bottle.response.status = 400
        return conversation(web, phone, f"A reply may have at most {MAX_REPLY_CHARS} characters "
                                        f"(this one has {len(text)}).", draft=text)
    user = web.user
    customer = customer_for(phone)
    outbox.queue_outbound(phone, text, category="transactional", customer=customer, author=user,
                          key=f"staff:{user.id}:{key}" if key else None)
    # Answered: the texts that waited for staff no longer do.
    Message.update(needs_staff=False).where((Message.phone == phone) & (Message.needs_staff == True)).execute()  # noqa: E712
    web.tasks.kick_outbox()
    bottle.redirect(f"/inbox/{quote(phone, safe='')}")


def since(web: Web, phone: str):
    """New messages of a conversation, for the page's live update (JSON)."""
    after = int_or_zero(web.query("after"))
    rows = (Message.select().where((Message.phone == phone) & (Message.id > after)).order_by(Message.id).limit(100))
    states = {m.id: m.state for m in Message.select(Message.id, Message.state).where(
        (Message.phone == phone) & (Message.direction == "out")).order_by(Message.id.desc()).limit(20)}
    return {"messages": [{"id": m.id, "direction": m.direction, "text": m.text, "state": m.state,
                          "when": clock.short(m.created_at, web.settings.tz)} for m in rows],
            "states": {str(k): v for k, v in states.items()}}


def plan(web: Web):
    """Characters, parts and encoding of a text, from the codec itself (JSON)."""
    text = web.query("text", limit=5000)
    p = sms.plan(text)
    return {"encoding": p.encoding, "parts": p.parts, "chars": p.chars, "per_part": p.per_part,
            "remaining": p.remaining_in_part, "offending": p.offending or ""}

