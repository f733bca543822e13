"""The verbs the appliance's systemd units run: readiness and watchdog over
NOTIFY_SOCKET, first boot, the clock."""

import os
import socket
import stat
import subprocess
import time

from support import LOKET, free_port, loket_cli


def test_web_tells_systemd_it_is_ready_and_feeds_the_watchdog(tmp_path):
    address = str(tmp_path / "notify.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(address)
    listener.settimeout(20)
    env = {**os.environ, "NOTIFY_SOCKET": address, "WATCHDOG_USEC": "400000", "LOKET_DATA_DIR": str(tmp_path)}
    web = subprocess.Popen(LOKET + ["web", "--port", str(free_port())], env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    try:
        seen = set()
        deadline = time.monotonic() + 20
        while not {"READY=1", "WATCHDOG=1"} <= seen and time.monotonic() < deadline:
            seen.update(listener.recv(4096).decode().splitlines())
        assert "READY=1" in seen and "WATCHDOG=1" in seen
    finally:
        web.terminate()
        web.wait(20)
        listener.close()


def test_firstboot_makes_the_secret_and_prints_the_setup_code(tmp_path):
    result = loket_cli("firstboot", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    code = (tmp_path / "setup-code.txt").read_text().strip()
    assert f"setup code {code}" in result.stdout and "loket.local" in result.stdout
    secret = tmp_path / "secret.key"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600 and len(secret.read_text().strip()) == 64
    assert (tmp_path / ".firstboot-done").exists()
    again = loket_cli("firstboot", data_dir=tmp_path)
    assert code in again.stdout and (tmp_path / "secret.key").read_text() == secret.read_text()  # kept


def test_clock_save_and_restore_never_move_the_clock_back(tmp_path):
    saved = loket_cli("clock", "save", data_dir=tmp_path)
    assert saved.returncode == 0 and saved.stdout.startswith("saved ")
    restored = loket_cli("clock", "restore", data_dir=tmp_path)
    assert restored.returncode == 0 and "left as it is" in restored.stdout  # the clock is ahead of the file


def test_clock_sync_without_a_modem_says_so(tmp_path):
    result = loket_cli("clock", "sync", data_dir=tmp_path)
    assert result.returncode != 0 and "no network time" in result.stderr
