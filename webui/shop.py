"""The shop's own settings: the owner's settings from the settings table (the
shop, sending, bookings, the queue, orders, points, reminders, tickets),
opening hours, services, products with their stock, and ticket categories
with their SLA."""

from __future__ import annotations

import datetime as dt

import bottle

from appliance import audit, catalogue, shopdata, tickets
from appliance import settings as settings_table
from appliance.clock import utcnow
from appliance.models import OpeningHours, Service, TicketCategory
from appliance.settings import SettingsError

from .i18n import SETTING_LABELS, reason_in
from .setup import ZONES
from .web import Web, int_or_zero, photo_url

ELSEWHERE = {"sim_pin"}  # on the modem's page, beside the modem it unlocks
# Amounts of rupiah: shown as "85.000", read from "85.000", "Rp 85.000" or "85000".
RUPIAH = {"sms_price", "points_per_rupiah", "credit_warn_below"}


def thousands(value) -> str:
    """A whole number as the shop writes it (85.000); anything else as it is."""
    text = "" if value is None else str(value).strip()
    return f"{int(text):,}".replace(",", ".") if text.isdigit() else text


def owner_groups(web: Web, typed: dict | None = None) -> list[tuple[str, str, list[dict]]]:
    """The owner's settings by group, as the page shows them: (group, title, fields)."""
    live, typed = web.settings, typed or {}
    groups = []
    for group, title in settings_table.GROUPS.items():
        fields = [{"name": s.name, "label": SETTING_LABELS[s.name], "kind": s.kind, "rupiah": s.name in RUPIAH,
                   "value": typed.get(s.name, _shown(s.name, getattr(live, s.name))),
                   "pinned": shopdata.pinned(web.box_settings, s.name)}
                  for s in settings_table.SETTINGS if s.group == group and s.owner and s.name not in ELSEWHERE]
        if fields:
            groups.append((group, title, fields))
    return groups


def _shown(name: str, value) -> str:
    text = settings_table.shown(value)
    return thousands(text) if name in RUPIAH else text


def shop_page(web: Web, error: str = "", typed: dict | None = None, opened: str = ""):
    hours = {h.weekday: h for h in OpeningHours.select()}
    typed = typed or {}

    def kept(section: str, row, field: str, value) -> str:
        """What the owner typed into this row's field when the save was refused, else the stored value."""
        if typed.get("section") == section and typed.get("id", "") == str(row.id if row else ""):
            return typed.get(field, "")
        return "" if value is None else str(value)

    opened = opened or typed.get("section") or web.query("open", limit=20)
    return web.render("shop", title="Shop settings", error=error, groups=owner_groups(web, typed),
                      zones=ZONES, hours=hours, services=catalogue.services(active=None),
                      products=catalogue.products(active=None), kept=kept, opened=opened, amount=thousands,
                      units=catalogue.COMMON_UNITS, max_description=catalogue.MAX_DESCRIPTION,
                      zone=web.settings.timezone, photo_url=photo_url(web),
                      categories=list(TicketCategory.select().order_by(TicketCategory.name)))


class _Refused(ValueError):
    """A setting the page refused: the message, and what was typed, to show again."""

    def __init__(self, message: str, typed: dict):
        super().__init__(message)
        self.typed = typed


def _save_group(web: Web, group: str) -> None:
    """The owner's settings of one group, each through its validator in the settings table."""
    changes = {s.name: web.form(s.name, limit=100) for s in settings_table.SETTINGS
               if s.group == group and s.owner and s.name not in ELSEWHERE
               and not shopdata.pinned(web.box_settings, s.name) and s.name in bottle.request.forms}
    stored = dict(changes)
    for name in RUPIAH & set(changes):
        try:
            stored[name] = str(catalogue.parse_price(changes[name]))
        except catalogue.PriceError:
            how = web.t("write an amount such as 85.000")
            raise _Refused(f"{web.t(SETTING_LABELS[name])}: {how}.", changes) from None
    try:
        shopdata.save_ui_settings(stored)
    except SettingsError as exc:
        label = SETTING_LABELS.get(exc.name, exc.name)
        raise _Refused(f"{web.t(label)}: {reason_in(exc.reason, web.language)}.", changes) from None


def shop_save(web: Web):
    section = web.form("section", limit=20)
    try:
        if section in settings_table.GROUPS:
            _save_group(web, section)
        elif section == "hours":
            _save_hours(web)
        elif section == "service":
            fields = dict(name=web.form("name", limit=100), duration_minutes=web.form("duration", limit=6),
                          price=catalogue.parse_price(web.form("price", "0", limit=30)),
                          capacity=web.form("capacity", "1", limit=4), aliases=web.form("aliases", limit=500),
                          comeback_days=web.form("comeback", limit=5) or None)
            existing = Service.get_or_none(Service.id == int_or_zero(web.form("id")))
            if existing:
                catalogue.update_service(existing, by=web.user, active=web.form("active") == "on", **fields)
            else:
                catalogue.add_service(fields.pop("name"), by=web.user, **fields)
        elif section == "product":
            existing = catalogue.Product.get_or_none(catalogue.Product.id == int_or_zero(web.form("id")))
            price = catalogue.parse_price(web.form("price", "0", limit=30))
            # The limits here only stop a flood; the catalogue says what is too long, in words.
            goods = dict(name=web.form("name", limit=1000), price=price, category=web.form("category", limit=1000),
                         sku=web.form("sku", limit=1000), unit=web.form("unit", limit=1000),
                         description=web.form("description", limit=5000))
            if existing:
                catalogue.update_product(existing, by=web.user, active=web.form("active") == "on", **goods)
                delta = _whole(web, "stock_delta", "Stock")
                if delta:
                    catalogue.adjust_stock(existing, delta, reason=web.form("reason", "stock count", limit=200),
                                           by=web.user, now=utcnow())
            else:
                catalogue.add_product(goods.pop("name"), stock=_whole(web, "stock", "Stock"), by=web.user, **goods)
        elif section == "category":
            existing = TicketCategory.get_or_none(TicketCategory.id == int_or_zero(web.form("id")))
            tickets.save_category(web.form("name", limit=64), words=web.form("words", limit=1000),
                                  response_minutes=web.form("response", limit=8),
                                  resolution_minutes=web.form("resolution", limit=8),
                                  warn_percent=web.form("warn", "80", limit=4), category=existing, by=web.user,
                                  now=utcnow())
        else:
            web.refuse(400, "Unknown section.")
    except _Refused as exc:
        bottle.response.status = 400
        return shop_page(web, str(exc), {**exc.typed, "section": section})
    except ValueError as exc:  # every service error is a ValueError with a message
        bottle.response.status = 400
        typed = {name: web.form(name, limit=1000) for name in bottle.request.forms.keys() if name != "csrf"}
        return shop_page(web, web.problem(exc), typed)
    audit.audit("settings.shop", user=web.user, detail=section)
    web.redirect(f"/settings/shop?open={section}", "Saved.")


def _whole(web: Web, name: str, what: str) -> int:
    text = web.form(name, "0", limit=20).strip() or "0"
    try:
        number = int(text.replace(".", ""))
        if abs(number) < 10_000_000:
            return number
    except ValueError:
        pass
    raise ValueError(web.t("{what}: write a whole number, such as 5.").format(what=web.t(what)))


def _save_hours(web: Web) -> None:
    rows = []
    for weekday in range(7):
        opens, closes = web.form(f"opens{weekday}", limit=5), web.form(f"closes{weekday}", limit=5)
        if not opens and not closes:
            continue
        try:
            start, end = dt.time.fromisoformat(opens), dt.time.fromisoformat(closes)
        except ValueError:
            raise ValueError(web.t("Opening hours are times such as 09:00.")) from None
        if end <= start:
            raise ValueError(web.t("A day closes after it opens."))
        rows.append((weekday, start, end))
    with OpeningHours._meta.database.atomic():
        OpeningHours.delete().execute()
        for weekday, start, end in rows:
            OpeningHours.create(weekday=weekday, opens=start, closes=end)

