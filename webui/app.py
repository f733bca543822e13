"""The staff web UI: an explicit app factory and route table (bottle).

Every route names who may use it. `public` routes are the few that need no
login (the login form itself and static assets); everything else needs a
session, and every POST needs that session's CSRF token. A test walks the
route table to prove it.
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
from pathlib import Path
from typing import Callable
from urllib.parse import quote

import bottle

from appliance import auth, clock, messaging
from appliance.crm import audit as crm_audit
from appliance.crm import customer_for
from appliance.models import ROLES, Message
from appliance.phone import PhoneError, is_replyable, normalise

HERE = Path(__file__).resolve().parent
VIEWS = str(HERE / "views")
STATIC = str(HERE / "static")
SESSION_COOKIE = "loket_session"
LOGIN_CSRF_COOKIE = "loket_login"
MAX_REPLY_CHARS = 1000

ANY_ROLE = ROLES
WRITERS = ("owner", "admin", "frontdesk", "technician")

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
    """The handlers, with the settings and job-queue handles they need."""

    def __init__(self, settings, tasks):
        self.settings = settings
        self.tasks = tasks

    # -- helpers ---------------------------------------------------------------
    def render(self, name: str, **values) -> str:
        request = bottle.request
        session = request.environ.get("loket.session")
        values.setdefault("title", "Loket")
        values.update(
            user=session.user if session else None,
            csrf=session.csrf_token if session else "",
            shop=self.settings.shop_name,
            when=lambda value: clock.short(value, self.settings.tz),
            quote=lambda value: quote(value, safe=""),
            path=request.path,
        )
        return bottle.template(name, template_lookup=[VIEWS], **values)

    # -- login -----------------------------------------------------------------
    def login_form(self, error: str = "", username: str = ""):
        token = secrets.token_urlsafe(24)
        bottle.response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/login")
        next_url = bottle.request.query.getunicode("next", "") or ""
        return self.render("login", title="Log in", error=error, username=username, login_csrf=token,
                           next_url=next_url if _local_path(next_url) else "")

    def login_submit(self):
        form = bottle.request.forms
        expected = bottle.request.get_cookie(LOGIN_CSRF_COOKIE) or ""
        if not expected or not secrets.compare_digest(expected, form.getunicode("csrf", "") or ""):
            bottle.response.status = 400
            return self.login_form("The form expired; please try again.")
        username = (form.getunicode("username", "") or "")[:64]
        password = (form.getunicode("password", "") or "")[:256]
        try:
            _, token = auth.login(username, password, session_hours=self.settings.session_hours,
                                  max_attempts=self.settings.login_attempts)
        except auth.AuthError as exc:
            bottle.response.status = 403
            return self.login_form(str(exc), username)
        bottle.response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", path="/",
                                   max_age=self.settings.session_hours * 3600)
        bottle.response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
        target = bottle.request.query.getunicode("next", "") or ""
        bottle.redirect(target if _local_path(target) else "/inbox")

    def logout(self):
        auth.logout(bottle.request.get_cookie(SESSION_COOKIE))
        bottle.response.delete_cookie(SESSION_COOKIE, path="/")
        bottle.redirect("/login")

    # -- pages -------------------------------------------------------------------
    def home(self):
        bottle.redirect("/inbox")

    def inbox(self):
        page = _page_number(bottle.request.query.get("page"))
        per_page = 50
        rows = messaging.conversations(limit=per_page + 1, offset=(page - 1) * per_page)
        return self.render("inbox", title="Inbox", rows=rows[:per_page], page=page,
                           more=len(rows) > per_page)

    def conversation(self, phone: str, error: str = "", draft: str = ""):
        messages = messaging.thread(phone)
        if not messages and not _is_number(phone, self.settings.default_region):
            raise bottle.HTTPError(404, "No conversation with that number.")
        customer = next((m.customer for m in messages if m.customer_id), None)
        return self.render("conversation", title=customer.display_name if customer else phone, phone=phone,
                           messages=messages, customer=customer, error=error, draft=draft,
                           can_reply=is_replyable(phone), form_key=secrets.token_urlsafe(16),
                           max_chars=MAX_REPLY_CHARS)

    def reply(self, phone: str):
        form = bottle.request.forms
        text = (form.getunicode("text", "") or "").strip()
        key = (form.getunicode("key", "") or "")[:64]
        if not is_replyable(phone):
            bottle.response.status = 400
            return self.conversation(phone, "This sender is not a phone number; it cannot be answered.")
        if not text:
            bottle.response.status = 400
            return self.conversation(phone, "Write a message before sending.")
        if len(text) > MAX_REPLY_CHARS:
            bottle.response.status = 400
            return self.conversation(phone, f"A reply may have at most {MAX_REPLY_CHARS} characters "
                                            f"(this one has {len(text)}).", draft=text)
        session = bottle.request.environ["loket.session"]
        customer = customer_for(phone)
        messaging.queue_outbound(phone, text, category="transactional", customer=customer,
                                 author=session.user, key=f"staff:{session.user.id}:{key}" if key else None)
        # Answered: the texts that waited for staff no longer do.
        Message.update(needs_staff=False).where((Message.phone == phone) & (Message.needs_staff == True)).execute()  # noqa: E712
        self.tasks.kick_outbox()
        bottle.redirect(f"/inbox/{quote(phone, safe='')}")

    def outbox(self):
        """Messages that did not go out, or may not have: staff decide."""
        page = _page_number(bottle.request.query.get("page"))
        per_page = 50
        rows = messaging.needing_attention(limit=per_page + 1, offset=(page - 1) * per_page)
        return self.render("outbox", title="Not sent", rows=rows[:per_page], page=page,
                           more=len(rows) > per_page)

    def resend(self, message_id: str):
        session = bottle.request.environ["loket.session"]
        original = Message.get_or_none((Message.id == _int_or_zero(message_id)) & (Message.direction == "out"))
        if original is None:
            raise bottle.HTTPError(404, "No such message.")
        if original.state not in ("failed", "unknown", "cancelled"):
            raise bottle.HTTPError(409, "This message is not waiting for a decision.")
        copy = messaging.resend(original, clock.utcnow(), by=session.user)
        crm_audit("message.resend", user=session.user, target=original.phone,
                  detail=f"message {original.id} sent again as {copy.id}")
        self.tasks.kick_outbox()
        bottle.redirect("/outbox")

    def static(self, path: str):
        response = bottle.static_file(path, root=STATIC)
        response.set_header("Cache-Control", "public, max-age=3600")
        return response


def _int_or_zero(raw: str) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return 0


def _local_path(target: str) -> bool:
    """Only paths on this box are followed after login: no open redirect."""
    return target.startswith("/") and not target.startswith("//") and "\\" not in target


def _page_number(raw) -> int:
    try:
        return max(1, min(int(raw or 1), 100_000))
    except ValueError:
        return 1


def _is_number(phone: str, region: str) -> bool:
    try:
        return normalise(phone, region) == phone
    except PhoneError:
        return False


def routes(web: Web) -> list[Route]:
    return [
        Route("GET", "/login", web.login_form, public=True),
        Route("POST", "/login", web.login_submit, public=True),
        Route("GET", "/static/<path:path>", web.static, public=True),
        Route("POST", "/logout", web.logout, roles=ANY_ROLE),
        Route("GET", "/", web.home, roles=ANY_ROLE),
        Route("GET", "/inbox", web.inbox, roles=ANY_ROLE),
        Route("GET", "/inbox/<phone>", web.conversation, roles=ANY_ROLE),
        Route("POST", "/inbox/<phone>/reply", web.reply, roles=WRITERS),
        Route("GET", "/outbox", web.outbox, roles=ANY_ROLE),
        Route("POST", "/outbox/<message_id>/resend", web.resend, roles=WRITERS),
    ]


def _guard(route: Route, settings):
    """Wrap a handler with the login, role and CSRF checks its route declares."""
    handler = route.handler
    if route.public:
        return handler

    def guarded(*args, **kwargs):
        request = bottle.request
        session = auth.session_for(request.get_cookie(SESSION_COOKIE), session_hours=settings.session_hours)
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

    guarded.__name__ = handler.__name__
    return guarded


def create_app(settings, tasks) -> bottle.Bottle:
    """The WSGI app. `tasks` is the job queue's handle for nudging the worker."""
    app = bottle.Bottle()
    web = Web(settings, tasks)
    app.config["loket.routes"] = routes(web)
    for route in app.config["loket.routes"]:
        if not route.public and not route.roles:
            raise ValueError(f"route {route.method} {route.path} names no role")
        app.route(route.path, route.method, _guard(route, settings))

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
    bottle.BaseRequest.MEMFILE_MAX = 256 * 1024  # a form is small; a CSV upload comes later, with its own limit
    return app
