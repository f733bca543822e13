"""Growing the root to fill the SD card: what to grow is read from sysfs and
mountinfo (here, folders shaped like them); the grow itself runs for real
in the image's boot test, on a disk 1 GiB bigger than the image."""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.box import growroot
from appliance.box.growroot import GrowError
from support import loket_cli

MOUNTINFO = """\
22 27 0:21 / /proc rw,relatime - proc proc rw
27 1 179:2 / / rw,noatime - ext4 /dev/mmcblk0p2 rw,errors=remount-ro
30 27 179:1 / /boot/firmware rw,noatime - vfat /dev/mmcblk0p1 rw
"""


def card(tmp_path: Path, *, disk_sectors: int, parts: list[tuple[int, int]]) -> tuple[Path, Path]:
    """/sys/dev/block and /proc/self/mountinfo for a card whose partition 2 is the root."""
    disk = tmp_path / "devices" / "mmc" / "mmcblk0"
    disk.mkdir(parents=True)
    (disk / "size").write_text(f"{disk_sectors}\n")
    links = tmp_path / "dev-block"
    links.mkdir()
    for number, (start, size) in enumerate(parts, 1):
        part = disk / f"mmcblk0p{number}"
        part.mkdir()
        (part / "partition").write_text(f"{number}\n")
        (part / "start").write_text(f"{start}\n")
        (part / "size").write_text(f"{size}\n")
        (links / f"179:{number}").symlink_to(part)
    (links / "179:0").symlink_to(disk)
    mountinfo = tmp_path / "mountinfo"
    mountinfo.write_text(MOUNTINFO)
    return links, mountinfo


GIB = 1024 ** 3 // 512


def test_a_fresh_card_has_room_behind_the_root(tmp_path):
    links, mountinfo = card(tmp_path, disk_sectors=32 * GIB, parts=[(8192, 524288), (532480, 3 * GIB)])
    plan = growroot.plan(links, mountinfo)
    assert (plan.disk, plan.partition, plan.number) == ("/dev/mmcblk0", "/dev/mmcblk0p2", 2)
    assert plan.worth_it and plan.free_bytes == (32 * GIB - 532480 - 3 * GIB) * 512


def test_a_grown_card_has_nothing_to_do(tmp_path):
    links, mountinfo = card(tmp_path, disk_sectors=32 * GIB, parts=[(8192, 524288), (532480, 32 * GIB - 532480)])
    assert not growroot.plan(links, mountinfo).worth_it


def test_a_few_sectors_are_not_worth_a_resize(tmp_path):
    links, mountinfo = card(tmp_path, disk_sectors=4 * GIB, parts=[(8192, 524288), (532480, 4 * GIB - 532480 - 2048)])
    plan = growroot.plan(links, mountinfo)
    assert plan.free_bytes == 2048 * 512 and not plan.worth_it


def test_the_root_never_grows_over_another_partition(tmp_path):
    links, mountinfo = card(tmp_path, disk_sectors=32 * GIB,
                            parts=[(8192, 524288), (532480, 3 * GIB), (532480 + 3 * GIB, GIB)])
    plan = growroot.plan(links, mountinfo)
    assert plan.others_after and not plan.worth_it


def test_the_last_mount_on_root_wins():
    assert growroot.root_device_number(MOUNTINFO + "40 27 8:1 / / rw - ext4 /dev/sda1 rw\n") == "8:1"
    with pytest.raises(GrowError, match="nothing is mounted"):
        growroot.root_device_number("22 27 0:21 / /proc rw - proc proc rw\n")


def test_a_root_that_is_not_a_partition_is_left_alone(tmp_path):
    links, mountinfo = card(tmp_path, disk_sectors=GIB, parts=[])
    mountinfo.write_text("27 1 179:0 / / rw - ext4 /dev/mmcblk0 rw\n")
    with pytest.raises(GrowError, match="not a partition"):
        growroot.plan(links, mountinfo)


def test_the_steps_are_sfdisk_partx_resize2fs_and_only_resize2fs_when_grown(tmp_path):
    """The commands, as they would run (recorded, not run: they need a real disk)."""
    ran = []

    class Done:
        returncode, stdout, stderr = 0, "", ""

    def record(command, **kwargs):
        ran.append((command[0], kwargs.get("input")))
        return Done()

    links, mountinfo = card(tmp_path, disk_sectors=32 * GIB, parts=[(8192, 524288), (532480, 3 * GIB)])
    growroot.grow(growroot.plan(links, mountinfo), run=record)
    assert ran == [("sfdisk", ", +\n"), ("partx", None), ("resize2fs", None)]
    ran.clear()
    links, mountinfo = card(tmp_path / "b", disk_sectors=3 * GIB + 532480, parts=[(8192, 524288), (532480, 3 * GIB)])
    growroot.grow(growroot.plan(links, mountinfo), run=record)
    assert ran == [("resize2fs", None)], "a power cut between the table and the file system is finished"


def test_a_failed_step_stops_with_its_reason(tmp_path):
    class Failed:
        returncode, stdout, stderr = 1, "", "sfdisk: /dev/mmcblk0: device busy"

    links, mountinfo = card(tmp_path, disk_sectors=32 * GIB, parts=[(8192, 524288), (532480, 3 * GIB)])
    with pytest.raises(GrowError, match="device busy"):
        growroot.grow(growroot.plan(links, mountinfo), run=lambda *a, **k: Failed())


def test_loket_grow_root_dry_run_changes_nothing():
    # --dry-run: this machine's own disk must never be touched by the test suite.
    done = loket_cli("grow-root", "--dry-run")
    assert "Traceback" not in done.stderr
    if done.returncode == 0:
        assert "nothing to grow" in done.stdout or "would grow" in done.stdout
    else:
        assert done.stderr.startswith("loket: the root cannot grow")
