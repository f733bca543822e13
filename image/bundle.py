"""Release bundles for offline updates, and the wheels the image installs.

    python3 image/bundle.py keygen KEYFILE
    python3 image/bundle.py build --arch arm64|amd64 [--suite S] --key KEYFILE [--out DIR] [--wheel FILE] [--version V]
    python3 image/bundle.py wheels --arch arm64|amd64 [--suite S] --out DIR [--wheel FILE]

keygen   makes a release key pair: KEYFILE (private, keep it on the release
         machine, never in the repository) and KEYFILE.pub, which
         `image/build.sh --release-key KEYFILE.pub` puts into the image.
build    writes DIR/loket-<version>-<machine>.bundle (default DIR:
         build/bundles): the Loket wheel, every dependency wheel for the
         target (image/requirements.txt, never built, only downloaded) and
         pip, a manifest with their SHA-256 and its Ed25519 signature. A box
         installs it with `loket update install`, from the web UI's Update
         page or from a USB stick (see appliance/box/update.py).
         --version builds the Loket wheel as that version (release
         candidates, tests); --wheel uses a wheel built elsewhere.
         --suite: the Debian release of the boxes it is for (image/suites.py;
         trixie by default): a bundle is made for its Python (3.13, or
         bookworm's 3.11), and a box refuses one for another.
wheels   the same wheel set without the bundle: image/build.sh installs it.

Downloads are cached in LOKET_IMAGE_CACHE (default /var/cache/loket-image as
root, shared with the image build; ~/.cache/loket-image otherwise).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))  # appliance.box.bundle: the same code the box checks bundles with
sys.path.insert(0, str(HERE))
import suites  # noqa: E402  the Debian release decides the Python

MACHINE = {"arm64": "aarch64", "amd64": "x86_64"}
PIP = "pip==24.3.1"  # the installer each bundle carries (the box has no pip of its own)


def _pip(*args: str, quiet: bool = True) -> None:
    env = {**os.environ, "PIP_CONFIG_FILE": os.devnull, "PIP_FIND_LINKS": "", "PIP_EXTRA_INDEX_URL": ""}
    subprocess.run([sys.executable, "-m", "pip", *(["-q"] if quiet else []), "--disable-pip-version-check", *args],
                   check=True, env=env)


def _platform_args(machine: str, suite: suites.Suite) -> list[str]:
    return ["--platform", f"manylinux2014_{machine}", "--platform", f"manylinux_2_28_{machine}",
            "--implementation", "cp", "--python-version", suite.python, "--abi", suite.abi, "--abi", "abi3",
            "--abi", "none", "--only-binary=:all:"]


def _cache() -> Path:
    """Shared with image/build.sh (root); a developer's own cache otherwise."""
    if os.environ.get("LOKET_IMAGE_CACHE"):
        return Path(os.environ["LOKET_IMAGE_CACHE"])
    return Path("/var/cache/loket-image") if os.geteuid() == 0 else Path.home() / ".cache" / "loket-image"


def dependency_wheels(machine: str, suite: suites.Suite) -> list[Path]:
    """The pinned runtime dependencies for the target, downloaded once per
    requirements file, platform and Python."""
    requirements = HERE / "requirements.txt"
    key = hashlib.sha256(requirements.read_bytes()).hexdigest()[:16]
    folder = _cache() / f"wheels-{machine}-{suite.abi}-{key}"
    if not folder.is_dir():
        partial = folder.with_name(folder.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        _pip("download", "--no-deps", "--dest", str(partial), *_platform_args(machine, suite), "-r", str(requirements))
        partial.rename(folder)
    return sorted(folder.glob("*.whl"))


def pip_wheel() -> Path:
    folder = _cache() / f"pip-{PIP.split('==')[1]}"
    if not folder.is_dir():
        partial = folder.with_name(folder.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        _pip("download", "--no-deps", "--only-binary=:all:", "--dest", str(partial), PIP)
        partial.rename(folder)
    return next(folder.glob("pip-*.whl"))


def loket_wheel(out: Path, version: str | None = None, edit=None) -> Path:
    """Loket's own wheel from this repository, optionally as another version;
    edit(folder) may change the copied source first (the tests' broken releases)."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="loket-src-") as tmp:
        source = REPO
        if version or edit:
            source = Path(tmp) / "src"
            shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(
                ".git", ".venv", "build", "test-output", "var", "__pycache__", "*.egg-info", ".pytest_cache",
                ".hypothesis"))
            pyproject = source / "pyproject.toml"
            if version:
                pyproject.write_text(re.sub(r'(?m)^version = ".*"$', f'version = "{version}"', pyproject.read_text(), 1))
            if edit:
                edit(source)
        _pip("wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", tmp, str(source))
        built = next(Path(tmp).glob("loket-*.whl"))
        return Path(shutil.copy2(built, out / built.name))


def wheel_version(wheel: Path) -> str:
    return wheel.name.split("-")[1]


def schema_of_wheel(wheel: Path) -> int:
    """The schema version the wheel's Loket migrates to (read from the wheel itself)."""
    code = "import sys; sys.path.insert(0, sys.argv[1]); from appliance.migrations import HEAD; print(HEAD)"
    done = subprocess.run([sys.executable, "-c", code, str(wheel)], capture_output=True, text=True, check=True)
    return int(done.stdout.strip())


def collect(arch: str, out: Path, wheel: Path | None = None, version: str | None = None,
            suite: suites.Suite | None = None) -> list[Path]:
    machine = MACHINE[arch]
    out.mkdir(parents=True, exist_ok=True)
    own = Path(shutil.copy2(wheel, out / Path(wheel).name)) if wheel else loket_wheel(out, version)
    return [own] + [Path(shutil.copy2(dep, out / dep.name)) for dep in dependency_wheels(machine, suite or suites.get())]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    verbs = parser.add_subparsers(dest="verb", required=True)
    keygen = verbs.add_parser("keygen", help="make a release key pair")
    keygen.add_argument("key", type=Path)
    for name in ("build", "wheels"):
        verb = verbs.add_parser(name)
        verb.add_argument("--arch", choices=sorted(MACHINE), required=True)
        verb.add_argument("--suite", choices=list(suites.SUITES), default=suites.DEFAULT,
                          help="the Debian release of the boxes (its Python)")
        verb.add_argument("--wheel", type=Path, help="use this Loket wheel instead of building one")
        verb.add_argument("--version", help="build the Loket wheel as this version")
        verb.add_argument("--out", type=Path, required=name == "wheels", default=REPO / "build" / "bundles")
        if name == "build":
            verb.add_argument("--key", type=Path, required=True, help="the release key (private half)")
    args = parser.parse_args(argv)

    from appliance.box import bundle
    if "SOURCE_DATE_EPOCH" not in os.environ:  # reproducible: the last commit's time, as image/build.sh
        done = subprocess.run(["git", "-C", str(REPO), "log", "-1", "--format=%ct"], capture_output=True, text=True)
        os.environ["SOURCE_DATE_EPOCH"] = done.stdout.strip() or "0"
    if args.verb == "keygen":
        if args.key.exists():
            print(f"bundle.py: {args.key} exists; a release key is made once", file=sys.stderr)
            return 2
        public = bundle.generate_key(args.key)
        print(f"private key: {args.key} (keep it off the boxes and out of the repository)\npublic key: {public}")
        return 0
    if args.verb == "wheels":
        for wheel in collect(args.arch, args.out, args.wheel, args.version, suites.get(args.suite)):
            print(wheel)
        return 0
    with tempfile.TemporaryDirectory(prefix="loket-bundle-") as tmp:
        wheels = collect(args.arch, Path(tmp), args.wheel, args.version, suites.get(args.suite))
        own = wheels[0]
        wheels.append(Path(shutil.copy2(pip_wheel(), Path(tmp) / pip_wheel().name)))
        try:
            path = bundle.build_bundle(args.out, wheels, version=wheel_version(own), machine=MACHINE[args.arch],
                                       python=suites.get(args.suite).python, schema=schema_of_wheel(own), private_key=args.key)
        except bundle.UpdateError as exc:
            print(f"bundle.py: {exc}", file=sys.stderr)
            return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
