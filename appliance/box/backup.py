"""Backups and restores of the CRM database (SQLite).

`backup()` is an online backup: SQLite's backup API copies a consistent
snapshot while the web and the worker keep writing (WAL readers never block
writers). The copy is written beside its final name, checked with
`PRAGMA integrity_check`, fsynced and renamed, so a power cut leaves either
the old set of backups or a complete new one. Backups are single files
(journal mode DELETE), ready to copy to a USB stick or download.

`restore()` checks the file before touching anything, keeps the current
database aside, and swaps the new one in with one rename. It must run while
no process has the database open (stop loket-web and loket-worker first;
`loket-restore.service` does that for a restore staged from the UI with
`stage_restore()`).

Only the standard library: backups must work even when the rest is broken.
"""

from __future__ import annotations

import datetime as dt
import errno
import logging
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import tempfile
from pathlib import Path

log = logging.getLogger("loket.backup")

UTC = dt.timezone.utc
PREFIX = "loket-"
SUFFIX = ".db"
STAMP = "%Y%m%dT%H%M%SZ"
NAME_RE = re.compile(r"^loket-(\d{8}T\d{6}Z)(?:-\d+)?\.db$")
MIN_KEEP = 3          # never prune below this many, whatever the clock says
# The stick's label: LOKET-BACKUP, or LOKETBACKUP on FAT32 and exFAT, whose
# labels hold 11 characters at most (the image's udev rule knows both).
USB_LABELS = ("LOKET-BACKUP", "LOKETBACKUP")
USB_DIR = "loket-backups"
USB_KEEP = 30         # backups kept on the stick
PENDING = "restore-pending.db"
SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(RuntimeError):
    """A backup could not be made; the message says why."""


class RestoreError(RuntimeError):
    """A restore was refused or failed before anything was replaced.
    `problems` lists every reason."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = problems or [message]


def _now(now: dt.datetime | None) -> dt.datetime:
    value = now or dt.datetime.now(UTC)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def _integrity(conn: sqlite3.Connection) -> list[str]:
    rows = [row[0] for row in conn.execute("PRAGMA integrity_check").fetchall()]
    return [] if rows == ["ok"] else [f"integrity: {line}" for line in rows]


def backup_time(path: Path) -> dt.datetime | None:
    """The UTC time in a backup's file name, or None for other files."""
    match = NAME_RE.match(path.name)
    if not match:
        return None
    return dt.datetime.strptime(match.group(1), STAMP).replace(tzinfo=UTC)


def list_backups(dest_dir: Path) -> list[Path]:
    """Backups in a folder, oldest first (by the time in the name)."""
    try:
        found = [p for p in Path(dest_dir).iterdir() if backup_time(p) is not None]
    except FileNotFoundError:
        return []
    return sorted(found, key=lambda p: (backup_time(p), p.name))


# -- backup -----------------------------------------------------------------------

def backup(db_path: Path, dest_dir: Path, *, keep_days: int = 14, now: dt.datetime | None = None) -> Path:
    """Copy the live database to DEST_DIR/loket-YYYYmmddTHHMMSSZ.db, verify
    it, prune backups older than keep_days (always keeping the newest
    MIN_KEEP: after a clock jump the names may lie). Returns the new file."""
    db_path, dest_dir = Path(db_path), Path(dest_dir)
    if not db_path.is_file():
        raise BackupError(f"no database at {db_path}")
    when = _now(now)
    dest_dir.mkdir(parents=True, exist_ok=True)
    final = dest_dir / f"{PREFIX}{when.strftime(STAMP)}{SUFFIX}"
    n = 1
    while final.exists():  # two backups in one second: keep both
        final = dest_dir / f"{PREFIX}{when.strftime(STAMP)}-{n}{SUFFIX}"
        n += 1
    partial = dest_dir / f".{final.name}.partial"
    try:
        # Not mode=ro: a WAL reader needs to write the -shm index.
        source = sqlite3.connect(f"file:{db_path}?mode=rw", uri=True, timeout=30)
        try:
            target = sqlite3.connect(partial)
            try:
                # pages=-1: the whole copy in one step, one read transaction, so
                # one consistent snapshot; WAL lets writers go on meanwhile.
                source.backup(target, pages=-1)
                # A self-contained single file: no -wal beside it on a stick.
                target.execute("PRAGMA journal_mode=DELETE")
                problems = _integrity(target)
            finally:
                target.close()
        finally:
            source.close()
        if problems:
            raise BackupError(f"the copy of {db_path} failed its check: {'; '.join(problems[:3])}")
        _fsync_file(partial)
        os.replace(partial, final)
        fsync_dir(dest_dir)
    except sqlite3.Error as exc:
        raise BackupError(f"cannot back up {db_path}: {exc}") from None
    except OSError as exc:
        raise BackupError(f"cannot write the backup in {dest_dir}: {exc.strerror or exc}") from None
    finally:
        if partial.exists():
            partial.unlink()
    prune(dest_dir, keep_days=keep_days, now=when, keep=final)
    log.info("backup: %s (%d bytes)", final, final.stat().st_size)
    return final


def prune(dest_dir: Path, *, keep_days: int, now: dt.datetime | None = None, keep: Path | None = None,
          min_keep: int = MIN_KEEP) -> list[Path]:
    """Delete backups older than keep_days; returns what was deleted."""
    when = _now(now)
    backups = list_backups(dest_dir)
    candidates = backups[:-min_keep] if min_keep else backups
    removed = []
    for path in candidates:
        if keep is not None and path == keep:
            continue
        if when - backup_time(path) > dt.timedelta(days=keep_days):
            try:
                path.unlink()
                removed.append(path)
            except FileNotFoundError:
                pass
    return removed


# -- the USB stick ------------------------------------------------------------------

def _mounts(mounts_file: Path) -> list[tuple[str, str, str]]:
    """(device, mount point, options) from /proc/mounts, octal escapes undone."""
    out = []
    try:
        text = Path(mounts_file).read_text()
    except OSError:
        return out
    unescape = lambda s: re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), s)  # noqa: E731
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 4:
            out.append((unescape(fields[0]), unescape(fields[1]), fields[3]))
    return out


def find_usb(label: str | tuple[str, ...] = USB_LABELS, *, by_label: Path = Path("/dev/disk/by-label"),
             mounts_file: Path = Path("/proc/self/mounts")) -> tuple[Path | None, Path | None]:
    """(device, writable mount point) of the filesystem with that label (the
    first of several that is there); (None, None) when no such stick is
    plugged in; (device, None) when it is there but not mounted read-write."""
    labels = (label,) if isinstance(label, str) else label
    link = next((Path(by_label) / name for name in labels if os.path.lexists(Path(by_label) / name)), None)
    if link is None:
        return None, None
    device = Path(os.path.realpath(link))
    for source, target, options in _mounts(mounts_file):
        if source.startswith("/") and os.path.realpath(source) == str(device):
            if "rw" in options.split(","):
                return device, Path(target)
    return device, None


def copy_to_usb(backup: Path, *, label: str | tuple[str, ...] = USB_LABELS, by_label: Path = Path("/dev/disk/by-label"),
                mounts_file: Path = Path("/proc/self/mounts"),
                automount: tuple[Path, ...] = (Path("/media/loket-backup"),),
                keep: int = USB_KEEP) -> Path | None:
    """Copy a backup to the stick labelled LABEL (LOKET-BACKUP or LOKETBACKUP), into its folder loket-backups/.

    Where the stick is found: mounted already (the desktop or fstab did it);
    else an automount point (the image's fstab has one for this label, so the
    unprivileged backup service can reach it); else, as root, mounted for the
    copy under a private folder and unmounted after. Returns the copy, or
    None when no stick is present or it cannot be written (logged)."""
    backup = Path(backup)
    device, mount = find_usb(label, by_label=by_label, mounts_file=mounts_file)
    if device is None:
        log.info("backup: no USB stick labelled %s", label)
        return None
    if mount is None:
        for point in automount:
            try:
                os.listdir(point)  # touching an automount point mounts it
            except OSError:
                continue
            _, mount = find_usb(label, by_label=by_label, mounts_file=mounts_file)
            if mount is not None:
                break
    if mount is not None:
        return _copy_into(backup, mount / USB_DIR, keep)
    if os.geteuid() != 0:
        log.warning("backup: the stick %s (%s) is not mounted and only root can mount it", label, device)
        return None
    private = Path(tempfile.mkdtemp(prefix="loket-usb-"))
    try:
        done = subprocess.run(["mount", "-o", "rw,nosuid,nodev,noexec", str(device), str(private)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            log.warning("backup: cannot mount %s: %s", device, done.stderr.strip())
            return None
        try:
            return _copy_into(backup, private / USB_DIR, keep)
        finally:
            subprocess.run(["umount", str(private)], capture_output=True)
    finally:
        try:
            private.rmdir()
        except OSError:
            pass


def _copy_into(backup: Path, folder: Path, keep: int) -> Path | None:
    target = folder / backup.name
    partial = folder / f".{backup.name}.partial"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(backup, partial)
        _fsync_file(partial)
        os.replace(partial, target)
        fsync_dir(folder)  # the stick may be pulled right after
    except OSError as exc:
        log.warning("backup: cannot copy to %s: %s", folder, exc.strerror or exc)
        if exc.errno == errno.ENOSPC:
            try:
                partial.unlink()
            except OSError:
                pass
        return None
    for old in list_backups(folder)[:-keep] if keep else []:
        try:
            old.unlink()
        except OSError:
            pass
    log.info("backup: copied to %s", target)
    return target


# -- checking and restoring ---------------------------------------------------------------

def _schema_head() -> int:
    from ..migrations import HEAD
    return HEAD


def _check_open(path: Path, head: int) -> list[str]:
    problems: list[str] = []
    try:
        conn = sqlite3.connect(path)
    except sqlite3.Error as exc:
        return [f"cannot open it as SQLite: {exc}"]
    try:
        problems += _integrity(conn)
        if problems:
            return problems
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "schema_version" not in tables:
            return problems + ["not a Loket database (it has no schema_version table)"]
        version = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
        if not version:
            problems.append("not a Loket database (its schema_version table is empty)")
        elif version > head:
            problems.append(f"made by a newer Loket (schema version {version}; this Loket knows up to {head}):"
                            " update Loket first")
        else:
            problems += _missing_parts(conn, tables, version)
    except sqlite3.DatabaseError as exc:
        problems.append(f"unreadable: {exc}")
    finally:
        conn.close()
    return problems


def _missing_parts(conn: sqlite3.Connection, tables: set[str], version: int) -> list[str]:
    """What a database at `version` must have and this file lacks: a whole
    Loket database, not only its schema_version."""
    from ..migrations import expected_schema
    expected = expected_schema(version)
    missing = sorted(set(expected) - tables)
    problems = []
    if missing:
        names = ", ".join(missing[:5]) + (", ..." if len(missing) > 5 else "")
        problems.append(f"not a complete Loket database: it lacks {len(missing)} of the {len(expected)} tables"
                        f" ({names})")
    for table in sorted(set(expected) & tables):
        have = {row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')}
        lacking = sorted(expected[table] - have)
        if lacking:
            problems.append(f"not a complete Loket database: the table {table} lacks {', '.join(lacking[:5])}")
    return problems


def _stage(file: Path, folder: Path) -> Path:
    """A private copy to check and swap in: checking never writes beside the
    original (opening can roll back a journal or make -wal/-shm files)."""
    fd, name = tempfile.mkstemp(prefix=".restore-", suffix=".db", dir=folder)
    os.close(fd)
    staged = Path(name)
    try:
        shutil.copyfile(file, staged)
    except OSError:
        staged.unlink()
        raise
    return staged


def _precheck(file: Path) -> list[str]:
    if not file.exists():
        return [f"{file} does not exist"]
    if not file.is_file():
        return [f"{file} is not a file"]
    try:
        with open(file, "rb") as fh:
            header = fh.read(100)
    except OSError as exc:
        return [f"cannot read {file}: {exc.strerror}"]
    if not header.startswith(SQLITE_MAGIC):
        return ["not an SQLite database"]
    if len(header) < 100:
        return ["truncated: shorter than an SQLite header"]
    return []


def check_backup(file: Path, *, head: int | None = None) -> list[str]:
    """Problems that make FILE unfit to restore; empty when it is fine. Never
    changes FILE."""
    file = Path(file)
    problems = _precheck(file)
    if problems:
        return problems
    head = _schema_head() if head is None else head
    with tempfile.TemporaryDirectory(prefix="loket-check-") as tmp:
        try:
            staged = _stage(file, Path(tmp))
        except OSError as exc:
            return [f"cannot read {file}: {exc.strerror or exc}"]
        return _check_open(staged, head)


def holders(db_path: Path) -> list[int]:
    """Other processes that have the database (or its -wal) open, as far as
    /proc lets this user see."""
    wanted = {os.path.realpath(db_path), os.path.realpath(str(db_path) + "-wal")}
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            for fd in (entry / "fd").iterdir():
                try:
                    if os.readlink(fd) in wanted:
                        found.append(int(entry.name))
                        break
                except OSError:
                    continue
        except OSError:
            continue
    return found


def restore(file: Path, db_path: Path, *, now: dt.datetime | None = None, head: int | None = None,
            check_holders: bool = True) -> Path | None:
    """Replace the database at DB_PATH with FILE.

    Refuses with RestoreError (nothing changed) when FILE has any problem
    (see check_backup) or another process has the database open. The current
    database is kept as `loket.db.before-restore-<UTC time>` (with its -wal
    and -shm, if any are left). Returns that path, or None when there was no
    database before."""
    file, db_path = Path(file), Path(db_path)
    head = _schema_head() if head is None else head
    problems = _precheck(file)
    if problems:
        raise RestoreError(f"cannot restore {file}: {problems[0]}", problems)
    if check_holders and db_path.exists():
        pids = holders(db_path)
        if pids:
            raise RestoreError(f"the database is in use (process {', '.join(map(str, pids))}): "
                               "stop loket-web and loket-worker first")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        staged = _stage(file, db_path.parent)  # same filesystem: the swap is one rename
    except OSError as exc:
        raise RestoreError(f"cannot copy {file} into {db_path.parent}: {exc.strerror or exc}") from None
    try:
        problems = _check_open(staged, head)
        if problems:
            raise RestoreError(f"cannot restore {file}: {'; '.join(problems[:3])}", problems)
        conn = sqlite3.connect(staged)
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.close()
        _match_owner(staged, db_path)
        _fsync_file(staged)
        aside = None
        if db_path.exists():
            # Fold the WAL into the old file so the copy kept aside is whole,
            # and so no old -wal is ever applied to the new database.
            try:
                old = sqlite3.connect(db_path, timeout=10)
                old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                old.close()
            except sqlite3.Error as exc:
                log.warning("restore: could not checkpoint the old database: %s", exc)
            aside = db_path.with_name(f"{db_path.name}.before-restore-{_now(now).strftime(STAMP)}")
            n = 1
            while aside.exists():
                aside = aside.with_name(f"{db_path.name}.before-restore-{_now(now).strftime(STAMP)}-{n}")
                n += 1
            os.link(db_path, aside)  # the old file stays in place until the swap
        for extra in ("-wal", "-shm", "-journal"):
            side = Path(str(db_path) + extra)
            if side.exists():
                if aside is not None:
                    os.replace(side, Path(str(aside) + extra))
                else:
                    side.unlink()
        os.replace(staged, db_path)
        fsync_dir(db_path.parent)
    except RestoreError:
        raise
    except (OSError, sqlite3.Error) as exc:
        raise RestoreError(f"restore failed before the swap: {exc}") from None
    finally:
        if staged.exists():
            staged.unlink()
    log.info("restore: %s is now %s (old one kept as %s)", file, db_path, aside)
    return aside


def _match_owner(path: Path, like: Path) -> None:
    """Root restoring for the loket user: the new file must stay theirs."""
    if os.geteuid() != 0:
        return
    st = (like if like.exists() else like.parent).stat()
    os.chown(path, st.st_uid, st.st_gid)
    os.chmod(path, stat.S_IMODE(st.st_mode) if like.exists() else 0o640)


# -- a restore chosen in the web UI ------------------------------------------------------

def stage_restore(file: Path, db_path: Path) -> list[str]:
    """For the UI: check an uploaded file and, when it is fine, place it as
    DATA_DIR/restore-pending.db; loket-restore.path sees it, stops the
    services, runs `apply_pending()`, and starts them again. Returns the
    problems (nothing staged) or an empty list."""
    problems = check_backup(file)
    if problems:
        return problems
    pending = Path(db_path).parent / PENDING
    tmp = pending.with_name(PENDING + ".partial")
    shutil.copyfile(file, tmp)
    _fsync_file(tmp)
    os.replace(tmp, pending)
    return []


def has_pending(db_path: Path) -> bool:
    return (Path(db_path).parent / PENDING).exists()


def apply_pending(db_path: Path, *, now: dt.datetime | None = None) -> Path | None:
    """Restore DATA_DIR/restore-pending.db if there is one (it is removed
    either way, so a bad file does not loop). Returns restore()'s result;
    raises RestoreError when it was refused."""
    pending = Path(db_path).parent / PENDING
    if not pending.exists():
        return None
    try:
        return restore(pending, db_path, now=now)
    finally:
        pending.unlink(missing_ok=True)
