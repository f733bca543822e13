"""The first-run wizard.

The wizard exists only while the shop has no owner (real state, not a
flag) and only for someone holding the one-time setup code that `loket web`
prints on the console and in the journal. It creates the owner, names the
shop, sets its time zone and quiet hours, then goes on to the steps the
shop's kind needs (wizard.py): hours, services or goods, payment, the modem.
"""

from __future__ import annotations

import datetime as dt
import hmac
import os
import secrets
import threading
from pathlib import Path

import bottle

from appliance import audit, auth, shopdata
from appliance.clock import utcnow
from appliance.models import User
from appliance.settings import SettingsError

from .i18n import SETTING_LABELS, N_, reason_in
from .web import SESSION_COOKIE, Web
from .wizard import resume

CODE_FILE = "setup-code.txt"
SETUP_CSRF_COOKIE = "loket_setup"
SHOP_TYPES = ("spa", "parts", "isp", "shop", "service", "other")
KIND_LABELS = (("spa", N_("Spa, salon or clinic")),
               ("parts", N_("Spare parts or goods shop")),
               ("isp", N_("Internet provider")),
               ("shop", N_("Online shop")),
               ("service", N_("Repairs or IT service")),
               ("other", N_("Something else")))  # short: the whole label shows in a phone's select
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
        # The owner goes on where the wizard was left; anyone else logs in first.
        session = auth.session_for(bottle.request.get_cookie(SESSION_COOKIE),
                                   session_hours=web.settings.session_hours)
        bottle.redirect(resume() if session and session.user.role == "owner" else "/login")
    token = secrets.token_urlsafe(24)  # the form's CSRF token, as for the login form
    bottle.response.set_cookie(SETUP_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/setup")
    return web.render("setup", title="Set up Loket", error=error, values=values or {}, types=KIND_LABELS,
                      zones=ZONES, setup_csrf=token)


def wizard_submit(web: Web):
    if has_owner():
        web.refuse(403, "This shop has an owner already; log in instead.")
    expected_csrf = bottle.request.get_cookie(SETUP_CSRF_COOKIE) or ""
    if not expected_csrf or not hmac.compare_digest(expected_csrf, web.form("csrf", limit=100)):
        bottle.response.status = 400
        return wizard(web, N_("The form expired; please try again."))
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
        return wizard(web, N_("Too many wrong setup codes: wait 15 minutes and try again."), fields)
    if not hmac.compare_digest(fields["code"].strip().replace(" ", "").encode(), expected.encode()):
        with _wrong_codes_lock:
            _wrong_codes.append((now, address))
        bottle.response.status = 403
        return wizard(web, N_("That is not the setup code shown on the box's console."), fields)
    if fields["password"] != fields["password2"]:
        bottle.response.status = 400
        return wizard(web, N_("The two passwords differ."), fields)
    if fields["shop_type"] not in SHOP_TYPES:
        bottle.response.status = 400
        return wizard(web, N_("Choose what kind of shop this is."), fields)
    try:
        shopdata.save_ui_settings({"shop_name": fields["shop_name"], "timezone": fields["timezone"],
                                   "quiet_hours": fields["quiet_hours"]})
        owner = auth.create_user(fields["username"], fields["password"], "owner")  # the shop's language
    except SettingsError as exc:  # the field's label and the reason, in the reader's words
        bottle.response.status = 400
        label = web.t(SETTING_LABELS.get(exc.name, exc.name))
        return wizard(web, f"{label}: {reason_in(exc.reason, web.language)}.", fields)
    except auth.AuthError as exc:
        bottle.response.status = 400
        return wizard(web, web.problem(exc), fields)
    shopdata.put("shop_type", fields["shop_type"])
    (web.settings.data_path / CODE_FILE).unlink(missing_ok=True)
    audit.audit("setup.done", user=owner, detail=f"{fields['shop_type']} shop {fields['shop_name']!r}")
    _, token = auth.login(owner.username, fields["password"], session_hours=web.settings.session_hours,
                          max_attempts=web.settings.login_attempts)
    bottle.response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", path="/",
                               max_age=web.settings.session_hours * 3600)
    bottle.redirect(resume())  # the steps the shop's kind needs

