"""Keeping the clock sane on a box with no clock battery.

A Raspberry Pi boots at 1970 (or at the kernel's build date) after every power
cut. Three things keep time usable:

- `save_time()` at shutdown and periodically writes the current time to a
  file in the data dir; `restore_time()` early at boot moves the clock
  forward to it, never backwards. Logs are then never in 1970, and the clock
  is at worst "a bit behind" until a real source speaks. A restored clock is
  NOT trusted: scheduled sends still wait (appliance.clock.clock_trusted).
- `sync_from_modem()` sets the clock from the GSM network's time (NITZ, read
  by the worker from the modem at start and on every reconnect) when NTP has
  not synchronised it, and marks the clock trusted for this boot.
- NTP (systemd-timesyncd), when the shop's LAN reaches a time server, wins
  over both: the kernel then reports the clock synchronised.

Setting the clock needs CAP_SYS_TIME: root for `loket clock restore`, and the
worker unit grants only that capability to the worker. The setter is
injectable so tests never touch the machine's clock.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from pathlib import Path
from typing import Callable

from .. import clock

log = logging.getLogger("loket.clock")

UTC = dt.timezone.utc
CLOCK_FILE = "clock.saved"
TOLERANCE = 5.0  # seconds: closer than this, leave the clock alone (no needless jumps)
# No real network time or saved time is older than this: a modem without
# network time answers 2000-01-01 or 1980-01-06 (GPS epoch) and such values
# must never set the clock.
PLAUSIBLE_FROM = dt.datetime(2025, 1, 1, tzinfo=UTC)
CAP_SYS_TIME = 25

Setter = Callable[[dt.datetime], None]


def clock_file(data_dir) -> Path:
    return Path(data_dir) / CLOCK_FILE


def set_system_clock(when: dt.datetime) -> None:
    """Set CLOCK_REALTIME (needs CAP_SYS_TIME); raises PermissionError otherwise."""
    time.clock_settime(time.CLOCK_REALTIME, clock.as_utc(when).timestamp())


def can_set_clock() -> bool:
    """True when this process holds CAP_SYS_TIME (root, or the worker unit)."""
    try:
        for line in open("/proc/self/status"):
            if line.startswith("CapEff:"):
                return bool(int(line.split()[1], 16) >> CAP_SYS_TIME & 1)
    except (OSError, ValueError):
        pass
    return os.geteuid() == 0


def save_time(path, *, now: dt.datetime | None = None) -> dt.datetime:
    """Write the current UTC time to PATH (atomically, fsynced: it is called
    at shutdown, right before the power goes). Returns the time written."""
    when = clock.as_utc(now or clock.utcnow())
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w") as fh:
        fh.write(when.isoformat() + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.utime(tmp, (when.timestamp(), when.timestamp()))
    os.replace(tmp, path)
    return when


def saved_time(path) -> dt.datetime | None:
    """The time in PATH (its mtime when the content is unreadable), or None."""
    path = Path(path)
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    try:
        return clock.as_utc(dt.datetime.fromisoformat(text))
    except ValueError:
        try:
            return dt.datetime.fromtimestamp(path.stat().st_mtime, UTC)
        except OSError:
            return None


def restore_time(path, *, now: dt.datetime | None = None, setter: Setter = set_system_clock) -> dt.datetime | None:
    """Early at boot: when the system clock is behind the saved time, move it
    forward to the saved time. Never backwards (the saved time is only a
    lower bound). Returns the time set, or None when nothing was done."""
    saved = saved_time(path)
    if saved is None or saved < PLAUSIBLE_FROM:
        return None
    current = clock.as_utc(now or clock.utcnow())
    if current >= saved:
        return None
    setter(saved)
    log.warning("clock: was %s, moved forward to the last saved time %s (not yet trusted)",
                current.isoformat(timespec="seconds"), saved.isoformat(timespec="seconds"))
    return saved


def sync_from_modem(network_time: dt.datetime, data_dir, *, set_clock: bool, now: dt.datetime | None = None,
                    setter: Setter = set_system_clock, synchronised: Callable[[], bool] | None = None,
                    tolerance: float = TOLERANCE) -> bool:
    """Take the GSM network's time (an aware datetime; naive means UTC).

    - NTP has synchronised the clock: nothing to do (NTP is better); False.
    - The network time is implausible (before 2025): ignored; False.
    - Off by more than `tolerance` seconds and set_clock: the system clock is
      set, saved, and marked trusted ("modem"); True.
    - Within tolerance: the clock is right; marked trusted; True.
    - Off, but set_clock is False (no CAP_SYS_TIME): not trusted; False.

    Returns whether the clock is now trusted thanks to the modem."""
    synchronised = synchronised or clock.kernel_clock_synchronised
    if synchronised():
        return False
    network = clock.as_utc(network_time)
    if network < PLAUSIBLE_FROM:
        log.warning("clock: the modem's time %s is not plausible (no network time yet?); ignored",
                    network.isoformat(timespec="seconds"))
        return False
    current = clock.as_utc(now or clock.utcnow())
    offset = (network - current).total_seconds()
    if abs(offset) > tolerance:
        if not set_clock:
            log.warning("clock: off by %+.0f s from the network's time and this process may not set it", offset)
            return False
        try:
            setter(network)
        except OSError as exc:
            log.warning("clock: cannot set the clock from the network's time: %s", exc)
            return False
        log.warning("clock: set from the network's time, %+.0f s%s", offset,
                    " (backwards)" if offset < 0 else "")
        current = network
    mark_at = network if abs(offset) > tolerance else current
    clock.mark_trusted(data_dir, "modem", now=mark_at)
    try:
        save_time(clock_file(data_dir), now=mark_at)
    except OSError as exc:
        log.warning("clock: cannot save the time: %s", exc)
    return True
