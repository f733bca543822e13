"""The staff web UI: an explicit app factory and route table (bottle).

Every route names who may use it. `public` routes are the few that need no
login (the login form, static assets, the first-run wizard while the shop
has no owner, and the waiting-room display); everything else needs a
session, and every POST needs that session's CSRF token. A test walks the
route table to prove it.

The pages live in small modules named by what they show (inbox.py,
customers.py, ...); each gives its routes to the table here.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import hmac
import logging
import secrets
import tempfile
from pathlib import Path
from typing import Callable
from urllib.parse import quote, urlencode

import bottle

from appliance import auth, clock
from appliance.models import ROLES

from .i18n import translate

HERE = Path(__file__).resolve().parent
VIEWS = str(HERE / "views")
STATIC = str(HERE / "static")
SESSION_COOKIE = "loket_session"
LOGIN_CSRF_COOKIE = "loket_login"
DEVICE_COOKIE = "loket_device"  # this browser logged in as these users before (appliance/auth.py)
PER_PAGE = 50

ANY_ROLE = ROLES
WRITERS = ("owner", "admin", "frontdesk", "technician")
DESK = ("owner", "admin", "frontdesk")
MANAGERS = ("owner", "admin")
OWNER = ("owner",)

log = logging.getLogger(__name__)

SECURITY_HEADERS = {
    # No inline scripts or styles, nothing from anywhere but this box.
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@dataclasses.dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: Callable
    roles: tuple[str, ...] = ()  # who may use it; empty only for public routes
    public: bool = False


class Web:
    """What every page handler needs: settings, the job queue, and helpers."""

    def __init__(self, settings, tasks):
        self.box_settings = settings
        self.tasks = tasks

    @property
    def settings(self):
        """The box's settings with the owner's UI changes (shop name, zone, quiet hours ...)."""
        from appliance import shopdata
        return shopdata.live(self.box_settings)

    # -- the request ------------------------------------------------------------
    @property
    def session(self):
        return bottle.request.environ.get("loket.session")

    @property
    def user(self):
        return self.session.user if self.session else None

    def form(self, name: str, default: str | None = "", limit: int = 10_000) -> str | None:
        value = bottle.request.forms.getunicode(name)
        if default is None:  # "was it sent?": an empty field is "", which clears a setting
            return None if value is None else value[:limit]
        return (value or default)[:limit]

    def query(self, name: str, default: str = "", limit: int = 500) -> str:
        return (bottle.request.query.getunicode(name, default) or default)[:limit]

    def page_number(self) -> int:
        try:
            return max(1, min(int(bottle.request.query.get("page") or 1), 100_000))
        except ValueError:
            return 1

    def t(self, text: str) -> str:
        return translate(text, self.user.language if self.user else self.settings.default_language)

    # -- answers ----------------------------------------------------------------
    def render(self, name: str, **values) -> str:
        request = bottle.request
        session = self.session
        values.setdefault("title", "Loket")
        values.setdefault("flash", self.t(self._flash()))
        values.update(
            user=session.user if session else None,
            csrf=session.csrf_token if session else "",
            shop=self.settings.shop_name,
            when=lambda value: clock.short(value, self.settings.tz),
            local=lambda value: clock.local(value, self.settings.tz),
            quote=lambda value: quote(str(value), safe=""),
            t=self.t,
            until=lambda value: due_in(value, clock.utcnow()),
            money=lambda value: f"Rp {value:,}".replace(",", "."),
            path=request.path,
            roles=ROLES,
        )
        return bottle.template(name, template_lookup=[VIEWS], **values)

    def redirect(self, path: str, done: str = "") -> None:
        """After a POST: to a page, with a one-line note of what was done,
        signed for this session: a link cannot make the page show its own text."""
        if done:
            path += ("&" if "?" in path else "?") + urlencode({"done": done, "sig": self._flash_sig(done)})
        bottle.redirect(path)

    def _flash_sig(self, text: str) -> str:
        key = self.session.csrf_token.encode() if self.session else b""
        return hmac.new(key, b"flash:" + text.encode(), hashlib.sha256).hexdigest()[:24]

    def _flash(self) -> str:
        """The note of what was done, only when this box wrote it for this session."""
        text = bottle.request.query.getunicode("done", "") or ""
        sig = bottle.request.query.getunicode("sig", "") or ""
        if text and self.session and hmac.compare_digest(sig.encode(), self._flash_sig(text).encode()):
            return text
        return ""

    def refuse(self, status: int, message: str):
        raise bottle.HTTPError(status, message)

    def csv(self, name: str, text: str) -> str:
        bottle.response.content_type = "text/csv; charset=utf-8"
        bottle.response.set_header("Content-Disposition", f'attachment; filename="{name}"')
        return text


def due_in(moment, now) -> str:
    """'2 h 5 min' ahead, or '-40 min' when overdue: an SLA timer."""
    if moment is None:
        return ""
    minutes = int((moment - now).total_seconds() // 60)
    sign, minutes = ("-" if minutes < 0 else ""), abs(minutes)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{sign}{days} d {hours} h"
    return f"{sign}{hours} h {minutes} min" if hours else f"{sign}{minutes} min"


@contextlib.contextmanager
def spooled_upload(web: "Web", name: str = "file"):
    """The uploaded file as a temporary file in the data dir (never /tmp: a
    big upload must not fill a RAM disk), deleted afterwards; yields
    (path, the name the browser gave) or (None, None) when none was sent."""
    upload = bottle.request.files.get(name)
    if upload is None:
        yield None, None
        return
    with tempfile.NamedTemporaryFile(dir=web.settings.data_path, suffix=".upload") as tmp:
        upload.save(tmp, overwrite=True)
        tmp.flush()
        yield Path(tmp.name), (upload.raw_filename or "")[:100]


def found(row, what: str):
    """The row, or a plain 404 naming what was not there."""
    if row is None:
        raise bottle.HTTPError(404, f"No such {what}.")
    return row


def by_id(model, raw_id, what: str):
    """The row with this id from a URL, or a 404."""
    return found(model.get_or_none(model.id == int_or_zero(raw_id)), what)


def local_path(target: str) -> bool:
    """Only paths on this box are followed after login: no open redirect.
    No whitespace or control characters either: a browser drops a tab or a
    newline, and `/\t/evil.example` becomes `//evil.example`."""
    return (target.startswith("/") and not target.startswith("//") and "\\" not in target
            and not any(c.isspace() or not c.isprintable() for c in target))


def int_or_zero(raw) -> int:
    """An id from a URL or form; 0 (which matches nothing) for anything else,
    including numbers too large for the database."""
    try:
        number = int(raw)
    except (TypeError, ValueError):
        return 0
    return number if 0 < number < 2**63 else 0


# -- login and logout ------------------------------------------------------------------

def login_form(web: Web, error: str = "", username: str = ""):
    token = secrets.token_urlsafe(24)
    bottle.response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/login")
    next_url = web.query("next")
    from .setup import has_owner
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


def static(web: Web, path: str):
    response = bottle.static_file(path, root=STATIC)
    response.set_header("Cache-Control", "public, max-age=3600")
    return response


def routes(web: Web) -> list[Route]:
    from . import admin, backups, customers, dashboard, engage, floor, inbox, reports, setup, tickets, updates  # the pages

    table = [
        Route("GET", "/login", login_form, public=True),
        Route("POST", "/login", login_submit, public=True),
        Route("GET", "/static/<path:path>", static, public=True),
        Route("POST", "/logout", logout, roles=ANY_ROLE),
        Route("POST", "/me/language", language, roles=ANY_ROLE),
    ]
    for module in (setup, dashboard, inbox, customers, floor, tickets, engage, reports, admin, backups, updates):
        table += module.routes()
    return table


def _guard(route: Route, web: Web):
    """Wrap a handler with the login, role and CSRF checks its route declares."""
    handler = functools.partial(route.handler, web)
    if route.public:
        return handler

    def guarded(*args, **kwargs):
        request = bottle.request
        session = auth.session_for(request.get_cookie(SESSION_COOKIE), session_hours=web.settings.session_hours)
        if session is None:
            if request.method == "GET":
                bottle.redirect("/login?next=" + quote(request.fullpath, safe="/"))
            raise bottle.HTTPError(401, "Please log in.")
        if session.user.role not in route.roles:
            raise bottle.HTTPError(403, "Your role may not do this.")
        if request.method == "POST" and not auth.csrf_ok(session, request.forms.getunicode("csrf")):
            raise bottle.HTTPError(403, "The form expired; reload the page and try again.")
        request.environ["loket.session"] = session
        return handler(*args, **kwargs)

    return guarded


def create_app(settings, tasks) -> bottle.Bottle:
    """The WSGI app. `tasks` is the job queue's handle for nudging the worker."""
    app = bottle.Bottle()
    web = Web(settings, tasks)
    app.config["loket.routes"] = routes(web)
    for route in app.config["loket.routes"]:
        if not route.public and not route.roles:
            raise ValueError(f"route {route.method} {route.path} names no role")
        app.route(route.path, route.method, _guard(route, web))

    @app.hook("after_request")
    def headers():
        for name, value in SECURITY_HEADERS.items():
            if name == "Cache-Control" and bottle.request.path.startswith("/static/"):
                continue
            bottle.response.set_header(name, value)

    def error_page(error):
        # Plain and escaped; never a stack trace.
        bottle.response.content_type = "text/html; charset=utf-8"
        for name, value in SECURITY_HEADERS.items():
            bottle.response.set_header(name, value)
        if error.status_code >= 500:
            log.error("error on %s %s: %s", bottle.request.method, bottle.request.path, error.traceback or error.body)
            message = "Something went wrong on the box. It has been logged; please try again."
        else:
            message = error.body if isinstance(error.body, str) else "That did not work."
        return bottle.template("error", template_lookup=[VIEWS], status=error.status_code, message=message,
                               shop=settings.shop_name)

    for code in (400, 401, 403, 404, 405, 409, 413, 500):
        app.error(code)(error_page)

    app.catchall = True
    bottle.BaseRequest.MEMFILE_MAX = 6 * 1024 * 1024  # form fields; uploads (CSV, backups) stream to disk
    return app
