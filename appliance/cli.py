"""`loket`: the command line, and the composition root.

This is the only module that wires the pieces together: settings ->
database -> job queue -> modems -> worker, and settings -> database -> job
queue -> web app. Every failure a person can cause (a bad option, a bad
setting, a busy port, an unwritable folder) ends in one line that says what
is wrong and how to fix it, and a non-zero exit; never a traceback.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from . import settings as settings_module
from .settings import SettingsError

EXIT_USAGE = 2
EXIT_FAIL = 1


class CLIError(Exception):
    """A failure to report as one line, with the exit code to use."""

    def __init__(self, message: str, code: int = EXIT_FAIL):
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, not a usage dump
        raise CLIError(f"{message} (see `{self.prog} --help`)", EXIT_USAGE)


# -- building the pieces ------------------------------------------------------

def load_settings(args) -> settings_module.Settings:
    overrides = {name: getattr(args, name, None) for name in ("data_dir", "host", "port")}
    settings = settings_module.load(getattr(args, "config", None), overrides=overrides)
    _skip_unused_clients(settings)
    return settings


def _skip_unused_clients(settings) -> None:
    """peewee and huey import the PostgreSQL and Redis clients whenever they
    are installed (a scale-out install has them); each costs a long-running
    process ~10 MB. Where the settings use neither, they are not loaded."""
    if not settings.db_url.startswith("postgres"):
        sys.modules.setdefault("psycopg2", None)
        sys.modules.setdefault("psycopg", None)
    if not settings.huey_url.startswith("redis"):
        sys.modules.setdefault("redis", None)


def prepare_data_dir(settings) -> Path:
    path = settings.data_path
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".write-test-{os.getpid()}"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise CLIError(f"cannot write to the data dir {path}: {exc.strerror}; "
                       "choose another with --data-dir or fix its permissions") from None
    return path


def open_database(settings, *, migrate: bool = True):
    from . import db, migrations
    try:
        database = db.connect(settings.db_url, synchronous=settings.sqlite_synchronous)
        if migrate:
            for line in migrations.migrate(database):
                logging.getLogger("loket").info("database: %s", line)
    except db.DatabaseError as exc:
        raise CLIError(str(exc)) from None
    except RuntimeError as exc:
        raise CLIError(str(exc)) from None
    return database


def open_tasks(settings):
    from .queue.tasks import QueueConfigError, Tasks, make_huey
    try:
        return Tasks(make_huey(settings.huey_url))
    except (QueueConfigError, OSError) as exc:
        raise CLIError(f"cannot open the job queue {settings.huey_url}: {exc}") from None


def region_key(settings):
    from .phone import sender_key
    return lambda sender: sender_key(sender, settings.default_region)


def _configure_core() -> None:
    """Plug the modem layer's SMS arithmetic into the core (see appliance/sms.py)."""
    from . import sms
    from .modem import pdu
    sms.configure(pdu.plan)


def build_worker(settings):
    from .modem.drivers import DriverSpecError, modem_names, open_driver, slug
    from .modem.owner import ModemThread
    from .modem.watchdog import Watchdog, usb_power_cycle
    from .queue.worker import Worker
    from .responder import Responder, Shop

    _configure_core()
    from . import shopdata
    modems = []
    for name in modem_names(settings.modems):
        try:
            driver = open_driver(name, sim_root=settings.sim_path, state_dir=settings.data_path / "modems",
                                 pin=settings.sim_pin or (shopdata.get("sim_pin") or ""))
        except DriverSpecError as exc:
            raise CLIError(f"setting modems: {exc}") from None
        port = getattr(driver, "port", "")
        watchdog = Watchdog(driver, name=slug(name), power_cycle=usb_power_cycle(port) if port.startswith("/dev/") else None)
        modems.append(ModemThread(slug(name), driver, poll_seconds=settings.modem_poll_seconds,
                                  status_seconds=settings.modem_check_seconds, watchdog=watchdog))
    import datetime as dt

    from . import clock, policy
    responder = Responder(Shop.from_settings(settings))
    data = settings.data_path
    worker = Worker(tasks=open_tasks(settings), modems=modems, responder=responder,
                  region_key=region_key(settings), status_dir=data / "status",
                  rules=policy.Rules.from_settings(settings), rate_per_minute=settings.rate_per_minute,
                  reassembly=dt.timedelta(minutes=settings.reassembly_minutes),
                  clock_trusted=lambda: clock.clock_trusted(settings.clock, data),
                  worker_name=settings.worker_name or None, threads=settings.worker_threads)
    # Quiet hours, caps, the shop's name: the owner may change them in the UI while the worker runs.
    from . import shopdata
    worker.live_rules = lambda: policy.Rules.from_settings(shopdata.live(settings))
    if settings.clock == "appliance":
        # No clock battery: the modem's network time sets the clock, at start and on every reconnect.
        from . import timekeeping
        worker.on_network_time = lambda moment: timekeeping.sync_from_modem(
            moment, data, set_clock=timekeeping.can_set_clock())
    responder.live_shop = lambda: Shop.from_settings(shopdata.live(settings))
    return worker


def build_web_app(settings):
    _configure_core()
    from .webui.app import create_app
    return create_app(settings, open_tasks(settings))


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


# -- commands -------------------------------------------------------------------

def cmd_web(args) -> int:
    settings = load_settings(args)
    prepare_data_dir(settings)
    _logging(args.verbose)
    open_database(settings)
    _check_port_free(settings.host, settings.port)
    app = build_web_app(settings)
    from .webui.server import create_server
    log = logging.getLogger("loket.web")
    log.info("web UI on http://%s:%s/", settings.host, settings.port)
    from .webui.setup import setup_code
    code = setup_code(settings.data_path)
    if code:
        # The technician reads this on the box's console or in the journal.
        print(f"First-run setup: open http://{_url_host(settings.host)}:{settings.port}/setup "
              f"and enter the setup code {code}", flush=True)
    from . import sdnotify
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
    from . import db
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
    from . import sdnotify
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
    settings = load_settings(args)
    prepare_data_dir(settings)
    _logging(args.verbose)
    open_database(settings)
    worker = build_worker(settings)
    logging.getLogger("loket.worker").info("worker %s with modems: %s", worker.owner, settings.modems)
    from . import sdnotify
    # Alive: the modem threads run and the database answers (a hung modem is
    # the watchdog's, not systemd's). Fed from the start, once the threads run.
    alive = lambda: all(m._thread.is_alive() for m in worker.pool.modems) and _database_answers(settings)
    worker.on_started = lambda: (sdnotify.ready("worker running"), _keep_watchdog_fed(alive))
    try:
        worker.run()
    finally:
        sdnotify.stopping()
    return 0


def cmd_run(args) -> int:
    """Web, worker and the simulated modem: the laptop and demo install."""
    settings = load_settings(args)
    data = prepare_data_dir(settings)
    if not settings.database_url:
        from . import backup
        try:  # a restore staged in the UI is applied before anything opens the database
            if backup.apply_pending(_sqlite_path(settings)):
                print("a staged restore was applied", flush=True)
        except backup.RestoreError as exc:
            print(f"loket: the staged restore was refused: {exc}", file=sys.stderr, flush=True)
    open_database(settings)
    from . import demo
    login = demo.seed(data, args.demo) if args.demo != "none" else None
    kind = demo.seeded_kind()
    _check_port_free(settings.host, settings.port)

    env = dict(os.environ, LOKET_DATA_DIR=str(data), LOKET_HOST=settings.host, LOKET_PORT=str(settings.port))
    if kind and settings.source("shop_name") == "default":
        env["LOKET_SHOP_NAME"] = demo.SHOP_NAMES[kind]  # the demo shop's own name in its replies
    if args.config:
        env["LOKET_CONFIG"] = str(Path(args.config).resolve())
    base = [sys.executable, "-m", "appliance.cli"]
    children = {
        "web": subprocess.Popen(base + ["web"], env=env),
        "worker": subprocess.Popen(base + ["worker"], env=env),
    }

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
            for name, child in children.items():
                if child.poll() is not None:
                    print(f"loket: the {name} process stopped (exit {child.returncode}); stopping",
                          file=sys.stderr, flush=True)
                    stopping, code = True, EXIT_FAIL
                    break
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


def _sim_number(raw: str, settings) -> str:
    from .phone import PhoneError, normalise
    try:
        return normalise(raw, settings.default_region)
    except PhoneError:
        return raw.strip()  # a short code or a name: the network lets it through


def cmd_sim_text(args) -> int:
    settings = load_settings(args)
    from .modem.network import SimNetwork
    network = SimNetwork(settings.sim_path)
    sender = _sim_number(args.number, settings)
    before = len(network.received(sender))
    pending = network.text_shop(sender, args.message)
    deadline = time.monotonic() + args.wait
    shown = before
    quiet_since = None
    while time.monotonic() < deadline:
        received = network.received(sender)
        for sms in received[shown:]:
            print(sms.get("text", ""), flush=True)
        if len(received) > shown:
            shown, quiet_since = len(received), None
        if shown > before and not pending.exists():
            # The shop answered: stop once it has nothing more on the way.
            if _settled(settings, sender):
                quiet_since = quiet_since or time.monotonic()
                if time.monotonic() - quiet_since > 0.3:
                    break
        time.sleep(0.05)
    if shown == before:
        print(f"loket: no reply within {args.wait:g} s (is `loket run` or `loket worker` running with "
              f"--data-dir {settings.data_path}?)", file=sys.stderr)
        return EXIT_FAIL
    return 0


def _settled(settings, phone: str) -> bool:
    """Nothing more is on its way to this phone: no reply queued or sending,
    no text of theirs waiting to be read. Without a readable database (the
    shop runs elsewhere), a short silence has to do."""
    import peewee

    from . import db
    from .models import InboundPart, Message
    if not settings.database_url and not (settings.data_path / "loket.db").exists():
        return True
    try:
        db.connect(settings.db_url, synchronous=settings.sqlite_synchronous)
        busy = Message.select().where(
            (Message.phone == phone)
            & (((Message.direction == "out") & Message.state.in_(["queued", "sending"]))
               | ((Message.direction == "in") & (Message.state == "received")))).exists()
        loose = InboundPart.select().where(
            (InboundPart.sender == phone) & InboundPart.message.is_null()).exists()
    except (db.DatabaseError, peewee.DatabaseError):
        return True
    return not busy and not loose


def cmd_sim_inbox(args) -> int:
    settings = load_settings(args)
    from .modem.network import SimNetwork
    for sms in SimNetwork(settings.sim_path).received(_sim_number(args.number, settings)):
        print(f"{sms.get('at', '')}  {sms.get('text', '')}")
    return 0


def cmd_settings(args) -> int:
    if args.markdown:
        sys.stdout.write(settings_module.as_markdown())
        return 0
    settings = load_settings(args)
    if args.json:
        print(json.dumps({s.name: {"value": value, "default": s.default, "source": source, "help": s.help}
                          for s, value, source in settings.items()}, indent=2, default=str))
        return 0
    for s, value, source in settings.items():
        print(f"{s.name} = {value!r}  [{source}; default {s.default!r}]")
        print(f"    {s.help}")
    return 0


def cmd_db(args) -> int:
    settings = load_settings(args)
    prepare_data_dir(settings)
    import peewee

    from . import migrations
    database = open_database(settings, migrate=args.action == "migrate")
    if args.action == "migrate":
        print(f"schema version {migrations.current_version(database)} (newest {migrations.HEAD})")
        return 0
    try:
        problems = migrations.check(database)
    except peewee.DatabaseError as exc:
        problems = [f"the database cannot be read: {exc}"]
    for problem in problems:
        print(problem)
    if problems:
        return EXIT_FAIL
    print(f"ok: schema version {migrations.HEAD}, integrity check passed")
    return 0


def cmd_user_add(args) -> int:
    settings = load_settings(args)
    prepare_data_dir(settings)
    open_database(settings)
    from . import auth
    generated = False
    if args.generate or not sys.stdin.isatty():
        password, generated = auth.generate_password(), True
    else:
        password = getpass.getpass(f"Password for {args.name}: ")
        if getpass.getpass("Again: ") != password:
            raise CLIError("the two passwords differ; nothing was changed")
    try:
        auth.create_user(args.name, password, args.role)
    except auth.AuthError as exc:
        raise CLIError(str(exc)) from None
    print(f"created {args.role} {args.name}")
    if generated:
        print(f"password: {password}  (shown once: write it down)")
    return 0


def _sqlite_file(settings) -> Path | None:
    """The embedded SQLite database's file; None when the CRM is in PostgreSQL."""
    if settings.database_url and not settings.database_url.startswith("sqlite"):
        return None
    return Path(settings.db_url.split("sqlite:///", 1)[1])


def _sqlite_path(settings) -> Path:
    path = _sqlite_file(settings)
    if path is None:
        raise CLIError("backups here are of the embedded SQLite database; back PostgreSQL up with pg_dump")
    return path


def cmd_backup(args) -> int:
    """An online backup into DATA_DIR/backups (and a USB stick labelled LOKET-BACKUP)."""
    settings = load_settings(args)
    from . import backup
    try:
        made = backup.backup(_sqlite_path(settings), settings.data_path / "backups", keep_days=args.keep_days)
    except backup.BackupError as exc:
        raise CLIError(str(exc)) from None
    print(made)
    if not args.no_usb:
        copied = backup.copy_to_usb(made)
        print(f"copied to {copied}" if copied else "no USB stick labelled LOKET-BACKUP or LOKETBACKUP: kept on the box only",
              file=sys.stderr)
    return 0


def cmd_restore(args) -> int:
    """Replace the database with a backup, after checking it; the old one is kept aside."""
    settings = load_settings(args)
    from . import backup
    target = _sqlite_path(settings)
    if args.pending:  # loket-restore.service: the file the UI checked and staged
        if not backup.has_pending(target):
            print("no restore is staged")
            return 0
        try:
            kept = backup.apply_pending(target)
        except backup.RestoreError as exc:
            raise CLIError(f"the staged restore was refused: {exc}") from None
        print("restored the staged backup" + (f"; the previous database is kept as {kept}" if kept else ""))
        return 0
    if not args.file:
        raise CLIError("name the backup file to restore (or --pending)", EXIT_USAGE)
    problems = backup.check_backup(Path(args.file))
    if problems:
        raise CLIError(f"{args.file} cannot be restored: {'; '.join(problems)}")
    busy = backup.holders(target)
    if busy:
        raise CLIError(f"the database is in use (processes {', '.join(map(str, busy))}): stop loket-web and "
                       "loket-worker first (systemctl stop loket-web loket-worker), or stop `loket run`")
    try:
        kept = backup.restore(Path(args.file), target)
    except backup.RestoreError as exc:
        raise CLIError(str(exc)) from None
    print(f"restored {args.file}; the previous database is kept as {kept}")
    return 0


def _update_context(settings, say=print):
    from . import update
    return update.Context(releases=update.Releases(Path(settings.release_dir)), public_key=Path(settings.release_key),
                          data_dir=settings.data_path, db_path=_sqlite_file(settings),
                          services=update.SystemdServices(settings.port),
                          health_seconds=settings.update_check_seconds, say=say)


def cmd_update(args) -> int:
    """Offline updates: check a bundle, install one, or the staged or USB ones."""
    settings = load_settings(args)
    from . import update
    say = lambda line: print(line, flush=True)
    try:
        if args.update_verb == "check":
            manifest = update.read_bundle(Path(args.file), Path(settings.release_key))
            print(f"ok: Loket {manifest.version} for {manifest.machine}, Python {manifest.python}, "
                  f"schema {manifest.schema}, {len(manifest.wheels)} wheels, signature and checksums good")
            return 0
        if args.update_verb == "status":
            releases = update.Releases(Path(settings.release_dir))
            print(f"running: {update.running_version()}")
            print(f"installed: {', '.join(releases.installed()) or 'none in ' + str(releases.dir)}")
            print(f"current: {releases.current() or '-'}  previous: {releases.previous() or '-'}")
            last = update.read_status(settings.data_path)
            if last.get("outcome"):
                print(f"last update: {last.get('outcome')} {last.get('bundle')} at {last.get('finished')}"
                      + (f": {last['reason']}" if last.get("reason") else ""))
            return 0
        ctx = _update_context(settings, say)
        if args.update_verb == "install":
            files = [Path(args.file)]
        elif args.update_verb == "pending":  # loket-update.service, started by loket-update.path
            files = update.pending(settings.data_path)
            if not files:
                print("no update is staged")
                return 0
        else:  # scan: loket-update-usb.service, when the backup stick appears
            # Only copied off the stick here (the stick may be pulled, or
            # unmounted when idle); loket-update.path then starts the install.
            folder = Path(args.folder)
            found, notes = update.find_on_stick(folder, ctx.public_key, settings.data_path, ctx.releases.current())
            for note in notes:
                print(f"passed over {note}")
            if found is None:
                print(f"no new update in {folder}")
                return 0
            staged = update.stage(found, settings.data_path, ctx.public_key)
            print(f"staged {found.name} (Loket {staged.version}) for loket-update.service")
            return 0
        # systemd stops a unit with SIGTERM (a shutdown during an update):
        # unwind through apply(), which puts the old release back.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        outcome = None
        for file in files:
            try:
                status = update.apply(file, ctx, allow_downgrade=getattr(args, "allow_downgrade", False))
            finally:
                if args.update_verb == "pending":
                    file.unlink(missing_ok=True)  # tried once, whatever the outcome: no loop
            outcome = status["outcome"]
            print(f"{file.name}: {outcome}" + (f" ({status['reason']})" if status.get("reason") else ""))
        return 0 if outcome == "installed" else EXIT_FAIL
    except update.UpdateError as exc:
        raise CLIError(str(exc)) from None
    except OSError as exc:
        raise CLIError(f"update: {exc.filename or ''} {exc.strerror}".replace("  ", " ")) from None


def cmd_clock(args) -> int:
    """The Pi has no clock battery: save the time at shutdown, restore it at
    boot (forward only), and set it from the modem's network time."""
    settings = load_settings(args)
    from . import timekeeping
    path = timekeeping.clock_file(settings.data_path)
    if args.action == "save":
        print(f"saved {timekeeping.save_time(path).isoformat(timespec='seconds')}")
        return 0
    if args.action == "restore":
        try:
            moved = timekeeping.restore_time(path)
        except PermissionError:
            raise CLIError("setting the clock needs root (or CAP_SYS_TIME)") from None
        print(f"clock moved forward to {moved.isoformat(timespec='seconds')}" if moved else "clock left as it is")
        return 0
    network_time = _latest_network_time(settings)
    if network_time is None:
        raise CLIError("no network time from a modem yet: is the worker running, is the modem registered?")
    trusted = timekeeping.sync_from_modem(network_time, settings.data_path, set_clock=timekeeping.can_set_clock())
    print(f"network time {network_time.isoformat(timespec='seconds')}: clock "
          + ("trusted" if trusted else "not changed (NTP is in charge, or this user may not set it)"))
    return 0 if trusted else EXIT_FAIL


def _latest_network_time(settings):
    import datetime as dt
    newest = None
    folder = settings.data_path / "status"
    for path in folder.glob("*.json") if folder.is_dir() else []:
        try:
            value = json.loads(path.read_text()).get("network_time")
            moment = dt.datetime.fromisoformat(value) if value else None
        except (OSError, ValueError):
            continue
        if moment and (newest is None or moment > newest):
            newest = moment
    return newest


def cmd_firstboot(args) -> int:
    """Once per device: the database, a per-device secret, the one-time setup code."""
    import secrets as pysecrets
    settings = load_settings(args)
    data = prepare_data_dir(settings)
    open_database(settings)
    secret = data / "secret.key"
    if not secret.exists():
        fd = os.open(secret, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(pysecrets.token_hex(32) + "\n")
    from .webui.setup import setup_code
    code = setup_code(data)
    if code:
        print(f"Loket is ready for its owner: open http://loket.local/ (or this box's address) and enter the "
              f"setup code {code}", flush=True)
    (data / ".firstboot-done").write_text("done\n")
    return 0


def cmd_grow_root(args) -> int:
    """The appliance: grow the root partition and file system to fill the SD card."""
    from . import growroot
    try:
        plan = growroot.plan()
        if not plan.worth_it:
            print(f"{plan.partition}: nothing to grow ({plan.free_bytes // 1048576} MiB free behind it"
                  + (", another partition follows" if plan.others_after else "") + ")")
        elif args.dry_run:
            print(f"{plan.partition} would grow by {plan.free_bytes // 1048576} MiB")
        if args.dry_run:
            return 0
        for line in growroot.grow(plan):
            print(line)
    except (growroot.GrowError, OSError, ValueError) as exc:
        raise CLIError(f"the root cannot grow: {exc}") from None
    return 0


def cmd_demo(args) -> int:
    """Fill a data dir with a big shop: customers and years of messages."""
    settings = load_settings(args)
    prepare_data_dir(settings)
    open_database(settings)
    if args.customers < 0 or args.messages < 0 or args.customers > 10_000_000 or args.messages > 100_000_000:
        raise CLIError("choose between 0 and 10 million customers, 0 and 100 million messages")
    if args.messages and not args.customers:
        raise CLIError("messages need customers: give --customers too")
    from . import generator
    started = time.monotonic()
    generator.generate(args.customers, args.messages, seed=args.seed,
                       progress=lambda line: print(line, file=sys.stderr, flush=True))
    print(f"added {args.customers} customers and {args.messages} messages in {time.monotonic() - started:.0f} s")
    return 0


def cmd_pdu_decode(args) -> int:
    """PDU hex per line (stdin or arguments) -> one JSON object per line."""
    from .modem import pdu
    lines = args.pdu or sys.stdin.read().split()
    failed = 0
    for n, line in enumerate(lines, 1):
        try:
            print(json.dumps(pdu.decode(line.strip()).to_json(), ensure_ascii=False), flush=True)
        except pdu.PDUError as exc:
            failed += 1
            print(json.dumps({"error": str(exc), "line": n, "pdu": line.strip()[:400]}), flush=True)
    return EXIT_FAIL if failed else 0


def cmd_pdu_encode(args) -> int:
    """One JSON object per line in -> PDU hex per part out, one per line."""
    from .modem import pdu
    failed = 0
    for n, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            if not isinstance(request, dict):
                raise ValueError("expected a JSON object")
            parts = pdu.encode_submit(
                str(request["number"]), str(request["text"]), smsc=request.get("smsc"),
                message_class=request.get("class"), status_report=bool(request.get("status_report", False)),
                validity_minutes=request.get("validity_minutes"))
        except KeyError as exc:
            failed += 1
            print(f"loket: line {n}: missing {exc.args[0]!r}", file=sys.stderr)
            continue
        except (ValueError, TypeError) as exc:  # PDUError is a ValueError
            failed += 1
            print(f"loket: line {n}: {exc}", file=sys.stderr)
            continue
        for part in parts:
            print(part, flush=True)
    return EXIT_FAIL if failed else 0


def cmd_modem_sim(args) -> int:
    """A simulated GSM modem on a pty, whose customers are `loket sim`'s."""
    from .modem import atsim
    settings = load_settings(args)
    network = Path(args.network) if args.network else settings.sim_path
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    try:
        handle = atsim.serve(args.link, str(network), args.profile, identity=args.identity,
                             pin=args.pin or None)
    except OSError as exc:
        raise CLIError(f"cannot start the simulated modem: {exc}") from None
    try:
        print(handle.path, flush=True)
        if args.link:
            print(f"linked at {args.link}; customers: loket sim text NUMBER TEXT --data-dir ...",
                  file=sys.stderr, flush=True)
        while not stopping.wait(0.5):
            pass
    finally:
        handle.stop()
    return 0


def cmd_modem_status(args) -> int:
    """What the worker last recorded about each modem, or a direct probe of a port."""
    settings = load_settings(args)
    if args.port:
        from .modem.at_driver import ATDriver, probe
        found = probe(args.port, timeout=2.0)
        if not found:
            raise CLIError(f"nothing answers AT commands on {args.port} (is the worker using it?)")
        driver = ATDriver(args.port, pin=settings.sim_pin)
        from .modem.base import ModemError
        try:
            with driver:
                status = driver.status().as_dict()
        except ModemError as exc:
            raise CLIError(f"{args.port}: {exc}") from None
        print(json.dumps({"port": args.port, **found, **status}, indent=2, default=str))
        return 0 if status.get("ok") else EXIT_FAIL
    import datetime as dt
    folder = settings.data_path / "status"
    rows = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            rows.append(json.loads(path.read_text()))
        except (OSError, ValueError):
            continue
    # A modem taken out of the `modems` setting leaves its last report behind: say so, do not count it.
    from .modem.drivers import modem_names, slug
    configured = {slug(name) for name in modem_names(settings.modems)}
    for row in [r for r in rows if r.get("modem") not in configured]:
        print(f"{row.get('modem')}: no longer in the modems setting (its last report is ignored)")
        rows.remove(row)
    if not rows:
        raise CLIError(f"no modem has reported in {settings.data_path} yet: is `loket worker` running?")
    healthy = True
    now = dt.datetime.now(dt.timezone.utc)
    for row in rows:
        age = (now - dt.datetime.fromisoformat(row["at"])).total_seconds()
        stale = age > max(120.0, 3 * settings.modem_check_seconds)
        healthy &= bool(row.get("ok")) and not stale
        print(f"{row['modem']}: {'ok' if row.get('ok') and not stale else 'NOT OK'}")
        for key in ("manufacturer", "model", "imei", "operator", "registration", "signal_dbm", "signal_percent",
                    "sim", "storage_used", "storage_total", "network_time", "error"):
            if row.get(key) not in (None, ""):
                print(f"  {key}: {row[key]}")
        # An ok report is a conversation with the modem; a failed one is only the worker's word.
        what = "last contact" if row.get("ok") else "reported by the worker"
        print(f"  {what}: {age:.0f} s ago{' (stale: is the worker running?)' if stale else ''}")
    return 0 if healthy else EXIT_FAIL


def cmd_modem_detect(args) -> int:
    """Probe serial ports for modems and suggest the setting."""
    import glob
    from .modem.at_driver import probe
    ports = sorted(set(glob.glob("/dev/serial/by-id/*") + glob.glob("/dev/loket-modem*")
                       + glob.glob("/dev/ttyUSB*") + glob.glob("/dev/ttyACM*")))
    found = []
    for port in ports:
        answer = probe(port, timeout=args.timeout)
        if answer:
            found.append(answer)
            print(f"{port}: {answer.get('manufacturer', '')} {answer.get('model', '')} "
                  f"(IMEI {answer.get('imei', '?')}, SIM {answer.get('sim', '?')})")
    if not found:
        print("no modem answered on " + (", ".join(ports) or "any serial port"), file=sys.stderr)
        return EXIT_FAIL
    # by-id names survive re-plugging; ttyUSB numbers do not.
    best = next((f["port"] for f in found if "/by-id/" in f["port"] or "loket-modem" in f["port"]), found[0]["port"])
    print(f'\nsuggested setting: modems = "at:{best}"')
    return 0


class _Version(argparse.Action):
    """--version, looked up only when asked (not on every start of the web or the worker)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        from .update import running_version
        print(f"loket {running_version()}")
        parser.exit()


# -- the parser --------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument("--config", metavar="FILE", help="TOML settings file (default: $LOKET_CONFIG or /etc/loket/loket.toml)")
    common.add_argument("--data-dir", metavar="D", dest="data_dir", help="folder for the database and queue")
    common.add_argument("-v", "--verbose", action="store_true", help="log more")

    serving = _Parser(add_help=False)
    serving.add_argument("--host", metavar="H", help="address to listen on")
    serving.add_argument("--port", metavar="P", help="port to listen on")

    parser = _Parser(prog="loket", description="Loket: an offline SMS CRM for small shops.")
    parser.add_argument("--version", action=_Version, help="print the running release and exit")
    verbs = parser.add_subparsers(dest="verb", metavar="COMMAND", parser_class=_Parser)
    verbs.required = True

    run = verbs.add_parser("run", parents=[common, serving], help="web + worker + simulated modem, for a laptop or demo")
    run.add_argument("--demo", choices=("spa", "parts", "isp", "shop", "service", "none"), default="spa",
                     help="which demo shop to seed in an empty data dir (default spa; none: start with the "
                          "first-run wizard)")
    run.set_defaults(func=cmd_run)
    verbs.add_parser("web", parents=[common, serving], help="serve the web UI (waitress)").set_defaults(func=cmd_web)
    verbs.add_parser("worker", parents=[common], help="run the job queue and own the modems").set_defaults(func=cmd_worker)

    sim = verbs.add_parser("sim", help="be a customer of the simulated modem")
    sim_verbs = sim.add_subparsers(dest="sim_verb", metavar="ACTION", parser_class=_Parser)
    sim_verbs.required = True
    text = sim_verbs.add_parser("text", parents=[common], help="text the shop and print the replies")
    text.add_argument("number", metavar="NUMBER")
    text.add_argument("message", metavar="MESSAGE")
    text.add_argument("--wait", type=float, default=10.0, metavar="SECONDS",
                      help="how long to wait for replies (default 10)")
    text.set_defaults(func=cmd_sim_text)
    inbox = sim_verbs.add_parser("inbox", parents=[common], help="everything a phone has received")
    inbox.add_argument("number", metavar="NUMBER")
    inbox.set_defaults(func=cmd_sim_inbox)

    st = verbs.add_parser("settings", parents=[common], help="every setting with its value, default and help")
    st.add_argument("--markdown", action="store_true", help="print the settings reference page")
    st.add_argument("--json", action="store_true", help="print as JSON")
    st.set_defaults(func=cmd_settings)

    database = verbs.add_parser("db", help="database maintenance")
    db_verbs = database.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser)
    db_verbs.required = True
    db_verbs.add_parser("migrate", parents=[common], help="bring the schema up to date").set_defaults(func=cmd_db)
    db_verbs.add_parser("check", parents=[common], help="integrity and schema check").set_defaults(func=cmd_db)

    user = verbs.add_parser("user", help="staff logins")
    user_verbs = user.add_subparsers(dest="user_verb", metavar="ACTION", parser_class=_Parser)
    user_verbs.required = True
    add = user_verbs.add_parser("add", parents=[common], help="create a staff login")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", required=True, choices=("owner", "admin", "frontdesk", "technician", "viewer"))
    add.add_argument("--generate", action="store_true", help="generate the password and print it once")
    add.set_defaults(func=cmd_user_add)

    backup_cmd = verbs.add_parser("backup", parents=[common], help="an online backup of the database")
    backup_cmd.add_argument("--keep-days", type=int, default=14, metavar="N", help="days of backups to keep")
    backup_cmd.add_argument("--no-usb", action="store_true", help="do not copy to a USB stick")
    backup_cmd.set_defaults(func=cmd_backup)
    restore_cmd = verbs.add_parser("restore", parents=[common], help="replace the database with a checked backup")
    restore_cmd.add_argument("file", metavar="FILE", nargs="?")
    restore_cmd.add_argument("--pending", action="store_true", help="apply the restore staged in the web UI")
    restore_cmd.set_defaults(func=cmd_restore)

    update_cmd = verbs.add_parser("update", help="offline updates from a signed release bundle")
    update_verbs = update_cmd.add_subparsers(dest="update_verb", metavar="ACTION", parser_class=_Parser)
    update_verbs.required = True
    check = update_verbs.add_parser("check", parents=[common], help="check a bundle's signature and checksums")
    check.add_argument("file", metavar="BUNDLE")
    install = update_verbs.add_parser("install", parents=[common],
                                      help="install a bundle, switch to it, roll back if it does not come up")
    install.add_argument("file", metavar="BUNDLE")
    install.add_argument("--allow-downgrade", action="store_true", help="install an older release too")
    update_verbs.add_parser("pending", parents=[common], help="install the bundle staged in the web UI")
    scan = update_verbs.add_parser("scan", parents=[common],
                                   help="stage the newest new bundle on the USB stick for loket-update.service")
    scan.add_argument("folder", metavar="FOLDER", nargs="?", default="/media/loket-backup/loket-updates")
    update_verbs.add_parser("status", parents=[common], help="installed releases and the last update's outcome")
    update_cmd.set_defaults(func=cmd_update)

    clock_cmd = verbs.add_parser("clock", help="the box's clock: save, restore, set from the modem")
    clock_verbs = clock_cmd.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser)
    clock_verbs.required = True
    clock_verbs.add_parser("save", parents=[common], help="save the time (at shutdown)").set_defaults(func=cmd_clock)
    clock_verbs.add_parser("restore", parents=[common], help="move the clock forward to the saved time (at boot)"
                           ).set_defaults(func=cmd_clock)
    clock_verbs.add_parser("sync", parents=[common], help="set the clock from the modem's network time and trust it"
                           ).set_defaults(func=cmd_clock)
    verbs.add_parser("firstboot", parents=[common], help="first boot: device secret and the setup code"
                     ).set_defaults(func=cmd_firstboot)

    grow = verbs.add_parser("grow-root", help="grow the root partition to fill the SD card (the appliance, at boot)")
    grow.add_argument("--dry-run", action="store_true", help="say what would grow, change nothing")
    grow.set_defaults(func=cmd_grow_root)
    demo_cmd = verbs.add_parser("demo", parents=[common], help="fill a data dir with a big shop, for scale tests")
    demo_cmd.add_argument("--customers", type=int, default=1000, metavar="N")
    demo_cmd.add_argument("--messages", type=int, default=10000, metavar="M")
    demo_cmd.add_argument("--seed", type=int, default=7)
    demo_cmd.set_defaults(func=cmd_demo)

    pdu_cmd = verbs.add_parser("pdu", help="decode and encode SMS PDUs (for technicians)")
    pdu_verbs = pdu_cmd.add_subparsers(dest="pdu_verb", metavar="ACTION", parser_class=_Parser)
    pdu_verbs.required = True
    decode = pdu_verbs.add_parser("decode", help="PDU hex (arguments, or one per line on stdin) -> JSON lines")
    decode.add_argument("pdu", nargs="*", metavar="PDU")
    decode.set_defaults(func=cmd_pdu_decode)
    pdu_verbs.add_parser("encode", help="JSON lines on stdin ({number, text, smsc?, class?, status_report?}) "
                                        "-> PDU hex per part").set_defaults(func=cmd_pdu_encode)

    modem = verbs.add_parser("modem", help="modems: the simulator, detection, status")
    modem_verbs = modem.add_subparsers(dest="modem_verb", metavar="ACTION", parser_class=_Parser)
    modem_verbs.required = True
    msim = modem_verbs.add_parser("sim", parents=[common], help="a simulated GSM modem on a pty")
    msim.add_argument("--link", metavar="PATH", help="make a symlink to the pty at PATH")
    msim.add_argument("--network", metavar="DIR", help="the simulated network's folder (default: DATA_DIR/sim)")
    msim.add_argument("--profile", choices=("instant", "realistic"), default="instant")
    msim.add_argument("--identity", choices=("quectel-ec25", "huawei-e3372", "huawei-e173", "sim800"),
                      default="quectel-ec25")
    msim.add_argument("--pin", metavar="PIN", help="the simulated SIM asks for this PIN")
    msim.set_defaults(func=cmd_modem_sim)
    mstatus = modem_verbs.add_parser("status", parents=[common], help="each modem's health, as the worker sees it")
    mstatus.add_argument("--port", metavar="PORT", help="probe this serial port directly instead")
    mstatus.set_defaults(func=cmd_modem_status)
    detect = modem_verbs.add_parser("detect", parents=[common], help="find modems on the serial ports")
    detect.add_argument("--timeout", type=float, default=1.0, metavar="SECONDS")
    detect.set_defaults(func=cmd_modem_detect)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return args.func(args) or 0
    except CLIError as exc:
        print(f"loket: {exc}", file=sys.stderr)
        return exc.code
    except SettingsError as exc:
        print(f"loket: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        import peewee
        if isinstance(exc, peewee.DatabaseError):
            print(f"loket: database error: {exc} (try `loket db check`, or restore a backup)", file=sys.stderr)
            return EXIT_FAIL
        raise


if __name__ == "__main__":
    sys.exit(main())
