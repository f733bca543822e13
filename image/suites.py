"""The Debian releases the image is built on, and all that differs between them.

    python3 image/suites.py shell SUITE ARCH   # shell assignments, for image/build.sh
    python3 image/suites.py names              # the suites, the default first

image/build.sh (`--suite`), image/bundle.py (the Python a bundle is for) and
the boot test read this one table; nothing else names a suite or a Python
version. trixie (Debian 13, stable) is the default; bookworm (Debian 12,
oldstable) stays buildable while both are supported.
"""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass

# Every suite: the appliance's own needs. None of these names changed between
# bookworm and trixie (the t64 renames touched only libraries, which come as
# dependencies); a suite that renames one lists its name in `packages` below.
PACKAGES = (
    "systemd", "systemd-sysv", "systemd-timesyncd", "udev", "dbus",
    "avahi-daemon", "libnss-mdns",
    "python3", "sqlite3", "usb-modeswitch", "iproute2", "kmod", "procps", "less",
    "initramfs-tools", "zstd",
    "fdisk", "e2fsprogs",  # sfdisk + resize2fs: the root partition grows to the card on first boot
)


@dataclass(frozen=True)
class Suite:
    name: str
    python: str                               # Debian's python3, the venv's and the wheels' ABI
    kernel: dict[str, tuple[str, ...]]        # per architecture: kernel, Pi firmware, Wi-Fi
    packages: tuple[str, ...] = ()            # this suite's own names beside PACKAGES

    @property
    def abi(self) -> str:
        return "cp" + self.python.replace(".", "")

    @property
    def apt_suites(self) -> tuple[str, str]:
        """What the image's apt sources name: the release with its updates, and its security suite."""
        return f"{self.name} {self.name}-updates", f"{self.name}-security"

    def packages_for(self, arch: str) -> tuple[str, ...]:
        return PACKAGES + self.packages + self.kernel[arch]


_PI = ("linux-image-arm64", "raspi-firmware", "firmware-brcm80211", "wpasupplicant")
SUITES = {
    "trixie": Suite("trixie", python="3.13", kernel={"arm64": _PI, "amd64": ("linux-image-amd64",)}),
    "bookworm": Suite("bookworm", python="3.11", kernel={"arm64": _PI, "amd64": ("linux-image-amd64",)}),
}
DEFAULT = "trixie"


def get(name: str | None = None) -> Suite:
    return SUITES[name or DEFAULT]


def for_python(version: str) -> Suite | None:
    """The suite whose Python this is ("3.11" -> bookworm): bundles for a machine running it."""
    return next((suite for suite in SUITES.values() if suite.python == version), None)


def shell(name: str, arch: str) -> str:
    suite = SUITES[name]
    values = {"SUITE_PYTHON": suite.python, "SUITE_ABI": suite.abi,
              "SUITE_APT": suite.apt_suites[0], "SUITE_SECURITY": suite.apt_suites[1]}
    lines = [f"{key}={shlex.quote(value)}" for key, value in values.items()]
    lines.append("PACKAGES=(" + " ".join(shlex.quote(p) for p in suite.packages_for(arch)) + ")")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if argv[:1] == ["names"]:
        print(" ".join([DEFAULT] + [name for name in SUITES if name != DEFAULT]))
        return 0
    if len(argv) == 3 and argv[0] == "shell" and argv[1] in SUITES and argv[2] in ("arm64", "amd64"):
        print(shell(argv[1], argv[2]))
        return 0
    print(f"suites.py: a suite is one of {', '.join(SUITES)}; see the module's help", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
