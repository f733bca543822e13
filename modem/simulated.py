"""The simulated modem: a perfect network kept in a folder (see network.py).

It is the default modem of a laptop or demo install: no hardware, no
serial port. Texts the customer side wrote into `to_shop/` are the modem's
storage; sending delivers straight to the recipient's phone file.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from pathlib import Path

from .base import Driver, InboundPart, ModemStatus, PermanentModemError, SendResult
from .network import SimNetwork

GSM7_PART, GSM7_SINGLE, UCS2_PART, UCS2_SINGLE = 153, 160, 67, 70


def _parts(text: str) -> int:
    # Approximate: enough for a simulated network that never splits anything.
    ucs2 = any(ord(ch) > 0x7F for ch in text)
    single, multi = (UCS2_SINGLE, UCS2_PART) if ucs2 else (GSM7_SINGLE, GSM7_PART)
    return 1 if len(text) <= single else -(-len(text) // multi)


class SimulatedModem(Driver):
    name = "sim"

    def __init__(self, root):
        self.network = SimNetwork(root)
        self._refs = itertools.count(random.randrange(256))

    def open(self) -> None:
        self.network.ensure()

    def send(self, number: str, text: str, *, status_report: bool = True) -> SendResult:
        if not number.startswith("+") or not number[1:].isdigit():
            raise PermanentModemError(f"cannot send to {number!r}: not a phone number", code=21)
        parts = _parts(text)
        refs = tuple(next(self._refs) % 256 for _ in range(parts))
        self.network.deliver(number, text, ref=refs[0], parts=parts)
        return SendResult(refs, "ucs2" if any(ord(ch) > 0x7F for ch in text) else "gsm7")

    def read_inbound(self) -> list[InboundPart]:
        out = []
        for path in self.network.pending():
            record = self.network.read(path)
            if record is None:
                continue
            if record.get("call"):
                self.network.take(path)  # no calls on this modem: only the AT simulator rings
                continue
            try:
                when = dt.datetime.fromisoformat(record["at"])
            except (KeyError, ValueError):
                when = None
            out.append(InboundPart(location=str(path), sender=str(record.get("from", "")),
                                   text=str(record.get("text", "")), smsc_time=when))
        return out

    def delete(self, location: str) -> None:
        self.network.take(Path(location))

    def status(self) -> ModemStatus:
        used = len(self.network.pending())
        return ModemStatus(ok=True, manufacturer="Loket", model="Simulated modem", operator="SIMULATOR",
                           registration="home", signal_dbm=-71, signal_percent=80, sim="ready",
                           storage_used=used, storage_total=None,
                           network_time=dt.datetime.now(dt.timezone.utc))
