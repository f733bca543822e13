"""The wiring: settings -> database -> job queue -> modems -> worker, and
settings -> database -> job queue -> web app. The command line is the
composition root, and this is the only module that puts the pieces
together; the verbs in serving.py, admin.py and devtools.py use it.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from .. import settings as settings_module
from .errors import CLIError


def load_settings(args, *, resident: bool = False) -> settings_module.Settings:
    """`resident`: for the processes that run for months (web, worker,
    webhooks, `loket run`), which load no database client they do not use."""
    overrides = {name: getattr(args, name, None) for name in ("data_dir", "host", "port")}
    settings = settings_module.load(getattr(args, "config", None), overrides=overrides)
    if resident:
        _skip_unused_clients(settings)
    return settings


def _skip_unused_clients(settings) -> None:
    """peewee imports the PostgreSQL and MySQL clients, and huey the Redis
    one, whenever they are installed (the image has PyMySQL for `loket import
    smsd`, a scale-out install the others); each costs a long-running process
    7-15 MB. Where the settings use none, none is loaded. Only the resident
    processes do without: a one-off command such as `loket import smsd
    mysql://…` or `postgresql://…` needs its client whatever the shop uses."""
    skipped = ["pymysql", "MySQLdb"]  # Loket keeps nothing in MySQL: only the import reads it
    if not settings.db_url.startswith("postgres"):
        skipped += ["psycopg2", "psycopg"]
    if not settings.huey_url.startswith("redis"):
        skipped.append("redis")
    for name in skipped:
        sys.modules.setdefault(name, None)  # `import name` now raises ImportError, as if not installed


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
    from .. import db, migrations
    try:
        database = db.connect(settings.db_url, synchronous=settings.sqlite_synchronous)
        done = migrations.migrate(database) if migrate else []
        for line in done:
            logging.getLogger("loket").info("database: %s", line)
    except db.DatabaseError as exc:
        raise CLIError(str(exc)) from None
    except RuntimeError as exc:
        raise CLIError(str(exc)) from None
    from .. import shopdata
    shopdata.use(settings)  # the shop's preferences: the owner's values over these settings
    from .. import events
    events.use(settings.data_path)  # the stamp that tells every process the webhooks changed
    # An upgraded shop's past, counted per day for the reports (again when a step added numbers).
    recount = tuple(f"migrated to {step.version}:" for step in migrations.STEPS
                    if step.recount or "daily_count" in step.creates)
    if any(line.startswith(recount) for line in done):
        from .. import daily
        days = daily.backfill(shopdata.live(settings).tz)
        logging.getLogger("loket").info("database: counted %d past days for the reports", days)
    return database


def open_tasks(settings):
    from ..queue.tasks import QueueConfigError, Tasks, make_huey
    try:
        return Tasks(make_huey(settings.huey_url))
    except (QueueConfigError, OSError) as exc:
        raise CLIError(f"cannot open the job queue {settings.huey_url}: {exc}") from None


def region_key(settings):
    from ..phone import sender_key
    return lambda sender: sender_key(sender, settings.default_region)


def _configure_core() -> None:
    """Plug the modem layer's SMS arithmetic into the core (see appliance/sms.py)."""
    from .. import sms
    from ..modem import pdu
    sms.configure(pdu.plan)


def load_services() -> None:
    """The one spot where a process loads the shop's services: every keyword,
    handler, reply template and periodic job is registered. The web app and
    the worker are built only after it."""
    from .. import services
    services.load()


def build_worker(settings):
    from ..modem.drivers import DriverSpecError, modem_names, open_driver, slug
    from ..modem.owner import ModemThread
    from ..modem.watchdog import Watchdog, usb_power_cycle
    from ..queue.worker import Worker
    from ..conversation import Shop
    from ..responder import Responder

    _configure_core()
    load_services()
    from .. import shopdata
    modems = []
    for name in modem_names(settings.modems):
        try:
            driver = open_driver(name, sim_root=settings.sim_path, state_dir=settings.data_path / "modems",
                                 pin=shopdata.live(settings).sim_pin)
        except DriverSpecError as exc:
            raise CLIError(f"setting modems: {exc}") from None
        port = getattr(driver, "port", "")
        watchdog = Watchdog(driver, name=slug(name), power_cycle=usb_power_cycle(port) if port.startswith("/dev/") else None)
        modems.append(ModemThread(slug(name), driver, poll_seconds=settings.modem_poll_seconds,
                                  status_seconds=settings.modem_check_seconds, watchdog=watchdog))
    import datetime as dt

    from .. import clock, policy
    responder = Responder(Shop.from_settings(settings))
    data = settings.data_path
    worker = Worker(tasks=open_tasks(settings), modems=modems, responder=responder,
                  region_key=region_key(settings), status_dir=data / "status",
                  rules=policy.Rules.from_settings(settings), rate_per_minute=settings.rate_per_minute,
                  reassembly=dt.timedelta(minutes=settings.reassembly_minutes),
                  clock_trusted=lambda: clock.clock_trusted(settings.clock, data),
                  worker_name=settings.worker_name or None, threads=settings.worker_threads)
    # Quiet hours, caps, the shop's name: the owner may change them in the UI while the worker runs.
    from .. import shopdata
    worker.live_rules = lambda: policy.Rules.from_settings(shopdata.live(settings))
    if settings.clock == "appliance":
        # No clock battery: the modem's network time sets the clock, at start and on every reconnect.
        from ..box import timekeeping
        worker.on_network_time = lambda moment: timekeeping.sync_from_modem(
            moment, data, set_clock=timekeeping.can_set_clock())
    responder.live_shop = lambda: Shop.from_settings(shopdata.live(settings))
    return worker


def build_web_app(settings):
    _configure_core()
    load_services()
    from ..webui.app import create_app
    return create_app(settings, open_tasks(settings))


def sqlite_file(settings) -> Path | None:
    """The embedded SQLite database's file; None when the CRM is in PostgreSQL."""
    if settings.database_url and not settings.database_url.startswith("sqlite"):
        return None
    return Path(settings.db_url.split("sqlite:///", 1)[1])


def sqlite_path(settings) -> Path:
    path = sqlite_file(settings)
    if path is None:
        raise CLIError("backups here are of the embedded SQLite database; back PostgreSQL up with pg_dump")
    return path
