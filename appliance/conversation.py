"""The conversation seam: what a text handler is given and what it returns.

Domain modules speak SMS through this module only, never through the
dispatcher (responder.py). Their SMS side (the `*_sms.py` modules) registers
what it answers:

    @on_keyword("BOOK")              a customer's keyword
    @on_reply("book.slot")           the answer to a question we asked ("reply 1, 2 or 3")
    @on_status("T")                  STATUS T-0042: one service per reference prefix
    @on_staff_command("OK", "DONE")  a staff member's phone (a technician answering by SMS)
    templates({...}, purpose="orders")  default reply texts, per language, and what they are for

Registration happens when `services.load()` imports those modules; every
process (web, worker, CLI) calls it once at start, so each sees every
keyword, handler and template.

A handler gets the Conversation and returns replies as (template key, text)
pairs, made with `c.reply(key, **values)`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Callable

from . import replies
from .keywords import KeywordTable, Match
from .models import Customer, Message, Pending, Product, User

Reply = tuple[str, str]


@dataclasses.dataclass(frozen=True)
class Shop:
    """What handlers need to know about the shop (from settings)."""

    name: str = "Loket"
    tz: dt.tzinfo = dt.timezone(dt.timedelta(hours=7))
    default_language: str = "id"
    region: str = "ID"
    replies_per_hour: int = 30
    conversation_minutes: int = 30
    settings: object = None  # the full Settings, for services that need more

    @classmethod
    def from_settings(cls, settings) -> "Shop":
        return cls(name=settings.shop_name, tz=settings.tz, default_language=settings.default_language,
                   region=settings.default_region, replies_per_hour=settings.replies_per_hour,
                   conversation_minutes=settings.conversation_minutes, settings=settings)


def shop_or_default(shop: Shop | None) -> Shop:
    """Services take an optional Shop: the web UI passes Shop.from_settings(live
    settings); a direct call (a test, a job) gets the defaults."""
    return shop or Shop()


def remember(phone: str, kind: str, data: dict, now: dt.datetime, lasts: dt.timedelta) -> None:
    """Expect this phone's next text to answer a question (on_reply(kind)):
    the newest question asked is the open one."""
    forget(phone)
    Pending.create(phone=phone, kind=kind, data=json.dumps(data), created_at=now, expires_at=now + lasts)


def forget(phone: str) -> None:
    Pending.delete().where(Pending.phone == phone).execute()


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
    understood: object = None  # understand.Understanding of the text, set by the dispatcher

    @property
    def args(self) -> str:
        """The text after the keyword, as the customer wrote it."""
        return self.match.args

    @property
    def text(self) -> str:
        return self.message.text

    def reply(self, key: str, **values) -> Reply:
        if "{example_goods}" in replies.template_for(key, self.language):
            values.setdefault("example_goods", example_goods())
        return key, replies.reply(key, self.language, shop=self.shop.name, **values)

    def local(self, moment: dt.datetime) -> dt.datetime:
        return moment.astimezone(self.shop.tz)

    def remember(self, kind: str, data: dict, minutes: int | None = None) -> None:
        """Expect an answer to a question: the next text goes to on_reply(kind)."""
        remember(self.message.phone, kind, data, self.now,
                 dt.timedelta(minutes=minutes or self.shop.conversation_minutes))

    def forget(self) -> None:
        forget(self.message.phone)

    def ask(self, action: str, data: dict, key: str, **values) -> list[Reply]:
        """Ask before changing something a free text only suggests: the reply
        (template `key`) ends "Balas YA"; a YA runs the `on_confirm(action)`
        handler with `data`, anything else changes nothing."""
        self.remember("confirm", {"action": action, **data})
        return [self.reply(key, **values)]


def example_goods() -> str:
    """An example from this shop's own goods (its code, or its name), never another shop's."""
    product = (Product.select().where(Product.active == True)  # noqa: E712
               .order_by(Product.sku.is_null(), Product.id).first())
    if product is None:
        return "..."
    return product.sku or " ".join(product.name.lower().split()[:3])


Handler = Callable[[Conversation], list[Reply] | None]

KEYWORD_HANDLERS: dict[str, Handler] = {}
REPLY_HANDLERS: dict[str, Handler] = {}
STATUS_HANDLERS: dict[str, Handler] = {}
STAFF_HANDLERS: dict[str, Handler] = {}
# A customer's own words, by the intent understand.py read in them: (c, understanding) -> replies,
# or None for "staff answer this one".
FREE_TEXT_HANDLERS: dict[str, Callable] = {}


CONFIRM_ACTIONS: dict[str, Callable[[Conversation, dict], list[Reply]]] = {}

# Answers to "Balas YA": folded, the whole text.
YES = frozenset({"ya", "y", "iya", "iyaa", "iy", "yes", "yep", "yup", "ok", "oke", "okey", "okay", "betul", "benar",
                 "bener", "setuju", "boleh", "lanjut", "jadi", "sip", "siap", "mau", "ya kak", "iya kak", "ya betul",
                 "ya benar", "ok kak", "oke kak", "yes please", "sure", "confirm", "ya jadi", "iya jadi", "ya mau"})
NO = frozenset({"tidak", "tdk", "gak", "ga", "nggak", "enggak", "no", "nope", "jangan", "batal", "gak jadi",
                "ga jadi", "tidak jadi", "tidak usah", "ga usah", "gak usah", "no thanks", "cancel", "salah"})


_POLITE = frozenset({"kak", "ka", "kakak", "gan", "min", "mbak", "mba", "mas", "pak", "bu", "bang", "sis", "bro",
                     "dong", "deh", "sih", "aja", "saja", "please", "pls", "thanks", "makasih"})


def yes_or_no(text: str) -> bool | None:
    """True for a yes, False for a no, None for anything else (a new request).
    "iya kak", "ya gan", "ok deh" are a yes; "ga jadi kak" a no."""
    from .keywords import fold
    words = fold(text).split()
    kept = [w for w in words if w not in _POLITE] or words
    if len(kept) > 1 and kept[-1] == "ya":
        kept = kept[:-1]  # "boleh ya": the particle, not the answer
    folded = " ".join(kept)
    if folded in YES:
        return True
    if folded in NO:
        return False
    return None


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


def on_free_text(*intents: str):
    return _registrar(FREE_TEXT_HANDLERS, *intents)


def on_confirm(action: str):
    """What a YA does, for a question asked with `Conversation.ask(action, ...)`."""
    return _registrar(CONFIRM_ACTIONS, action)


def templates(by_key: dict[str, dict[str, str]], purpose: str | None = None) -> None:
    """A service's default reply texts, per language (see replies.py). `purpose`
    groups them on the Settings page (one of replies.PURPOSES: "bookings", "orders" ...)."""
    replies.register(by_key, purpose)
