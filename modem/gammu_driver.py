"""The python-gammu driver: libgammu does the talking, we keep its errors.

The StateMachine is configured from a generated gammurc read with
`ReadConfig`: a config given as a dict leaves Gammu's new-message
indications unset. Every gammu exception is turned into our ModemError
classes here and nowhere else. Like every driver, it is used from one
thread only (see owner.py).
"""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import gammu

from .base import (Driver, InboundPart, ModemError, ModemStatus, PermanentModemError, SendResult,
                   TransientModemError)

# Errors after which the same message will never go out: retrying wastes credit.
_PERMANENT = {"ERR_INVALIDDATA", "ERR_NOTSUPPORTED", "ERR_NOTIMPLEMENTED", "ERR_EMPTYSMSC",
              "ERR_PERMISSION", "ERR_SECURITYERROR"}


def _translate(exc: gammu.GSMError, doing: str) -> ModemError:
    info = exc.args[0] if exc.args and isinstance(exc.args[0], dict) else {}
    name = type(exc).__name__
    text = info.get("Text") or name
    cls = PermanentModemError if name in _PERMANENT else TransientModemError
    return cls(f"{doing}: {text} ({name})", code=info.get("Code"))


def write_gammurc(path: Path, *, device: str, connection: str, model: str = "") -> Path:
    lines = ["[gammu]", f"device = {device}", f"connection = {connection}"]
    if model:
        lines.append(f"model = {model}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _aware(value) -> dt.datetime | None:
    if not isinstance(value, dt.datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


class GammuDriver(Driver):
    """libgammu on a serial port (`connection = at`) or its dummy phone."""

    name = "gammu"

    def __init__(self, *, device: str, connection: str = "at", model: str = "", config_dir: str | Path):
        self.config = write_gammurc(Path(config_dir) / "gammurc", device=device, connection=connection,
                                    model=model)
        self.device = device
        self._sm: gammu.StateMachine | None = None
        self._calls: list[str] = []  # callers seen ringing (take_calls)
        self._ringing: list[int] = []  # call IDs to reject
        self._last_caller: tuple[str, float] = ("", 0.0)
        self._ussd: dict | None = None

    @classmethod
    def dummy(cls, folder: str | Path, config_dir: str | Path) -> "GammuDriver":
        Path(folder).mkdir(parents=True, exist_ok=True)
        return cls(device=str(folder), connection="none", model="dummy", config_dir=config_dir)

    def _call(self, doing: str, method: str, *args, **kwargs):
        """self._sm.<method>(...) with gammu's errors translated; a modem that
        is not open (it failed to open, or vanished) is a transient error."""
        if self._sm is None:
            raise TransientModemError(f"{doing}: modem {self.device} is not open")
        try:
            return getattr(self._sm, method)(*args, **kwargs)
        except gammu.GSMError as exc:
            raise _translate(exc, doing) from None

    def open(self) -> None:
        sm = gammu.StateMachine()
        try:
            sm.ReadConfig(Filename=str(self.config))
            sm.Init()
        except gammu.GSMError as exc:
            raise _translate(exc, f"opening {self.device}") from None
        self._sm = sm
        try:
            # Missed calls and USSD answers come as libgammu's incoming events.
            sm.SetIncomingCallback(self._incoming)
            sm.SetIncomingCall(True)
        except gammu.GSMError:
            pass  # a phone without call notifications: its calls go unseen

    def close(self) -> None:
        if self._sm is not None:
            try:
                self._sm.Terminate()
            except gammu.GSMError:
                pass  # closing a modem that vanished is not an error worth raising
            self._sm = None

    def send(self, number: str, text: str, *, status_report: bool = True) -> SendResult:
        unicode = any(ord(ch) > 0x7F for ch in text)
        try:
            parts = gammu.EncodeSMS({"Class": -1, "Unicode": unicode,
                                     "Entries": [{"ID": "ConcatenatedTextLong", "Buffer": text}]})
        except gammu.GSMError as exc:
            raise PermanentModemError(f"cannot encode the message: {_translate(exc, 'encode')}") from None
        refs = []
        for part in parts:
            part["SMSC"] = {"Location": 1}
            part["Number"] = number
            # libgammu asks for a status report when a part's type says so.
            part["Type"] = "Status_Report" if status_report else "Submit"
            refs.append(int(self._call(f"sending to {number}", "SendSMS", part)))
        return SendResult(tuple(refs), "ucs2" if unicode else "gsm7")

    def read_inbound(self) -> list[InboundPart]:
        if self._sm is None:
            raise TransientModemError(f"reading messages: modem {self.device} is not open")
        found: list[InboundPart] = []
        start = True
        location = 0
        while True:
            try:
                if start:
                    batch = self._sm.GetNextSMS(Start=True, Folder=0)
                    start = False
                else:
                    batch = self._sm.GetNextSMS(Location=location, Folder=0)
            except gammu.ERR_EMPTY:
                break
            except gammu.GSMError as exc:
                raise _translate(exc, "reading messages") from None
            for sms in batch:
                location = sms["Location"]
                part = self._part(sms)
                if part is not None:
                    found.append(part)
        return found

    @staticmethod
    def _part(sms: dict) -> InboundPart | None:
        # GetNextSMS gives a flat location (folder folded in); DeleteSMS takes it with folder 0.
        location = str(sms["Location"])
        if sms.get("Type") == "Status_Report":
            return InboundPart(location=location, sender=sms.get("Number", ""), text="",
                               smsc_time=_aware(sms.get("DateTime")), status_ref=sms.get("MessageReference"),
                               status="delivered" if sms.get("DeliveryStatus") in (0, 1, 2) else "failed")
        if sms.get("Type") not in ("Deliver", None) or sms.get("State") in ("Sent", "UnSent"):
            return InboundPart(location=location, sender=sms.get("Number", ""), text=sms.get("Text") or "",
                               smsc_time=_aware(sms.get("DateTime")), coding="other")
        udh = sms.get("UDH") or {}
        ref = udh.get("ID16bit", -1) if udh.get("ID16bit", -1) not in (-1, 0) else udh.get("ID8bit", -1)
        multipart = udh.get("AllParts", -1) > 1 and udh.get("PartNumber", -1) >= 1
        coding = "ucs2" if str(sms.get("Coding", "")).startswith("Unicode") else "gsm7"
        text = sms.get("Text") or ""
        return InboundPart(
            location=location, sender=sms.get("Number", ""), text=text,
            smsc_time=_aware(sms.get("DateTime")) or _aware(sms.get("SMSCDateTime")),
            concat_ref=ref if multipart else None,
            part_no=udh.get("PartNumber") if multipart else None,
            part_count=udh.get("AllParts") if multipart else None,
            coding=coding,
            raw=text.encode("utf-16-be", "surrogatepass").hex() if coding == "ucs2" else "")

    # -- missed calls and the balance (libgammu's incoming events) ---------------------
    SAME_CALL_SECONDS = 30.0

    def _incoming(self, sm, kind: str, data: dict) -> None:
        if kind == "USSD":
            self._ussd = data
        elif kind == "Call" and data.get("Status") == "IncomingCall":
            self._ringing.append(int(data.get("CallID") or 0))
            number = (data.get("Number") or "").strip()
            last, at = self._last_caller
            now = time.monotonic()
            if number and (number != last or now - at > self.SAME_CALL_SECONDS):
                self._calls.append(number)
            if number:
                self._last_caller = (number, now)

    def take_calls(self) -> list[str]:
        """Callers seen since the last call, each call rejected (never answered)."""
        if self._sm is None:
            return []
        try:
            self._sm.ReadDevice()  # let libgammu deliver what the modem said unasked
        except gammu.GSMError:
            pass
        while self._ringing:
            call_id = self._ringing.pop(0)
            try:
                self._sm.CancelCall(call_id, True)
            except gammu.GSMError:
                pass  # it ended by itself
        calls, self._calls = self._calls, []
        return calls

    def check_balance(self, code: str, wait: float = 20.0) -> str:
        """The operator's answer to a USSD code such as *888# (see ATDriver.check_balance)."""
        if not re.fullmatch(r"[*#][0-9*#]{1,30}#", code or ""):
            raise PermanentModemError(f"not a USSD code: {code!r}")
        self._ussd = None
        self._call(f"asking {code}", "SetIncomingUSSD", True)
        self._call(f"asking {code}", "DialService", code)
        deadline = time.monotonic() + wait
        while self._ussd is None and time.monotonic() < deadline:
            try:
                self._sm.ReadDevice()
            except gammu.GSMError:
                pass
            time.sleep(0.1)
        answer, self._ussd = self._ussd, None
        if answer is None:
            raise TransientModemError(f"modem {self.device}: no answer to {code} within {wait:g} s")
        if answer.get("Status") not in ("NoActionNeeded", "ActionNeeded") or not answer.get("Text"):
            raise TransientModemError(f"modem {self.device}: the network ended {code} without an answer "
                                      f"({answer.get('Status')})")
        return answer["Text"]

    def delete(self, location: str) -> None:
        self._call(f"deleting message {location}", "DeleteSMS", Folder=0, Location=int(location))

    def status(self) -> ModemStatus:
        status = ModemStatus(ok=True)
        status.manufacturer = str(self._call("identify", "GetManufacturer"))
        models = self._call("identify", "GetModel")
        status.model = " ".join(dict.fromkeys(str(x) for x in models if x and x != "unknown"))
        status.imei = str(self._call("identify", "GetIMEI"))
        try:
            signal = self._sm.GetSignalQuality()
            status.signal_percent = signal.get("SignalPercent")
            strength = signal.get("SignalStrength")
            status.signal_dbm = strength if isinstance(strength, int) and strength < 0 else None
        except gammu.GSMError:
            pass
        try:
            network = self._sm.GetNetworkInfo()
            status.operator = network.get("NetworkName") or network.get("NetworkCode", "")
            status.registration = network.get("State", "unknown")
        except gammu.GSMError:
            pass
        try:
            sms_status = self._sm.GetSMSStatus()
            status.storage_used = sms_status.get("SIMUsed", 0) + sms_status.get("PhoneUsed", 0)
            status.storage_total = sms_status.get("SIMSize", 0) + sms_status.get("PhoneSize", 0)
        except gammu.GSMError:
            pass
        return status
