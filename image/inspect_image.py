"""Check a built Loket image without booting it (for the arm64 Pi image,
which is slow to boot under emulation): partition table, the Pi's boot
files on the vfat partition, and the root file system's Loket parts.

    python3 image/inspect_image.py build/image/loket-<version>-arm64.img.zst

Needs sfdisk, mtools (mdir, mtype) and e2fsprogs (debugfs); no mounts.
Exit 0 when everything is there; prints what is missing otherwise.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

PI_DTBS = ("bcm2837-rpi-3-b.dtb", "bcm2837-rpi-3-b-plus.dtb", "bcm2711-rpi-4-b.dtb",
           "bcm2711-rpi-400.dtb", "bcm2711-rpi-cm4-io.dtb", "bcm2837-rpi-zero-2-w.dtb")  # upstream names (upstream_kernel=1)
PI_FIRMWARE = ("bootcode.bin", "start.elf", "fixup.dat", "start4.elf", "fixup4.dat", "config.txt", "cmdline.txt")
ELF_MACHINE = {"arm64": 183, "amd64": 62}


os.environ.setdefault("MTOOLS_SKIP_CHECK", "1")  # mtools on a bare partition file


def run(*command: str, input: bytes | None = None) -> bytes:
    return subprocess.run(command, check=True, capture_output=True, input=input).stdout


def inspect(image: Path) -> list[str]:
    problems: list[str] = []
    arch = "arm64" if "-arm64" in image.name else "amd64"
    with tempfile.TemporaryDirectory(prefix="loket-inspect-") as tmp:
        raw = Path(tmp) / "disk.img"
        if image.suffix == ".zst":
            run("zstd", "-q", "-d", "-f", str(image), "-o", str(raw))
        else:
            raw = image
        table = json.loads(run("sfdisk", "--json", str(raw)))["partitiontable"]
        parts = table["partitions"]
        if table["label"] != "dos" or len(parts) != 2:
            return [f"expected an MBR with two partitions, found {table['label']} with {len(parts)}"]
        boot, root = parts
        if boot["type"] != "c" or not boot.get("bootable"):
            problems.append("partition 1 is not a bootable FAT32 (type c)")
        if boot["start"] % 8192:
            problems.append("partition 1 is not aligned to 4 MiB")
        boot_img, root_img = Path(tmp) / "boot.img", Path(tmp) / "root.img"
        for part, out in ((boot, boot_img), (root, root_img)):
            subprocess.run(["dd", f"if={raw}", f"of={out}", "bs=512", f"skip={part['start']}",
                            f"count={part['size']}", "status=none", "conv=sparse"], check=True)

        listing_boot = run("mdir", "-i", str(boot_img), "-b", "::/").decode(errors="replace")
        names = {Path(line.strip()).name for line in listing_boot.splitlines()}
        if arch == "arm64":
            for wanted in PI_FIRMWARE + PI_DTBS:
                if wanted not in names:
                    problems.append(f"boot partition: {wanted} is missing")
            if not any(n.startswith("vmlinuz") for n in names) or not any(n.startswith("initrd") for n in names):
                problems.append("boot partition: no kernel or initrd")
            cmdline = run("mtype", "-i", str(boot_img), "::/cmdline.txt").decode()
            if "root=LABEL=loket-root" not in cmdline:
                problems.append(f"cmdline.txt does not boot the loket-root partition: {cmdline.strip()}")
            config = run("mtype", "-i", str(boot_img), "::/config.txt").decode()
            if "arm_64bit=1" not in config:
                problems.append("config.txt does not select the 64-bit kernel")

        def debugfs(request: str) -> str:
            return subprocess.run(["debugfs", "-R", request, str(root_img)], capture_output=True,
                                  text=True).stdout

        label = run("e2label", str(root_img)).decode().strip()
        if label != "loket-root":
            problems.append(f"root file system label is {label!r}")
        # /opt/loket/venv is a link to the running release (offline updates move it).
        link = re.search(r'Fast link dest: "([^"]+)"', debugfs("stat /opt/loket/venv"))
        if not link or not link.group(1).startswith("releases/"):
            problems.append("root: /opt/loket/venv is not a link to a release in /opt/loket/releases")
        venv = "/opt/loket/" + (link.group(1) if link else "venv")
        for path in (f"{venv}/bin/loket", f"{venv}/pyvenv.cfg", "/etc/loket/loket.toml",
                     "/opt/loket/share/release-key.pub",
                     "/etc/systemd/system/multi-user.target.wants/loket-grow-root.service",
                     "/etc/systemd/system/multi-user.target.wants/loket-update.path",
                     "/etc/systemd/system/dev-loket\\x2dbackup.device.wants/loket-update-usb.service",
                     "/usr/lib/udev/rules.d/99-loket-backup.rules",
                     "/usr/lib/systemd/system/loket-web.service", "/usr/lib/udev/rules.d/99-loket-modem.rules",
                     "/etc/systemd/journald.conf.d/loket.conf",
                     "/etc/systemd/system/multi-user.target.wants/loket-web.service",
                     "/etc/systemd/system/multi-user.target.wants/loket-worker.service",
                     "/etc/systemd/system/multi-user.target.wants/loket-firstboot.service",
                     "/etc/systemd/system/timers.target.wants/loket-backup.timer",
                     "/etc/systemd/system/sysinit.target.wants/loket-clock.service",
                     "/etc/systemd/system/multi-user.target.wants/avahi-daemon.service"):
            if "Inode:" not in debugfs(f"stat {path}"):
                problems.append(f"root: {path} is missing")
        if debugfs("cat /etc/hostname").strip() != "loket":
            problems.append("root: the hostname is not loket")
        if not re.search(r"^loket:", debugfs("cat /etc/passwd"), re.M):
            problems.append("root: no loket user")
        if re.search(r"\S", debugfs("cat /etc/machine-id")):
            problems.append("root: /etc/machine-id is set: every box would share it")
        if "Inode:" in debugfs("stat /var/lib/loket/secret.key"):
            problems.append("root: a device secret is in the image")
        # lib/python3.X: the suite's Python (image/suites.py), 3.13 on trixie
        pythons = re.findall(r"/(python3\.\d+)/", debugfs(f"ls -p {venv}/lib"))
        if len(pythons) != 1:
            problems.append(f"venv: expected one lib/python3.X, found {pythons}")
        site_dir = f"{venv}/lib/{pythons[0] if pythons else 'python3'}/site-packages"
        site = debugfs(f"ls -p {site_dir}")
        for package in ("appliance", "gammu", "argon2", "_cffi_backend", "peewee.py", "waitress", "huey", "serial"):
            if f"/{package}" not in site and package not in site:
                problems.append(f"venv: {package} is missing")
        # The compiled parts are for the target CPU (the ELF header's e_machine).
        listing = debugfs(f"ls -p {site_dir}/gammu")
        # `ls -p` lines: /inode/mode/uid/gid/name/size/
        names_in = [line.split("/")[5] for line in listing.splitlines() if line.count("/") >= 6]
        so = next((name for name in names_in if name.endswith(".so")), None)
        if so:
            blob = subprocess.run(["debugfs", "-R", f"cat {site_dir}/gammu/{so}",
                                   str(root_img)], capture_output=True).stdout[:20]
            machine = int.from_bytes(blob[18:20], "little") if len(blob) >= 20 else None
            if machine != ELF_MACHINE[arch]:
                problems.append(f"venv: gammu's {so} is for ELF machine {machine}, not {arch}")
        else:
            problems.append("venv: gammu's compiled module is missing")
    return problems


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    problems = inspect(Path(argv[0]))
    for problem in problems:
        print(f"- {problem}")
    print("image looks complete" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
