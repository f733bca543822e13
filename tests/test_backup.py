"""Backups and restores on real SQLite files, with a real writer process."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from appliance.box import backup as bk
from support import loket_cli

UTC = dt.timezone.utc
T0 = dt.datetime(2026, 11, 22, 8, 0, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def loket_db(tmp_path_factory) -> Path:
    """A real Loket database, made by `loket db migrate`."""
    data = tmp_path_factory.mktemp("made")
    done = loket_cli("db", "migrate", data_dir=data)
    assert done.returncode == 0, done.stderr
    return data / "loket.db"


@pytest.fixture
def live(tmp_path, loket_db) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copyfile(loket_db, data / "loket.db")
    conn = sqlite3.connect(data / "loket.db")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE probe (id INTEGER PRIMARY KEY, note TEXT)")
    conn.execute("INSERT INTO probe (note) VALUES ('before')")
    conn.commit()
    conn.close()
    return data / "loket.db"


def rows(path: Path, table: str = "probe") -> list:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT note FROM {table} ORDER BY id").fetchall()
    finally:
        conn.close()


# -- backup ------------------------------------------------------------------------

WRITER = r"""
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], timeout=30, isolation_level=None)
conn.execute("PRAGMA journal_mode=WAL")
conn.execute("CREATE TABLE IF NOT EXISTS pair_a (n INTEGER)")
conn.execute("CREATE TABLE IF NOT EXISTS pair_b (n INTEGER)")
print("ready", flush=True)
n = 0
while True:
    # Two tables in one transaction: a consistent copy has equal counts.
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO pair_a VALUES (?)", (n,))
    conn.execute("INSERT INTO pair_b (n) SELECT ? FROM (SELECT 1 UNION ALL SELECT 2)", (n,))
    conn.execute("COMMIT")
    n += 1
"""


def test_backup_while_another_process_writes(live, tmp_path):
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(live)], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "ready"
        made = []
        for i in range(5):
            time.sleep(0.2)
            made.append(bk.backup(live, tmp_path / "backups", now=T0 + dt.timedelta(seconds=i)))
        assert writer.poll() is None, "the writer was never blocked out"
    finally:
        writer.kill()
        writer.wait()
    counts = []
    for path in made:
        assert bk.check_backup(path, head=99) == []
        conn = sqlite3.connect(path)
        a = conn.execute("SELECT COUNT(*) FROM pair_a").fetchone()[0]
        b = conn.execute("SELECT COUNT(*) FROM pair_b").fetchone()[0]
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        conn.close()
        assert b == 2 * a, "the copy is one consistent snapshot"
        assert mode == "delete", "a backup is one self-contained file"
        counts.append(a)
    assert counts == sorted(counts) and counts[-1] > counts[0] > 0
    assert not list((tmp_path / "backups").glob(".*partial")) and not list((tmp_path / "backups").glob("*-wal"))


def test_backup_name_and_pruning(live, tmp_path):
    dest = tmp_path / "backups"
    first = bk.backup(live, dest, now=T0)
    assert first.name == "loket-20261122T080000Z.db"
    assert bk.backup_time(first) == T0
    same_second = bk.backup(live, dest, now=T0)
    assert same_second.name == "loket-20261122T080000Z-1.db" and first.exists()
    for days in (1, 2, 3, 20):
        bk.backup(live, dest, now=T0 + dt.timedelta(days=days))
    kept = [p.name for p in bk.list_backups(dest)]
    # At day 20 everything up to day 3 is older than 14 days, but the newest
    # MIN_KEEP always survive (the clock may have jumped).
    assert kept == ["loket-20261124T080000Z.db", "loket-20261125T080000Z.db", "loket-20261212T080000Z.db"]
    (dest / "notes.txt").write_text("not a backup")
    bk.backup(live, dest, keep_days=14, now=T0 + dt.timedelta(days=40))
    assert (dest / "notes.txt").exists()


def test_a_clock_in_1970_prunes_nothing_recent(live, tmp_path):
    dest = tmp_path / "backups"
    for days in range(5):
        bk.backup(live, dest, now=T0 + dt.timedelta(days=days))
    bk.backup(live, dest, now=dt.datetime(1970, 1, 1, tzinfo=UTC))
    assert len(bk.list_backups(dest)) == 6


def test_backup_of_a_missing_database(tmp_path):
    with pytest.raises(bk.BackupError, match="no database"):
        bk.backup(tmp_path / "nothing.db", tmp_path / "b")


# -- the USB stick -------------------------------------------------------------------

def fake_stick(tmp_path, *, mounted: bool, options: str = "rw,nosuid", label: str = "LOKET-BACKUP"):
    by_label = tmp_path / "by-label"
    by_label.mkdir()
    device = tmp_path / "sdz1"
    device.write_text("")
    (by_label / label).symlink_to(device)
    stick = tmp_path / "media with space"
    stick.mkdir()
    mounts = tmp_path / "mounts"
    line = f"{device} {str(stick).replace(' ', chr(92) + '040')} vfat {options} 0 0\n" if mounted else ""
    mounts.write_text("/dev/vda / ext4 rw 0 0\n" + line)
    return dict(by_label=by_label, mounts_file=mounts, automount=()), stick


def test_a_fat_stick_is_labelled_loketbackup(live, tmp_path):
    """FAT32 and exFAT labels hold 11 characters: LOKET-BACKUP cannot be
    written on the stick a shop owns, so LOKETBACKUP is as good."""
    made = bk.backup(live, tmp_path / "backups", now=T0)
    where, stick = fake_stick(tmp_path, mounted=True, label="LOKETBACKUP")
    assert bk.copy_to_usb(made, **where) == stick / "loket-backups" / made.name


def test_copy_to_a_mounted_stick(live, tmp_path):
    made = bk.backup(live, tmp_path / "backups", now=T0)
    where, stick = fake_stick(tmp_path, mounted=True)
    copy = bk.copy_to_usb(made, **where)
    assert copy == stick / "loket-backups" / made.name
    assert copy.read_bytes() == made.read_bytes()


def test_the_stick_keeps_only_the_newest(live, tmp_path):
    where, stick = fake_stick(tmp_path, mounted=True)
    for days in range(5):
        made = bk.backup(live, tmp_path / "backups", now=T0 + dt.timedelta(days=days))
        bk.copy_to_usb(made, keep=3, **where)
    assert len(bk.list_backups(stick / "loket-backups")) == 3


def test_no_stick_is_skipped_cleanly(live, tmp_path):
    made = bk.backup(live, tmp_path / "backups", now=T0)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert bk.copy_to_usb(made, by_label=empty, mounts_file=tmp_path / "none", automount=()) is None
    assert bk.copy_to_usb(made, by_label=Path("/nonexistent/by-label")) is None


def test_a_read_only_stick_is_not_used(live, tmp_path, monkeypatch):
    made = bk.backup(live, tmp_path / "backups", now=T0)
    where, stick = fake_stick(tmp_path, mounted=True, options="ro,nosuid")
    monkeypatch.setattr(os, "geteuid", lambda: 1000)  # not root: no mounting of our own
    assert bk.copy_to_usb(made, **where) is None
    assert not (stick / "loket-backups").exists()


# -- check and restore ------------------------------------------------------------------

def test_check_a_good_backup(live, tmp_path):
    made = bk.backup(live, tmp_path / "backups", now=T0)
    assert bk.check_backup(made) == []


@pytest.fixture
def bad_files(tmp_path, loket_db):
    files = {}
    files["text"] = tmp_path / "notes.db"
    files["text"].write_text("this is not a database\n" * 50)
    files["empty"] = tmp_path / "empty.db"
    files["empty"].write_bytes(b"")
    files["foreign"] = tmp_path / "foreign.db"
    conn = sqlite3.connect(files["foreign"])
    conn.execute("CREATE TABLE task (id INTEGER PRIMARY KEY, data BLOB)")
    conn.commit()
    conn.close()
    files["newer"] = tmp_path / "newer.db"
    shutil.copyfile(loket_db, files["newer"])
    conn = sqlite3.connect(files["newer"])
    conn.execute("INSERT INTO schema_version (version, applied_at, note) VALUES (999, '2030-01-01', 'future')")
    conn.commit()
    conn.close()
    files["corrupt"] = tmp_path / "corrupt.db"
    conn = sqlite3.connect(files["corrupt"])
    conn.execute("PRAGMA page_size=1024")
    conn.execute("CREATE TABLE schema_version (version INTEGER)")
    conn.execute("INSERT INTO schema_version VALUES (1)")
    conn.execute("CREATE TABLE filler (x TEXT)")
    conn.execute("CREATE INDEX filler_x ON filler (x)")
    conn.executemany("INSERT INTO filler VALUES (?)", [(f"row {i} " * 20,) for i in range(2000)])
    conn.commit()
    conn.close()
    raw = bytearray(files["corrupt"].read_bytes())
    for page in range(10, len(raw) // 1024, 3):  # scribble over many b-tree pages
        raw[page * 1024 + 8: page * 1024 + 40] = b"\xff" * 32
    files["corrupt"].write_bytes(bytes(raw))
    files["truncated"] = tmp_path / "truncated.db"
    files["truncated"].write_bytes(loket_db.read_bytes()[:60])
    files["missing"] = tmp_path / "missing.db"
    # Only the version table: once accepted, and then nothing started ("no such table: shop_setting").
    files["version_only"] = tmp_path / "version-only.db"
    conn = sqlite3.connect(files["version_only"])
    conn.execute("CREATE TABLE schema_version (id INTEGER PRIMARY KEY, version INTEGER, applied_at TEXT, note TEXT)")
    conn.execute("INSERT INTO schema_version (version, applied_at, note) VALUES (1, '2026-01-01', 'created')")
    conn.commit()
    conn.close()
    files["table_gone"] = tmp_path / "table-gone.db"
    shutil.copyfile(loket_db, files["table_gone"])
    conn = sqlite3.connect(files["table_gone"])
    conn.execute("DROP TABLE shop_setting")
    conn.commit()
    conn.close()
    files["column_gone"] = tmp_path / "column-gone.db"
    shutil.copyfile(loket_db, files["column_gone"])
    conn = sqlite3.connect(files["column_gone"])
    conn.execute("ALTER TABLE customer DROP COLUMN email")
    conn.commit()
    conn.close()
    return files


@pytest.mark.parametrize("kind,reason", [
    ("text", "not an SQLite database"),
    ("empty", "not an SQLite database"),
    ("foreign", "not a Loket database"),
    ("newer", "newer Loket"),
    ("corrupt", "integrity"),
    ("truncated", "truncated"),
    ("missing", "does not exist"),
    ("version_only", "not a complete Loket database: it lacks"),
    ("table_gone", "it lacks 1 of the"),
    ("column_gone", "the table customer lacks email"),
])
def test_restore_refuses_and_replaces_nothing(live, bad_files, kind, reason):
    before = live.read_bytes()
    folder = sorted(p.name for p in live.parent.iterdir())
    problems = bk.check_backup(bad_files[kind])
    assert problems and reason in " ".join(problems)
    with pytest.raises(bk.RestoreError) as refused:
        bk.restore(bad_files[kind], live, now=T0)
    assert reason in str(refused.value)
    assert live.read_bytes() == before
    assert sorted(p.name for p in live.parent.iterdir()) == folder, "no staging file, nothing set aside"
    assert rows(live) == [("before",)]


def test_loket_restore_refuses_a_database_that_is_only_a_version_number(live, bad_files):
    before = live.read_bytes()
    refused = loket_cli("restore", str(bad_files["version_only"]), data_dir=live.parent)
    assert refused.returncode != 0 and "not a complete Loket database" in refused.stderr
    assert "Traceback" not in refused.stderr and len(refused.stderr) < 1000
    assert live.read_bytes() == before
    assert bk.stage_restore(bad_files["version_only"], live) != [] and not bk.has_pending(live)


def test_loket_does_not_start_on_a_database_that_lacks_tables(tmp_path, bad_files):
    data = tmp_path / "broken"
    data.mkdir()
    shutil.copyfile(bad_files["version_only"], data / "loket.db")
    started = loket_cli("run", "--port", "1", data_dir=data, timeout=60)
    assert started.returncode != 0 and "the database lacks" in started.stderr and "loket restore" in started.stderr
    assert "Traceback" not in started.stderr


def test_checking_never_touches_the_file(bad_files):
    path = bad_files["corrupt"]
    before = path.read_bytes()
    bk.check_backup(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir() if p.name.startswith("corrupt")) == ["corrupt.db"]


def test_restore_a_good_backup(live, tmp_path):
    made = bk.backup(live, tmp_path / "backups", now=T0)
    # Life goes on after the backup, with an open WAL.
    conn = sqlite3.connect(live)
    conn.execute("INSERT INTO probe (note) VALUES ('after')")
    conn.commit()
    conn.close()
    aside = bk.restore(made, live, now=T0 + dt.timedelta(hours=1))
    assert aside == live.with_name("loket.db.before-restore-20261122T090000Z")
    assert rows(live) == [("before",)]
    assert rows(aside) == [("before",), ("after",)], "the old database is kept whole"
    assert not Path(f"{live}-wal").exists() or Path(f"{live}-wal").stat().st_size == 0
    assert bk.check_backup(live) == []
    # The restored database is used again in WAL mode by Loket itself.
    done = loket_cli("db", "check", data_dir=live.parent)
    assert done.returncode == 0, done.stderr + done.stdout


def test_restore_into_an_empty_data_dir(loket_db, tmp_path):
    target = tmp_path / "fresh" / "loket.db"
    assert bk.restore(loket_db, target) is None
    assert bk.check_backup(target) == []


def test_restore_refuses_while_the_database_is_open(live, tmp_path):
    made = bk.backup(live, tmp_path / "backups", now=T0)
    holder = subprocess.Popen([sys.executable, "-c",
                               "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('select 1 from probe');"
                               "print('open', flush=True); sys.stdin.read()", str(live)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(bk.RestoreError, match="in use"):
            bk.restore(made, live)
    finally:
        holder.stdin.close()
        holder.wait()
    assert bk.restore(made, live) is not None


def test_staged_restore_from_the_ui(live, tmp_path, bad_files):
    made = bk.backup(live, tmp_path / "backups", now=T0)
    assert bk.stage_restore(bad_files["foreign"], live) != []
    assert not (live.parent / bk.PENDING).exists()
    assert bk.apply_pending(live) is None  # nothing pending: nothing done
    assert not bk.has_pending(live)
    assert bk.stage_restore(made, live) == []
    assert bk.has_pending(live)
    aside = bk.apply_pending(live, now=T0)
    assert aside is not None and aside.exists()
    assert not (live.parent / bk.PENDING).exists()


# -- a restore chosen in the web UI (real HTTP) -----------------------------------------

def test_the_owner_uploads_a_backup_and_the_box_stages_the_restore(tmp_path):
    from appliance import auth, db, migrations, settings as settings_module
    from support import Browserless, start_web
    data = tmp_path / "data"
    database = db.connect(settings_module.load(env={}, overrides={"data_dir": str(data)}).db_url)
    migrations.migrate(database)
    auth.create_user("owner", "kopi susu manis", "owner")
    database.close()
    made = bk.backup(data / "loket.db", tmp_path / "elsewhere")
    with start_web(data) as url:
        browser = Browserless(url)
        browser.login("owner", "kopi susu manis")
        csrf = browser.csrf("/settings/backup")
        status, _, page = browser.upload("/settings/backup/restore", {"csrf": csrf}, "file", "notes.txt",
                                         b"not a database <b>x</b>")
        assert status == 400 and "Tidak ada yang diganti" in page and "<b>x" not in page
        assert not (data / bk.PENDING).exists()
        only_version = tmp_path / "only-version.db"
        conn = sqlite3.connect(only_version)
        conn.execute("CREATE TABLE schema_version (id INTEGER PRIMARY KEY, version INTEGER, applied_at TEXT,"
                     " note TEXT)")
        conn.execute("INSERT INTO schema_version (version, applied_at, note) VALUES (1, '2026-01-01', 'x')")
        conn.commit()
        conn.close()
        status, _, page = browser.upload("/settings/backup/restore", {"csrf": csrf}, "file", "only-version.db",
                                         only_version.read_bytes())
        assert status == 400 and "Tidak ada yang diganti" in page and "not a complete Loket database" in page
        assert not (data / bk.PENDING).exists()
        status, _, page = browser.upload("/settings/backup/restore", {"csrf": csrf}, "file", made.name,
                                         made.read_bytes())
        assert status == 200 and "Sudah dicek dan disiapkan" in page
        assert (data / bk.PENDING).read_bytes() == made.read_bytes()
        assert not list(data.glob("*.upload")), "the spooled upload is gone"
