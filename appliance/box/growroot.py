"""Grow the root partition and its file system to fill the SD card.

The image's root partition is only as big as the image (so it flashes
quickly onto any card); on the box's first boot it grows to the end of the
card. Every boot checks again (a no-op when nothing is free), so a boot cut
short half-way finishes the job next time.

The three steps are the ones `growpart` takes, with util-linux and e2fsprogs:
`sfdisk -N` rewrites the partition's size in the table (MBR: the Pi 3's boot
ROM reads nothing else), `partx --update` tells the kernel about that one
partition (a re-read of the whole table is refused while the root is
mounted), `resize2fs` grows the mounted ext4 online. resize2fs runs on every
boot: a power cut between the table and the file system is finished then. Only the last partition grows, only forwards, and only
when at least MIN_GROWTH is free: nothing here can shrink or move data.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
from pathlib import Path

MIN_GROWTH = 16 * 1024 * 1024   # less than this is not worth a resize


class GrowError(Exception):
    """Why the root could not grow; the box runs on as it is."""


@dataclasses.dataclass(frozen=True)
class Plan:
    disk: str            # /dev/mmcblk0
    partition: str       # /dev/mmcblk0p2
    number: int          # 2
    start: int           # in 512-byte sectors, as sysfs and sfdisk count
    size: int
    disk_size: int
    others_after: bool   # another partition lies behind this one

    @property
    def free_bytes(self) -> int:
        return 0 if self.others_after else max(0, self.disk_size - (self.start + self.size)) * 512

    @property
    def worth_it(self) -> bool:
        return self.free_bytes >= MIN_GROWTH


def root_device_number(mountinfo: str) -> str:
    """'major:minor' of what is mounted on / (the last mount there wins)."""
    found = None
    for line in mountinfo.splitlines():
        fields = line.split()
        if len(fields) > 4 and fields[4] == "/":
            found = fields[2]
    if not found:
        raise GrowError("nothing is mounted on /")
    return found


def plan(sys_block: Path = Path("/sys/dev/block"), mountinfo: Path = Path("/proc/self/mountinfo"),
         dev: Path = Path("/dev")) -> Plan:
    """Read what to grow from sysfs; raises GrowError when / is not a partition."""
    number = root_device_number(mountinfo.read_text())
    part = (sys_block / number).resolve()
    if not (part / "partition").exists():
        raise GrowError(f"the root ({part.name}) is not a partition of a disk")
    disk = part.parent

    def read(path: Path) -> int:
        return int(path.read_text().strip())

    start = read(part / "start")
    others_after = any(read(p / "start") > start for p in disk.iterdir()
                       if (p / "partition").exists() and p.name != part.name)
    return Plan(disk=str(dev / disk.name), partition=str(dev / part.name), number=read(part / "partition"),
                start=start, size=read(part / "size"), disk_size=read(disk / "size"), others_after=others_after)


def grow(p: Plan, run=subprocess.run) -> list[str]:
    """Grow the partition, tell the kernel, grow the file system. Returns what was done."""
    done = []
    env = {**os.environ, "LC_ALL": "C"}

    def step(command: list[str], what: str, stdin: str | None = None) -> None:
        result = run(command, input=stdin, capture_output=True, text=True, env=env)
        if result.returncode != 0:
            raise GrowError(f"{what} failed: {(result.stderr or result.stdout).strip()[-300:]}")
        done.append(what)

    if p.worth_it:
        # ", +": keep the start, take all the space behind it.
        step(["sfdisk", "--no-reread", "--no-tell-kernel", "-q", "-N", str(p.number), p.disk],
             f"partition {p.number} of {p.disk} grown by {p.free_bytes // 1048576} MiB in the table", stdin=", +\n")
        step(["partx", "--update", "--nr", str(p.number), p.disk], "the kernel knows the new size")
    step(["resize2fs", p.partition], f"the file system on {p.partition} fills its partition")
    return done
