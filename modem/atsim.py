"""An AT-command GSM modem on a pty, for tests, demos and `loket modem sim`.

It answers the way USB modems of the Huawei E173/E3372, SIM800 and Quectel
EC25 class do, closely enough for libgammu's AT driver and our own pyserial
driver: SMS storage (SM/ME) in PDU and text mode, +CMTI/+CDSI indications,
registration, signal, network time, SIM PIN, and the faults a real modem has.

The customer side is a `SimNetwork` folder (see network.py): texts customers
send are polled from `to_shop/` into storage; every PDU the shop sends is
logged to `<network_root>/modem_sent.jsonl`, and a whole message (all parts)
is delivered to the recipient's phone file. Faults can be set from Python
(`ModemSimulator.set_faults`) or by another process through
`<network_root>/faults.json` (see `Faults`).

`ModemSimulator` is the modem itself: bytes in (`feed`), bytes out
(`take_output`), a clock (`tick`). `serve()` puts it behind a pty and runs it
in a background thread.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import heapq
import json
import os
import random
import re
import select
import signal
import sys
import termios
import threading
import time
import traceback
import tty
from pathlib import Path
from typing import Callable

from . import pdu
from .network import SimNetwork

CTRL_Z, ESC, BACKSPACE, DELETE = 0x1A, 0x1B, 0x08, 0x7F

# -- error codes ----------------------------------------------------------------
CME_TEXT = {
    3: "operation not allowed", 4: "operation not supported", 10: "SIM not inserted",
    11: "SIM PIN required", 12: "SIM PUK required", 16: "incorrect password",
    21: "invalid index", 30: "no network service", 50: "incorrect parameters",
    100: "unknown",
}
CMS_TEXT = {
    300: "ME failure", 302: "operation not allowed", 303: "operation not supported",
    304: "invalid PDU mode parameter", 305: "invalid text mode parameter",
    311: "SIM PIN required", 316: "SIM PUK required", 321: "invalid memory index",
    322: "memory full", 330: "SMSC address unknown", 331: "no network service",
    332: "network timeout", 500: "unknown error",
}


class CmeError(Exception):
    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


class CmsError(Exception):
    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


class PlainError(Exception):
    """Answer a bare ERROR (unknown command, bad syntax)."""


class StorageFullError(Exception):
    """An inbound message does not fit in the receive memory; it stays at the network."""


# -- configuration ----------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Profile:
    """How long the modem takes; each is a (min, max) range in seconds."""

    name: str = "instant"
    cmgs_delay: tuple[float, float] = (0.0, 0.0)
    command_delay: tuple[float, float] = (0.0, 0.0)
    status_report_delay: tuple[float, float] = (0.0, 0.0)


PROFILES = {
    "instant": Profile(),
    "realistic": Profile("realistic", cmgs_delay=(1.5, 4.0), command_delay=(0.01, 0.05),
                         status_report_delay=(3.0, 20.0)),
}


def get_profile(profile: str | Profile | dict) -> Profile:
    if isinstance(profile, Profile):
        return profile
    if isinstance(profile, str):
        return PROFILES[profile]
    base = dataclasses.asdict(PROFILES[profile.get("name", "instant")])
    base.update(profile)
    for key in ("cmgs_delay", "command_delay", "status_report_delay"):
        value = base[key]
        base[key] = (float(value), float(value)) if isinstance(value, (int, float)) else tuple(value)
    return Profile(**base)


def _luhn(digits14: str) -> str:
    """Append the check digit an IMEI (or ICCID) needs to look real."""
    total = 0
    for i, ch in enumerate(reversed(digits14)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return digits14 + str((10 - total % 10) % 10)


@dataclasses.dataclass(frozen=True)
class Identity:
    manufacturer: str
    model: str
    revision: str
    imei: str
    act: int = 7  # access technology in +CREG/+COPS: 0 GSM, 2 UTRAN, 7 E-UTRAN
    imsi: str = "510101234567890"
    iccid: str = "8962100012345678901"
    own_number: str = "+6281299990000"


IDENTITIES = {
    "quectel-ec25": Identity("Quectel", "EC25", "EC25EFAR06A06M4G", _luhn("86675804202155")),
    "huawei-e3372": Identity("huawei", "E3372", "22.328.62.00.1217", _luhn("86149402304590")),
    "huawei-e173": Identity("huawei", "E173", "11.126.85.00.209", _luhn("35414604118742"), act=2),
    "sim800": Identity("SIMCOM_Ltd", "SIMCOM_SIM800L", "Revision:1418B04SIM800L24",
                       _luhn("86281203147852"), act=0),
}


# What a modem says unasked, in the middle of anything (the "calls" and "noise" faults).
CALL_CHATTER = ("RING", '+CLIP: "+6281277778888",145,"",0,"",0', "+CRING: VOICE", "NO CARRIER")
NOISE = {
    # Huawei E173/E3372 in serial mode: signal, boot and mode reports, several a minute.
    "huawei": ("^RSSI:17", "^BOOT:20952548,0,0,0,72", "^MODE:5,4", "^SRVST:2"),
    # Quectel EC25: indications and registration changes.
    "quectel": ('+QIND: "csq",20,99', "+QIND: SMS DONE", "+CREG: 1", '+CGREG: 1,"1A2B","00C0FFEE",7'),
}


@dataclasses.dataclass
class Faults:
    """Faults on demand. The JSON form (faults.json) uses the same keys:

    {"error": ["+62811..."],            plain ERROR when sending to these numbers
     "cms_error": {"+62812...": 500},   +CMS ERROR <code> for these ("*" = any number)
     "hung": true,                      read everything, answer nothing
     "garbage": 0.5,                    probability (true = 1) of junk bytes before a reply
     "storage_full": true,              receive memory counts as full; inbound waits
     "no_network": 2,                   registration stat 0 or 2 (true = 2); CMGS -> 331
     "csq": 3,                          rssi reported by +CSQ (weak signal)
     "vanish": 2.5,                     the device disappears (true = until cleared,
                                        a number = for that many seconds)
     "report_status": {"+62813...": 70}, TP-Status of the status report for these
     "calls": true,                     a customer calls: RING, +CLIP, NO CARRIER inside
                                        answers and between a PDU and its +CMGS
     "noise": "huawei",                 that modem's network chatter the same way
                                        (huawei: ^RSSI ^BOOT ^MODE; quectel: +QIND +CREG)
     "lose_cmgs": 0.5,                  probability (true = 1) that a part goes out and
                                        its +CMGS/OK never comes
     "late_cmgs": 3.0,                  a part goes out and its +CMGS/OK comes this many
                                        seconds later (the modem is busy till then)
     "reset": "text",                   once: the modem restarts into text mode ("pdu":
                                        PDU mode), echo on, settings forgotten
     "combined_rejected": true,         a line with more than one command is an ERROR
     "ussd": {"*888#": "Sisa pulsa..."}, the network's answer to these USSD codes ("" =
                                        none ever comes); others: the operator's default
     "ussd_delay": 4.0}                 the +CUSD answer comes this many seconds after OK
    Numbers match on their digits, so "+62812" and "62812" are the same.
    """

    error: list[str] = dataclasses.field(default_factory=list)
    cms_error: dict[str, int] = dataclasses.field(default_factory=dict)
    hung: bool = False
    garbage: float = 0.0
    storage_full: bool = False
    no_network: int | None = None
    csq: int | None = None
    vanish: float | bool = False
    report_status: dict[str, int] = dataclasses.field(default_factory=dict)
    calls: float | bool = False
    noise: str = ""
    lose_cmgs: float | bool = False
    late_cmgs: float = 0.0
    reset: str = ""
    combined_rejected: bool = False
    ussd: dict[str, str] = dataclasses.field(default_factory=dict)
    ussd_delay: float = 0.0

    @classmethod
    def from_dict(cls, data: dict) -> "Faults":
        unknown = set(data) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise ValueError(f"unknown fault(s): {', '.join(sorted(unknown))}")
        faults = cls(**data)
        faults.error = [str(n) for n in faults.error]
        faults.cms_error = {str(k): int(v) for k, v in faults.cms_error.items()}
        faults.report_status = {str(k): int(v) for k, v in faults.report_status.items()}
        faults.garbage = float(faults.garbage)
        faults.calls = float(faults.calls)
        faults.lose_cmgs = float(faults.lose_cmgs)
        faults.late_cmgs = float(faults.late_cmgs or 0)
        faults.ussd = {str(k): str(v) for k, v in (faults.ussd or {}).items()}
        faults.ussd_delay = float(faults.ussd_delay or 0)
        faults.noise = faults.noise or ""
        if faults.noise not in ("", *NOISE):
            raise ValueError(f"noise must be one of {', '.join(sorted(NOISE))}")
        faults.reset = faults.reset or ""
        if faults.reset not in ("", "text", "pdu"):
            raise ValueError('reset must be "text" or "pdu"')
        if faults.no_network is True:
            faults.no_network = 2
        elif faults.no_network is False:
            faults.no_network = None
        if faults.no_network not in (None, 0, 2, 3):
            raise ValueError("no_network must be 0, 2 or 3")
        return faults

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def write_faults(network_root: str | os.PathLike, **faults) -> Path:
    """Set the faults of a simulator serving `network_root` (from any process)."""
    Faults.from_dict(faults)  # reject typos here rather than in the simulator
    path = Path(network_root) / "faults.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"faults.json.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(faults))
    os.replace(tmp, path)
    return path


def _digits(number: str) -> str:
    return "".join(ch for ch in number if ch.isdigit())


def _match(table, number: str):
    """Look a number up in a fault table keyed by numbers (or "*")."""
    wanted = _digits(number)
    for key in table:
        if key == "*" or _digits(key) == wanted:
            return table[key] if isinstance(table, dict) else True
    return None


# -- storage ------------------------------------------------------------------------
STAT_TEXT = {0: "REC UNREAD", 1: "REC READ", 2: "STO UNSENT", 3: "STO SENT", 4: "ALL"}


@dataclasses.dataclass
class StoredMessage:
    index: int
    stat: int  # 0 REC UNREAD, 1 REC READ, 2 STO UNSENT, 3 STO SENT
    pdu: str  # hex, SMSC field included, as +CMGR shows it


class Memory:
    def __init__(self, name: str, capacity: int):
        self.name = name
        self.capacity = capacity
        self.slots: dict[int, StoredMessage] = {}

    def free_indexes(self) -> list[int]:
        return [i for i in range(1, self.capacity + 1) if i not in self.slots]


# -- command registry ---------------------------------------------------------------
_COMMANDS: dict[str, Callable] = {}


def command(*names: str):
    """Register a handler for extended commands: handler(self, op, args) -> lines.

    op is 'exec' (AT+X), 'read' (AT+X?), 'test' (AT+X=?) or 'set' (AT+X=a,b);
    args are the set arguments, unquoted, None where empty.
    """

    def register(fn):
        for name in names:
            _COMMANDS[name] = fn
        return fn

    return register


_PROMPT = object()  # a handler's answer meaning "now show '> ' and read a PDU/text"
_EXT_NAME = re.compile(r"[+^$%*#!][A-Z0-9_]+", re.I)
_BASIC = re.compile(r"(&?[A-RT-Z])(\d*)", re.I)
_SREG = re.compile(r"S(\d+)(?:=(\d*)|(\?))", re.I)


def _split_args(text: str) -> list[str | None]:
    args, cur, quoted, was_quoted = [], [], False, False
    for ch in text:
        if ch == '"':
            quoted, was_quoted = not quoted, True
        elif ch == "," and not quoted:
            value = "".join(cur).strip()
            args.append(value if (value or was_quoted) else None)
            cur, was_quoted = [], False
        else:
            cur.append(ch)
    if quoted:
        raise PlainError("unbalanced quotes")
    value = "".join(cur).strip()
    args.append(value if (value or was_quoted) else None)
    return args


def _int(value: str | None, lo: int, hi: int, default: int | None = None) -> int:
    if value is None or value == "":
        if default is None:
            raise CmeError(50)
        return default
    try:
        number = int(value)
    except ValueError:
        raise CmeError(50) from None
    if not lo <= number <= hi:
        raise CmeError(50)
    return number


def _fmt_time(when: dt.datetime) -> str:
    """yy/MM/dd,hh:mm:ss±zz with the offset in quarter hours, as +CCLK/+CMGR show it."""
    quarters = int((when.utcoffset() or dt.timedelta()).total_seconds() // 900)
    return when.strftime("%y/%m/%d,%H:%M:%S") + f"{'+' if quarters >= 0 else '-'}{abs(quarters):02d}"


def _parse_time(text: str) -> dt.datetime:
    m = re.fullmatch(r"(\d\d)/(\d\d)/(\d\d),(\d\d):(\d\d):(\d\d)(?:([+-])(\d\d))?", text or "")
    if not m:
        raise CmeError(50)
    yy, mo, dd, hh, mi, ss = (int(x) for x in m.groups()[:6])
    quarters = int(m.group(8) or 0) * (-1 if m.group(7) == "-" else 1)
    try:
        return dt.datetime(2000 + yy, mo, dd, hh, mi, ss,
                           tzinfo=dt.timezone(dt.timedelta(minutes=15 * quarters)))
    except ValueError:
        raise CmeError(50) from None


def _now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")


# -- the modem -----------------------------------------------------------------------
class ModemSimulator:
    """A modem: `feed()` it what the host wrote, `take_output()` what it answers.

    Thread-safe: the serving thread feeds and ticks, tests call `inject()` and
    `set_faults()` from their own thread. `wakeup`, when set, is called after
    output appears outside `feed()`/`tick()` (an unsolicited +CMTI).
    """

    def __init__(self, network_root: str | os.PathLike | None = None, *,
                 profile: str | Profile | dict = "instant",
                 identity: str | Identity = "quectel-ec25",
                 pin: str | None = None, puk: str = "12345678",
                 smsc: str = "+6281100000",
                 sm_capacity: int = 30, me_capacity: int = 100,
                 timezone: dt.tzinfo = dt.timezone(dt.timedelta(hours=7)),
                 operator: tuple[str, str, str] = ("TELKOMSEL", "TSEL", "51010"),
                 rssi: int = 20, seed: int | None = None):
        self.profile = get_profile(profile)
        self.identity = IDENTITIES[identity] if isinstance(identity, str) else identity
        self.network = SimNetwork(network_root).ensure() if network_root is not None else None
        self.pin, self.puk = pin, puk
        self.tz = timezone
        self.operator = operator
        self.rssi = rssi
        self.memories = {"SM": Memory("SM", sm_capacity), "ME": Memory("ME", me_capacity)}
        self.faults = Faults()
        self.sent: list[dict] = []  # every PDU given to send, as logged
        self.wakeup: Callable[[], None] | None = None
        self.vanished = False  # set by the server while the device is unplugged
        self.credit, self.active_days = 50_000, 60  # what the default balance reply says
        self.calls: list[dict] = []  # every call placed: its number and how it ended
        self._call: dict | None = None  # the call ringing now

        self._lock = threading.RLock()
        self._rng = random.Random(seed)
        self._next_mr = 0
        self._next_concat = self._rng.randrange(256)
        self._outgoing_parts: dict[tuple, dict[int, object]] = {}
        self._timers: list[tuple[float, int, Callable[[], None]]] = []
        self._timer_seq = 0
        self._vanish_until = 0.0
        self._faults_mtime: float | None = None
        self._next_poll = 0.0
        self.smsc = smsc  # kept on the SIM: survives a power cycle
        self.power_cycle()

    # -- power-on state --------------------------------------------------------------
    def power_cycle(self) -> None:
        """What a modem forgets when it loses power (storage stays)."""
        with self._lock:
            self.echo = True
            self.verbose = True
            self.quiet = False
            self.cmee = 0
            self.curc = 1  # Huawei's periodic reports: on after power-on
            self.portsel = 0
            self.cmgf = 0
            self.cscs = "GSM"
            self.csmp = [17, 167, 0, 0]
            self.csdh = 0  # accepted; text-mode listings always show the short header
            self.cnmi = [0, 0, 0, 0, 0]
            self.creg_n = {"+CREG": 0, "+CGREG": 0, "+CEREG": 0}
            self.cops_format = 0
            self.cops_mode = 0
            self.cfun = 1
            self.ctzu = 1
            self.clts = 0
            self.clip = 0  # caller ID with RING: off until AT+CLIP=1
            self.crc = 0  # AT+CRC=1: +CRING: VOICE instead of RING
            # The RTC starts over; network time fixes it once registered.
            self._boot = time.monotonic()
            self._clock_synced = False
            self._clock_offset = dt.timedelta()
            self._clock_tz: dt.tzinfo | None = None
            self.cpms = ["SM", "SM", "SM"]
            self.sim_state = "SIM PIN" if self.pin else "READY"
            self._pin_tries = 3
            self._inbuf = bytearray()
            self._line = bytearray()
            self._prompt: dict | None = None
            self._prompt_buf = bytearray()
            self._out = bytearray()
            self._deferred = bytearray()
            self._busy_until = 0.0
            self._urcs: list[tuple[str, bool]] = []
            self._last_line = ""
            self._last_stat = self.registration()

    # -- public API --------------------------------------------------------------------
    def feed(self, data: bytes) -> None:
        with self._lock:
            if self.faults.hung:
                return  # a hung modem swallows everything, even the echo
            self._inbuf += data
            self._process(time.monotonic())

    def take_output(self) -> bytes:
        with self._lock:
            out, self._out = bytes(self._out), bytearray()
            return out

    def tick(self, now: float | None = None) -> None:
        """Timers, network polling and the faults file; call every ~50-100 ms."""
        now = time.monotonic() if now is None else now
        with self._lock:
            if now >= self._next_poll:
                self._next_poll = now + 0.1
                self._reload_faults_file()
                if not self.vanished:
                    self._poll_network()
            if self.vanished:
                return
            while self._timers and self._timers[0][0] <= now:
                _, _, action = heapq.heappop(self._timers)
                action()
            self._check_registration()
            self._process(now)

    def next_deadline(self) -> float:
        """Monotonic time at which `tick()` has something to do."""
        with self._lock:
            deadline = self._next_poll
            if self._timers:
                deadline = min(deadline, self._timers[0][0])
            if self._busy_until:
                deadline = min(deadline, self._busy_until)
            return deadline

    def set_faults(self, faults: Faults | dict | None = None, **changes) -> Faults:
        """`faults` replaces them all, `changes` alter the current ones; no argument clears."""
        with self._lock:
            if isinstance(faults, Faults):
                base = faults.to_dict()
            elif faults is not None:
                base = dict(faults)
            else:
                base = self.faults.to_dict() if changes else {}
            base.update(changes)
            self.faults = Faults.from_dict(base)
            if faults is not None or "vanish" in changes or not changes:
                vanish = self.faults.vanish
                self._vanish_until = (float("inf") if vanish is True else
                                      time.monotonic() + float(vanish) if vanish else 0.0)
            if self.faults.reset:
                self._reset_into(self.faults.reset)
                self.faults.reset = ""  # once, as a real restart
            self._check_registration()
            self._process(time.monotonic())
            self._wake()
            return self.faults

    def _reset_into(self, mode: str) -> None:
        """The modem restarts without its port going away: echo on, settings
        lost, and some firmwares come up in text mode."""
        self.power_cycle()
        self.cmgf = 1 if mode == "text" else 0

    def vanish_requested(self, now: float | None = None) -> bool:
        return (time.monotonic() if now is None else now) < self._vanish_until

    def inject(self, sender: str, text: str, *, timestamp: dt.datetime | None = None) -> list[int]:
        """A customer's text arrives: stored in the receive memory, +CMTI raised.

        Long texts become several parts, texts outside GSM-7 become UCS-2.
        Raises StorageFullError (storing nothing) when the parts do not fit.
        """
        stamp = timestamp or dt.datetime.now(self.tz).replace(microsecond=0)
        with self._lock:
            ref = self._next_concat
            parts = pdu.encode_deliver(sender, text, smsc=self.smsc, timestamp=stamp, concat_ref=ref)
            if len(parts) > 1:
                self._next_concat = (ref + 1) % 256
            return self._store_incoming(parts)

    # -- calls -------------------------------------------------------------------------
    RING_EVERY, RINGS = 3.0, 6  # a caller gives up after about 18 s of ringing

    def place_call(self, number: str) -> None:
        """A customer calls the shop's number: RING (and +CLIP with caller ID on)
        every few seconds until the host hangs up (ATH / AT+CHUP), answers
        (ATA, which a shop's modem must never do), or the caller gives up."""
        with self._lock:
            if self._call is not None:
                self._end_call("busy")  # a second caller meets a line already ringing
            self._call = {"number": number, "rings": 0, "at": _now_iso()}
            self._ring(self._call)

    def _ring(self, call: dict) -> None:
        if self._call is not call:
            return  # it ended
        if call["rings"] >= self.RINGS:
            self._urc("NO CARRIER", sms=False)
            self._end_call("missed")
            return
        call["rings"] += 1
        self._urc("+CRING: VOICE" if self.crc else "RING", sms=False)
        if self.clip:
            self._urc(f'+CLIP: "{self._to_te(call["number"])}",{145 if call["number"].startswith("+") else 129},'
                      f'"",0,"",0', sms=False)
        self._after(self.RING_EVERY, lambda: self._ring(call))
        self._process(time.monotonic())
        self._wake()

    def _end_call(self, how: str) -> None:
        call, self._call = self._call, None
        if call is None:
            return
        record = {"number": call["number"], "rings": call["rings"], "ended": how, "at": call["at"]}
        self.calls.append(record)
        if self.network is not None:
            with open(self.network.root / "calls.jsonl", "a", encoding="utf-8") as log_file:
                log_file.write(json.dumps(record) + "\n")

    def _ussd_answer(self, code: str) -> tuple[int, str] | None:
        """The network's answer to a USSD code: (status, text), or None for silence."""
        if code in self.faults.ussd:
            text = self.faults.ussd[code]
            return (0, text) if text else None
        name = self.operator[0].upper()
        codes = {"TELKOMSEL": "*888#", "INDOSAT": "*555#", "XL": "*808#", "AXIS": "*808#", "3": "*111#",
                 "TRI": "*111#", "SMARTFREN": "*999#"}
        if codes.get(name) != code:
            return (4, "")  # the network does not know this code
        until = (dt.datetime.now(self.tz) + dt.timedelta(days=self.active_days)).strftime("%d-%m-%Y")
        credit = f"{self.credit:,}".replace(",", ".")
        return (0, f"Sisa Pulsa Anda Rp{credit}. Aktif s.d. {until}. Cek kuota & promo: *363#")

    def inject_pdu(self, pdu_hex: str) -> int:
        """Store any PDU (SMSC field included) as if it came from the network."""
        pdu.decode(pdu_hex)  # refuse what no modem would have stored
        with self._lock:
            return self._store_incoming([pdu_hex])[0]

    def messages(self, memory: str = "SM") -> list[StoredMessage]:
        with self._lock:
            return [dataclasses.replace(m) for _, m in sorted(self.memories[memory].slots.items())]

    def registration(self) -> int:
        """+CREG stat: 0 not registered, 1 home, 2 searching, 3 denied."""
        if self.sim_state != "READY" or self.cfun != 1 or self.cops_mode == 2:
            return 0
        if self.faults.no_network is not None:
            return self.faults.no_network
        return 1

    # -- byte level ------------------------------------------------------------------
    def _process(self, now: float) -> None:
        if self.faults.hung:
            return
        if self._busy_until:
            if now < self._busy_until:
                return  # still "working": input waits in the buffer, like a UART FIFO
            self._busy_until = 0.0
            self._emit(bytes(self._deferred))
            self._deferred = bytearray()
        data, used = bytes(self._inbuf), 0
        while used < len(data) and not self._busy_until:
            byte = data[used]
            used += 1
            if self._prompt is not None:
                self._prompt_byte(byte)
            else:
                self._command_byte(byte)
        del self._inbuf[:used]
        if not self._busy_until and self._prompt is None and not self._line:
            self._flush_urcs()

    def _command_byte(self, byte: int) -> None:
        if self.echo:
            self._out.append(byte)
        if byte in (BACKSPACE, DELETE):
            del self._line[-1:]
        elif byte == 0x0D or (byte == 0x0A and self._line):
            line, self._line = self._line.decode("latin-1"), bytearray()
            self._execute_line(line)
        elif byte != 0x0A:
            self._line.append(byte)
            if len(self._line) > 4096:  # a runaway line; real modems give up too
                self._line = bytearray()
                self._finish([], "ERROR", 0)

    def _prompt_byte(self, byte: int) -> None:
        if byte == CTRL_Z:
            prompt, body = self._prompt, self._prompt_buf.decode("latin-1")
            self._prompt, self._prompt_buf = None, bytearray()
            self._submit(prompt, body)
        elif byte == ESC:
            self._prompt, self._prompt_buf = None, bytearray()
            self._finish([], "OK", 0)  # cancelled: nothing is sent
        elif byte == 0x0D and self._prompt["kind"] == "text":
            self._prompt_buf.append(0x0A)
            self._out += b"\r\n> "
        elif byte in (0x0D, 0x0A):
            pass  # some hosts end the PDU line with CR before Ctrl-Z
        else:
            if self.echo:
                self._out.append(byte)
            self._prompt_buf.append(byte)
            if len(self._prompt_buf) > 4096:
                self._prompt, self._prompt_buf = None, bytearray()
                self._fail(CmsError(304), 0)

    def _emit(self, data: bytes) -> None:
        if not data:
            return
        garbage = self.faults.garbage
        if garbage and self._rng.random() < garbage:
            junk = bytes(self._rng.choice(b"\x00\xff\xfe\x7f~#%&*!?XQZ\x13\x11\x80\x9a")
                         for _ in range(self._rng.randint(3, 12)))
            data = junk + data
        self._out += data

    def _wake(self) -> None:
        if self._out and self.wakeup:
            self.wakeup()

    # -- results -----------------------------------------------------------------------
    def _chatter(self) -> list[str]:
        """Unsolicited lines the calls/noise faults slip in now (often none)."""
        lines: list[str] = []
        if self.faults.calls and self._rng.random() < self.faults.calls:
            lines += CALL_CHATTER
        if self.faults.noise and not (self.faults.noise == "huawei" and not self.curc):
            lines += self._rng.sample(NOISE[self.faults.noise], 2)
        return lines

    def _with_chatter(self, blocks: list[list[str]]) -> list[list[str]]:
        chatter = self._chatter() if any(blocks) else []
        if not chatter:
            return blocks
        first = blocks[0]
        if len(first) >= 4 and first[0].startswith("+CMGL:"):
            # Between two listed messages (a header and its PDU stay together).
            return [first[:2], chatter, first[2:], *blocks[1:]]
        return [first, chatter, *blocks[1:]]

    def _finish(self, blocks: list[list[str]], result: str, delay: float) -> None:
        blocks = self._with_chatter(blocks)
        if self.verbose:
            text = "".join("\r\n" + "\r\n".join(lines) + "\r\n" for lines in blocks if lines)
            if not self.quiet:
                text += f"\r\n{result}\r\n"
        else:
            text = "".join("\r\n".join(lines) + "\r\n" for lines in blocks if lines)
            if not self.quiet:
                codes = {"OK": "0", "ERROR": "4"}
                text += (codes[result] + "\r") if result in codes else result + "\r\n"
        data = text.encode("latin-1", "replace")
        if delay > 0:
            self._deferred += data
            self._busy_until = time.monotonic() + delay
        else:
            self._emit(data)

    def _fail(self, exc: Exception, delay: float, blocks=()) -> None:
        # +CME errors need CMEE=1/2; +CMS errors (27.005) are reported even with CMEE=0.
        if isinstance(exc, CmsError) or (isinstance(exc, CmeError) and self.cmee):
            kind, texts = ("CME", CME_TEXT) if isinstance(exc, CmeError) else ("CMS", CMS_TEXT)
            detail = texts.get(exc.code, str(exc.code)) if self.cmee == 2 else str(exc.code)
            self._finish(list(blocks), f"+{kind} ERROR: {detail}", delay)
        else:
            self._finish(list(blocks), "ERROR", delay)

    def _delay(self, span: tuple[float, float]) -> float:
        lo, hi = span
        return self._rng.uniform(lo, hi) if hi > 0 else 0.0

    def _urc(self, text: str, sms: bool = True) -> None:
        """Queue an unsolicited result code; it goes out between commands."""
        self._urcs.append((text, sms))
        del self._urcs[:-50]  # the TA buffer is small; the oldest are lost

    def _flush_urcs(self) -> None:
        keep = []
        for text, sms in self._urcs:
            if sms and self.cnmi[0] == 0:
                keep.append((text, sms))  # CNMI mode 0: buffer in the TA
            else:
                self._emit(f"\r\n{text}\r\n".encode("latin-1", "replace"))
        self._urcs = keep

    # -- command level -----------------------------------------------------------------
    def _execute_line(self, line: str) -> None:
        stripped = line.strip()
        if stripped.upper() == "A/":
            stripped = self._last_line
        start = stripped.upper().find("AT")
        if start < 0:
            return  # noise (Gammu starts with ESC CR): real modems stay silent
        body = stripped[start + 2:]
        self._last_line = stripped[start:]
        blocks: list[list[str]] = []
        delay = self._delay(self.profile.command_delay)
        try:
            commands = list(self._commands(body))
            if self.faults.combined_rejected and len(commands) > 1:
                raise PlainError(body)  # e.g. ATE0V1: this firmware takes one command per line
            for kind, name, op, args in commands:
                if kind == "basic":
                    lines = self._basic(name, op, args)
                else:
                    handler = _COMMANDS.get(name)
                    if handler is None:
                        raise PlainError(name)
                    lines = handler(self, op, args)
                if lines is _PROMPT:
                    self._out += b"\r\n> "
                    return
                blocks.append(lines or [])
        except (CmeError, CmsError, PlainError) as exc:
            self._fail(exc, delay, blocks)
            return
        self._finish(blocks, "OK", delay)

    def _commands(self, body: str):
        """Split 'E0+CMGF=0;+CNMI=2,1' into (kind, name, op, args) tuples."""
        pos = 0
        while pos < len(body):
            if body[pos] in " ;":
                pos += 1
                continue
            ext = _EXT_NAME.match(body, pos)
            if ext:
                name, pos = ext.group(0).upper(), ext.end()
                if body.startswith("=?", pos):
                    yield "ext", name, "test", []
                    pos += 2
                elif body.startswith("?", pos):
                    yield "ext", name, "read", []
                    pos += 1
                elif body.startswith("=", pos):
                    end, quoted = pos + 1, False
                    while end < len(body) and (quoted or body[end] != ";"):
                        quoted ^= body[end] == '"'
                        end += 1
                    yield "ext", name, "set", _split_args(body[pos + 1:end])
                    pos = end
                else:
                    yield "ext", name, "exec", []
                continue
            sreg = _SREG.match(body, pos)
            if sreg:
                yield "basic", "S", "read" if sreg.group(3) else "set", [sreg.group(1), sreg.group(2)]
                pos = sreg.end()
                continue
            basic = _BASIC.match(body, pos)
            if not basic:
                raise PlainError(body[pos:])
            yield "basic", basic.group(1).upper(), "exec", [basic.group(2)]
            pos = basic.end()

    def _basic(self, name: str, op: str, args: list) -> list[str]:
        value = args[0] if args else ""
        if name == "E":
            self.echo = _int(value, 0, 1, 0) == 1
        elif name == "V":
            self.verbose = _int(value, 0, 1, 0) == 1
        elif name == "Q":
            self.quiet = _int(value, 0, 1, 0) == 1
        elif name in ("Z", "&F"):
            self.echo, self.verbose, self.quiet, self.cmee = True, True, False, 0
        elif name == "I":
            return [self.identity.manufacturer, self.identity.model,
                    f"Revision: {self.identity.revision}"]
        elif name == "S":
            return [f"{13 if value == '3' else 10 if value == '4' else 0:03d}"] if op == "read" else []
        elif name == "H":
            self._end_call("rejected")  # hung up: the caller hears the line cut, pays nothing
        elif name == "A":
            if self._call is None:
                raise PlainError("A")
            self._end_call("answered")  # never by Loket: it would cost the caller
        elif name in ("&W", "&C", "&D", "&K", "X", "L", "M"):
            pass
        else:
            raise PlainError(name)
        return []

    # -- SIM and network state ------------------------------------------------------------
    def _require_sim(self, sms: bool = False) -> None:
        if self.sim_state == "SIM PIN":
            raise CmsError(311) if sms else CmeError(11)
        if self.sim_state == "SIM PUK":
            raise CmsError(316) if sms else CmeError(12)

    def _check_registration(self) -> None:
        stat = self.registration()
        if stat == self._last_stat:
            return
        self._last_stat = stat
        for name, n in self.creg_n.items():
            if n:
                self._urc(f"{name}: " + self._creg_fields(name, stat, with_n=False), sms=False)
        if stat in (1, 5) and (self.ctzu or self.clts):
            self._clock_synced = True
        self._wake()

    def _creg_fields(self, name: str, stat: int, with_n: bool) -> str:
        n = self.creg_n[name]
        fields = [str(n)] if with_n else []
        fields.append(str(stat))
        if n == 2 and stat in (1, 5):
            if name == "+CEREG":
                fields += ['"1A2B"', '"00C0FFEE"', "7"]
            else:
                fields += ['"1A2B"', '"00C0FFEE"', str(self.identity.act)]
        return ",".join(fields)

    def _network_time(self) -> dt.datetime:
        if self._clock_synced or (self.registration() in (1, 5) and (self.ctzu or self.clts)):
            self._clock_synced = True
            now = dt.datetime.now(self._clock_tz or self.tz)
        else:
            # Never synced: the RTC counts from its power-on default, like a SIM800.
            now = dt.datetime(2004, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(
                seconds=time.monotonic() - self._boot)
        return (now + self._clock_offset).replace(microsecond=0)

    # -- the TE character set (AT+CSCS) ------------------------------------------------
    def _to_te(self, text: str) -> str:
        if self.cscs == "UCS2":
            return text.encode("utf-16-be").hex().upper()
        return text

    def _from_te(self, text: str) -> str:
        if self.cscs == "UCS2" and re.fullmatch(r"(?:[0-9A-Fa-f]{4})+", text or ""):
            return bytes.fromhex(text).decode("utf-16-be", "replace")
        return text

    # -- storage ---------------------------------------------------------------------------
    def _capacity(self, memory: Memory) -> int:
        return len(memory.slots) if self.faults.storage_full else memory.capacity

    def _store_incoming(self, parts: list[str], urc: str = "+CMTI") -> list[int]:
        """Store parts in the receive memory (CPMS <mem3>), announcing them as CNMI asks."""
        if urc == "+CMTI" and self.cnmi[1] == 2:
            for part in parts:  # CNMI mt=2: routed straight to the host, never stored
                self._urc(self._cmt(part))
            self._wake()
            return []
        memory = self.memories[self.cpms[2]]
        free = memory.free_indexes()
        if self.faults.storage_full or len(free) < len(parts):
            raise StorageFullError(f"{memory.name} is full")
        announce = (urc == "+CMTI" and self.cnmi[1] in (1, 3)) or (urc == "+CDSI" and self.cnmi[3] == 2)
        indexes = []
        for index, part in zip(free, parts):
            memory.slots[index] = StoredMessage(index, 0, part)
            indexes.append(index)
            if announce:
                self._urc(f'{urc}: "{memory.name}",{index}')
        self._process(time.monotonic())
        self._wake()
        return indexes

    def _cmt(self, part: str) -> str:
        if self.cmgf == 0:
            return f"+CMT: ,{pdu.tpdu_length(part)}\r\n{part}"
        decoded = pdu.decode(part)
        stamp = _fmt_time(decoded.timestamp) if decoded.timestamp else ""
        return f'+CMT: "{self._to_te(decoded.number)}",,"{stamp}"\r\n{self._text_body(decoded)}'


    def _poll_network(self) -> None:
        if self.network is None or self.registration() not in (1, 5):
            return  # no service: the SMSC keeps the texts for later
        for path in self.network.pending():
            record = self.network.read(path)
            if record is not None and record.get("call"):
                self.place_call(str(record.get("from", "")))  # a customer calls (`loket sim call`)
                self.network.take(path)
                continue
            if record is None or "text" not in record:
                os.replace(path, path.with_suffix(".bad"))  # unreadable: set aside, never lost
                continue
            try:
                if "parts_left" in record:
                    if not self._deliver_in_pieces(path, record):
                        return
                else:
                    self.inject(str(record.get("from", "")), str(record["text"]))
            except StorageFullError:
                if not self._deliver_in_pieces(path, record):
                    return  # stays in to_shop/; delivered once the shop makes room
            self.network.take(path)

    def _deliver_in_pieces(self, path, record: dict) -> bool:
        """A text with more parts than the receive memory has slots would never
        fit at once (and once blocked every later text for good): as an SMSC
        does, hand over what fits now and the rest as the shop makes room. The
        parts left are written back into the pending file. True when none is left."""
        memory = self.memories[self.cpms[2]]
        parts = record.get("parts_left")
        if parts is None:
            stamp = dt.datetime.now(self.tz).replace(microsecond=0)
            parts = pdu.encode_deliver(str(record.get("from", "")), str(record["text"]), smsc=self.smsc,
                                       timestamp=stamp, concat_ref=self._next_concat)
            if len(parts) <= memory.capacity:
                return False  # it fits once the memory is empty: wait for that, as before
            self._next_concat = (self._next_concat + 1) % 256
        room = 0 if self.faults.storage_full else len(memory.free_indexes())
        if room:
            self._store_incoming(parts[:room])
            parts = parts[room:]
        if not parts:
            return True
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps({**record, "parts_left": parts}), encoding="utf-8")
        os.replace(tmp, path)
        return False

    def _reload_faults_file(self) -> None:
        if self.network is None:
            return
        path = self.network.root / "faults.json"
        try:
            mtime = path.stat().st_mtime_ns
        except FileNotFoundError:
            if self._faults_mtime is not None:  # the file was removed: faults cleared
                self._faults_mtime = None
                self.set_faults(Faults())
            return
        if mtime == self._faults_mtime:
            return
        self._faults_mtime = mtime
        try:
            self.set_faults(Faults.from_dict(json.loads(path.read_text() or "{}")))
        except (ValueError, TypeError) as exc:
            print(f"atsim: ignoring {path}: {exc}", file=sys.stderr)

    # -- sending -----------------------------------------------------------------------
    def _submit(self, prompt: dict, body: str) -> None:
        delay = self._delay(self.profile.cmgs_delay)
        try:
            if prompt["kind"] == "pdu":
                pdu_hex = "".join(body.split()).upper()
                try:
                    if pdu.tpdu_length(pdu_hex) != prompt["length"]:
                        raise CmsError(304)
                    decoded = pdu.decode(pdu_hex)
                except Exception:  # PDUError, or anything a malformed PDU trips: the modem says 304
                    raise CmsError(304) from None
                if decoded.type != "submit":
                    raise CmsError(304)
                if not decoded.smsc and not self.smsc:
                    raise CmsError(330)
                number, text = decoded.number, decoded.text
            else:
                number, text = prompt["number"], self._from_te(body)
                parts = pdu.encode_submit(number, text, smsc=self.smsc,
                                          status_report=bool(self.csmp[0] & 0x20))
                pdu_hex, decoded = parts[0], pdu.decode(parts[0])
            mr = self._send(number, text, pdu_hex, decoded)
        except (CmsError, CmeError, PlainError) as exc:
            self._fail(exc, delay)
            return
        chatter = self._chatter()
        if chatter:  # a call comes in while the network takes the part
            self._emit("".join(f"\r\n{line}\r\n" for line in chatter).encode("latin-1"))
        if self.faults.lose_cmgs and self._rng.random() < self.faults.lose_cmgs:
            return  # sent, and the answer is lost: the host never hears of it
        if self.faults.late_cmgs:
            delay = max(delay, self.faults.late_cmgs)
        self._finish([[f"+CMGS: {mr}"]], "OK", delay)

    def _send(self, number: str, text: str, pdu_hex: str, decoded) -> int:
        """The network takes one part: check faults, log it, deliver whole messages."""
        concat = decoded.concat
        record = {"pdu": pdu_hex, "number": number, "text": text,
                  "part": concat.seq if concat else 1, "parts": concat.total if concat else 1,
                  "concat_ref": concat.ref if concat else None, "ref": None, "at": _now_iso(),
                  "status_report": bool(decoded.status_report_requested)}
        try:
            self._require_sim(sms=True)
            if self.registration() not in (1, 5):
                raise CmsError(331)
            if _match(self.faults.error, number):
                raise PlainError(number)
            code = _match(self.faults.cms_error, number)
            if code is not None:
                raise CmsError(code)
        except (CmsError, PlainError) as exc:
            record["error"] = f"+CMS ERROR: {exc.code}" if isinstance(exc, CmsError) else "ERROR"
            self._log_sent(record)
            raise
        mr = self._next_mr
        self._next_mr = (mr + 1) % 256
        record["ref"] = mr
        self._log_sent(record)

        if concat is None:
            self._deliver(number, text, [mr])
        else:
            key = (_digits(number), concat.ref, concat.total)
            parts = self._outgoing_parts.setdefault(key, {})
            parts[concat.seq] = (decoded, mr)
            if len(parts) == concat.total:
                del self._outgoing_parts[key]
                ordered = [parts[seq] for seq in sorted(parts)]
                self._deliver(number, pdu.reassemble([d for d, _ in ordered]), [m for _, m in ordered])
        if decoded.status_report_requested:
            status = _match(self.faults.report_status, number) or 0
            submitted = dt.datetime.now(self.tz).replace(microsecond=0)
            self._after(self._delay(self.profile.status_report_delay),
                        lambda: self._status_report(number, mr, status, submitted))
        return mr

    def _log_sent(self, record: dict) -> None:
        self.sent.append(record)
        if self.network is not None:
            line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
            fd = os.open(self.network.root / "modem_sent.jsonl", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            try:
                os.write(fd, line)  # one write on O_APPEND: lines never interleave
            finally:
                os.close(fd)

    def _deliver(self, number: str, text: str, refs: list[int]) -> None:
        if self.network is not None:
            self.network.deliver(number, text, ref=refs[0], refs=refs, parts=len(refs))

    def _after(self, delay: float, action: Callable[[], None]) -> None:
        self._timer_seq += 1
        heapq.heappush(self._timers, (time.monotonic() + delay, self._timer_seq, action))

    def _status_report(self, number: str, mr: int, status: int, submitted: dt.datetime) -> None:
        report = pdu.encode_status_report(number, mr, status, smsc=self.smsc, timestamp=submitted,
                                          discharge_time=dt.datetime.now(self.tz).replace(microsecond=0))
        if self.cnmi[3] == 1:  # routed straight to the host, not stored
            length = pdu.tpdu_length(report)
            self._urc(f"+CDS: {length}\r\n{report}" if self.cmgf == 0
                      else self._text_status_line(report, None))
            self._wake()
            return
        try:
            self._store_incoming([report], urc="+CDSI")
        except StorageFullError:
            pass  # a real modem drops the report too

    # -- text mode formatting ------------------------------------------------------------
    def _text_body(self, decoded) -> str:
        if decoded.coding == "ucs2" and self.cscs != "UCS2":
            return decoded.user_data.hex().upper()  # what real modems show for UCS-2 in GSM charset
        if decoded.coding == "8bit":
            return decoded.user_data.hex().upper()
        return self._to_te(decoded.text)

    def _text_status_line(self, report_hex: str, head: str | None) -> str:
        d = pdu.decode(report_hex)
        fields = [head] if head else ["+CDS: 6"]
        fields += [str(d.message_ref), f'"{self._to_te(d.number)}"', "145" if d.number.startswith("+") else "129",
                   f'"{_fmt_time(d.timestamp)}"' if d.timestamp else '""',
                   f'"{_fmt_time(d.discharge_time)}"' if d.discharge_time else '""', str(d.status)]
        return ",".join(fields)

    def _list_entry(self, message: StoredMessage, prefix: str, with_index: bool) -> list[str]:
        head = f"{prefix}: {message.index}," if with_index else f"{prefix}: "
        if self.cmgf == 0:
            return [f"{head}{message.stat},,{pdu.tpdu_length(message.pdu)}", message.pdu]
        decoded = pdu.decode(message.pdu)
        status = f'"{STAT_TEXT[message.stat]}"'
        if decoded.type == "status-report":
            return [self._text_status_line(message.pdu, f"{head}{status},6")]
        alpha_and_time = f',"{_fmt_time(decoded.timestamp)}"' if decoded.timestamp else ","
        return [f'{head}{status},"{self._to_te(decoded.number)}",{alpha_and_time}', self._text_body(decoded)]

    # -- commands: identity ------------------------------------------------------------------
    @command("+CGMI", "+GMI")
    def _cmd_cgmi(self, op, args):
        return [self.identity.manufacturer] if op == "exec" else []

    @command("+CGMM", "+GMM")
    def _cmd_cgmm(self, op, args):
        return [self.identity.model] if op == "exec" else []

    @command("+CGMR", "+GMR")
    def _cmd_cgmr(self, op, args):
        return [self.identity.revision] if op == "exec" else []

    @command("+CGSN", "+GSN")
    def _cmd_cgsn(self, op, args):
        return [self.identity.imei] if op == "exec" else []

    @command("+CIMI")
    def _cmd_cimi(self, op, args):
        self._require_sim()
        return [self.identity.imsi] if op == "exec" else []

    @command("+CCID", "+ICCID", "+QCCID")
    def _cmd_ccid(self, op, args):
        return [f"+CCID: {self.identity.iccid}"] if op in ("exec", "read") else []

    @command("+CNUM")
    def _cmd_cnum(self, op, args):
        self._require_sim()
        number = self.identity.own_number
        return [f'+CNUM: "","{self._to_te(number)}",{145 if number.startswith("+") else 129}']

    @command("+GCAP")
    def _cmd_gcap(self, op, args):
        return ["+GCAP: +CGSM,+DS,+ES"]

    @command("+CBC")
    def _cmd_cbc(self, op, args):
        return ["+CBC: 0,100,5000"] if op == "exec" else []  # USB powered: always full

    # -- commands: settings ------------------------------------------------------------------
    def _setting(self, op, args, name, attr, lo, hi, test):
        if op == "set":
            setattr(self, attr, _int(args[0], lo, hi))
            return []
        if op == "read":
            return [f"{name}: {getattr(self, attr)}"]
        if op == "test":
            return [f"{name}: {test}"]
        raise PlainError(name)

    @command("^CURC")
    def _cmd_curc(self, op, args):
        # Huawei only: turns its periodic ^RSSI/^BOOT/^MODE reports on or off.
        # Gammu's Huawei support sends AT^CURC=0 while connecting and gives up on ERROR.
        if self.identity.manufacturer.lower() != "huawei":
            raise PlainError("^CURC")
        return self._setting(op, args, "^CURC", "curc", 0, 1, "(0-1)")

    @command("^PORTSEL")
    def _cmd_portsel(self, op, args):
        # Huawei only: which port gets the URCs (0 modem, 1 PCUI); Gammu sets 1 while connecting.
        if self.identity.manufacturer.lower() != "huawei":
            raise PlainError("^PORTSEL")
        return self._setting(op, args, "^PORTSEL", "portsel", 0, 1, "(0-1)")

    @command("+CMEE")
    def _cmd_cmee(self, op, args):
        return self._setting(op, args, "+CMEE", "cmee", 0, 2, "(0-2)")

    @command("+CMGF")
    def _cmd_cmgf(self, op, args):
        return self._setting(op, args, "+CMGF", "cmgf", 0, 1, "(0,1)")

    @command("+CTZU")
    def _cmd_ctzu(self, op, args):
        return self._setting(op, args, "+CTZU", "ctzu", 0, 1, "(0,1)")

    @command("+CLTS")
    def _cmd_clts(self, op, args):
        return self._setting(op, args, "+CLTS", "clts", 0, 1, "(0,1)")

    @command("+CSCS")
    def _cmd_cscs(self, op, args):
        if op == "set":
            wanted = (args[0] or "").upper()
            if wanted not in ("IRA", "GSM", "UCS2"):
                raise CmeError(4)
            self.cscs = wanted
            return []
        if op == "read":
            return [f'+CSCS: "{self.cscs}"']
        if op == "test":
            return ['+CSCS: ("IRA","GSM","UCS2")']
        raise PlainError("+CSCS")

    @command("+CSMS")
    def _cmd_csms(self, op, args):
        if op == "set":
            _int(args[0], 0, 1)
            return ["+CSMS: 1,1,1"]
        if op == "read":
            return ["+CSMS: 0,1,1,1"]
        if op == "test":
            return ["+CSMS: (0,1)"]
        raise PlainError("+CSMS")

    @command("+CSMP")
    def _cmd_csmp(self, op, args):
        if op == "set":
            for i, value in enumerate(args[:4]):
                if value is not None:
                    self.csmp[i] = _int(value, 0, 255)
            return []
        if op == "read":
            return ["+CSMP: " + ",".join(map(str, self.csmp))]
        return []

    @command("+CNMA", "+CMMS", "+CCWA")
    def _cmd_accepted(self, op, args):
        return []  # accepted and otherwise ignored: no calls, no acknowledgement mode

    @command("+CLIP")
    def _cmd_clip(self, op, args):
        if op == "read":
            return [f"+CLIP: {self.clip},1"]
        return self._setting(op, args, "+CLIP", "clip", 0, 1, "(0,1)")

    @command("+CRC")
    def _cmd_crc(self, op, args):
        return self._setting(op, args, "+CRC", "crc", 0, 1, "(0,1)")

    @command("+CHUP")
    def _cmd_chup(self, op, args):
        self._end_call("rejected")
        return []

    @command("+CUSD")
    def _cmd_cusd(self, op, args):
        if op == "test":
            return ["+CUSD: (0,1,2)"]
        if op == "read":
            return ["+CUSD: 1"]
        if op != "set" or not args:
            raise PlainError("+CUSD")
        mode = _int(args[0], 0, 2)
        if mode == 2 or len(args) < 2 or args[1] is None:
            return []  # the session is closed (or only the result codes switched)
        self._require_sim()
        if self.registration() not in (1, 5):
            raise CmeError(30)
        code = self._from_te(args[1])
        answer = self._ussd_answer(code)
        if answer is not None:
            status, text = answer
            line = f'+CUSD: {status},"{self._to_te(text)}",15' if text else f"+CUSD: {status}"
            # The answer comes unasked, after the OK: the network asks the operator first.
            self._after(max(0.05, self.faults.ussd_delay), lambda: (self._urc(line, sms=False), self._wake()))
        return []

    @command("+CSDH")
    def _cmd_csdh(self, op, args):
        return self._setting(op, args, "+CSDH", "csdh", 0, 1, "(0,1)")

    @command("+CGATT")
    def _cmd_cgatt(self, op, args):
        if op == "read":
            return [f"+CGATT: {1 if self.registration() in (1, 5) else 0}"]
        return ["+CGATT: (0,1)"] if op == "test" else []

    @command("+CFUN")
    def _cmd_cfun(self, op, args):
        if op == "set":
            self.cfun = _int(args[0], 0, 4)
            if self.cfun not in (0, 1, 4):
                raise CmeError(50)
            self._check_registration()
            return []
        if op == "read":
            return [f"+CFUN: {self.cfun}"]
        if op == "test":
            return ["+CFUN: (0,1,4),(0-1)"]
        raise PlainError("+CFUN")

    @command("+CPIN")
    def _cmd_cpin(self, op, args):
        if op == "read":
            return [f"+CPIN: {self.sim_state}"]
        if op == "test":
            return []
        if op != "set":
            raise PlainError("+CPIN")
        code, new = args[0], args[1] if len(args) > 1 else None
        if self.sim_state == "READY":
            raise CmeError(3)
        expected = self.pin if self.sim_state == "SIM PIN" else self.puk
        if code != expected:
            self._pin_tries -= 1
            if self._pin_tries <= 0 and self.sim_state == "SIM PIN":
                self.sim_state = "SIM PUK"
            raise CmeError(16)
        if self.sim_state == "SIM PUK":
            if not new:
                raise CmeError(50)
            self.pin = new
        self.sim_state, self._pin_tries = "READY", 3
        self._check_registration()
        return []

    @command("+CSCA")
    def _cmd_csca(self, op, args):
        self._require_sim()
        if op == "read":
            return [f'+CSCA: "{self._to_te(self.smsc)}",{145 if self.smsc.startswith("+") else 129}']
        if op == "set":
            self.smsc = self._from_te(args[0] or "")
            return []
        return []

    # -- commands: network ---------------------------------------------------------------------
    @command("+CSQ")
    def _cmd_csq(self, op, args):
        if op == "test":
            return ["+CSQ: (0-31,99),(0-7,99)"]
        if self.registration() not in (1, 5):
            return ["+CSQ: 99,99"]
        rssi = self.faults.csq if self.faults.csq is not None else self.rssi
        return [f"+CSQ: {rssi},99"]

    @command("+CREG")
    def _cmd_creg(self, op, args):
        return self._creg("+CREG", op, args)

    @command("+CGREG")
    def _cmd_cgreg(self, op, args):
        return self._creg("+CGREG", op, args)

    @command("+CEREG")
    def _cmd_cereg(self, op, args):
        return self._creg("+CEREG", op, args)

    def _creg(self, name, op, args):
        if op == "set":
            self.creg_n[name] = _int(args[0], 0, 2)
            return []
        if op == "read":
            return [f"{name}: " + self._creg_fields(name, self.registration(), with_n=True)]
        if op == "test":
            return [f"{name}: (0-2)"]
        raise PlainError(name)

    @command("+COPS")
    def _cmd_cops(self, op, args):
        long_name, short_name, numeric = self.operator
        if op == "test":
            return [f'+COPS: (2,"{long_name}","{short_name}","{numeric}",{self.identity.act}),,(0-4),(0-2)']
        if op == "read":
            if self.registration() not in (1, 5):
                return [f"+COPS: {self.cops_mode}"]
            shown = (long_name, short_name, numeric)[self.cops_format]
            return [f'+COPS: {self.cops_mode},{self.cops_format},"{shown}",{self.identity.act}']
        if op == "set":
            mode = _int(args[0], 0, 4)
            if mode == 3:
                self.cops_format = _int(args[1] if len(args) > 1 else None, 0, 2)
            elif mode in (1, 4) and len(args) > 2 and args[2] not in (long_name, short_name, numeric):
                raise CmeError(30)
            else:
                self.cops_mode = 2 if mode == 2 else 0
            self._check_registration()
            return []
        raise PlainError("+COPS")

    @command("+CCLK")
    def _cmd_cclk(self, op, args):
        if op == "read":
            return [f'+CCLK: "{_fmt_time(self._network_time())}"']
        if op == "set":
            wanted = _parse_time(args[0])
            self._clock_tz, self._clock_synced = wanted.tzinfo, True
            self._clock_offset = dt.timedelta()
            self._clock_offset = wanted - self._network_time()
            return []
        return []

    # -- commands: SMS storage -----------------------------------------------------------------
    def _cpms_counts(self, names) -> list[str]:
        out = []
        for name in names:
            memory = self.memories[name]
            out += [str(len(memory.slots)), str(self._capacity(memory))]
        return out

    @command("+CPMS")
    def _cmd_cpms(self, op, args):
        self._require_sim(sms=True)
        if op == "test":
            return ['+CPMS: ("SM","ME"),("SM","ME"),("SM","ME")']
        if op == "read":
            fields = []
            for name in self.cpms:
                memory = self.memories[name]
                fields += [f'"{name}"', str(len(memory.slots)), str(self._capacity(memory))]
            return ["+CPMS: " + ",".join(fields)]
        if op != "set" or not 1 <= len(args) <= 3:
            raise PlainError("+CPMS")
        wanted = [(a or "").upper() for a in args]
        if any(name not in self.memories for name in wanted):
            raise CmsError(302)
        self.cpms[:len(wanted)] = wanted
        return ["+CPMS: " + ",".join(self._cpms_counts(self.cpms))]

    @command("+CNMI")
    def _cmd_cnmi(self, op, args):
        if op == "test":
            return ["+CNMI: (0-2),(0-3),(0,2),(0-2),(0,1)"]
        if op == "read":
            return ["+CNMI: " + ",".join(map(str, self.cnmi))]
        if op != "set":
            raise PlainError("+CNMI")
        limits = [(0, 2), (0, 3), (0, 2), (0, 2), (0, 1)]
        values = list(self.cnmi)
        for i, value in enumerate(args[:5]):
            if value is not None:
                try:
                    values[i] = _int(value, *limits[i])
                except CmeError:
                    raise CmsError(303) from None
        self.cnmi = values
        return []

    def _read_memory(self) -> Memory:
        return self.memories[self.cpms[0]]

    @command("+CMGL")
    def _cmd_cmgl(self, op, args):
        self._require_sim(sms=True)
        if op == "test":
            return ["+CMGL: (0-4)"] if self.cmgf == 0 else \
                ['+CMGL: ("REC UNREAD","REC READ","STO UNSENT","STO SENT","ALL")']
        wanted = args[0] if op == "set" else None
        if self.cmgf == 0:
            stat = _int(wanted, 0, 4, 0) if wanted is not None else 0
        else:
            names = {v: k for k, v in STAT_TEXT.items()}
            stat = names.get((self._from_te(wanted) if wanted else "REC UNREAD").upper())
            if stat is None:
                raise CmsError(302)
        lines = []
        for _, message in sorted(self._read_memory().slots.items()):
            if stat == 4 or message.stat == stat:
                lines += self._list_entry(message, "+CMGL", with_index=True)
                if message.stat == 0:
                    message.stat = 1  # listing reads it, as on real modems
        return lines

    def _slot(self, args) -> StoredMessage | None:
        memory = self._read_memory()
        index = args[0] if args else None
        if index is None or not index.isdigit() or not 1 <= int(index) <= memory.capacity:
            raise CmsError(321)
        return memory.slots.get(int(index))

    @command("+CMGR")
    def _cmd_cmgr(self, op, args):
        self._require_sim(sms=True)
        if op == "test":
            return []
        if op != "set":
            raise PlainError("+CMGR")
        message = self._slot(args)
        if message is None:
            raise CmsError(321)
        lines = self._list_entry(message, "+CMGR", with_index=False)
        if message.stat == 0:
            message.stat = 1
        return lines

    @command("+CMGD")
    def _cmd_cmgd(self, op, args):
        self._require_sim(sms=True)
        if op == "test":
            return ["+CMGD: (" + ",".join(map(str, sorted(self._read_memory().slots))) + "),(0-4)"]
        if op != "set":
            raise PlainError("+CMGD")
        flag = _int(args[1] if len(args) > 1 else None, 0, 4, 0)
        memory = self._read_memory()
        if flag == 0:
            if self._slot(args) is not None:
                del memory.slots[int(args[0])]
            return []
        doomed = {1: {1}, 2: {1, 3}, 3: {1, 2, 3}, 4: {0, 1, 2, 3}}[flag]
        for index in [i for i, m in memory.slots.items() if m.stat in doomed]:
            del memory.slots[index]
        return []

    @command("+CMGS")
    def _cmd_cmgs(self, op, args):
        self._require_sim(sms=True)
        if op == "test":
            return []
        if op != "set" or not args or args[0] is None:
            raise PlainError("+CMGS")
        if self.cmgf == 0:
            try:
                length = int(args[0])
            except ValueError:
                raise CmsError(304) from None
            if not 7 <= length <= 164:
                raise CmsError(304)
            self._prompt = {"kind": "pdu", "length": length}
        else:
            number = self._from_te(args[0])
            if not re.fullmatch(r"\+?[0-9*#]{1,20}", number):
                raise CmsError(305)
            self._prompt = {"kind": "text", "number": number}
        return _PROMPT


# -- serving on a pty ----------------------------------------------------------------------------
class SimulatorHandle:
    """A simulator behind a pty, served from a background thread.

    `path` is the current pty (it changes when the device vanishes and comes
    back); `link`, when given, always points at the current pty and is
    missing while the device is gone.
    """

    def __init__(self, simulator: ModemSimulator, link: str | None):
        self.simulator = simulator
        self.link = link
        self.path: str | None = None
        self.generation = 0  # how many times the device has (re)appeared
        self._master: int | None = None
        self._slave: int | None = None
        self._pending = bytearray()
        self._stop = threading.Event()
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_w, False)
        simulator.wakeup = self._poke
        self._plug()
        self._thread = threading.Thread(target=self._run, name="atsim", daemon=True)
        self._thread.start()

    # -- public --------------------------------------------------------------------------
    @property
    def present(self) -> bool:
        return self._master is not None

    def vanish(self, seconds: float | None = None) -> None:
        """Unplug the device (for `seconds`, or until `reappear()`)."""
        self.simulator.set_faults(vanish=seconds if seconds else True)
        self._wait_for(lambda: not self.present)

    def reappear(self) -> None:
        self.simulator.set_faults(vanish=False)
        self._wait_for(lambda: self.present)

    def stop(self) -> None:
        if self._stop.is_set():
            return
        self._stop.set()
        self._poke()
        self._thread.join(5)
        self.simulator.wakeup = None
        self._unplug()
        for fd in (self._wake_r, self._wake_w):
            os.close(fd)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    # -- the device ----------------------------------------------------------------------
    def _plug(self) -> None:
        master, slave = os.openpty()
        # Raw, like a real serial port: no echo, no CR/LF translation.
        tty.setraw(slave, termios.TCSANOW)
        os.set_blocking(master, False)
        self.path = os.ttyname(slave)
        self._pending = bytearray()
        self.generation += 1
        if self.link:
            tmp = f"{self.link}.{os.getpid()}.tmp"
            if os.path.lexists(tmp):
                os.unlink(tmp)
            os.symlink(self.path, tmp)
            os.replace(tmp, self.link)
        # Present only once the link is in place: whoever waits for the device
        # may open it by its link at once. Keeping our own slave fd open means
        # the master never reads EIO between two client sessions (Gammu opens
        # and closes the port).
        self._master, self._slave = master, slave

    def _unplug(self) -> None:
        if self.link and os.path.islink(self.link) and os.readlink(self.link) == self.path:
            os.unlink(self.link)
        for fd in (self._master, self._slave):
            if fd is not None:
                os.close(fd)
        self._master = self._slave = None

    def _poke(self) -> None:
        try:
            os.write(self._wake_w, b"x")
        except (BlockingIOError, OSError):
            pass  # already poked, or stopping

    def _wait_for(self, condition, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition() and time.monotonic() < deadline:
            time.sleep(0.01)

    def _run(self) -> None:
        sim = self.simulator
        while not self._stop.is_set():
            try:
                self._step(sim)
            except Exception:  # a simulator bug must not look like a hung modem: say it, go on
                traceback.print_exc()
                self._stop.wait(0.1)

    def _step(self, sim: ModemSimulator) -> None:
        """One turn: timers, plug state, then bytes both ways."""
        now = time.monotonic()
        sim.tick(now)
        wanted_gone = sim.vanish_requested(now)
        if wanted_gone and self.present:
            self._unplug()
            sim.vanished = True
        elif not wanted_gone and not self.present:
            sim.power_cycle()  # coming back is a power-on: volatile settings reset
            sim.vanished = False
            self._plug()
        if not self.present:
            sim.take_output()  # nobody can hear it
            self._stop.wait(0.05)
            return
        self._pending += sim.take_output()
        timeout = max(0.0, min(0.1, sim.next_deadline() - now))
        wlist = [self._master] if self._pending else []
        readable, writable, _ = select.select([self._master, self._wake_r], wlist, [], timeout)
        if self._wake_r in readable:
            os.read(self._wake_r, 4096)
        if self._master in readable:
            try:
                data = os.read(self._master, 4096)
            except OSError:
                data = b""
            if data:
                sim.feed(data)
                self._pending += sim.take_output()
        if self._pending:
            try:
                del self._pending[:os.write(self._master, self._pending)]
            except (BlockingIOError, InterruptedError):
                pass  # the host is not reading; try again next turn
            del self._pending[:-(1 << 20)]  # nobody reading for ages: keep the last MB

def serve(link: str | None, network_root: str | os.PathLike | None,
          profile: str | Profile | dict = "instant", **options) -> SimulatorHandle:
    """Start a simulated modem on a new pty; `options` go to ModemSimulator."""
    return SimulatorHandle(ModemSimulator(network_root, profile=profile, **options), link)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="loket modem sim", description="A simulated GSM modem on a pty.")
    parser.add_argument("--link", help="make this symlink point at the pty (e.g. /tmp/loket-modem)")
    parser.add_argument("--network", default="simnet", help="the simulated network's folder (default: simnet)")
    parser.add_argument("--profile", choices=sorted(PROFILES), default="instant")
    parser.add_argument("--identity", choices=sorted(IDENTITIES), default="quectel-ec25")
    parser.add_argument("--pin", help="the SIM asks for this PIN")
    args = parser.parse_args(argv)

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    handle = serve(args.link, args.network, args.profile, identity=args.identity, pin=args.pin)
    try:
        print(handle.path, flush=True)
        if args.link:
            print(f"linked at {args.link}", file=sys.stderr, flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        handle.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
