"""Modem health: notice a modem that stopped answering and bring it back.

`Watchdog.check()` is called by the modem's owner thread now and then. It
proves the modem answers (a cheap `ping()` where the driver has one, then
`status()`); each failed check climbs one step of a ladder of ever more
drastic repairs, and the next check tries it:

    ping          nothing done yet: just ask again
    reinit        run the init sequence on the open port (a modem that reset itself)
    reopen        close and open the port (a device that vanished and came back)
    power_cycle   cut the USB device's power (a wedged modem firmware)
    report        nothing more to try without a person: the status says so
                  (at once after a PermanentModemError: no SIM, PIN refused),
                  and every further check still reopens, so a modem plugged
                  back in is found again without anyone pressing a button

One success resets the ladder. Only the Driver seam is used (open, close,
status; ping and reinit when the driver has them), so it works for any driver.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Callable

from .base import Driver, ModemError, ModemStatus, PermanentModemError

log = logging.getLogger(__name__)

LADDER = ("ping", "reinit", "reopen", "power_cycle", "report")


class Watchdog:
    def __init__(self, driver: Driver, *, power_cycle: Callable[[], object] | None = None,
                 clock: Callable[[], float] = time.monotonic, name: str = ""):
        self.driver = driver
        self.power_cycle = power_cycle
        self.clock = clock
        self.name = name or getattr(driver, "port", driver.name)
        self.level = 0  # index into LADDER: the repair the next check starts with
        self.steps: list[str] = []  # every repair tried, in order (for logs and tests)
        self.failures = 0  # consecutive failed checks
        self.last_contact: float | None = None  # clock() of the last answered check
        self.last_signal_dbm: int | None = None
        self.last_registration = "unknown"
        self.last_error = ""
        self.last_status = ModemStatus(ok=False, error="not checked yet")
        self._tried: list[str] = []  # repairs of the current bad spell, for the report

    @property
    def step(self) -> str:
        return LADDER[self.level]

    def check(self) -> ModemStatus:
        """Repair as far as the ladder says, then prove the modem answers."""
        try:
            self._repair()
            status = self._probe()
        except PermanentModemError as exc:
            # No repair helps (no SIM, PIN refused): straight to the staff.
            self.level = len(LADDER) - 2
            return self._failed(str(exc))
        except (ModemError, OSError) as exc:
            return self._failed(str(exc))
        except Exception as exc:  # a driver bug must not stop the watchdog
            log.exception("modem %s: health check crashed", self.name)
            return self._failed(f"{type(exc).__name__}: {exc}")
        return self._succeeded(status)

    # -- the ladder ---------------------------------------------------------------------
    def _repair(self) -> None:
        """Try the current step; a step not possible here (no reinit in this
        driver, no power switch) is skipped for the next one at once."""
        while self.step != "ping":
            step = self.step
            # At the top every check looks for the device again: say it once, not each time.
            (log.debug if step == "report" else log.warning)(
                "modem %s: not answering (%s); trying %s", self.name, self.last_error, step)
            self.steps.append(step)
            if step not in self._tried and step != "report":
                self._tried.append(step)
            if getattr(self, f"_{step}")() is not False:
                return
            self.steps.pop()
            self._tried.remove(step)
            log.info("modem %s: %s is not possible here; going on", self.name, step)
            self.level += 1

    def _reinit(self):
        reinit = getattr(self.driver, "reinit", None)
        if reinit is None:
            return False
        reinit()
        return True

    def _reopen(self):
        self._close_quietly()
        self.driver.open()
        return True

    def _power_cycle(self):
        if self.power_cycle is None:
            return False
        self._close_quietly()
        if self.power_cycle() is False:
            log.warning("modem %s: no USB power cycle possible here", self.name)
            return False
        self.driver.open()
        return True

    def _report(self):
        # The top: keep looking for the device (it may be plugged back in).
        self._close_quietly()
        self.driver.open()
        return True

    def _close_quietly(self) -> None:
        try:
            self.driver.close()
        except ModemError:
            pass

    # -- outcomes -----------------------------------------------------------------------
    def _probe(self) -> ModemStatus:
        ping = getattr(self.driver, "ping", None)
        if ping is not None:
            ping()
        return self.driver.status()

    def _succeeded(self, status: ModemStatus) -> ModemStatus:
        if self.failures:
            log.warning("modem %s answers again after %d failed check(s)%s", self.name, self.failures,
                        f" and {' -> '.join(self._tried)}" if self._tried else "")
        self.level = self.failures = 0
        self._tried = []
        self.last_error = ""
        self.last_contact = self.clock()
        self.last_signal_dbm = status.signal_dbm
        self.last_registration = status.registration
        self.last_status = status
        return status

    def _failed(self, error: str) -> ModemStatus:
        self.failures += 1
        self.last_error = error
        self.level = min(self.level + 1, len(LADDER) - 1)
        if self.step == "report" and (not self.steps or self.steps[-1] != "report"):
            log.error("modem %s: still not answering after every repair; a person is needed", self.name)
        self.last_status = ModemStatus(ok=False, registration=self.last_registration,
                                       signal_dbm=self.last_signal_dbm, error=self._message(error))
        return self.last_status

    def _message(self, error: str) -> str:
        since = ""
        if self.last_contact is not None:
            since = f" since {self.clock() - self.last_contact:.0f} s"
        if self.step == "report":
            tried = ", ".join(step.replace("_", " ") for step in self._tried)
            tried = f"; tried {tried} without success" if tried else ""
            return (f"the modem is not working{since} ({error}){tried}. "
                    "Check that the modem is plugged in and its SIM card is seated, then restart it.")
        return f"the modem is not answering{since}: {error}"


# -- USB power cycling -------------------------------------------------------------------
def usb_device_for(port: str, sysfs: str | os.PathLike = "/sys") -> Path | None:
    """The sysfs folder of the USB device behind a tty (a by-id link is followed)."""
    name = os.path.basename(os.path.realpath(port))
    device = Path(sysfs) / "class" / "tty" / name / "device"
    if not device.exists():
        return None
    node = device.resolve()
    while node != node.parent:
        # The USB device (not its interface) is the node with vendor id and the switch.
        if (node / "idVendor").exists() and (node / "authorized").exists():
            return node
        node = node.parent
    return None


def sysfs_power_cycle(device: Path, *, off_seconds: float = 1.0, settle_seconds: float = 5.0,
                      sleep: Callable[[float], None] = time.sleep) -> bool:
    """De-authorize and re-authorize a USB device: the kernel unbinds its drivers
    and the modem re-enumerates. False when not permitted (no root, no udev rule)."""
    switch = device / "authorized"
    try:
        switch.write_text("0")
        sleep(off_seconds)
        switch.write_text("1")
    except OSError as exc:
        log.warning("cannot power-cycle %s through sysfs: %s", device.name, exc)
        return False
    sleep(settle_seconds)  # the tty comes back after enumeration
    return True


def uhubctl_power_cycle(device: Path, *, settle_seconds: float = 5.0,
                        sleep: Callable[[float], None] = time.sleep, run=subprocess.run) -> bool:
    """Cut the hub port's power with uhubctl (hubs with per-port switching only)."""
    hub, _, port = device.name.rpartition(".")
    if not hub or not port.isdigit() or shutil.which("uhubctl") is None:
        return False
    try:
        done = run(["uhubctl", "-l", hub, "-p", port, "-a", "cycle", "-d", "2"],
                   capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("uhubctl failed for %s: %s", device.name, exc)
        return False
    if done.returncode != 0:
        log.warning("uhubctl refused %s: %s", device.name, (done.stderr or b"").decode(errors="replace")[:200])
        return False
    sleep(settle_seconds)
    return True


def usb_power_cycle(port: str, *, sysfs: str | os.PathLike = "/sys") -> Callable[[], bool] | None:
    """A power_cycle callable for the modem on `port`, or None when it is no USB device.

    The device is looked up again at each call: the tty may be renamed after a cycle.
    """
    known = usb_device_for(port, sysfs)
    if known is None:
        return None

    def cycle() -> bool:
        nonlocal known
        known = usb_device_for(port, sysfs) or known  # gone from /dev: use the last known one
        return uhubctl_power_cycle(known) or sysfs_power_cycle(known)

    return cycle
