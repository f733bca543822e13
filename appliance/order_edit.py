"""Changing an order before it ships: quantities, goods added or taken off, the shipping cost.

An order is changed while it is new, awaiting payment or paid (also in
production or packed, the steps a shop may switch on); once shipped,
done or cancelled it is refused with the reason. A paid order's total may go
down (the shop gives the difference back) but not up: the customer paid the
old total, and more goods are a new order.

Stock follows every line in the same transaction as the order, with the same
conditional UPDATE an order takes it with, so stock never goes below zero and
a refused change leaves stock and order as they were. The change is one
conditional UPDATE of the order on the version staff saw (`seen`): two staff
changing it at once, or a shipment meanwhile, make the second change refused,
not mixed. One audit entry says what changed; a customer asked to pay gets the
new total by SMS.
"""

from __future__ import annotations

import datetime as dt

import peewee as pw

from . import events, outbox
from .audit import audit
from .catalogue import CatalogueError, rupiah, whole_number
from .conversation import Shop, shop_or_default, templates
from .models import Customer, Order, OrderItem, Product, User
from .orders import (MAX_ITEMS, MAX_QUANTITY, STATUS_LABELS, OrderError, _lines, _take_stock, checked_total,
                     item_row, local_text, ref, shipping_cost)
from .phone import is_replyable
from .replies import asks_to_pay, reply
from .words import N_, say

EDITABLE = ("new", "awaiting_payment", "paid", "in_production", "packed")
PAID = ("paid", "in_production", "packed")  # the customer paid the total: it may go down, not up

templates({
    "order_changed": {
        "id": "{shop}: pesanan {order} diubah, total baru {total}. Mohon bayar s/d {due}, "
              "lalu SMS BAYAR {order} jumlahnya",
        "en": "{shop}: order {order} was changed, the new total is {total}. Please pay before {due}, "
              "then text: PAY {order} amount",
    },
}, purpose="orders")
asks_to_pay("order_changed")  # where to pay follows it, as in every SMS asking for payment


def version(order: Order) -> str:
    """What the edit form carries back: the order as staff saw it."""
    return order.updated_at.isoformat() if order.updated_at else ""


def editable(order: Order) -> bool:
    return order.status in EDITABLE


def _quantity(value, position: str) -> int:
    try:
        return whole_number(value, N_("quantity"), minimum=0, maximum=MAX_QUANTITY)
    except CatalogueError as exc:
        raise OrderError(say(N_("{item}: {reason}"), item=position, reason=exc.args[0])) from None


def _give_back(product_id: int | None, quantity: int) -> None:
    if product_id is not None and quantity:
        Product.update(stock=Product.stock + quantity).where(Product.id == product_id).execute()


def _take_more(product: Product, quantity: int) -> None:
    try:
        _take_stock(product, quantity)
    except OrderError:
        left = Product.get_by_id(product.id).stock
        raise OrderError(say(N_("only {left} more of {product} in stock; {quantity} more asked"), left=left,
                             product=product.name, quantity=quantity)) from None


def edit_order(order: Order, *, quantities: dict | None = None, add=(), shipping=None, by: User | None,
               now: dt.datetime, shop: Shop | None = None, seen: str | None = None) -> Order:
    """Change an order that has not shipped.

    quantities: {order line id: new quantity}, 0 takes the line off. add: more
    lines as create_order takes them [(product or its name or code, quantity,
    price or None)]; goods already on the order at the same price add to their
    line. shipping: the new shipping cost, None to leave it. seen: version(order)
    when staff opened it. Returns the order as it is now; OrderError says why not.
    """
    shop = shop_or_default(shop)
    new_shipping = None if shipping is None else shipping_cost(shipping)
    wanted = {}
    for key, value in (quantities or {}).items():
        try:
            line_id = int(key)
        except (TypeError, ValueError):
            raise OrderError(N_("that line is not on this order")) from None
        wanted[line_id] = value
    added = _lines(list(add)) if add else []
    with Order._meta.database.atomic():
        current = Order.get_or_none(Order.id == order.id)
        if current is None:
            raise OrderError(say(N_("{ref} no longer exists"), ref=ref(order)))
        if current.status not in EDITABLE:
            raise OrderError(say(N_("{ref} is {status}: it can no longer be changed"), ref=ref(current),
                                 status=STATUS_LABELS[current.status]))
        if seen is not None and seen != version(current):
            raise OrderError(say(N_("{ref} was changed by someone else just now; please look again"),
                                 ref=ref(current)))
        lines = {item.id: item for item in OrderItem.select().where(OrderItem.order == current.id)}
        said = []
        for line_id, value in wanted.items():
            item = lines.get(line_id)
            if item is None:
                raise OrderError(N_("that line is not on this order"))
            quantity = _quantity(value, item.name)
            if quantity == item.quantity:
                continue
            if quantity > item.quantity and item.product_id is not None:
                _take_more(Product.get_by_id(item.product_id), quantity - item.quantity)
            else:
                _give_back(item.product_id, item.quantity - quantity)
            said.append(f"{item.name} {item.quantity} -> {quantity}")
            if quantity:
                OrderItem.update(quantity=quantity).where(OrderItem.id == item.id).execute()
                item.quantity = quantity
            else:
                OrderItem.delete().where(OrderItem.id == item.id).execute()
                del lines[line_id]
        for product, name, quantity, price in added:
            if product is not None:
                _take_more(product, quantity)
            same = next((i for i in lines.values() if product is not None and i.product_id == product.id
                         and i.price == price), None)
            if same is not None:
                _quantity(same.quantity + quantity, same.name)  # at most MAX_QUANTITY on one line too
                OrderItem.update(quantity=OrderItem.quantity + quantity).where(OrderItem.id == same.id).execute()
                same.quantity += quantity
            else:
                row = OrderItem.create(**item_row(current, product, name, quantity, price))
                lines[row.id] = row
            said.append(f"+ {quantity} x {name} @ {rupiah(price)}")
        if not lines:
            raise OrderError(N_("an order keeps at least one item; to take them all off, cancel the order"))
        if len(lines) > MAX_ITEMS:
            raise OrderError(say(N_("an order has at most {n} items"), n=MAX_ITEMS))
        cost = current.shipping if new_shipping is None else new_shipping
        if cost != current.shipping:
            said.append(f"shipping {rupiah(current.shipping)} -> {rupiah(cost)}")
        if not said:
            return current  # the form sent back as it was
        total = checked_total(sum(i.quantity * i.price for i in lines.values()) + cost)
        if current.status in PAID and total > current.total:
            raise OrderError(say(N_("{ref} is paid ({paid}): the new total {total} is more than was paid. "
                                    "Make a new order for what is added"), ref=ref(current),
                                 paid=rupiah(current.total), total=rupiah(total)))
        changed = (Order.update(total=total, shipping=cost, updated_at=now)
                   .where((Order.id == current.id) & (Order.status == current.status)
                          & (Order.updated_at == current.updated_at)).execute())
        if not changed:
            raise OrderError(say(N_("{ref} was changed by someone else just now; please look again"),
                                 ref=ref(current)))
        audit("order.edit", user=by, target=ref(current), now=now,
              detail="; ".join(said) + f"; total {rupiah(current.total)} -> {rupiah(total)}")
        updated = Order.get_by_id(current.id)
        events.emit("order.changed", events.order_data(updated, change="edited", shipping=cost, items=[
            {"name": i.name, "code": i.code, "quantity": i.quantity, "price": i.price}
            for i in sorted(lines.values(), key=lambda i: i.id or 0)]), now)
        if updated.status == "awaiting_payment" and total != current.total:
            _tell(updated, shop, now)
    for field in ("total", "shipping", "updated_at"):
        setattr(order, field, getattr(updated, field))
    return updated


def _tell(order: Order, shop: Shop, now: dt.datetime) -> None:
    """The customer was asked to pay the old total: the new one, once per change."""
    customer = Customer.get_by_id(order.customer_id)
    if not is_replyable(customer.phone):
        return
    text = reply("order_changed", customer.language or shop.default_language, shop=shop.name, order=ref(order),
                 total=rupiah(order.total), due=local_text(order.payment_due, shop))
    outbox.queue_outbound(customer.phone, text, category="transactional", customer=customer,
                          key=f"order:{order.id}:changed:{version(order)}", template="order_changed", now=now)


def lines_of(order: Order) -> list[OrderItem]:
    """The order's lines in the order they were added."""
    return list(OrderItem.select().where(OrderItem.order == order.id).order_by(OrderItem.id))


def subtotal(order: Order) -> int:
    """The goods alone, without the shipping cost."""
    return OrderItem.select(pw.fn.SUM(OrderItem.quantity * OrderItem.price)).where(
        OrderItem.order == order.id).scalar() or 0
