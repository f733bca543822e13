"""Offline updates on the box: a checked release bundle (appliance/box/bundle.py)
installed beside the running release, switched in, health-checked, and
rolled back when it does not come up.

On the box (`release_dir`, /opt/loket):

    releases/<version>/   one self-contained venv per installed release
    venv -> releases/<v>  the running release; the units start venv/bin/loket
    previous -> releases/<v>  the one to go back to

Each release's scripts name their own interpreter path
(releases/<v>/bin/python), so a running process keeps its own files while
the symlink moves; the symlink only decides what the next start runs.

`apply()` is the whole update, in an order chosen so that nothing is lost:
verify, install beside, stop the services, back the database up (stopped:
nothing arrives between the backup and the switch), switch the symlink
atomically, start, and watch the services come up healthy. If they do not,
switch back, restore the backup when the new release had migrated the
schema (the old release refuses a newer schema; the migrated database is
kept aside, never deleted), start again, and say so. The outcome is kept in
DATA_DIR/update-status.json for the web UI and printed for the journal.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import fcntl
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable, Protocol

from .bundle import (VERSION_RE, Manifest, UpdateError, extract_wheels, file_digest, read_bundle, running_version,
                     version_key)

log = logging.getLogger("loket.update")

PENDING_DIR = "update-pending"   # in the data dir: the web UI stages uploads here
STATUS_FILE = "update-status.json"


# -- releases on the box ------------------------------------------------------------------------

class Releases:
    """RELEASE_DIR/releases/<version>, with the symlinks venv and previous."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.dir = self.root / "releases"
        self.venv = self.root / "venv"
        self.previous_link = self.root / "previous"

    def _target(self, link: Path) -> str | None:
        try:
            target = os.readlink(link)
        except OSError:
            return None
        name = Path(target).name
        return name if (self.dir / name).is_dir() else None

    def current(self) -> str | None:
        return self._target(self.venv)

    def previous(self) -> str | None:
        return self._target(self.previous_link)

    def installed(self) -> list[str]:
        if not self.dir.is_dir():
            return []
        return sorted((p.name for p in self.dir.iterdir() if p.is_dir() and VERSION_RE.match(p.name)),
                      key=version_key)

    def path(self, version: str) -> Path:
        version_key(version)
        return self.dir / version

    def install(self, bundle: Path, manifest: Manifest, *, python: str | None = None,
                timeout: float = 1800) -> Path:
        """A new venv for the bundle's release beside the others; the running
        one is untouched. Returns its folder once its `loket --version` answers."""
        python = python or _base_python()
        final = self.path(manifest.version)
        work = self.dir / f".{manifest.version}.partial"
        shutil.rmtree(work, ignore_errors=True)   # a half-made one from a power cut
        self.dir.mkdir(parents=True, exist_ok=True)
        try:
            site = _make_venv(work, final, python, manifest.python)
            with tempfile.TemporaryDirectory(dir=self.dir, prefix=".wheels-") as tmp:
                wheels = extract_wheels(bundle, manifest, Path(tmp))
                pip = Path(tmp) / manifest.pip
                installs = [str(w) for w in wheels if w != pip]
                # pip runs from its own wheel; --no-deps: the set was resolved
                # when the bundle was made; pip still refuses a wheel this Python cannot run.
                _run([python, f"{pip}/pip", "install", "--no-index", "--no-deps", "--no-compile",
                      "--no-cache-dir", "--disable-pip-version-check", "--no-warn-script-location",
                      "--target", str(site), *installs], "installing the wheels", timeout,
                     env={"PIP_CONFIG_FILE": os.devnull, "PYTHONDONTWRITEBYTECODE": "1"})
            shutil.rmtree(site / "bin", ignore_errors=True)   # pip's scripts name the wrong interpreter
            _write_script(work / "bin" / "loket", final / "bin" / "python")
            # Byte code now, hash-based: the services run with the venv read-only.
            _run([python, "-m", "compileall", "-q", "-j0", "--invalidation-mode", "unchecked-hash",
                  "-d", str(site).replace(str(work), str(final)), str(site)], "compiling", timeout)
            if final.exists():   # a reinstall of the same version: the old copy goes
                shutil.rmtree(final)
            os.replace(work, final)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        answer = _run([str(final / "bin" / "loket"), "--version"], "starting the new release", 300)
        if manifest.version not in answer:
            shutil.rmtree(final, ignore_errors=True)
            raise UpdateError(f"the new release says it is {answer.strip()!r}, not {manifest.version}")
        return final

    def switch(self, version: str) -> str | None:
        """Point venv at the release, atomically (a new link renamed over the
        old); previous keeps the one it replaced. Returns that one."""
        self.path(version).resolve(strict=True)
        before = self.current()
        if before and before != version:
            _relink(self.previous_link, f"releases/{before}")
        _relink(self.venv, f"releases/{version}")
        return before

    def prune(self) -> list[str]:
        """Delete every release but the running one and the one to go back to."""
        wanted = {self.current(), self.previous()}
        removed = []
        for version in self.installed():
            if version not in wanted:
                shutil.rmtree(self.dir / version, ignore_errors=True)
                removed.append(version)
        return removed


def _base_python() -> str:
    """The system interpreter (a release's venv points at it), not a venv's."""
    return getattr(sys, "_base_executable", None) or sys.executable


def _make_venv(work: Path, final: Path, python: str, python_version: str) -> Path:
    """What `python3 -m venv --without-pip` writes, without python3-venv on the box."""
    site = work / "lib" / f"python{python_version}" / "site-packages"
    site.mkdir(parents=True)
    (work / "bin").mkdir()
    os.symlink(python, work / "bin" / "python")
    os.symlink("python", work / "bin" / "python3")
    os.symlink("lib", work / "lib64")
    (work / "pyvenv.cfg").write_text(f"home = {Path(python).parent}\ninclude-system-site-packages = false\n"
                                     f"version = {python_version}\n")
    return site


def _write_script(path: Path, interpreter: Path) -> None:
    path.write_text(f"#!{interpreter}\nimport sys\nfrom appliance.cli import main\nsys.exit(main())\n")
    path.chmod(0o755)


def _relink(link: Path, target: str) -> None:
    tmp = link.with_name(f".{link.name}.new")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    os.symlink(target, tmp)
    os.replace(tmp, link)
    from .backup import fsync_dir
    fsync_dir(link.parent)


def _run(command: list[str], what: str, timeout: float, env: dict | None = None, **kwargs) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, **(env or {})}, **kwargs)
    except subprocess.TimeoutExpired:
        raise UpdateError(f"{what} took longer than {timeout:.0f} s") from None
    except OSError as exc:
        raise UpdateError(f"{what} failed: {exc.strerror}") from None
    if done.returncode != 0:
        last = (done.stderr.strip() or done.stdout.strip()).splitlines()[-1:] or ["no output"]
        log.error("%s failed:\n%s%s", what, done.stdout, done.stderr)
        raise UpdateError(f"{what} failed: {last[0][:300]}")
    return done.stdout


# -- the services and their health ------------------------------------------------------------------

class Services(Protocol):
    def stop(self) -> None: ...
    def start(self) -> None: ...
    def problems(self) -> tuple[list[str], bool]:
        """What is wrong right now, and whether it is final (a crash) rather
        than not up yet."""


class SystemdServices:
    """loket-web and loket-worker under systemd, as on the appliance."""

    UNITS = ("loket-web.service", "loket-worker.service")

    def __init__(self, port: int, units: tuple[str, ...] = UNITS):
        self.port, self.units = port, units
        self.restarts: dict[str, int] = {}

    def _systemctl(self, *args: str) -> str:
        return _run(["systemctl", *args], f"systemctl {' '.join(args)}", 300)

    def stop(self) -> None:
        self._systemctl("stop", *self.units)

    def start(self) -> None:
        self.restarts = {unit: self._restarts(unit) for unit in self.units}
        self._systemctl("reset-failed", *self.units)
        # --no-block: the health check watches them come up, with its own deadline.
        self._systemctl("start", "--no-block", *self.units)

    def _show(self, unit: str) -> dict[str, str]:
        out = self._systemctl("show", "-p", "ActiveState", "-p", "SubState", "-p", "NRestarts", "-p", "Result", unit)
        return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)

    def _restarts(self, unit: str) -> int:
        try:
            return int(self._show(unit).get("NRestarts", "0"))
        except ValueError:
            return 0

    def problems(self) -> tuple[list[str], bool]:
        found, final = [], False
        for unit in self.units:
            state = self._show(unit)
            if state.get("ActiveState") == "failed" or int(state.get("NRestarts", "0") or 0) > self.restarts.get(unit, 0):
                found.append(f"{unit} failed ({state.get('Result', '?')}) after the switch")
                final = True
            elif state.get("ActiveState") != "active":
                found.append(f"{unit} is {state.get('ActiveState')}/{state.get('SubState')}")
        if not found:
            status = http_status(f"http://127.0.0.1:{self.port}/login")
            if status != 200:
                found.append(f"the web UI answers {status or 'nothing'} on /login")
        return found, final


def http_status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (OSError, urllib.error.URLError):
        return None


def wait_healthy(services: Services, *, timeout: float, settle: float = 10.0,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> list[str]:
    """Healthy means: no problem for `settle` seconds in a row. A crash ends
    the wait at once. Returns the problems ([] when healthy)."""
    deadline, healthy_since = clock() + timeout, None
    problems: list[str] = ["never checked"]
    while clock() < deadline:
        problems, final = services.problems()
        if final:
            return problems
        if problems:
            healthy_since = None
        elif healthy_since is None:
            healthy_since = clock()
        elif clock() - healthy_since >= settle:
            return []
        sleep(1.0)
    return problems or [f"not steady for {settle:.0f} s within {timeout:.0f} s"]


# -- the whole update -------------------------------------------------------------------------------

@dataclasses.dataclass
class Context:
    """Everything apply() touches, so that the CLI, the tests and the
    appliance say exactly where."""
    releases: Releases
    public_key: Path
    data_dir: Path
    db_path: Path | None          # None: PostgreSQL (no file backup; the schema must not move back)
    services: Services
    health_seconds: float = 180.0
    settle_seconds: float = 10.0
    python: str | None = None
    say: Callable[[str], None] = print


def schema_of(db_path: Path | None) -> int | None:
    """The schema version in a SQLite file, read-only; None when unknown."""
    if db_path is None or not Path(db_path).exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
        try:
            return conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return None


def apply(bundle: Path, ctx: Context, *, allow_downgrade: bool = False) -> dict:
    """Install a bundle and switch to it, or leave the box as it was.
    Returns the status record (also written to DATA_DIR/update-status.json)."""
    bundle = Path(bundle)
    with _locked(ctx.data_dir):
        started = _now()
        status = {"bundle": bundle.name, "from": ctx.releases.current() or running_version(),
                  "started": started, "steps": []}

        def step(text: str) -> None:
            status["steps"].append(f"{_now()} {text}")
            ctx.say(text)

        def finish(outcome: str, reason: str = "", **more) -> dict:
            status.update(outcome=outcome, reason=reason, finished=_now(), **more)
            write_status(ctx.data_dir, status, refused_sha=digest if outcome != "installed" else None)
            return status

        digest = file_digest(bundle)
        try:
            manifest = read_bundle(bundle, ctx.public_key)
            status["to"] = manifest.version
            current = ctx.releases.current()
            if current and not allow_downgrade and version_key(manifest.version) <= version_key(current):
                raise UpdateError(f"this box runs {current}; the bundle's {manifest.version} is not newer")
            step(f"checked the bundle: Loket {manifest.version} for {manifest.machine}, signature good")
            ctx.releases.install(bundle, manifest, python=ctx.python)
            step(f"installed {manifest.version} beside {current or 'nothing'}")
        except UpdateError as exc:
            step(f"refused: {exc}")
            return finish("refused", str(exc))

        ctx.services.stop()
        step("stopped the web UI and the worker")
        switched = previous = backup_file = None
        schema_before = schema_of(ctx.db_path)
        try:
            try:
                if ctx.db_path is not None and ctx.db_path.exists():
                    from . import backup
                    backup_file = backup.backup(ctx.db_path, ctx.data_dir / "backups")
                    _own_like(backup_file, ctx.data_dir)
                    step(f"backed the database up: {backup_file.name}")
            except Exception as exc:  # no backup, no switch: the shop is served as before
                ctx.services.start()
                step(f"refused: no backup could be made ({exc})")
                return finish("refused", f"no backup could be made before the switch: {exc}")

            previous = ctx.releases.switch(manifest.version)
            switched = manifest.version
            ctx.services.start()
            step(f"switched to {manifest.version}; waiting up to {ctx.health_seconds:.0f} s for it to come up")
            problems = wait_healthy(ctx.services, timeout=ctx.health_seconds, settle=ctx.settle_seconds)
        except BaseException as exc:
            # Stopped half-way (the box shuts down, systemctl failed): put the
            # old release back at once, without waiting for it, and say so.
            why = "interrupted" if isinstance(exc, (SystemExit, KeyboardInterrupt)) else f"failed: {exc}"
            step(f"{why} while switching; back to {previous or 'the old release'}")
            with contextlib.suppress(Exception):
                ctx.services.stop()
            kept = _roll_back(ctx, switched and previous, backup_file, schema_before, step)
            with contextlib.suppress(Exception):
                ctx.services.start()
            finish("rolled_back", f"the update was {why}", previous=previous, kept=kept, healthy_after=None)
            raise
        if not problems:
            removed = ctx.releases.prune()
            step(f"healthy: Loket {manifest.version} is running" +
                 (f"; removed old release {', '.join(removed)}" if removed else ""))
            return finish("installed", previous=previous)

        reason = "; ".join(problems)
        step(f"unhealthy: {reason}; rolling back to {previous}")
        ctx.services.stop()
        kept = _roll_back(ctx, previous, backup_file, schema_before, step)
        ctx.services.start()
        again = wait_healthy(ctx.services, timeout=ctx.health_seconds, settle=ctx.settle_seconds)
        step(f"back on {previous}: " + ("healthy" if not again else "STILL UNHEALTHY: " + "; ".join(again)))
        return finish("rolled_back", reason, previous=previous, kept=kept, healthy_after=not again)


def _roll_back(ctx: Context, previous: str | None, backup_file: Path | None, schema_before: int | None,
               step: Callable[[str], None]) -> str | None:
    """With the services stopped: the link back to PREVIOUS, and the backup
    back if the schema moved. Returns the name the moved database is kept as."""
    if previous:
        ctx.releases.switch(previous)
    schema_after = schema_of(ctx.db_path)
    if backup_file and schema_after != schema_before:
        from . import backup
        kept = backup.restore(backup_file, ctx.db_path)
        step(f"the new release had moved the schema ({schema_before} -> {schema_after}): restored "
             f"{backup_file.name}; its database is kept as {kept.name}")
        return kept.name
    return None


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@contextlib.contextmanager
def _locked(data_dir: Path):
    """One update at a time (the USB stick and an upload may arrive together)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / "update.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UpdateError("another update is running") from None
        yield


# -- status, staging, the USB stick -------------------------------------------------------------------

def read_status(data_dir: Path) -> dict:
    try:
        return json.loads((Path(data_dir) / STATUS_FILE).read_text())
    except (OSError, ValueError):
        return {}


def write_status(data_dir: Path, status: dict, *, refused_sha: str | None = None) -> None:
    data_dir = Path(data_dir)
    old = read_status(data_dir)
    refused = dict(old.get("refused", {}))
    if refused_sha:
        refused[refused_sha] = status.get("reason", "")[:300]
    record = {**status, "refused": dict(list(refused.items())[-20:])}
    tmp = data_dir / (STATUS_FILE + ".partial")
    tmp.write_text(json.dumps(record, indent=1, sort_keys=True))
    _own_like(tmp, data_dir)
    os.replace(tmp, data_dir / STATUS_FILE)


def _own_like(path: Path, like: Path) -> None:
    """Root writes in the loket user's data dir: the files stay theirs."""
    if os.geteuid() == 0:
        st = like.stat()
        os.chown(path, st.st_uid, st.st_gid)


def stage(upload: Path, data_dir: Path, public_key: Path) -> Manifest:
    """For the web UI and the USB stick: check a bundle and, when it is one
    this box can install, copy it to DATA_DIR/update-pending/ (loket-update.path
    starts the privileged install). Raises UpdateError otherwise."""
    manifest = read_bundle(upload, public_key)
    pending = Path(data_dir) / PENDING_DIR
    pending.mkdir(parents=True, exist_ok=True)
    target = pending / f"loket-{manifest.version}-{manifest.machine}.bundle"
    tmp = target.with_name(target.name + ".partial")   # not *.bundle: the path unit waits for the rename
    shutil.copyfile(upload, tmp)
    _own_like(tmp, Path(data_dir))
    os.replace(tmp, target)
    return manifest


def pending(data_dir: Path) -> list[Path]:
    folder = Path(data_dir) / PENDING_DIR
    return sorted(folder.glob("*.bundle")) if folder.is_dir() else []


def find_on_stick(folder: Path, public_key: Path, data_dir: Path, current: str | None) -> tuple[Path | None, list[str]]:
    """The newest bundle in FOLDER this box can install and has not refused
    before; and a line for each one passed over."""
    refused = read_status(data_dir).get("refused", {})
    notes, best, best_key = [], None, version_key(current) if current else None
    for file in sorted(Path(folder).glob("*.bundle")) if Path(folder).is_dir() else []:
        digest = file_digest(file)
        if digest in refused:
            notes.append(f"{file.name}: refused before ({refused[digest]})")
            continue
        try:
            manifest = read_bundle(file, public_key)
        except UpdateError as exc:
            notes.append(f"{file.name}: {exc}")
            continue
        key = version_key(manifest.version)
        if best_key is not None and key <= best_key:
            notes.append(f"{file.name}: {manifest.version} is not newer than {current if best is None else best.name}")
            continue
        best, best_key = file, key
    return best, notes
