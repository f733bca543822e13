"""A product's photo: one JPEG or PNG per product, stored as a file under
the data dir (<data_dir>/photos/<product id>.jpg|png). The file's existence
is the flag; the database holds nothing. No image library: the box's image
has none, so this reads the size from the header itself (PNG's IHDR, JPEG's
SOFn marker) and the browser does the resizing (webui/static/photo.js)."""

from __future__ import annotations

import os
import struct
import tempfile
from pathlib import Path

from .words import N_

MAX_BYTES = 1024 * 1024  # what the browser's resize makes is ~100 KB; this lets a small photo through as it is
MAX_SIDE = 1600  # pixels on the long side
KINDS = {"jpg": "image/jpeg", "png": "image/png"}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# JPEG's start-of-frame markers: SOF0..SOF15 but DHT (C4), JPG (C8) and DAC (CC).
SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


class PhotoError(ValueError):
    """A photo refused, with the reason as a catalog message."""


def kind_and_size(data: bytes) -> tuple[str, int, int]:
    """("jpg"|"png", width, height) from the file's own header; PhotoError for anything else."""
    if data.startswith(PNG_MAGIC):
        if len(data) >= 24 and data[12:16] == b"IHDR":
            width, height = struct.unpack(">II", data[16:24])
            return "png", width, height
    elif data.startswith(b"\xff\xd8"):
        size = _jpeg_size(data)
        if size:
            return ("jpg", *size)
    raise PhotoError(N_("That is not a photo: send a JPEG or PNG picture."))


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """Walk the JPEG's markers to the first start-of-frame; None when there is none."""
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # markers without a length
            at += 2
            continue
        length = struct.unpack(">H", data[at + 2:at + 4])[0]
        if marker in SOF:
            if at + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[at + 5:at + 9])
            return width, height
        if length < 2:
            return None
        at += 2 + length
    return None


def check(data: bytes) -> str:
    """The photo's kind ("jpg" or "png") when the box takes it; else PhotoError."""
    if len(data) > MAX_BYTES:
        raise PhotoError(N_("The photo is over 1 MB. Choose a smaller one."))
    kind, width, height = kind_and_size(data)
    if not width or not height:
        raise PhotoError(N_("That is not a photo: send a JPEG or PNG picture."))
    if max(width, height) > MAX_SIDE:
        raise PhotoError(N_("The photo is larger than 1600 pixels on a side. Choose a smaller one."))
    return kind


def folder(data_dir) -> Path:
    return Path(data_dir) / "photos"


def find(data_dir, product_id: int) -> Path | None:
    """The product's photo file, or None."""
    for kind in KINDS:
        path = folder(data_dir) / f"{int(product_id)}.{kind}"
        if path.is_file():
            return path
    return None


def store(data_dir, product_id: int, data: bytes) -> Path:
    """Check and keep the photo, replacing any other; written to a temp file
    and renamed, so a power cut leaves the old photo or the new, never half."""
    kind = check(data)
    where = folder(data_dir)
    where.mkdir(parents=True, exist_ok=True)
    target = where / f"{int(product_id)}.{kind}"
    fd, tmp = tempfile.mkstemp(dir=where, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    for other in KINDS:  # a PNG replacing a JPEG: the JPEG goes
        if other != kind:
            (where / f"{int(product_id)}.{other}").unlink(missing_ok=True)
    return target


def remove(data_dir, product_id: int) -> bool:
    """Delete the product's photo; whether there was one."""
    gone = False
    for kind in KINDS:
        path = folder(data_dir) / f"{int(product_id)}.{kind}"
        if path.is_file():
            path.unlink()
            gone = True
    return gone
