"""Offline updates: a signed bundle is checked before anything is installed,
installed beside the running release, switched in, health-checked, and
rolled back by itself when the new release does not come up.

Everything here is real: bundles built by image/bundle.py from this
repository (wheels for this machine, pip from PyPI or the shared cache), pip
installing them into release folders, `loket web` and `loket worker` started
from the release link as processes, SQLite files, HTTP. Only systemd is not
here: the processes stand in for its units (the image's boot test runs the
same update under systemd in QEMU).
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import os
import platform
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from appliance import migrations
from appliance.box import bundle, update
from appliance.box.update import Releases, UpdateError
from support import REPO, Browserless, break_the_web_after_migrating, free_port, loket_cli, start_web

ARCH = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine())
# Bundles for this machine's Python: the Debian release that has it (image/suites.py).
sys.path.insert(0, str(REPO / "image"))
import suites  # noqa: E402
SUITE = suites.for_python(f"{sys.version_info.major}.{sys.version_info.minor}")
pytestmark = pytest.mark.skipif(ARCH is None or SUITE is None,
                                reason="bundles are made for x86_64 and aarch64 boxes with a Debian release's Python")

BASE, GOOD, BROKEN = "5.0.0", "5.0.1", "5.0.2"


def _bundle_tool():
    spec = importlib.util.spec_from_file_location("bundle_tool", REPO / "image" / "bundle.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    """A release key and three bundles: the box's release, a good update, a bad one."""
    tool = _bundle_tool()
    root = tmp_path_factory.mktemp("kit")
    key = root / "release-key"
    bundle.generate_key(key)
    bundles = {}
    for version in (BASE, GOOD):
        assert tool.main(["build", "--arch", ARCH, "--suite", SUITE.name, "--key", str(key), "--version", version,
                          "--out", str(root)]) == 0
        bundles[version] = root / f"loket-{version}-{platform.machine()}.bundle"
    wheel = tool.loket_wheel(root / "broken", BROKEN, edit=break_the_web_after_migrating)
    assert tool.main(["build", "--arch", ARCH, "--suite", SUITE.name, "--key", str(key), "--wheel", str(wheel),
                      "--out", str(root)]) == 0
    bundles[BROKEN] = root / f"loket-{BROKEN}-{platform.machine()}.bundle"
    return {"key": key, "pub": Path(f"{key}.pub"), "bundles": bundles, "root": root}


# -- a bundle is checked before anything happens ----------------------------------------------------

def rewrite(source: Path, target: Path, change) -> Path:
    """Copy a bundle member by member, letting change(name, data) alter or drop
    (None) each, or add members (it is called with name None at the end)."""
    with tarfile.open(source) as old, tarfile.open(target, "w") as new:
        for info in old.getmembers():
            data = change(info.name, old.extractfile(info).read())
            if data is not None:
                info.size = len(data)
                new.addfile(info, io.BytesIO(data))
        for name, data in change(None, None) or []:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            new.addfile(info, io.BytesIO(data))
    return target


def flip_a_byte_in_a_wheel(name, data):
    if name and name.endswith(".whl") and "peewee" in name:
        return data[:100] + bytes([data[100] ^ 1]) + data[101:]
    return data


def newer_version_in_manifest(name, data):
    return data.replace(b'"version": "5.0.1"', b'"version": "9.9.9"') if name == "manifest.json" else data


def drop_the_signature(name, data):
    return None if name == "manifest.sig" else data


def add_a_stray_file(name, data):
    return [("../../etc/cron.d/evil", b"* * * * * root true\n")] if name is None else data


def add_an_unlisted_wheel(name, data):
    return [("wheels/evil-1.0-py3-none-any.whl", b"PK")] if name is None else data


BAD_BUNDLES = {
    "a wheel damaged in transit": (flip_a_byte_in_a_wheel, "damaged"),
    "a manifest edited after signing": (newer_version_in_manifest, "signature does not match"),
    "no signature": (drop_the_signature, "no signed manifest"),
    "a file outside the bundle's folders": (add_a_stray_file, "does not belong"),
    "a wheel the manifest does not list": (add_an_unlisted_wheel, "do not match its manifest"),
}


@pytest.mark.parametrize("case", sorted(BAD_BUNDLES))
def test_a_tampered_bundle_is_refused(kit, tmp_path, case):
    change, expected = BAD_BUNDLES[case]
    bad = rewrite(kit["bundles"][GOOD], tmp_path / "bad.bundle", change)
    with pytest.raises(UpdateError, match=expected):
        bundle.read_bundle(bad, kit["pub"])


def test_a_bundle_signed_by_another_key_is_refused(kit, tmp_path):
    bundle.generate_key(tmp_path / "other")
    with pytest.raises(UpdateError, match="signature does not match"):
        bundle.read_bundle(kit["bundles"][GOOD], tmp_path / "other.pub")


@pytest.mark.parametrize("content", [b"", b"hello", os.urandom(4096), b"\x1f\x8b\x08\x00" + b"\x00" * 100,
                                     b"SQLite format 3\x00" + b"\x00" * 1000],
                         ids=["empty", "text", "random", "gzip", "a database backup"])
def test_what_is_not_a_bundle_says_so(kit, tmp_path, content):
    file = tmp_path / "x.bundle"
    file.write_bytes(content)
    with pytest.raises(UpdateError, match="not a Loket update"):
        bundle.read_bundle(file, kit["pub"])


def test_a_truncated_bundle_is_refused(kit, tmp_path):
    data = kit["bundles"][GOOD].read_bytes()
    file = tmp_path / "cut.bundle"
    file.write_bytes(data[: len(data) // 2])
    with pytest.raises(UpdateError, match="truncated|damaged"):
        bundle.read_bundle(file, kit["pub"])


def test_a_huge_file_is_refused_unread(kit, tmp_path):
    file = tmp_path / "huge.bundle"
    with file.open("wb") as f:
        f.truncate(bundle.MAX_BUNDLE + 1)  # sparse: nothing is written, nothing is read
    with pytest.raises(UpdateError, match="far too big"):
        bundle.read_bundle(file, kit["pub"])


def test_a_bundle_for_another_machine_or_python_is_refused(kit):
    with pytest.raises(UpdateError, match="this box is armv7l"):
        bundle.read_bundle(kit["bundles"][GOOD], kit["pub"], machine="armv7l")
    with pytest.raises(UpdateError, match="this box has 3.13"):
        bundle.read_bundle(kit["bundles"][GOOD], kit["pub"], python="3.13")


def test_a_box_without_a_release_key_installs_nothing(kit, tmp_path):
    with pytest.raises(UpdateError, match="no release key"):
        bundle.read_bundle(kit["bundles"][GOOD], tmp_path / "missing.pub")


def test_loket_update_check(kit, tmp_path):
    env = {"LOKET_RELEASE_KEY": str(kit["pub"])}
    done = loket_cli("update", "check", kit["bundles"][GOOD], data_dir=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"ok: Loket {GOOD} for {platform.machine()}")
    bad = rewrite(kit["bundles"][GOOD], tmp_path / "bad.bundle", flip_a_byte_in_a_wheel)
    done = loket_cli("update", "check", bad, data_dir=tmp_path, env=env)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.strip().count("\n") == 0 and "damaged" in done.stderr


@pytest.mark.parametrize("versions", [("0.9.3", "0.10.0"), ("1.0rc1", "1.0"), ("1.0a2", "1.0b1"), ("1.9", "1.10.0"),
                                      ("1.0.0", "1.0.0.1")])
def test_versions_sort_as_numbers(versions):
    older, newer = versions
    assert bundle.version_key(older) < bundle.version_key(newer)


@pytest.mark.parametrize("version", ["", "../1.0", "1.0/..", "1.0-beta", "v1.0", "1.0.0.0.0", "1" * 6, "1.0 "])
def test_a_version_that_could_be_a_path_is_refused(version):
    with pytest.raises(UpdateError):
        bundle.version_key(version)


def test_a_manifest_is_strict_about_its_fields():
    with pytest.raises(UpdateError, match="format"):
        bundle.Manifest.from_json(b'{"format": 2}')
    for bad in (b"", b"[]", b"{", b'{"format": 1}', json.dumps({"format": 1, "version": "1.0", "machine": "x",
                "python": "3.11", "schema": 1, "wheels": {"../x.whl": "0" * 64}, "pip": "../x.whl"}).encode()):
        with pytest.raises(UpdateError):
            bundle.Manifest.from_json(bad)


# -- releases side by side ----------------------------------------------------------------------------

def install(releases: Releases, kit, version: str) -> None:
    file = kit["bundles"][version]
    releases.install(file, bundle.read_bundle(file, kit["pub"]))


def test_a_release_is_installed_beside_the_running_one(kit, tmp_path):
    releases = Releases(tmp_path / "opt")
    (releases.dir / f".{GOOD}.partial").mkdir(parents=True)  # a power cut during an earlier try
    install(releases, kit, BASE)
    releases.switch(BASE)
    install(releases, kit, GOOD)
    assert releases.current() == BASE and releases.installed() == [BASE, GOOD]
    assert not (releases.dir / f".{GOOD}.partial").exists()
    # Each release's script names its own interpreter: a running process keeps its files when the link moves.
    script = (releases.path(GOOD) / "bin" / "loket").read_text().splitlines()[0]
    assert script == f"#!{releases.path(GOOD)}/bin/python"
    before = releases.switch(GOOD)
    assert before == BASE and releases.current() == GOOD and releases.previous() == BASE
    answer = subprocess.run([str(releases.venv / "bin" / "loket"), "--version"], capture_output=True, text=True)
    assert answer.stdout.strip() == f"loket {GOOD}"
    # Byte code was compiled ahead: the appliance's venv is read-only to the services.
    assert list(releases.path(GOOD).rglob("appliance/cli/__pycache__/__init__.*.pyc"))


def test_old_releases_are_pruned_but_never_the_running_or_previous_one(tmp_path):
    releases = Releases(tmp_path)
    for version in ("1.0", "1.1", "1.2", "1.3"):
        (releases.dir / version).mkdir(parents=True)
    releases.switch("1.1")
    releases.switch("1.0")  # a rollback: the running one is older than others
    assert releases.prune() == ["1.2", "1.3"]
    assert releases.installed() == ["1.0", "1.1"] and releases.current() == "1.0"


# -- the whole update, with the services as processes -----------------------------------------------

class ProcessServices:
    """loket-web and loket-worker as the units start them: the release link's
    console script, a config file, nothing inherited from the test run."""

    def __init__(self, releases: Releases, config: Path, port: int, log: Path):
        self.releases, self.config, self.port, self.log = releases, config, port, log
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self) -> None:
        env = {"PATH": os.environ["PATH"], "HOME": str(self.config.parent), "PYTHONUNBUFFERED": "1",
               "LOKET_CONFIG": str(self.config)}
        with self.log.open("a") as log:
            for verb in ("web", "worker"):
                self.processes[verb] = subprocess.Popen([str(self.releases.venv / "bin" / "loket"), verb], env=env,
                                                        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def stop(self) -> None:
        for process in self.processes.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes = {}

    def problems(self):
        dead = [f"loket {verb} exited with {p.returncode}" for verb, p in self.processes.items() if p.poll() is not None]
        if dead:
            return dead, True
        status = update.http_status(f"http://127.0.0.1:{self.port}/login")
        return ([] if status == 200 else [f"/login answers {status}"]), False


@pytest.fixture
def box(kit, tmp_path):
    """A box running the base release: release folders, a data dir, the two services."""
    releases = Releases(tmp_path / "opt")
    install(releases, kit, BASE)
    releases.switch(BASE)
    data = tmp_path / "data"
    port = free_port()
    config = tmp_path / "loket.toml"
    config.write_text(f'data_dir = "{data}"\nport = {port}\nmodems = "sim-direct"\n'
                      f'release_dir = "{releases.root}"\nrelease_key = "{kit["pub"]}"\n')
    services = ProcessServices(releases, config, port, tmp_path / "services.log")
    lines: list[str] = []
    ctx = update.Context(releases=releases, public_key=kit["pub"], data_dir=data, db_path=data / "loket.db",
                         services=services, health_seconds=60, settle_seconds=3, say=lines.append)
    services.start()
    assert not update.wait_healthy(services, timeout=60, settle=1), (tmp_path / "services.log").read_text()
    yield ctx, lines
    services.stop()


def schema(db_path: Path) -> int:
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        return conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]


def test_a_good_release_is_switched_in_and_a_bad_one_rolled_back(kit, box):
    ctx, said = box
    owner = loket_cli("user", "add", "owner", "--role", "owner", "--generate",
                      env={"LOKET_CONFIG": str(ctx.services.config)})
    assert owner.returncode == 0, owner.stderr

    status = update.apply(kit["bundles"][GOOD], ctx)
    assert status["outcome"] == "installed", status
    assert ctx.releases.current() == GOOD and ctx.releases.previous() == BASE
    assert not ctx.services.problems()[0]
    assert list((ctx.data_dir / "backups").glob("loket-*.db")), "a backup before the switch"
    assert update.read_status(ctx.data_dir)["outcome"] == "installed"
    with contextlib.closing(sqlite3.connect(ctx.db_path)) as conn:  # the shop's data came along
        assert conn.execute("SELECT username FROM user").fetchall() == [("owner",)]

    status = update.apply(kit["bundles"][BROKEN], ctx)
    assert status["outcome"] == "rolled_back", status
    assert "exited" in status["reason"] and status["healthy_after"]
    assert ctx.releases.current() == GOOD, "back on the release that worked"
    assert schema(ctx.db_path) == migrations.HEAD, "the schema the broken release moved is undone from the backup"
    assert status["kept"] and (ctx.data_dir / status["kept"]).exists(), "its database is kept aside, not deleted"
    assert not ctx.services.problems()[0]
    assert any("rolling back" in line for line in said)
    # The bad bundle is remembered: a USB stick does not offer it again at every boot.
    found, notes = update.find_on_stick(kit["root"], kit["pub"], ctx.data_dir, ctx.releases.current())
    assert found is None and any("refused before" in n for n in notes)

    status = update.apply(kit["bundles"][BASE], ctx)
    assert status["outcome"] == "refused" and "not newer" in status["reason"]
    assert ctx.releases.current() == GOOD


def test_a_shutdown_during_the_switch_puts_the_old_release_back(kit, box):
    """systemd stops loket-update.service with SIGTERM (the box is switched
    off, say); the CLI turns it into SystemExit, which arrives here while the
    new release is being watched."""
    ctx, said = box
    real = ctx.services.problems

    def sigterm_during_the_wait():
        ctx.services.problems = real
        raise SystemExit(143)

    ctx.services.problems = sigterm_during_the_wait
    with pytest.raises(SystemExit):
        update.apply(kit["bundles"][GOOD], ctx)
    assert ctx.releases.current() == BASE
    status = update.read_status(ctx.data_dir)
    assert status["outcome"] == "rolled_back" and "interrupted" in status["reason"]
    assert not update.wait_healthy(ctx.services, timeout=60, settle=1), "the old release serves again"


def test_the_stick_offers_the_newest_bundle_the_box_can_take(kit, tmp_path):
    stick = tmp_path / "stick"
    stick.mkdir()
    for version in (BASE, GOOD):
        shutil.copy(kit["bundles"][version], stick)
    rewrite(kit["bundles"][GOOD], stick / "loket-9.9.9-damaged.bundle", flip_a_byte_in_a_wheel)
    found, notes = update.find_on_stick(stick, kit["pub"], tmp_path, BASE)
    assert found.name == f"loket-{GOOD}-{platform.machine()}.bundle"
    assert any("damaged" in n for n in notes) and any("not newer" in n for n in notes)
    assert update.find_on_stick(stick, kit["pub"], tmp_path, GOOD)[0] is None
    assert update.find_on_stick(tmp_path / "no-stick", kit["pub"], tmp_path, GOOD) == (None, [])


def test_loket_update_scan_copies_the_bundle_off_the_stick(kit, tmp_path):
    """The stick may be pulled or unmounted when idle: the bundle is checked,
    copied into the data dir, and installed from there (loket-update.path)."""
    stick = tmp_path / "stick" / "loket-updates"
    stick.mkdir(parents=True)
    shutil.copy(kit["bundles"][GOOD], stick)
    env = {"LOKET_RELEASE_KEY": str(kit["pub"]), "LOKET_RELEASE_DIR": str(tmp_path / "opt")}
    done = loket_cli("update", "scan", stick, data_dir=tmp_path / "data", env=env)
    assert done.returncode == 0, done.stderr
    assert f"staged loket-{GOOD}-{platform.machine()}.bundle" in done.stdout
    assert [p.name for p in update.pending(tmp_path / "data")] == [f"loket-{GOOD}-{platform.machine()}.bundle"]
    done = loket_cli("update", "scan", tmp_path / "no-stick", data_dir=tmp_path / "data", env=env)
    assert done.returncode == 0 and "no new update" in done.stdout


# -- the Update page ------------------------------------------------------------------------------------

@pytest.fixture
def web(kit, tmp_path):
    from appliance import auth, db, migrations, settings as settings_module
    data = tmp_path / "data"
    settings = settings_module.load(env={}, overrides={"data_dir": str(data)})
    database = db.connect(settings.db_url)
    migrations.migrate(database)
    auth.create_user("owner", "kopi susu manis", "owner")
    auth.create_user("desk", "kopi susu manis", "frontdesk")
    database.close()
    env = {"LOKET_RELEASE_KEY": str(kit["pub"]), "LOKET_RELEASE_DIR": str(tmp_path / "opt")}
    with start_web(data, env) as url:
        yield url, data


def test_the_owner_uploads_an_update_and_the_box_stages_it(kit, web):
    url, data = web
    browser = Browserless(url)
    browser.login("owner", "kopi susu manis")
    status, _, page = browser.get("/settings/update")
    assert status == 200 and "Pasang pembaruan" in page  # the owner reads Indonesian
    csrf = browser.csrf("/settings/update")

    bad = rewrite(kit["bundles"][GOOD], data / "bad.bundle", flip_a_byte_in_a_wheel).read_bytes()
    status, _, page = browser.upload("/settings/update", {"csrf": csrf}, "file", "loket.bundle", bad)
    assert status == 400 and "Tidak ada yang dipasang" in page and "damaged" in page
    status, _, page = browser.upload("/settings/update", {"csrf": csrf}, "file", "x.bundle", b"<script>x</script>")
    assert status == 400 and "<script>x" not in page
    assert update.pending(data) == []

    status, _, page = browser.upload("/settings/update", {"csrf": "forged"}, "file", "x.bundle",
                                     kit["bundles"][GOOD].read_bytes())
    assert status in (400, 403) and update.pending(data) == []
    status, _, page = browser.upload("/settings/update", {"csrf": csrf}, "file", "loket.bundle",
                                     kit["bundles"][GOOD].read_bytes())
    assert status == 200 and f"Sudah dicek: Loket {GOOD}" in page and "Menunggu dipasang" in page
    assert [p.name for p in update.pending(data)] == [f"loket-{GOOD}-{platform.machine()}.bundle"]


def test_only_the_owner_may_update(kit, web):
    url, data = web
    browser = Browserless(url)
    browser.login("desk", "kopi susu manis")
    assert browser.get("/settings/update")[0] == 403
    status, _, _ = browser.upload("/settings/update", {"csrf": "x"}, "file", "x.bundle",
                                  kit["bundles"][GOOD].read_bytes())
    assert status == 413 and update.pending(data) == []  # refused by the server; the body is never stored
