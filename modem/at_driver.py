"""Our own AT driver: pyserial, PDU mode, our codec (pdu.py), our parsers
(atparse.py).

Unlike Gammu's AT driver it waits for the modem's "> " prompt instead of
sleeping around AT+CMGS, so a part goes out as fast as the modem takes it.
It is used from the one thread that owns the modem (owner.py); the line
reader (at_link.py) sets unsolicited codes aside while a command waits:
+CMTI/+CDSI tell which memories hold new messages, +CMT/+CDS carry a
message or status report that is kept here until read_inbound() hands it
over.

After a serial error the port is closed and the next call reopens it and
runs the init sequence again, so a modem that was unplugged and plugged back
comes back without anyone calling open().
"""

from __future__ import annotations

import logging
import random
import re
import time
import zlib
from typing import Sequence

from . import atparse, gsm7, pdu
from .at_calls import ATCalls
from .at_common import (CNMI_VARIANTS, CONFIRM_AFTER, MEMORY_PREFERENCE, NO_REFERENCE, SEND_PERMANENT, aware,
                        inbound_part, reply_error, report_status, send_error)
from .at_link import ATLink, CommandTimeout, Reply
from .at_setup import ATSetup
from .at_status import ATStatus, probe
from .base import (Driver, InboundPart, ModemError, PermanentModemError, SendResult, TransientModemError,
                   UnknownOutcomeError)

log = logging.getLogger(__name__)


class ATDriver(ATSetup, ATCalls, ATStatus, Driver):
    """An AT-command modem on a serial port, in PDU mode."""

    name = "at"

    def __init__(self, port: str, *, baudrate: int = 115200, pin: str = "", timeout: float = 5.0,
                 send_timeout: float = 60.0, smsc: str | None = None, status_reports: bool = True,
                 cnmi: Sequence[str] = CNMI_VARIANTS, memories: Sequence[str] = MEMORY_PREFERENCE):
        self.port = port
        self.pin = pin
        self.timeout = timeout
        self.send_timeout = send_timeout
        self.smsc = smsc or None
        self.status_reports = status_reports
        self.cnmi_variants = tuple(cnmi)
        self.memory_preference = tuple(memories)
        self.link = ATLink(port, baudrate, on_urc=self._on_urc)
        self.memory = "SM"  # the memory messages are read from and stored to
        self.modem_smsc = ""  # what AT+CSCA? says; used when `smsc` is not set
        self.cnmi = ""  # the CNMI setting the modem accepted ("" = polling only)
        self.urcs: list[dict] = []  # recent unsolicited codes, newest last (for diagnosis)
        self.new_message_indicated = False  # a +CMTI/+CDSI/+CMT/+CDS came since the last read
        self._extra_memories: set[str] = set()  # memories a +CMTI/+CDSI named besides ours
        self._pending: dict[str, InboundPart] = {}  # +CMT/+CDS parts not stored on the modem
        self._pending_seq = 0
        self._identity: dict[str, str] | None = None
        self._refused_pin: str | None = None
        self._needs_init = True
        self._resync = False  # a command timed out: its late answer may still come
        self._concat_ref = random.randrange(256)
        self._logged_raw: set[int] = set()
        self._last_send = 0.0  # monotonic time of the last send (state confirmed since)
        self._calls: list[str] = []  # callers seen ringing, not yet handed over (take_calls)
        self._ringing = False  # a call rings now: hang it up before the next command
        self._last_caller: tuple[str, float] = ("", 0.0)  # one call rings many times: counted once
        self._ussd: dict | None = None  # the last +CUSD that came

    # -- session -----------------------------------------------------------------------
    def open(self) -> None:
        self.link.open()
        try:
            self._init()
        except BaseException:
            self.link.close()
            raise

    def close(self) -> None:
        self.link.close()
        self._needs_init = True

    def reinit(self) -> None:
        """Run the init sequence again on the open port (the modem forgot its settings)."""
        if not self.link.is_open:
            self.open()
        else:
            self._init()

    def ping(self) -> None:
        """The cheapest proof of life: AT answered by OK. Raises when it is not."""
        self._ensure()
        self._expect("AT", "ping", timeout=min(self.timeout, 2.0))

    # -- init ----------------------------------------------------------------------------
    def _ensure(self) -> None:
        """Reopen and re-init when the port was lost or the modem forgot its settings."""
        if not self.link.is_open:
            self.open()
        elif self._needs_init:
            self._init()
        elif self._resync:
            self._resynchronise()
        if self._ringing:
            self._hang_up()

    def _at(self, command: str, timeout: float | None = None) -> Reply:
        """One command, its reply (errors included); a timeout raises."""
        try:
            reply = self.link.command(command, self.timeout if timeout is None else timeout)
        except CommandTimeout:
            self._resync = True
            raise
        self._after_reply()
        return reply

    def _expect(self, command: str, doing: str, timeout: float | None = None) -> Reply:
        """Like _at, but an error result raises a ModemError."""
        reply = self._at(command, timeout)
        if not reply.ok:
            raise reply_error(reply, f"{doing} on {self.port}")
        return reply

    def _tolerate(self, command: str) -> None:
        if not self._at(command).ok:
            log.debug("modem %s does not accept %s", self.port, command)

    def _after_reply(self) -> None:
        if self.link.echo_seen and not self._needs_init:
            # Echo came back: the modem restarted and lost ATE0, CMGF, CNMI ...
            log.warning("modem %s echoes commands again: it was reset; initialising it again", self.port)
            self._needs_init = True
        self.link.echo_seen = False

    # -- sending ---------------------------------------------------------------------------
    def send(self, number: str, text: str, *, status_report: bool = True) -> SendResult:
        pdus = self._encode(number, text, self.status_reports and status_report)
        self._ensure()
        if time.monotonic() - self._last_send > CONFIRM_AFTER:
            self._confirm_state()
        references: list[int] = []
        for part in pdus:
            try:
                references.append(self._send_part(part, number))
            except ModemError as exc:
                if references and not isinstance(exc, UnknownOutcomeError):
                    # The customer has the first parts already: sending the whole
                    # message again would repeat them. It is an unknown outcome.
                    exc = UnknownOutcomeError(f"{exc} (after {len(references)} of {len(pdus)} parts went out)",
                                              code=exc.code)
                exc.references = tuple(references)  # parts that did go out before the failure
                raise exc from None
            finally:
                self._last_send = time.monotonic()
        return SendResult(tuple(references), "gsm7" if gsm7.is_gsm7(text) else "ucs2")

    def _encode(self, number: str, text: str, status_report: bool) -> list[str]:
        try:
            pdus = pdu.encode_submit(number, text, smsc=self.smsc, status_report=status_report,
                                     concat_ref=self._concat_ref)
        except pdu.PDUError as exc:
            raise PermanentModemError(f"cannot encode the message to {number!r}: {exc}") from None
        if len(pdus) > 1:
            self._concat_ref = (self._concat_ref + 1) % 256
        return pdus

    def _send_part(self, part: str, number: str) -> int:
        reply = self._prompt(pdu.tpdu_length(part), number)
        if reply.ok and self.link.echo_seen:
            # It echoed AT+CMGS: it was reset, and may be in text mode, where the
            # PDU would go out as text to the number <length>. Leave the prompt
            # (ESC sends nothing), initialise, and ask again.
            log.warning("modem %s echoes commands again: it was reset; initialising it before sending",
                        self.port)
            self.link.write(b"\x1b")
            self._init()
            reply = self._prompt(pdu.tpdu_length(part), number)
        if not reply.ok:
            raise send_error(reply, number)
        # From here the modem may have sent the part: a missing answer is an
        # unknown outcome, never a reason to send it again.
        try:
            self.link.write(part.encode("ascii") + b"\x1a")
            reply = self.link.collect("AT+CMGS", self.send_timeout)
        except TransientModemError as exc:  # a timeout, or the device vanished
            self._resync = True
            raise UnknownOutcomeError(f"sending to {number}: the modem took the message but did not "
                                      f"confirm it ({exc}); it may have gone out") from None
        if not reply.ok:
            raise send_error(reply, number)
        for line in reply.lines:
            match = re.match(r"\+CMGS:\s*(\d+)", line, re.IGNORECASE)
            if match:
                return int(match.group(1)) % 256
        log.warning("modem %s confirmed a part to %s without its +CMGS reference", self.port, number)
        return NO_REFERENCE  # OK means it went out; only its delivery report cannot be matched

    def _prompt(self, length: int, number: str) -> Reply:
        """AT+CMGS=<length> up to its "> " prompt; nothing can have been sent yet."""
        self.link.echo_seen = False
        try:
            reply = self.link.command(f"AT+CMGS={length}", self.timeout, prompt=True)
        except CommandTimeout as exc:
            self._resync = True
            raise TransientModemError(f"sending to {number}: {exc}") from None
        if reply.final == "OK":
            # AT+CMGS answers "> " or an error; a bare OK is a stale answer: out of step.
            self._resync = True
            raise TransientModemError(f"sending to {number}: the modem is out of step (OK instead of the prompt)")
        return reply

    # -- reading -----------------------------------------------------------------------------
    def read_inbound(self) -> list[InboundPart]:
        self._ensure()
        self.link.drain()
        self.new_message_indicated = False
        parts = self._list(self.memory)
        for memory in sorted(self._extra_memories):
            parts += self._list_other(memory)
        return parts + list(self._pending.values())

    def poll_indications(self, wait: float = 0.0) -> bool:
        """Listen up to `wait` seconds for unsolicited codes; True when one announced
        a new message or report (read_inbound() then has something to find)."""
        if self.link.is_open and not self.new_message_indicated:
            self.link.drain(wait=wait)
        return self.new_message_indicated

    def _list(self, memory: str) -> list[InboundPart]:
        reply = self._at("AT+CMGL=4", self.timeout * 3)
        if not reply.ok and self._in_text_mode():
            reply = self._at("AT+CMGL=4", self.timeout * 3)
        if not reply.ok:
            raise reply_error(reply, f"listing messages on {self.port}")
        stored = self._parse_listing(reply)
        if any(message.mode == "text" for message in stored) and self._in_text_mode():
            stored = self._parse_listing(self._expect("AT+CMGL=4", "listing messages", self.timeout * 3))
        return [self._part(memory, message) for message in stored]

    def _list_other(self, memory: str) -> list[InboundPart]:
        """Messages in a memory a +CMTI/+CDSI named that is not ours (status reports in "SR")."""
        if not self._at(f'AT+CPMS="{memory}"').ok:
            self._extra_memories.discard(memory)
            return []
        try:
            parts = self._list(memory)
        finally:
            self._at(f'AT+CPMS="{self.memory}"')
        if not parts:
            self._extra_memories.discard(memory)
        return parts

    def _in_text_mode(self) -> bool:
        """True (after switching back to PDU mode) when the modem had fallen into text mode."""
        reply = self._at("AT+CMGF?")
        if reply.ok and any(re.match(r"\+CMGF:\s*1", line) for line in reply.lines):
            log.warning("modem %s was in text mode (AT+CMGF=1), probably after a reset; "
                        "initialising it again in PDU mode", self.port)
            self._init()
            return True
        return False

    def _parse_listing(self, reply: Reply) -> list[atparse.StoredMessage]:
        lines = reply.lines
        first = next((i for i, line in enumerate(lines) if line.upper().startswith("+CMGL:")), len(lines))
        try:
            return atparse.parse_cmgl("\r\n".join([*lines[first:], "OK"]))
        except atparse.ATParseError as exc:
            raise TransientModemError(f"the message list of {self.port} is not understood: {exc}") from None

    def _part(self, memory: str, message: atparse.StoredMessage) -> InboundPart:
        location = f"{memory}:{message.index}"
        if message.mode == "text":
            return InboundPart(location=location, sender=message.number or "", text=message.text or "",
                               smsc_time=aware(message.timestamp))
        return self._decode(location, message.pdu or "")

    def _decode(self, location: str, pdu_hex: str) -> InboundPart:
        try:
            decoded = pdu.decode(pdu_hex)
        except pdu.PDUError as exc:
            return self._raw(location, pdu_hex, str(exc))
        return inbound_part(location, decoded)

    def _raw(self, location: str, pdu_hex: str, reason: str) -> InboundPart:
        """A PDU our codec rejects: kept whole for diagnosis, never dropped."""
        digest = zlib.crc32(pdu_hex.encode("ascii", "replace"))
        if digest not in self._logged_raw:
            self._logged_raw.add(digest)
            log.warning("modem %s: message %s cannot be decoded (%s); passing it on raw: %s",
                        self.port, location, reason, pdu_hex[:400])
        # A sender unique to the PDU: two broken PDUs of one poll never collide.
        return InboundPart(location=location, sender=f"?{digest:08x}", text="", coding="raw", raw=pdu_hex)

    def delete(self, location: str) -> None:
        if location in self._pending:
            del self._pending[location]  # came as +CMT/+CDS: never stored on the modem
            return
        memory, _, index = location.rpartition(":")
        if not memory or not index.isdigit():
            raise PermanentModemError(f"not a message location of this modem: {location!r}")
        self._ensure()
        if memory == self.memory:
            self._expect(f"AT+CMGD={index}", f"deleting message {location}")
            return
        self._expect(f'AT+CPMS="{memory}"', f"choosing memory {memory}")
        try:
            self._expect(f"AT+CMGD={index}", f"deleting message {location}")
        finally:
            self._at(f'AT+CPMS="{self.memory}"')

    # -- calls ------------------------------------------------------------------------------------
    # Customers "miscall" the shop to ask for an SMS instead of paying for one.
    # A call is never answered (that would cost the caller): it is rejected
    # between two commands, so never in the middle of a send, and its number
    # is handed to the owner thread (take_calls) for the shop's chosen action.
    SAME_CALL_SECONDS = 30.0  # RING/+CLIP repeat every few seconds while one call rings

    def _urc_line(self, line: str) -> None:
        try:
            urc = atparse.parse_unsolicited(line)
        except atparse.ATParseError:
            return
        if urc:
            self._on_urc(urc)

    # -- unsolicited codes --------------------------------------------------------------------
    def _on_urc(self, urc: dict) -> None:
        self.urcs.append(urc)
        del self.urcs[:-100]
        kind = urc.get("type")
        if kind in ("ring", "clip", "call_ended"):
            self._on_call(urc)
        elif kind == "cusd":
            self._ussd = urc
        elif kind in ("cmti", "cdsi"):
            self.new_message_indicated = True
            if urc.get("memory") and urc["memory"].upper() != self.memory:
                self._extra_memories.add(urc["memory"].upper())
        elif kind in ("cmt", "cds"):
            self.new_message_indicated = True
            self._pending_seq += 1
            location = f"{kind}:{self._pending_seq}"
            body = urc.get("body") or ""
            if kind == "cds" and not urc.get("follows"):
                self._pending[location] = InboundPart(
                    location=location, sender=urc.get("number", ""), text="",
                    smsc_time=aware(urc.get("discharge_time")), status_ref=urc.get("message_ref"),
                    status=report_status(urc.get("status", 0)))
            elif re.fullmatch(r"[0-9A-Fa-f]+", body):
                self._pending[location] = self._decode(location, body)
            else:
                log.warning("modem %s: %s without a PDU: %r", self.port, kind.upper(), body[:80])
        elif kind == "unparsed":
            log.info("modem %s: unsolicited line not understood: %r", self.port, urc.get("line", "")[:80])

    # -- status ---------------------------------------------------------------------------------


__all__ = ["ATDriver", "probe", "SEND_PERMANENT", "CNMI_VARIANTS", "MEMORY_PREFERENCE"]
