"""What kind of shop this is, and what that makes of a customer's words.

The wizard stores the kind (spa or salon, goods shop, internet provider,
online shop, service desk, other); the demo shops store theirs. Together
with the catalogue it decides which keywords are on (a parts shop takes no
bookings, a spa no SMS orders unless it sells goods), what PESAN means
(a booking for services, an order for goods), and what BANTUAN lists.
"""

from __future__ import annotations

from . import shopdata
from .models import Product, Service

KINDS = ("spa", "parts", "isp", "shop", "service", "other")
# Kinds whose customers come in person and wait their turn.
QUEUE_KINDS = frozenset({"spa", "service", "other"})
SERVICE_KEYWORDS = frozenset({"BOOK", "MOVE", "CANCEL"})
GOODS_KEYWORDS = frozenset({"ORDER", "PAY"})


def kind() -> str:
    value = shopdata.get("shop_type") or shopdata.get("demo") or "other"
    return value if value in KINDS else "other"


def offers() -> tuple[bool, bool]:
    """(sells services, sells goods): what the active catalogue holds."""
    def load():
        return (Service.select().where(Service.active == True).exists(),  # noqa: E712
                Product.select().where(Product.active == True).exists())  # noqa: E712
    return shopdata.cached("offers", load)


def enabled(handled: set[str]) -> set[str]:
    """The customer keywords this shop answers, of those a handler exists for."""
    services, goods = offers()
    shop_kind = kind()
    on = set(handled)
    if not services and shop_kind not in ("spa", "other"):
        on -= SERVICE_KEYWORDS
        if goods:
            on.add("BOOK")  # PESAN: in a goods shop, an order
    if not goods and shop_kind not in ("parts", "shop", "other"):
        on -= GOODS_KEYWORDS - ({"PAY"} if shop_kind == "isp" else set())  # an ISP's bills are paid by SMS
    if not services and shop_kind not in QUEUE_KINDS:
        on.discard("QUEUE")
    if not goods and services:
        on.discard("ORDER")
    return on


def book_means() -> str:
    """What PESAN / BOOK means here: 'book' (a service), 'order' (goods), or
    'either' when the shop has both and the text must say."""
    services, goods = offers()
    if goods and not services:
        return "order"
    if services and goods:
        return "either"
    return "book"
