"""The driver seam: one base class every modem driver implements.

A driver is owned by exactly one thread of the worker process (python-gammu
and serial calls block). Nothing outside `appliance.modem` sees a gammu or
serial exception: drivers translate them into the classes below, which say
whether trying again can help.
"""

from __future__ import annotations

import dataclasses
import datetime as dt


class ModemError(Exception):
    """A modem operation failed. `code` is the +CMS/+CME code when known."""

    transient = True

    def __init__(self, message: str, code: int | None = None):
        super().__init__(message)
        self.code = code


class TransientModemError(ModemError):
    """Trying again later may work: no network, modem busy, timeout."""

    transient = True


class PermanentModemError(ModemError):
    """Trying again will never work for this message: bad number, barred."""

    transient = False


class UnknownOutcomeError(ModemError):
    """The modem took a part (its PDU was written) but never said whether it
    went out: sending it again may deliver it twice. Never a silent retry;
    the outbox's policy for an unknown outcome decides."""

    transient = False


class SendHandedOver(ModemError):
    """The caller stopped waiting while its send was already running on the
    modem's thread: that thread records the outcome itself, so the caller
    must leave the row alone (re-queueing it could send it twice)."""

    transient = False


@dataclasses.dataclass(frozen=True)
class InboundPart:
    """One stored SMS part as the modem holds it.

    `location` is the driver's own handle for `delete()`. The concatenation
    fields are None for a single-part message. `smsc_time` is the network's
    timestamp (the key that makes re-reading after a crash harmless).
    """

    location: str
    sender: str
    text: str
    smsc_time: dt.datetime | None = None
    concat_ref: int | None = None
    part_no: int | None = None
    part_count: int | None = None
    coding: str = "gsm7"
    raw: str = ""
    # Set on status reports: the reference of the message they report on.
    status_ref: int | None = None
    status: str | None = None

    @property
    def is_status_report(self) -> bool:
        return self.status_ref is not None


@dataclasses.dataclass(frozen=True)
class SendResult:
    """The network's message reference for each part, in order."""

    references: tuple[int, ...]
    encoding: str = "gsm7"  # how the text went out: "gsm7" or "ucs2"

    @property
    def parts(self) -> int:
        return len(self.references)


@dataclasses.dataclass
class ModemStatus:
    """What the staff dashboard shows about a modem."""

    ok: bool = True
    model: str = ""
    manufacturer: str = ""
    firmware: str = ""
    imei: str = ""
    imsi: str = ""
    operator: str = ""
    registration: str = "unknown"
    signal_dbm: int | None = None
    signal_percent: int | None = None
    sim: str = "unknown"
    storage_used: int | None = None
    storage_total: int | None = None
    network_time: dt.datetime | None = None
    error: str = ""

    def as_dict(self) -> dict:
        data = dataclasses.asdict(self)
        if self.network_time:
            data["network_time"] = self.network_time.isoformat()
        return data


class Driver:
    """Base class of all modem drivers.

    Subclasses implement the five operations; `open()`/`close()` bracket a
    session and `reset()` defaults to a close and reopen.
    """

    name = "driver"

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def reset(self) -> None:
        self.close()
        self.open()

    def shutdown(self) -> None:
        """The owning thread ends: release everything (close, and more for
        drivers that brought their own device, like the simulator)."""
        self.close()

    def send(self, number: str, text: str, *, status_report: bool = True) -> SendResult:
        raise NotImplementedError

    def read_inbound(self) -> list[InboundPart]:
        """Every part stored on the modem, oldest first; nothing is deleted."""
        raise NotImplementedError

    def delete(self, location: str) -> None:
        """Remove one stored part; called only once it is safely persisted."""
        raise NotImplementedError

    def status(self) -> ModemStatus:
        raise NotImplementedError

    def __enter__(self):
        self.open()
        return self

    def __exit__(self, *exc):
        self.close()
