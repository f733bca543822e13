"""The inbox: conversations per customer, live, and the reply box with the
codec's own count of characters and parts."""

from __future__ import annotations

import datetime as dt
import secrets
from urllib.parse import quote, urlencode

import bottle

from appliance import audit, clock, inbox, outbox, quickreplies, shopdata, simcredit, sms, understand
from appliance.customers import customer_for
from appliance.models import Customer, Message, TaughtPhrase
from appliance.phone import PhoneError, is_replyable, normalise

from . import beside, formats, scope
from .i18n import N_, intent_label, translate
from .labels import label
from .web import DESK, PER_PAGE, Web, int_or_zero

MAX_REPLY_CHARS = 1000


# The inbox's filters: everyone, who waits for staff, whom I answered, who texted today.
FILTERS = {"": N_("All"), "waiting": N_("Waiting"), "mine": N_("Mine"), "today": N_("Today")}


def inbox_page(web: Web):
    """The customers' conversations (or the operators' and short codes'
    texts: folder=robot), filtered and searched; paging keeps both, and
    each filter keeps the words searched."""
    page = web.page_number()
    folder = "robot" if web.query("folder") == "robot" else ""
    show = web.query("show", limit=10)
    if not show or show not in FILTERS or folder:
        show = "waiting" if web.query("waiting") == "1" and not folder else ""  # the dashboard's tile
    words = " ".join(web.query("q", limit=100).split())
    rows = _rows(web, words, show, folder, offset=(page - 1) * PER_PAGE)
    tabs = [(_link(q=words, show=value), name, not folder and value == show) for value, name in FILTERS.items()]
    tabs.append((_link(folder="robot", q=words), N_("Operator & robot"), bool(folder)))
    return web.render("inbox", title=N_("Operator & robot") if folder else N_("Inbox"), rows=rows[:PER_PAGE],
                      page=page, more=len(rows) > PER_PAGE, show=show, folder=folder, words=words, tabs=tabs,
                      page_link=lambda number: _link(folder=folder, q=words, show=show, page=number))


def _rows(web: Web, words: str, show: str, folder: str, offset: int) -> list[dict]:
    """One page of conversations and one more (is there a next page?)."""
    narrowed = []  # sets of phones; the page shows the conversations in all of them
    if scope.limited(web.user):  # a technician: the customers of his own tickets only
        narrowed.append(scope.phones(web.user))
    if words:
        narrowed.append(inbox.search_phones(words, web.settings.default_region, folder))
    if show == "mine":
        narrowed.append(inbox.answered_by(web.user))
    if show == "today":
        narrowed.append(inbox.texted_since(_start_of_today(web), folder))
    if not narrowed:
        return inbox.conversations(limit=PER_PAGE + 1, offset=offset, waiting_only=show == "waiting", folder=folder)
    return inbox.among(set.intersection(*narrowed), limit=PER_PAGE + 1, offset=offset,
                       waiting_only=show == "waiting", folder=folder)


def _link(**params) -> str:
    given = {name: value for name, value in params.items() if value}
    return "/inbox" + ("?" + urlencode(given) if given else "")


def _start_of_today(web: Web) -> dt.datetime:
    local = clock.local(clock.utcnow(), web.settings.tz)
    return dt.datetime.combine(local.date(), dt.time(), tzinfo=web.settings.tz).astimezone(dt.timezone.utc)


def _is_number(phone: str, region: str) -> bool:
    try:
        return normalise(phone, region) == phone
    except PhoneError:
        return False


def _may_see(web: Web, phone: str) -> None:
    if not scope.may_see_phone(web.user, phone):
        web.refuse(403, N_("This conversation belongs to a ticket assigned to someone else."))


def conversation(web: Web, phone: str, error: str = "", draft: str = ""):
    _may_see(web, phone)
    messages = inbox.thread(phone)
    if not messages and not _is_number(phone, web.settings.default_region):
        web.refuse(404, N_("No conversation with that number."))
    customer = next((m.customer for m in messages if m.customer_id), None) or Customer.get_or_none(
        Customer.phone == phone)
    if customer is not None and not scope.may_see_customer(web.user, customer):
        customer = None  # (a technician sees a customer only through his open tickets)
    chosen = quickreplies.find(int_or_zero(web.query("quick", limit=20)))  # a quick reply tapped without JS
    draft = draft or (chosen.text if chosen else "")
    language = web.language
    return web.render("conversation", title=customer.name if customer and customer.name else formats.phone(phone),
                      phone=phone, messages=messages, customer=customer, error=error,
                      draft=draft, plan=sms.plan(draft) if draft else None,  # the count, before any JS
                      understood={m.id: understood_line(m.understood, language) for m in messages
                                  if m.direction == "in" and m.understood},
                      unclear={m.id for m in messages if m.direction == "in"
                               and understand.from_json(m.understood).get("intent") == "unclear"},
                      intents=[(i, intent_label(i, language)) for i in TEACHABLE],
                      can_teach=web.user.role in DESK and is_replyable(phone),
                      can_reply=is_replyable(phone), form_key=secrets.token_urlsafe(16), max_chars=MAX_REPLY_CHARS,
                      last_id=messages[-1].id if messages else 0, quick_replies=quickreplies.listing(),
                      may_keep=web.user.role in DESK, things=beside.things(web, customer),
                      actions=beside.actions(web, phone))


def reply(web: Web, phone: str):
    _may_see(web, phone)
    text = web.form("text", limit=MAX_REPLY_CHARS * 4).strip()
    key = web.form("key", limit=64)
    if not is_replyable(phone):
        bottle.response.status = 400
        return conversation(web, phone, web.t("This sender is not a phone number; it cannot be answered."))
    if not text:
        bottle.response.status = 400
        return conversation(web, phone, web.t("Write a message before sending."))
    if len(text) > MAX_REPLY_CHARS:
        bottle.response.status = 400
        return conversation(web, phone, web.t("A reply may have at most {n} characters (this one has {count}).")
                            .format(n=MAX_REPLY_CHARS, count=len(text)), draft=text)
    user = web.user
    customer = customer_for(phone)
    outbox.queue_outbound(phone, text, category="transactional", customer=customer, author=user,
                          key=f"staff:{user.id}:{key}" if key else None)
    # Answered: the texts that waited for staff no longer do.
    Message.update(needs_staff=False).where((Message.phone == phone) & (Message.needs_staff == True)).execute()  # noqa: E712
    web.tasks.kick_outbox()
    bottle.redirect(f"/inbox/{quote(phone, safe='')}")


def keep_quick_reply(web: Web, phone: str):
    """Save the reply box's text as a quick reply, or delete one (the desk)."""
    _may_see(web, phone)
    back = f"/inbox/{quote(phone, safe='')}"
    if web.form("action", limit=10) == "delete":
        chosen = quickreplies.find(int_or_zero(web.form("reply", limit=20)))
        if chosen is None:
            web.refuse(404, N_("No such quick reply."))
        quickreplies.delete(chosen, web.user)
        web.redirect(back, N_("Quick reply deleted."))
        return
    text = web.form("text", limit=MAX_REPLY_CHARS * 4)
    try:
        kept = quickreplies.save(text, web.user)
    except quickreplies.QuickReplyError as exc:
        bottle.response.status = 400
        return conversation(web, phone, web.problem(exc), draft=text.strip())
    web.redirect(f"{back}?quick={kept.id}", N_("Saved as a quick reply."))


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
    when = " ".join(p for p in (formats.day(read.get("day"), language), str(read.get("time") or "")) if p)
    if when:
        parts.append(when)
    if isinstance(read.get("amount"), int):
        parts.append(formats.money(read["amount"], language))
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
    language, tz = web.language, web.settings.tz
    return {"messages": [{"id": m.id, "direction": m.direction, "text": m.text, "state": label(m.state, language),
                          "when": formats.when(m.created_at, language, tz),
                          "understood": understood_line(m.understood, language) if m.direction == "in" else ""}
                         for m in rows],
            "states": {str(k): label(v, language) for k, v in states.items()}}


def plan(web: Web):
    """Characters, parts and encoding of a text, from the codec itself (JSON)."""
    text = web.query("text", limit=5000)
    p = sms.plan(text)
    price = simcredit.shop_part_price()  # the one price every cost on screen uses
    return {"encoding": p.encoding, "parts": p.parts, "chars": p.chars, "per_part": p.per_part,
            "remaining": p.remaining_in_part, "offending": p.offending or "",
            "price_per_part": price, "cost": p.parts * price}

