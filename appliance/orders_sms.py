"""What customers text about orders.

    BELI KR-01 2, oli 1     -> a `new` order for staff to check: stock put aside, number and total in the reply
    BAYAR O-1001 250000     -> a payment claim staff verify against the bank
    STATUS O-1001           -> the order's state (only one's own)
"""

from __future__ import annotations

import datetime as dt
import re

import peewee as pw

from . import alerts
from .catalogue import PriceError, amounts_in, parse_price, rupiah
from .conversation import FREE_TEXT_HANDLERS, Conversation, on_keyword, on_reply, on_status, templates
from .inbox import hand_to_staff
from .models import Customer, Order, OrderItem, PaymentClaim, Product
from .orders import (CHOICES_SHOWN, MAX_QUANTITY, PREFIX, REFERENCE, UNPAID, OrderError, create_order, items_count,
                     local_text, next_number, open_orders_for, product_named, record_claim, ref)
from .outbox import clean_text
from .replies import pay_to
from .shipping import detail

templates({
    "pay_to": {
        "id": "Bayar ke: {where}.",
        "en": "Pay to: {where}.",
    },
    "order_new": {
        "id": "{shop}: pesanan {order} sudah kami terima, total {total}. Kami cek dulu dan segera kabari lewat SMS.",
        "en": "{shop}: we received order {order}, total {total}. We will check it and text you soon.",
    },
    "order_awaiting_payment": {
        "id": "{shop}: pesanan {order} total {total} menunggu pembayaran. Mohon bayar dalam {days} hari "
              "(s/d {due}), lalu SMS BAYAR {order} jumlahnya",
        "en": "{shop}: order {order}, total {total}, awaits payment. Please pay within {days} days "
              "(before {due}), then text: PAY {order} amount",
    },
    "order_paid": {
        "id": "{shop}: pembayaran pesanan {order} sebesar {total} sudah kami terima. Terima kasih! "
              "Pesanan segera kami proses.",
        "en": "{shop}: payment for order {order} ({total}) received. Thank you! We are preparing your order.",
    },
    "order_packed": {
        "id": "{shop}: pesanan {order} sudah dikemas dan siap dikirim. Nomor resi kami kirim lewat SMS.",
        "en": "{shop}: order {order} is packed and ready to ship. We will text you the tracking number.",
    },
    "order_shipped": {
        "id": "{shop}: pesanan {order} sudah dikirim lewat {courier}, no. resi {tracking}. "
              "Terima kasih sudah berbelanja!",
        "en": "{shop}: order {order} has been shipped by {courier}, tracking number {tracking}. "
              "Thank you for shopping with us!",
    },
    "order_shipped_untracked": {
        "id": "{shop}: pesanan {order} sudah dikirim{detail}. Terima kasih sudah berbelanja!",
        "en": "{shop}: order {order} has been shipped{detail}. Thank you for shopping with us!",
    },
    "order_done": {
        "id": "{shop}: pesanan {order} selesai. Terima kasih sudah berbelanja, kami tunggu pesanan berikutnya!",
        "en": "{shop}: order {order} is complete. Thank you for shopping with us!",
    },
    "order_cancelled": {
        "id": "{shop}: pesanan {order} dibatalkan. Alasan: {reason}. Hubungi kami bila ada pertanyaan.",
        "en": "{shop}: order {order} has been cancelled. Reason: {reason}. Contact us if you have questions.",
    },
    "order_expired": {
        "id": "{shop}: pesanan {order} dibatalkan karena belum ada pembayaran sampai {due}. "
              "Silakan pesan lagi bila masih perlu.",
        "en": "{shop}: order {order} was cancelled: no payment arrived by {due}. "
              "Please order again if you still need it.",
    },
    "order_status": {
        "id": "{shop}: pesanan {order} ({items} barang, total {total}): {state}.",
        "en": "{shop}: order {order} ({items} items, total {total}): {state}.",
    },
    "order_not_found": {
        "id": "{shop}: pesanan {order} tidak ditemukan untuk nomor HP ini. Mohon cek lagi nomor pesanannya, "
              "contoh: O-1001.",
        "en": "{shop}: we found no order {order} for this phone number. Please check the order number, "
              "e.g. O-1001.",
    },
    "order_how": {
        "id": "{shop}: untuk memesan, SMS BELI kode/nama barang dan jumlahnya, contoh: BELI {example_goods} 2. "
              "Beberapa barang dipisah koma.",
        "en": "{shop}: to order, text BUY and the product's code or name and how many, e.g. BUY {example_goods} 2. "
              "Separate several items with commas.",
    },
    "order_unknown": {
        "id": "{shop}: barang \"{item}\" tidak ada di katalog kami. Mohon cek kode barangnya, contoh: BELI {example_goods} 2.",
        "en": "{shop}: we have no \"{item}\" in our catalogue. Please check the product code, e.g. BUY {example_goods} 2.",
    },
    "order_which": {
        "id": "{shop}: \"{item}\" yang mana? {choices}. Mohon kirim lagi dengan kodenya.",
        "en": "{shop}: which \"{item}\"? {choices}. Please text again with its code.",
    },
    "order_stock": {
        "id": "{shop}: maaf, stok {item} tinggal {left}. Mohon pesan paling banyak {left}.",
        "en": "{shop}: sorry, only {left} of {item} left in stock. Please order {left} at most.",
    },
    "order_by_sms_off": {
        "id": "{shop}: pemesanan lewat SMS belum tersedia. Silakan hubungi kami.",
        "en": "{shop}: ordering by SMS is not available here. Please contact us.",
    },
    "pay_thanks": {
        "id": "{shop}: terima kasih, konfirmasi bayar {amount} untuk {order} sudah kami catat. "
              "Kami akan cek dan kabari lewat SMS.",
        "en": "{shop}: thank you, your payment of {amount} for {order} is noted. "
              "We will check it and let you know by SMS.",
    },
    "pay_rejected": {
        "id": "{shop}: maaf, bayar {amount} untuk {order} belum diterima: {reason}. "
              "Mohon cek lalu kirim BAYAR lagi.",
        "en": "{shop}: sorry, {amount} for {order} was not accepted: {reason}. "
              "Please check and text PAY again.",
    },
    "pay_none_open": {
        "id": "{shop}: tidak ada pesanan yang menunggu pembayaran untuk nomor HP ini. "
              "Contoh konfirmasi: BAYAR O-1001 250000.",
        "en": "{shop}: there is no order awaiting payment for this phone number. "
              "To confirm a payment: PAY O-1001 250000.",
    },
    "pay_which": {
        "id": "{shop}: pembayaran ini untuk pesanan yang mana? Balas dengan nomornya: {choices}",
        "en": "{shop}: which order is this payment for? Reply with its number: {choices}",
    },
    "pay_amount_how": {
        "id": "{shop}: berapa jumlah yang Anda transfer untuk {order}? Balas dengan jumlahnya, "
              "contoh: 250000 atau Rp 250.000.",
        "en": "{shop}: how much did you transfer for {order}? Reply with the amount, "
              "for example 250000 or Rp 250.000.",
    },
    "pay_cancelled": {
        "id": "{shop}: pesanan {order} sudah dibatalkan, jadi tidak perlu dibayar. "
              "Bila sudah transfer, staf kami akan menghubungi Anda.",
        "en": "{shop}: order {order} was cancelled, so there is nothing to pay. "
              "If you already paid, our staff will contact you.",
    },
    "pay_already_paid": {
        "id": "{shop}: pesanan {order} sudah lunas, terima kasih. "
              "Bila ada yang keliru, staf kami akan menghubungi Anda.",
        "en": "{shop}: order {order} is already paid, thank you. If something is wrong, our staff will contact you.",
    },
}, purpose="orders")

# What STATUS O-1001 says about each status, in the customer's language.
STATE_WORDS = {
    "id": {"new": "sedang kami periksa", "awaiting_payment": "menunggu pembayaran sampai {due}",
           "claimed": "pembayaran Anda sedang kami cek", "paid": "sudah dibayar, sedang kami siapkan",
           "in_production": "sedang diproses (dibuat)", "packed": "sudah dikemas, menunggu dikirim",
           "shipped": "sudah dikirim", "done": "selesai", "cancelled": "dibatalkan"},
    "en": {"new": "being checked", "awaiting_payment": "awaiting payment until {due}",
           "claimed": "we are checking your payment", "paid": "paid, being prepared",
           "in_production": "in production (being made)", "packed": "packed, waiting to be shipped",
           "shipped": "shipped", "done": "done", "cancelled": "cancelled"},
}

# Words staff read in errors and the audit trail.

# -- what customers text -----------------------------------------------------------------------------

def own_order(customer: Customer | None, number: int) -> Order | None:
    """Only the customer's own order: another's looks exactly like none."""
    if customer is None:
        return None
    return Order.get_or_none((Order.number == number) & (Order.customer == customer.id))


def _split_ref(text: str, customer: Customer | None) -> tuple[int | None, str]:
    """The order number in a text and the rest of it.

    Without the "O-", a first bare number is the order number when it is one
    of this customer's orders, or when an amount follows it and it is no
    larger than the shop's last order number ("BAYAR 1001 250000"); else it
    is the amount ("BAYAR 250000").
    """
    found = REFERENCE.search(text)
    if found:
        return int(found.group(1)), (text[:found.start()] + " " + text[found.end():]).strip()
    first, _, rest = text.partition(" ")
    if re.fullmatch(r"[0-9]{1,9}", first):
        number = int(first)
        if own_order(customer, number) is not None:
            return number, rest.strip()
        if amounts_in(rest) and number < next_number():
            return number, rest.strip()
    return None, text


def _amount(text: str) -> int | None:
    """The amount in a free text: the first that reads as at least Rp 1.000
    ("tgl 12/11 250rb" is 250000, not 12), else the first that reads at all."""
    readable = []
    for candidate in amounts_in(text):
        try:
            readable.append(parse_price(candidate, allow_zero=False))
        except PriceError:
            continue
    big = [a for a in readable if a >= 1000]
    return (big or readable or [None])[0]


def _flag_for_staff(c: Conversation) -> None:
    hand_to_staff(c.message)


def claim(c: Conversation, number: int, amount: int | None) -> list:
    """Answer a claim once the order number is known."""
    order = own_order(c.customer, number)
    if order is None:
        return [c.reply("order_not_found", order=ref(number))]
    if order.status == "cancelled":
        _flag_for_staff(c)  # they may have sent money for it
        return [c.reply("pay_cancelled", order=ref(order))]
    if order.status not in UNPAID:
        _flag_for_staff(c)
        return [c.reply("pay_already_paid", order=ref(order))]
    if amount is None:
        c.remember("orders.pay_amount", {"number": order.number})
        return [c.reply("pay_amount_how", order=ref(order))]
    try:
        record_claim(order, amount, text=c.text, now=c.now)
    except OrderError:  # paid or cancelled a moment ago: answer as things are now
        return claim(c, number, amount) if Order.get_by_id(order.id).status not in UNPAID else []
    return [c.reply("pay_thanks", order=ref(order), amount=rupiah(amount))]


@on_keyword("PAY")
def _pay(c: Conversation) -> list:
    """BAYAR O-1001 250000, BAYAR 250rb (one unpaid order), BAYAR O-1001."""
    # The order number and the amount come first; a pasted essay is not read to its end.
    text = c.args[:300]
    number, rest = _split_ref(text, c.customer)
    amount = _amount(rest)
    if number is not None:
        return claim(c, number, amount)
    unpaid = [o for o in open_orders_for(c.customer) if o.status in UNPAID] if c.customer else []
    return pay_which(c, unpaid, amount)


def pay_which(c: Conversation, unpaid: list, amount: int | None) -> list:
    """A payment without an order number: the only unpaid order, or ask which."""
    if not unpaid:
        return [c.reply("pay_none_open")]
    if len(unpaid) == 1:
        return claim(c, unpaid[0].number, amount)
    numbers = [o.number for o in unpaid]
    c.remember("orders.pay_which", {"numbers": numbers, "amount": amount})
    return [c.reply("pay_which", choices=", ".join(ref(n) for n in numbers[:CHOICES_SHOWN]))]


@on_reply("orders.pay_which")
def _pay_which(c: Conversation) -> list | None:
    """The answer to "which order?": its number (O-1002, 1002), maybe with the amount."""
    numbers = c.pending.get("numbers", [])
    text = c.text[:300]
    found = REFERENCE.search(text)
    number = int(found.group(1)) if found else None
    rest = text[found.end():] if found else text
    if number is None:
        first, _, tail = text.strip().partition(" ")
        if re.fullmatch(r"[0-9]{1,9}", first) and int(first) in numbers:
            number, rest = int(first), tail
    if number is None:
        return None  # not an answer: the text is read as a new request
    c.forget()
    return claim(c, number, _amount(rest) or c.pending.get("amount"))


@on_reply("orders.pay_amount")
def _pay_amount(c: Conversation) -> list | None:
    """The answer to "how much did you transfer?"."""
    text = c.text[:300]
    if not re.search(r"[0-9]", text):
        return None  # not an amount at all: a new request
    found = REFERENCE.search(text)
    amount = _amount(text[found.end():] if found else text)
    number = c.pending.get("number")
    if amount is None:
        return [c.reply("pay_amount_how", order=ref(number))]  # asked again; the question stays open
    c.forget()
    return claim(c, number, amount)


# -- ordering by SMS: BELI KR-01 2, oli mesin 1 -----------------------------------------------------

_ITEM_SEPARATORS = re.compile(r"[,;\n+&]|\s(?:dan|and)\s", re.I)
_QUANTITY = re.compile(r"^(?:x)?(\d{1,12})(?:x|pcs|pc|buah|bh|biji)?$", re.I)
SMS_DUPLICATE_WINDOW = dt.timedelta(minutes=30)


def parse_order_text(text: str) -> list[tuple[str, int]]:
    """What a customer's order SMS asks for: [(code or name, quantity)].
    "KR-01 2, 1 oli mesin, busi x3" -> [("KR-01", 2), ("oli mesin", 1), ("busi", 3)].
    The quantity may come before or after the item (default 1). Raises
    OrderError when there is no item or too many."""
    items = []
    for chunk in _ITEM_SEPARATORS.split(text[:600]):
        words = chunk.split()
        if not words:
            continue
        quantity = 1
        if len(words) > 1 and _QUANTITY.match(words[-1]):
            quantity, words = int(_QUANTITY.match(words[-1]).group(1)), words[:-1]
        elif len(words) > 1 and _QUANTITY.match(words[0]):
            quantity, words = int(_QUANTITY.match(words[0]).group(1)), words[1:]
        items.append((" ".join(words)[:100], quantity))
    if not items:
        raise OrderError("the text names no item")
    if len(items) > 20:  # an SMS order is short; a pasted list is for staff
        raise OrderError("too many items for one SMS")
    return items


def _sms_product(what: str) -> tuple[Product | None, list[Product]]:
    """The active product a customer means: its code or exact name, else the
    only one whose name contains the words; else (None, the candidates)."""
    try:
        product = product_named(what, 1)
    except OrderError:  # several products share that exact name: the search below lists them
        product = None
    if product is not None and product.active:
        return product, []
    words = what.lower().split()
    query = Product.select().where(Product.active == True)  # noqa: E712
    for word in words[:5]:
        query = query.where(pw.fn.LOWER(Product.name).contains(word))
    found = list(query.order_by(Product.name).limit(4)) if words else []
    return (found[0], []) if len(found) == 1 else (None, found)


def _same_order_lately(customer: Customer, lines: list[tuple[Product, int]], now: dt.datetime) -> Order | None:
    """The phone sent the same order twice (a resend, a double press)."""
    wanted = sorted((product.id, quantity) for product, quantity in lines)
    for order in (Order.select().where((Order.customer == customer.id) & (Order.status == "new")
                                       & (Order.created_at >= now - SMS_DUPLICATE_WINDOW))
                  .order_by(Order.id.desc()).limit(5)):
        have = sorted((i.product_id, i.quantity) for i in OrderItem.select().where(OrderItem.order == order.id))
        if have == wanted:
            return order
    return None


@on_keyword("ORDER")
def _order_by_sms(c: Conversation) -> list:
    """BELI KR-01 2: a new order, for staff to check; the reply says its number and total.
    When the words after BELI are not a clean list ("order rantai supra x 1 gan,
    kirim ke jl. merdeka") but name goods, they are read as free words and asked back."""
    answers = _order_strictly(c)
    read = c.understood
    if answers and answers[0][0] == "order_unknown" and read is not None \
            and read.products and "order" in FREE_TEXT_HANDLERS:
        return FREE_TEXT_HANDLERS["order"](c, read)
    return answers


def _order_strictly(c: Conversation) -> list:
    if c.customer is None:
        return [c.reply("order_how")]
    if not Product.select().where(Product.active == True).exists():  # noqa: E712
        return [c.reply("order_by_sms_off")]
    try:
        wanted = parse_order_text(clean_text(c.args))
    except OrderError:
        return [c.reply("order_how")]
    lines = []
    for what, quantity in wanted:
        if not what or not 1 <= quantity <= MAX_QUANTITY:
            return [c.reply("order_how")]
        product, candidates = _sms_product(what)
        if product is None and candidates:
            # Codes first, names cut short: three choices still fit one SMS.
            choices = ", ".join(f"{p.sku[:10]} {p.name[:14]}" if p.sku else p.name[:20] for p in candidates[:3])
            return [c.reply("order_which", item=what[:20], choices=choices)]
        if product is None:
            return [c.reply("order_unknown", item=what[:30])]
        if product.stock < quantity:
            return [c.reply("order_stock", item=product.name[:40], left=_left(product, product.stock))]
        lines.append((product, quantity))
    return place_order(c, lines)


def _left(product: Product, stock: int) -> str:
    """"3 botol": what is left, in the unit the goods are sold in."""
    return f"{max(stock, 0)} {product.unit}".strip()


def place_order(c: Conversation, lines: list) -> list:
    """A `new` order of (product, quantity) lines for staff to check; a resend makes none twice."""
    order = _same_order_lately(c.customer, lines, c.now)
    if order is None and alerts.unpaid_orders(c.customer) >= alerts.MAX_UNPAID_ORDERS_BY_SMS:
        return [c.reply("order_too_many", count=alerts.unpaid_orders(c.customer))]  # (one phone, all the stock)
    if order is None:
        try:
            order = create_order(c.customer, [(p, q, None) for p, q in lines], note="by SMS", now=c.now,
                                 status="new", shop=c.shop, notify=False)
        except OrderError:  # the stock went to another order in between
            short = next(((p, Product.get_by_id(p.id).stock) for p, q in lines if Product.get_by_id(p.id).stock < q),
                         (lines[0][0], 0))
            return [c.reply("order_stock", item=short[0].name[:40], left=_left(*short))]
    return [c.reply("order_new", order=ref(order), total=rupiah(order.total))]


@on_status(PREFIX)
def order_status(c: Conversation) -> list:
    """STATUS O-1001: only to the customer whose order it is."""
    number = c.pending["number"]
    order = own_order(c.customer, number)
    if order is None:
        return [c.reply("order_not_found", order=ref(number))]
    words = STATE_WORDS.get(c.language, STATE_WORDS["id"])
    state = order.status
    if state == "awaiting_payment" and PaymentClaim.select().where(
            (PaymentClaim.order == order.id) & (PaymentClaim.status == "claimed")).exists():
        state = "claimed"
    text = words[state].format(due=local_text(order.payment_due, c.shop))
    if state in ("shipped", "done"):
        text += detail(order.courier, order.tracking)  # sudah dikirim (JNE JP1234567890)
    key, answer = c.reply("order_status", order=ref(order), items=items_count(order), total=rupiah(order.total),
                          state=text)
    # Still to pay: where to pay follows, as in every SMS asking for payment.
    return [(key, answer + (pay_to(c.language) if state == "awaiting_payment" else ""))]
