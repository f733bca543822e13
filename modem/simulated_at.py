"""The default modem of `loket run`: the AT simulator on a pty inside this
process, driven by our own AT driver over that pty.

Everything between the outbox and the "network" is real: PDUs encoded by our
codec, AT commands on a real pty, the simulator decoding what it was given.
The simulator's customers are `loket sim`'s: it takes their texts from the
network folder and delivers what it sends there (see network.py).
"""

from __future__ import annotations

import atexit
from pathlib import Path

from . import atsim
from .at_driver import ATDriver


class SimulatedATModem(ATDriver):
    name = "sim"

    def __init__(self, root: str | Path, *, profile: str = "instant", **options):
        self.root = Path(root)
        self.profile = profile
        self._handle = None
        super().__init__(str(self.root / "modem.tty"), **options)

    def open(self) -> None:
        if self._handle is None:
            # The simulator lives as long as this process: its SIM storage must
            # survive the driver's reopen after a fault, as a real modem's does.
            self.root.mkdir(parents=True, exist_ok=True)
            self._handle = atsim.serve(str(self.root / "modem.tty"), str(self.root), self.profile)
            atexit.register(self._handle.stop)
        super().open()

    def shutdown(self) -> None:
        """The owner is done with this modem for good: stop the simulator too."""
        self.close()
        if self._handle is not None:
            self._handle.stop()
            self._handle = None

    @property
    def simulator(self):
        return self._handle.simulator if self._handle else None
