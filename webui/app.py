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

import functools
import logging
from urllib.parse import quote

import bottle

from appliance import auth

from . import login
from .web import ANY_ROLE, SESSION_COOKIE, STATIC, VIEWS, Route, Web

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


def static(web: Web, path: str):
    response = bottle.static_file(path, root=STATIC)
    response.set_header("Cache-Control", "public, max-age=3600")
    return response


def routes(web: Web) -> list[Route]:
    from . import backups, bookings, campaigns, customers, dashboard, inbox, reports, settings, setup, tickets, updates  # the pages

    table = [
        Route("GET", "/login", login.login_form, public=True),
        Route("POST", "/login", login.login_submit, public=True),
        Route("GET", "/static/<path:path>", static, public=True),
        Route("POST", "/logout", login.logout, roles=ANY_ROLE),
        Route("POST", "/me/language", login.language, roles=ANY_ROLE),
    ]
    for module in (setup, dashboard, inbox, customers, bookings, tickets, campaigns, reports, settings, backups, updates):
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
