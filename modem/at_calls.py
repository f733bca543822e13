"""Calls and USSD on an AT modem: a missed call is seen (+CLIP), rejected at
once and handed over; the prepaid balance is asked by USSD."""

from __future__ import annotations

import logging
import re
import time

from .at_common import reply_error
from .base import PermanentModemError, TransientModemError

log = logging.getLogger(__name__)


class ATCalls:
    """The calls and USSD half of ATDriver (a mixin)."""

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
            raise reply_error(reply, f"asking {code} on {self.port}")
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

