"""Orders, and payment confirmed by SMS (the parts dealer, the online shop).

An order moves through a small table of statuses (TRANSITIONS); anything
else is refused with a message staff can read. Every status change texts the
customer once (idempotency key `order:{id}:{status}`).

Stock is taken when the order is created (the goods are put aside for the
customer) and given back when it is cancelled, in the same transaction as
the status change, so a cancelled order returns its stock exactly once.

A payment a customer says they made is a PaymentClaim staff check against
the bank before the order is paid. An order still awaiting payment when its
due time passes is cancelled by the `orders.unpaid` job, unless a claim is
waiting for staff. What customers text about orders is in orders_sms.py.
"""

from __future__ import annotations

import datetime as dt
import re

import peewee as pw

from .words import N_, say  # noqa: F401
from . import events, loyalty, outbox, replies, shipping, shopdata
from .audit import audit
from .catalogue import MAX_AMOUNT, CatalogueError, PriceError, parse_price, rupiah, text_field, whole_number
from .conversation import Shop, shop_or_default
from .customers import customer_for
from .jobs import periodic
from .models import Customer, Message, Order, OrderItem, PaymentClaim, Product, User
from .phone import PhoneError, is_replyable, normalise

PREFIX = "O"
FIRST_NUMBER = 1001
STATUSES = ("new", "awaiting_payment", "paid", "in_production", "packed", "shipped", "done", "cancelled")
UNPAID = ("new", "awaiting_payment")
# Paid, not shipped yet: the steps a shop may switch on (setting `order_steps`)
# sit between paid and shipped, "diproses" (made to order) and "dikemas".
STEPS = ("in_production", "packed")
PREPARING = ("paid", *STEPS)
OPEN = ("new", "awaiting_payment", *PREPARING, "shipped")

# Where an order may go from each status. `new -> paid`: paid at the counter.
# `paid -> done`: collected at the shop, nothing shipped. `paid -> cancelled`:
# the shop cannot deliver and refunds. Shipped goods are not cancelled here:
# a return is a new conversation with the shop.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("awaiting_payment", "paid", "cancelled"),
    "awaiting_payment": ("paid", "cancelled"),
    "paid": ("shipped", "done", "cancelled"),
    # Once in a step an order always goes on as a paid one does, even after the
    # shop switched the steps off; it never goes back a step.
    "in_production": ("packed", "shipped", "done", "cancelled"),
    "packed": ("shipped", "done", "cancelled"),
    "shipped": ("done",),
    "done": (),
    "cancelled": (),
}

# The SMS that ask the customer to pay: the shop's payment instructions follow them
# (replies.reply adds them; order_status only while the order awaits payment).
replies.asks_to_pay("order_awaiting_payment", "pay_rejected", "order_too_many")
MAX_ITEMS = 100
MAX_QUANTITY = 10_000
MAX_NOTE = 1000
MAX_REASON = 100
CHOICES_SHOWN = 5
NUMBER_RETRIES = 20


class OrderError(ValueError):
    """An order change that cannot be made; the message is for people."""


STATUS_LABELS = {"new": "new", "awaiting_payment": "awaiting payment", "paid": "paid",
                 "in_production": "in production", "packed": "packed", "shipped": "shipped",
                 "done": "done", "cancelled": "cancelled"}


# -- references and settings ----------------------------------------------------------

def ref(order: Order | int) -> str:
    """O-1001, as customers and staff see an order."""
    return f"{PREFIX}-{order if isinstance(order, int) else order.number}"


REFERENCE = re.compile(r"(?<![A-Za-z0-9])[Oo]\s*[-.#:]?\s*([0-9]{1,9})(?![0-9])")


def parse_ref(text: str) -> int | None:
    """The order number in 'O-1001', 'o1001', 'O 1001' or a bare '1001'."""
    text = (text or "").strip()
    if re.fullmatch(r"[0-9]{1,9}", text):
        return int(text)
    found = REFERENCE.fullmatch(text)
    return int(found.group(1)) if found else None


def find_order(reference: str | int) -> Order | None:
    """The order staff typed ('O-1001', '1001'), or None."""
    if isinstance(reference, int) and not isinstance(reference, bool):
        number = reference
    else:
        number = parse_ref(str(reference))
    return None if number is None else Order.get_or_none(Order.number == number)


def unpaid_days() -> float:
    """Days a customer has to pay (setting `order_unpaid_days`)."""
    return shopdata.setting("order_unpaid_days")


def claim_grace() -> dt.timedelta:
    """After a rejected claim, the customer has at least this long to pay right."""
    return dt.timedelta(hours=shopdata.setting("order_claim_grace_hours"))


def steps_on() -> tuple[str, ...]:
    """The steps this shop switched on: (), ("packed",) or ("in_production", "packed")."""
    return {"packed": ("packed",), "production": STEPS}.get(shopdata.setting("order_steps"), ())


def onward(status: str) -> tuple[str, ...]:
    """Where an order in `status` may go now: the table, and from paid (or in
    production) the later steps the shop switched on, in their order."""
    table, on = TRANSITIONS.get(status, ()), steps_on()
    later = on if status == "paid" else on[on.index(status) + 1:] if status in on else ()
    return tuple(s for s in later if s not in table) + table


def next_step(status: str) -> str | None:
    """The one step a tap on the order's page moves it to (paid -> diproses -> dikemas), or None."""
    return next((s for s in onward(status) if s in STEPS), None)


def listed_statuses() -> tuple[str, ...]:
    """The statuses the order list filters by: a step only where the shop uses it
    (or an order still is in it after the shop switched the steps off)."""
    used = set(steps_on()) | {s for (s,) in Order.select(Order.status).where(Order.status.in_(STEPS))
                              .distinct().tuples()}
    return tuple(s for s in STATUSES if s not in STEPS or s in used)


def _db() -> pw.Database:
    return Order._meta.database


def local_text(moment: dt.datetime | None, shop: Shop) -> str:
    return moment.astimezone(shop.tz).strftime("%d/%m %H:%M") if moment else ""


def _days_text(days: float) -> str:
    return str(int(days)) if float(days).is_integer() else f"{days:g}"


# -- creating orders -------------------------------------------------------------------

def _customer(customer: Customer | str, shop: Shop) -> Customer:
    if isinstance(customer, Customer):
        return customer
    if isinstance(customer, str):
        try:
            return customer_for(normalise(customer, shop.region))
        except PhoneError as exc:
            raise OrderError(say(N_("customer: {reason}"), reason=exc.args[0])) from None
    raise OrderError(N_("an order needs a customer"))


def product_named(what, position: int) -> Product:
    if isinstance(what, Product):
        product = Product.get_or_none(Product.id == what.id)
        if product is None:
            raise OrderError(say(N_("item {n}: the product no longer exists"), n=position))
        return product
    name = " ".join(what.split())
    found = list(Product.select().where(
        (pw.fn.LOWER(Product.name) == name.lower()) | (Product.sku == name.upper())).limit(3))
    active = [p for p in found if p.active] or found
    if len(active) > 1:
        raise OrderError(say(N_("item {n}: several products are called {name}; choose one by its code"), n=position,
                               name=repr(name)))
    return active[0] if active else None


def _lines(items) -> list[tuple[Product | None, str, int, int]]:
    """Validated (product, name, quantity, price) per item."""
    if not isinstance(items, (list, tuple)) or not items:
        raise OrderError(N_("an order needs at least one item"))
    if len(items) > MAX_ITEMS:
        raise OrderError(say(N_("an order has at most {n} items"), n=MAX_ITEMS))
    lines = []
    for position, item in enumerate(items, 1):
        if not isinstance(item, (list, tuple)) or len(item) not in (2, 3):
            raise OrderError(say(N_("item {n}: give the product, the quantity and optionally the price"), n=position))
        what, quantity, price = (*item, None) if len(item) == 2 else item
        if not isinstance(what, (Product, str)) or (isinstance(what, str) and not what.strip()):
            raise OrderError(say(N_("item {n}: which product?"), n=position))
        try:
            quantity = whole_number(quantity, N_("quantity"), minimum=1, maximum=MAX_QUANTITY)
            name = text_field(what.name if isinstance(what, Product) else what, N_("name"), maximum=200)
        except CatalogueError as exc:
            raise OrderError(say(N_("item {n}: {reason}"), n=position, reason=exc.args[0])) from None
        try:
            price = None if price is None or price == "" else parse_price(price)
        except PriceError as exc:
            raise OrderError(say(N_("item {n}: price: {reason}"), n=position, reason=exc.args[0])) from None
        product = product_named(what, position)
        if product is None and price is None:
            raise OrderError(say(N_("item {n}: there is no product called {name}; "
                                    "give a price for an item that is not in the catalogue"),
                                 n=position, name=repr(name)))
        if product is not None:
            if not product.active:
                raise OrderError(say(N_("item {n}: {product} is no longer sold"), n=position, product=product.name))
            name = product.name
            price = product.price if price is None else price
        lines.append((product, name, quantity, price))
    return lines


def _take_stock(product: Product, quantity: int) -> None:
    taken = (Product.update(stock=Product.stock - quantity)
             .where((Product.id == product.id) & (Product.stock >= quantity)).execute())
    if not taken:
        left = Product.get_by_id(product.id).stock
        raise OrderError(say(N_("only {left} of {product} in stock; {quantity} ordered"), left=left,
                             product=product.name, quantity=quantity))


def _return_stock(order: Order) -> None:
    for item in OrderItem.select().where(OrderItem.order == order.id, OrderItem.product.is_null(False)):
        Product.update(stock=Product.stock + item.quantity).where(Product.id == item.product_id).execute()


def item_row(order: Order, product: Product | None, name: str, quantity: int, price: int) -> dict:
    """An order line: the goods' code and unit as they are now, kept with it as its name is."""
    return dict(order=order.id, product=product.id if product else None, name=name, quantity=quantity, price=price,
                code=(product.sku or "") if product else "", unit=product.unit if product else "")


def shipping_cost(value) -> int:
    """The shipping cost staff typed ("15.000", "15rb", empty for none), or OrderError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    try:
        return parse_price(value)
    except PriceError as exc:
        raise OrderError(say(N_("shipping cost: {reason}"), reason=exc.args[0])) from None


def checked_total(total: int) -> int:
    if total > MAX_AMOUNT:
        raise OrderError(say(N_("the total {amount} is too large: at most {max}"), amount=rupiah(total),
                             max=rupiah(MAX_AMOUNT)))
    return total


def next_number() -> int:
    top = Order.select(pw.fn.MAX(Order.number)).scalar()
    return max(FIRST_NUMBER, (top or 0) + 1)


def _insert_order(customer: Customer, total: int, shipping: int, note: str, now: dt.datetime) -> Order:
    """The next free number; two orders created at once both get one, in turn."""
    for _ in range(NUMBER_RETRIES):
        number = next_number()
        try:
            with _db().atomic():  # a savepoint: a clash undoes only this insert
                return Order.create(number=number, customer=customer, total=total, shipping=shipping, note=note,
                                    created_at=now, updated_at=now)
        except pw.IntegrityError:
            continue  # another order took this number meanwhile
    raise OrderError(N_("could not give the order a number; please try again"))


def create_order(customer: Customer | str, items, *, by: User | None = None, note: str = "",
                 now: dt.datetime, status: str = "awaiting_payment", shop: Shop | None = None,
                 notify: bool = True, shipping=0) -> Order:
    """An order with its items; stock is put aside and the customer is texted.

    items: [(product or its name or code, quantity, price or None)]; the price
    defaults to the product's. A name that is not in the catalogue is a free
    item (shipping, a part ordered in) and needs its price. `status` is
    "awaiting_payment" (staff took the order: the customer is asked to pay) or
    "new" (to be checked first). notify=False: the caller tells the customer
    (an order by SMS is answered by the responder). `shipping`: what sending
    it costs (ongkir), staff's figure, part of the total.
    """
    shop = shop_or_default(shop)
    if status not in UNPAID:
        raise OrderError(N_("a new order is either new or awaiting payment"))
    customer = _customer(customer, shop)
    try:
        note = text_field(note, N_("note"), maximum=MAX_NOTE, required=False)
    except CatalogueError as exc:
        raise OrderError(exc.args[0]) from None
    lines = _lines(items)
    shipping = shipping_cost(shipping)
    total = checked_total(sum(quantity * price for _, _, quantity, price in lines) + shipping)
    with _db().atomic():
        for product, _, quantity, _ in lines:
            if product is not None:
                _take_stock(product, quantity)
        order = _insert_order(customer, total, shipping, note, now)
        OrderItem.insert_many([item_row(order, product, name, quantity, price)
                               for product, name, quantity, price in lines]).execute()
        audit("order.create", user=by, target=ref(order), now=now,
              detail=f"{customer.phone}: " + "; ".join(f"{q} x {n} @ {rupiah(p)}" for _, n, q, p in lines)
              + (f"; shipping {rupiah(shipping)}" if shipping else "") + f"; total {rupiah(total)}")
        events.emit("order.made", events.order_data(order, items=[
            {"name": n, "quantity": q, "price": p} for _, n, q, p in lines]), now)
        if status == "awaiting_payment":
            return _transition(order, "awaiting_payment", by=by, now=now, note="", shop=shop)
        if notify:
            _notify(order, "new", shop=shop, now=now)
    return order


# -- status changes ----------------------------------------------------------------------

def _refused(order: Order, old: str, new: str) -> str:
    """Why not, and where it can go instead: each status in the reader's words."""
    can = {f"s{n}": STATUS_LABELS[s] for n, s in enumerate(onward(old))}
    listed = ", ".join("{%s}" % name for name in can)  # no words of its own: only the statuses are translated
    return say(N_("{ref} is {old}; it cannot become {new}. From here it can go to: {can}"), ref=ref(order),
               old=STATUS_LABELS[old], new=STATUS_LABELS[new],
               can=say(listed, **can) if can else say(N_("nothing: it is closed")))


def _transition(order: Order, new: str, *, by: User | None, now: dt.datetime, note: str, shop: Shop,
                template: str | None = None, expected: str | None = None, sent: tuple[str, str] = ("", "")) -> Order:
    """Move an order to `new`: one conditional UPDATE, so two staff (or staff
    and the job) acting at once change it once, and its side effects (stock,
    the SMS) happen once."""
    with _db().atomic():
        current = Order.get_or_none(Order.id == order.id)
        if current is None:
            raise OrderError(say(N_("{ref} no longer exists"), ref=ref(order)))
        old = current.status
        if expected is not None and old != expected:
            raise OrderError(say(N_("{ref} is {status} now"), ref=ref(order), status=STATUS_LABELS.get(old, old)))
        if old == new:
            return current  # a retried form post: nothing to do
        if new not in onward(old):
            raise OrderError(_refused(current, old, new))
        changes = {Order.status: new, Order.updated_at: now}
        if new == "awaiting_payment":
            changes[Order.payment_due] = now + dt.timedelta(days=unpaid_days())
        elif new == "paid":
            changes[Order.paid_at] = now
        elif new == "shipped":
            changes[Order.shipped_at] = now
            changes[Order.courier], changes[Order.tracking] = sent
        if not Order.update(changes).where((Order.id == current.id) & (Order.status == old)).execute():
            raise OrderError(say(N_("{ref} was changed by someone else just now; please look again"), ref=ref(order)))
        if new == "cancelled":
            _return_stock(current)
        elif new == "paid":
            # Points for the purchase: once per order, whatever path paid it.
            loyalty.award_purchase(Customer.get_by_id(current.customer_id), current.total,
                                   f"order:{current.id}", now)
        said = "; ".join(part for part in (" ".join(p for p in sent if p), note) if part)
        audit("order.status", user=by, target=ref(current), now=now,
              detail=f"{STATUS_LABELS[old]} -> {STATUS_LABELS[new]}" + (f": {said}" if said else ""))
        updated = Order.get_by_id(current.id)
        if new in ("paid", "shipped"):
            events.emit(f"order.{new}", events.order_data(updated, courier=updated.courier,
                                                          tracking=updated.tracking), now)
        elif new in STEPS:
            events.emit("order.changed", events.order_data(updated, change=new), now)
        if new not in STEPS or (new == "packed" and shopdata.setting("order_packed_sms")):
            _notify(updated, new, shop=shop, now=now, template=template, note=note)
    for field in ("status", "payment_due", "paid_at", "shipped_at", "updated_at", "courier", "tracking"):
        setattr(order, field, getattr(updated, field))
    return updated


def _notify(order: Order, status: str, *, shop: Shop, now: dt.datetime, template: str | None = None,
            note: str = "") -> Message | None:
    """The customer's SMS about a status change, once per order and status."""
    customer = Customer.get_by_id(order.customer_id)
    if not is_replyable(customer.phone):
        return None
    if template is None and status == "shipped" and not order.tracking:
        template = "order_shipped_untracked"  # the shop's own rider, a courier without a number
    template = template or f"order_{status}"
    language = customer.language or shop.default_language
    text = replies.reply(
        template, language, shop=shop.name, order=ref(order), total=rupiah(order.total),
        due=local_text(order.payment_due, shop), days=_days_text(unpaid_days()),
        reason=note or "-", detail=shipping.detail(order.courier, order.tracking, note),
        courier=order.courier, tracking=order.tracking)
    row, _ = outbox.queue_outbound(customer.phone, text, category="transactional", customer=customer,
                                   key=f"order:{order.id}:{status}", template=template, now=now)
    return row


def set_status(order: Order, status: str, *, by: User | None, now: dt.datetime, note: str = "",
               shop: Shop | None = None, courier: str = "", tracking: str = "") -> Order:
    """Staff move an order on; the customer gets an SMS. A shipment keeps its
    courier and tracking number (both in the SMS); cancelling needs a
    reason, which the customer is told."""
    if status not in STATUSES:
        raise OrderError(say(N_("unknown order status {status}; one of: {statuses}"), status=repr(status),
                             statuses=", ".join(STATUSES)))
    try:
        note = text_field(note, N_("note"), maximum=MAX_REASON if status == "cancelled" else 200,
                          required=status == "cancelled")
    except CatalogueError as exc:
        if status != "cancelled":
            raise OrderError(exc.args[0]) from None
        raise OrderError(say(N_("cancelling needs a reason (the customer is told): {reason}"),
                             reason=exc.args[0])) from None
    try:
        sent = shipping.checked(courier, tracking) if status == "shipped" else ("", "")
    except shipping.ShippingError as exc:
        raise OrderError(exc.args[0]) from None
    return _transition(order, status, by=by, now=now, note=note, shop=shop_or_default(shop), sent=sent)


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
        raise OrderError(say(N_("amount: {reason}"), reason=exc.args[0])) from None
    with _db().atomic():
        current = Order.get_by_id(order.id)
        if current.status not in UNPAID:
            raise OrderError(say(N_("{ref} is {status}: there is nothing to pay"), ref=ref(current),
                                   status=STATUS_LABELS[current.status]))
        same = PaymentClaim.get_or_none((PaymentClaim.order == current.id) & (PaymentClaim.amount == amount)
                                        & (PaymentClaim.status == "claimed"))
        if same is not None:
            return same, False
        claim = PaymentClaim.create(order=current.id, amount=amount, text=(text or "")[:500], claimed_at=now)
        audit("order.claim", target=ref(current), now=now,
              detail=f"{rupiah(amount)} claimed (total {rupiah(current.total)})")
    return claim, True


def pending_claims() -> list[PaymentClaim]:
    """Claims waiting for staff, oldest first."""
    return list(PaymentClaim.select().where(PaymentClaim.status == "claimed")
                .order_by(PaymentClaim.claimed_at, PaymentClaim.id))


def _undecided(claim: PaymentClaim) -> PaymentClaim:
    current = PaymentClaim.get_or_none(PaymentClaim.id == claim.id)
    if current is None:
        raise OrderError(N_("this payment claim no longer exists"))
    if current.status != "claimed":
        raise OrderError(say(N_("this payment claim was already {status}"), status=current.status))
    return current


def _decide(claim: PaymentClaim, status: str, by: User | None, now: dt.datetime) -> None:
    if not (PaymentClaim.update(status=status, decided_by=by, decided_at=now)
            .where((PaymentClaim.id == claim.id) & (PaymentClaim.status == "claimed")).execute()):
        raise OrderError(N_("this payment claim was decided by someone else just now"))
    claim.status, claim.decided_by, claim.decided_at = status, by, now


def verify_claim(claim: PaymentClaim, by: User | None, now: dt.datetime, *, shop: Shop | None = None) -> Order:
    """The money is in the bank: the order is paid, and the customer told."""
    with _db().atomic():
        current = _undecided(claim)
        order = Order.get_by_id(current.order_id)
        if order.status not in UNPAID:
            raise OrderError(say(N_("{ref} is {status}: it cannot be paid now"), ref=ref(order),
                                   status=STATUS_LABELS[order.status]))
        _decide(current, "verified", by, now)
        audit("order.claim_verified", user=by, target=ref(order), now=now, detail=rupiah(current.amount))
        order = _transition(order, "paid", by=by, now=now, shop=shop_or_default(shop),
                            note=f"payment of {rupiah(current.amount)} verified")
    claim.status, claim.decided_by, claim.decided_at = current.status, by, now
    return order


def reject_claim(claim: PaymentClaim, reason: str, by: User | None, now: dt.datetime, *,
                 shop: Shop | None = None) -> PaymentClaim:
    """The money is not there (or not all of it): the customer is told why.

    A customer rejected near the due time still gets `order_claim_grace_hours`
    to pay right before the order is cancelled.
    """
    shop = shop_or_default(shop)
    try:
        reason = text_field(reason, N_("reason"), maximum=MAX_REASON)
    except CatalogueError as exc:
        raise OrderError(say(N_("rejecting needs a reason (the customer is told): {reason}"),
                             reason=exc.args[0])) from None
    with _db().atomic():
        current = _undecided(claim)
        order = Order.get_by_id(current.order_id)
        _decide(current, "rejected", by, now)
        PaymentClaim.update(reason=reason).where(PaymentClaim.id == current.id).execute()
        audit("order.claim_rejected", user=by, target=ref(order), now=now,
              detail=f"{rupiah(current.amount)}: {reason}")
        latest = now + claim_grace()
        if order.status == "awaiting_payment" and order.payment_due and order.payment_due < latest:
            Order.update(payment_due=latest, updated_at=now).where(Order.id == order.id).execute()
            audit("order.due_extended", user=by, target=ref(order), now=now,
                  detail=f"to {latest.isoformat()} after a rejected payment claim")
        customer = Customer.get_by_id(order.customer_id)
        if is_replyable(customer.phone):
            language = customer.language or shop.default_language
            text = replies.reply("pay_rejected", language, shop=shop.name, order=ref(order),
                                 amount=rupiah(current.amount), reason=reason)
            outbox.queue_outbound(customer.phone, text, category="transactional", customer=customer,
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
