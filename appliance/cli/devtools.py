"""Developer and technician tools: be a customer of the simulated modem
(`loket sim`), fill a data dir with a big shop (`loket demo`), decode and
encode PDUs (`loket pdu`), and the modems: a simulated one, detection,
status (`loket modem`)."""

from __future__ import annotations

import datetime as dt
import json
import signal
import sys
import threading
import time
from pathlib import Path

from .errors import EXIT_FAIL, CLIError
from .wiring import load_settings, open_database, prepare_data_dir


def _sim_number(raw: str, settings) -> str:
    from ..phone import PhoneError, normalise
    try:
        return normalise(raw, settings.default_region)
    except PhoneError:
        return raw.strip()  # a short code or a name: the network lets it through


def cmd_sim_text(args) -> int:
    settings = load_settings(args)
    from ..modem.network import SimNetwork
    network = SimNetwork(settings.sim_path)
    sender = _sim_number(args.number, settings)
    before = len(network.received(sender))
    started = time.time()
    pending = network.text_shop(sender, args.message)
    deadline = time.monotonic() + args.wait
    shown = before
    quiet_since = None
    while time.monotonic() < deadline:
        received = network.received(sender)
        for sms in received[shown:]:
            print(sms.get("text", ""), flush=True)
        if len(received) > shown:
            shown, quiet_since = len(received), None
        if not pending.exists() and (shown > before or _read_since(settings, sender, started)):
            # The shop answered (or read the text and owes no answer, a
            # "thanks"): stop once it has nothing more on the way.
            if _settled(settings, sender):
                quiet_since = quiet_since or time.monotonic()
                if time.monotonic() - quiet_since > 0.3:
                    break
        time.sleep(0.05)
    if shown == before:
        if _read_since(settings, sender, started):
            print("loket: the shop read the text and sent no reply", file=sys.stderr)
        else:
            print(f"loket: no reply within {args.wait:g} s (is `loket run` or `loket worker` running with "
                  f"--data-dir {settings.data_path}?)", file=sys.stderr)
        return EXIT_FAIL
    return 0


def _read_since(settings, phone: str, since: float) -> bool:
    """The shop has read and handled a text of this phone's sent since `since` (a wall-clock time)."""
    import datetime as dt

    import peewee

    from .. import db
    from ..models import Message
    if not settings.database_url and not (settings.data_path / "loket.db").exists():
        return False
    try:
        db.connect(settings.db_url, synchronous=settings.sqlite_synchronous)
        after = dt.datetime.fromtimestamp(since, dt.timezone.utc)
        return Message.select().where((Message.phone == phone) & (Message.direction == "in")
                                      & (Message.state == "handled") & (Message.updated_at >= after)).exists()
    except (db.DatabaseError, peewee.DatabaseError):
        return False


def _settled(settings, phone: str) -> bool:
    """Nothing more is on its way to this phone: no reply queued or sending,
    no text of theirs waiting to be read. Without a readable database (the
    shop runs elsewhere), a short silence has to do."""
    import peewee

    from .. import db
    from ..models import InboundPart, Message
    if not settings.database_url and not (settings.data_path / "loket.db").exists():
        return True
    try:
        db.connect(settings.db_url, synchronous=settings.sqlite_synchronous)
        busy = Message.select().where(
            (Message.phone == phone)
            & (((Message.direction == "out") & Message.state.in_(["queued", "sending"]))
               | ((Message.direction == "in") & (Message.state == "received")))).exists()
        loose = InboundPart.select().where(
            (InboundPart.sender == phone) & InboundPart.message.is_null()).exists()
    except (db.DatabaseError, peewee.DatabaseError):
        return True
    return not busy and not loose


def cmd_sim_call(args) -> int:
    """A customer's missed call: the simulated modem rings until the shop rejects it."""
    settings = load_settings(args)
    from ..modem.network import SimNetwork
    network = SimNetwork(settings.sim_path)
    caller = _sim_number(args.number, settings)
    before_sms, before_calls = len(network.received(caller)), len(network.calls())
    pending = network.call_shop(caller)
    deadline = time.monotonic() + args.wait
    ended = None
    while time.monotonic() < deadline:
        if ended is None:
            ended = next((c for c in network.calls()[before_calls:] if c.get("number") == caller), None)
            if ended is not None:
                print(f"loket: the call was {ended.get('ended')} after {ended.get('rings')} ring(s)", flush=True)
        received = network.received(caller)
        if ended is not None and len(received) > before_sms:
            for sms in received[before_sms:]:
                print(sms.get("text", ""), flush=True)
            return 0
        time.sleep(0.05)
    if ended is None:
        if pending.exists():
            pending.unlink(missing_ok=True)  # nobody took the call: it was never placed
        print(f"loket: nobody took the call within {args.wait:g} s (is `loket run` or `loket worker` running "
              f"with --data-dir {settings.data_path} and the sim modem?)", file=sys.stderr)
        return EXIT_FAIL
    print("loket: no SMS came (the shop's missed_call_action may be ignore)", file=sys.stderr)
    return 0


def cmd_sim_inbox(args) -> int:
    settings = load_settings(args)
    from ..modem.network import SimNetwork
    for sms in SimNetwork(settings.sim_path).received(_sim_number(args.number, settings)):
        print(f"{sms.get('at', '')}  {sms.get('text', '')}")
    return 0


def cmd_demo(args) -> int:
    """Fill a data dir with a big shop: customers and years of messages."""
    settings = load_settings(args)
    prepare_data_dir(settings)
    open_database(settings)
    if args.customers < 0 or args.messages < 0 or args.customers > 10_000_000 or args.messages > 100_000_000:
        raise CLIError("choose between 0 and 10 million customers, 0 and 100 million messages")
    if args.messages and not args.customers:
        raise CLIError("messages need customers: give --customers too")
    from .. import generator
    started = time.monotonic()
    generator.generate(args.customers, args.messages, seed=args.seed,
                       progress=lambda line: print(line, file=sys.stderr, flush=True))
    from .. import daily, shopdata
    daily.backfill(shopdata.live(settings).tz, pause=0)  # the reports' numbers per day, as an upgrade counts them
    print(f"added {args.customers} customers and {args.messages} messages in {time.monotonic() - started:.0f} s")
    return 0


def cmd_pdu_decode(args) -> int:
    """PDU hex per line (stdin or arguments) -> one JSON object per line."""
    from ..modem import pdu
    lines = args.pdu or sys.stdin.read().split()
    failed = 0
    for n, line in enumerate(lines, 1):
        try:
            print(json.dumps(pdu.decode(line.strip()).to_json(), ensure_ascii=False), flush=True)
        except pdu.PDUError as exc:
            failed += 1
            print(json.dumps({"error": str(exc), "line": n, "pdu": line.strip()[:400]}), flush=True)
    return EXIT_FAIL if failed else 0


def cmd_pdu_encode(args) -> int:
    """One JSON object per line in -> PDU hex per part out, one per line."""
    from ..modem import pdu
    failed = 0
    for n, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            if not isinstance(request, dict):
                raise ValueError("expected a JSON object")
            parts = pdu.encode_submit(
                str(request["number"]), str(request["text"]), smsc=request.get("smsc"),
                message_class=request.get("class"), status_report=bool(request.get("status_report", False)),
                validity_minutes=request.get("validity_minutes"))
        except KeyError as exc:
            failed += 1
            print(f"loket: line {n}: missing {exc.args[0]!r}", file=sys.stderr)
            continue
        except (ValueError, TypeError, RecursionError) as exc:  # PDUError is a ValueError; JSON nested too deep
            failed += 1
            print(f"loket: line {n}: {str(exc)[:200]}", file=sys.stderr)
            continue
        for part in parts:
            print(part, flush=True)
    return EXIT_FAIL if failed else 0


def cmd_modem_sim(args) -> int:
    """A simulated GSM modem on a pty, whose customers are `loket sim`'s."""
    from ..modem import atsim
    settings = load_settings(args)
    network = Path(args.network) if args.network else settings.sim_path
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    try:
        handle = atsim.serve(args.link, str(network), args.profile, identity=args.identity,
                             pin=args.pin or None)
    except OSError as exc:
        raise CLIError(f"cannot start the simulated modem: {exc}") from None
    try:
        print(handle.path, flush=True)
        if args.link:
            print(f"linked at {args.link}; customers: loket sim text NUMBER TEXT --data-dir ...",
                  file=sys.stderr, flush=True)
        while not stopping.wait(0.5):
            pass
    finally:
        handle.stop()
    return 0


def cmd_modem_status(args) -> int:
    """What the worker last recorded about each modem, or a direct probe of a port."""
    settings = load_settings(args)
    if args.port:
        from ..modem.at_driver import ATDriver, probe
        found = probe(args.port, timeout=2.0)
        if not found:
            raise CLIError(f"nothing answers AT commands on {args.port} (is the worker using it?)")
        driver = ATDriver(args.port, pin=settings.sim_pin)
        from ..modem.base import ModemError
        try:
            with driver:
                status = driver.status().as_dict()
        except ModemError as exc:
            raise CLIError(f"{args.port}: {exc}") from None
        print(json.dumps({"port": args.port, **found, **status}, indent=2, default=str))
        return 0 if status.get("ok") else EXIT_FAIL
    import datetime as dt
    folder = settings.data_path / "status"
    rows = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            rows.append(json.loads(path.read_text()))
        except (OSError, ValueError):
            continue
    # A modem taken out of the `modems` setting leaves its last report behind: say so, do not count it.
    from ..modem.drivers import modem_names, slug
    configured = {slug(name) for name in modem_names(settings.modems)}
    for row in [r for r in rows if r.get("modem") not in configured]:
        print(f"{row.get('modem')}: no longer in the modems setting (its last report is ignored)")
        rows.remove(row)
    if not rows:
        raise CLIError(f"no modem has reported in {settings.data_path} yet: is `loket worker` running?")
    healthy = True
    now = dt.datetime.now(dt.timezone.utc)
    for row in rows:
        age = (now - dt.datetime.fromisoformat(row["at"])).total_seconds()
        stale = age > max(120.0, 3 * settings.modem_check_seconds)
        healthy &= bool(row.get("ok")) and not stale
        print(f"{row['modem']}: {'ok' if row.get('ok') and not stale else 'NOT OK'}")
        for key in ("manufacturer", "model", "imei", "operator", "registration", "signal_dbm", "signal_percent",
                    "sim", "storage_used", "storage_total", "network_time", "error"):
            if row.get(key) not in (None, ""):
                print(f"  {key}: {row[key]}")
        # An ok report is a conversation with the modem; a failed one is only the worker's word.
        what = "last contact" if row.get("ok") else "reported by the worker"
        print(f"  {what}: {age:.0f} s ago{' (stale: is the worker running?)' if stale else ''}")
        credit = _credit(settings, row["modem"])
        if credit:
            print(f"  credit: {credit}")
    return 0 if healthy else EXIT_FAIL


def _credit(settings, modem: str) -> str:
    """The SIM's balance as the worker last read it (USSD or the operator's SMS); '' when unknown."""
    import peewee

    from .. import db, shopdata, simcredit
    if not settings.database_url and not (settings.data_path / "loket.db").exists():
        return ""
    try:
        db.connect(settings.db_url, synchronous=settings.sqlite_synchronous)
        shopdata.use(settings)
        entry = simcredit.latest(modem)
        if not entry:
            return "not known yet (asked by USSD every credit_check_hours)"
        now = dt.datetime.now(dt.timezone.utc)
        text = (f"Rp{simcredit.rupiah(simcredit.remaining(entry, now))} (read {entry.get('checked_at') or '?'}), "
                f"active until {entry.get('active_until') or '?'}")
        return text if entry.get("readable") else f"{text}; the last answer was not understood: {entry.get('reply')!r}"
    except (db.DatabaseError, peewee.DatabaseError):
        return ""


def cmd_modem_detect(args) -> int:
    """Probe serial ports for modems and suggest the setting."""
    import glob
    from ..modem.at_driver import probe
    ports = sorted(set(glob.glob("/dev/serial/by-id/*") + glob.glob("/dev/loket-modem*")
                       + glob.glob("/dev/ttyUSB*") + glob.glob("/dev/ttyACM*")))
    found = []
    for port in ports:
        answer = probe(port, timeout=args.timeout)
        if answer:
            found.append(answer)
            print(f"{port}: {answer.get('manufacturer', '')} {answer.get('model', '')} "
                  f"(IMEI {answer.get('imei', '?')}, SIM {answer.get('sim', '?')})")
    if not found:
        print("no modem answered on " + (", ".join(ports) or "any serial port"), file=sys.stderr)
        return EXIT_FAIL
    # by-id names survive re-plugging; ttyUSB numbers do not.
    best = next((f["port"] for f in found if "/by-id/" in f["port"] or "loket-modem" in f["port"]), found[0]["port"])
    print(f'\nsuggested setting: modems = "at:{best}"')
    return 0
