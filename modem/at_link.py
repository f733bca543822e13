"""The serial line of an AT modem: commands out, lines in, URCs set aside.

`ATLink` owns one pyserial port and is used from one thread (the modem's
owner), so there is no reader thread: bytes are read while a command waits
for its answer, and every unsolicited result code (+CMTI, +CDS, +CREG,
RING, Huawei ^RSSI ...) met on the way is handed to `on_urc` instead of
being mistaken for the answer. Noise (line junk, blank lines, the echo of
the command) is dropped. Every serial or OS error becomes a
TransientModemError and closes the port, so nothing of pyserial leaks.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import termios
import time
from typing import Callable

import serial

from . import atparse
from .base import TransientModemError

log = logging.getLogger(__name__)

CTRL_Z, ESC = b"\x1a", b"\x1b"
PROMPT = object()  # the "> " of AT+CMGS, as an event of the line reader

# Lines that come unasked and carry nothing Loket needs (boot, SIM, time
# zone, indicator and Huawei status chatter). Matched on the line's start.
# Call codes (RING, +CLIP, NO CARRIER ...) are not here: atparse knows them
# as URCs, so they reach on_urc and never end a command.
_NOISE = ("^", "RDY", "SMS READY", "CALL READY", "PB DONE", "+PBREADY", "+QIND", "+CIEV", "+CGEV",
          "+STIN", "+CSQN", "+QUSIM", "+CTZV", "+CTZE", "+NITZ", "*PSUTTZ", "+PSUTTZ", "DST:",
          "+CPIN:", "+CFUN:", "+CUSD:", "POWERED DOWN",
          "NORMAL POWER DOWN", "UNDER-VOLTAGE", "OVER-VOLTAGE", "+SIMCARD", "+MIPCALL")
# A line that had non-ASCII bytes is junk unless a real result hides at its end.
_TOKEN_AT_END = re.compile(r"((?:\+|\^)[A-Z]+[:\s].*|OK|ERROR)$")
# What pyserial and the OS raise when a device is gone or the port is closed under us.
_SERIAL_ERRORS = (OSError, ValueError, termios.error)
_OUR_NAME = re.compile(r"^AT([+^$%*#!][A-Z0-9_]+|[A-Z&]+)", re.IGNORECASE)


@dataclasses.dataclass
class Reply:
    """A command's answer: information lines and the final result line."""

    command: str
    lines: list[str]
    final: str  # 'OK', '>' for the CMGS prompt, or the error line

    @property
    def ok(self) -> bool:
        return self.final in ("OK", ">")

    @property
    def error(self) -> atparse.ATError | None:
        return None if self.ok else atparse.parse_error(self.final)

    @property
    def text(self) -> str:
        """The reply as atparse's parsers take it."""
        return "\r\n".join([*self.lines, self.final])


class CommandTimeout(TransientModemError):
    """The modem did not finish answering in time (hung, or very busy)."""


def _clean(raw: bytes) -> str | None:
    """A received line as text, or None when it is junk or blank."""
    text = "".join(ch for ch in raw.decode("latin-1") if " " <= ch <= "~").strip()
    if not text:
        return None
    if len(text) != len(raw.strip()):  # there were control or 8-bit bytes in it
        match = _TOKEN_AT_END.search(text)
        return match.group(1) if match else None
    return text if any(ch.isalnum() for ch in text) else None


def _command_name(command: str) -> str:
    """'+CMGL' for 'AT+CMGL=4', 'ATI' style names for basic commands."""
    match = _OUR_NAME.match(command.strip())
    return match.group(1).upper() if match else ""


class ATLink:
    def __init__(self, port: str, baudrate: int = 115200, *,
                 on_urc: Callable[[dict], None] | None = None):
        self.port = port
        self.baudrate = baudrate
        self.on_urc = on_urc
        self.echo_seen = False  # the modem echoed a command: it has forgotten ATE0
        self._serial: serial.Serial | None = None
        self._buf = bytearray()

    # -- the port ------------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        return self._serial is not None

    def open(self) -> None:
        """Open the port by its path (a /dev/serial/by-id link is followed anew)."""
        self.close()
        try:
            self._serial = serial.Serial(self.port, self.baudrate, timeout=0.05, write_timeout=5,
                                         exclusive=True)
        except _SERIAL_ERRORS as exc:
            raise TransientModemError(f"cannot open modem port {self.port}: {_reason(exc)}") from None
        self._buf.clear()

    def close(self) -> None:
        port, self._serial = self._serial, None
        if port is not None:
            try:
                port.close()
            except _SERIAL_ERRORS:
                pass  # closing a device that vanished is not worth an error

    # -- commands ------------------------------------------------------------------
    def command(self, command: str, timeout: float, *, prompt: bool = False) -> Reply:
        """Send one command line; wait for its final result (or the CMGS prompt).

        An error result is returned, not raised: the caller knows what it means.
        """
        self.drain()
        self.write(command.encode("latin-1") + b"\r")
        return self.collect(command, timeout, prompt=prompt)

    def collect(self, command: str, timeout: float, *, prompt: bool = False) -> Reply:
        """Read the answer to `command` (already written) until its final result."""
        deadline = time.monotonic() + timeout
        name = _command_name(command)
        lines: list[str] = []
        while True:
            item = self._next(deadline, prompt)
            if item is None:
                if prompt:
                    self._cancel_prompt()
                raise CommandTimeout(f"modem did not answer {command[:40]!r} within {timeout:g} s")
            if item is PROMPT:
                return Reply(command, lines, ">")
            if item.upper() == command.strip().upper():
                self.echo_seen = True
                continue
            if item == "OK" or atparse.parse_error(item):
                return Reply(command, lines, item)
            if not self._urc(item, name, deadline):
                lines.append(item)

    def write(self, data: bytes) -> None:
        port = self._require()
        try:
            port.write(data)
            port.flush()
        except _SERIAL_ERRORS as exc:
            self.close()
            raise TransientModemError(f"modem {self.port} vanished while writing: {_reason(exc)}") from None

    def drain(self, wait: float = 0.0) -> None:
        """Take in whatever the modem sent unasked (URCs, stale answers)."""
        deadline = time.monotonic() + wait
        while True:
            item = self._next(deadline, prompt=False, block=wait > 0)
            if item is None:
                return
            if item is not PROMPT and not self._urc(item, "", deadline):
                log.debug("modem %s: ignoring stray line %r", self.port, item[:60])

    def _cancel_prompt(self) -> None:
        # ESC leaves the "> " text entry without sending anything.
        try:
            self.write(ESC)
        except TransientModemError:
            pass

    # -- unsolicited result codes ---------------------------------------------------
    def _urc(self, line: str, command_name: str, deadline: float) -> bool:
        """Handle `line` if it is unsolicited; False when it belongs to the answer."""
        upper = line.upper()
        if command_name and upper.startswith(command_name + ":"):
            return False  # +CREG: 0,1 answers AT+CREG?, it is no URC here
        try:
            urc = atparse.parse_unsolicited(line)
        except atparse.ATParseError:
            urc = {"type": "unparsed", "line": line}
        if urc is None:
            if upper.startswith(_NOISE):
                log.debug("modem %s: %s", self.port, line[:80])
                return True
            return False
        if urc.get("follows"):
            # +CMT / +CDS: the PDU (or text) is the next line.
            body = self._next(max(deadline, time.monotonic() + 2.0), prompt=False)
            urc["body"] = body if isinstance(body, str) else ""
        if self.on_urc is not None:
            self.on_urc(urc)
        return True

    # -- bytes to lines ----------------------------------------------------------------
    def _next(self, deadline: float, prompt: bool, block: bool = True):
        """The next line, PROMPT, or None when the deadline passes first."""
        while True:
            item = self._take(prompt)
            if item is not None:
                return item
            if not self._fill(deadline, block):
                return None

    def _take(self, prompt: bool):
        buf = self._buf
        while True:
            start = 0
            while start < len(buf) and buf[start] in b"\r\n":
                start += 1
            del buf[:start]
            if prompt and buf[:1] == b">":
                del buf[:2 if buf[1:2] == b" " else 1]
                return PROMPT
            end = next((i for i, b in enumerate(buf) if b in b"\r\n"), -1)
            if end < 0:
                return None
            raw = bytes(buf[:end])
            del buf[:end + 1]
            line = _clean(raw)
            if line is not None:
                return line
            log.debug("modem %s: dropped junk %r", self.port, raw[:40])

    def _fill(self, deadline: float, block: bool) -> bool:
        """Read more bytes; False when none came before the deadline."""
        port = self._require()
        while True:
            try:
                waiting = port.in_waiting
                if waiting or block:
                    data = port.read(waiting or 1)
                else:
                    data = b""
            except _SERIAL_ERRORS as exc:
                self.close()
                raise TransientModemError(f"modem {self.port} vanished: {_reason(exc)}") from None
            if data:
                self._buf += data
                if len(self._buf) > 1 << 20:  # a runaway device: keep the tail
                    del self._buf[:-(1 << 16)]
                return True
            if not block or time.monotonic() >= deadline:
                return False

    def _require(self) -> serial.Serial:
        if self._serial is None:
            raise TransientModemError(f"modem port {self.port} is not open")
        return self._serial


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:200]
