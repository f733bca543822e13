"""What every page module needs: `Route`, the roles, the `Web` request
helper and a few small helpers.

Page modules import this module; only app.py imports the page modules, so
the web UI has no import cycle (tests/test_layout.py proves it).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import hmac
import tempfile
from pathlib import Path
from typing import Callable
from urllib.parse import quote, urlencode

import bottle

from appliance import clock, photos, tickets_sla
from appliance.conversation import Shop
from appliance.models import ROLES

from . import formats
from .i18n import N_, translate
from .labels import action_label, label

HERE = Path(__file__).resolve().parent
VIEWS = str(HERE / "views")
# One list for every render: bottle caches a compiled template under the id of its
# lookup list, so a new list per call compiled every page anew and kept them all.
LOOKUP = [VIEWS]
STATIC = str(HERE / "static")
SESSION_COOKIE = "loket_session"
PER_PAGE = 50

ANY_ROLE = ROLES
WRITERS = ("owner", "admin", "frontdesk", "technician")
DESK = ("owner", "admin", "frontdesk")
MANAGERS = ("owner", "admin")
OWNER = ("owner",)
OFFICE = ("owner", "admin", "frontdesk", "viewer")  # everyone but the technicians in the field
REPORT_READERS = ("owner", "admin", "viewer")


@dataclasses.dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: Callable
    roles: tuple[str, ...] = ()  # who may use it; empty only for public and API routes
    public: bool = False
    # An /api/v1 route: opened only by a bearer token with this scope (webui/api.py),
    # never by a session; and the pages (roles) are never opened by a token.
    api_scope: str = ""


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

    @property
    def language(self) -> str:
        return self.user.language if self.user else self.settings.default_language

    def t(self, text: str) -> str:
        return translate(text, self.language)

    def problem(self, exc: BaseException) -> str:
        """Why the domain refused, in the reader's language."""
        return formats.problem(exc, self.language)

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
            t=self.t,
            language=self.language,
            quote=lambda value: quote(str(value), safe=""),
            sla=lambda ticket: tickets_sla.clocks(ticket, clock.utcnow()),  # the SLA rules' own view
            path=request.path,
            from_inbox=from_conversation(self),  # a form opened beside a conversation keeps saying so
            roles=ROLES,
        )
        for helper, function in formatters(self.language, self.settings.tz).items():
            values.setdefault(helper, function)  # a page's own value of that name wins
        return bottle.template(name, template_lookup=LOOKUP, **values)

    def redirect(self, path: str, done: str = "") -> None:
        """After a POST: to a page, with a one-line note of what was done,
        signed for this session: a link cannot make the page show its own text."""
        if done:
            path, hash_, anchor = path.partition("#")  # the note goes before "#…", where the server reads it
            path += ("&" if "?" in path else "?") + urlencode({"done": done, "sig": self._flash_sig(done)})
            path += hash_ + anchor
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


def formatters(language: str, tz) -> dict:
    """The templates' formats (webui/formats.py), in the reader's language and the shop's zone."""
    return dict(
        when=lambda value: formats.when(value, language, tz),  # 14.05 today, Kam, 3 Des 14.05 before
        local=lambda value: clock.local(value, tz),
        date=lambda value, year=False: formats.day(value, language, tz, year),  # Kam, 3 Des
        clock=lambda value: formats.time_of_day(value, language, tz),  # 14.05
        month=lambda value: formats.month(value, language),  # Des 2026
        ago=lambda minutes: formats.ago(minutes, language),  # 5 menit yang lalu
        until=lambda value: formats.until(value, language),  # an SLA timer: 2 j 5 mnt
        money=lambda value: formats.money(value, language),  # Rp 85.000
        number=lambda value: formats.number(value, language),  # 1.240
        phone_number=formats.phone,  # 0812-3456-7890
        who=lambda customer: (customer.name or formats.phone(customer.phone)) if customer else "",
        label=lambda value: label(value, language),  # a status or kind as words
        action=lambda value: action_label(value, language),  # an audit-log action
        points_reason=lambda entry: formats.points_reason(entry, language),
    )


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


def photo_url(web: Web):
    """The URL of a product's photo for a thumbnail, or "" when it has none;
    ?v= is the file's time, so a new photo is never an old one from the cache."""
    allowed = web.user is not None and web.user.role in WRITERS  # a viewer's page shows none: she may not fetch it

    def url(product_id) -> str:
        path = photos.find(web.settings.data_path, product_id) if product_id and allowed else None
        return f"/goods/{product_id}/photo?v={path.stat().st_mtime_ns}" if path else ""
    return url


def prefilled_phone(web: Web) -> str:
    """The number a new booking, queue number, ticket or order form starts
    with: ?phone= from a conversation's actions, or what was just posted
    (the form shown again with its error)."""
    raw = web.form("phone", limit=40) if bottle.request.method == "POST" else web.query("phone", limit=40)
    return " ".join((raw or "").split())


def from_conversation(web: Web) -> bool:
    """The form was opened beside a conversation (beside.actions): once done,
    staff go back to it, not to the page the form lives on."""
    raw = web.form("from", limit=10) if bottle.request.method == "POST" else web.query("from", limit=10)
    return raw == "inbox"


def done_for(web: Web, phone: str | None, path: str, done: str) -> None:
    """After making something for a customer: back to her conversation when
    the form was opened there, else to `path`."""
    if phone and from_conversation(web):
        path = "/inbox/" + quote(phone, safe="")
    web.redirect(path, done)


def shop_of(web: Web) -> Shop:
    """The shop's rules (hours, capacity, caps) as the services take them."""
    return Shop.from_settings(web.settings)


NOT_FOUND = {"campaign": N_("No such campaign."), "customer": N_("No such customer."), "draw": N_("No such draw."),
             "order": N_("No such order."), "product": N_("No such product."), "ticket": N_("No such ticket."), "user": N_("No such user."),
             "token": N_("No such token."), "service point": N_("No such service point."),
             "project": N_("No such project."), "note": N_("No such note.")}


def found(row, what: str):
    """The row, or a plain 404 naming what was not there."""
    if row is None:
        raise bottle.HTTPError(404, NOT_FOUND.get(what, what))
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
