"""What Loket does with a text a customer sent: keyword -> service -> reply.

Services register what they answer, so this module stays small:

    @on_keyword("BOOK")              a customer's keyword
    @on_reply("book.slot")           the answer to a question we asked ("reply 1, 2 or 3")
    @on_status("T")                  STATUS T-0042: one service per reference prefix
    @on_staff_command("OK", "DONE")  a staff member's phone (a technician answering by SMS)

A handler gets the Conversation and returns replies as (template key, text)
pairs, made with `c.reply(key, **values)`. The replies are committed together
with the message's `handled` state, under idempotency keys derived from the
message, so handling the same message twice (a retried job) never answers
twice.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import re
from typing import Callable

from . import crm, messaging, replies
from .clock import utcnow
from .keywords import STAFF_KEYWORDS, KeywordTable, Match
from .models import Customer, Message, Pending, User
from .phone import is_replyable

log = logging.getLogger(__name__)

# One "we got your message" per customer in this window: a chatty customer's
# every line lands in the staff inbox, but is not answered by a robot each time.
UNKNOWN_REPLY_WINDOW = dt.timedelta(hours=12)

Reply = tuple[str, str]


@dataclasses.dataclass(frozen=True)
class Shop:
    """What handlers need to know about the shop (from settings)."""

    name: str = "Loket"
    tz: dt.tzinfo = dt.timezone(dt.timedelta(hours=7))
    default_language: str = "id"
    region: str = "ID"
    replies_per_hour: int = 5
    conversation_minutes: int = 30
    settings: object = None  # the full Settings, for services that need more

    @classmethod
    def from_settings(cls, settings) -> "Shop":
        return cls(name=settings.shop_name, tz=settings.tz, default_language=settings.default_language,
                   region=settings.default_region, replies_per_hour=settings.replies_per_hour,
                   conversation_minutes=settings.conversation_minutes, settings=settings)


@dataclasses.dataclass
class Conversation:
    message: Message
    customer: Customer | None
    match: Match
    language: str
    shop: Shop
    table: KeywordTable
    now: dt.datetime
    staff: User | None = None  # set when the text came from a staff member's phone
    pending: dict | None = None  # the data remembered by `remember`, for on_reply handlers

    @property
    def args(self) -> str:
        """The text after the keyword, as the customer wrote it."""
        return self.match.args

    @property
    def text(self) -> str:
        return self.message.text

    def reply(self, key: str, **values) -> Reply:
        return key, replies.reply(key, self.language, shop=self.shop.name, **values)

    def local(self, moment: dt.datetime) -> dt.datetime:
        return moment.astimezone(self.shop.tz)

    def remember(self, kind: str, data: dict, minutes: int | None = None) -> None:
        """Expect an answer to a question: the next text goes to on_reply(kind)."""
        self.forget()
        Pending.create(phone=self.message.phone, kind=kind, data=json.dumps(data), created_at=self.now,
                       expires_at=self.now + dt.timedelta(minutes=minutes or self.shop.conversation_minutes))

    def forget(self) -> None:
        Pending.delete().where(Pending.phone == self.message.phone).execute()


Handler = Callable[[Conversation], list[Reply] | None]

KEYWORD_HANDLERS: dict[str, Handler] = {}
REPLY_HANDLERS: dict[str, Handler] = {}
STATUS_HANDLERS: dict[str, Handler] = {}
STAFF_HANDLERS: dict[str, Handler] = {}


def _registrar(table: dict[str, Handler], *names: str):
    def register(handler: Handler) -> Handler:
        for name in names:
            table[name] = handler
        return handler
    return register


def on_keyword(*keywords: str):
    return _registrar(KEYWORD_HANDLERS, *keywords)


def on_reply(kind: str):
    return _registrar(REPLY_HANDLERS, kind)


def on_status(prefix: str):
    return _registrar(STATUS_HANDLERS, prefix.upper())


def on_staff_command(*keywords: str):
    return _registrar(STAFF_HANDLERS, *keywords)


# -- the basic keywords -----------------------------------------------------------

@on_keyword("HELP")
def _help(c: Conversation) -> list[Reply]:
    # STOP has its own sentence in the template.
    commands = ", ".join(c.table.first_alias(k, c.language) for k in sorted(KEYWORD_HANDLERS)
                         if k not in ("STOP", "HELP", "START") and k in c.table.keywords)
    return [c.reply("help", commands=commands or c.table.first_alias("HELP", c.language))]


@on_keyword("STOP")
def _stop(c: Conversation) -> list[Reply]:
    crm.set_consent(c.customer, reminder=False, marketing=False, now=c.now)
    return [c.reply("stop")]


@on_keyword("START")
def _start(c: Conversation) -> list[Reply]:
    crm.set_consent(c.customer, reminder=True, marketing=True, now=c.now)
    return [c.reply("start")]


REFERENCE = re.compile(r"\b([A-Za-z])\s*-?\s*(\d{1,7})\b")


@on_keyword("STATUS")
def _status(c: Conversation) -> list[Reply]:
    """STATUS T-0042 / STATUS O-1001: the service that owns the prefix answers."""
    found = REFERENCE.search(c.args)
    if found and found.group(1).upper() in STATUS_HANDLERS:
        c.pending = {"prefix": found.group(1).upper(), "number": int(found.group(2))}
        return STATUS_HANDLERS[found.group(1).upper()](c) or []
    if "" in STATUS_HANDLERS:  # "STATUS" alone: everything open for this customer
        return STATUS_HANDLERS[""](c) or []
    return [c.reply("status_how")]


def _unknown(c: Conversation) -> list[Reply]:
    Message.update(needs_staff=True).where(Message.id == c.message.id).execute()
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
        from . import services  # noqa: F401  registers every service's keywords and jobs
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
        from .shopdata import keyword_table
        return keyword_table(set(KEYWORD_HANDLERS))

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
        Message.update(needs_staff=True).where(Message.id == message.id).execute()
        if customer is not None and not customer.flag:
            customer.flag = (f"texts too often: more than {self.replies_per_hour} automatic replies in an hour; "
                             "automatic replies paused")
            customer.save()
            crm.audit("customer.flagged", target=customer.phone, detail=customer.flag, now=now)

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
                Message.update(needs_staff=True).where(Message.id == message.id).execute()
                answers = []
            else:
                answers = self._answer(conversation)
            if answers and staff is None and self._over_limit(message, now):
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
