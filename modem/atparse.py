"""Parsers for the replies of GSM modems to AT commands (3GPP TS 27.005/27.007).

Every parser takes the modem's reply as received: the echo of the command,
information lines, blank lines and the final OK may all be present, with any
mix of CR and LF. Garbage raises `ATParseError` with a one-line message; a
reply carrying `+CMS ERROR` / `+CME ERROR` / `ERROR` raises its subclass
`ATErrorReply`, whose `error` says which.

The samples these parsers are tested on come from real devices (Huawei,
Quectel, Telit, Sierra, Siemens, Motorola, Samsung ...), several of which
bend the standard: unquoted or half-quoted fields, missing fields, hex in
place of text. Each leniency below is there for one of them.

Pure functions, standard library only.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace

from . import gsm7

FINAL_OK = ("OK",)
# Loket never dials, so NO CARRIER / BUSY / NO ANSWER are never the answer to
# one of its commands: they end a customer's call (a missed call) and come
# unasked, even between a PDU and its +CMGS. They are URCs (CALL_RESULTS).
FINAL_ERRORS = ("ERROR", "COMMAND NOT SUPPORT", "TOO MANY PARAMETERS")
CALL_RESULTS = ("NO CARRIER", "BUSY", "NO ANSWER", "NO DIALTONE", "NO DIAL TONE")


class ATParseError(ValueError):
    """A modem reply that does not have the expected shape."""


@dataclass(frozen=True)
class ATError:
    """A final error result: kind 'CMS', 'CME' or 'ERROR'."""

    kind: str
    code: int | None
    message: str

    @property
    def transient(self) -> bool:
        """Whether trying again later may help (network, busy, memory states)."""
        if self.kind == "CMS":
            return self.code in _CMS_TRANSIENT
        if self.kind == "CME":
            return self.code in _CME_TRANSIENT
        return True


class ATErrorReply(ATParseError):
    """The modem answered with an error instead of the expected reply."""

    def __init__(self, error: ATError):
        super().__init__(f"modem replied {error.kind} error"
                         + (f" {error.code}" if error.code is not None else "")
                         + (f": {error.message}" if error.message else ""))
        self.error = error


# --------------------------------------------------------------------------
# Error codes (TS 27.005 3.2.5, TS 27.007 9.2)
# --------------------------------------------------------------------------

CMS_ERRORS = {
    1: "unassigned (unallocated) number", 8: "operator determined barring",
    10: "call barred", 21: "short message transfer rejected",
    27: "destination out of service", 28: "unidentified subscriber",
    29: "facility rejected", 30: "unknown subscriber",
    38: "network out of order", 41: "temporary failure", 42: "congestion",
    47: "resources unavailable, unspecified", 50: "requested facility not subscribed",
    69: "requested facility not implemented", 81: "invalid short message transfer reference value",
    95: "invalid message, unspecified", 96: "invalid mandatory information",
    97: "message type non-existent or not implemented",
    98: "message not compatible with short message protocol state",
    99: "information element non-existent or not implemented",
    111: "protocol error, unspecified", 127: "interworking, unspecified",
    128: "telematic interworking not supported", 129: "short message type 0 not supported",
    130: "cannot replace short message", 143: "unspecified TP-PID error",
    144: "data coding scheme (alphabet) not supported", 145: "message class not supported",
    159: "unspecified TP-DCS error", 160: "command cannot be actioned",
    161: "command unsupported", 175: "unspecified TP-Command error",
    176: "TPDU not supported", 192: "SC busy", 193: "no SC subscription",
    194: "SC system failure", 195: "invalid SME address", 196: "destination SME barred",
    197: "SM rejected-duplicate SM", 198: "TP-VPF not supported", 199: "TP-VP not supported",
    208: "SIM SMS storage full", 209: "no SMS storage capability in SIM",
    210: "error in MS", 211: "memory capacity exceeded",
    212: "SIM application toolkit busy", 213: "SIM data download error",
    255: "unspecified error cause", 300: "ME failure", 301: "SMS service of ME reserved",
    302: "operation not allowed", 303: "operation not supported",
    304: "invalid PDU mode parameter", 305: "invalid text mode parameter",
    310: "SIM not inserted", 311: "SIM PIN required", 312: "PH-SIM PIN required",
    313: "SIM failure", 314: "SIM busy", 315: "SIM wrong", 316: "SIM PUK required",
    317: "SIM PIN2 required", 318: "SIM PUK2 required", 320: "memory failure",
    321: "invalid memory index", 322: "memory full", 330: "SMSC address unknown",
    331: "no network service", 332: "network timeout", 340: "no +CNMA acknowledgement expected",
    500: "unknown error",
}

CME_ERRORS = {
    0: "phone failure", 1: "no connection to phone", 2: "phone-adaptor link reserved",
    3: "operation not allowed", 4: "operation not supported", 5: "PH-SIM PIN required",
    6: "PH-FSIM PIN required", 7: "PH-FSIM PUK required", 10: "SIM not inserted",
    11: "SIM PIN required", 12: "SIM PUK required", 13: "SIM failure", 14: "SIM busy",
    15: "SIM wrong", 16: "incorrect password", 17: "SIM PIN2 required",
    18: "SIM PUK2 required", 20: "memory full", 21: "invalid index", 22: "not found",
    23: "memory failure", 24: "text string too long", 25: "invalid characters in text string",
    26: "dial string too long", 27: "invalid characters in dial string",
    30: "no network service", 31: "network timeout", 32: "network not allowed - emergency calls only",
    40: "network personalization PIN required", 41: "network personalization PUK required",
    42: "network subset personalization PIN required", 43: "network subset personalization PUK required",
    44: "service provider personalization PIN required",
    45: "service provider personalization PUK required",
    46: "corporate personalization PIN required", 47: "corporate personalization PUK required",
    100: "unknown", 103: "illegal MS", 106: "illegal ME", 107: "GPRS services not allowed",
    111: "PLMN not allowed", 112: "location area not allowed",
    113: "roaming not allowed in this location area",
}

_CMS_TRANSIENT = {38, 41, 42, 47, 192, 212, 314, 322, 331, 332, 500}
_CME_TRANSIENT = {14, 20, 30, 31, 100}

_CMS_BY_TEXT = {text.lower(): code for code, text in CMS_ERRORS.items()}
_CME_BY_TEXT = {text.lower(): code for code, text in CME_ERRORS.items()}

_ERROR_LINE = re.compile(r"^\+(CMS|CME) ERROR:\s*(.*)$", re.IGNORECASE)


def parse_error(line: str) -> ATError | None:
    """The error a final result line carries, or None when it is not an error.

    Numeric (`+CMS ERROR: 500`) and verbose (`+CME ERROR: SIM not inserted`,
    after AT+CMEE=2) forms both give the code when it is known.
    """
    line = line.strip()
    match = _ERROR_LINE.match(line)
    if match:
        kind, detail = match.group(1).upper(), match.group(2).strip().strip('"')
        table, by_text = (CMS_ERRORS, _CMS_BY_TEXT) if kind == "CMS" else (CME_ERRORS, _CME_BY_TEXT)
        if detail.isdigit():
            code = int(detail)
            return ATError(kind, code, table.get(code, "unknown error code"))
        return ATError(kind, by_text.get(detail.lower()), detail)
    if line.upper() in FINAL_ERRORS:
        return ATError("ERROR", None, line.upper() if line.upper() != "ERROR" else "")
    return None


# --------------------------------------------------------------------------
# Lines and fields
# --------------------------------------------------------------------------


def info_lines(reply: str) -> list[str]:
    """The information lines of a reply: no echo, no blank lines, no final OK.

    Raises `ATErrorReply` when the reply ends in an error.
    """
    if not isinstance(reply, str):
        raise ATParseError(f"reply must be a string, not {type(reply).__name__}")
    lines = [line.strip() for line in re.split(r"\r\n|\r|\n", reply)]
    lines = [line for line in lines if line]
    if lines and lines[0].upper().startswith("AT"):
        lines = lines[1:]  # the echo of the command
    result = []
    for line in lines:
        error = parse_error(line)
        if error:
            raise ATErrorReply(error)
        if line.upper() not in FINAL_OK:
            result.append(line)
    return result


def _raw_lines(reply: str) -> list[str]:
    """Like info_lines, but keeps blank lines and trailing spaces (message bodies)."""
    if not isinstance(reply, str):
        raise ATParseError(f"reply must be a string, not {type(reply).__name__}")
    lines = re.split(r"\r\n|\r|\n", reply)
    if lines and lines[0].strip().upper().startswith("AT"):
        lines = lines[1:]
    for line in lines:
        error = parse_error(line)
        if error:
            raise ATErrorReply(error)
    return lines


def _prefixed(reply: str, prefix: str, *, required: bool = True) -> list[str]:
    """The payloads of the lines starting with `prefix` (e.g. '+CSQ')."""
    payloads = []
    for line in info_lines(reply):
        if line.upper().startswith(prefix.upper() + ":"):
            payloads.append(line[len(prefix) + 1 :].strip())
    if required and not payloads:
        raise ATParseError(f"no {prefix} line in the reply")
    return payloads


def _one(reply: str, prefix: str) -> str:
    return _prefixed(reply, prefix)[0]


def split_fields(payload: str) -> list[str]:
    """Comma-separated fields, quotes removed; commas inside quotes are kept.

    With unbalanced quotes (seen from real modems) every comma separates and
    stray quotes are dropped.
    """
    if payload.count('"') % 2:
        return [part.strip().strip('"').strip() for part in payload.split(",")]
    fields_, current, quoted = [], [], False
    for ch in payload:
        if ch == '"':
            quoted = not quoted
        elif ch == "," and not quoted:
            fields_.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    fields_.append("".join(current).strip())
    return fields_


def _int(value: str, what: str, *, base: int = 10) -> int:
    try:
        return int(value.strip(), base)
    except ValueError:
        raise ATParseError(f"{what} is not a number: {value!r}") from None


def _optional_int(value: str | None, what: str, *, base: int = 10) -> int | None:
    if value is None or not value.strip():
        return None
    return _int(value, what, base=base)


def _groups(payload: str) -> list[str]:
    """Top-level comma-separated items of a test reply: '(..),(..),..'."""
    items, current, depth = [], [], 0
    for ch in payload:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                raise ATParseError(f"unbalanced parentheses in {payload!r}")
        if ch == "," and depth == 0:
            items.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    if depth:
        raise ATParseError(f"unbalanced parentheses in {payload!r}")
    items.append("".join(current).strip())
    return items


def parse_range_list(item: str) -> set[int]:
    """'(0-1,3)' or '0,2' -> {0, 1, 3} / {0, 2}."""
    inner = item.strip().removeprefix("(").removesuffix(")")
    values: set[int] = set()
    for part in filter(None, (p.strip() for p in inner.split(","))):
        low, dash, high = part.partition("-")
        first = _int(low, "range start")
        last = _int(high, "range end") if dash else first
        if last < first or last - first > 1000:
            raise ATParseError(f"bad range {part!r}")
        values.update(range(first, last + 1))
    return values


# --------------------------------------------------------------------------
# Storage: +CPMS, +CNMI
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Storage:
    """Use of one message memory (from +CPMS)."""

    memory: str | None  # None in a set reply, which names no memory
    used: int
    total: int


def parse_cpms(reply: str) -> list[Storage]:
    """The read / query reply `+CPMS: "SM",3,30,"SM",3,30,...` or the set reply
    `+CPMS: 3,30,3,30,...`: one Storage per memory (mem1, mem2, mem3)."""
    values = split_fields(_one(reply, "+CPMS"))
    named = bool(values) and not values[0].isdigit()
    step = 3 if named else 2
    if not values or len(values) % step:
        raise ATParseError(f"+CPMS reply has {len(values)} fields, not groups of {step}")
    storages = []
    for start in range(0, len(values), step):
        memory = values[start] if named else None
        used = _int(values[start + step - 2], "+CPMS used")
        total = _int(values[start + step - 1], "+CPMS total")
        if used < 0 or total < 0 or used > total:
            raise ATParseError(f"+CPMS says {used} used of {total}")
        storages.append(Storage(memory, used, total))
    return storages


def parse_cpms_supported(reply: str) -> list[list[str]]:
    """The test reply `+CPMS: ("SM","ME"),("SM","ME"),("SM","ME")`: the memories
    each of mem1, mem2, mem3 accepts. An empty reply gives []."""
    payload = _one(reply, "+CPMS")
    if not payload:
        return []  # Samsung J700 answers "+CPMS: " and OK
    result = []
    for group in _groups(payload):
        inner = group.removeprefix("(").removesuffix(")")
        names = [name.strip().strip('"').strip() for name in inner.split(",")]
        if not all(re.fullmatch(r"[A-Z][A-Z0-9_]*", name) for name in names):
            raise ATParseError(f"+CPMS memory list is not understood: {group!r}")
        result.append(names)
    return result


def parse_cnmi_supported(reply: str) -> list[set[int]]:
    """The test reply `+CNMI: (0-2),(0,1,3),(0),(0,1),(0,1)`: allowed values of
    mode, mt, bm, ds, bfr."""
    groups = _groups(_one(reply, "+CNMI"))
    if not 1 <= len(groups) <= 5:
        raise ATParseError(f"+CNMI test reply has {len(groups)} groups")
    return [parse_range_list(group) for group in groups]


def parse_cnmi(reply: str) -> tuple[int, ...]:
    """The read reply `+CNMI: 2,1,0,2,0`: mode, mt, bm, ds, bfr."""
    values = split_fields(_one(reply, "+CNMI"))
    if not 1 <= len(values) <= 5:
        raise ATParseError(f"+CNMI reply has {len(values)} fields")
    return tuple(_int(value, "+CNMI field") for value in values)


# --------------------------------------------------------------------------
# Network: +CREG / +CGREG / +CEREG, +CSQ, +COPS, +CCLK
# --------------------------------------------------------------------------

REGISTRATION_STATES = {
    0: "not registered", 1: "registered, home network", 2: "searching",
    3: "registration denied", 4: "unknown", 5: "registered, roaming",
    6: "registered for SMS only, home network", 7: "registered for SMS only, roaming",
    8: "emergency services only", 9: "registered, home network, CSFB not preferred",
    10: "registered, roaming, CSFB not preferred",
}


@dataclass(frozen=True)
class Registration:
    """Network registration (+CREG, +CGREG or +CEREG)."""

    command: str  # 'CREG' | 'CGREG' | 'CEREG'
    n: int | None  # the URC mode; None in an unsolicited code
    stat: int
    lac: int | None = None  # location / tracking area code
    ci: int | None = None  # cell id
    act: int | None = None  # access technology

    @property
    def registered(self) -> bool:
        return self.stat in (1, 5, 6, 7, 9, 10)

    @property
    def roaming(self) -> bool:
        return self.stat in (5, 7, 10)

    @property
    def state(self) -> str:
        return REGISTRATION_STATES.get(self.stat, f"state {self.stat}")

    def to_dict(self) -> dict:
        return {
            "command": self.command, "n": self.n, "stat": self.stat, "state": self.state,
            "registered": self.registered, "roaming": self.roaming,
            "lac": self.lac, "ci": self.ci, "act": self.act,
        }


_REG_LINE = re.compile(r"^\+(C|CG|CE)REG:\s*(.*)$", re.IGNORECASE)


def _registration(command: str, values: list[str], *, with_n: bool) -> Registration:
    head = 2 if with_n else 1
    if len(values) < head:
        raise ATParseError(f"+{command} has too few fields: {values!r}")
    n = _int(values[0], f"+{command} mode") if with_n else None
    stat = _int(values[head - 1], f"+{command} status")
    if not 0 <= stat <= 10:
        raise ATParseError(f"+{command} status {stat} is not a registration state")
    rest = values[head:] + [None, None, None]
    # LAC and CI are hex, quoted or not (Huawei: 2,1,4CA,81DE445); an empty or
    # missing one (Telit: "", Siemens: a lone opening quote) is unknown.
    lac = _optional_int(rest[0], f"+{command} area code", base=16)
    ci = _optional_int(rest[1], f"+{command} cell id", base=16)
    act = _optional_int(rest[2], f"+{command} access technology")
    return Registration(command, n, stat, lac, ci, act)


def parse_registration(reply: str) -> Registration | None:
    """The read reply of AT+CREG? / AT+CGREG? / AT+CEREG?: n,stat[,lac,ci[,act]].

    None when the modem answered only OK (it said nothing; state unknown).
    """
    lines = info_lines(reply)
    for line in lines:
        match = _REG_LINE.match(line)
        if match:
            command = match.group(1).upper() + "REG"
            return _registration(command, split_fields(match.group(2)), with_n=True)
    if not lines:
        return None
    raise ATParseError(f"no +CREG/+CGREG/+CEREG line in the reply: {lines[0]!r}")


@dataclass(frozen=True)
class Signal:
    """+CSQ: received signal strength and bit error rate."""

    rssi: int
    ber: int | None
    dbm: int | None  # None when the modem does not know (99)
    percent: int | None


def parse_csq(reply: str) -> Signal:
    values = split_fields(_one(reply, "+CSQ"))
    if len(values) != 2:
        raise ATParseError(f"+CSQ needs rssi,ber; got {values!r}")
    rssi, ber = _int(values[0], "+CSQ rssi"), _int(values[1], "+CSQ ber")
    if 0 <= rssi <= 31:  # -113 dBm .. -51 dBm in steps of 2
        dbm, percent = -113 + 2 * rssi, round(rssi * 100 / 31)
    elif 100 <= rssi <= 191:  # TD-SCDMA: -116 dBm .. -25 dBm
        dbm, percent = -216 + rssi, round((rssi - 100) * 100 / 91)
    elif rssi in (99, 199):
        dbm = percent = None
    else:
        raise ATParseError(f"+CSQ rssi {rssi} is out of range")
    if ber != 99 and not 0 <= ber <= 7:
        raise ATParseError(f"+CSQ ber {ber} is out of range")
    return Signal(rssi, None if ber == 99 else ber, dbm, percent)


@dataclass(frozen=True)
class Operator:
    """+COPS read reply: selection mode and, when registered, the operator."""

    mode: int
    format: int | None = None  # 0 long name, 1 short name, 2 numeric (MCC+MNC)
    name: str | None = None
    act: int | None = None


def parse_cops(reply: str) -> Operator:
    values = split_fields(_one(reply, "+COPS"))
    mode = _int(values[0], "+COPS mode")
    if not 0 <= mode <= 4:
        raise ATParseError(f"+COPS mode {mode} is out of range")
    if len(values) == 1:
        return Operator(mode)
    if len(values) < 3:
        raise ATParseError(f"+COPS has a format but no operator: {values!r}")
    fmt = _int(values[1], "+COPS format")
    act = _optional_int(values[3] if len(values) > 3 else None, "+COPS access technology")
    return Operator(mode, fmt, values[2], act)


@dataclass(frozen=True)
class NetworkChoice:
    """One operator of the +COPS=? list."""

    status: int  # 0 unknown, 1 available, 2 current, 3 forbidden
    long_name: str
    short_name: str
    numeric: str
    act: int | None = None


def parse_cops_list(reply: str) -> list[NetworkChoice]:
    """The test reply `+COPS: (2,"Operator","OP","51010",7),(1,...),,(0-4),(0-2)`."""
    choices = []
    for group in _groups(_one(reply, "+COPS")):
        if not group:
            break  # the empty item separates the operators from the ranges
        values = split_fields(group.removeprefix("(").removesuffix(")"))
        if len(values) < 4 or "-" in group:
            continue  # the supported modes / formats ranges
        act = _optional_int(values[4] if len(values) > 4 else None, "+COPS access technology")
        choices.append(NetworkChoice(_int(values[0], "+COPS status"), values[1], values[2], values[3], act))
    return choices


_TIME = re.compile(
    r"^(?P<year>\d{2}|\d{4})/(?P<month>\d{1,2})/(?P<day>\d{1,2}),\s*"
    r"(?P<hour>\d{1,2}):(?P<minute>\d{1,2}):(?P<second>\d{1,2})"
    r"(?:(?P<sign>[+-])(?P<quarters>\d{1,2}))?$"
)


def parse_time(value: str) -> dt.datetime:
    """'yy/MM/dd,hh:mm:ss±zz' (zz in quarter hours) -> datetime.

    Aware when the zone is given, naive otherwise; four-digit years and
    unpadded fields (Motorola: 2009/8/18,19:11:45) are accepted.
    """
    match = _TIME.match(value.strip().strip('"'))
    if not match:
        raise ATParseError(f"not a modem time: {value!r}")
    parts = {k: int(v) for k, v in match.groupdict().items() if v and k != "sign"}
    year = parts["year"]
    if year < 100:
        year += 2000 if year < 90 else 1900
    zone = None
    if "quarters" in parts:
        quarters = parts["quarters"] * (-1 if match.group("sign") == "-" else 1)
        if abs(quarters) >= 96:
            raise ATParseError(f"time zone of {quarters} quarter hours is impossible: {value!r}")
        zone = dt.timezone(dt.timedelta(minutes=15 * quarters))
    try:
        return dt.datetime(year, parts["month"], parts["day"], parts["hour"],
                           parts["minute"], parts["second"], tzinfo=zone)
    except ValueError as exc:
        raise ATParseError(f"not a valid time {value!r}: {exc}") from None


def parse_cclk(reply: str) -> dt.datetime:
    """+CCLK: "24/05/17,09:30:05+28" -> 2024-05-17 09:30:05+07:00."""
    return parse_time(_one(reply, "+CCLK"))


# --------------------------------------------------------------------------
# SMS service: +CSCA, +CSCS
# --------------------------------------------------------------------------


def decode_ucs2_hex(value: str) -> str | None:
    """Text a modem sent as UCS-2 hex (AT+CSCS="UCS2"), or None if it is not."""
    if not value or len(value) % 4 or not re.fullmatch(r"[0-9A-Fa-f]+", value):
        return None
    try:
        return bytes.fromhex(value).decode("utf-16-be")
    except UnicodeDecodeError:
        return None


@dataclass(frozen=True)
class ServiceCentre:
    number: str
    type: int | None  # 145 international, 129 unknown


def parse_csca(reply: str) -> ServiceCentre:
    """+CSCA: "+6281100000",145. The number may come UCS-2 hex encoded."""
    values = split_fields(_one(reply, "+CSCA"))
    number = values[0]
    decoded = decode_ucs2_hex(number)
    if decoded is not None and re.fullmatch(r"\+?[0-9*#]+", decoded):
        number = decoded
    toa = _optional_int(values[1] if len(values) > 1 else None, "+CSCA type")
    if not number:
        raise ATParseError("no SMSC number is set (+CSCA is empty)")
    if not re.fullmatch(r"\+?[0-9*#]+", number):
        raise ATParseError(f"+CSCA number is not a phone number: {number!r}")
    if toa == 145 and not number.startswith("+"):
        number = "+" + number
    return ServiceCentre(number, toa)


def parse_cscs(reply: str) -> str:
    """+CSCS: "GSM" -> 'GSM' (the TE character set)."""
    values = split_fields(_one(reply, "+CSCS"))
    if not values[0]:
        raise ATParseError("+CSCS names no character set")
    return values[0]


# --------------------------------------------------------------------------
# Identity: +CGMI, +CGMM, +CGMR, +CGSN, +CIMI, ATI
# --------------------------------------------------------------------------


def parse_identity(reply: str) -> str:
    """Manufacturer / model / revision (AT+CGMI, +CGMM, +CGMR, ATIn).

    The information lines joined by ' / ', with a '+CGMM:'-style prefix
    (some modems add it) removed.
    """
    lines = info_lines(reply)
    cleaned = [re.sub(r"^\+(CG|G)M[IMR]:\s*", "", line, flags=re.IGNORECASE) for line in lines]
    cleaned = [line.strip().strip('"') for line in cleaned if line.strip()]
    if not cleaned:
        raise ATParseError("the identity reply holds no information line")
    return " / ".join(cleaned)


def parse_imei(reply: str) -> str:
    """AT+CGSN (or +GSN): the IMEI, 14-17 digits."""
    value = re.sub(r"^\+C?GSN:\s*", "", parse_identity(reply), flags=re.IGNORECASE).strip('"')
    if not re.fullmatch(r"\d{14,17}", value):
        raise ATParseError(f"not an IMEI: {value!r}")
    return value


def parse_imsi(reply: str) -> str:
    """AT+CIMI: the IMSI, 6-15 digits."""
    value = re.sub(r"^\+CIMI:\s*", "", parse_identity(reply), flags=re.IGNORECASE).strip('"')
    if not re.fullmatch(r"\d{6,15}", value):
        raise ATParseError(f"not an IMSI: {value!r}")
    return value


# --------------------------------------------------------------------------
# Stored messages: +CMGR, +CMGL (PDU and text mode)
# --------------------------------------------------------------------------

STAT_NAMES = {0: "REC UNREAD", 1: "REC READ", 2: "STO UNSENT", 3: "STO SENT", 4: "ALL"}
_STAT_NUMBERS = {name: number for number, name in STAT_NAMES.items()}


@dataclass(frozen=True)
class StoredMessage:
    """One message of a +CMGR / +CMGL reply.

    PDU mode: `pdu` (hex, SMSC field first) and `length` (TPDU octets, as the
    modem claims; some lie). Text mode: `number`, `timestamp`, `text` (raw, in
    the TE character set) and the detail fields when AT+CSDH=1.
    """

    mode: str  # 'pdu' | 'text'
    stat: str | None  # 'REC UNREAD', 'REC READ', 'STO UNSENT', 'STO SENT'
    index: int | None = None
    length: int | None = None
    pdu: str | None = None
    number: str | None = None
    alpha: str | None = None
    timestamp: dt.datetime | None = None
    text: str | None = None
    details: dict = field(default_factory=dict)


def _stat(value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        number = int(value)
        if number not in STAT_NAMES:
            raise ATParseError(f"message status {number} is not 0..4")
        return STAT_NAMES[number]
    if value.upper() not in _STAT_NUMBERS:
        raise ATParseError(f"message status {value!r} is not known")
    return value.upper()


def _pdu_header(values: list[str], index: int | None) -> StoredMessage:
    # Standard: stat,[alpha],length. Seen: "0,23" (no alpha), "24" (length
    # only), ",,92" (no stat), "4,1,,151" (the index first, as in +CMGL).
    # The last field is always the length.
    if len(values) == 4:
        index = _int(values[0], "message index")
        values = values[1:]
    length = _int(values[-1], "PDU length")
    stat = _stat(values[0]) if len(values) > 1 else None
    return StoredMessage("pdu", stat, index=index, length=length)


def _is_pdu(line: str) -> bool:
    return bool(re.fullmatch(r'"?[0-9A-Fa-f]+"?', line.strip()))


def _text_header(values: list[str], index: int | None) -> StoredMessage:
    """Text mode header: stat,oa/da,[alpha][,scts][,details...] (TS 27.005 3.4.3)."""
    stat = _stat(values[0])
    number = values[1] if len(values) > 1 else None
    rest = values[2:]
    timestamp = alpha = None
    details: dict = {}
    # Motorola leaves out the alpha field: stat,oa,scts.
    if rest and _TIME.match(rest[0]):
        rest = ["", *rest]
    if rest:
        alpha = rest[0] or None
    if stat in ("REC UNREAD", "REC READ"):
        if len(rest) > 1 and rest[1]:
            timestamp = parse_time(rest[1])
        names = ("tooa", "fo", "pid", "dcs", "sca", "tosca", "length")
        extra = rest[2:]
    else:
        names = ("toda", "fo", "pid", "dcs", "vp", "sca", "tosca", "length")
        extra = rest[1:]
    for name, value in zip(names, extra):
        details[name] = value if name in ("sca", "vp") or not value else _int(value, name)
    length = details.get("length") if isinstance(details.get("length"), int) else None
    return StoredMessage("text", stat, index=index, length=length, number=number,
                         alpha=alpha, timestamp=timestamp, details=details)


def _with_body(message: StoredMessage, body: list[str]) -> StoredMessage:
    if message.mode == "pdu":
        if not body or not _is_pdu(body[0]):
            raise ATParseError("PDU line missing or not hexadecimal after the header")
        pdu = body[0].strip().strip('"')  # one sample ends its PDU with a stray quote
        return replace(message, pdu=pdu)
    return replace(message, text="\n".join(body))


def _header(payload: str, prefix: str) -> StoredMessage:
    values = split_fields(payload)
    index = None
    if prefix == "+CMGL":
        index = _int(values[0], "+CMGL index")
        values = values[1:]
    if not values:
        raise ATParseError(f"{prefix} header has no fields")
    # Text mode starts with a quoted status ("REC READ"), PDU mode with a
    # number (or nothing).
    first = values[0].strip()
    text_mode = bool(first) and not first.isdigit() and len(values) > 1
    return (_text_header if text_mode else _pdu_header)(values, index)


def _messages(reply: str, prefix: str) -> list[StoredMessage]:
    """Each header line with the body lines after it, up to the next header or OK."""
    messages: list[StoredMessage] = []
    header: StoredMessage | None = None
    body: list[str] = []

    def close() -> None:
        while body and not body[-1].strip():
            body.pop()  # blank lines before the next header or OK
        messages.append(_with_body(header, body))

    for raw in _raw_lines(reply):
        line = raw.strip()
        is_header = line.upper().startswith(prefix + ":")
        if is_header or line.upper() in FINAL_OK:
            if header is not None:
                close()
            header, body = None, []
            if is_header:
                header = _header(line[len(prefix) + 1 :].strip(), prefix)
        elif header is not None:
            if header.mode == "text":
                body.append(raw)  # message text: keep its spaces
            elif line:
                body.append(line)
        elif line:
            raise ATParseError(f"unexpected line before any {prefix} header: {line[:40]!r}")
    if header is not None:
        close()
    return messages


def parse_cmgr(reply: str) -> StoredMessage | None:
    """AT+CMGR=<index> in PDU or text mode. None when the slot is empty
    (some modems answer a bare OK)."""
    messages = _messages(reply, "+CMGR")
    if len(messages) > 1:
        raise ATParseError(f"+CMGR reply holds {len(messages)} messages")
    return messages[0] if messages else None


def parse_cmgl(reply: str) -> list[StoredMessage]:
    """AT+CMGL in PDU or text mode: every listed message, in order."""
    return _messages(reply, "+CMGL")


# --------------------------------------------------------------------------
# USSD: +CUSD
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Ussd:
    status: int  # 0 done, 1 more action needed, 2 terminated by network, ...
    text: str | None
    dcs: int | None
    raw: str | None


def _unpack_gsm7_hex(value: str) -> str | None:
    if not re.fullmatch(r"(?:[0-9A-Fa-f]{2})+", value):
        return None
    data = bytes.fromhex(value)
    septets = gsm7.unpack_septets(data, len(data) * 8 // 7)
    if len(data) % 7 == 0 and septets and septets[-1] == 0x0D:
        septets = septets[:-1]  # CR padding of a septet-aligned end
    return gsm7.decode_septets(septets)


def _dcs_says_ucs2(dcs: int | None) -> bool:
    # General data coding (00xx xxxx / 01xx xxxx) with alphabet bits 10.
    return dcs is not None and dcs >> 7 == 0 and (dcs >> 2) & 0x03 == 0x02


def decode_ussd(raw: str, dcs: int | None) -> str:
    """Best reading of a USSD string (TS 23.038 section 5 for the DCS).

    Modems differ: some pass the text through in the TE character set, some
    give packed GSM-7 in hex, some UCS-2 hex whatever the DCS says. Text
    after a NUL (padding, or junk after it) is dropped.
    """
    if dcs == 0x11:
        # UCS-2 preceded by a two-character GSM-7 language code (2 octets).
        decoded = decode_ucs2_hex(raw[4:])
        if decoded is not None:
            return decoded.split("\x00", 1)[0]
    decoded = decode_ucs2_hex(raw)
    if decoded is not None:
        text = decoded.split("\x00", 1)[0]
        # Quectel M35 sends UCS-2 under DCS 15: trust text that starts with a
        # Latin character (octet 00) and reads cleanly.
        if _dcs_says_ucs2(dcs) or (raw.startswith("00") and text.isprintable()):
            return text
    if dcs is None or dcs & 0xF0 in (0x00, 0x10, 0x30, 0xF0):
        # Huawei E160 sends the packed GSM-7 octets in hex (with or without a DCS).
        unpacked = _unpack_gsm7_hex(raw) if len(raw) >= 8 else None
        if unpacked is not None and unpacked.isprintable():
            return unpacked
    return raw


def parse_cusd(reply: str) -> Ussd:
    """+CUSD: m[,str[,dcs]] (also as an unsolicited code)."""
    values = split_fields(_one(reply, "+CUSD"))
    status = _int(values[0], "+CUSD status")
    raw = values[1] if len(values) > 1 else None
    dcs = _optional_int(values[2] if len(values) > 2 else None, "+CUSD dcs")
    text = decode_ussd(raw, dcs) if raw is not None else None
    return Ussd(status, text, dcs, raw)


# --------------------------------------------------------------------------
# Unsolicited result codes
# --------------------------------------------------------------------------


def parse_unsolicited(line: str) -> dict | None:
    """One unsolicited line as a dict with a 'type', or None when it is not one.

    +CMT and +CDS in PDU mode announce a PDU on the next line ('follows':
    True): read it and pass it to `pdu.decode`.
    """
    if not isinstance(line, str):
        raise ATParseError(f"line must be a string, not {type(line).__name__}")
    line = line.strip()
    upper = line.upper()
    if upper in ("RING", "+CRING"):
        return {"type": "ring"}
    if upper in CALL_RESULTS:
        return {"type": "call_ended", "result": upper}
    head, colon, payload = line.partition(":")
    if not colon:
        return None
    name = head.strip().upper()
    values = split_fields(payload.strip())
    if name in ("+CMTI", "+CDSI"):
        if len(values) != 2 or not values[0]:
            raise ATParseError(f"{name} needs memory,index: {line!r}")
        return {"type": name[1:].lower(), "memory": values[0], "index": _int(values[1], f"{name} index")}
    if name == "+CMT":
        if len(values) == 2:  # PDU mode: [alpha],length
            return {"type": "cmt", "alpha": values[0] or None,
                    "length": _int(values[1], "+CMT length"), "follows": True}
        if len(values) >= 3:  # text mode: oa,[alpha],scts[,...]
            return {"type": "cmt", "number": values[0], "alpha": values[1] or None,
                    "timestamp": parse_time(values[2]), "follows": True}
        raise ATParseError(f"+CMT is not understood: {line!r}")
    if name == "+CDS":
        if len(values) == 1:  # PDU mode: length
            return {"type": "cds", "length": _int(values[0], "+CDS length"), "follows": True}
        if len(values) >= 7:  # text mode: fo,mr,[ra],[tora],scts,dt,st
            return {"type": "cds", "message_ref": _int(values[1], "+CDS reference"),
                    "number": values[2], "timestamp": parse_time(values[4]),
                    "discharge_time": parse_time(values[5]),
                    "status": _int(values[6], "+CDS status"), "follows": False}
        raise ATParseError(f"+CDS is not understood: {line!r}")
    if name == "+CRING":
        return {"type": "ring", "kind": payload.strip()}
    if name == "+CLIP":  # the caller's number: "+62812...",145[,...]
        return {"type": "clip", "number": values[0] if values else ""}
    match = _REG_LINE.match(line)
    if match:
        command = match.group(1).upper() + "REG"
        # A URC has no <n>: stat[,lac,ci[,act]]. A line with a second field
        # that is a bare number is the read reply (n,stat) instead.
        with_n = len(values) >= 2 and values[1].isdigit() and '"' not in payload.split(",")[1]
        registration = _registration(command, values, with_n=with_n)
        return {"type": command.lower(), **registration.to_dict()}
    if name == "+CUSD":
        ussd = parse_cusd(line)
        return {"type": "cusd", "status": ussd.status, "text": ussd.text, "dcs": ussd.dcs}
    return None
