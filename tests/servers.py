"""Real PostgreSQL and Redis servers for the scale-out tests, started here.

Each runs from Debian's packages on a free loopback port in a temporary
folder, and is stopped when the test session ends. As root, PostgreSQL
runs as the `postgres` user (initdb refuses root).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from support import free_port


class ServerMissing(RuntimeError):
    pass


def _postgres_bin() -> Path:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not versions:
        raise ServerMissing("PostgreSQL is not installed (./dev test installs Debian's postgresql)")
    return versions[-1].parent


def _as_postgres(command: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--"] + command
    return command


def _wait_port(port: int, process: subprocess.Popen | None = None, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            if process is not None and process.poll() is not None:
                raise RuntimeError("the server exited at start")
            time.sleep(0.05)
    raise RuntimeError(f"nothing answered on port {port}")


@contextlib.contextmanager
def postgres():
    """Yields a URL to a fresh database `loket` owned by user `loket`."""
    binaries = _postgres_bin()
    # Not under pytest's temporary folders: those are private to root, and
    # the server runs as `postgres`.
    folder = Path(tempfile.mkdtemp(prefix="loket-pg-"))
    data = folder / "pgdata"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    port = free_port()
    subprocess.run(_as_postgres([str(binaries / "initdb"), "-D", str(data), "-U", "loket", "-A", "trust",
                                 "--no-sync", "-E", "UTF8"]), check=True, capture_output=True)
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
    subprocess.run(_as_postgres([str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l",
                                 str(folder / "log"), "-w", "start"]), check=True, capture_output=True)
    try:
        subprocess.run(_as_postgres([str(binaries / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "loket",
                                     "loket"]), check=True, capture_output=True)
        yield f"postgresql://loket@127.0.0.1:{port}/loket"
    finally:
        subprocess.run(_as_postgres([str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                       capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def redis(folder: Path):
    """Yields a URL to a fresh Redis database."""
    server = shutil.which("redis-server")
    if not server:
        raise ServerMissing("Redis is not installed (./dev test installs Debian's redis-server)")
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    process = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(folder)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_port(port, process)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)


@contextlib.contextmanager
def mariadb():
    """Yields a URL (mysql://root@127.0.0.1:PORT/) to a fresh MariaDB server:
    its own datadir and socket in a temporary folder, no grant tables (any
    user may do anything: a test server on loopback only)."""
    install, server = shutil.which("mariadb-install-db"), shutil.which("mariadbd") or "/usr/sbin/mariadbd"
    if not install or not Path(server).exists():
        raise ServerMissing("MariaDB is not installed (./dev test installs Debian's mariadb-server)")
    folder = Path(tempfile.mkdtemp(prefix="loket-mariadb-"))
    user = ["--user=root"] if os.geteuid() == 0 else []
    subprocess.run([install, "--no-defaults", f"--datadir={folder / 'data'}", "--skip-test-db",
                    "--auth-root-authentication-method=normal", *user], check=True, capture_output=True)
    port = free_port()
    with (folder / "log").open("wb") as log:
        process = subprocess.Popen([server, "--no-defaults", f"--datadir={folder / 'data'}", f"--port={port}",
                                    "--bind-address=127.0.0.1", f"--socket={folder / 'sock'}",
                                    f"--pid-file={folder / 'pid'}", "--skip-grant-tables", "--skip-log-bin",
                                    "--innodb-flush-log-at-trx-commit=0", "--innodb-buffer-pool-size=32M", *user],
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_port(port, process)
        yield f"mysql://root@127.0.0.1:{port}/"
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(folder, ignore_errors=True)
