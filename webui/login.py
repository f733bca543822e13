"""Logging in and out, and each person's own choice of language."""

from __future__ import annotations

import secrets

import bottle

from appliance import auth

from .setup import has_owner
from .web import SESSION_COOKIE, Web, local_path

LOGIN_CSRF_COOKIE = "loket_login"
DEVICE_COOKIE = "loket_device"  # this browser logged in as these users before (appliance/auth.py)


def login_form(web: Web, error: str = "", username: str = ""):
    token = secrets.token_urlsafe(24)
    bottle.response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/login")
    next_url = web.query("next")
    return web.render("login", title="Log in", error=error, username=username, login_csrf=token,
                      next_url=next_url if local_path(next_url) else "", setup=not has_owner())


def login_submit(web: Web):
    expected = bottle.request.get_cookie(LOGIN_CSRF_COOKIE) or ""
    if not expected or not secrets.compare_digest(expected, web.form("csrf", limit=100)):
        bottle.response.status = 400
        return login_form(web, "The form expired; please try again.")
    username, password = web.form("username", limit=64), web.form("password", limit=256)
    device = bottle.request.get_cookie(DEVICE_COOKIE)
    try:
        # The socket's address, never X-Forwarded-For: the box has no proxy, and a header can say anything.
        user, token = auth.login(username, password, session_hours=web.settings.session_hours,
                                 max_attempts=web.settings.login_attempts, device=device,
                                 address=bottle.request.environ.get("REMOTE_ADDR", ""))
    except auth.AuthError as exc:
        bottle.response.status = 503 if isinstance(exc, auth.Busy) else 403
        return login_form(web, str(exc), username)
    bottle.response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", path="/",
                               max_age=web.settings.session_hours * 3600)
    bottle.response.set_cookie(DEVICE_COOKIE, auth.device_token(user, device), httponly=True, samesite="strict",
                               path="/login", max_age=180 * 24 * 3600)
    bottle.response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    target = web.query("next")
    bottle.redirect(target if local_path(target) else "/")


def logout(web: Web):
    auth.logout(bottle.request.get_cookie(SESSION_COOKIE))
    bottle.response.delete_cookie(SESSION_COOKIE, path="/")
    bottle.redirect("/login")


def language(web: Web):
    """Each person chooses the UI's language for themselves."""
    choice = web.form("language")
    if choice in ("id", "en"):
        user = web.user
        user.language = choice
        user.save()
    target = web.form("back")
    bottle.redirect(target if local_path(target) else "/")
