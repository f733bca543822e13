"""Each person's own login: their password and their phone. (Their language
is the header's button, /me/language in login.py.)"""

from __future__ import annotations

import bottle

from appliance import audit, auth

from .i18n import N_
from .users import staff_phone
from .web import SESSION_COOKIE, Web


def me_page(web: Web, error: str = "", typed: dict | None = None):
    return web.render("me", title="My login", error=error, typed=typed or {})


def change_password(web: Web):
    current, new = web.form("current", limit=300), web.form("new", limit=300)
    try:
        if new != web.form("new2", limit=300):
            raise auth.AuthError(N_("the two new passwords differ"))
        auth.change_password(web.user, current, new, keep_session=bottle.request.get_cookie(SESSION_COOKIE),
                             max_attempts=web.settings.login_attempts)
    except auth.AuthError as exc:
        bottle.response.status = 503 if isinstance(exc, auth.Busy) else 400
        return me_page(web, web.problem(exc))
    web.redirect("/me", N_("Password changed. Other devices are logged out."))


def change_phone(web: Web):
    typed = web.form("phone", limit=40)
    try:
        web.user.phone = staff_phone(web, typed, web.user)
    except auth.AuthError as exc:
        bottle.response.status = 400
        return me_page(web, web.problem(exc), {"phone": typed})
    web.user.save()
    audit.audit("user.phone", user=web.user, target=web.user.username)
    web.redirect("/me", N_("Saved."))
