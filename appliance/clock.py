"""Time, in one place: UTC inside, the shop's zone only when shown.

Services take `now` as an argument where the moment matters, so tests can
drive them with any clock; `utcnow()` is the real one.
"""

from __future__ import annotations

import datetime as dt
import json
import os

UTC = dt.timezone.utc


def utcnow() -> dt.datetime:
    return dt.datetime.now(UTC)


def as_utc(value: dt.datetime) -> dt.datetime:
    """Aware UTC; a naive value is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def local(value: dt.datetime | None, tz: dt.tzinfo) -> dt.datetime | None:
    return None if value is None else as_utc(value).astimezone(tz)


def short(value: dt.datetime | None, tz: dt.tzinfo, today: dt.date | None = None) -> str:
    """'14:05' for today, '3 Dec 14:05' otherwise: how staff read times."""
    if value is None:
        return ""
    when = local(value, tz)
    today = today or utcnow().astimezone(tz).date()
    if when.date() == today:
        return when.strftime("%H:%M")
    return f"{when.day} {when.strftime('%b %H:%M')}"


# -- can the clock be trusted? ---------------------------------------------------
# A Raspberry Pi has no clock battery: after a power cut it boots at the last
# saved time (or 1970) until NTP or the modem's network time corrects it.
# Scheduled sends must not fire on a wrong clock. A laptop or server keeps
# time, so `clock = "system"` trusts it; the appliance sets `clock = "appliance"`.

TIME_ERROR = 5  # adjtimex(2): the kernel's clock is not synchronised
TRUST_FILE = "clock-trusted.json"


def kernel_clock_synchronised() -> bool:
    """True when NTP (any client) has disciplined the kernel clock."""
    import ctypes
    import ctypes.util
    if os.path.exists("/run/systemd/timesync/synchronized"):
        return True
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        buffer = ctypes.create_string_buffer(512)  # struct timex, modes = 0: read only
        state = libc.adjtimex(buffer)
    except (OSError, AttributeError):
        return False
    return 0 <= state < TIME_ERROR


def boot_id() -> str:
    try:
        return open("/proc/sys/kernel/random/boot_id").read().strip()
    except OSError:
        return ""


def mark_trusted(data_dir, source: str, now: dt.datetime | None = None) -> None:
    """Record that the clock was set from a trusted source during this boot."""
    path = os.path.join(data_dir, TRUST_FILE)
    record = {"boot_id": boot_id(), "source": source, "at": (now or utcnow()).isoformat()}
    tmp = path + ".tmp"
    with open(tmp, "w") as fh:
        json.dump(record, fh)
    os.replace(tmp, path)


def clock_trusted(mode: str, data_dir) -> bool:
    if mode == "system":
        return True
    if kernel_clock_synchronised():
        return True
    try:
        with open(os.path.join(data_dir, TRUST_FILE)) as fh:
            record = json.load(fh)
    except (OSError, ValueError):
        return False
    # Only this boot counts: after a power cut the clock is suspect again.
    return bool(record.get("boot_id")) and record.get("boot_id") == boot_id()
