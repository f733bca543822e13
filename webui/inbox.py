"""The inbox: conversations per customer, live, and the reply box; the list
of messages that did not go out."""

from __future__ import annotations

import secrets
from urllib.parse import quote

import bottle

from appliance import clock, messaging, sms
from appliance.crm import audit, customer_for
from appliance.models import Message
from appliance.phone import PhoneError, is_replyable, normalise

from . import scope
from .app import ANY_ROLE, PER_PAGE, WRITERS, Route, Web, int_or_zero

MAX_REPLY_CHARS = 1000


def inbox(web: Web):
    page = web.page_number()
    waiting_only = web.query("waiting") == "1"
    if scope.limited(web.user):
        rows = scope.conversations(web.user, limit=PER_PAGE + 1, offset=(page - 1) * PER_PAGE,
                                   waiting_only=waiting_only)
    else:
        rows = messaging.conversations(limit=PER_PAGE + 1, offset=(page - 1) * PER_PAGE, waiting_only=waiting_only)
    return web.render("inbox", title="Inbox", rows=rows[:PER_PAGE], page=page, more=len(rows) > PER_PAGE,
                      waiting_only=waiting_only)


def _is_number(phone: str, region: str) -> bool:
    try:
        return normalise(phone, region) == phone
    except PhoneError:
        return False


def _may_see(web: Web, phone: str) -> None:
    if not scope.may_see_phone(web.user, phone):
        web.refuse(403, "This conversation belongs to a ticket assigned to someone else.")


def conversation(web: Web, phone: str, error: str = "", draft: str = ""):
    _may_see(web, phone)
    messages = messaging.thread(phone)
    if not messages and not _is_number(phone, web.settings.default_region):
        web.refuse(404, "No conversation with that number.")
    customer = next((m.customer for m in messages if m.customer_id), None)
    return web.render("conversation", title=customer.display_name if customer else phone, phone=phone,
                      messages=messages, customer=customer, error=error, draft=draft,
                      can_reply=is_replyable(phone), form_key=secrets.token_urlsafe(16), max_chars=MAX_REPLY_CHARS,
                      last_id=messages[-1].id if messages else 0)


def reply(web: Web, phone: str):
    _may_see(web, phone)
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
    messaging.queue_outbound(phone, text, category="transactional", customer=customer, author=user,
                             key=f"staff:{user.id}:{key}" if key else None)
    # Answered: the texts that waited for staff no longer do.
    Message.update(needs_staff=False).where((Message.phone == phone) & (Message.needs_staff == True)).execute()  # noqa: E712
    web.tasks.kick_outbox()
    bottle.redirect(f"/inbox/{quote(phone, safe='')}")


def since(web: Web, phone: str):
    """New messages of a conversation, for the page's live update (JSON)."""
    _may_see(web, phone)
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


def outbox(web: Web):
    """Messages that did not go out, or may not have: staff decide."""
    page = web.page_number()
    if scope.limited(web.user):
        mine = scope.phones(web.user)
        rows = [m for m in messaging.needing_attention(limit=1000) if m.phone in mine]
        rows = rows[(page - 1) * PER_PAGE:page * PER_PAGE + 1]
    else:
        rows = messaging.needing_attention(limit=PER_PAGE + 1, offset=(page - 1) * PER_PAGE)
    return web.render("outbox", title="Not sent", rows=rows[:PER_PAGE], page=page, more=len(rows) > PER_PAGE)


def resend(web: Web, message_id: str):
    original = Message.get_or_none((Message.id == int_or_zero(message_id)) & (Message.direction == "out"))
    if original is None:
        web.refuse(404, "No such message.")
    _may_see(web, original.phone)
    if original.state not in ("failed", "unknown", "cancelled"):
        web.refuse(409, "This message is not waiting for a decision.")
    copy = messaging.resend(original, clock.utcnow(), by=web.user)
    audit("message.resend", user=web.user, target=original.phone,
          detail=f"message {original.id} sent again as {copy.id}")
    web.tasks.kick_outbox()
    bottle.redirect("/outbox")


def routes() -> list[Route]:
    return [
        Route("GET", "/inbox", inbox, roles=ANY_ROLE),
        Route("GET", "/inbox/<phone>", conversation, roles=ANY_ROLE),
        Route("GET", "/inbox/<phone>/since", since, roles=ANY_ROLE),
        Route("POST", "/inbox/<phone>/reply", reply, roles=WRITERS),
        Route("GET", "/api/plan", plan, roles=ANY_ROLE),
        Route("GET", "/outbox", outbox, roles=ANY_ROLE),
        Route("POST", "/outbox/<message_id>/resend", resend, roles=WRITERS),
    ]
