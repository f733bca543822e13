"""The modem page: each modem's health as the worker last wrote it, the SIM
PIN, and a test SMS. The web never opens a modem itself."""

from __future__ import annotations

import datetime as dt
import json

import bottle

from appliance import audit, clock, outbox, policy, shopdata, simcredit
from appliance.phone import PhoneError, normalise
from appliance.settings import SettingsError

from .i18n import N_
from .web import Web, int_or_zero


def modem_health(web: Web) -> list[dict]:
    """What the worker last wrote about each modem (the web never opens one)."""
    out = []
    folder = web.settings.data_path / "status"
    now = clock.utcnow()
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            status = json.loads(path.read_text())
            at = dt.datetime.fromisoformat(status["at"])
        except (OSError, ValueError, KeyError):
            continue
        status["age_minutes"] = int((now - at).total_seconds() // 60)
        status["stale"] = status["age_minutes"] > 5
        status["sent_today"] = outbox.parts_sent_since(path.stem, policy.day_start(now, web.settings.tz))
        status["credit"] = simcredit.view(path.stem, now, web.settings.tz)  # the SIM's balance, by USSD or SMS
        out.append(status)
    return out



def modem_page(web: Web, error: str = "", test: dict | None = None):
    last_test = int_or_zero(web.query("test"))
    message = outbox.Message.get_or_none(outbox.Message.id == last_test) if last_test else None
    return web.render("modem", title="Modem", modems=modem_health(web), error=error, test=message,
                      pin_set=bool(web.settings.sim_pin))


def modem_test(web: Web):
    try:
        phone = normalise(web.form("phone", limit=40), web.settings.default_region)
    except PhoneError as exc:
        bottle.response.status = 400
        return modem_page(web, web.problem(exc))
    row, _ = outbox.queue_outbound(phone, f"{web.settings.shop_name}: test SMS dari Loket / test SMS from Loket.",
                                   category="transactional", author=web.user, template="test")
    web.tasks.kick_outbox()
    audit.audit("modem.test", user=web.user, target=phone)
    bottle.redirect(f"/settings/modem?test={row.id}")


def modem_pin(web: Web):
    try:
        shopdata.save_ui_settings({"sim_pin": web.form("pin", limit=16)})
    except SettingsError as exc:
        bottle.response.status = 400
        return modem_page(web, exc.reason[:1].upper() + exc.reason[1:] + ".")
    pin = web.settings.sim_pin
    audit.audit("modem.pin", user=web.user, detail="set" if pin else "cleared")
    web.redirect("/settings/modem", N_("Saved. The worker uses it the next time it opens the modem."))

