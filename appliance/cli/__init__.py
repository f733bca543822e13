"""`loket`: the command line, and the composition root.

This package is the only place that wires the pieces together (wiring.py:
settings -> database -> job queue -> modems -> worker, and settings ->
database -> job queue -> web app). Here: the parser and `main`; the verbs
live by role in serving.py (run, web, worker), admin.py (settings, db, user,
backup, restore, update, clock, firstboot, grow-root) and devtools.py (sim,
demo, pdu, modem). Every failure a person can cause (a bad option, a bad
setting, a busy port, an unwritable folder) ends in one line that says what
is wrong and how to fix it, and a non-zero exit; never a traceback.
"""

from __future__ import annotations

import argparse
import sys

from ..settings import SettingsError
from .admin import (cmd_backup, cmd_clock, cmd_db, cmd_firstboot, cmd_grow_root, cmd_restore, cmd_settings,
                    cmd_update, cmd_user_add)
from .devtools import (cmd_demo, cmd_modem_detect, cmd_modem_sim, cmd_modem_status, cmd_pdu_decode, cmd_pdu_encode,
                       cmd_sim_call, cmd_sim_inbox, cmd_sim_text)
from .errors import EXIT_FAIL, EXIT_USAGE, CLIError
from .moving import cmd_import_smsd
from .serving import cmd_hooks, cmd_run, cmd_web, cmd_worker


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, not a usage dump
        raise CLIError(f"{message} (see `{self.prog} --help`)", EXIT_USAGE)


class _Version(argparse.Action):
    """--version, looked up only when asked (not on every start of the web or the worker)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        from ..box.bundle import running_version
        print(f"loket {running_version()}")
        parser.exit()


# -- the parser ------------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument("--config", metavar="FILE", help="TOML settings file (default: $LOKET_CONFIG or /etc/loket/loket.toml)")
    common.add_argument("--data-dir", metavar="D", dest="data_dir", help="folder for the database and queue")
    common.add_argument("-v", "--verbose", action="store_true", help="log more")

    serving = _Parser(add_help=False)
    serving.add_argument("--host", metavar="H", help="address to listen on")
    serving.add_argument("--port", metavar="P", help="port to listen on")

    parser = _Parser(prog="loket", description="Loket: an offline SMS CRM for small shops.")
    parser.add_argument("--version", action=_Version, help="print the running release and exit")
    verbs = parser.add_subparsers(dest="verb", metavar="COMMAND", parser_class=_Parser)
    verbs.required = True

    run = verbs.add_parser("run", parents=[common, serving], help="web + worker + simulated modem, for a laptop or demo")
    run.add_argument("--demo", choices=("spa", "parts", "isp", "shop", "service", "none"), default="spa",
                     help="which demo shop to seed in an empty data dir (default spa; none: start with the "
                          "first-run wizard)")
    run.set_defaults(func=cmd_run)
    verbs.add_parser("web", parents=[common, serving], help="serve the web UI (waitress)").set_defaults(func=cmd_web)
    verbs.add_parser("worker", parents=[common], help="run the job queue and own the modems").set_defaults(func=cmd_worker)
    verbs.add_parser("hooks", parents=[common], help="send the webhooks' deliveries (the worker starts it)"
                     ).set_defaults(func=cmd_hooks)

    sim = verbs.add_parser("sim", help="be a customer of the simulated modem")
    sim_verbs = sim.add_subparsers(dest="sim_verb", metavar="ACTION", parser_class=_Parser)
    sim_verbs.required = True
    text = sim_verbs.add_parser("text", parents=[common], help="text the shop and print the replies")
    text.add_argument("number", metavar="NUMBER")
    text.add_argument("message", metavar="MESSAGE")
    text.add_argument("--wait", type=float, default=10.0, metavar="SECONDS",
                      help="how long to wait for replies (default 10)")
    text.set_defaults(func=cmd_sim_text)
    call = sim_verbs.add_parser("call", parents=[common],
                                help="call the shop (a missed call: it is rejected) and print any SMS it sends")
    call.add_argument("number", metavar="NUMBER")
    call.add_argument("--wait", type=float, default=10.0, metavar="SECONDS",
                      help="how long to wait for the call to end and an SMS (default 10)")
    call.set_defaults(func=cmd_sim_call)
    inbox = sim_verbs.add_parser("inbox", parents=[common], help="everything a phone has received")
    inbox.add_argument("number", metavar="NUMBER")
    inbox.set_defaults(func=cmd_sim_inbox)

    st = verbs.add_parser("settings", parents=[common], help="every setting with its value, default and help")
    st.add_argument("--markdown", action="store_true", help="print the settings reference page")
    st.add_argument("--json", action="store_true", help="print as JSON")
    st.set_defaults(func=cmd_settings)

    database = verbs.add_parser("db", help="database maintenance")
    db_verbs = database.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser)
    db_verbs.required = True
    db_verbs.add_parser("migrate", parents=[common], help="bring the schema up to date").set_defaults(func=cmd_db)
    db_verbs.add_parser("check", parents=[common], help="integrity and schema check").set_defaults(func=cmd_db)

    user = verbs.add_parser("user", help="staff logins")
    user_verbs = user.add_subparsers(dest="user_verb", metavar="ACTION", parser_class=_Parser)
    user_verbs.required = True
    add = user_verbs.add_parser("add", parents=[common], help="create a staff login")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", required=True, choices=("owner", "admin", "frontdesk", "technician", "viewer"))
    add.add_argument("--generate", action="store_true", help="generate the password and print it once")
    add.set_defaults(func=cmd_user_add)

    backup_cmd = verbs.add_parser("backup", parents=[common], help="an online backup of the database")
    backup_cmd.add_argument("--keep-days", type=int, default=14, metavar="N", help="days of backups to keep")
    backup_cmd.add_argument("--no-usb", action="store_true", help="do not copy to a USB stick")
    backup_cmd.set_defaults(func=cmd_backup)
    restore_cmd = verbs.add_parser("restore", parents=[common], help="replace the database with a checked backup")
    restore_cmd.add_argument("file", metavar="FILE", nargs="?")
    restore_cmd.add_argument("--pending", action="store_true", help="apply the restore staged in the web UI")
    restore_cmd.set_defaults(func=cmd_restore)

    update_cmd = verbs.add_parser("update", help="offline updates from a signed release bundle")
    update_verbs = update_cmd.add_subparsers(dest="update_verb", metavar="ACTION", parser_class=_Parser)
    update_verbs.required = True
    check = update_verbs.add_parser("check", parents=[common], help="check a bundle's signature and checksums")
    check.add_argument("file", metavar="BUNDLE")
    install = update_verbs.add_parser("install", parents=[common],
                                      help="install a bundle, switch to it, roll back if it does not come up")
    install.add_argument("file", metavar="BUNDLE")
    install.add_argument("--allow-downgrade", action="store_true", help="install an older release too")
    update_verbs.add_parser("pending", parents=[common], help="install the bundle staged in the web UI")
    scan = update_verbs.add_parser("scan", parents=[common],
                                   help="stage the newest new bundle on the USB stick for loket-update.service")
    scan.add_argument("folder", metavar="FOLDER", nargs="?", default="/media/loket-backup/loket-updates")
    update_verbs.add_parser("status", parents=[common], help="installed releases and the last update's outcome")
    update_cmd.set_defaults(func=cmd_update)

    clock_cmd = verbs.add_parser("clock", help="the box's clock: save, restore, set from the modem")
    clock_verbs = clock_cmd.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser)
    clock_verbs.required = True
    clock_verbs.add_parser("save", parents=[common], help="save the time (at shutdown)").set_defaults(func=cmd_clock)
    clock_verbs.add_parser("restore", parents=[common], help="move the clock forward to the saved time (at boot)"
                           ).set_defaults(func=cmd_clock)
    clock_verbs.add_parser("sync", parents=[common], help="set the clock from the modem's network time and trust it"
                           ).set_defaults(func=cmd_clock)
    verbs.add_parser("firstboot", parents=[common], help="first boot: device secret and the setup code"
                     ).set_defaults(func=cmd_firstboot)

    grow = verbs.add_parser("grow-root", help="grow the root partition to fill the SD card (the appliance, at boot)")
    grow.add_argument("--dry-run", action="store_true", help="say what would grow, change nothing")
    grow.set_defaults(func=cmd_grow_root)
    demo_cmd = verbs.add_parser("demo", parents=[common], help="fill a data dir with a big shop, for scale tests")
    demo_cmd.add_argument("--customers", type=int, default=1000, metavar="N")
    demo_cmd.add_argument("--messages", type=int, default=10000, metavar="M")
    demo_cmd.add_argument("--seed", type=int, default=7)
    demo_cmd.set_defaults(func=cmd_demo)

    import_cmd = verbs.add_parser("import", help="move a shop in from its old SMS software")
    import_verbs = import_cmd.add_subparsers(dest="import_verb", metavar="FROM", parser_class=_Parser)
    import_verbs.required = True
    smsd = import_verbs.add_parser("smsd", parents=[common],
                                   help="customers and messages from a Gammu SMSD database (Kalkun, playSMS too)")
    smsd.add_argument("source", metavar="SOURCE",
                      help="an SQLite file, or mysql://user:pass@host:port/db, or postgresql://…")
    smsd.add_argument("--dry-run", action="store_true", help="count and report, write nothing")
    smsd.set_defaults(func=cmd_import_smsd)

    pdu_cmd = verbs.add_parser("pdu", help="decode and encode SMS PDUs (for technicians)")
    pdu_verbs = pdu_cmd.add_subparsers(dest="pdu_verb", metavar="ACTION", parser_class=_Parser)
    pdu_verbs.required = True
    decode = pdu_verbs.add_parser("decode", help="PDU hex (arguments, or one per line on stdin) -> JSON lines")
    decode.add_argument("pdu", nargs="*", metavar="PDU")
    decode.set_defaults(func=cmd_pdu_decode)
    pdu_verbs.add_parser("encode", help="JSON lines on stdin ({number, text, smsc?, class?, status_report?}) "
                                        "-> PDU hex per part").set_defaults(func=cmd_pdu_encode)

    modem = verbs.add_parser("modem", help="modems: the simulator, detection, status")
    modem_verbs = modem.add_subparsers(dest="modem_verb", metavar="ACTION", parser_class=_Parser)
    modem_verbs.required = True
    msim = modem_verbs.add_parser("sim", parents=[common], help="a simulated GSM modem on a pty")
    msim.add_argument("--link", metavar="PATH", help="make a symlink to the pty at PATH")
    msim.add_argument("--network", metavar="DIR", help="the simulated network's folder (default: DATA_DIR/sim)")
    msim.add_argument("--profile", choices=("instant", "realistic"), default="instant")
    msim.add_argument("--identity", choices=("quectel-ec25", "huawei-e3372", "huawei-e173", "sim800"),
                      default="quectel-ec25")
    msim.add_argument("--pin", metavar="PIN", help="the simulated SIM asks for this PIN")
    msim.set_defaults(func=cmd_modem_sim)
    mstatus = modem_verbs.add_parser("status", parents=[common], help="each modem's health, as the worker sees it")
    mstatus.add_argument("--port", metavar="PORT", help="probe this serial port directly instead")
    mstatus.set_defaults(func=cmd_modem_status)
    detect = modem_verbs.add_parser("detect", parents=[common], help="find modems on the serial ports")
    detect.add_argument("--timeout", type=float, default=1.0, metavar="SECONDS")
    detect.set_defaults(func=cmd_modem_detect)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return args.func(args) or 0
    except CLIError as exc:
        print(f"loket: {exc}", file=sys.stderr)
        return exc.code
    except SettingsError as exc:
        print(f"loket: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        import peewee
        if isinstance(exc, peewee.DatabaseError):
            print(f"loket: database error: {exc} (try `loket db check`, or restore a backup)", file=sys.stderr)
            return EXIT_FAIL
        raise
