"""What Loket does with a text a customer sent: keyword -> service -> reply.

Each handler gets the conversation and returns the replies to queue. The
replies are committed together with the message's `handled` state, under
idempotency keys derived from the message, so handling the same message
twice (a retried job) never answers twice.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from typing import Callable

from . import crm, messaging, replies
from .clock import utcnow
from .keywords import KeywordTable, Match
from .models import Customer, Message
from .phone import is_replyable

log = logging.getLogger(__name__)

# One "we got your message" per customer in this window: a chatty customer's
# every line lands in the staff inbox, but is not answered by a robot each time.
UNKNOWN_REPLY_WINDOW = dt.timedelta(hours=12)


@dataclasses.dataclass
class Conversation:
    message: Message
    customer: Customer | None
    match: Match
    language: str
    shop: str
    table: KeywordTable
    now: dt.datetime

    def reply(self, key: str, **values) -> tuple[str, str]:
        return key, replies.reply(key, self.language, shop=self.shop, **values)


Handler = Callable[[Conversation], list[tuple[str, str]]]


def _help(c: Conversation) -> list[tuple[str, str]]:
    # STOP has its own sentence in the template.
    commands = ", ".join(c.table.first_alias(k, c.language) for k in ENABLED if k != "STOP")
    return [c.reply("help", commands=commands)]


def _stop(c: Conversation) -> list[tuple[str, str]]:
    crm.set_consent(c.customer, reminder=False, marketing=False, now=c.now)
    return [c.reply("stop")]


def _start(c: Conversation) -> list[tuple[str, str]]:
    crm.set_consent(c.customer, reminder=True, marketing=True, now=c.now)
    return [c.reply("start")]


HANDLERS: dict[str, Handler] = {"HELP": _help, "STOP": _stop, "START": _start}
ENABLED = tuple(HANDLERS)


def _unknown(c: Conversation) -> list[tuple[str, str]]:
    Message.update(needs_staff=True).where(Message.id == c.message.id).execute()
    recently = (Message.select().where(
        (Message.phone == c.message.phone) & (Message.direction == "out")
        & (Message.template == "unknown") & (Message.created_at >= c.now - UNKNOWN_REPLY_WINDOW))
        .exists())
    if recently:
        return []
    return [c.reply("unknown")]


def _ambiguous(c: Conversation) -> list[tuple[str, str]]:
    choices = " / ".join(c.table.first_alias(k, c.language) for k in c.match.suggestions)
    return [c.reply("ambiguous", choices=choices)]


class Responder:
    def __init__(self, *, shop: str, default_language: str = "id", table: KeywordTable | None = None,
                 replies_per_hour: int = 5):
        self.shop = shop
        self.default_language = default_language
        self.table = table or KeywordTable(enabled=set(ENABLED))
        self.replies_per_hour = replies_per_hour

    def _over_limit(self, message: Message, now: dt.datetime) -> bool:
        """A phone that keeps texting (often another robot) gets a few answers
        an hour, not one per text: each answer costs credit and feeds the loop."""
        answered = (Message.select().where(
            (Message.phone == message.phone) & (Message.direction == "out") & Message.author.is_null()
            & Message.reply_to.is_null(False) & (Message.created_at >= now - dt.timedelta(hours=1)))
            .count())
        return answered >= self.replies_per_hour

    def _flag(self, customer: Customer | None, message: Message, now: dt.datetime) -> None:
        Message.update(needs_staff=True).where(Message.id == message.id).execute()
        if customer is not None and not customer.flag:
            customer.flag = (f"texts too often: more than {self.replies_per_hour} automatic replies in an hour; "
                             "automatic replies paused")
            customer.save()
            crm.audit("customer.flagged", target=customer.phone, detail=customer.flag, now=now)

    def handle(self, message: Message, now: dt.datetime | None = None) -> list[Message]:
        """Answer one `received` message; returns the replies queued."""
        now = now or utcnow()
        if message.state != "received":
            return []
        match = self.table.match(message.text)
        customer = message.customer
        if customer is not None and customer.language is None:
            customer.language = match.language or self.default_language
            customer.save()
        language = (customer.language if customer else None) or match.language or self.default_language
        conversation = Conversation(message, customer, match, language, self.shop, self.table, now)

        with Message._meta.database.atomic():
            if not is_replyable(message.phone):
                # A short code or an operator's name: never auto-answer (it
                # would cost credit and could start a loop). Staff see it.
                Message.update(needs_staff=True).where(Message.id == message.id).execute()
                answers = []
            elif match.keyword in HANDLERS:
                answers = HANDLERS[match.keyword](conversation)
            elif match.kind == "ambiguous":
                answers = _ambiguous(conversation)
            else:
                answers = _unknown(conversation)
            if answers and self._over_limit(message, now):
                # What the text asked for (an opt-out, say) is done; only the answer is held back.
                answers = []
                self._flag(customer, message, now)
            queued = []
            for n, (template, text) in enumerate(answers, 1):
                row, _ = messaging.queue_outbound(
                    message.phone, text, category="transactional", customer=customer,
                    key=f"reply:{message.id}:{n}", reply_to=message, template=template, now=now)
                queued.append(row)
            Message.update(state="handled", updated_at=now).where(Message.id == message.id).execute()
        return queued
