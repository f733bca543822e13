"""An order's invoice and receipt, printed from the browser: A4, or the 58 mm
roll of a thermal printer (`?paper=58`). Print CSS with @page, every asset on
this box: no PDF service, no font from the internet.

Numbers: the invoice of O-1001 is INV-1001 and its receipt RCP-1001. They
come from the order number, which is unique and never reused, so a reprint
carries the same number, and the same dates: the invoice is dated when the
order was made, the receipt when it was paid (in the shop's time zone).

Language: the document goes to the customer, so it is printed in the
customer's language (the one their SMS are in; the shop's for a customer
not yet known); `?lang=id|en` prints it in the other. The buttons around it
are in the staff member's language and are not printed.

A receipt is only for a paid order (paid, shipped, done): for any other the
order page answers why, with the invoice still at hand.
"""

from __future__ import annotations

import bottle

from appliance import order_edit, orders, shipping
from appliance.models import Order

from . import formats
from .i18n import N_, translate
from .web import LOOKUP, Web, formatters
from .orders import _order, order_detail

PAPERS = ("a4", "58")
PAID = ("paid", "in_production", "packed", "shipped", "done")
KINDS = {"invoice": "INV", "receipt": "RCP"}


def document_number(kind: str, order: Order) -> str:
    """INV-1001 / RCP-1001: the order's number under the document's prefix."""
    return f"{KINDS[kind]}-{order.number}"


def _paper(web: Web) -> str:
    paper = web.query("paper", "a4", limit=10).strip().lower().removesuffix("mm")
    if paper not in PAPERS:
        web.refuse(400, N_("Paper is a4 or 58 (the thermal printer's roll)."))
    return paper


def _language(web: Web, order: Order) -> str:
    asked = web.query("lang", limit=5).strip().lower()
    if asked and asked not in ("id", "en"):
        web.refuse(400, N_("The document's language is id or en."))
    return asked or order.customer.language or web.settings.default_language


def _document(web: Web, kind: str, order: Order):
    paper, language = _paper(web), _language(web, order)
    settings, tz = web.settings, web.settings.tz

    def full_date(value):
        return f"{formats.day(value, language, tz, year=True)} {formats.time_of_day(value, language, tz)}" \
            if value else ""

    values = formatters(language, tz)  # the customer's language, the shop's zone
    other = "58" if paper == "a4" else "a4"
    base = f"/orders/{order.number}/{kind}"
    values.update(
        t=lambda text: translate(text, language), language=language, kind=kind, paper=paper, o=order,
        doc_number=document_number(kind, order), ref=orders.ref(order), items=order_edit.lines_of(order),
        subtotal=order_edit.subtotal(order),
        shop=settings.shop_name, shop_address=settings.shop_address, shop_phone=settings.shop_phone,
        pay_to=settings.payment_instructions, full_date=full_date, old_note=shipping.old_note(order),
        dated=order.created_at if kind == "invoice" else (order.paid_at or order.updated_at),
        title=f"{document_number(kind, order)} · {settings.shop_name}",
        # the screen's buttons, in the staff member's language; never printed
        bar=dict(language=web.language, print=web.t(N_("Print")), back=web.t(N_("Back to the order")),
                 other=web.t(N_("58 mm receipt printer") if other == "58" else N_("A4 paper")),
                 other_href=f"{base}?paper={other}" + (f"&lang={web.query('lang', limit=5)}" if web.query("lang") else ""),
                 order_href=f"/orders/{order.number}"))
    return bottle.template("document", template_lookup=LOOKUP, **values)


def invoice(web: Web, number: str):
    return _document(web, "invoice", _order(number))


def receipt(web: Web, number: str):
    order = _order(number)
    if order.status not in PAID:
        _paper(web)  # a bad paper is still said first
        bottle.response.status = 409
        why = (N_("No receipt: this order was cancelled.") if order.status == "cancelled" else
               N_("No receipt yet: this order is not paid. The receipt can be printed once the payment is "
                  "verified; the invoice can be printed now."))
        return order_detail(web, number, web.t(why))
    return _document(web, "receipt", order)

