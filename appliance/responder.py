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

from . import outbox, shopdata
from .audit import audit
from .clock import utcnow
from .conversation import KEYWORD_HANDLERS, REPLY_HANDLERS, STAFF_HANDLERS, Conversation, Reply, Shop
from .inbox import hand_to_staff
from .keywords import STAFF_KEYWORDS, KeywordTable, Match
from .models import Customer, Message, Pending, User
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
        if self._table is not None:
            return self._table
        return shopdata.keyword_table(set(KEYWORD_HANDLERS))

    @property
    def replies_per_hour(self) -> int:
        return self.shop.replies_per_hour

    def _over_limit(self, message: Message, now: dt.datetime) -> bool:
        """A phone that keeps texting (often another robot) gets a few answers
        an hour, not one per text: each answer costs credit and feeds the loop."""
        answered = (Message.select().where(
            (Message.phone == message.phone) & (Message.direction == "out") & Message.author.is_null()
            & Message.reply_to.is_null(False) & (Message.created_at >= now - dt.timedelta(hours=1)))
            .count())
        return answered >= self.replies_per_hour

    def _flag(self, customer: Customer | None, message: Message, now: dt.datetime) -> None:
        hand_to_staff(message)
        if customer is not None and not customer.flag:
            customer.flag = (f"texts too often: more than {self.replies_per_hour} automatic replies in an hour; "
                             "automatic replies paused")
            customer.save()
            audit("customer.flagged", target=customer.phone, detail=customer.flag, now=now)

    def _answer(self, c: Conversation) -> list[Reply]:
        if c.staff is not None and c.match.keyword in STAFF_HANDLERS:
            return STAFF_HANDLERS[c.match.keyword](c) or []
        pending = (Pending.select().where((Pending.phone == c.message.phone) & (Pending.expires_at > c.now))
                   .order_by(Pending.id.desc()).first())
        if pending is not None and not (c.match.kind == "exact" and c.match.keyword in KEYWORD_HANDLERS):
            handler = REPLY_HANDLERS.get(pending.kind)
            if handler is not None:
                c.pending = json.loads(pending.data)
                answers = handler(c)
                if answers is not None:  # None: not an answer to the question after all
                    return answers
        if c.match.keyword in KEYWORD_HANDLERS:
            if pending is not None:
                c.forget()  # a new request replaces the open question
            return KEYWORD_HANDLERS[c.match.keyword](c) or []
        if c.match.kind == "ambiguous":
            return _ambiguous(c)
        return _unknown(c)

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
        if customer is not None and customer.language is None:
            customer.language = match.language or self.shop.default_language
            customer.save()
        if staff is not None:
            language = staff.language
        else:
            language = (customer.language if customer else None) or match.language or self.shop.default_language
        conversation = Conversation(message, customer, match, language, self.shop, self.table, now, staff)

        with Message._meta.database.atomic():
            if not is_replyable(message.phone):
                # A short code or an operator's name: never auto-answer (it
                # would cost credit and could start a loop). Staff see it.
                hand_to_staff(message)
                answers = []
            else:
                answers = self._answer(conversation)
            if answers and staff is None and self._over_limit(message, now):
                # What the text asked for (an opt-out, say) is done; only the answer is held back.
                answers = []
                self._flag(customer, message, now)
            queued = []
            for n, (template, text) in enumerate(answers, 1):
                row, _ = outbox.queue_outbound(
                    message.phone, text, category="transactional", customer=customer,
                    key=f"reply:{message.id}:{n}", reply_to=message, template=template, now=now)
                queued.append(row)
            Message.update(state="handled", updated_at=now).where(Message.id == message.id).execute()
        return queued
