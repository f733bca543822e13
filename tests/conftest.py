"""Shared fixtures: real SQLite files, real processes, real HTTP.

`shop` is a migrated database in a temporary data dir. `loket` starts the
real `loket run` (web + worker + simulated modem) on a free port and hands
back a small client that speaks HTTP to it and texts it through `loket sim`.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time

import pytest

from support import LOKET, RunningLoket, free_port


@pytest.fixture
def settings(tmp_path):
    from appliance import settings as settings_module
    return settings_module.load(env={}, overrides={"data_dir": str(tmp_path / "data")})


@pytest.fixture
def shop(settings):
    """A migrated CRM database on disk, bound for this test."""
    from appliance import db, migrations
    database = db.connect(settings.db_url)
    migrations.migrate(database)
    yield database
    database.close()


@pytest.fixture
def loket(tmp_path):
    data_dir = tmp_path / "var"
    port = free_port()
    env = {**os.environ, "LOKET_MODEM_POLL_SECONDS": "0.1", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(LOKET + ["run", "--data-dir", str(data_dir), "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                               start_new_session=True)
    output: list[str] = []
    # A thread drains the output so the process never blocks on a full pipe.
    reader = threading.Thread(target=lambda: output.extend(iter(process.stdout.readline, "")), daemon=True)
    reader.start()
    url = user = password = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (url and user) and process.poll() is None:
        text = "".join(output)
        if m := re.search(r"Loket is running: (\S+)", text):
            url = m.group(1)
        if m := re.search(r"Log in as (\S+) with password (\S+)", text):
            user, password = m.groups()
        time.sleep(0.05)
    if not (url and user):
        process.kill()
        pytest.fail("loket run did not start:\n" + "".join(output))
    running = RunningLoket(process, url, data_dir, user, password, output)
    yield running
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(40)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
