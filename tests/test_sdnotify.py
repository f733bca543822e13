"""sdnotify over a real datagram socket, path and abstract namespace."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid

import pytest

from appliance.box import sdnotify


@pytest.fixture
def listener(tmp_path, monkeypatch):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    path = tmp_path / "notify.sock"
    sock.bind(str(path))
    sock.settimeout(2)
    monkeypatch.setenv("NOTIFY_SOCKET", str(path))
    yield sock
    sock.close()


def test_ready_watchdog_stopping_arrive(listener):
    assert sdnotify.ready()
    assert listener.recv(4096) == b"READY=1"
    assert sdnotify.watchdog_ping()
    assert listener.recv(4096) == b"WATCHDOG=1"
    assert sdnotify.stopping("finishing sends")
    assert listener.recv(4096) == b"STOPPING=1\nSTATUS=finishing sends"
    assert sdnotify.status("3 queued")
    assert listener.recv(4096) == b"STATUS=3 queued"


def test_abstract_namespace(monkeypatch):
    name = f"loket-test-{uuid.uuid4().hex}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(b"\0" + name.encode())
        sock.settimeout(2)
        monkeypatch.setenv("NOTIFY_SOCKET", "@" + name)
        assert sdnotify.notify("READY=1")
        assert sock.recv(4096) == b"READY=1"


def test_from_a_child_process(listener):
    # As under systemd: the service process inherits the variable.
    code = "from appliance.box import sdnotify; raise SystemExit(0 if sdnotify.ready('up') else 1)"
    subprocess.run([sys.executable, "-c", code], check=True, env=dict(os.environ))
    assert listener.recv(4096) == b"READY=1\nSTATUS=up"


def test_outside_systemd_is_a_quiet_no(monkeypatch, tmp_path):
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert sdnotify.ready() is False
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "gone.sock"))  # no listener: no exception
    assert sdnotify.watchdog_ping() is False
    monkeypatch.setenv("NOTIFY_SOCKET", "vsock:2:1234")
    assert sdnotify.notify("READY=1") is False
    monkeypatch.setenv("NOTIFY_SOCKET", "")
    assert sdnotify.notify("READY=1") is False


@pytest.mark.parametrize("usec,pid,expected", [
    ("30000000", None, 30.0),
    ("30000000", "self", 30.0),
    ("30000000", "1", None),           # another process's watchdog
    ("0", None, None),
    ("", None, None),
    ("abc", None, None),
    ("5000000", "x", None),
])
def test_watchdog_interval(monkeypatch, usec, pid, expected):
    monkeypatch.setenv("WATCHDOG_USEC", usec)
    if pid is None:
        monkeypatch.delenv("WATCHDOG_PID", raising=False)
    else:
        monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()) if pid == "self" else pid)
    assert sdnotify.watchdog_interval() == expected


def test_no_watchdog_variable(monkeypatch):
    monkeypatch.delenv("WATCHDOG_USEC", raising=False)
    assert sdnotify.watchdog_interval() is None
