"""Orders, and payment confirmed by SMS (the parts dealer, the online shop).

An order moves through a small table of statuses (TRANSITIONS); anything
else is refused with a message staff can read. Every status change texts the
customer once (idempotency key `order:{id}:{status}`).

Stock is taken when the order is created (the goods are put aside for the
customer) and given back when it is cancelled, in the same transaction as
the status change, so a cancelled order returns its stock exactly once.

Customers order by SMS too: `BELI KR-01 2` (a product's code or name and
how many; several items separated by commas). The order is `new`: staff
check it and ask for payment, as for an order taken on the phone.

Customers text `BAYAR O-1001 250000` when they have transferred the money:
that is a PaymentClaim staff check against the bank before the order is
paid. An order still awaiting payment when its due time passes is cancelled
by the `orders.unpaid` job, unless a claim is waiting for staff.
"""

from __future__ import annotations

import datetime as dt
import re

import peewee as pw

from . import alerts, crm, loyalty, messaging, replies, shopdata
from .catalogue import (MAX_AMOUNT, CatalogueError, PriceError, amounts_in, parse_price, rupiah, text_field,
                        whole_number)
from .jobs import periodic
from .models import Customer, Message, Order, OrderItem, PaymentClaim, Product, User
from .phone import PhoneError, is_replyable, normalise
from .responder import Conversation, Shop, on_keyword, on_reply, on_status

PREFIX = "O"
FIRST_NUMBER = 1001
STATUSES = ("new", "awaiting_payment", "paid", "shipped", "done", "cancelled")
UNPAID = ("new", "awaiting_payment")
OPEN = ("new", "awaiting_payment", "paid", "shipped")

# Where an order may go from each status. `new -> paid`: paid at the counter.
# `paid -> done`: collected at the shop, nothing shipped. `paid -> cancelled`:
# the shop cannot deliver and refunds. Shipped goods are not cancelled here:
# a return is a new conversation with the shop.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("awaiting_payment", "paid", "cancelled"),
    "awaiting_payment": ("paid", "cancelled"),
    "paid": ("shipped", "done", "cancelled"),
    "shipped": ("done",),
    "done": (),
    "cancelled": (),
}

MAX_ITEMS = 100
MAX_QUANTITY = 10_000
MAX_NOTE = 1000
MAX_REASON = 100
CHOICES_SHOWN = 5
NUMBER_RETRIES = 20
DEFAULT_UNPAID_DAYS = 3
DEFAULT_CLAIM_GRACE_HOURS = 24


class OrderError(ValueError):
    """An order change that cannot be made; the message is for people."""


replies.register({
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
    "order_shipped": {
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
        "id": "{shop}: untuk memesan, SMS BELI kode/nama barang dan jumlahnya, contoh: BELI KR-01 2. "
              "Beberapa barang dipisah koma.",
        "en": "{shop}: to order, text BUY and the product's code or name and how many, e.g. BUY KR-01 2. "
              "Separate several items with commas.",
    },
    "order_unknown": {
        "id": "{shop}: barang \"{item}\" tidak ada di katalog kami. Mohon cek kode barangnya, contoh: BELI KR-01 2.",
        "en": "{shop}: we have no \"{item}\" in our catalogue. Please check the product code, e.g. BUY KR-01 2.",
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
})

# What STATUS O-1001 says about each status, in the customer's language.
STATE_WORDS = {
    "id": {"new": "sedang kami periksa", "awaiting_payment": "menunggu pembayaran sampai {due}",
           "claimed": "pembayaran Anda sedang kami cek", "paid": "sudah dibayar, sedang kami siapkan",
           "shipped": "sudah dikirim", "done": "selesai", "cancelled": "dibatalkan"},
    "en": {"new": "being checked", "awaiting_payment": "awaiting payment until {due}",
           "claimed": "we are checking your payment", "paid": "paid, being prepared",
           "shipped": "shipped", "done": "done", "cancelled": "cancelled"},
}

# Words staff read in errors and the audit trail.
STATUS_LABELS = {"new": "new", "awaiting_payment": "awaiting payment", "paid": "paid", "shipped": "shipped",
                 "done": "done", "cancelled": "cancelled"}


# -- references and settings ----------------------------------------------------------

def ref(order: Order | int) -> str:
    """O-1001, as customers and staff see an order."""
    return f"{PREFIX}-{order if isinstance(order, int) else order.number}"


_REF = re.compile(r"(?<![A-Za-z0-9])[Oo]\s*[-.#:]?\s*([0-9]{1,9})(?![0-9])")


def parse_ref(text: str) -> int | None:
    """The order number in 'O-1001', 'o1001', 'O 1001' or a bare '1001'."""
    text = (text or "").strip()
    if re.fullmatch(r"[0-9]{1,9}", text):
        return int(text)
    found = _REF.fullmatch(text)
    return int(found.group(1)) if found else None


def find_order(reference: str | int) -> Order | None:
    """The order staff typed ('O-1001', '1001'), or None."""
    if isinstance(reference, int) and not isinstance(reference, bool):
        number = reference
    else:
        number = parse_ref(str(reference))
    return None if number is None else Order.get_or_none(Order.number == number)


def unpaid_days() -> float:
    """Days a customer has to pay (shop setting `order_unpaid_days`, default 3).

    A broken setting falls back to the default: a typo in the settings page
    must not cancel every order at once.
    """
    value = shopdata.get("order_unpaid_days", DEFAULT_UNPAID_DAYS)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 60:
        return DEFAULT_UNPAID_DAYS
    return value


def claim_grace() -> dt.timedelta:
    """After a rejected claim, the customer has at least this long to pay right."""
    value = shopdata.get("order_claim_grace_hours", DEFAULT_CLAIM_GRACE_HOURS)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 24 * 14:
        value = DEFAULT_CLAIM_GRACE_HOURS
    return dt.timedelta(hours=value)


def _db() -> pw.Database:
    return Order._meta.database


def _shop(shop: Shop | None) -> Shop:
    return shop or Shop()


def _when(moment: dt.datetime | None, shop: Shop) -> str:
    return moment.astimezone(shop.tz).strftime("%d/%m %H:%M") if moment else ""


def _days_text(days: float) -> str:
    return str(int(days)) if float(days).is_integer() else f"{days:g}"


# -- creating orders -------------------------------------------------------------------

def _customer(customer: Customer | str, shop: Shop) -> Customer:
    if isinstance(customer, Customer):
        return customer
    if isinstance(customer, str):
        try:
            return crm.customer_for(normalise(customer, shop.region))
        except PhoneError as exc:
            raise OrderError(f"customer: {exc}") from None
    raise OrderError("an order needs a customer")


def _product(what, position: int) -> Product:
    if isinstance(what, Product):
        product = Product.get_or_none(Product.id == what.id)
        if product is None:
            raise OrderError(f"item {position}: the product no longer exists")
        return product
    name = " ".join(what.split())
    found = list(Product.select().where(
        (pw.fn.LOWER(Product.name) == name.lower()) | (Product.sku == name.upper())).limit(3))
    active = [p for p in found if p.active] or found
    if len(active) > 1:
        raise OrderError(f"item {position}: several products are called {name!r}; choose one by its SKU")
    return active[0] if active else None


def _lines(items) -> list[tuple[Product | None, str, int, int]]:
    """Validated (product, name, quantity, price) per item."""
    if not isinstance(items, (list, tuple)) or not items:
        raise OrderError("an order needs at least one item")
    if len(items) > MAX_ITEMS:
        raise OrderError(f"an order has at most {MAX_ITEMS} items")
    lines = []
    for position, item in enumerate(items, 1):
        if not isinstance(item, (list, tuple)) or len(item) not in (2, 3):
            raise OrderError(f"item {position}: give the product, the quantity and optionally the price")
        what, quantity, price = (*item, None) if len(item) == 2 else item
        if not isinstance(what, (Product, str)) or (isinstance(what, str) and not what.strip()):
            raise OrderError(f"item {position}: which product?")
        try:
            quantity = whole_number(quantity, "quantity", minimum=1, maximum=MAX_QUANTITY)
            name = text_field(what.name if isinstance(what, Product) else what, "name", maximum=200)
        except CatalogueError as exc:
            raise OrderError(f"item {position}: {exc}") from None
        try:
            price = None if price is None or price == "" else parse_price(price)
        except PriceError as exc:
            raise OrderError(f"item {position}: price: {exc}") from None
        product = _product(what, position)
        if product is None and price is None:
            raise OrderError(f"item {position}: there is no product called {name!r}; "
                             "give a price for an item that is not in the catalogue")
        if product is not None:
            if not product.active:
                raise OrderError(f"item {position}: {product.name} is no longer sold")
            name = product.name
            price = product.price if price is None else price
        lines.append((product, name, quantity, price))
    return lines


def _take_stock(product: Product, quantity: int) -> None:
    taken = (Product.update(stock=Product.stock - quantity)
             .where((Product.id == product.id) & (Product.stock >= quantity)).execute())
    if not taken:
        left = Product.get_by_id(product.id).stock
        raise OrderError(f"only {left} of {product.name} in stock; {quantity} ordered")


def _return_stock(order: Order) -> None:
    for item in OrderItem.select().where(OrderItem.order == order.id, OrderItem.product.is_null(False)):
        Product.update(stock=Product.stock + item.quantity).where(Product.id == item.product_id).execute()


def _next_number() -> int:
    top = Order.select(pw.fn.MAX(Order.number)).scalar()
    return max(FIRST_NUMBER, (top or 0) + 1)


def _insert_order(customer: Customer, total: int, note: str, now: dt.datetime) -> Order:
    """The next free number; two orders created at once both get one, in turn."""
    for _ in range(NUMBER_RETRIES):
        number = _next_number()
        try:
            with _db().atomic():  # a savepoint: a clash undoes only this insert
                return Order.create(number=number, customer=customer, total=total, note=note,
                                    created_at=now, updated_at=now)
        except pw.IntegrityError:
            continue  # another order took this number meanwhile
    raise OrderError("could not give the order a number; please try again")


def create_order(customer: Customer | str, items, *, by: User | None = None, note: str = "",
                 now: dt.datetime, status: str = "awaiting_payment", shop: Shop | None = None,
                 notify: bool = True) -> Order:
    """An order with its items; stock is put aside and the customer is texted.

    items: [(product or its name or SKU, quantity, price or None)]; the price
    defaults to the product's. A name that is not in the catalogue is a free
    item (shipping, a part ordered in) and needs its price. `status` is
    "awaiting_payment" (staff took the order: the customer is asked to pay) or
    "new" (to be checked first). notify=False: the caller tells the customer
    (an order by SMS is answered by the responder).
    """
    shop = _shop(shop)
    if status not in UNPAID:
        raise OrderError("a new order is either new or awaiting payment")
    customer = _customer(customer, shop)
    try:
        note = text_field(note, "note", maximum=MAX_NOTE, required=False)
    except CatalogueError as exc:
        raise OrderError(str(exc)) from None
    lines = _lines(items)
    total = sum(quantity * price for _, _, quantity, price in lines)
    if total > MAX_AMOUNT:
        raise OrderError(f"the total {rupiah(total)} is too large: at most {rupiah(MAX_AMOUNT)}")
    with _db().atomic():
        for product, _, quantity, _ in lines:
            if product is not None:
                _take_stock(product, quantity)
        order = _insert_order(customer, total, note, now)
        OrderItem.insert_many([dict(order=order.id, product=product.id if product else None, name=name,
                                    quantity=quantity, price=price)
                               for product, name, quantity, price in lines]).execute()
        crm.audit("order.create", user=by, target=ref(order), now=now,
                  detail=f"{customer.phone}: " + "; ".join(f"{q} x {n} @ {rupiah(p)}" for _, n, q, p in lines)
                  + f"; total {rupiah(total)}")
        if status == "awaiting_payment":
            return _transition(order, "awaiting_payment", by=by, now=now, note="", shop=shop)
        if notify:
            _notify(order, "new", shop=shop, now=now)
    return order


# -- status changes ----------------------------------------------------------------------

def _refused(order: Order, old: str, new: str) -> str:
    onward = ", ".join(STATUS_LABELS[s] for s in TRANSITIONS[old]) or "nothing: it is closed"
    return (f"{ref(order)} is {STATUS_LABELS[old]}; it cannot become {STATUS_LABELS[new]}. "
            f"From here it can go to: {onward}")


def _transition(order: Order, new: str, *, by: User | None, now: dt.datetime, note: str, shop: Shop,
                template: str | None = None, expected: str | None = None) -> Order:
    """Move an order to `new`: one conditional UPDATE, so two staff (or staff
    and the job) acting at once change it once, and its side effects (stock,
    the SMS) happen once."""
    with _db().atomic():
        current = Order.get_or_none(Order.id == order.id)
        if current is None:
            raise OrderError(f"{ref(order)} no longer exists")
        old = current.status
        if expected is not None and old != expected:
            raise OrderError(f"{ref(order)} is {STATUS_LABELS.get(old, old)} now")
        if old == new:
            return current  # a retried form post: nothing to do
        if new not in TRANSITIONS.get(old, ()):
            raise OrderError(_refused(current, old, new))
        changes = {Order.status: new, Order.updated_at: now}
        if new == "awaiting_payment":
            changes[Order.payment_due] = now + dt.timedelta(days=unpaid_days())
        elif new == "paid":
            changes[Order.paid_at] = now
        elif new == "shipped":
            changes[Order.shipped_at] = now
        if not Order.update(changes).where((Order.id == current.id) & (Order.status == old)).execute():
            raise OrderError(f"{ref(order)} was changed by someone else just now; please look again")
        if new == "cancelled":
            _return_stock(current)
        elif new == "paid":
            # Points for the purchase: once per order, whatever path paid it.
            loyalty.award_purchase(Customer.get_by_id(current.customer_id), current.total,
                                   f"order:{current.id}", now)
        crm.audit("order.status", user=by, target=ref(current), now=now,
                  detail=f"{STATUS_LABELS[old]} -> {STATUS_LABELS[new]}" + (f": {note}" if note else ""))
        updated = Order.get_by_id(current.id)
        _notify(updated, new, shop=shop, now=now, template=template, note=note)
    for field in ("status", "payment_due", "paid_at", "shipped_at", "updated_at"):
        setattr(order, field, getattr(updated, field))
    return updated


def _notify(order: Order, status: str, *, shop: Shop, now: dt.datetime, template: str | None = None,
            note: str = "") -> Message | None:
    """The customer's SMS about a status change, once per order and status."""
    customer = Customer.get_by_id(order.customer_id)
    if not is_replyable(customer.phone):
        return None
    template = template or f"order_{status}"
    language = customer.language or shop.default_language
    text = replies.reply(
        template, language, shop=shop.name, order=ref(order), total=rupiah(order.total),
        due=_when(order.payment_due, shop), days=_days_text(unpaid_days()),
        reason=note or "-", detail=f" ({note})" if note else "")
    row, _ = messaging.queue_outbound(customer.phone, text, category="transactional", customer=customer,
                                      key=f"order:{order.id}:{status}", template=template, now=now)
    return row


def set_status(order: Order, status: str, *, by: User | None, now: dt.datetime, note: str = "",
               shop: Shop | None = None) -> Order:
    """Staff move an order on; the customer gets an SMS. For a shipment the
    note (a courier and receipt number) is in the SMS; cancelling needs a
    reason, which the customer is told."""
    if status not in STATUSES:
        raise OrderError(f"unknown order status {status!r}; one of: {', '.join(STATUSES)}")
    try:
        note = text_field(note, "note", maximum=MAX_REASON if status == "cancelled" else 200,
                     required=status == "cancelled")
    except CatalogueError as exc:
        raise OrderError(("cancelling needs a reason (the customer is told): " if status == "cancelled" else "")
                         + str(exc)) from None
    return _transition(order, status, by=by, now=now, note=note, shop=_shop(shop))


def cancel_order(order: Order, *, by: User | None, reason: str, now: dt.datetime,
                 shop: Shop | None = None) -> Order:
    """Cancel with a reason the customer reads; the stock goes back."""
    return set_status(order, "cancelled", by=by, now=now, note=reason, shop=shop)


def open_orders_for(customer: Customer) -> list[Order]:
    """The customer's orders that are not done or cancelled, newest first."""
    return list(Order.select().where((Order.customer == customer) & Order.status.in_(OPEN))
                .order_by(Order.created_at.desc(), Order.id.desc()))


def items_count(order: Order) -> int:
    return OrderItem.select(pw.fn.SUM(OrderItem.quantity)).where(OrderItem.order == order.id).scalar() or 0


# -- payment claims ---------------------------------------------------------------------------

def record_claim(order: Order, amount, *, text: str = "", now: dt.datetime) -> tuple[PaymentClaim, bool]:
    """A customer says they paid. Returns (claim, created): the same claim sent
    twice is one claim. Refused for a cancelled or already paid order."""
    try:
        amount = parse_price(amount, allow_zero=False)
    except PriceError as exc:
        raise OrderError(f"amount: {exc}") from None
    with _db().atomic():
        current = Order.get_by_id(order.id)
        if current.status not in UNPAID:
            raise OrderError(f"{ref(current)} is {STATUS_LABELS[current.status]}: there is nothing to pay")
        same = PaymentClaim.get_or_none((PaymentClaim.order == current.id) & (PaymentClaim.amount == amount)
                                        & (PaymentClaim.status == "claimed"))
        if same is not None:
            return same, False
        claim = PaymentClaim.create(order=current.id, amount=amount, text=(text or "")[:500], claimed_at=now)
        crm.audit("order.claim", target=ref(current), now=now,
                  detail=f"{rupiah(amount)} claimed (total {rupiah(current.total)})")
    return claim, True


def pending_claims() -> list[PaymentClaim]:
    """Claims waiting for staff, oldest first."""
    return list(PaymentClaim.select().where(PaymentClaim.status == "claimed")
                .order_by(PaymentClaim.claimed_at, PaymentClaim.id))


def _undecided(claim: PaymentClaim) -> PaymentClaim:
    current = PaymentClaim.get_or_none(PaymentClaim.id == claim.id)
    if current is None:
        raise OrderError("this payment claim no longer exists")
    if current.status != "claimed":
        raise OrderError(f"this payment claim was already {current.status}")
    return current


def _decide(claim: PaymentClaim, status: str, by: User | None, now: dt.datetime) -> None:
    if not (PaymentClaim.update(status=status, decided_by=by, decided_at=now)
            .where((PaymentClaim.id == claim.id) & (PaymentClaim.status == "claimed")).execute()):
        raise OrderError("this payment claim was decided by someone else just now")
    claim.status, claim.decided_by, claim.decided_at = status, by, now


def verify_claim(claim: PaymentClaim, by: User | None, now: dt.datetime, *, shop: Shop | None = None) -> Order:
    """The money is in the bank: the order is paid, and the customer told."""
    with _db().atomic():
        current = _undecided(claim)
        order = Order.get_by_id(current.order_id)
        if order.status not in UNPAID:
            raise OrderError(f"{ref(order)} is {STATUS_LABELS[order.status]}: it cannot be paid now")
        _decide(current, "verified", by, now)
        crm.audit("order.claim_verified", user=by, target=ref(order), now=now, detail=rupiah(current.amount))
        order = _transition(order, "paid", by=by, now=now, shop=_shop(shop),
                            note=f"payment of {rupiah(current.amount)} verified")
    claim.status, claim.decided_by, claim.decided_at = current.status, by, now
    return order


def reject_claim(claim: PaymentClaim, reason: str, by: User | None, now: dt.datetime, *,
                 shop: Shop | None = None) -> PaymentClaim:
    """The money is not there (or not all of it): the customer is told why.

    A customer rejected near the due time still gets `order_claim_grace_hours`
    to pay right before the order is cancelled.
    """
    shop = _shop(shop)
    try:
        reason = text_field(reason, "reason", maximum=MAX_REASON)
    except CatalogueError as exc:
        raise OrderError(f"rejecting needs a reason (the customer is told): {exc}") from None
    with _db().atomic():
        current = _undecided(claim)
        order = Order.get_by_id(current.order_id)
        _decide(current, "rejected", by, now)
        PaymentClaim.update(reason=reason).where(PaymentClaim.id == current.id).execute()
        crm.audit("order.claim_rejected", user=by, target=ref(order), now=now,
                  detail=f"{rupiah(current.amount)}: {reason}")
        latest = now + claim_grace()
        if order.status == "awaiting_payment" and order.payment_due and order.payment_due < latest:
            Order.update(payment_due=latest, updated_at=now).where(Order.id == order.id).execute()
            crm.audit("order.due_extended", user=by, target=ref(order), now=now,
                      detail=f"to {latest.isoformat()} after a rejected payment claim")
        customer = Customer.get_by_id(order.customer_id)
        if is_replyable(customer.phone):
            text = replies.reply("pay_rejected", customer.language or shop.default_language, shop=shop.name,
                                 order=ref(order), amount=rupiah(current.amount), reason=reason)
            messaging.queue_outbound(customer.phone, text, category="transactional", customer=customer,
                                     key=f"order:{order.id}:claim:{current.id}:rejected", template="pay_rejected",
                                     now=now)
    claim.status, claim.decided_by, claim.decided_at, claim.reason = current.status, by, now, reason
    return claim


# -- the unpaid-order job ----------------------------------------------------------------------

@periodic("orders.unpaid")
def cancel_unpaid(shop: Shop, now: dt.datetime) -> int:
    """Cancel orders past their payment time; returns how many.

    An order with a claim waiting for staff is left alone: the customer says
    they paid in time, and staff decide.
    """
    waiting = PaymentClaim.select(PaymentClaim.order).where(PaymentClaim.status == "claimed")
    overdue = (Order.select(Order.id, Order.number).where(
        (Order.status == "awaiting_payment") & (Order.payment_due <= now) & Order.id.not_in(waiting))
        .order_by(Order.payment_due))
    cancelled = 0
    for order in overdue:
        with _db().atomic():
            if PaymentClaim.select().where((PaymentClaim.order == order.id)
                                           & (PaymentClaim.status == "claimed")).exists():
                continue  # a claim arrived meanwhile
            try:
                _transition(order, "cancelled", by=None, now=now, note="not paid in time", shop=shop,
                            template="order_expired", expected="awaiting_payment")
            except OrderError:
                continue  # staff changed it meanwhile
        cancelled += 1
    return cancelled


# -- what customers text -----------------------------------------------------------------------------

def _own_order(customer: Customer | None, number: int) -> Order | None:
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
    found = _REF.search(text)
    if found:
        return int(found.group(1)), (text[:found.start()] + " " + text[found.end():]).strip()
    first, _, rest = text.partition(" ")
    if re.fullmatch(r"[0-9]{1,9}", first):
        number = int(first)
        if _own_order(customer, number) is not None:
            return number, rest.strip()
        if amounts_in(rest) and number < _next_number():
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
    Message.update(needs_staff=True).where(Message.id == c.message.id).execute()


def _claim(c: Conversation, number: int, amount: int | None) -> list:
    """Answer a claim once the order number is known."""
    order = _own_order(c.customer, number)
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
        return _claim(c, number, amount) if Order.get_by_id(order.id).status not in UNPAID else []
    return [c.reply("pay_thanks", order=ref(order), amount=rupiah(amount))]


@on_keyword("PAY")
def _pay(c: Conversation) -> list:
    """BAYAR O-1001 250000, BAYAR 250rb (one unpaid order), BAYAR O-1001."""
    # The order number and the amount come first; a pasted essay is not read to its end.
    text = c.args[:300]
    number, rest = _split_ref(text, c.customer)
    amount = _amount(rest)
    if number is not None:
        return _claim(c, number, amount)
    unpaid = [o for o in open_orders_for(c.customer) if o.status in UNPAID] if c.customer else []
    if not unpaid:
        return [c.reply("pay_none_open")]
    if len(unpaid) == 1:
        return _claim(c, unpaid[0].number, amount)
    numbers = [o.number for o in unpaid]
    c.remember("orders.pay_which", {"numbers": numbers, "amount": amount})
    return [c.reply("pay_which", choices=", ".join(ref(n) for n in numbers[:CHOICES_SHOWN]))]


@on_reply("orders.pay_which")
def _pay_which(c: Conversation) -> list | None:
    """The answer to "which order?": its number (O-1002, 1002), maybe with the amount."""
    numbers = c.pending.get("numbers", [])
    text = c.text[:300]
    found = _REF.search(text)
    number = int(found.group(1)) if found else None
    rest = text[found.end():] if found else text
    if number is None:
        first, _, tail = text.strip().partition(" ")
        if re.fullmatch(r"[0-9]{1,9}", first) and int(first) in numbers:
            number, rest = int(first), tail
    if number is None:
        return None  # not an answer: the text is read as a new request
    c.forget()
    return _claim(c, number, _amount(rest) or c.pending.get("amount"))


@on_reply("orders.pay_amount")
def _pay_amount(c: Conversation) -> list | None:
    """The answer to "how much did you transfer?"."""
    text = c.text[:300]
    if not re.search(r"[0-9]", text):
        return None  # not an amount at all: a new request
    found = _REF.search(text)
    amount = _amount(text[found.end():] if found else text)
    number = c.pending.get("number")
    if amount is None:
        return [c.reply("pay_amount_how", order=ref(number))]  # asked again; the question stays open
    c.forget()
    return _claim(c, number, amount)


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
        product = _product(what, 1)
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
    """BELI KR-01 2: a new order, for staff to check; the reply says its number and total."""
    if c.customer is None:
        return [c.reply("order_how")]
    if not Product.select().where(Product.active == True).exists():  # noqa: E712
        return [c.reply("order_by_sms_off")]
    try:
        wanted = parse_order_text(messaging.clean_text(c.args))
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
            return [c.reply("order_stock", item=product.name[:40], left=max(product.stock, 0))]
        lines.append((product, quantity))
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
            return [c.reply("order_stock", item=short[0].name[:40], left=max(short[1], 0))]
    return [c.reply("order_new", order=ref(order), total=rupiah(order.total))]


@on_status(PREFIX)
def order_status(c: Conversation) -> list:
    """STATUS O-1001: only to the customer whose order it is."""
    number = c.pending["number"]
    order = _own_order(c.customer, number)
    if order is None:
        return [c.reply("order_not_found", order=ref(number))]
    words = STATE_WORDS.get(c.language, STATE_WORDS["id"])
    state = order.status
    if state == "awaiting_payment" and PaymentClaim.select().where(
            (PaymentClaim.order == order.id) & (PaymentClaim.status == "claimed")).exists():
        state = "claimed"
    return [c.reply("order_status", order=ref(order), items=items_count(order), total=rupiah(order.total),
                    state=words[state].format(due=_when(order.payment_due, c.shop)))]
