"""The dispatcher: what Loket does with a text a customer sent.

keyword (or the answer to an open question) -> the handler a service
registered in conversation.py -> replies. The replies are committed
together with the message's `handled` state, under idempotency keys derived
from the message, so handling the same message twice (a retried job) never
answers twice.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Callable

from . import freetext_sms, outbox, shopdata, shopkind, understand
from .audit import audit
from .clock import utcnow
from .conversation import (FREE_TEXT_HANDLERS, KEYWORD_HANDLERS, REPLY_HANDLERS, STAFF_HANDLERS, Conversation,
                           Reply, Shop, yes_or_no)
from .inbox import hand_to_staff
from .keywords import STAFF_KEYWORDS, KeywordTable, Match
from .models import Customer, Message, Pending, Supplier, User
from .phone import is_replyable

log = logging.getLogger(__name__)

# One "we got your message" per customer in this window: a chatty customer's
# every line lands in the staff inbox, but is not answered by a robot each time.
UNKNOWN_REPLY_WINDOW = dt.timedelta(hours=12)


def _unknown(c: Conversation) -> list[Reply]:
    hand_to_staff(c.message)
    recently = (Message.select().where(
        (Message.phone == c.message.phone) & (Message.direction == "out")
        & (Message.template == "unknown") & (Message.created_at >= c.now - UNKNOWN_REPLY_WINDOW))
        .exists())
    if recently:
        return []
    return [c.reply("unknown")]


def _ambiguous(c: Conversation) -> list[Reply]:
    choices = " / ".join(c.table.first_alias(k, c.language) for k in c.match.suggestions)
    return [c.reply("ambiguous", choices=choices)]


# What a keyword asks for, in the reader's words: when a free reading of the
# whole text disagrees strongly ("daftar harga" is not REG, "cek poin" not
# STATUS, "tolong hapus nomor saya" not HELP), the reading wins.
KEYWORD_INTENTS = {
    "BOOK": {"book"}, "CANCEL": {"cancel"}, "MOVE": {"move"}, "QUEUE": {"queue"}, "POINTS": {"points"},
    "COMPLAIN": {"complain"}, "STATUS": {"order_status", "ticket_status"}, "PAY": {"pay"}, "ORDER": {"order"},
    "REG": {"register"}, "STOP": {"opt_out"}, "START": {"opt_in"}, "HELP": {"help"},
}
WEAK_INTENTS = frozenset({"unclear", "help", "greeting", "thanks"})
# A robot, not a person: the same text again and again, or our replies answered at once, over and over.
SAME_TEXT_LIMIT = 3
INSTANT_SECONDS = 5
INSTANT_RUN = 4
THROTTLED_WINDOW = dt.timedelta(hours=1)
LANGUAGE_MEMORY = 10  # a customer's language: what most of their last texts were written in


class Responder:
    def __init__(self, shop: Shop, *, table: KeywordTable | None = None,
                 staff_table: KeywordTable | None = None):
        self._shop = shop
        self.live_shop: Callable[[], Shop] | None = None  # the owner's changes, when wired
        self._table = table
        self.staff_table = staff_table or KeywordTable(STAFF_KEYWORDS)

    @property
    def shop(self) -> Shop:
        return self.live_shop() if self.live_shop else self._shop

    @property
    def table(self) -> KeywordTable:
        # Keywords are data staff may edit; the store caches them briefly.
        # The shop's kind and catalogue decide which of them are on.
        if self._table is not None:
            return self._table
        return shopdata.keyword_table(shopkind.enabled(set(KEYWORD_HANDLERS)))

    @property
    def replies_per_hour(self) -> int:
        return self.shop.replies_per_hour

    # -- robots and loops ---------------------------------------------------------
    def _robotic(self, message: Message, now: dt.datetime) -> str:
        """Why this phone looks like a robot in a loop ('' when it does not): the
        same text over and over, our replies answered instantly again and again,
        or more automatic replies in an hour than the shop allows."""
        hour_ago = now - dt.timedelta(hours=1)
        recent = list(Message.select(Message.direction, Message.text, Message.created_at, Message.author,
                                     Message.sent_at, Message.template)
                      .where((Message.phone == message.phone) & (Message.created_at >= hour_ago)
                             & (Message.id != message.id))
                      .order_by(Message.created_at.desc(), Message.id.desc()).limit(60))
        ours = (Message.phone == message.phone) & (Message.direction == "out") & (Message.created_at >= hour_ago)
        if Message.select().where(ours & (Message.template == "throttled")).exists():
            return "automatic replies paused for an hour"  # told once already; staff answer now
        key = understand.phrase_key(message.text)
        # An answer ("ya", "2") may well come several times in a long conversation.
        answer_like = yes_or_no(message.text) is not None or len(key) <= 3
        if key and not answer_like and sum(
                1 for m in recent if m.direction == "in" and understand.phrase_key(m.text) == key) \
                >= SAME_TEXT_LIMIT - 1:
            return f"the same text {SAME_TEXT_LIMIT} times in an hour"
        # A person cannot answer a reply before it reached their phone, and does
        # not ask the same thing each time: a run of texts, each within seconds
        # of one of our replies being sent and each drawing the same answer, is a loop.
        # A send is written down with the worker's next lease: a reply already on her phone may
        # have no sent_at yet. Such a reply, from its making, ends the run of the one before it
        # and starts none (a text after it is not known to be an instant answer).
        sent = sorted((m.sent_at or m.created_at, m.template, m.sent_at is not None) for m in recent
                      if m.direction == "out" and m.author_id is None)
        instant, template = 0, None
        for m in sorted((m for m in recent + [message] if m.direction == "in"), key=lambda m: m.created_at):
            before = [s for s in sent if s[0] <= m.created_at]
            quick = bool(before) and before[-1][2] and \
                (m.created_at - before[-1][0]).total_seconds() <= INSTANT_SECONDS
            same = quick and (template is None or before[-1][1] == template)
            instant, template = (instant + 1, before[-1][1]) if same else ((1, before[-1][1]) if quick else (0, None))
        if instant >= INSTANT_RUN:
            return f"answered our replies within {INSTANT_SECONDS} s, {INSTANT_RUN} times in a row"
        answered = Message.select().where(ours & Message.author.is_null()).count()
        if answered >= self.replies_per_hour:
            return f"more than {self.replies_per_hour} automatic replies in an hour"
        return ""

    def _flag(self, customer: Customer | None, message: Message, why: str, now: dt.datetime) -> None:
        hand_to_staff(message)
        if customer is not None and not customer.flag:
            customer.flag = f"automatic replies paused: {why}"
            customer.save()
            audit("customer.flagged", target=customer.phone, detail=customer.flag, now=now)

    def _throttled_line(self, c: Conversation) -> list[Reply]:
        """One line saying a person will answer, once an hour, so a throttled
        person is never left in silence (and a robot gets no loop to feed)."""
        told = (Message.select().where((Message.phone == c.message.phone) & (Message.template == "throttled")
                                       & (Message.created_at >= c.now - THROTTLED_WINDOW)).exists())
        return [] if told else [c.reply("throttled")]

    # -- understanding ----------------------------------------------------------------
    def _route(self, c: Conversation) -> str:
        """'keyword', 'free', 'ambiguous' or 'unknown'. A keyword as the first
        word wins, unless the whole text surely asks for something else and
        nothing in it asks for what the keyword does ("daftar harga" is a
        price question, not REG; "cek poin" is POIN; "tolong hapus nomor saya
        dari daftar promo" is an opt-out, not HELP)."""
        u, match = c.understood, c.match
        keyword = match.keyword if match.keyword in KEYWORD_HANDLERS else None
        if keyword and match.kind in ("exact", "typo"):
            wanted = KEYWORD_INTENTS.get(keyword, set())
            if keyword == "BOOK" and shopkind.book_means() != "book":
                wanted = wanted | {"order"}  # PESAN where goods are sold may be an order
            if u.intent in wanted or u.intent in WEAK_INTENTS:
                return "keyword"
            if match.kind == "typo":
                # "pesanan saya udah dikirim?" is not a misspelt PESAN: a typo
                # counts only when the words say nothing else.
                return "free"
            if not u.certain or any(u.score_of(intent) > 0 for intent in wanted):
                return "keyword"
            return "free"
        if u.intent != "unclear":
            return "free"
        return "ambiguous" if match.kind == "ambiguous" else "unknown"

    def _keyword_handler(self, c: Conversation):
        keyword = c.match.keyword
        if keyword == "BOOK":
            means = shopkind.book_means()
            u = c.understood
            if means == "order" or (means == "either" and u.products and not u.services):
                return KEYWORD_HANDLERS["ORDER"]  # PESAN in a goods shop is an order
        return KEYWORD_HANDLERS[keyword]

    def _answer(self, c: Conversation) -> list[Reply]:
        if c.staff is not None and c.match.keyword in STAFF_HANDLERS:
            return STAFF_HANDLERS[c.match.keyword](c) or []
        route = self._route(c)
        pending = (Pending.select().where((Pending.phone == c.message.phone) & (Pending.expires_at > c.now))
                   .order_by(Pending.id.desc()).first())
        if pending is not None and not (route == "keyword" and c.match.kind == "exact"):
            handler = REPLY_HANDLERS.get(pending.kind)
            if handler is not None:
                c.pending = json.loads(pending.data)
                answers = handler(c)
                if answers is not None:  # None: not an answer to the question after all
                    return answers
        if route in ("keyword", "free") and pending is not None:
            c.forget()  # a new request replaces the open question
        if route == "keyword":
            return self._keyword_handler(c)(c) or []
        if route == "free":
            handler = FREE_TEXT_HANDLERS.get(c.understood.intent)
            answers = handler(c, c.understood) if handler is not None else None
            return _unknown(c) if answers is None else answers
        if route == "ambiguous":
            return _ambiguous(c)
        return _unknown(c)

    def _language(self, customer: Customer | None, staff: User | None, read: understand.Understanding) -> str:
        """The reply's language: the text's own when it tells, else the
        customer's (what they mostly write), else the shop's."""
        if staff is not None:
            return staff.language
        # Only a text in another language than the customer's can change what
        # they mostly write: the common case costs no query.
        if customer is not None and read.language is not None and read.language != customer.language:
            said = [understand.from_json(row.understood).get("language") for row in Message.select(
                Message.understood).where((Message.customer == customer.id) & (Message.direction == "in")
                                          & (Message.understood != "")).order_by(Message.id.desc())
                .limit(LANGUAGE_MEMORY - 1)]
            said = [lang for lang in said if lang] + [read.language]
            mostly = max(("id", "en"), key=lambda lang: (said.count(lang), lang == read.language))
            if customer.language != mostly:
                customer.language = mostly
                customer.save()
        return read.language or (customer.language if customer else None) or self.shop.default_language

    def handle(self, message: Message, now: dt.datetime | None = None) -> list[Message]:
        """Answer one `received` message; returns the replies queued."""
        now = now or utcnow()
        if message.state != "received":
            return []
        staff = User.get_or_none((User.phone == message.phone) & (User.active == True))  # noqa: E712
        match = self.staff_table.match(message.text) if staff is not None else Match(None, kind="unknown")
        if not match.known:
            match = self.table.match(message.text)
        customer = message.customer
        replyable = is_replyable(message.phone)
        read = understand.understand(message.text, shopdata.lexicon(), now.astimezone(self.shop.tz)) \
            if replyable else understand.Understanding("unclear", how="none")
        if replyable and customer is not None:
            read = freetext_sms.in_context(message, read, now)  # "mau 1 ya": the goods just asked about
        language = self._language(customer, staff, read) if replyable else self.shop.default_language
        conversation = Conversation(message, customer, match, language, self.shop, self.table, now, staff,
                                    understood=read)

        with Message._meta.database.atomic():
            changes = {"state": "handled", "updated_at": now, "understood": read.as_json()}
            if not replyable:
                # An operator's name or a short code (balance notices, promos):
                # never auto-answered (it would cost credit and could start a
                # loop); kept in the robots' folder, out of the customers' inbox.
                changes["folder"] = "robot"
                answers = []
            elif staff is None and Supplier.select().where((Supplier.phone == message.phone)
                                                           & (Supplier.active == True)).exists():  # noqa: E712
                # A supplier answering a restock order's SMS ("siap, dikirim kamis"): staff read it;
                # a customer's robot reply ("no order of yours is open") would only confuse them.
                changes["needs_staff"] = True
                answers = []
            else:
                answers = self._answer(conversation)
            why = self._robotic(message, now) if answers and staff is None else ""
            if why:
                # What the text asked for (an opt-out, say) is done; only the answer is held back.
                self._flag(customer, message, why, now)
                answers = self._throttled_line(conversation)
            queued = []
            for n, (template, text) in enumerate(answers, 1):
                row, _ = outbox.queue_outbound(
                    message.phone, text, category="transactional", customer=customer,
                    key=f"reply:{message.id}:{n}", reply_to=message, template=template, now=now)
                queued.append(row)
            Message.update(**changes).where(Message.id == message.id).execute()
        return queued
