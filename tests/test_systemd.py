"""The appliance's systemd units, udev rule and drop-ins.

`systemd-analyze verify` runs for real against a throwaway root that holds
the host's own unit files plus an executable where the venv's `loket` will
be, so references to targets and binaries are checked, not skipped.
"""

from __future__ import annotations

import configparser
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
UNITS_DIR = REPO / "systemd"
LOKET_BIN = "/opt/loket/venv/bin/loket"
STATE = "/var/lib/loket"

UNITS = sorted(p for p in UNITS_DIR.iterdir() if p.suffix in (".service", ".timer", ".path"))
SERVICES = [p for p in UNITS if p.suffix == ".service"]
LONG_RUNNING = ("loket-web.service", "loket-worker.service")
UPDATERS = ("loket-update.service", "loket-update-usb.service")


def parse(path: Path) -> dict[str, dict[str, list[str]]]:
    """A unit file as {section: {key: [values, in order]}} (keys repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        assert current is not None, f"{path.name}: a setting outside a section: {line}"
        key, sep, value = line.partition("=")
        assert sep, f"{path.name}: not KEY=VALUE: {line}"
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def one(unit: dict, section: str, key: str) -> str | None:
    values = unit.get(section, {}).get(key)
    return values[-1] if values else None


def test_the_units_are_there():
    names = {p.name for p in UNITS}
    for wanted in ("loket-web.service", "loket-worker.service", "loket-firstboot.service",
                   "loket-backup.service", "loket-backup.timer", "loket-clock.service"):
        assert wanted in names


# -- systemd-analyze verify ------------------------------------------------------------

@pytest.fixture(scope="module")
def fake_root(tmp_path_factory) -> Path:
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze is not installed")
    root = tmp_path_factory.mktemp("root")
    host_units = Path("/usr/lib/systemd/system")
    if not host_units.is_dir():
        host_units = Path("/lib/systemd/system")
    shutil.copytree(host_units, root / "usr/lib/systemd/system", symlinks=True)
    for binary in (LOKET_BIN, "/usr/bin/systemctl"):
        target = root / binary.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("#!/bin/true\n")
        target.chmod(0o755)
    (root / "etc/systemd/system").mkdir(parents=True)
    for unit in UNITS:
        shutil.copy(unit, root / "etc/systemd/system" / unit.name)
    return root


@pytest.mark.parametrize("unit", [p.name for p in UNITS])
def test_systemd_analyze_verify(fake_root, unit):
    done = subprocess.run(["systemd-analyze", "verify", f"--root={fake_root}",
                           str(fake_root / "etc/systemd/system" / unit)],
                          capture_output=True, text=True, timeout=60)
    # verify exits 0 on mere warnings (an unknown key is "ignored"): any word is a failure.
    assert done.returncode == 0 and not done.stderr.strip() and not done.stdout.strip(), \
        done.stderr + done.stdout


def test_verify_catches_mistakes(fake_root, tmp_path):
    """The check above is not blind: a typo and a missing binary are caught."""
    bad = fake_root / "etc/systemd/system/loket-typo.service"
    bad.write_text(f"[Service]\nExecStart={LOKET_BIN} web\nProtectSystm=strict\n")
    done = subprocess.run(["systemd-analyze", "verify", f"--root={fake_root}", str(bad)],
                          capture_output=True, text=True)
    assert "ProtectSystm" in done.stderr
    bad.write_text("[Service]\nExecStart=/opt/loket/venv/bin/nothing web\n")
    done = subprocess.run(["systemd-analyze", "verify", f"--root={fake_root}", str(bad)],
                          capture_output=True, text=True)
    assert done.returncode != 0 and "not executable" in done.stderr
    bad.unlink()


# -- what every service must have --------------------------------------------------------

SANDBOX = {
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "NoNewPrivileges": "yes",
    "ProtectKernelTunables": "yes",
    "ProtectKernelModules": "yes",
    "ProtectKernelLogs": "yes",
    "ProtectControlGroups": "yes",
    "ProtectHostname": "yes",
    "RestrictNamespaces": "yes",
    "RestrictRealtime": "yes",
    "RestrictSUIDSGID": "yes",
    "LockPersonality": "yes",
    "MemoryDenyWriteExecute": "yes",
    "SystemCallArchitectures": "native",
}


@pytest.mark.parametrize("path", SERVICES, ids=lambda p: p.name)
def test_sandboxed(path):
    unit = parse(path)
    for key, value in SANDBOX.items():
        if (path.name, key) == ("loket-grow-root.service", "ProtectSystem"):
            value = "full"  # it resizes the mounted root through the mount itself
        assert one(unit, "Service", key) == value, f"{path.name}: {key}={value} missing"
    families = (one(unit, "Service", "RestrictAddressFamilies") or "").split()
    assert families and set(families) <= {"AF_UNIX", "AF_INET", "AF_INET6", "AF_NETLINK"}
    assert unit["Service"].get("SystemCallFilter"), "a system call filter"
    assert one(unit, "Service", "CapabilityBoundingSet") is not None, "capabilities bounded"
    # Writable: the state dir, and the backup stick for the backup only.
    writable = [p.lstrip("-") for v in unit["Service"].get("ReadWritePaths", []) for p in v.split()]
    allowed = {STATE} | ({"/media/loket-backup"} if path.name == "loket-backup.service" else set()) \
        | ({"/opt/loket"} if path.name == "loket-update.service" else set())
    assert (writable or path.name == "loket-grow-root.service") and set(writable) <= allowed, writable


@pytest.mark.parametrize("path", SERVICES, ids=lambda p: p.name)
def test_runs_the_console_script_directly(path):
    service = parse(path)["Service"]
    commands = [v for key in ("ExecStart", "ExecStartPre", "ExecStartPost", "ExecStop", "ExecStopPost")
                for v in service.get(key, [])]
    assert service.get("ExecStart")
    for command in service["ExecStart"]:
        assert command.split()[0] == LOKET_BIN, f"{path.name}: {command}"
    for command in commands:
        program = command.lstrip("+-@:!").split()[0]
        assert program in (LOKET_BIN, "/usr/bin/systemctl"), f"{path.name}: {command}"
        assert not re.search(r"\b(sh|bash|dash)\b|[;&|`$]", command), f"{path.name}: a shell in {command}"


@pytest.mark.parametrize("path", SERVICES, ids=lambda p: p.name)
def test_unprivileged_user(path):
    service = parse(path)["Service"]
    if path.name == "loket-clock.service":
        # Root early at boot to set the clock, with only the capabilities it needs.
        assert "User" not in service
        assert set(service["CapabilityBoundingSet"][-1].split()) <= {
            "CAP_SYS_TIME", "CAP_DAC_OVERRIDE", "CAP_CHOWN", "CAP_FOWNER"}
        return
    if path.name == "loket-grow-root.service":
        # Root for the partition table and the online resize of the mounted root.
        assert "User" not in service
        assert set(service["CapabilityBoundingSet"][-1].split()) <= {
            "CAP_SYS_ADMIN", "CAP_SYS_RESOURCE", "CAP_DAC_OVERRIDE"}
        return
    if path.name in UPDATERS:
        # Root to install releases into /opt/loket and restart the services; nothing more.
        assert "User" not in service
        assert set(service["CapabilityBoundingSet"][-1].split()) == {"CAP_CHOWN", "CAP_FOWNER", "CAP_DAC_OVERRIDE"}
        return
    assert service["User"] == ["loket"] and service["Group"] == ["loket"]
    assert "AmbientCapabilities" not in service or path.name in LONG_RUNNING


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_web_and_worker(name):
    unit = parse(UNITS_DIR / name)
    service = unit["Service"]
    assert one(unit, "Service", "Type") == "notify"
    assert int(one(unit, "Service", "WatchdogSec")) >= 10
    assert one(unit, "Service", "Restart") == "on-failure"
    assert one(unit, "Service", "StateDirectory") == "loket"
    assert one(unit, "Service", "ConfigurationDirectory") == "loket"
    assert any(v.startswith("-") for v in service["EnvironmentFile"]), "the environment file is optional"
    assert f"LOKET_DATA_DIR={STATE}" in one(unit, "Service", "Environment")
    assert one(unit, "Install", "WantedBy") == "multi-user.target"
    assert "loket-firstboot.service" in one(unit, "Unit", "After")


def test_worker_owns_the_serial_ports_only():
    unit = parse(UNITS_DIR / "loket-worker.service")
    service = unit["Service"]
    assert service["SupplementaryGroups"] == ["dialout"]
    assert one(unit, "Service", "DevicePolicy") == "closed"
    allowed = {v.split()[0] for v in service["DeviceAllow"]}
    assert {"char-usb_serial", "char-ttyACM"} <= allowed
    assert "PrivateDevices" not in service, "it would hide the modem"
    assert one(unit, "Service", "KillSignal") == "SIGTERM"
    assert int(one(unit, "Service", "TimeoutStopSec")) >= 30, "time to finish a send"
    assert service["CapabilityBoundingSet"] == ["CAP_SYS_TIME"] == service["AmbientCapabilities"]
    assert "@clock" in " ".join(service["SystemCallFilter"])


def test_web_has_no_devices():
    service = parse(UNITS_DIR / "loket-web.service")["Service"]
    assert service["PrivateDevices"] == ["yes"] and service["ProtectClock"] == ["yes"]
    assert "SupplementaryGroups" not in service


def test_firstboot_runs_once_before_the_web():
    unit = parse(UNITS_DIR / "loket-firstboot.service")
    assert one(unit, "Service", "Type") == "oneshot"
    assert one(unit, "Unit", "ConditionPathExists") == f"!{STATE}/.firstboot-done"
    assert "loket-web.service" in one(unit, "Unit", "Before")
    assert "console" in one(unit, "Service", "StandardOutput"), "the setup code shows on the screen"


def test_updates_start_from_the_ui_and_the_usb_stick():
    path = parse(UNITS_DIR / "loket-update.path")
    assert one(path, "Path", "PathExistsGlob") == f"{STATE}/update-pending/*.bundle"
    assert one(path, "Path", "Unit") == "loket-update.service"
    usb = parse(UNITS_DIR / "loket-update-usb.service")
    # Started by the stick's device unit, and only once it is mounted.
    assert one(usb, "Install", "WantedBy") == r"dev-loket\x2dbackup.device"  # 99-loket-backup.rules
    # Wants, not Requires: an idle unmount of the stick must not stop it half-way.
    assert usb["Unit"]["Wants"] == [r"media-loket\x2dbackup.mount"] and "Requires" not in usb["Unit"]
    assert one(usb, "Service", "ExecStart").endswith("update scan /media/loket-backup/loket-updates")


def test_nightly_backup_timer():
    timer = parse(UNITS_DIR / "loket-backup.timer")["Timer"]
    assert timer["Persistent"] == ["true"] and timer["OnCalendar"]
    if shutil.which("systemd-analyze"):
        done = subprocess.run(["systemd-analyze", "calendar", timer["OnCalendar"][0]],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


def test_clock_unit_is_early_and_saves_at_shutdown():
    unit = parse(UNITS_DIR / "loket-clock.service")
    assert one(unit, "Unit", "DefaultDependencies") == "no"
    assert "time-set.target" in one(unit, "Unit", "Before")
    assert one(unit, "Service", "ExecStart").endswith("clock restore")
    assert one(unit, "Service", "ExecStop").endswith("clock save")


# -- MemoryDenyWriteExecute works for Python, argon2 (cffi), gammu and ctypes -------------

def test_memory_deny_write_execute_is_safe_for_loket():
    """The kernel's PR_SET_MDWE refuses W+X memory like the unit's seccomp
    filter does; the imports and calls Loket makes must still work. The boot
    test runs the real units with the option."""
    probe = subprocess.run([sys.executable, "-c", "import ctypes; l = ctypes.CDLL(None); "
                            "raise SystemExit(0 if l.prctl(65, 1, 0, 0, 0) == 0 else 1)"])
    if probe.returncode != 0:
        pytest.skip("this kernel has no PR_SET_MDWE (Linux 6.3+)")
    code = r"""
import ctypes, mmap
ctypes.CDLL(None, use_errno=True).prctl(65, 1, 0, 0, 0)
try:
    mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    raise SystemExit("W+X memory was still allowed: the probe is blind")
except OSError:
    pass
import argon2, gammu, peewee, sqlite3, waitress, huey, serial
argon2.PasswordHasher().verify(argon2.PasswordHasher().hash("pw"), "pw")
assert ctypes.CFUNCTYPE(ctypes.c_int)(lambda: 7)() == 7
from appliance import clock
from appliance.box import sdnotify, backup, timekeeping
clock.kernel_clock_synchronised()
import appliance.cli
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


# -- udev, journald, sysusers, tmpfiles ------------------------------------------------------

RULE_TOKEN = re.compile(r'\s*([A-Z_]+(?:\{[^}]*\})?)\s*(==|!=|\+=|-=|:=|=)\s*"([^"]*)"\s*(,|$)')


def rule_lines():
    for rules in ("99-loket-modem.rules", "99-loket-backup.rules"):
        yield from _rule_lines(rules)


def _rule_lines(name):
    for raw in (UNITS_DIR / name).read_text().splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            yield line


def test_udev_rule_syntax():
    for line in rule_lines():
        pos = 0
        while pos < len(line):
            match = RULE_TOKEN.match(line, pos)
            assert match, f"cannot parse: {line[pos:]!r} in {line!r}"
            pos = match.end()
    gotos = re.findall(r'GOTO="([^"]+)"', (UNITS_DIR / "99-loket-modem.rules").read_text())
    labels = re.findall(r'LABEL="([^"]+)"', (UNITS_DIR / "99-loket-modem.rules").read_text())
    assert set(gotos) <= set(labels)


@pytest.mark.parametrize("vendor,product", [("12d1", "1436"), ("12d1", "1506"), ("2c7c", "0125"),
                                            ("1a86", "7523"), ("10c4", "ea60")])
def test_udev_rule_knows_the_modems(vendor, product):
    text = (UNITS_DIR / "99-loket-modem.rules").read_text()
    assert re.search(rf'ENV\{{ID_VENDOR_ID\}}=="{vendor}", ENV\{{ID_MODEL_ID\}}=="[^"]*{product}', text)
    assert re.search(rf'ATTR\{{idVendor\}}=="{vendor}", ATTR\{{idProduct\}}=="[^"]*{product}[^"]*", '
                     r'ENV\{ID_MM_DEVICE_IGNORE\}="1"', text)
    assert 'SYMLINK+="loket-modem"' in text and 'ENV{ID_MM_DEVICE_IGNORE}="1"' in text


def test_journald_is_bounded():
    conf = configparser.ConfigParser()
    conf.optionxform = str
    conf.read(UNITS_DIR / "journald-loket.conf")
    journal = conf["Journal"]
    assert journal["Storage"] in ("persistent", "volatile")
    assert journal["SystemMaxUse"].endswith("M") and int(journal["SystemMaxUse"][:-1]) <= 128
    assert journal["RuntimeMaxUse"]


@pytest.mark.skipif(not shutil.which("systemd-sysusers"), reason="systemd-sysusers is not installed")
def test_sysusers_and_tmpfiles(tmp_path):
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    (etc / "group").write_text("root:x:0:\ndialout:x:20:\n")
    conf = tmp_path / "usr/lib/sysusers.d"
    conf.mkdir(parents=True)
    shutil.copy(UNITS_DIR / "loket.sysusers", conf / "loket.conf")
    done = subprocess.run(["systemd-sysusers", f"--root={tmp_path}"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    passwd = (etc / "passwd").read_text()
    assert re.search(r"^loket:x:\d+:\d+:Loket SMS CRM:/var/lib/loket:/usr/sbin/nologin$", passwd, re.M)
    assert re.search(r"^dialout:x:20:loket$", (etc / "group").read_text(), re.M)
    uid = int(re.search(r"^loket:x:(\d+):", passwd, re.M).group(1))
    assert 0 < uid < 1000, "a system user"
    tmpfiles = tmp_path / "usr/lib/tmpfiles.d"
    tmpfiles.mkdir(parents=True)
    shutil.copy(UNITS_DIR / "loket.tmpfiles", tmpfiles / "loket.conf")
    if os.geteuid() == 0 and shutil.which("systemd-tmpfiles"):
        done = subprocess.run(["systemd-tmpfiles", f"--root={tmp_path}", "--create",
                               str(tmpfiles / "loket.conf")], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        state = tmp_path / "var/lib/loket"
        assert state.is_dir() and state.stat().st_uid == uid and oct(state.stat().st_mode)[-3:] == "750"


@pytest.mark.parametrize("name", ["loket-web.service", "loket-worker.service"])
def test_web_and_worker_can_read_the_boot_id(name):
    """The clock is trusted only when set during this boot (its boot id, from
    /proc/sys); ProcSubset=pid hides /proc/sys and no scheduled SMS would go
    out. Found by the QEMU power-cut test: the campaign waited for ever."""
    unit = parse(UNITS_DIR / name)
    assert one(unit, "Service", "ProcSubset") in (None, "all")
