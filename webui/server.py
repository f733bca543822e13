"""The web UI's HTTP server: waitress, with limits on what reaches the app.

waitress reads a request's whole body (spooled to a temporary file) before
the app sees it, so limits must act while the headers are parsed:
- a form is small (FORM_LIMIT); only the three upload forms take more, up to
  their own limit, and only from a browser with a live session of a role
  that may use them: no one without a login fills the SD card;
- chunked request bodies are refused. Browsers send forms and files with a
  Content-Length; waitress 3.0.2 (the newest release, December 2026) spends
  a whole core on a chunk-size line that never ends.
"""

from __future__ import annotations

import waitress
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser, ParsingError
from waitress.utilities import RequestEntityTooLarge

from appliance import auth

from .app import SESSION_COOKIE

FORM_LIMIT = 1024 * 1024
UPDATE_LIMIT = 512 * 1024 * 1024  # appliance/update.py's MAX_BUNDLE (that module loads only when used)
THREADS = 4


def upload_limits() -> dict[str, int]:
    """The paths that take a file, and how much each takes."""
    from . import backups, customers
    return {"/customers/import": customers.UPLOAD_LIMIT, "/settings/backup/restore": backups.UPLOAD_LIMIT,
            "/settings/update": UPDATE_LIMIT}


def create_server(app, *, host: str, port: int, session_hours: int):
    """A waitress server for `app` (from create_app) with the limits above."""
    limits = upload_limits()
    roles = {route.path: route.roles for route in app.config["loket.routes"]
             if route.method == "POST" and route.path in limits}

    class Parser(HTTPRequestParser):
        def parse_header(self, header_plus):
            super().parse_header(header_plus)
            if self.chunked:
                raise ParsingError("chunked request bodies are not accepted; send a Content-Length")
            limit = limits.get(self.path, FORM_LIMIT) if self.command == "POST" else FORM_LIMIT
            if self.content_length > FORM_LIMIT and limit > FORM_LIMIT and not self._may_upload():
                limit = FORM_LIMIT
            if self.content_length > limit:
                self.error = RequestEntityTooLarge(f"a request to {self.path} may have at most {limit} bytes")
                self.completed = True

        def _may_upload(self) -> bool:
            # Only for a big body to an upload path: one indexed read.
            from http.cookies import CookieError, SimpleCookie
            try:
                morsel = SimpleCookie(self.headers.get("COOKIE", "")).get(SESSION_COOKIE)
            except CookieError:
                return False
            session = auth.session_for(morsel.value if morsel else None, session_hours=session_hours)
            return session is not None and session.user.role in roles.get(self.path, ())

    class Channel(HTTPChannel):
        parser_class = Parser

    server = waitress.create_server(app, host=host, port=port, threads=THREADS, ident="Loket",
                                    max_request_body_size=max(limits.values()) + 1)
    server.channel_class = Channel
    return server
