"""Helpers the tests share: the real `loket` command, HTTP with cookies."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import http.client
import http.cookiejar
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
LOKET = [sys.executable, "-m", "appliance.cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def loket_cli(*args, data_dir=None, env=None, timeout=60, input=None) -> subprocess.CompletedProcess:
    """Run the real `loket` command; returns the finished process."""
    command = LOKET + [str(a) for a in args]
    if data_dir is not None:
        command += ["--data-dir", str(data_dir)]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, input=input,
                          env={**os.environ, **(env or {})})


class Browserless:
    """HTTP with cookies, as a browser without JavaScript would do it."""

    def __init__(self, base: str, source: str | None = None):
        """`source`: another loopback address (127.0.0.2 ...) to come from, as a second device would."""
        self.base = base.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.handlers = [urllib.request.HTTPCookieProcessor(self.jar)] + ([_From(source)] if source else [])
        self.opener = urllib.request.build_opener(*self.handlers)

    def request(self, method: str, path: str, data: dict | None = None, follow: bool = True):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, method=method)
        opener = self.opener if follow else urllib.request.build_opener(*self.handlers, _NoRedirect())
        try:
            with opener.open(req, timeout=30) as resp:
                return resp.status, resp.headers, resp.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers, exc.read().decode("utf-8", "replace")

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, data, **kw):
        return self.request("POST", path, data, **kw)

    def upload(self, path: str, fields: dict, name: str, filename: str, content: bytes):
        """A multipart/form-data POST with one file, as a browser's file input sends it."""
        boundary = "loket" + secrets.token_hex(12)
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
                 for key, value in fields.items()]
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        req = urllib.request.Request(self.base + path, data=body, method="POST",
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        try:
            with self.opener.open(req, timeout=120) as resp:
                return resp.status, resp.headers, resp.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers, exc.read().decode("utf-8", "replace")

    def csrf(self, path: str) -> str:
        _, _, html = self.get(path)
        return re.search(r'name="csrf" value="([^"]+)"', html).group(1)

    def login(self, user: str, password: str) -> int:
        token = self.csrf("/login")
        status, _, _ = self.post("/login", {"csrf": token, "username": user, "password": password})
        return status


class _From(urllib.request.HTTPHandler):
    def __init__(self, source: str):
        super().__init__()
        self.source = source

    def http_open(self, req):
        return self.do_open(functools.partial(http.client.HTTPConnection, source_address=(self.source, 0)), req)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclasses.dataclass
class RunningLoket:
    process: subprocess.Popen
    url: str
    data_dir: Path
    user: str
    password: str
    output: list
    env: dict = dataclasses.field(default_factory=dict)

    def browser(self) -> Browserless:
        return Browserless(self.url)

    def text(self, number: str, message: str, wait: float = 15) -> subprocess.CompletedProcess:
        return loket_cli("sim", "text", number, message, "--wait", wait, data_dir=self.data_dir,
                         env=self.env, timeout=wait + 30)


@contextlib.contextmanager
def start_web(data_dir, env=None):
    """A real `loket web` on a free port; yields its base URL."""
    port = free_port()
    # Its log to a file, not a pipe no one reads: a busy web (waitress warns of its
    # queue under a flood of logins) would block on a full pipe and stop answering.
    log = tempfile.TemporaryFile("w+")
    process = subprocess.Popen(LOKET + ["web", "--data-dir", str(data_dir), "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=log, text=True,
                               env={**os.environ, **(env or {})})
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None:
                    log.seek(0)
                    raise RuntimeError("loket web did not start: " + log.read())
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)
        log.close()


def owner_sets(**changes) -> None:
    """The owner saves these settings, as the Settings page does (checked by the settings table)."""
    from appliance import shopdata
    shopdata.save_ui_settings(changes)


def open_all_day_every_day() -> None:
    """The bound shop open 00:00-23:59, all week: for tests that run a real
    loket on the wall clock and need its queue and bookings open at whatever
    hour and on whatever day CI runs them."""
    import datetime as dt

    from appliance.models import OpeningHours
    OpeningHours.delete().execute()
    for weekday in range(7):
        OpeningHours.create(weekday=weekday, opens=dt.time(0, 0), closes=dt.time(23, 59))


_serial = iter(range(1, 10**9))


def text_in(phone: str, text: str, now, responder=None):
    """A customer's SMS as the modem hands it over: stored as a raw part,
    assembled into a message, and (given a responder) answered. Returns the
    message, or (message, replies) with a responder."""
    import datetime as dt

    from appliance.modem.base import InboundPart

    from appliance import inbox
    from appliance.phone import sender_key

    part = InboundPart(location="1", sender=phone, text=text,
                       smsc_time=now + dt.timedelta(microseconds=next(_serial)))
    inbox.store_parts([part], "sim", now)
    [message] = inbox.assemble(now, dt.timedelta(minutes=10), sender_key)
    if responder is None:
        return message
    return message, responder.handle(message, now)


def wait_until(predicate, timeout: float = 20, every: float = 0.1) -> bool:
    """Poll until `predicate()` is true or the time is up; returns which."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return False


def wait_while_moving(remaining, stall: float = 120, every: float = 0.5) -> bool:
    """Poll `remaining()` (a count of work not done) until it reaches 0; give
    up only when it has not gone down for `stall` seconds. A slow machine
    takes longer and passes; a stuck one fails."""
    left, moved = remaining(), time.monotonic()
    while left:
        if time.monotonic() - moved > stall:
            return False
        time.sleep(every)
        now_left = remaining()
        if now_left < left:
            moved = time.monotonic()
        left = now_left
    return True


def web_pid(data_dir) -> int:
    """The pid of the `loket web` serving `data_dir`."""
    for proc in Path("/proc").iterdir():
        try:
            command = (proc / "cmdline").read_bytes().split(b"\0")
        except (OSError, ValueError):
            continue
        if b"web" in command and str(data_dir).encode() in command:
            return int(proc.name)
    raise AssertionError("no loket web process")


def cpu_seconds(pid: int) -> float:
    """The CPU time a process has used, user and system: unlike wall time, a busy machine hardly moves it."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    """A process's resident memory in MB (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


def pss_mb(pid: int) -> float:
    """A process's proportional set size in MB: its private pages, and its
    share of the pages it shares with others (the Python binary and the
    libraries web and worker both map). Summed over processes, each shared
    page counts once, as it is in the board's RAM; summed RSS counts it in
    every process. 0 once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0.0


def break_the_web_after_migrating(source: Path) -> None:
    """Edit a copy of Loket's source into a release that moves the schema
    forward and then cannot serve: the worst kind of bad release, the one an
    update's rollback must also undo in the data (for image/bundle.py's
    loket_wheel(edit=...); used by test_update and the image's boot test)."""
    migrations = source / "appliance" / "migrations.py"
    text = migrations.read_text()
    marker = "HEAD = 1 + len(STEPS)"
    assert marker in text, "migrations.py changed: update break_the_web_after_migrating"
    migrations.write_text(text.replace(marker, 'STEPS += (Step(len(STEPS) + 2, "a probe table", '
                                       'lambda database, migrator: database.execute_sql('
                                       '"CREATE TABLE rollback_probe (x INTEGER)")),)\n' + marker))
    cli = source / "appliance" / "cli" / "serving.py"
    marker = "    open_database(settings)\n    _check_port_free(settings.host, settings.port)\n"
    text = cli.read_text()
    assert marker in text, "cmd_web changed: update break_the_web_after_migrating"
    cli.write_text(text.replace(marker, "    open_database(settings)\n"
                                        "    raise SystemExit('a broken release, for the rollback test')\n", 1))


def quick_beside_a_scan(checks: dict, floor: float = 0.3) -> None:
    """Each check (name -> callable) reads what it shows, not the message
    table: it takes under `floor` seconds, or, on a machine busy enough that
    it does not, well under a third of one read of the whole table timed
    here, so a slow machine never fails it (the bound scales with it)."""
    import time
    from appliance.models import Message
    started = time.perf_counter()
    Message._meta.database.execute(Message.select()).fetchall()
    scan = time.perf_counter() - started
    for name, check in checks.items():
        started = time.perf_counter()
        check()
        took = time.perf_counter() - started
        assert took < max(floor, scan / 3), f"{name}: {took * 1000:.0f} ms (the whole table read in {scan * 1000:.0f} ms)"
