"""The owner's and the technician's verbs: settings, the database, staff
logins, backups and restores, offline updates, the clock, the first boot and
growing the root partition."""

from __future__ import annotations

import getpass
import json
import os
import signal
import sys
from pathlib import Path

from .. import settings as settings_module
from .errors import EXIT_FAIL, EXIT_USAGE, CLIError
from .wiring import load_settings, open_database, prepare_data_dir, sqlite_file, sqlite_path


def cmd_settings(args) -> int:
    if args.markdown:
        sys.stdout.write(settings_module.as_markdown())
        return 0
    settings = load_settings(args)
    if args.json:
        print(json.dumps({s.name: {"value": value, "default": s.default, "source": source, "help": s.help,
                                   "group": s.group, "owner": s.owner}
                          for s, value, source in settings.items()}, indent=2, default=str))
        return 0
    group = None
    for s, value, source in settings.items():
        if s.group != group:
            group = s.group
            print(f"# {settings_module.GROUPS[group]}")
        print(f"{s.name} = {value!r}  [{source}; default {s.default!r}]")
        owner = " The owner may change it on the Settings page (Shop)." if s.owner else ""
        print(f"    {s.help}{owner}")
    return 0


def cmd_db(args) -> int:
    settings = load_settings(args)
    prepare_data_dir(settings)
    import peewee

    from .. import migrations
    database = open_database(settings, migrate=args.action == "migrate")
    if args.action == "migrate":
        print(f"schema version {migrations.current_version(database)} (newest {migrations.HEAD})")
        return 0
    try:
        problems = migrations.check(database)
    except peewee.DatabaseError as exc:
        problems = [f"the database cannot be read: {exc}"]
    for problem in problems:
        print(problem)
    if problems:
        return EXIT_FAIL
    print(f"ok: schema version {migrations.HEAD}, integrity check passed")
    return 0


def cmd_user_add(args) -> int:
    settings = load_settings(args)
    prepare_data_dir(settings)
    open_database(settings)
    from .. import auth
    generated = False
    if args.generate or not sys.stdin.isatty():
        password, generated = auth.generate_password(), True
    else:
        password = getpass.getpass(f"Password for {args.name}: ")
        if getpass.getpass("Again: ") != password:
            raise CLIError("the two passwords differ; nothing was changed")
    try:
        auth.create_user(args.name, password, args.role)
    except auth.AuthError as exc:
        raise CLIError(str(exc)) from None
    print(f"created {args.role} {args.name}")
    if generated:
        print(f"password: {password}  (shown once: write it down)")
    return 0


def cmd_backup(args) -> int:
    """An online backup into DATA_DIR/backups (and a USB stick labelled LOKET-BACKUP)."""
    settings = load_settings(args)
    from ..box import backup
    try:
        made = backup.backup(sqlite_path(settings), settings.data_path / "backups", keep_days=args.keep_days)
    except backup.BackupError as exc:
        raise CLIError(str(exc)) from None
    print(made)
    if not args.no_usb:
        copied = backup.copy_to_usb(made)
        print(f"copied to {copied}" if copied else "no USB stick labelled LOKET-BACKUP or LOKETBACKUP: kept on the box only",
              file=sys.stderr)
    return 0


def cmd_restore(args) -> int:
    """Replace the database with a backup, after checking it; the old one is kept aside."""
    settings = load_settings(args)
    from ..box import backup
    target = sqlite_path(settings)
    if args.pending:  # loket-restore.service: the file the UI checked and staged
        if not backup.has_pending(target):
            print("no restore is staged")
            return 0
        try:
            kept = backup.apply_pending(target)
        except backup.RestoreError as exc:
            raise CLIError(f"the staged restore was refused: {exc}") from None
        print("restored the staged backup" + (f"; the previous database is kept as {kept}" if kept else ""))
        return 0
    if not args.file:
        raise CLIError("name the backup file to restore (or --pending)", EXIT_USAGE)
    problems = backup.check_backup(Path(args.file))
    if problems:
        raise CLIError(f"{args.file} cannot be restored: {'; '.join(problems)}")
    busy = backup.holders(target)
    if busy:
        raise CLIError(f"the database is in use (processes {', '.join(map(str, busy))}): stop loket-web and "
                       "loket-worker first (systemctl stop loket-web loket-worker), or stop `loket run`")
    try:
        kept = backup.restore(Path(args.file), target)
    except backup.RestoreError as exc:
        raise CLIError(str(exc)) from None
    print(f"restored {args.file}; the previous database is kept as {kept}")
    return 0


def _update_context(settings, say=print):
    from ..box import update
    return update.Context(releases=update.Releases(Path(settings.release_dir)), public_key=Path(settings.release_key),
                          data_dir=settings.data_path, db_path=sqlite_file(settings),
                          services=update.SystemdServices(settings.port),
                          health_seconds=settings.update_check_seconds, say=say)


def cmd_update(args) -> int:
    """Offline updates: check a bundle, install one, or the staged or USB ones."""
    settings = load_settings(args)
    from ..box import bundle, update
    say = lambda line: print(line, flush=True)
    try:
        if args.update_verb == "check":
            manifest = bundle.read_bundle(Path(args.file), Path(settings.release_key))
            print(f"ok: Loket {manifest.version} for {manifest.machine}, Python {manifest.python}, "
                  f"schema {manifest.schema}, {len(manifest.wheels)} wheels, signature and checksums good")
            return 0
        if args.update_verb == "status":
            releases = update.Releases(Path(settings.release_dir))
            print(f"running: {bundle.running_version()}")
            print(f"installed: {', '.join(releases.installed()) or 'none in ' + str(releases.dir)}")
            print(f"current: {releases.current() or '-'}  previous: {releases.previous() or '-'}")
            last = update.read_status(settings.data_path)
            if last.get("outcome"):
                print(f"last update: {last.get('outcome')} {last.get('bundle')} at {last.get('finished')}"
                      + (f": {last['reason']}" if last.get("reason") else ""))
            return 0
        ctx = _update_context(settings, say)
        if args.update_verb == "install":
            files = [Path(args.file)]
        elif args.update_verb == "pending":  # loket-update.service, started by loket-update.path
            files = update.pending(settings.data_path)
            if not files:
                print("no update is staged")
                return 0
        else:  # scan: loket-update-usb.service, when the backup stick appears
            # Only copied off the stick here (the stick may be pulled, or
            # unmounted when idle); loket-update.path then starts the install.
            folder = Path(args.folder)
            found, notes = update.find_on_stick(folder, ctx.public_key, settings.data_path, ctx.releases.current())
            for note in notes:
                print(f"passed over {note}")
            if found is None:
                print(f"no new update in {folder}")
                return 0
            staged = update.stage(found, settings.data_path, ctx.public_key)
            print(f"staged {found.name} (Loket {staged.version}) for loket-update.service")
            return 0
        # systemd stops a unit with SIGTERM (a shutdown during an update):
        # unwind through apply(), which puts the old release back.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        outcome = None
        for file in files:
            try:
                status = update.apply(file, ctx, allow_downgrade=getattr(args, "allow_downgrade", False))
            finally:
                if args.update_verb == "pending":
                    file.unlink(missing_ok=True)  # tried once, whatever the outcome: no loop
            outcome = status["outcome"]
            print(f"{file.name}: {outcome}" + (f" ({status['reason']})" if status.get("reason") else ""))
        return 0 if outcome == "installed" else EXIT_FAIL
    except update.UpdateError as exc:
        raise CLIError(str(exc)) from None
    except OSError as exc:
        raise CLIError(f"update: {exc.filename or ''} {exc.strerror}".replace("  ", " ")) from None


def cmd_clock(args) -> int:
    """The Pi has no clock battery: save the time at shutdown, restore it at
    boot (forward only), and set it from the modem's network time."""
    settings = load_settings(args)
    from ..box import timekeeping
    path = timekeeping.clock_file(settings.data_path)
    if args.action == "save":
        print(f"saved {timekeeping.save_time(path).isoformat(timespec='seconds')}")
        return 0
    if args.action == "restore":
        try:
            moved = timekeeping.restore_time(path)
        except PermissionError:
            raise CLIError("setting the clock needs root (or CAP_SYS_TIME)") from None
        print(f"clock moved forward to {moved.isoformat(timespec='seconds')}" if moved else "clock left as it is")
        return 0
    network_time = _latest_network_time(settings)
    if network_time is None:
        raise CLIError("no network time from a modem yet: is the worker running, is the modem registered?")
    trusted = timekeeping.sync_from_modem(network_time, settings.data_path, set_clock=timekeeping.can_set_clock())
    print(f"network time {network_time.isoformat(timespec='seconds')}: clock "
          + ("trusted" if trusted else "not changed (NTP is in charge, or this user may not set it)"))
    return 0 if trusted else EXIT_FAIL


def _latest_network_time(settings):
    import datetime as dt
    newest = None
    folder = settings.data_path / "status"
    for path in folder.glob("*.json") if folder.is_dir() else []:
        try:
            value = json.loads(path.read_text()).get("network_time")
            moment = dt.datetime.fromisoformat(value) if value else None
        except (OSError, ValueError):
            continue
        if moment and (newest is None or moment > newest):
            newest = moment
    return newest


def cmd_firstboot(args) -> int:
    """Once per device: the database, a per-device secret, the one-time setup code."""
    import secrets as pysecrets
    settings = load_settings(args)
    data = prepare_data_dir(settings)
    open_database(settings)
    secret = data / "secret.key"
    if not secret.exists():
        fd = os.open(secret, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(pysecrets.token_hex(32) + "\n")
    from ..webui.setup import setup_code
    code = setup_code(data)
    if code:
        print(f"Loket is ready for its owner: open http://loket.local/ (or this box's address) and enter the "
              f"setup code {code}", flush=True)
    (data / ".firstboot-done").write_text("done\n")
    return 0


def cmd_grow_root(args) -> int:
    """The appliance: grow the root partition and file system to fill the SD card."""
    from ..box import growroot
    try:
        plan = growroot.plan()
        if not plan.worth_it:
            print(f"{plan.partition}: nothing to grow ({plan.free_bytes // 1048576} MiB free behind it"
                  + (", another partition follows" if plan.others_after else "") + ")")
        elif args.dry_run:
            print(f"{plan.partition} would grow by {plan.free_bytes // 1048576} MiB")
        if args.dry_run:
            return 0
        for line in growroot.grow(plan):
            print(line)
    except (growroot.GrowError, OSError, ValueError) as exc:
        raise CLIError(f"the root cannot grow: {exc}") from None
    return 0
