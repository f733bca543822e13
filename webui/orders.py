"""Orders: the list, a new order for a customer, and one order with its
status changes and the payment claims staff verify or reject."""

from __future__ import annotations

import bottle

from appliance import catalogue, clock, order_edit, orders, shipping
from appliance.customers import customer_for
from appliance.models import Order, PaymentClaim
from appliance.phone import PhoneError, normalise

from . import formats
from .i18n import N_
from .web import PER_PAGE, Web, done_for, found, int_or_zero, photo_url, prefilled_phone, shop_of


def order_list(web: Web, error: str = ""):
    page = web.page_number()
    status = web.query("status", limit=20)
    query = Order.select()
    if status in orders.STATUSES:
        query = query.where(Order.status == status)
    rows = list(query.order_by(Order.number.desc()).limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE))
    return web.render("orders", title="Orders",
                      prefill=prefilled_phone(web), rows=rows[:PER_PAGE], page=page, more=len(rows) > PER_PAGE,
                      status=status, claims=orders.pending_claims(), error=error,
                      products=catalogue.products(), statuses=orders.listed_statuses(), goods_label=_goods_label(web))


def _goods_label(web: Web):
    """How goods read in a list to pick from: KR-01 · Kampas rem · Rp 65.000 · stock 30 set."""
    def label(product) -> str:
        money = formats.money(product.price, web.language)
        stock = f"{web.t('stock')} {formats.number(product.stock, web.language)}" + \
            (f" {product.unit}" if product.unit else "")
        return " · ".join(part for part in (product.sku, product.name, money, stock) if part)
    return label


def order_create(web: Web):
    items = []
    for n in range(1, 6):
        product, quantity = web.form(f"product{n}", limit=20), web.form(f"quantity{n}", limit=6)
        if product:
            try:
                items.append((catalogue.Product.get_by_id(int_or_zero(product)), int(quantity or 1), None))
            except (ValueError, catalogue.Product.DoesNotExist):
                bottle.response.status = 400
                return order_list(web, web.t("Quantities are whole numbers."))
    try:
        phone = normalise(web.form("phone", limit=40), web.settings.default_region)
        order = orders.create_order(customer_for(phone), items, by=web.user, note=web.form("note", limit=500),
                                    now=clock.utcnow(), shop=shop_of(web), shipping=web.form("shipping", limit=100))
    except (PhoneError, orders.OrderError, catalogue.CatalogueError) as exc:
        bottle.response.status = 400
        return order_list(web, web.problem(exc))
    web.tasks.kick_outbox()
    done_for(web, phone, f"/orders/{order.number}", web.t("{ref} created.").format(ref=orders.ref(order)))


def _order(number: str) -> Order:
    return found(orders.find_order(number), "order")


def order_detail(web: Web, number: str, error: str = "", editing: bool = False):
    order = _order(number)
    return web.render("order", title=orders.ref(order), o=order, error=error, ref=orders.ref(order),
                      lines=order_edit.lines_of(order), subtotal=order_edit.subtotal(order),
                      editable=order_edit.editable(order), editing=editing, version=order_edit.version(order),
                      products=catalogue.products(), goods_label=_goods_label(web),
                      pay_to=web.settings.payment_instructions, couriers=shipping.COURIERS,
                      old_note=shipping.old_note(order), limits=(shipping.MAX_COURIER, shipping.MAX_TRACKING),
                      claims=list(PaymentClaim.select().where(PaymentClaim.order == order).order_by(PaymentClaim.id)),
                      next_states=orders.onward(order.status), step=orders.next_step(order.status),
                      paid=order.status in order_edit.PAID, photo_url=photo_url(web))


def order_act(web: Web, number: str):
    order = _order(number)
    action, now, shop = web.form("action", limit=30), clock.utcnow(), shop_of(web)
    try:
        if action == "status":
            orders.set_status(order, web.form("status", limit=20), by=web.user, now=now,
                              note=web.form("note", limit=500), shop=shop,
                              courier=web.form("courier", limit=200), tracking=web.form("tracking", limit=200))
        elif action == "edit":
            _edit(web, order, now, shop)
        elif action == "cancel":
            orders.cancel_order(order, by=web.user, reason=web.form("note", limit=500), now=now, shop=shop)
        elif action in ("verify", "reject"):
            claim = PaymentClaim.get_or_none((PaymentClaim.id == int_or_zero(web.form("claim")))
                                             & (PaymentClaim.order == order))
            if claim is None:
                web.refuse(404, "No such payment claim.")
            if action == "verify":
                orders.verify_claim(claim, web.user, now, shop=shop)
            else:
                orders.reject_claim(claim, web.form("note", limit=500), web.user, now, shop=shop)
        else:
            web.refuse(400, "Unknown action.")
    except orders.OrderError as exc:
        bottle.response.status = 409
        return order_detail(web, number, web.problem(exc), editing=action == "edit")
    web.tasks.kick_outbox()
    web.redirect(f"/orders/{order.number}", N_("Saved."))



ADD_ROWS = 2


def _edit(web: Web, order: Order, now, shop) -> None:
    """The change form: a quantity per line (0 takes it off), goods to add, the shipping cost."""
    quantities = {name[3:]: web.form(name, limit=30) for name in bottle.request.forms.keys()
                  if name.startswith("qty") and name[3:].isdigit()}
    add = []
    for n in range(1, ADD_ROWS + 1):
        product = catalogue.Product.get_or_none(catalogue.Product.id == int_or_zero(web.form(f"add{n}", limit=20)))
        if product is not None:
            add.append((product, web.form(f"addqty{n}", "1", limit=30), None))
    order_edit.edit_order(order, quantities=quantities, add=add, shipping=web.form("shipping", limit=100), by=web.user,
                          now=now, shop=shop, seen=web.form("seen", limit=60))
