"""The worker without a working modem, as systemd runs it on the appliance.

The unit is Type=notify with WatchdogSec: systemd restarts the worker when
READY=1 does not come in time or a WATCHDOG=1 ping is late. A box whose
modem is unplugged, dead, or a USB serial adapter with nothing behind it
(the port opens, AT commands time out) must keep its worker up: ready at
once, pinging all along while the modem thread waits on the port, and
saying in `loket modem status` that the modem does not answer.

Real parts only: the real `loket worker` process, a real pty nobody answers
(a UART with nothing on it: what is written goes nowhere, nothing comes
back), and a real datagram socket in place of systemd's notify socket.
"""

from __future__ import annotations

import os
import pty
import signal
import socket
import subprocess
import threading
import time
import tty

import pytest

from support import LOKET, loket_cli

WATCHDOG_SECONDS = 4.0  # pings every 2 s; systemd would kill after 4 s without one


class SilentLine:
    """A serial line with nothing on its far end: reads and drops every byte."""

    def __init__(self):
        self.master, slave = pty.openpty()
        tty.setraw(slave)
        self.path = os.ttyname(slave)
        os.close(slave)
        self.received = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()

    def _drain(self):
        while not self._stop.is_set():
            try:
                self.received += len(os.read(self.master, 4096))
            except OSError:  # EIO while no one has the port open
                time.sleep(0.05)

    def close(self):
        self._stop.set()
        os.close(self.master)


class Notify:
    """systemd's side of sd_notify: a datagram socket that logs each message with its time."""

    def __init__(self, path):
        self.path = str(path)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(0.2)
        self.messages: list[tuple[float, str]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._listen, daemon=True)
        self._thread.start()

    def _listen(self):
        while not self._stop.is_set():
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            self.messages.append((time.monotonic(), data.decode()))

    def times(self, prefix: str) -> list[float]:
        return [at for at, text in self.messages if any(line.startswith(prefix) for line in text.splitlines())]

    def close(self):
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture
def silent_line():
    line = SilentLine()
    yield line
    line.close()


def test_worker_stays_up_and_fed_without_an_answering_modem(tmp_path, silent_line):
    notify = Notify(tmp_path / "notify.sock")
    data = tmp_path / "var"
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "LOKET_DATA_DIR": str(data),
           "LOKET_MODEMS": f"at:{silent_line.path}", "LOKET_CLOCK": "appliance",
           # A health check every 2 s: the watchdog's ladder (reinit, reopen, report) runs within the test.
           "LOKET_MODEM_CHECK_SECONDS": "2", "LOKET_MODEM_POLL_SECONDS": "0.2",
           "NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": str(int(WATCHDOG_SECONDS * 1_000_000))}
    env.pop("WATCHDOG_PID", None)
    output: list[str] = []
    started = time.monotonic()
    process = subprocess.Popen(LOKET + ["worker"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)
    reader = threading.Thread(target=lambda: output.extend(iter(process.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        # Ready without waiting for the modem (TimeoutStartSec would otherwise restart it).
        deadline = time.monotonic() + 30
        while not notify.times("READY=1") and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        assert notify.times("READY=1"), "no READY=1:\n" + "".join(output)
        ready = notify.times("READY=1")[0]

        # Long enough for several failed opens (6 s each: three unanswered ATs) and health checks.
        watch_until = ready + 26
        while time.monotonic() < watch_until:
            assert process.poll() is None, f"the worker exited ({process.returncode}):\n" + "".join(output)
            time.sleep(0.2)
        pings = [ready] + [at for at in notify.times("WATCHDOG=1") if at >= ready] + [time.monotonic()]
        gaps = [b - a for a, b in zip(pings, pings[1:])]
        assert max(gaps) < WATCHDOG_SECONDS, (
            f"systemd's watchdog would have killed the worker: {max(gaps):.1f} s without WATCHDOG=1 "
            f"(gaps {[round(g, 1) for g in gaps]}):\n" + "".join(output))
        assert silent_line.received, "the worker never tried the port"

        # The modem is reported as not answering, where the staff and `loket modem status` look.
        status = loket_cli("modem", "status", data_dir=data, env={"LOKET_MODEMS": f"at:{silent_line.path}"})
        assert status.returncode != 0, status.stdout + status.stderr
        assert "NOT OK" in status.stdout, status.stdout + status.stderr
        assert "does not answer AT" in status.stdout, status.stdout

        # Said once, not at every retry (the journal sits on an SD card).
        log = "".join(output)
        assert log.count("cannot open") <= 1, log
        assert "Traceback" not in log, log
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)  # systemd's stop (KillMode=mixed: the main process)
        try:
            code = process.wait(40)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise
        reader.join(5)
        notify.close()
    # A graceful stop while the modem thread waits on the dead port: clean exit, STOPPING=1 said.
    assert code == 0, "".join(output)
    assert notify.times("STOPPING=1"), notify.messages
    assert time.monotonic() - started < 120
