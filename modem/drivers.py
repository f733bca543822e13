"""Choosing a driver by its port name, as a setting writes it.

    sim                   the AT simulator on a pty in the worker, through our AT driver
    sim-realistic         the same, with a real modem's timing (CMGS takes 1.5-4 s)
    sim-direct            a zero-latency simulated modem (no AT layer), for measuring software overhead
    at:/dev/ttyUSB0       our own AT driver (pyserial) on a serial port
    gammu:/dev/ttyUSB0    libgammu's AT driver on a serial port
    gammu-dummy:/path     libgammu's dummy phone (a folder), for tests
"""

from __future__ import annotations

import re
from pathlib import Path

from .at_driver import ATDriver
from .base import Driver
from .gammu_driver import GammuDriver
from .simulated import SimulatedModem
from .simulated_at import SimulatedATModem


class DriverSpecError(ValueError):
    pass


def modem_names(spec: str) -> list[str]:
    return [item.strip() for item in spec.split(",") if item.strip()]


def slug(name: str) -> str:
    """A short, file-safe name for a modem spec, used in rows and file names."""
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")[:60] or "modem"


def open_driver(name: str, *, sim_root: Path, state_dir: Path, pin: str = "") -> Driver:
    kind, _, target = name.partition(":")
    if kind == "sim" and not target:
        return SimulatedATModem(sim_root, pin=pin)
    if kind == "sim-realistic" and not target:
        return SimulatedATModem(sim_root, profile="realistic", pin=pin)
    if kind == "sim-direct" and not target:
        return SimulatedModem(sim_root)
    if kind == "at" and target:
        return ATDriver(target, pin=pin)
    if kind == "gammu" and target:
        return GammuDriver(device=target, connection="at", config_dir=state_dir / slug(name))
    if kind == "gammu-dummy" and target:
        return GammuDriver.dummy(target, config_dir=state_dir / slug(name))
    raise DriverSpecError(
        f"unknown modem {name!r}: use sim, at:/dev/ttyUSB0, gammu:/dev/ttyUSB0 or gammu-dummy:/path/to/folder")
