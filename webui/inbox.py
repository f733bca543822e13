"""The inbox: conversations per customer, live, and the reply box with the
codec's own count of characters and parts."""

from __future__ import annotations

import secrets
from urllib.parse import quote

import bottle

from appliance import audit, clock, inbox, outbox, shopdata, simcredit, sms, understand
from appliance.customers import customer_for
from appliance.models import Message, TaughtPhrase
from appliance.phone import PhoneError, is_replyable, normalise

from . import scope
from .i18n import intent_label, translate
from .web import DESK, PER_PAGE, Web, int_or_zero

MAX_REPLY_CHARS = 1000


def inbox_page(web: Web):
    """The customers' conversations; or those waiting for staff; or the
    operators' and short codes' texts (folder=robot); or a search."""
    page = web.page_number()
    waiting_only = web.query("waiting") == "1"
    folder = "robot" if web.query("folder") == "robot" else ""
    words = " ".join(web.query("q", limit=100).split())
    if scope.limited(web.user):  # a technician: the customers of his own tickets only
        rows = scope.conversations(web.user, limit=PER_PAGE + 1, offset=(page - 1) * PER_PAGE,
                                   waiting_only=waiting_only)
        more = len(rows) > PER_PAGE
    elif words:
        rows = inbox.search(words, web.settings.default_region, limit=PER_PAGE, folder=folder)
        rows = [r for r in rows if r["needs_staff"]] if waiting_only else rows
        page, more = 1, False
    else:
        rows = inbox.conversations(limit=PER_PAGE + 1, offset=(page - 1) * PER_PAGE, waiting_only=waiting_only,
                                   folder=folder)
        more = len(rows) > PER_PAGE
    title = "Operator & robot" if folder else "Inbox"
    return web.render("inbox", title=title, rows=rows[:PER_PAGE], page=page, more=more, waiting_only=waiting_only,
                      folder=folder, words=words)


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
    messages = inbox.thread(phone)
    if not messages and not _is_number(phone, web.settings.default_region):
        web.refuse(404, "No conversation with that number.")
    customer = next((m.customer for m in messages if m.customer_id), None)
    language = web.language
    return web.render("conversation", title=customer.display_name if customer else phone, phone=phone,
                      messages=messages, customer=customer, error=error, draft=draft,
                      understood={m.id: understood_line(m.understood, language) for m in messages
                                  if m.direction == "in" and m.understood},
                      unclear={m.id for m in messages if m.direction == "in"
                               and understand.from_json(m.understood).get("intent") == "unclear"},
                      intents=[(i, intent_label(i, language)) for i in TEACHABLE],
                      can_teach=web.user.role in DESK and is_replyable(phone),
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
    outbox.queue_outbound(phone, text, category="transactional", customer=customer, author=user,
                          key=f"staff:{user.id}:{key}" if key else None)
    # Answered: the texts that waited for staff no longer do.
    Message.update(needs_staff=False).where((Message.phone == phone) & (Message.needs_staff == True)).execute()  # noqa: E712
    web.tasks.kick_outbox()
    bottle.redirect(f"/inbox/{quote(phone, safe='')}")


# What staff may teach a text to mean; "unclear" is "leave it to staff".
TEACHABLE = [i for i in understand.INTENTS if i != "unclear"] + ["unclear"]


def understood_line(raw: str, language: str) -> str:
    """How Loket read an inbound text, for staff: 'dipahami: booking ·
    Pijat bayi · 2026-12-03 10:00' or 'tidak dipahami'; '' for rows stored
    before texts were read."""
    read = understand.from_json(raw)
    intent = read.get("intent")
    if not intent:
        return ""
    if intent == "unclear":
        return intent_label("unclear", language)
    parts = [f"{intent_label('info', language)} {read.get('info', '')}".strip() if intent == "info"
             else intent_label(intent, language)]
    parts += [item.get("name", "") + (f" x{item['quantity']}" if item.get("quantity") else "")
              for item in read.get("items") or [] if isinstance(item, dict)]
    when = " ".join(str(read[k]) for k in ("day", "time") if read.get(k))
    if when:
        parts.append(when)
    if isinstance(read.get("amount"), int):
        parts.append(f"Rp {read['amount']:,}".replace(",", "."))
    if read.get("order"):
        parts.append(f"O-{read['order']}")
    if isinstance(read.get("ticket"), int):
        parts.append(f"T-{read['ticket']:04d}")
    if read.get("name"):
        parts.append(str(read["name"]))
    if read.get("how") == "taught":
        parts.append(translate("taught", language))
    return translate("understood", language) + ": " + " · ".join(p for p in parts if p)


def teach(web: Web, phone: str):
    """Staff say what a customer's text meant: the phrase becomes data, and
    the next customer who writes it is understood."""
    message = Message.get_or_none((Message.id == int_or_zero(web.form("message", limit=20)))
                                  & (Message.phone == phone) & (Message.direction == "in"))
    if message is None:
        web.refuse(404, web.t("No such text in this conversation."))
    intent = web.form("intent", limit=24)
    if intent not in TEACHABLE:
        bottle.response.status = 400
        return conversation(web, phone, web.t("Choose what the customer meant."))
    phrase = understand.phrase_key(message.text)
    if not phrase:
        bottle.response.status = 400
        return conversation(web, phone, web.t("This text has no words to learn (only numbers, signs or greetings)."))
    language = understand.from_json(message.understood).get("language") or understand.language(message.text)
    # An upsert: teaching a phrase again (two staff at once, or a correction) overwrites.
    TaughtPhrase.insert(phrase=phrase, intent=intent, language=language, taught_by=web.user).on_conflict(
        conflict_target=[TaughtPhrase.phrase],
        update={TaughtPhrase.intent: intent, TaughtPhrase.language: language, TaughtPhrase.taught_by: web.user,
                TaughtPhrase.created_at: clock.utcnow()}).execute()
    shopdata.invalidate()
    audit.audit("inbox.teach", user=web.user, target=phrase, detail=intent)
    web.redirect(f"/inbox/{quote(phone, safe='')}",
                 web.t("Learnt: the next text like this one is understood as") + f" {intent_label(intent, web.language)}.")


def since(web: Web, phone: str):
    """New messages of a conversation, for the page's live update (JSON)."""
    _may_see(web, phone)
    after = int_or_zero(web.query("after"))
    rows = (Message.select().where((Message.phone == phone) & (Message.id > after)).order_by(Message.id).limit(100))
    states = {m.id: m.state for m in Message.select(Message.id, Message.state).where(
        (Message.phone == phone) & (Message.direction == "out")).order_by(Message.id.desc()).limit(20)}
    return {"messages": [{"id": m.id, "direction": m.direction, "text": m.text, "state": m.state,
                          "when": clock.short(m.created_at, web.settings.tz),
                          "understood": understood_line(m.understood, web.language) if m.direction == "in" else ""}
                         for m in rows],
            "states": {str(k): v for k, v in states.items()}}


def plan(web: Web):
    """Characters, parts and encoding of a text, from the codec itself (JSON)."""
    text = web.query("text", limit=5000)
    p = sms.plan(text)
    price = simcredit.shop_part_price()  # the one price every cost on screen uses
    return {"encoding": p.encoding, "parts": p.parts, "chars": p.chars, "per_part": p.per_part,
            "remaining": p.remaining_in_part, "offending": p.offending or "",
            "price_per_part": price, "cost": p.parts * price}

