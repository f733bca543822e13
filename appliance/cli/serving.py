"""The serving verbs: `loket web`, `loket worker`, and `loket run` (both at
once, with the simulated modem: the laptop and demo install)."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from .errors import EXIT_FAIL, CLIError
from .wiring import build_web_app, build_worker, load_settings, open_database, prepare_data_dir, sqlite_path


def _logging(verbose: bool = False) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("huey").setLevel(logging.WARNING)


def _check_port_free(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno == 98:
                raise CLIError(f"port {port} on {host} is already in use: stop the other program "
                               f"or choose another port with --port") from None
            raise CLIError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def cmd_web(args) -> int:
    settings = load_settings(args, resident=True)
    prepare_data_dir(settings)
    _logging(args.verbose)
    open_database(settings)
    _check_port_free(settings.host, settings.port)
    app = build_web_app(settings)
    from ..webui.server import create_server
    log = logging.getLogger("loket.web")
    log.info("web UI on http://%s:%s/", settings.host, settings.port)
    from ..webui.setup import setup_code
    code = setup_code(settings.data_path)
    if code:
        # The technician reads this on the box's console or in the journal.
        print(f"First-run setup: open http://{_url_host(settings.host)}:{settings.port}/setup "
              f"and enter the setup code {code}", flush=True)
    from ..box import sdnotify
    try:
        server = create_server(app, host=settings.host, port=settings.port, session_hours=settings.session_hours)
    except OSError as exc:
        raise CLIError(f"cannot serve on {settings.host}:{settings.port}: {exc.strerror}") from None
    _keep_watchdog_fed(lambda: _database_answers(settings))
    sdnotify.ready("serving the web UI")
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        sdnotify.stopping()
    return 0


def _database_answers(settings) -> bool:
    from .. import db
    try:
        db.proxy.execute_sql("SELECT 1")
        return True
    except Exception:
        return False


def _keep_watchdog_fed(healthy) -> None:
    """With systemd's watchdog on (WatchdogSec), ping it four times per
    interval while the process is healthy; a hung process stops pinging and is
    restarted. (At half the interval, one slow health check left a whole
    interval without a ping, and systemd killed a healthy process.)"""
    from ..box import sdnotify
    interval = sdnotify.watchdog_interval()
    if not interval:
        return

    def feed():
        while True:
            if healthy():
                sdnotify.watchdog_ping()
            time.sleep(interval / 4)

    threading.Thread(target=feed, name="watchdog", daemon=True).start()


def cmd_worker(args) -> int:
    settings = load_settings(args, resident=True)
    _logging(args.verbose)
    _wait_for_writes(settings)
    open_database(settings)
    worker = build_worker(settings)
    logging.getLogger("loket.worker").info("worker %s with modems: %s", worker.owner, settings.modems)
    from ..box import sdnotify
    # Alive: the modem threads run and the database answers (a hung modem is
    # the watchdog's, not systemd's). Fed from the start, once the threads run.
    alive = lambda: (all(m._thread.is_alive() for m in worker.pool.modems) and _database_answers(settings)
                     and worker.storage.alive())  # a data dir that takes no writes for long: let systemd restart
    worker.on_started = lambda: (sdnotify.ready("worker running"), _keep_watchdog_fed(alive))
    from .. import hookd  # webhooks go out from a process of their own, started when there are any
    hookd.supervise(hookd.command_for(settings, args.config and str(Path(args.config).resolve())), dict(os.environ),
                    _die_with_parent(os.getpid()))
    try:
        worker.run()
    finally:
        sdnotify.stopping()
    return 0


def cmd_hooks(args) -> int:
    """The webhook deliveries (appliance/hookd.py); the worker starts this."""
    settings = load_settings(args, resident=True)
    _logging(args.verbose)
    open_database(settings, migrate=False)  # the worker migrates
    from .. import hookd
    hookd.serve(settings)
    return 0


def _wait_for_writes(settings, pause: float = 5.0) -> None:
    """A box whose data dir stops taking writes (an SD card remounted
    read-only) may lose its worker outright: SQLite's shared memory is a
    mapped file, and writing it then is a SIGBUS. The worker started again
    waits for the disk, saying so in the modems' status files (the dashboard
    and `loket modem status` read NOT OK and why), and goes on when it takes
    writes; texts wait on the modem meanwhile. A folder that never held a
    shop is a setup mistake, said at once."""
    log = logging.getLogger("loket.worker")
    waited = False
    while True:
        try:
            prepare_data_dir(settings)
        except CLIError as exc:
            if not settings.data_path.is_dir() or not any(settings.data_path.iterdir()):
                raise
            if not waited:
                log.error("%s: waiting for it; texts wait on the modem", exc)
                waited = True
            _say_in_status_files(settings, f"the data dir takes no writes: {exc}")
            time.sleep(pause)
            continue
        if waited:
            log.warning("the data dir takes writes again: the worker starts")
        return


def _say_in_status_files(settings, error: str) -> None:
    import datetime as dt
    import json
    from ..modem.drivers import modem_names, slug
    folder = settings.data_path / "status"
    for name in modem_names(settings.modems):
        report = {"modem": slug(name), "at": dt.datetime.now(dt.timezone.utc).isoformat(), "ok": False, "error": error}
        try:
            (folder / f"{slug(name)}.json").write_text(json.dumps(report))
        except OSError:
            pass  # that folder is on the same disk: its old report goes stale, which reads NOT OK too


def cmd_run(args) -> int:
    """Web, worker and the simulated modem: the laptop and demo install."""
    settings = load_settings(args, resident=True)
    data = prepare_data_dir(settings)
    if not settings.database_url:
        from ..box import backup
        try:  # a restore staged in the UI is applied before anything opens the database
            if backup.apply_pending(sqlite_path(settings)):
                print("a staged restore was applied", flush=True)
        except backup.RestoreError as exc:
            print(f"loket: the staged restore was refused: {exc}", file=sys.stderr, flush=True)
    open_database(settings)
    from .. import demo
    login = demo.seed(data, args.demo) if args.demo != "none" else None
    kind = demo.seeded_kind()
    _check_port_free(settings.host, settings.port)

    env = dict(os.environ, LOKET_DATA_DIR=str(data), LOKET_HOST=settings.host, LOKET_PORT=str(settings.port))
    if kind and settings.source("shop_name") == "default":
        env["LOKET_SHOP_NAME"] = demo.SHOP_NAMES[kind]  # the demo shop's own name in its replies
    if args.config:
        env["LOKET_CONFIG"] = str(Path(args.config).resolve())
    base = [sys.executable, "-m", "appliance.cli"]

    def start(name: str) -> subprocess.Popen:
        # Each child dies with this process, even when it is killed outright
        # (kill -9 leaves no chance to stop them): no orphan keeps the port.
        return subprocess.Popen(base + [name], env=env, preexec_fn=_die_with_parent(os.getpid()))

    children = {"web": start("web"), "worker": start("worker")}
    restarts: dict[str, list[float]] = {"web": [], "worker": []}

    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    url_host = "localhost" if settings.host in ("127.0.0.1", "0.0.0.0", "::") else settings.host
    url = f"http://{url_host}:{settings.port}/"
    if _wait_for_http(settings.host, settings.port, children, timeout=30):
        print(f"Loket is running: {url}", flush=True)
        if kind:
            print(f"Demo shop: {env.get('LOKET_SHOP_NAME', settings.shop_name)} ({kind})", flush=True)
        if login:
            print(f"Log in as {login[0]} with password {login[1]}", flush=True)
        print(f"Text the shop as a customer: loket sim text +6281234567890 \"help\" --data-dir {data}",
              flush=True)
        print("Press Ctrl+C to stop.", flush=True)
    code = 0
    try:
        while not stopping:
            for name, child in list(children.items()):
                if child.poll() is None:
                    continue
                # One process stopping (a crash, a kill) is started again, as
                # systemd does on the appliance; one that keeps stopping ends the run.
                now = time.monotonic()
                restarts[name] = [t for t in restarts[name] if now - t < RESTART_WINDOW] + [now]
                if len(restarts[name]) > RESTARTS:
                    print(f"loket: the {name} process keeps stopping (exit {child.returncode}); stopping",
                          file=sys.stderr, flush=True)
                    stopping, code = True, EXIT_FAIL
                    break
                print(f"loket: the {name} process stopped (exit {child.returncode}); starting it again",
                      file=sys.stderr, flush=True)
                children[name] = start(name)
            time.sleep(0.2)
    finally:
        for child in children.values():
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + 35
        for child in children.values():
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
    return code


RESTARTS = 3  # a child stopping more often than this in RESTART_WINDOW seconds ends `loket run`
RESTART_WINDOW = 60.0


def _die_with_parent(parent: int):
    """For Popen's preexec_fn: the child gets SIGTERM when `parent` dies (Linux)."""
    def arrange() -> None:
        import ctypes
        try:
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            return  # not Linux: `loket run` is for a laptop; the appliance runs under systemd
        if os.getppid() != parent:  # the parent died before the line above
            os._exit(1)
    return arrange


def _url_host(host: str) -> str:
    return "loket.local" if host in ("0.0.0.0", "::") else ("localhost" if host == "127.0.0.1" else host)


def _wait_for_http(host: str, port: int, children: dict, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    target = "127.0.0.1" if host in ("0.0.0.0", "") else ("::1" if host == "::" else host)
    while time.monotonic() < deadline:
        if any(child.poll() is not None for child in children.values()):
            return False
        try:
            with socket.create_connection((target, port), timeout=0.5) as sock:
                sock.sendall(b"HEAD /login HTTP/1.0\r\n\r\n")
                if sock.recv(12).startswith(b"HTTP/"):
                    return True
        except OSError:
            time.sleep(0.05)
    return False
