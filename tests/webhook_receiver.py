"""A real webhook receiver for the tests: http.server in a thread that checks
every delivery's signature as docs/webhooks.md tells a receiver to, and
answers per path: /ok, /fail/N (500 the first N times), /slow (late but in
time), /hang (holds the first request past Loket's timeout), /hold (holds the
first request until the test lets it go)."""

from __future__ import annotations

import collections
import dataclasses
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from appliance.webhooks import verify


@dataclasses.dataclass
class Seen:
    path: str
    at: float
    event: str
    id: str
    body: dict
    signed: bool


class Receiver:
    def __init__(self, hang_seconds: float = 3.0, slow_seconds: float = 0.5):
        self.secrets: dict[str, str] = {}  # path -> the hook's secret
        self.seen: list[Seen] = []
        self.counts: collections.Counter = collections.Counter()
        self.lock = threading.Lock()
        self.hang_seconds, self.slow_seconds = hang_seconds, slow_seconds
        self.held = threading.Event()  # a /hold request arrived
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.took(self, raw)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def took(self, handler, raw: bytes) -> None:
        path = handler.path
        secret = self.secrets.get(path, "")
        signed = verify(secret, raw, handler.headers.get("Loket-Timestamp"), handler.headers.get("Loket-Signature"))
        body = json.loads(raw)
        with self.lock:
            self.counts[path] += 1
            nth = self.counts[path]
            self.seen.append(Seen(path, time.monotonic(), body["event"], body["id"], body, signed))
        status = 200
        if path.startswith("/fail/") and nth <= int(path.rsplit("/", 1)[1]):
            status = 500
        elif path == "/slow":
            time.sleep(self.slow_seconds)
        elif path == "/hang" and nth == 1:
            time.sleep(self.hang_seconds)
        elif path == "/hold" and nth == 1:
            self.held.set()
            self.release.wait(30)
        try:
            handler.send_response(status)
            handler.send_header("Content-Length", "2")
            handler.end_headers()
            handler.wfile.write(b"ok")
        except OSError:
            pass  # Loket gave up on this one (its timeout, or its process was killed)

    def at(self, path: str) -> list[Seen]:
        with self.lock:
            return [s for s in self.seen if s.path == path]

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
