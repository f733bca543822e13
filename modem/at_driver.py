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

import datetime as dt
import logging
import random
import re
import time
import zlib
from typing import Sequence

from . import atparse, gsm7, pdu
from .at_link import ATLink, CommandTimeout, Reply
from .base import (Driver, InboundPart, ModemError, ModemStatus, PermanentModemError, SendResult,
                   TransientModemError, UnknownOutcomeError)

log = logging.getLogger(__name__)

# +CMS ERROR codes after which the same message will never go out (TS 24.011
# E.2, TS 27.005 3.2.5): retrying only wastes credit. Everything else (38
# network out of order, 41 temporary failure, 42 congestion, 47 resources,
# 331 no network, 332 network timeout, 500 unknown, 515 busy ...) may pass later.
SEND_PERMANENT = frozenset({1, 8, 10, 21, 27, 28, 29, 30, 50, 96, 195, 196, 304, 305})

# New-message indications, best first: stored SMS announced by +CMTI, status
# reports stored and announced by +CDSI; then reports routed as +CDS; then
# the older mode 1 for modems without a buffer.
CNMI_VARIANTS = ("2,1,0,2,0", "2,1,0,1,0", "1,1,0,2,0", "1,1,0,1,0", "2,1,0,0,0", "2,1")
MEMORY_PREFERENCE = ("SM", "ME", "MT")
# A send after this many seconds without one first confirms that the modem is
# still in PDU mode with echo off (one AT+CMGF?): a modem that reset without
# losing its port would otherwise take AT+CMGS=<length> as a text-mode number.
CONFIRM_AFTER = 1.0
# The reference recorded for a part the modem confirmed with OK but without
# +CMGS: it went out, and no status report can match it.
NO_REFERENCE = -1
_SIM_TEXT = {"READY": "ready", "SIM PIN": "PIN required", "SIM PUK": "PUK required (SIM locked)",
             "SIM PIN2": "PIN2 required", "SIM PUK2": "PUK2 required", "PH-SIM PIN": "phone lock PIN required"}


class ATDriver(Driver):
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
    def _init(self) -> None:
        self._needs_init = True
        self._identity = None
        self._sync()
        self._tolerate("ATZ")
        if not self._at("ATE0V1").ok:
            # Some modems take one basic command per line: step by step.
            self._expect("ATE0", "turning echo off")
            self._tolerate("ATV1")
        self.link.echo_seen = False
        self._tolerate("AT+CMEE=1")
        self._unlock_sim()
        reply = self._at("AT+CMGF=0")
        if not reply.ok:
            raise PermanentModemError(f"modem {self.port} refuses PDU mode (AT+CMGF=0: {reply.final})")
        self._set_indications()
        self._choose_memory()
        # Network time and long operator names where offered; the caller's number
        # with every RING (+CLIP), so a missed call names its customer.
        for command in ("AT+CTZU=1", "AT+CLTS=1", "AT+COPS=3,0", "AT+CLIP=1"):
            self._tolerate(command)
        self._read_smsc()
        self._needs_init = False
        self._resync = False
        log.info("modem %s ready: memory %s, CNMI %s, SMSC %s", self.port, self.memory,
                 self.cnmi or "none (polling)", self.smsc or self.modem_smsc or "unknown")

    def _sync(self) -> None:
        """Get the modem's attention: leave a half-typed command or prompt, then AT."""
        self.link.write(b"\x1b\r")
        self.link.drain(wait=0.05)
        last: ModemError | None = None
        for _ in range(3):
            try:
                if self.link.command("AT", min(self.timeout, 2.0)).ok:
                    self.link.drain(wait=0.02)  # a late OK of an earlier command
                    return
            except CommandTimeout as exc:
                last = exc
        raise TransientModemError(f"modem {self.port} does not answer AT: {last or 'no OK'}")

    def _resynchronise(self) -> None:
        """After a timeout: take in the late answer (a +CMGS that came too late
        belongs to no one) and only then go on, so it is never read as the
        answer to the next command. AT+CMGF? marks our own answer by its
        +CMGF line; anything before it is stale. Until this succeeds nothing
        else is sent to the modem."""
        self.link.write(b"\x1b\r")  # leave a "> " prompt the PDU never reached, without sending
        self.link.write(b"AT+CMGF?\r")
        answered = False
        while True:
            try:
                reply = self.link.collect("AT+CMGF?", self.timeout)
            except CommandTimeout as exc:
                if answered:
                    break  # an answer without +CMGF, and nothing after it: it was ours
                raise TransientModemError(f"modem {self.port} does not answer after a timeout: {exc}") from None
            answered = True
            if any(line.upper().startswith("+CMGF:") for line in reply.lines):
                if any(re.match(r"\+CMGF:\s*1", line) for line in reply.lines):
                    self._needs_init = True
                # Answers to an earlier attempt's AT+CMGF? follow at once: take them in too.
                self.link.drain(wait=0.2)
                break
            log.warning("modem %s: a late answer came after a timeout and was set aside: %s", self.port,
                        " ".join([*reply.lines, reply.final])[:120])
        self._resync = False
        self._after_reply()
        if self._needs_init:
            log.warning("modem %s was reset while it did not answer; initialising it again", self.port)
            self._init()

    def _confirm_state(self) -> None:
        """Before a batch of sends: still PDU mode, echo still off? Re-initialise if not."""
        reply = self._at("AT+CMGF?")  # an echo of it tells the link the modem was reset
        if reply.ok and any(re.match(r"\+CMGF:\s*1", line) for line in reply.lines):
            log.warning("modem %s is in text mode (it was reset); initialising it again", self.port)
            self._needs_init = True
        if self._needs_init:
            self._init()

    def _unlock_sim(self) -> None:
        state = self._sim_state()
        if state == "SIM PIN":
            self._enter_pin()
            state = self._wait_sim_ready()
        if state != "READY":
            raise PermanentModemError(f"modem {self.port}: the SIM card says {state!r} "
                                      f"({_SIM_TEXT.get(state, 'not ready')}); it cannot be used")

    def _sim_state(self) -> str:
        for _ in range(5):
            reply = self._at("AT+CPIN?")
            error = reply.error
            if reply.ok:
                for line in reply.lines:
                    if line.upper().startswith("+CPIN:"):
                        return line.split(":", 1)[1].strip().strip('"').upper()
                return "READY" if not reply.lines else reply.lines[-1].upper()
            if error and error.code == 10:
                raise PermanentModemError(f"modem {self.port}: no SIM card inserted", code=10)
            if error and error.code in (13, 15):
                raise PermanentModemError(f"modem {self.port}: SIM card failure ({error.message})",
                                          code=error.code)
            time.sleep(0.2)  # 14 SIM busy: it is still starting up
        raise TransientModemError(f"modem {self.port}: the SIM does not answer AT+CPIN? ({reply.final})")

    def _enter_pin(self) -> None:
        if not self.pin:
            raise PermanentModemError(f"modem {self.port}: the SIM asks for a PIN and none is set; "
                                      "enter the SIM PIN in the modem settings")
        if self.pin == self._refused_pin:
            # Trying a refused PIN again would count down to a PUK lock.
            raise PermanentModemError(f"modem {self.port}: the SIM refused the configured PIN; "
                                      "correct it in the modem settings")
        reply = self._at(f'AT+CPIN="{self.pin}"')
        if not reply.ok:
            self._refused_pin = self.pin
            raise PermanentModemError(f"modem {self.port}: the SIM refused the PIN ({reply.final}); "
                                      "check the PIN before the SIM locks itself", code=_code(reply))

    def _wait_sim_ready(self) -> str:
        deadline = time.monotonic() + max(self.timeout, 2.0)
        while True:
            state = self._sim_state()
            if state == "READY" or time.monotonic() > deadline:
                return state
            time.sleep(0.2)

    def _set_indications(self) -> None:
        self.cnmi = ""
        for variant in self.cnmi_variants:
            if self._at(f"AT+CNMI={variant}").ok:
                self.cnmi = variant
                return
        log.warning("modem %s accepts none of the AT+CNMI settings; new messages are found by polling",
                    self.port)

    def _choose_memory(self) -> None:
        offered: list[list[str]] = []
        reply = self._at("AT+CPMS=?")
        if reply.ok:
            try:
                offered = atparse.parse_cpms_supported(reply.text)
            except atparse.ATParseError:
                offered = []
        for memory in self.memory_preference:
            # mem1 (read/delete) and mem3 (receive) must be the same memory.
            if offered and memory in offered[0] and memory in offered[-1]:
                quoted = ",".join(f'"{memory}"' for _ in offered[:3])
                if self._at(f"AT+CPMS={quoted}").ok:
                    self.memory = memory
                    return
        self.memory = self._current_memory() or "SM"
        log.warning("modem %s: keeping message memory %s (none of %s could be chosen)", self.port,
                    self.memory, "/".join(self.memory_preference))

    def _current_memory(self) -> str | None:
        reply = self._at("AT+CPMS?")
        try:
            storages = atparse.parse_cpms(reply.text) if reply.ok else []
        except atparse.ATParseError:
            return None
        return storages[0].memory if storages else None

    def _read_smsc(self) -> None:
        reply = self._at("AT+CSCA?")
        try:
            self.modem_smsc = atparse.parse_csca(reply.text).number if reply.ok else ""
        except atparse.ATParseError:
            self.modem_smsc = ""
        if not self.modem_smsc and not self.smsc:
            log.warning("modem %s has no SMS centre number (AT+CSCA); sending will fail until one is set",
                        self.port)

    # -- commands ------------------------------------------------------------------------
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
            raise _error(reply, f"{doing} on {self.port}")
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
            raise _send_error(reply, number)
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
            raise _send_error(reply, number)
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
            raise _error(reply, f"listing messages on {self.port}")
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
                               smsc_time=_aware(message.timestamp))
        return self._decode(location, message.pdu or "")

    def _decode(self, location: str, pdu_hex: str) -> InboundPart:
        try:
            decoded = pdu.decode(pdu_hex)
        except pdu.PDUError as exc:
            return self._raw(location, pdu_hex, str(exc))
        return _inbound(location, decoded)

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

    def take_calls(self) -> list[str]:
        """Callers seen since the last call (each call once), after rejecting the ringing one."""
        if self._ringing and self.link.is_open:
            self._hang_up()
        calls, self._calls = self._calls, []
        return calls

    def _hang_up(self) -> None:
        self._ringing = False
        try:
            if not self._at("AT+CHUP").ok:  # 27.007's hang-up; older firmwares know only ATH
                self._tolerate("ATH")
        except TransientModemError as exc:
            log.info("modem %s: rejecting a call failed: %s", self.port, exc)

    def _on_call(self, urc: dict) -> None:
        kind = urc.get("type")
        if kind == "call_ended":
            self._ringing = False
            return
        self._ringing = True
        number = (urc.get("number") or "").strip() if kind == "clip" else ""
        if not number:
            return  # RING alone, or a withheld number: rejected, nobody to answer
        last, at = self._last_caller
        now = time.monotonic()
        if number != last or now - at > self.SAME_CALL_SECONDS:
            self._calls.append(number)
            del self._calls[:-50]
        self._last_caller = (number, now)

    # -- USSD: the SIM's balance ---------------------------------------------------------------------
    def check_balance(self, code: str, wait: float = 20.0) -> str:
        """Ask the network `code` (e.g. *888#) and return its reply text.

        The +CUSD answer comes as an unsolicited code, often seconds after the
        OK (the network asks the operator's server): it is awaited up to
        `wait` seconds. A menu that expects an answer is closed (AT+CUSD=2)."""
        if not re.fullmatch(r"[*#][0-9*#]{1,30}#", code or ""):
            raise PermanentModemError(f"not a USSD code: {code!r}")
        self._ensure()
        self._ussd = None
        reply = self._at(f'AT+CUSD=1,"{code}",15', timeout=max(self.timeout, wait))
        if not reply.ok:
            raise _error(reply, f"asking {code} on {self.port}")
        for line in reply.lines:  # some modems answer within the command
            if line.upper().startswith("+CUSD:"):
                self._urc_line(line)
        deadline = time.monotonic() + wait
        while self._ussd is None and time.monotonic() < deadline:
            self.link.drain(wait=min(0.2, max(0.0, deadline - time.monotonic())))
        ussd, self._ussd = self._ussd, None
        if ussd is None:
            self._tolerate("AT+CUSD=2")
            raise TransientModemError(f"modem {self.port}: no answer to {code} within {wait:g} s")
        if ussd.get("status") == 1:
            self._tolerate("AT+CUSD=2")  # a menu waits for a choice: end the session
        if ussd.get("status") not in (0, 1) or ussd.get("text") is None:
            raise TransientModemError(f"modem {self.port}: the network ended {code} without an answer "
                                      f"(+CUSD status {ussd.get('status')})")
        return ussd["text"]

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
                    smsc_time=_aware(urc.get("discharge_time")), status_ref=urc.get("message_ref"),
                    status=_report_status(urc.get("status", 0)))
            elif re.fullmatch(r"[0-9A-Fa-f]+", body):
                self._pending[location] = self._decode(location, body)
            else:
                log.warning("modem %s: %s without a PDU: %r", self.port, kind.upper(), body[:80])
        elif kind == "unparsed":
            log.info("modem %s: unsolicited line not understood: %r", self.port, urc.get("line", "")[:80])

    # -- status ---------------------------------------------------------------------------------
    def status(self) -> ModemStatus:
        self._ensure()
        status = ModemStatus(ok=True, **self._identify())
        self._fill_sim(status)
        self._fill_signal(status)
        self._fill_registration(status)
        self._fill_storage(status)
        status.network_time = self._read(atparse.parse_cclk, "AT+CCLK?")
        problems = []
        if status.sim != "ready":
            problems.append(f"SIM: {status.sim}")
        if not status.registration.startswith("registered"):
            problems.append(f"network: {status.registration}")
        if problems:
            status.ok, status.error = False, "; ".join(problems)
        return status

    def _identify(self) -> dict[str, str]:
        if self._identity is None:
            self._identity = {
                "manufacturer": self._read(_last_line, "AT+CGMI") or "",
                "model": self._read(_last_line, "AT+CGMM") or "",
                "firmware": self._read(_last_line, "AT+CGMR") or "",
                "imei": self._read(atparse.parse_imei, "AT+CGSN") or "",
                "imsi": self._read(atparse.parse_imsi, "AT+CIMI") or "",
            }
        return dict(self._identity)

    def _fill_sim(self, status: ModemStatus) -> None:
        reply = self._at("AT+CPIN?")
        line = next((l for l in reply.lines if l.upper().startswith("+CPIN:")), "")
        state = line.split(":", 1)[1].strip().strip('"').upper() if line else ""
        if reply.ok and state:
            status.sim = _SIM_TEXT.get(state, state.lower())
        elif reply.error and reply.error.code == 10:
            status.sim = "not inserted"

    def _fill_signal(self, status: ModemStatus) -> None:
        signal = self._read(atparse.parse_csq, "AT+CSQ")
        if signal is not None:
            status.signal_dbm, status.signal_percent = signal.dbm, signal.percent

    def _fill_registration(self, status: ModemStatus) -> None:
        found = None
        # LTE-only modems register on EPS (+CEREG) and show +CREG: 0,0.
        for command in ("AT+CREG?", "AT+CEREG?", "AT+CGREG?"):
            registration = self._read(atparse.parse_registration, command)
            if registration is not None and (found is None or registration.registered):
                found = registration
                if registration.registered:
                    break
        if found is not None:
            status.registration = found.state
        operator = self._read(atparse.parse_cops, "AT+COPS?")
        if operator is not None and operator.name:
            status.operator = operator.name

    def _fill_storage(self, status: ModemStatus) -> None:
        storages = self._read(atparse.parse_cpms, "AT+CPMS?")
        if storages:
            status.storage_used, status.storage_total = storages[0].used, storages[0].total

    def _read(self, parser, command: str):
        """`parser(reply)` of a query, or None when the modem refuses it or says nonsense."""
        reply = self._at(command)
        if not reply.ok:
            return None
        try:
            return parser(reply.text)
        except atparse.ATParseError as exc:
            log.debug("modem %s: %s: %s", self.port, command, exc)
            return None


# -- helpers ---------------------------------------------------------------------------------
def _inbound(location: str, decoded: pdu.Decoded) -> InboundPart:
    if decoded.type == pdu.TYPE_STATUS_REPORT:
        return InboundPart(location=location, sender=decoded.number, text="",
                           smsc_time=decoded.discharge_time or decoded.timestamp,
                           status_ref=decoded.message_ref, status=_report_status(decoded.status))
    if decoded.type == pdu.TYPE_SUBMIT:
        # An outgoing message kept in storage (STO SENT/UNSENT): passed on like
        # Gammu does, marked, so the storage does not fill up with them.
        return InboundPart(location=location, sender=decoded.number, text=decoded.text, coding="other")
    concat = decoded.concat
    return InboundPart(
        location=location, sender=decoded.number, text=decoded.text, smsc_time=decoded.timestamp,
        concat_ref=concat.ref if concat else None, part_no=concat.seq if concat else None,
        part_count=concat.total if concat else None, coding=decoded.coding,
        raw=decoded.user_data.hex() if decoded.coding == "ucs2" else "")


def _report_status(status: int | None) -> str:
    # 'pending' (the SMSC is still trying) is passed on as it is: it is neither.
    return pdu.status_category(status or 0)


def _aware(value) -> dt.datetime | None:
    if not isinstance(value, dt.datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def _last_line(reply: str) -> str:
    """Identity replies: the last information line (line junk comes before it)."""
    lines = atparse.info_lines(reply)
    if not lines:
        raise atparse.ATParseError("no information line")
    return re.sub(r"^\+(CG|G)M[IMR]:\s*", "", lines[-1], flags=re.IGNORECASE).strip().strip('"')


def _code(reply: Reply) -> int | None:
    error = reply.error
    return error.code if error else None


def _error(reply: Reply, doing: str) -> ModemError:
    error = reply.error
    detail = reply.final if error is None else f"{error.kind} error {error.code or ''} {error.message}".strip()
    return TransientModemError(f"{doing}: {detail}", code=_code(reply))


def _send_error(reply: Reply, number: str) -> ModemError:
    error = reply.error
    if error is None or error.code is None:
        return TransientModemError(f"sending to {number}: the modem said {reply.final}")
    cls = PermanentModemError if error.kind == "CMS" and error.code in SEND_PERMANENT else TransientModemError
    return cls(f"sending to {number}: +{error.kind} ERROR {error.code} ({error.message})", code=error.code)


# -- detection --------------------------------------------------------------------------------
def probe(port: str, timeout: float = 1.0) -> dict | None:
    """Who answers on `port`: a dict of what it says about itself, or None.

    Only ATE0 is changed on the modem; nothing here raises.
    """
    link = ATLink(port)
    try:
        link.open()
        link.write(b"\x1b\r")
        link.drain(wait=0.05)
        if not link.command("AT", timeout).ok:
            return None
        link.command("ATE0", timeout)
        found = {"port": port}
        for key, command, parser in (("manufacturer", "AT+CGMI", _last_line), ("model", "AT+CGMM", _last_line),
                                     ("firmware", "AT+CGMR", _last_line), ("imei", "AT+CGSN", atparse.parse_imei),
                                     ("sim", "AT+CPIN?", _cpin_text), ("pdu_mode", "AT+CMGF=?", _offers_pdu)):
            reply = link.command(command, timeout)
            try:
                found[key] = parser(reply.text) if reply.ok else None
            except atparse.ATParseError:
                found[key] = None
        return found
    except ModemError:
        return None
    finally:
        link.close()


def _cpin_text(reply: str) -> str:
    lines = [l for l in atparse.info_lines(reply) if l.upper().startswith("+CPIN:")]
    if not lines:
        raise atparse.ATParseError("no +CPIN line")
    state = lines[0].split(":", 1)[1].strip().strip('"').upper()
    return _SIM_TEXT.get(state, state.lower())


def _offers_pdu(reply: str) -> bool:
    lines = [l for l in atparse.info_lines(reply) if l.upper().startswith("+CMGF:")]
    return bool(lines) and 0 in atparse.parse_range_list(lines[0].split(":", 1)[1])


__all__ = ["ATDriver", "probe", "SEND_PERMANENT", "CNMI_VARIANTS", "MEMORY_PREFERENCE"]
