"""The first-run wizard, and the shop's own settings pages.

The wizard exists only while the shop has no owner (real state, not a
flag) and only for someone holding the one-time setup code that `loket web`
prints on the console and in the journal. It creates the owner, names the
shop, sets its time zone and quiet hours, then shows the modem, takes a SIM
PIN and sends a test SMS.
"""

from __future__ import annotations

import datetime as dt
import hmac
import os
import secrets
import threading
import zoneinfo
from pathlib import Path

import bottle

from appliance import auth, catalogue, crm, loyalty, messaging, shopdata, tickets
from appliance.clock import utcnow
from appliance.models import OpeningHours, Service, TicketCategory, User
from appliance.phone import PhoneError, normalise
from appliance.settings import SettingsError

from .app import MANAGERS, OWNER, SESSION_COOKIE, Route, Web, int_or_zero
from .dashboard import modem_health

CODE_FILE = "setup-code.txt"
SETUP_CSRF_COOKIE = "loket_setup"
SHOP_TYPES = ("spa", "parts", "isp", "shop", "service", "other")
# Wrong setup codes: 10 from one address, or 50 from all, in 15 minutes and
# the wizard waits (8 digits of 8: at 50 per 15 minutes, years to guess).
CODE_TRIES_PER_ADDRESS, CODE_TRIES, CODE_WAIT = 10, 50, dt.timedelta(minutes=15)
_wrong_codes: list[tuple[dt.datetime, str]] = []
_wrong_codes_lock = threading.Lock()
ZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura", "Asia/Singapore", "Asia/Kuala_Lumpur", "Asia/Manila",
         "Asia/Bangkok", "Europe/Amsterdam", "UTC")


def has_owner() -> bool:
    return User.select().where((User.role == "owner") & (User.active == True)).exists()  # noqa: E712


def setup_code(data_dir: Path) -> str | None:
    """The one-time code, made on first use and kept (mode 0600) until the
    owner exists; None once it does."""
    path = data_dir / CODE_FILE
    if has_owner():
        path.unlink(missing_ok=True)
        return None
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        alphabet = "23456789"  # digits only: easy to read off a console and type on a phone
        code = "".join(secrets.choice(alphabet) for _ in range(4)) + "-" + "".join(
            secrets.choice(alphabet) for _ in range(4))
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(code + "\n")
        return code


def wizard(web: Web, error: str = "", values: dict | None = None):
    if has_owner():
        bottle.redirect("/login")
    token = secrets.token_urlsafe(24)  # the form's CSRF token, as for the login form
    bottle.response.set_cookie(SETUP_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/setup")
    return web.render("setup", title="Set up Loket", error=error, values=values or {}, types=SHOP_TYPES,
                      zones=ZONES, setup_csrf=token)


def wizard_submit(web: Web):
    if has_owner():
        web.refuse(403, "This shop has an owner already; log in instead.")
    expected_csrf = bottle.request.get_cookie(SETUP_CSRF_COOKIE) or ""
    if not expected_csrf or not hmac.compare_digest(expected_csrf, web.form("csrf", limit=100)):
        bottle.response.status = 400
        return wizard(web, "The form expired; please try again.")
    fields = {k: web.form(k, limit=300) for k in ("code", "username", "password", "password2", "shop_name",
                                                  "shop_type", "timezone", "quiet_hours")}
    expected = setup_code(web.settings.data_path) or ""
    address, now = bottle.request.environ.get("REMOTE_ADDR", ""), utcnow()
    with _wrong_codes_lock:
        _wrong_codes[:] = [(at, who) for at, who in _wrong_codes if now - at < CODE_WAIT]
        held = (len(_wrong_codes) >= CODE_TRIES
                or sum(who == address for _, who in _wrong_codes) >= CODE_TRIES_PER_ADDRESS)
    if held:
        bottle.response.status = 429
        return wizard(web, "Too many wrong setup codes: wait 15 minutes and try again.", fields)
    if not hmac.compare_digest(fields["code"].strip().replace(" ", "").encode(), expected.encode()):
        with _wrong_codes_lock:
            _wrong_codes.append((now, address))
        bottle.response.status = 403
        return wizard(web, "That is not the setup code shown on the box's console.", fields)
    if fields["password"] != fields["password2"]:
        bottle.response.status = 400
        return wizard(web, "The two passwords differ.", fields)
    if fields["shop_type"] not in SHOP_TYPES:
        bottle.response.status = 400
        return wizard(web, "Choose what kind of shop this is.", fields)
    try:
        shopdata.save_ui_settings(web.box_settings, {"shop_name": fields["shop_name"], "timezone": fields["timezone"],
                                                     "quiet_hours": fields["quiet_hours"]})
        owner = auth.create_user(fields["username"], fields["password"], "owner",
                                 language="id" if fields["timezone"].startswith("Asia/J") else "en")
    except (SettingsError, auth.AuthError) as exc:
        bottle.response.status = 400
        return wizard(web, str(exc).replace("setting ", "").replace(" from code", ""), fields)
    shopdata.put("shop_type", fields["shop_type"])
    (web.settings.data_path / CODE_FILE).unlink(missing_ok=True)
    crm.audit("setup.done", user=owner, detail=f"{fields['shop_type']} shop {fields['shop_name']!r}")
    _, token = auth.login(owner.username, fields["password"], session_hours=web.settings.session_hours,
                          max_attempts=web.settings.login_attempts)
    bottle.response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", path="/",
                               max_age=web.settings.session_hours * 3600)
    bottle.redirect("/settings/modem")


# -- the modem: health, SIM PIN, a test SMS --------------------------------------------------

def modem_page(web: Web, error: str = "", test: dict | None = None):
    last_test = int_or_zero(web.query("test"))
    message = messaging.Message.get_or_none(messaging.Message.id == last_test) if last_test else None
    return web.render("modem", title="Modem", modems=modem_health(web), error=error, test=message,
                      pin_set=bool(shopdata.get("sim_pin")))


def modem_test(web: Web):
    try:
        phone = normalise(web.form("phone", limit=40), web.settings.default_region)
    except PhoneError as exc:
        bottle.response.status = 400
        return modem_page(web, str(exc))
    row, _ = messaging.queue_outbound(phone, f"{web.settings.shop_name}: test SMS dari Loket / test SMS from Loket.",
                                      category="transactional", author=web.user, template="test")
    web.tasks.kick_outbox()
    crm.audit("modem.test", user=web.user, target=phone)
    bottle.redirect(f"/settings/modem?test={row.id}")


def modem_pin(web: Web):
    pin = web.form("pin", limit=16).strip()
    if pin and not (pin.isdigit() and 4 <= len(pin) <= 8):
        bottle.response.status = 400
        return modem_page(web, "A SIM PIN has 4 to 8 digits.")
    shopdata.put("sim_pin", pin)
    crm.audit("modem.pin", user=web.user, detail="set" if pin else "cleared")
    web.redirect("/settings/modem", "Saved. The worker uses it the next time it opens the modem.")


# -- the shop's settings ---------------------------------------------------------------------------

def shop_page(web: Web, error: str = ""):
    hours = {h.weekday: h for h in OpeningHours.select()}
    return web.render("shop", title="Shop", error=error, s=web.settings, pinned=lambda n: shopdata.pinned(web.box_settings, n),
                      zones=ZONES, hours=hours, services=catalogue.services(active=None),
                      products=catalogue.products(active=None), points=loyalty.rules(),
                      categories=list(TicketCategory.select().order_by(TicketCategory.name)))


def shop_save(web: Web):
    section = web.form("section", limit=20)
    try:
        if section == "basics":
            changes = {name: web.form(name, limit=100) for name in shopdata.UI_SETTINGS
                       if not shopdata.pinned(web.box_settings, name) and web.form(name, None, limit=100) is not None}
            shopdata.save_ui_settings(web.box_settings, changes)
        elif section == "hours":
            _save_hours(web)
        elif section == "points":
            rules = {"per_visit": int(web.form("per_visit", limit=8)), "per_rupiah": int(web.form("per_rupiah", limit=12))}
            if not (0 <= rules["per_visit"] <= 10_000 and 0 <= rules["per_rupiah"] <= 100_000_000):
                raise ValueError("points rules are out of range")
            shopdata.put("points_rules", rules)
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
            if existing:
                catalogue.update_product(existing, by=web.user, name=web.form("name", limit=200), price=price,
                                         category=web.form("category", limit=100), active=web.form("active") == "on")
                delta = int(web.form("stock_delta", "0", limit=8) or 0)
                if delta:
                    catalogue.adjust_stock(existing, delta, reason=web.form("reason", "stock count", limit=200),
                                           by=web.user, now=utcnow())
            else:
                catalogue.add_product(web.form("name", limit=200), price=price, category=web.form("category", limit=100),
                                      stock=int(web.form("stock", "0", limit=8) or 0), by=web.user)
        elif section == "category":
            existing = TicketCategory.get_or_none(TicketCategory.id == int_or_zero(web.form("id")))
            tickets.save_category(web.form("name", limit=64), words=web.form("words", limit=1000),
                                  response_minutes=web.form("response", limit=8),
                                  resolution_minutes=web.form("resolution", limit=8),
                                  warn_percent=web.form("warn", "80", limit=4), category=existing, by=web.user,
                                  now=utcnow())
        else:
            web.refuse(400, "Unknown section.")
    except (SettingsError, ValueError) as exc:  # every service error is a ValueError with a message
        bottle.response.status = 400
        return shop_page(web, str(exc).replace(" from code", ""))
    crm.audit("settings.shop", user=web.user, detail=section)
    web.redirect("/settings/shop", "Saved.")


def _save_hours(web: Web) -> None:
    rows = []
    for weekday in range(7):
        opens, closes = web.form(f"opens{weekday}", limit=5), web.form(f"closes{weekday}", limit=5)
        if not opens and not closes:
            continue
        try:
            start, end = dt.time.fromisoformat(opens), dt.time.fromisoformat(closes)
        except ValueError:
            raise ValueError("opening hours are times such as 09:00") from None
        if end <= start:
            raise ValueError("a day closes after it opens")
        rows.append((weekday, start, end))
    with OpeningHours._meta.database.atomic():
        OpeningHours.delete().execute()
        for weekday, start, end in rows:
            OpeningHours.create(weekday=weekday, opens=start, closes=end)


def routes() -> list[Route]:
    return [
        Route("GET", "/setup", wizard, public=True),
        Route("POST", "/setup", wizard_submit, public=True),
        Route("GET", "/settings/modem", modem_page, roles=MANAGERS),
        Route("POST", "/settings/modem/test", modem_test, roles=MANAGERS),
        Route("POST", "/settings/modem/pin", modem_pin, roles=OWNER),
        Route("GET", "/settings/shop", shop_page, roles=MANAGERS),
        Route("POST", "/settings/shop", shop_save, roles=MANAGERS),
    ]
