"""`loket run` keeps its web and worker processes alive, and takes them with
it when it dies: a `kill -9` of the run leaves no orphan holding the port,
and a worker killed on its own is started again."""

from __future__ import annotations

import os
import signal
import socket
import time
from pathlib import Path

from conftest import launch_loket


def children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def command_of(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def wait_until(condition, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_kill_9_of_loket_run_takes_web_and_worker_with_it(tmp_path):
    with launch_loket(tmp_path / "var") as loket:
        run = loket.process.pid
        children = children_of(run)
        assert len(children) == 2, children
        port = int(loket.url.rsplit(":", 1)[1].strip("/"))
        os.kill(run, signal.SIGKILL)
        assert wait_until(lambda: not any(alive(pid) for pid in children)), "an orphan outlived loket run"
        with socket.socket() as probe:  # the port is free for the next `loket run`
            probe.bind(("127.0.0.1", port))


def test_a_worker_killed_on_its_own_is_started_again(tmp_path):
    with launch_loket(tmp_path / "var") as loket:
        run = loket.process.pid
        [worker] = [pid for pid in children_of(run) if command_of(pid).endswith(" worker ")
                    or command_of(pid).rstrip().endswith("worker")]
        os.kill(worker, signal.SIGKILL)
        assert wait_until(lambda: [pid for pid in children_of(run) if pid != worker
                                   and command_of(pid).rstrip().endswith("worker")]), "no new worker"
        assert loket.process.poll() is None, "loket run stopped with its worker"
        result = loket.text("+6281234567890", "BANTUAN", wait=20)
        assert result.returncode == 0 and result.stdout.strip()
