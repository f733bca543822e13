"""systemd's notify protocol over $NOTIFY_SOCKET, with the standard library only.

`loket web` and `loket worker` run as `Type=notify` units with a watchdog:
they say READY=1 once they serve, WATCHDOG=1 at least every half
`watchdog_interval()`, and STOPPING=1 when they begin a graceful stop. Outside
systemd (a laptop, the tests) $NOTIFY_SOCKET is unset and every call is a
cheap no-op that returns False, so callers never need to check.
"""

from __future__ import annotations

import os
import socket

__all__ = ["notify", "ready", "watchdog_ping", "stopping", "status", "watchdog_interval"]


def _address(raw: str) -> str | bytes | None:
    if raw.startswith("@"):
        # Abstract namespace: a leading NUL byte instead of '@'.
        return b"\0" + raw[1:].encode()
    if raw.startswith("/"):
        return raw
    return None  # vsock and other forms: not used on the appliance


def notify(state: str) -> bool:
    """Send one state string ("READY=1", "WATCHDOG=1", "STATUS=…", several
    joined by newlines). True when it was delivered; False outside systemd or
    when the socket is gone — never raises, a notify must not kill a service."""
    raw = os.environ.get("NOTIFY_SOCKET", "")
    address = _address(raw) if raw else None
    if address is None:
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall(state.encode())
        return True
    except OSError:
        return False


def ready(status_text: str | None = None) -> bool:
    return notify("READY=1" + (f"\nSTATUS={status_text}" if status_text else ""))


def watchdog_ping() -> bool:
    return notify("WATCHDOG=1")


def stopping(status_text: str | None = None) -> bool:
    return notify("STOPPING=1" + (f"\nSTATUS={status_text}" if status_text else ""))


def status(text: str) -> bool:
    return notify(f"STATUS={text}")


def watchdog_interval() -> float | None:
    """The watchdog timeout in seconds when systemd expects pings from this
    process (WATCHDOG_USEC set, and WATCHDOG_PID unset or ours); else None.
    Ping at half of it."""
    usec = os.environ.get("WATCHDOG_USEC", "")
    pid = os.environ.get("WATCHDOG_PID", "")
    if pid:
        try:
            if int(pid) != os.getpid():
                return None  # meant for another process (the parent of a fork)
        except ValueError:
            return None
    try:
        value = int(usec)
    except ValueError:
        return None
    return value / 1_000_000 if value > 0 else None
