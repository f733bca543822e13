"""Suppliers and restock orders: the shop's suppliers with the goods each
supplies, and orders of goods from them that add stock when they come
(appliance/suppliers.py). For the owner and admins."""

from __future__ import annotations

import bottle

from appliance import catalogue, clock, suppliers
from appliance.models import Restock, Supplier

from .i18n import N_, translate
from .web import PER_PAGE, Web, int_or_zero

NEW_LINES = 5  # empty lines on a new restock order's form; a draft gets three more than it has


def _supplier(raw) -> Supplier:
    supplier = Supplier.get_or_none(Supplier.id == int_or_zero(raw))
    if supplier is None:
        raise bottle.HTTPError(404, N_("No such supplier."))
    return supplier


def _restock(raw) -> Restock:
    restock = suppliers.find(raw)
    if restock is None:
        raise bottle.HTTPError(404, N_("No such restock order."))
    return restock


def _typed(web: Web) -> dict:
    """What was posted, to show again beside a refusal."""
    return {name: web.form(name, limit=500) for name in bottle.request.forms.keys() if name != "csrf"}


# -- suppliers -----------------------------------------------------------------------------------

def supplier_list(web: Web, error: str = ""):
    return web.render("suppliers", title="Suppliers", rows=suppliers.suppliers(), error=error, typed=_typed(web),
                      goods_of=suppliers.goods_by_supplier(), products=catalogue.products(active=None),
                      chosen=set(bottle.request.forms.getall("goods")) if error else set())


def supplier_create(web: Web):
    try:
        supplier = _save(web, None)
    except catalogue.CatalogueError as exc:  # a SupplyError, or a field the catalogue's checks refused
        bottle.response.status = 400
        return supplier_list(web, web.problem(exc))
    web.redirect(f"/suppliers/{supplier.id}", N_("Saved."))


def _save(web: Web, supplier: Supplier | None) -> Supplier:
    return suppliers.save_supplier(web.form("name", limit=300), web.form("phone", limit=40),
                                   web.form("note", limit=1000), bottle.request.forms.getall("goods")[:500],
                                   supplier=supplier, active=supplier is None or web.form("active") == "on",
                                   by=web.user, now=clock.utcnow(), region=web.settings.default_region)


def supplier_detail(web: Web, supplier_id: str, error: str = ""):
    supplier = _supplier(supplier_id)
    theirs = suppliers.goods_of(supplier)
    others = [p for p in catalogue.products() if p not in theirs]
    restocks = list(Restock.select().where(Restock.supplier == supplier).order_by(Restock.id.desc()).limit(PER_PAGE))
    typed = _typed(web) if error else {}
    chosen = set(bottle.request.forms.getall("goods")) if error else {str(p.id) for p in theirs}
    return web.render("supplier", title=supplier.name, s=supplier, error=error, typed=typed, theirs=theirs,
                      others=others, restocks=restocks, chosen=chosen, products=catalogue.products(active=None),
                      lines=[], blank=NEW_LINES, ref=suppliers.ref)


def supplier_update(web: Web, supplier_id: str):
    supplier = _supplier(supplier_id)
    try:
        _save(web, supplier)
    except catalogue.CatalogueError as exc:
        bottle.response.status = 400
        return supplier_detail(web, supplier_id, web.problem(exc))
    web.redirect(f"/suppliers/{supplier.id}", N_("Saved."))


# -- restock orders -------------------------------------------------------------------------------

def _rows(web: Web) -> list[tuple]:
    """The order's lines as posted: goods1, qty1, cost1, goods2, ..."""
    return [(web.form(f"goods{n}", limit=20), web.form(f"qty{n}", limit=20), web.form(f"cost{n}", limit=30))
            for n in range(1, suppliers.MAX_LINES + 1)]


def restock_list(web: Web):
    page, status = web.page_number(), web.query("status", limit=20)
    query = Restock.select()
    if status in suppliers.STATES:
        query = query.where(Restock.status == status)
    rows = list(query.order_by(Restock.id.desc()).limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE))
    return web.render("restocks", title="Restock orders", rows=rows[:PER_PAGE], page=page, more=len(rows) > PER_PAGE,
                      status=status, statuses=suppliers.STATES, low=suppliers.running_low(), ref=suppliers.ref,
                      suppliers=suppliers.suppliers(active=True))


def restock_create(web: Web):
    supplier = _supplier(web.form("supplier", limit=20))
    try:
        restock = suppliers.create_restock(supplier, _rows(web), note=web.form("note", limit=1000), by=web.user,
                                           now=clock.utcnow())
    except catalogue.CatalogueError as exc:
        bottle.response.status = 400
        return supplier_detail(web, str(supplier.id), web.problem(exc))
    web.redirect(f"/restock/{restock.id}", web.t("{ref} saved as a draft.").format(ref=suppliers.ref(restock)))


def restock_detail(web: Web, restock_id: str, error: str = ""):
    restock = _restock(restock_id)
    lines = suppliers.lines_of(restock)
    supplier = restock.supplier
    theirs = suppliers.goods_of(supplier)
    return web.render("restock", title=suppliers.ref(restock), r=restock, s=supplier, lines=lines, error=error,
                      ref=suppliers.ref, cost=suppliers.total_cost(lines), typed=_typed(web) if error else {},
                      theirs=theirs, others=[p for p in catalogue.products() if p not in theirs],
                      blank=3 if restock.status == "draft" else 0,
                      sms=_sms_text(web, restock) if restock.status in suppliers.OPEN else "",
                      can_text=bool(supplier.phone))


def _sms_text(web: Web, restock: Restock) -> str:
    """The SMS in the shop's language (the supplier is no user with a language of its own)."""
    language = web.settings.default_language
    return suppliers.sms_text(restock, web.settings.shop_name, lambda text: translate(text, language))


def restock_act(web: Web, restock_id: str):
    restock = _restock(restock_id)
    action, now, by = web.form("action", limit=20), clock.utcnow(), web.user
    try:
        if action == "lines":
            suppliers.set_lines(restock, _rows(web), note=web.form("note", limit=1000), by=by, now=now)
            done = N_("Saved.")
        elif action == "order":
            suppliers.place(restock, by=by, now=now)
            done = N_("Ordered. Record the goods here when they come.")
        elif action == "send":
            suppliers.send_sms(restock, _sms_text(web, restock), seen=web.form("seen", limit=40), by=by, now=now)
            if web.tasks is not None:
                web.tasks.kick_outbox()
            done = N_("The SMS to the supplier is queued.")
        elif action == "receive":
            counted = {line.id: web.form(f"got{line.id}", limit=20) for line in suppliers.lines_of(restock)}
            added = suppliers.receive(restock, counted, receipts=_receipts(web), by=by, now=now)
            done = web.t("{n} added to stock.").format(n=added)
        elif action == "close":
            suppliers.close(restock, by=by, now=now)
            done = N_("Closed: the rest will not come.")
        elif action == "cancel":
            suppliers.cancel(restock, reason=web.form("reason", limit=300), by=by, now=now)
            done = N_("Cancelled.")
        else:
            web.refuse(400, N_("Unknown action."))
    except catalogue.CatalogueError as exc:
        bottle.response.status = 409 if action in ("order", "receive", "close", "cancel", "send") else 400
        return restock_detail(web, restock_id, web.problem(exc))
    web.redirect(f"/restock/{restock.id}", done)


def _receipts(web: Web) -> int:
    """The receipts count the form was made at; -1 (matches none) when it is not a number."""
    text = web.form("receipts", limit=10)
    return int(text) if text.isdigit() else -1
