"""Settings > API: the owner's tokens for the shop's other programs. A new
token's secret is shown once, on the answer to the form that made it."""

from __future__ import annotations

import bottle

from appliance import apitokens
from appliance.models import ApiToken

from .i18n import N_
from .web import Web, by_id

# What each scope opens, for the owner choosing (the scope's own name is the API's word).
SCOPE_WORDS = {"send": N_("send texts"), "messages": N_("read texts and conversations"),
               "customers": N_("read and change customers"), "bookings": N_("read and make bookings"),
               "tickets": N_("read and open tickets"), "orders": N_("read orders and payments"),
               "admin": N_("everything, and the modem's state")}
DAYS = (30, 90, 365, 0)  # 0: never expires


def tokens_page(web: Web, error: str = "", secret: str = ""):
    return web.render("api_tokens", title="API", rows=apitokens.listing(), error=error, secret=secret,
                      scopes=[(s, SCOPE_WORDS[s]) for s in apitokens.SCOPES], days=DAYS,
                      state=lambda token: _state(token))


def _state(token: ApiToken) -> str:
    from appliance import clock
    if token.revoked_at is not None:
        return N_("revoked")
    return N_("expired") if not apitokens.usable(token, clock.utcnow()) else N_("active")


def token_create(web: Web):
    chosen = [s for s in apitokens.SCOPES if web.form(f"scope_{s}", limit=2)]
    try:
        days = int(web.form("days", "90", limit=6))
        per_minute = int(web.form("per_minute", "600", limit=7))
    except ValueError:
        bottle.response.status = 400
        return tokens_page(web, N_("Write whole numbers."))
    try:
        _, secret = apitokens.make(chosen, note=web.form("note", limit=200), days=days or None,
                                   per_minute=per_minute, by=web.user)
    except apitokens.TokenError as exc:
        bottle.response.status = 400
        return tokens_page(web, web.problem(exc))
    return tokens_page(web, secret=secret)


def token_revoke(web: Web, token_id: str):
    apitokens.revoke(by_id(ApiToken, token_id, "token"), by=web.user)
    web.redirect("/settings/api", N_("Token revoked: it stops working at once."))
