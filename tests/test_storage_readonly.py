"""A data dir that stops taking writes (an SD card remounted read-only, a
wrong mode, a full disk): the worker says so, waits quietly with the texts
left on the modem, and answers them once the disk takes writes again.

The files are made unwritable for real. As root (this suite's usual user) a
file mode does not stop a write, so the immutable flag does (`chattr +i`:
it refuses writes even through descriptors already open, as a read-only
remount does, and new SQLite connections open read-only, as they did in the
field); as another user, a mode without write permission does.
"""

from __future__ import annotations

import os
import subprocess
import time

import pytest

from appliance.modem.network import SimNetwork
from appliance.queue.storage import StorageHealth, is_storage_error, writable
from support import LOKET, loket_cli

ASKS_FIRST = "+6281234500101"
WAITS = "+6281234500102"


def _take_no_writes(paths, on: bool) -> None:
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i" if on else "-i", *map(str, paths)], check=True, capture_output=True)
    else:
        for path in paths:
            mode = path.stat().st_mode
            os.chmod(path, mode & ~0o222 if on else mode | 0o200)


def _reply(network: SimNetwork, phone: str, seen: int, wait: float) -> list[dict]:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        received = network.received(phone)
        if len(received) > seen:
            return received[seen:]
        time.sleep(0.1)
    return []


def _chattr_works(folder) -> bool:
    if os.geteuid() != 0:
        return True
    probe = folder / "chattr-probe"
    probe.write_text("x")
    try:
        return subprocess.run(["chattr", "+i", str(probe)], capture_output=True).returncode == 0
    finally:
        subprocess.run(["chattr", "-i", str(probe)], capture_output=True)
        probe.unlink()


def test_the_worker_waits_out_a_read_only_data_dir_and_then_answers(loket):
    data = loket.data_dir
    if not _chattr_works(data):
        pytest.skip("this file system has no immutable flag (chattr +i)")
    network = SimNetwork(data / "sim")
    network.text_shop(ASKS_FIRST, "POIN")
    assert _reply(network, ASKS_FIRST, 0, 20), "the shop answers before anything goes wrong"
    # The database, its WAL, the task queue: all that the worker writes in the data dir.
    locked = [data] + sorted(p for p in data.iterdir() if p.name.startswith(("loket.db", "queue.db")))
    _take_no_writes(locked, True)
    try:
        logged = len(loket.output)
        network.text_shop(WAITS, "POIN")
        time.sleep(8)
        assert network.received(WAITS) == [], "nothing can be stored, so nothing is answered yet"
        status = loket_cli("modem", "status", data_dir=data)
        assert status.returncode != 0 and "NOT OK" in status.stdout and "takes no writes" in status.stdout, "".join(loket.output[logged:])[-6000:]
        # Said once (and a traceback where the text could not be stored), not every second.
        said = [line for line in loket.output[logged:] if "ERROR" in line or "WARNING" in line]
        assert 1 <= len(said) <= 4, "".join(said)
    finally:
        _take_no_writes(locked, False)
    answered = _reply(network, WAITS, 0, 30)
    assert answered and "poin" in answered[0]["text"].lower(), "the waiting text is answered once it can be"
    deadline = time.monotonic() + 15
    while loket_cli("modem", "status", data_dir=data).returncode != 0 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert loket_cli("modem", "status", data_dir=data).returncode == 0, "and the status is ok again"
    assert any("takes writes again" in line for line in loket.output)


def test_a_worker_started_while_the_data_dir_takes_no_writes_waits_for_it(tmp_path):
    """What follows a worker lost to the disk (SQLite's shared memory is a
    mapped file: writing it on a read-only disk can end the process with
    SIGBUS): the worker started again by systemd or `loket run` waits for
    the disk instead of failing every few seconds, and says so."""
    if not _chattr_works(tmp_path):
        pytest.skip("this file system has no immutable flag (chattr +i)")
    data = tmp_path / "var"
    made = loket_cli("user", "add", "pemilik", "--role", "owner", "--generate", data_dir=data)
    assert made.returncode == 0, made.stderr  # a box that has run: its database is there
    (data / "status").mkdir(exist_ok=True)
    _take_no_writes([data], True)
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "LOKET_MODEMS": "sim"}
    worker = subprocess.Popen(LOKET + ["worker", "--data-dir", str(data)], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, env=env)
    try:
        time.sleep(4)
        assert worker.poll() is None, worker.stdout.read()
        status = loket_cli("modem", "status", data_dir=data)
        assert status.returncode != 0 and "NOT OK" in status.stdout and "takes no writes" in status.stdout
    finally:
        _take_no_writes([data], False)
    deadline = time.monotonic() + 30
    while loket_cli("modem", "status", data_dir=data).returncode != 0 and time.monotonic() < deadline:
        time.sleep(0.5)
    worker.terminate()
    output = worker.communicate(timeout=40)[0]
    assert output.count("waiting for it") == 1, output  # said once, not every few seconds
    assert "takes writes again: the worker starts" in output, output


def test_storage_health_says_it_once_and_lets_the_watchdog_restart_after_a_while():
    now = [1000.0]
    health = StorageHealth(clock=lambda: now[0])
    readonly = Exception("attempt to write a readonly database")
    assert not is_storage_error(readonly), "only database and file errors count"
    import sqlite3
    for message in ("attempt to write a readonly database", "database or disk is full", "disk I/O error"):
        assert is_storage_error(sqlite3.OperationalError(message))
    assert not is_storage_error(sqlite3.OperationalError("no such table: customer"))
    assert health.failed(sqlite3.OperationalError("disk I/O error"), "test") is True
    assert health.failed(sqlite3.OperationalError("disk I/O error"), "test") is False
    assert not health.ok and health.alive()
    now[0] += health.GRACE + 1
    assert not health.alive(), "down for long: systemd's watchdog is no longer fed"
    assert health.recovered() and health.ok and health.alive() and health.generation == 1
    assert not health.recovered()


def test_the_write_probe_sees_a_folder_that_takes_no_writes(tmp_path):
    database = tmp_path / "loket.db"
    database.write_bytes(b"x")
    assert writable([database], tmp_path)
    _take_no_writes([tmp_path, database], True)
    try:
        assert not writable([database], tmp_path)
    finally:
        _take_no_writes([tmp_path, database], False)
    assert writable([database], tmp_path) and not (tmp_path / ".write-probe").exists()


def test_the_web_takes_writes_again_once_the_data_dir_does(tmp_path):
    # A page served while the disk took no writes opened its connection read-only; it stayed so for good.
    from appliance import auth, db, migrations, settings as settings_module
    from support import Browserless, start_web
    data = tmp_path / "data"
    database = db.connect(settings_module.load(env={}, overrides={"data_dir": str(data)}).db_url)
    migrations.migrate(database)
    auth.create_user("owner", "kopi susu manis", "owner")
    database.close()
    if not _chattr_works(data):
        pytest.skip("this file system has no immutable flag (chattr +i)")
    with start_web(data) as url:
        locked = [data] + sorted(p for p in data.iterdir() if p.name.startswith("loket.db"))
        _take_no_writes(locked, True)
        try:
            for _ in range(8):  # every server thread reads (and opens its connection) now
                assert Browserless(url).get("/login")[0] == 200
            assert Browserless(url).login("owner", "kopi susu manis") >= 500, "a login writes its session"
        finally:
            _take_no_writes(locked, False)
        tries = [Browserless(url).login("owner", "kopi susu manis") for _ in range(8)]
        assert tries[-1] < 400 and tries[-3:] == [tries[-1]] * 3, tries
