"""The signed release bundle: what an offline update is, and how a box
knows it may install one.

A shop has no internet, so an update is a file: `loket-<version>-<arch>.bundle`,
uploaded on the web UI's Update page or found on the USB stick labelled
LOKET-BACKUP (folder `loket-updates/`). It is a plain tar of

    manifest.json   version, machine, Python, schema, and every wheel's SHA-256
    manifest.sig    Ed25519 signature of manifest.json by the release key
    wheels/*.whl    Loket, every dependency for the target, and pip itself

The box carries only the public half of the release key
(`release_key`, /opt/loket/share/release-key.pub in the image). A checksum
alone would catch damage but not forgery; the signature covers the manifest
and the manifest covers every wheel.

This module makes bundles (for the release machine and image/bundle.py) and
checks them; installing and switching to one is appliance/box/update.py's.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import platform
import re
import sys
import tarfile
from pathlib import Path
from typing import Iterable

FORMAT = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
WHEEL_DIR = "wheels"
MAX_BUNDLE = 512 * 1024 * 1024   # a bundle is about 30 MB; anything near this is not one
MAX_MANIFEST = 256 * 1024

# Versions go into paths: digits and dots, an optional pre-release, nothing else.
VERSION_RE = re.compile(r"^(\d{1,5}(?:\.\d{1,5}){0,3})(?:(a|b|rc)(\d{1,5}))?$")
WHEEL_RE = re.compile(r"^[A-Za-z0-9_.+-]{1,200}\.whl$")


class UpdateError(Exception):
    """An update was refused or failed; the message is one line for the shop's staff."""


# -- versions ------------------------------------------------------------------------------

def version_key(version: str) -> tuple:
    """Sortable key: 0.10.0 > 0.9.3 > 0.9.3rc1."""
    found = VERSION_RE.match(version or "")
    if not found:
        raise UpdateError(f"{version!r} is not a release version")
    numbers = tuple(int(n) for n in found.group(1).split("."))
    numbers += (0,) * (4 - len(numbers))
    pre = (("a", "b", "rc").index(found.group(2)), int(found.group(3))) if found.group(2) else (3, 0)
    return numbers + pre


def running_version() -> str:
    from importlib import metadata
    try:
        return metadata.version("loket")
    except metadata.PackageNotFoundError:  # a source tree without install: still say something
        return "0+unknown"


# -- keys and signatures --------------------------------------------------------------------

def generate_key(private_path: Path) -> Path:
    """A new release key pair: PRIVATE (PEM, mode 0600) and PRIVATE.pub. The
    private half belongs on the release machine, never in the repository or
    on a box."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    key = Ed25519PrivateKey.generate()
    private_path = Path(private_path)
    private_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    public_path = private_path.with_name(private_path.name + ".pub")
    public_path.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                          serialization.PublicFormat.SubjectPublicKeyInfo))
    return public_path


def sign(data: bytes, private_path: Path) -> bytes:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    key = serialization.load_pem_private_key(Path(private_path).read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise UpdateError(f"{private_path} is not an Ed25519 private key")
    return key.sign(data)


def verify_signature(data: bytes, signature: bytes, public_path: Path) -> None:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    try:
        key = serialization.load_pem_public_key(Path(public_path).read_bytes())
    except FileNotFoundError:
        raise UpdateError(f"this box has no release key ({public_path}): it cannot check an update, "
                          "so it installs none") from None
    except ValueError:
        raise UpdateError(f"the release key {public_path} is damaged") from None
    if not isinstance(key, Ed25519PublicKey):
        raise UpdateError(f"the release key {public_path} is not an Ed25519 key")
    try:
        key.verify(signature, data)
    except InvalidSignature:
        raise UpdateError("the bundle's signature does not match this box's release key: "
                          "it is damaged or was not made by the Loket release process") from None


# -- the bundle ---------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Manifest:
    version: str
    machine: str          # platform.machine() of the target: x86_64, aarch64
    python: str           # "3.11"
    schema: int           # the schema version this release migrates to
    wheels: dict          # file name -> sha256 hex
    pip: str              # which of the wheels is pip (the installer on the box)

    def to_json(self) -> bytes:
        body = {"format": FORMAT, **dataclasses.asdict(self)}
        return (json.dumps(body, indent=1, sort_keys=True) + "\n").encode()

    @classmethod
    def from_json(cls, data: bytes) -> "Manifest":
        try:
            body = json.loads(data)
            if body.get("format") != FORMAT:
                raise UpdateError(f"the bundle has format {body.get('format')!r}; this Loket reads format {FORMAT}")
            manifest = cls(version=str(body["version"]), machine=str(body["machine"]), python=str(body["python"]),
                           schema=int(body["schema"]), wheels=dict(body["wheels"]), pip=str(body["pip"]))
        except UpdateError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError):
            raise UpdateError("the bundle's manifest is not readable") from None
        version_key(manifest.version)
        bad = [name for name, digest in manifest.wheels.items()
               if not WHEEL_RE.match(name) or not re.fullmatch(r"[0-9a-f]{64}", str(digest))]
        if bad or not manifest.wheels:
            raise UpdateError("the bundle's manifest lists no wheels or strange file names")
        if manifest.pip not in manifest.wheels:
            raise UpdateError("the bundle does not carry pip, which installs it")
        return manifest


def _sha256(file: io.BufferedIOBase) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: file.read(1 << 20), b""):
        digest.update(chunk)
    return digest.hexdigest()


def build_bundle(out_dir: Path, wheels: Iterable[Path], *, version: str, machine: str, python: str, schema: int,
                 private_key: Path, epoch: int | None = None) -> Path:
    """Write loket-<version>-<machine>.bundle (for the release machine and
    image/bundle.py). Reproducible: sorted members, one fixed time, no owners."""
    wheels = sorted(Path(w) for w in wheels)
    pip = [w.name for w in wheels if w.name.startswith("pip-")]
    if len(pip) != 1:
        raise UpdateError("a bundle needs exactly one pip wheel (the installer on the box)")
    digests = {}
    for wheel in wheels:
        with wheel.open("rb") as f:
            digests[wheel.name] = _sha256(f)
    manifest = Manifest(version=version, machine=machine, python=python, schema=schema, wheels=digests, pip=pip[0])
    data = manifest.to_json()
    Manifest.from_json(data)   # what the box will accept, checked before anyone flashes it
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", 0)) if epoch is None else epoch
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"loket-{version}-{machine}.bundle"
    tmp = path.with_name(path.name + ".partial")

    def member(name: str, size: int) -> tarfile.TarInfo:
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode, info.uname, info.gname = size, epoch, 0o644, "", ""
        return info

    with tarfile.open(tmp, "w", format=tarfile.PAX_FORMAT) as tar:
        tar.addfile(member(MANIFEST, len(data)), io.BytesIO(data))
        signature = sign(data, private_key)
        tar.addfile(member(SIGNATURE, len(signature)), io.BytesIO(signature))
        for wheel in wheels:
            with wheel.open("rb") as f:
                tar.addfile(member(f"{WHEEL_DIR}/{wheel.name}", wheel.stat().st_size), f)
    os.replace(tmp, path)
    return path


def read_bundle(path: Path, public_key: Path, *, machine: str | None = None, python: str | None = None) -> Manifest:
    """Check a bundle completely without installing anything: its shape, its
    signature, every wheel's hash, and that it is for this machine. Raises
    UpdateError with the first reason it cannot be installed."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UpdateError(f"cannot read {path.name}: {exc.strerror}") from None
    if size > MAX_BUNDLE:
        raise UpdateError(f"{path.name} is {size // 1048576} MB: far too big for a Loket update")
    try:
        with tarfile.open(path, "r:") as tar:
            members = _members(tar)
            manifest_member, signature_member = members.pop(MANIFEST, None), members.pop(SIGNATURE, None)
            if manifest_member is None or signature_member is None:
                raise UpdateError(f"{path.name} is not a Loket update: it has no signed manifest")
            if manifest_member.size > MAX_MANIFEST or signature_member.size > 1024:
                raise UpdateError(f"{path.name} is not a Loket update: its manifest is oversized")
            data = tar.extractfile(manifest_member).read()
            signature = tar.extractfile(signature_member).read()
            verify_signature(data, signature, public_key)
            manifest = Manifest.from_json(data)
            _check_target(manifest, machine or platform.machine(),
                          python or f"{sys.version_info.major}.{sys.version_info.minor}")
            listed = {f"{WHEEL_DIR}/{name}": digest for name, digest in manifest.wheels.items()}
            if set(members) != set(listed):
                raise UpdateError("the bundle's files do not match its manifest")
            for name, digest in sorted(listed.items()):
                if _sha256(tar.extractfile(members[name])) != digest:
                    raise UpdateError(f"{name.split('/')[-1]} in the bundle is damaged (its SHA-256 differs)")
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise UpdateError(f"{path.name} is not a Loket update bundle, or it is truncated "
                          f"({type(exc).__name__})") from None
    return manifest


def _members(tar: tarfile.TarFile) -> dict[str, tarfile.TarInfo]:
    """Only plain files with the expected names: no links, no folders outside, no duplicates."""
    found: dict[str, tarfile.TarInfo] = {}
    for info in tar.getmembers():
        name = info.name
        if info.isdir() and name == WHEEL_DIR:
            continue
        wheel = name.startswith(WHEEL_DIR + "/") and WHEEL_RE.match(name[len(WHEEL_DIR) + 1:])
        if not info.isreg() or name in found or not (name in (MANIFEST, SIGNATURE) or wheel):
            raise UpdateError(f"the bundle holds something that does not belong in one: {name[:80]!r}")
        found[name] = info
    return found


def _check_target(manifest: Manifest, machine: str, python: str) -> None:
    if manifest.machine != machine:
        raise UpdateError(f"this bundle is for {manifest.machine}; this box is {machine}")
    if manifest.python != python:
        raise UpdateError(f"this bundle is for Python {manifest.python}; this box has {python}")


def extract_wheels(path: Path, manifest: Manifest, dest: Path) -> list[Path]:
    """Write the bundle's wheels to dest, hashing them again as they are
    written: the file is checked as it is used, not only as it was read."""
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    with tarfile.open(path, "r:") as tar:
        for name, digest in sorted(manifest.wheels.items()):
            source = tar.extractfile(tar.getmember(f"{WHEEL_DIR}/{name}"))
            target = dest / name
            hasher = hashlib.sha256()
            with target.open("wb") as out:
                for chunk in iter(lambda: source.read(1 << 20), b""):
                    hasher.update(chunk)
                    out.write(chunk)
            if hasher.hexdigest() != digest:
                raise UpdateError(f"{name} changed while it was being installed")
            written.append(target)
    return written


def file_digest(path: Path) -> str | None:
    """A file's SHA-256, or None when it cannot be read (a bundle refused once is known by it)."""
    try:
        with Path(path).open("rb") as f:
            return _sha256(f)
    except OSError:
        return None
