"""A modem's health for the watchdog and `loket modem status`, and probing a
port for a modem (`loket modem detect`)."""

from __future__ import annotations

import logging

from . import atparse
from .at_common import SIM_TEXT, cpin_text, last_line, offers_pdu
from .at_link import ATLink
from .base import ModemError, ModemStatus

log = logging.getLogger(__name__)


class ATStatus:
    """The health half of ATDriver (a mixin)."""

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
                "manufacturer": self._read(last_line, "AT+CGMI") or "",
                "model": self._read(last_line, "AT+CGMM") or "",
                "firmware": self._read(last_line, "AT+CGMR") or "",
                "imei": self._read(atparse.parse_imei, "AT+CGSN") or "",
                "imsi": self._read(atparse.parse_imsi, "AT+CIMI") or "",
            }
        return dict(self._identity)

    def _fill_sim(self, status: ModemStatus) -> None:
        reply = self._at("AT+CPIN?")
        line = next((l for l in reply.lines if l.upper().startswith("+CPIN:")), "")
        state = line.split(":", 1)[1].strip().strip('"').upper() if line else ""
        if reply.ok and state:
            status.sim = SIM_TEXT.get(state, state.lower())
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
        for key, command, parser in (("manufacturer", "AT+CGMI", last_line), ("model", "AT+CGMM", last_line),
                                     ("firmware", "AT+CGMR", last_line), ("imei", "AT+CGSN", atparse.parse_imei),
                                     ("sim", "AT+CPIN?", cpin_text), ("pdu_mode", "AT+CMGF=?", offers_pdu)):
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


