"""The GSM 03.38 (3GPP TS 23.038) default alphabet, and septet packing.

Text is mapped to septets (7-bit code points). Characters of the extension
table (€ [ ] { } ~ ^ \\ | and form feed) take two septets: ESC (0x1B) then
their code. Septets are packed little-endian into octets, optionally after
`fill_bits` padding bits (used when a user data header precedes the text so
the text starts on a septet boundary).

Pure functions, standard library only.
"""

from __future__ import annotations

ESCAPE = 0x1B

# Index = septet value. The ESC slot is a placeholder: it never decodes to a
# character by itself.
DEFAULT_ALPHABET = (
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
assert len(DEFAULT_ALPHABET) == 128

EXTENSION = {
    0x0A: "\f",
    0x14: "^",
    0x28: "{",
    0x29: "}",
    0x2F: "\\",
    0x3C: "[",
    0x3D: "~",
    0x3E: "]",
    0x40: "|",
    0x65: "€",
}

_BASIC = {ch: code for code, ch in enumerate(DEFAULT_ALPHABET) if code != ESCAPE}
_EXTENDED = {ch: code for code, ch in EXTENSION.items()}


def is_gsm7(text: str) -> bool:
    """True when every character of `text` exists in GSM-7 (incl. extension)."""
    return first_non_gsm7(text) is None


def first_non_gsm7(text: str) -> str | None:
    """The first character that GSM-7 cannot carry, or None."""
    for ch in text:
        if ch not in _BASIC and ch not in _EXTENDED:
            return ch
    return None


def char_septets(ch: str) -> int:
    """Septets one character takes: 1, 2 for the extension table."""
    if ch in _BASIC:
        return 1
    if ch in _EXTENDED:
        return 2
    raise ValueError(f"character {ch!r} (U+{ord(ch):04X}) is not in the GSM 7-bit alphabet")


def septet_length(text: str) -> int:
    """Septets `text` takes; extension characters count 2. ValueError if not GSM-7."""
    return sum(char_septets(ch) for ch in text)


def encode_septets(text: str) -> list[int]:
    """Map text to septet values. ValueError names the first non-GSM character."""
    septets: list[int] = []
    for ch in text:
        code = _BASIC.get(ch)
        if code is not None:
            septets.append(code)
            continue
        code = _EXTENDED.get(ch)
        if code is None:
            raise ValueError(
                f"character {ch!r} (U+{ord(ch):04X}) is not in the GSM 7-bit alphabet"
            )
        septets += (ESCAPE, code)
    return septets


def decode_septets(septets) -> str:
    """Map septet values back to text.

    An escape followed by a code outside the extension table shows the
    default-table character for that code, as TS 23.038 asks a receiver to
    do; a trailing lone escape is dropped (it can only be padding).
    """
    out: list[str] = []
    escaped = False
    for value in septets:
        value &= 0x7F
        if escaped:
            out.append(EXTENSION.get(value, DEFAULT_ALPHABET[value] if value != ESCAPE else " "))
            escaped = False
        elif value == ESCAPE:
            escaped = True
        else:
            out.append(DEFAULT_ALPHABET[value])
    return "".join(out)


def pack_septets(septets, fill_bits: int = 0) -> bytes:
    """Pack septets LSB-first into octets, after `fill_bits` zero bits (0..6)."""
    if not 0 <= fill_bits <= 6:
        raise ValueError(f"fill_bits must be 0..6, not {fill_bits}")
    acc = 0
    nbits = fill_bits
    out = bytearray()
    for value in septets:
        if not 0 <= value <= 0x7F:
            raise ValueError(f"septet value out of range: {value}")
        acc |= value << nbits
        nbits += 7
        while nbits >= 8:
            out.append(acc & 0xFF)
            acc >>= 8
            nbits -= 8
    if nbits:
        out.append(acc & 0xFF)
    return bytes(out)


def unpack_septets(data: bytes, count: int, fill_bits: int = 0) -> list[int]:
    """Read `count` septets from packed `data`, skipping `fill_bits` first.

    ValueError when `data` holds fewer than `count` septets.
    """
    if not 0 <= fill_bits <= 6:
        raise ValueError(f"fill_bits must be 0..6, not {fill_bits}")
    needed_bits = fill_bits + 7 * count
    if needed_bits > 8 * len(data):
        raise ValueError(
            f"{count} septets need {(needed_bits + 7) // 8} octets, only {len(data)} present"
        )
    value = int.from_bytes(data, "little") >> fill_bits
    return [(value >> (7 * i)) & 0x7F for i in range(count)]
