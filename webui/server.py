"""The web UI's HTTP server: waitress, with limits on what reaches the app.

waitress reads a request's whole body (spooled to a temporary file) before
the app sees it, so limits must act while the headers are parsed:
- a form is small (FORM_LIMIT); only the three upload forms take more, up to
  their own limit, and only from a browser with a live session of a role
  that may use them: no one without a login fills the SD card. Without a
  session a big body is answered 413 and the connection closed at once; a
  logged-in browser sending too much has its body read and thrown away
  (never stored), then the 413;
- chunked request bodies are refused. Browsers send forms and files with a
  Content-Length; waitress 3.0.2 (the newest release, December 2026) spends
  a whole core on a chunk-size line that never ends.
"""

from __future__ import annotations

import json
import re

import waitress
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser, ParsingError
from waitress.utilities import Error, RequestEntityTooLarge

from appliance import auth

from . import api
from .web import SESSION_COOKIE

FORM_LIMIT = 1024 * 1024
UPDATE_LIMIT = 512 * 1024 * 1024  # appliance/box/bundle.py's MAX_BUNDLE (that module loads only when used)
# An API send waits in its thread for the group commit (webui/api_commit.py): with 4 threads a till's
# burst left the CPU idle during each commit; 8 keep it busy (`./dev bench --api`: ~1.4x the sends a second).
THREADS = 8
# A product's photo: up to a phone camera's own photo (when the page's script did not make it small),
# so the page can say in words that it is over 1 MB (appliance/photos.py) rather than cut the connection.
PHOTO_ROUTE, PHOTO_PATH = "/goods/<product_id>/photo", re.compile(r"/goods/\d{1,18}/photo")
PHOTO_LIMIT = 8 * 1024 * 1024


def upload_limits() -> dict[str, int]:
    """The paths that take a file, and how much each takes: the file's own
    limit (the page says so when a file is over it) and the form around it."""
    from . import backups, customers, movein
    return {path: limit + FORM_LIMIT for path, limit in (
        ("/customers/import", customers.UPLOAD_LIMIT), ("/customers/import/smsd", movein.UPLOAD_LIMIT), ("/settings/backup/restore", backups.UPLOAD_LIMIT),
        ("/settings/update", UPDATE_LIMIT), (PHOTO_ROUTE, PHOTO_LIMIT))}


def upload_route(path: str) -> str:
    """The route that takes an upload at this path: the path itself, or the
    photo route's pattern for /goods/12/photo."""
    return PHOTO_ROUTE if PHOTO_PATH.fullmatch(path) else path


class _Discard:
    """A body receiver that counts the bytes and keeps none."""

    error = None

    def __init__(self, length: int):
        self.remaining = length
        self.completed = length == 0

    def received(self, data: bytes) -> int:
        taken = min(len(data), self.remaining)
        self.remaining -= taken
        self.completed = self.remaining == 0
        return taken

    def getfile(self):
        return None

    def getbuf(self):
        return self

    def close(self) -> None:
        pass

    def __len__(self) -> int:
        return 0


class _ApiRefusal(Error):
    """waitress's refusal of a request it will not pass on (a body too big, chunked), answered to an
    /api/v1 call as problem details like every other API refusal, not waitress's plain text."""

    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.code, self.reason = status, api.TITLES[status]
        self.problem = api.problem_body(status, detail)

    def to_response(self, ident=None):
        return (f"{self.code} {self.reason}", [("Content-Type", api.PROBLEM_TYPE)],
                json.dumps(self.problem).encode())


def create_server(app, *, host: str, port: int, session_hours: int):
    """A waitress server for `app` (from create_app) with the limits above."""
    limits = upload_limits()
    roles = {route.path: route.roles for route in app.config["loket.routes"]
             if route.method == "POST" and route.path in limits}

    class Parser(HTTPRequestParser):
        def parse_header(self, header_plus):
            super().parse_header(header_plus)
            api_call = self.path.startswith(api.PREFIX + "/")
            if self.chunked:
                if not api_call:
                    raise ParsingError("chunked request bodies are not accepted; send a Content-Length")
                self.error = _ApiRefusal(400, "Chunked bodies are not accepted; send a Content-Length.")
                self.completed = True
                return
            if self.content_length <= FORM_LIMIT:
                return
            if api_call:  # no upload: closed at once, nothing read, the answer a program can parse
                self.error = _ApiRefusal(413, f"A body may have at most {api.MAX_BODY} bytes.")
                self.completed = True
                return
            route = upload_route(self.path)
            limit = limits.get(route) if self.command == "POST" else None
            too_large = RequestEntityTooLarge(f"a request to {self.path} may have at most {limit or FORM_LIMIT} bytes")
            role = self._role() if limit else None
            if role is None:  # no upload form, or no login: closed at once, nothing read
                self.error, self.completed = too_large, True
            elif role not in roles.get(route, ()) or self.content_length > limit:
                # Staff sending too much: read to the end and thrown away, never stored, so the
                # browser gets the answer instead of a reset connection.
                self.error, self.body_rcv = too_large, _Discard(self.content_length)

        def _role(self) -> str | None:
            """The role of the request's live session (one indexed read), or None."""
            from http.cookies import CookieError, SimpleCookie
            try:
                morsel = SimpleCookie(self.headers.get("COOKIE", "")).get(SESSION_COOKIE)
            except CookieError:
                return None
            try:
                session = auth.session_for(morsel.value if morsel else None, session_hours=session_hours)
            except Exception:  # noqa: BLE001 - the database busy or gone: no upload now, the server runs on
                return None
            return session.user.role if session else None

    class Channel(HTTPChannel):
        parser_class = Parser

    server = waitress.create_server(app, host=host, port=port, threads=THREADS, ident="Loket",
                                    max_request_body_size=max(limits.values()) + 1)
    server.channel_class = Channel
    return server
