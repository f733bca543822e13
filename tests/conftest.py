"""Shared fixtures: real SQLite files, real processes, real HTTP.

`shop` is a migrated database in a temporary data dir. `loket` starts the
real `loket run` (web + worker + simulated modem) on a free port and hands
back a small client that speaks HTTP to it and texts it through `loket sim`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import signal
import subprocess
import threading
import time
import zoneinfo
from pathlib import Path

import pytest

import servers
from appliance import services, sms
from appliance.modem import pdu

sms.configure(pdu.plan)  # as the CLI does: the core counts SMS parts with the modem layer's codec
services.load()  # as every process does: every keyword, handler, template and job registered
from support import LOKET, RunningLoket, free_port


# Many modules make "today" in a shop (a booking at the start of the day, a
# number in today's queue, texts written today) and read it back seconds or a
# minute later; none may straddle the shop's midnight. The day's change has
# its own tests, with their clocks set. So no module starts in the last minutes
# of the shop's day: the run waits them out (once a run at most).
SHOP_ZONE, MIDNIGHT_MARGIN = zoneinfo.ZoneInfo("Asia/Jakarta"), dt.timedelta(minutes=4)


@pytest.fixture(scope="module", autouse=True)
def clear_of_the_shops_midnight():
    now = dt.datetime.now(SHOP_ZONE)
    midnight = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(), tzinfo=SHOP_ZONE)
    if midnight - now < MIDNIGHT_MARGIN:
        time.sleep((midnight - now).total_seconds() + 1)


@pytest.fixture
def settings(tmp_path):
    from appliance import settings as settings_module
    return settings_module.load(env={}, overrides={"data_dir": str(tmp_path / "data")})


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory):
    with servers.postgres() as url:
        yield url


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    with servers.redis(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def shop(request, settings):
    """A migrated CRM database, bound for this test. Every test that uses it
    runs twice: on an SQLite file and on the real PostgreSQL server."""
    from appliance import db, migrations, shopdata
    from appliance.models import MODELS
    shopdata.invalidate()  # the cache belongs to the previous test's database
    shopdata.use(None)  # and so do the settings a previous test's web app wired in
    if request.param == "postgres":
        database = db.connect(request.getfixturevalue("postgres_url"))
        database.drop_tables(MODELS, cascade=True)
    else:
        database = db.connect(settings.db_url)
    migrations.migrate(database)
    yield database
    shopdata.use(None)
    database.close()


@pytest.fixture
def loket(tmp_path):
    """The real `loket run` with a fresh data dir: web, worker, simulated modem."""
    with launch_loket(tmp_path / "var") as running:
        yield running


@contextlib.contextmanager
def launch_loket(data_dir, env=None, args=()):
    port = free_port()
    extra = {"LOKET_MODEM_POLL_SECONDS": "0.1", "LOKET_RATE_PER_MINUTE": "0", **(env or {})}
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **extra}
    process = subprocess.Popen(LOKET + ["run", "--data-dir", str(data_dir), "--port", str(port), *args],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                               start_new_session=True)
    output: list[str] = []
    # A thread drains the output so the process never blocks on a full pipe.
    reader = threading.Thread(target=lambda: output.extend(iter(process.stdout.readline, "")), daemon=True)
    reader.start()
    url = user = password = None
    deadline = time.monotonic() + 60
    needs_login = "none" not in args  # `--demo none` prints no login: the shop has no owner yet
    while time.monotonic() < deadline and not (url and (user or not needs_login)) and process.poll() is None:
        text = "".join(output)
        if m := re.search(r"Loket is running: (\S+)", text):
            url = m.group(1)
        if m := re.search(r"Log in as (\S+) with password (\S+)", text):
            user, password = m.groups()
        time.sleep(0.05)
    try:
        if not (url and (user or not needs_login)):
            pytest.fail("loket run did not start:\n" + "".join(output))
        yield RunningLoket(process, url, Path(data_dir), user, password, output, extra)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(40)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


# -- a real browser: Debian's chromium driven by Playwright (never a downloaded one) --------------
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage"]


@pytest.fixture(scope="module")
def browser():
    import shutil
    playwright = pytest.importorskip("playwright.sync_api")
    if not shutil.which("chromium"):
        pytest.fail("Debian's chromium is not installed (./dev test installs it)")
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=shutil.which("chromium") or CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()
