"""The SD-card image: its recipe's static checks always; with
LOKET_IMAGE_TEST=1 (`./dev test` as root sets it) the amd64 twin is built and
booted under QEMU, and the arm64 Pi image is built, inspected and booted (several
minutes, root, mmdebstrap, qemu-system-x86/-arm and qemu-user-static installed;
LOKET_IMAGE_TEST_ARM64=0 leaves the Pi image out).

Both Debian releases boot, one architecture each (two boots keep the suite
under 30 minutes on a machine that builds its base root file systems anew:
a trixie arm64 base under qemu-user alone takes longer than ten): the amd64
twin, with its updates and power cut, on trixie (the product's release), and
the Pi image on bookworm. LOKET_IMAGE_SUITES says otherwise: `all` boots all
four, or a list such as `arm64:trixie amd64:bookworm`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
IMAGE = REPO / "image"
sys.path.insert(0, str(IMAGE))
import suites  # noqa: E402

DEFAULT_BOOTS = "amd64:trixie arm64:bookworm"


def booted_suites(arch: str) -> list[str]:
    """The suites LOKET_IMAGE_SUITES boots for this architecture."""
    wanted = os.environ.get("LOKET_IMAGE_SUITES", DEFAULT_BOOTS).replace(",", " ").split()
    if wanted == ["all"]:
        return list(suites.SUITES)
    return [suite for pair in wanted for want, _, suite in [pair.partition(":")] if want == arch]


def image_dir(suite: str) -> Path:
    """One folder per suite: the images' names do not say their suite."""
    if suite not in suites.SUITES:
        pytest.fail(f"LOKET_IMAGE_SUITES names {suite!r}; the suites are {', '.join(suites.SUITES)}")
    return Path(os.environ.get("LOKET_IMAGE_DIR", REPO / "build" / "image")) / suite


def test_build_script_is_valid_bash():
    done = subprocess.run(["bash", "-n", str(IMAGE / "build.sh")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert os.access(IMAGE / "build.sh", os.X_OK) and os.access(IMAGE / "boot-test.sh", os.X_OK)


def test_requirements_pin_every_runtime_dependency():
    import tomllib
    pinned = {}
    for line in (IMAGE / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"not pinned: {line}"
            pinned[name.lower().replace("_", "-")] = version
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    for requirement in declared:
        name = requirement.split(">")[0].split("=")[0].split("<")[0].strip().lower()
        assert name in pinned, f"{name} is a dependency but the image does not pin it"


def test_recipe_uses_debian_packages_and_no_loop_devices():
    text = (IMAGE / "build.sh").read_text()
    text += (IMAGE / "suites.py").read_text()  # the package lists
    for needed in ("mmdebstrap", "raspi-firmware", "linux-image-arm64", "linux-image-amd64",
                   "mkfs.ext4", "mcopy", "sfdisk", "bmaptool", "SOURCE_DATE_EPOCH", "--only-binary=:all:"):
        assert needed in text
    for forbidden in ("losetup", "kpartx", "mount -o loop", "vmdb2", "curl ", "wget "):
        assert forbidden not in text


@pytest.mark.parametrize("suite", booted_suites("amd64"))
def test_amd64_twin_boots_takes_updates_and_survives_a_power_cut(suite):
    """The amd64 twin of the Pi image, booted under QEMU by image/boot-test.sh
    (image/boot_test.py says what it checks): first boot, the web UI, the
    modem, the sandbox, the offline updates both ways in, and the power
    cut(s) of image/powercut.py (LOKET_POWERCUT_ROUNDS, one by default).
    Opt-in: LOKET_IMAGE_TEST=1, as root (./dev test sets it for root)."""
    if os.environ.get("LOKET_IMAGE_TEST") != "1":
        pytest.skip("set LOKET_IMAGE_TEST=1 to build the amd64 image and boot it under QEMU (about 3-5 minutes)")
    missing = [tool for tool in ("mmdebstrap", "qemu-system-x86_64", "mcopy", "mkfs.vfat", "bmaptool", "zstd")
               if not shutil.which(tool)]
    if missing:
        pytest.fail(f"LOKET_IMAGE_TEST=1 but these are missing: {', '.join(missing)} "
                    "(apt-get install mmdebstrap qemu-system-x86 mtools dosfstools bmap-tools zstd)")
    if os.geteuid() != 0:
        pytest.fail("LOKET_IMAGE_TEST=1 needs root (mmdebstrap --mode=root, file ownership in the image)")
    out = image_dir(suite)
    done = subprocess.run([str(IMAGE / "boot-test.sh"), "--build", "--suite", suite, "--image-dir", str(out)],
                          capture_output=True, text=True,
                          timeout=900 + 400 * int(os.environ.get("LOKET_POWERCUT_ROUNDS", "1")))
    sys.stdout.write(done.stdout[-6000:])
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    image = sorted(out.glob("loket-*-amd64.img.zst"))[-1]
    inspected = subprocess.run([sys.executable, str(IMAGE / "inspect_image.py"), str(image)],
                               capture_output=True, text=True, timeout=300)
    assert inspected.returncode == 0, inspected.stdout + inspected.stderr


@pytest.mark.parametrize("suite", booted_suites("arm64"))
def test_arm64_image_builds_and_boots(suite):
    """The Pi image, built (dpkg's scripts under qemu-user: about 4-5 minutes
    the first time, cached after) and inspected: firmware, device trees,
    kernel and initrd on the boot partition, the cmdline naming the root, the
    venv's compiled modules for aarch64. Then booted on QEMU's arm64 `virt`
    board with its own kernel and initrd, the simulated modem on a USB serial
    adapter: the same checks as the twin's, but the updates."""
    wanted = os.environ.get("LOKET_IMAGE_TEST_ARM64", os.environ.get("LOKET_IMAGE_TEST"))
    if wanted != "1":
        pytest.skip("set LOKET_IMAGE_TEST=1 (or LOKET_IMAGE_TEST_ARM64=1) to build the arm64 Pi image and inspect it")
    missing = [tool for tool in ("mmdebstrap", "qemu-aarch64-static", "arch-test") if not shutil.which(tool)]
    if os.geteuid() != 0 or missing:
        pytest.fail(f"the arm64 image needs root and {', '.join(missing) or 'nothing more'} "
                    "(apt-get install mmdebstrap qemu-user-static binfmt-support arch-test)")
    out = image_dir(suite)
    built = subprocess.run([str(IMAGE / "build.sh"), "--arch", "arm64", "--suite", suite, "--out", str(out)],
                           capture_output=True, text=True, timeout=3600)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    image = sorted(out.glob("loket-*-arm64.img.zst"))[-1]
    inspected = subprocess.run([sys.executable, str(IMAGE / "inspect_image.py"), str(image)],
                               capture_output=True, text=True, timeout=600)
    assert inspected.returncode == 0, inspected.stdout + inspected.stderr
    if not shutil.which("qemu-system-aarch64"):
        pytest.fail("the arm64 boot needs qemu-system-aarch64 (apt-get install qemu-system-arm)")
    booted = subprocess.run([str(IMAGE / "boot-test.sh"), "--arch", "arm64", "--suite", suite, "--image-dir", str(out)],
                            capture_output=True, text=True,
                          timeout=900 + 400 * int(os.environ.get("LOKET_POWERCUT_ROUNDS", "1")))
    sys.stdout.write(booted.stdout[-6000:])
    assert booted.returncode == 0, booted.stdout[-4000:] + booted.stderr[-4000:]


def _dry_run(tmp_path: Path, *args, sources: dict[str, str], proxy: str = "", env: dict | None = None):
    """build.sh --dry-run on a build machine whose apt has these sources (file name -> text) and proxy."""
    etc = tmp_path / "etc"
    (etc / "sources.list.d").mkdir(parents=True, exist_ok=True)
    (etc / "apt.conf.d").mkdir(exist_ok=True)
    (tmp_path / "lists" / "partial").mkdir(parents=True, exist_ok=True)
    for name, text in sources.items():
        (etc / "sources.list.d" / name).write_text(text)
    (etc / "apt.conf.d" / "01proxy").write_text(proxy)
    (tmp_path / "apt.conf").write_text(f'Dir::Etc "{etc}"; Dir::State::Lists "{tmp_path / "lists"}";\n')
    environment = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    environment.pop("LOKET_MIRROR", None)
    done = subprocess.run([str(IMAGE / "build.sh"), "--dry-run", "--arch", "amd64", *args],
                          capture_output=True, text=True, timeout=60,
                          env={**environment, "APT_CONFIG": str(tmp_path / "apt.conf"), **(env or {})})
    fields = dict(line.split(": ", 1) for line in done.stdout.splitlines() if ": " in line)
    return done, fields


SHOP_MIRROR = """Types: deb
URIs: http://mirror.shop.lan/debian
Suites: bookworm bookworm-updates
Components: main non-free-firmware

Types: deb
URIs: http://mirror.shop.lan/debian-security
Suites: bookworm-security
Components: main
"""
THIRD_PARTY = "deb https://download.docker.com/linux/debian bookworm stable\n"


@pytest.mark.skipif(not shutil.which("apt-get"), reason="the build machine is a Debian system (apt reads its sources)")
def test_packages_come_from_the_build_machines_own_apt_source_and_proxy(tmp_path):
    """A technician behind a shop's local mirror and proxy builds without editing
    the script: the image's packages come from the Debian archive apt on the
    build machine uses (deb822 or one-line sources, other repositories ignored),
    through its proxy; --mirror says otherwise. The mirror is part of the base's
    cache key (another mirror may hold other versions), the proxy is not."""
    done, got = _dry_run(tmp_path, sources={"a-docker.list": THIRD_PARTY, "shop.sources": SHOP_MIRROR},
                         proxy='Acquire::http::Proxy "http://proxy.shop.lan:3128";\n')
    assert done.returncode == 0, done.stderr
    assert got["source"] == "http://mirror.shop.lan/debian"
    assert "shop.sources" in got["from"]
    assert got["mmdebstrap"].endswith(" http://mirror.shop.lan/debian")
    assert "--aptopt=Acquire::http::Proxy\\ \\\"http://proxy.shop.lan:3128\\\"\\;" in got["mmdebstrap"]
    assert "mirror.shop.lan" not in got["base"] and "proxy" not in got["base"]

    without_proxy = _dry_run(tmp_path / "b", sources={"shop.sources": SHOP_MIRROR})[1]
    assert without_proxy["base"] == got["base"] and "--aptopt" not in without_proxy["mmdebstrap"]

    one_line = _dry_run(tmp_path / "c", sources={"debian.list": "deb http://mirror.shop.lan/debian/ bookworm main\n"},
                        env={"http_proxy": "http://proxy.shop.lan:3128"})[1]
    assert one_line["source"] == "http://mirror.shop.lan/debian" and one_line["base"] == got["base"]
    assert "http_proxy=http://proxy.shop.lan:3128" in one_line["proxy"]

    chosen = _dry_run(tmp_path / "d", "--mirror", "http://snapshot.debian.org/archive/debian/20250520T000000Z/",
                      sources={"shop.sources": SHOP_MIRROR})[1]
    assert chosen["source"] == "http://snapshot.debian.org/archive/debian/20250520T000000Z"
    assert chosen["from"] == "--mirror" and chosen["base"] != got["base"]

    nothing, _ = _dry_run(tmp_path / "e", sources={"a-docker.list": THIRD_PARTY})
    assert nothing.returncode == 2 and "--mirror" in nothing.stderr and "Traceback" not in nothing.stderr
    assert "MIRROR=${LOKET_MIRROR:-}\n" in (IMAGE / "build.sh").read_text(), "no package source written in the script"


@pytest.mark.skipif(not shutil.which("apt-get"), reason="the build machine is a Debian system (apt reads its sources)")
def test_the_suite_chooses_the_release_its_python_and_the_images_apt_sources(tmp_path):
    """trixie by default, bookworm by --suite (or LOKET_SUITE): the release goes to
    mmdebstrap and into the base's cache key, its Python decides the wheels, and
    the image's apt sources name Debian's archive for that release, its updates
    and its security archive, whatever mirror the build machine used."""
    shop = {"shop.sources": SHOP_MIRROR}
    trixie = _dry_run(tmp_path / "a", sources=shop)
    assert trixie[0].returncode == 0, trixie[0].stderr
    got = trixie[1]
    assert got["suite"] == "trixie (python 3.13)"
    assert "/base-trixie-amd64-" in got["base"]
    assert f" trixie {got['base']}.partial http://mirror.shop.lan/debian" in got["mmdebstrap"]
    assert got["image sources"] == ("http://deb.debian.org/debian trixie trixie-updates "
                                    "http://security.debian.org/debian-security trixie-security")
    assert "debian.sources" in got["mmdebstrap"] and "Suites: trixie-security" in got["mmdebstrap"]

    bookworm = _dry_run(tmp_path / "b", "--suite", "bookworm", sources=shop)[1]
    assert bookworm["suite"] == "bookworm (python 3.11)"
    assert "/base-bookworm-amd64-" in bookworm["base"] and bookworm["base"] != got["base"].replace("trixie", "bookworm")
    assert f" bookworm {bookworm['base']}.partial http://mirror.shop.lan/debian" in bookworm["mmdebstrap"]
    assert bookworm["image sources"] == got["image sources"].replace("trixie", "bookworm")
    assert _dry_run(tmp_path / "c", sources=shop, env={"LOKET_SUITE": "bookworm"})[1]["base"] == bookworm["base"]

    unknown, _ = _dry_run(tmp_path / "d", "--suite", "sid", sources=shop)
    assert unknown.returncode == 2 and "trixie bookworm" in unknown.stderr and "Traceback" not in unknown.stderr
    helped = subprocess.run([str(IMAGE / "build.sh"), "--help"], capture_output=True, text=True, timeout=30)
    assert "--suite trixie|bookworm" in helped.stdout and "image/suites.py" in helped.stdout


def test_every_suite_has_wheels_for_its_python_and_the_boots_cover_both():
    """image/suites.py is the one table: each suite's Python matches its ABI tag,
    and the default test run boots each suite once."""
    for suite in suites.SUITES.values():
        assert suite.abi == "cp" + suite.python.replace(".", "")
        assert "raspi-firmware" in suite.packages_for("arm64") and "linux-image-amd64" in suite.packages_for("amd64")
    assert suites.DEFAULT == "trixie" and suites.get().python == "3.13"
    defaults = {pair.split(":")[1] for pair in DEFAULT_BOOTS.split()}
    assert defaults == set(suites.SUITES), "the default run boots every supported suite once"


def test_loket_image_suites_chooses_the_boots(monkeypatch):
    monkeypatch.delenv("LOKET_IMAGE_SUITES", raising=False)
    assert booted_suites("arm64") == ["bookworm"] and booted_suites("amd64") == ["trixie"]
    monkeypatch.setenv("LOKET_IMAGE_SUITES", "all")
    assert booted_suites("arm64") == booted_suites("amd64") == ["trixie", "bookworm"]
    monkeypatch.setenv("LOKET_IMAGE_SUITES", "arm64:trixie,amd64:bookworm")
    assert booted_suites("arm64") == ["trixie"] and booted_suites("amd64") == ["bookworm"]
