"""Bringing a modem up: the init sequence, step by step, with fallbacks for
modems that refuse combined commands; the SIM's PIN; the memory and the
new-message indications; staying in step with the modem after a timeout."""

from __future__ import annotations

import logging
import re
import time

from . import atparse
from .at_common import SIM_TEXT, cms_code
from .at_link import CommandTimeout
from .base import ModemError, PermanentModemError, TransientModemError

log = logging.getLogger(__name__)


class ATSetup:
    """The init and resynchronisation half of ATDriver (a mixin: it uses the
    driver's link and its `_at` / `_expect`)."""

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
                                      f"({SIM_TEXT.get(state, 'not ready')}); it cannot be used")

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
                                      "check the PIN before the SIM locks itself", code=cms_code(reply))

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
