"""SMS PDU codec (3GPP TS 23.040 / 23.038): decode, encode, split, reassemble.

What a modem stores and what AT+CMGS wants in PDU mode (AT+CMGF=0) is the
TPDU in hex, preceded by the SMSC address field. This module reads the three
TPDU types a phone handles (SMS-DELIVER, SMS-SUBMIT, SMS-STATUS-REPORT) and
writes them, with concatenation (UDH) for long texts.

Every malformed input raises `PDUError` with a one-line message; nothing here
lets an IndexError or a UnicodeError escape. Pure functions, standard library
only (the one impurity: `encode_deliver` and `encode_status_report` stamp
"now" when no time is given).
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass

from . import gsm7

# Septets / UCS-2 code units one PDU carries, alone or as a concatenated part
# (the concatenation UDH takes 6 octets, or 7 with a 16-bit reference).
GSM7_SINGLE, GSM7_PART, GSM7_PART_16 = 160, 153, 152
UCS2_SINGLE, UCS2_PART, UCS2_PART_16 = 70, 67, 66
MAX_PARTS = 255
MAX_USER_DATA = 140  # octets

TYPE_DELIVER, TYPE_SUBMIT, TYPE_STATUS_REPORT = "deliver", "submit", "status-report"
_MTI = {0: TYPE_DELIVER, 1: TYPE_SUBMIT, 2: TYPE_STATUS_REPORT}

# First-octet flags.
_UDHI = 0x40
_SRR = 0x20  # status report requested (SUBMIT) / indication (DELIVER)
_VPF_SHIFT = 3
_VPF_NONE, _VPF_ENHANCED, _VPF_RELATIVE, _VPF_ABSOLUTE = 0, 1, 2, 3

# Information element identifiers of the concatenation UDH.
_IEI_CONCAT_8, _IEI_CONCAT_16 = 0x00, 0x08

_TON_INTERNATIONAL, _TON_ALPHANUMERIC = 1, 5
# BCD nibbles above 9 in an address (TS 23.040 9.1.2.3).
_BCD_EXTRA = {0xA: "*", 0xB: "#", 0xC: "a", 0xD: "b", 0xE: "c"}
_DIGIT_NIBBLES = {**{str(d): d for d in range(10)}, "*": 0xA, "#": 0xB}


class PDUError(ValueError):
    """The PDU (or the message to encode) is malformed or cannot be expressed."""


@dataclass(frozen=True)
class Concat:
    """Concatenation info of one part: reference, part count, part number."""

    ref: int
    total: int
    seq: int
    bits: int  # 8 or 16: the width of the reference

    def to_json(self) -> dict:
        return {"ref": self.ref, "total": self.total, "seq": self.seq, "bits": self.bits}


@dataclass(frozen=True)
class Decoded:
    """One decoded PDU.

    `user_data` is what reassembly joins: for UCS-2 the UTF-16-BE octets after
    the UDH, for 8-bit the octets, for GSM-7 the unpacked septets (one per
    byte; packed octets depend on the UDH's fill bits). For 8-bit data `text`
    is the data in upper-case hex, as python-gammu shows it.
    `validity` (SUBMIT only): a timedelta (relative), an aware datetime
    (absolute), the 7 raw octets (enhanced) or None.
    """

    type: str
    number: str
    smsc: str
    text: str
    coding: str
    user_data: bytes
    udh: bytes | None = None
    concat: Concat | None = None
    timestamp: dt.datetime | None = None
    discharge_time: dt.datetime | None = None
    status: int | None = None
    message_ref: int | None = None
    message_class: int | None = None
    status_report_requested: bool = False
    validity: dt.timedelta | dt.datetime | bytes | None = None
    protocol_id: int = 0
    dcs: int = 0

    def to_json(self) -> dict:
        def iso(value):
            return value.isoformat() if value is not None else None

        if isinstance(self.validity, dt.timedelta):
            validity = int(self.validity.total_seconds())
        elif isinstance(self.validity, dt.datetime):
            validity = self.validity.isoformat()
        elif isinstance(self.validity, bytes):
            validity = self.validity.hex().upper()
        else:
            validity = None
        return {
            "type": self.type,
            "number": self.number,
            "smsc": self.smsc,
            "text": self.text,
            "coding": self.coding,
            "udh": self.udh.hex().upper() if self.udh is not None else None,
            "concat": self.concat.to_json() if self.concat else None,
            "timestamp": iso(self.timestamp),
            "discharge_time": iso(self.discharge_time),
            "status": self.status,
            "message_ref": self.message_ref,
            "class": self.message_class,
            "status_report_requested": self.status_report_requested,
            "validity": validity,
        }


def status_category(status: int) -> str:
    """'delivered', 'pending' or 'failed' for a TP-ST value (TS 23.040 9.2.3.15)."""
    if status < 0x20:
        return "delivered"  # transaction completed
    if status < 0x40:
        return "pending"  # temporary error, the SC is still trying
    return "failed"  # permanent error, or temporary and the SC gave up


# --------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------


class _Reader:
    """A cursor over the PDU octets whose every read is bounds-checked."""

    def __init__(self, data: bytes):
        self.data = data
        self.pos = 0

    def remaining(self) -> int:
        return len(self.data) - self.pos

    def take(self, count: int, what: str) -> bytes:
        if count > self.remaining():
            raise PDUError(
                f"PDU truncated: {what} needs {count} octet(s) at offset {self.pos}, "
                f"only {self.remaining()} left"
            )
        chunk = self.data[self.pos : self.pos + count]
        self.pos += count
        return chunk

    def octet(self, what: str) -> int:
        return self.take(1, what)[0]


def _from_hex(pdu_hex: str) -> bytes:
    if not isinstance(pdu_hex, str):
        raise PDUError(f"PDU must be a hex string, not {type(pdu_hex).__name__}")
    text = pdu_hex.strip()
    if not text:
        raise PDUError("empty PDU")
    for index, ch in enumerate(text):
        if ch not in "0123456789abcdefABCDEF":
            raise PDUError(f"PDU is not hexadecimal: {ch!r} at position {index}")
    if len(text) % 2:
        raise PDUError(f"PDU hex has an odd number of digits ({len(text)})")
    return bytes.fromhex(text)


def _decode_bcd_digits(data: bytes, digits: int, what: str) -> str:
    out = []
    for index in range(digits):
        nibble = (data[index // 2] >> (4 * (index % 2))) & 0x0F
        if nibble == 0x0F:
            if index == digits - 1:
                break  # filler of an odd-length number
            raise PDUError(f"{what} has a filler nibble (F) inside the number")
        out.append(str(nibble) if nibble < 10 else _BCD_EXTRA[nibble])
    return "".join(out)


def _format_number(toa: int, body: str) -> str:
    ton = (toa >> 4) & 0x07
    if ton == _TON_INTERNATIONAL and body and not body.startswith("+"):
        return "+" + body
    return body


def _read_smsc(reader: _Reader) -> str:
    length = reader.octet("SMSC length")
    if length == 0:
        return ""
    field_ = reader.take(length, "SMSC address")
    toa, digits = field_[0], field_[1:]
    if (toa >> 4) & 0x07 == _TON_ALPHANUMERIC:
        count = len(digits) * 8 // 7
        return gsm7.decode_septets(gsm7.unpack_septets(digits, count))
    return _format_number(toa, _decode_bcd_digits(digits, 2 * len(digits), "SMSC address"))


def _read_address(reader: _Reader, what: str) -> str:
    digits = reader.octet(f"{what} length")
    if digits > 20:
        raise PDUError(f"{what} claims {digits} digits; at most 20 are allowed")
    toa = reader.octet(f"{what} type")
    data = reader.take((digits + 1) // 2, what)
    if (toa >> 4) & 0x07 == _TON_ALPHANUMERIC:
        # The length counts semi-octets; the name is in packed GSM-7.
        septets = gsm7.unpack_septets(data, digits * 4 // 7)
        return gsm7.decode_septets(septets)
    return _format_number(toa, _decode_bcd_digits(data, digits, what))


def _swapped_bcd(octet: int, what: str) -> int:
    low, high = octet & 0x0F, octet >> 4
    if low > 9 or high > 9:
        raise PDUError(f"{what} has a non-decimal digit (octet {octet:02X})")
    return low * 10 + high


def _read_timestamp(reader: _Reader, what: str) -> dt.datetime:
    raw = reader.take(7, what)
    year, month, day, hour, minute, second = (_swapped_bcd(b, what) for b in raw[:6])
    tz_octet = raw[6]
    # The zone is in quarter hours; bit 3 of the first (low) semi-octet is the sign.
    quarters = _swapped_bcd(tz_octet & 0xF7, what)
    if tz_octet & 0x08:
        quarters = -quarters
    try:
        zone = dt.timezone(dt.timedelta(minutes=15 * quarters))
        # Two-digit years: 90..99 are 1990s (GSM predates 2000), the rest 20xx.
        full_year = 1900 + year if year >= 90 else 2000 + year
        return dt.datetime(full_year, month, day, hour, minute, second, tzinfo=zone)
    except ValueError as exc:
        raise PDUError(f"{what} is not a valid date/time: {exc}") from None


def _dcs_coding(dcs: int) -> tuple[str, int | None]:
    """(coding, message class) for a TP-DCS octet (TS 23.038 section 4)."""
    group = dcs >> 4
    if group <= 0x7:  # general data coding, possibly "marked for deletion"
        if dcs & 0x20:
            raise PDUError(f"compressed user data (DCS {dcs:02X}) is not supported")
        message_class = dcs & 0x03 if dcs & 0x10 else None
        alphabet = (dcs >> 2) & 0x03
        # Alphabet 3 is reserved: keep the octets rather than guess a text.
        coding = {0: "gsm7", 1: "8bit", 2: "ucs2"}.get(alphabet, "8bit")
        return coding, message_class
    if group in (0xC, 0xD):  # message waiting indication, GSM-7
        return "gsm7", None
    if group == 0xE:  # message waiting indication, UCS-2
        return "ucs2", None
    if group == 0xF:
        # Bit 2 picks the alphabet; bit 3 is reserved and ignored (python-gammu
        # instead calls the data 8-bit when bit 3 is set).
        return ("8bit" if dcs & 0x04 else "gsm7"), dcs & 0x03
    # Groups 8..B are reserved: keep the octets, claim no text.
    return "8bit", None


def _parse_udh(udh: bytes) -> Concat | None:
    """Walk the information elements of a UDH (length octet excluded)."""
    concat = None
    pos = 0
    while pos < len(udh):
        if pos + 2 > len(udh):
            raise PDUError("UDH ends in the middle of an information element header")
        iei, length = udh[pos], udh[pos + 1]
        body = udh[pos + 2 : pos + 2 + length]
        if len(body) != length:
            raise PDUError(
                f"UDH element {iei:02X} claims {length} octet(s) but only {len(body)} remain"
            )
        pos += 2 + length
        if iei in (_IEI_CONCAT_8, _IEI_CONCAT_16):
            concat = _parse_concat(iei, body) or concat
    return concat


def _parse_concat(iei: int, body: bytes) -> Concat | None:
    expected = 3 if iei == _IEI_CONCAT_8 else 4
    if len(body) != expected:
        raise PDUError(f"concatenation element {iei:02X} must be {expected} octets, not {len(body)}")
    if iei == _IEI_CONCAT_8:
        ref, total, seq, bits = body[0], body[1], body[2], 8
    else:
        ref, total, seq, bits = int.from_bytes(body[:2], "big"), body[2], body[3], 16
    if total == 0 or seq == 0:
        return None  # TS 23.040 9.2.3.24.1: a zero here means "ignore this element"
    if seq > total:
        raise PDUError(f"concatenated part number {seq} is larger than the part count {total}")
    return Concat(ref=ref, total=total, seq=seq, bits=bits)


def _ucs2_text(data: bytes) -> str:
    """UTF-16-BE to str; a lone surrogate or odd trailing octet becomes U+FFFD.

    A part may end with half of a surrogate pair (or half a code unit) when
    the sender split there; `reassemble` joins the octets first to recover it.
    """
    return data.decode("utf-16-be", errors="replace")


def _read_user_data(reader: _Reader, first_octet: int, coding: str):
    """(udh or None, concat, user_data, text) from TP-UDL and TP-UD."""
    udl = reader.octet("user data length")
    has_udh = bool(first_octet & _UDHI)
    if coding == "gsm7":
        if udl > GSM7_SINGLE:
            raise PDUError(f"GSM-7 user data length {udl} exceeds 160 septets")
        octets = (udl * 7 + 7) // 8
    else:
        if udl > MAX_USER_DATA:
            raise PDUError(f"user data length {udl} exceeds 140 octets")
        octets = udl
    # Octets after the user data are ignored: some modems pad what they store.
    data = reader.take(octets, "user data")

    udh = None
    concat = None
    header_octets = 0
    if has_udh:
        if not data:
            raise PDUError("UDH indicator set but the user data is empty")
        header_octets = data[0] + 1
        if header_octets > len(data):
            raise PDUError(
                f"UDH claims {data[0]} octet(s) but the user data holds only {len(data) - 1}"
            )
        udh = data[:header_octets]
        concat = _parse_udh(udh[1:])

    if coding == "gsm7":
        header_septets = (header_octets * 8 + 6) // 7
        if header_septets > udl:
            raise PDUError(f"UDH of {header_octets} octet(s) does not fit in {udl} septets")
        fill_bits = header_septets * 7 - header_octets * 8
        septets = gsm7.unpack_septets(data[header_octets:], udl - header_septets, fill_bits)
        return udh, concat, bytes(septets), gsm7.decode_septets(septets)
    payload = data[header_octets:]
    text = _ucs2_text(payload) if coding == "ucs2" else payload.hex().upper()
    return udh, concat, payload, text


def _read_validity(reader: _Reader, vpf: int):
    if vpf == _VPF_NONE:
        return None
    if vpf == _VPF_RELATIVE:
        return _relative_validity(reader.octet("validity period"))
    if vpf == _VPF_ABSOLUTE:
        return _read_timestamp(reader, "validity period")
    return reader.take(7, "enhanced validity period")


def decode(pdu_hex: str, *, with_smsc: bool = True) -> Decoded:
    """Decode one PDU as a modem stores it (SMSC field first unless told not)."""
    reader = _Reader(_from_hex(pdu_hex))
    smsc = _read_smsc(reader) if with_smsc else ""
    first = reader.octet("first octet")
    kind = _MTI.get(first & 0x03)
    if kind is None:
        raise PDUError(f"reserved message type indicator 3 (first octet {first:02X})")

    if kind == TYPE_STATUS_REPORT:
        message_ref = reader.octet("message reference")
        number = _read_address(reader, "recipient address")
        timestamp = _read_timestamp(reader, "service centre time stamp")
        discharge = _read_timestamp(reader, "discharge time")
        status = reader.octet("status")
        # Optional parameters (PID, DCS, user data) may follow; they carry
        # nothing Loket uses and many SMSCs pad them with junk, so they are
        # not read.
        return Decoded(
            type=kind, number=number, smsc=smsc, text="", coding="gsm7", user_data=b"",
            timestamp=timestamp, discharge_time=discharge, status=status,
            message_ref=message_ref, status_report_requested=bool(first & _SRR),
        )

    message_ref = validity = timestamp = None
    if kind == TYPE_SUBMIT:
        message_ref = reader.octet("message reference")
        number = _read_address(reader, "destination address")
    else:
        number = _read_address(reader, "originating address")
    protocol_id = reader.octet("protocol identifier")
    dcs = reader.octet("data coding scheme")
    coding, message_class = _dcs_coding(dcs)
    if kind == TYPE_SUBMIT:
        validity = _read_validity(reader, (first >> _VPF_SHIFT) & 0x03)
    else:
        timestamp = _read_timestamp(reader, "service centre time stamp")
    udh, concat, user_data, text = _read_user_data(reader, first, coding)
    return Decoded(
        type=kind, number=number, smsc=smsc, text=text, coding=coding,
        user_data=user_data, udh=udh, concat=concat, timestamp=timestamp,
        message_ref=message_ref, message_class=message_class,
        status_report_requested=bool(first & _SRR), validity=validity,
        protocol_id=protocol_id, dcs=dcs,
    )


def tpdu_length(pdu_hex: str, with_smsc: bool = True) -> int:
    """Octets after the SMSC field: the length AT+CMGS asks for."""
    data = _from_hex(pdu_hex)
    if not with_smsc:
        return len(data)
    smsc_octets = 1 + data[0]
    if smsc_octets > len(data):
        raise PDUError(f"SMSC field claims {data[0]} octet(s) but the PDU is shorter")
    return len(data) - smsc_octets


# --------------------------------------------------------------------------
# Validity period
# --------------------------------------------------------------------------


def _relative_validity(octet: int) -> dt.timedelta:
    """TS 23.040 9.2.3.12.1."""
    if octet <= 143:
        return dt.timedelta(minutes=(octet + 1) * 5)
    if octet <= 167:
        return dt.timedelta(hours=12, minutes=(octet - 143) * 30)
    if octet <= 196:
        return dt.timedelta(days=octet - 166)
    return dt.timedelta(weeks=octet - 192)


def relative_validity_octet(minutes: int) -> int:
    """The smallest relative TP-VP covering `minutes` (capped at 63 weeks)."""
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 0:
        raise PDUError(f"validity must be a non-negative number of minutes, not {minutes!r}")
    if minutes >= _relative_validity(255).total_seconds() // 60:
        return 255  # (before any timedelta: 10**23 minutes overflows one)
    for octet in range(256):
        if _relative_validity(octet) >= dt.timedelta(minutes=minutes):
            return octet
    return 255


# --------------------------------------------------------------------------
# Encoding
# --------------------------------------------------------------------------


def _clean_number(number: str, what: str) -> str:
    if not isinstance(number, str):
        raise PDUError(f"{what} must be a string, not {type(number).__name__}")
    cleaned = number.strip()
    if not cleaned or cleaned == "+":
        raise PDUError(f"{what} is empty")
    return cleaned


def _encode_number(number: str, what: str) -> tuple[int, int, bytes]:
    """(digit count, type of address, BCD octets) of a phone number."""
    number = _clean_number(number, what)
    international = number.startswith("+")
    digits = number[1:] if international else number
    for ch in digits:
        if ch not in _DIGIT_NIBBLES:
            raise PDUError(f"{what} {number!r} contains {ch!r}; only digits, * and # are allowed")
    if len(digits) > 20:
        raise PDUError(f"{what} {number!r} is longer than 20 digits")
    nibbles = [_DIGIT_NIBBLES[ch] for ch in digits]
    if len(nibbles) % 2:
        nibbles.append(0x0F)
    octets = bytes(nibbles[i] | nibbles[i + 1] << 4 for i in range(0, len(nibbles), 2))
    return len(digits), (0x91 if international else 0x81), octets


def _encode_address(number: str, what: str, *, allow_alphanumeric: bool = False) -> bytes:
    """TP-OA / TP-DA: digit count, type of address, digits."""
    cleaned = _clean_number(number, what)
    body = cleaned[1:] if cleaned.startswith("+") else cleaned
    if allow_alphanumeric and not all(ch in _DIGIT_NIBBLES for ch in body):
        if not gsm7.is_gsm7(cleaned) or gsm7.septet_length(cleaned) > 11:
            raise PDUError(f"{what} {cleaned!r} is not a number nor an 11-character GSM-7 name")
        packed = gsm7.pack_septets(gsm7.encode_septets(cleaned))
        semi_octets = (gsm7.septet_length(cleaned) * 7 + 3) // 4
        return bytes([semi_octets, 0xD0]) + packed
    count, toa, octets = _encode_number(cleaned, what)
    return bytes([count, toa]) + octets


def _encode_smsc(smsc: str | None) -> bytes:
    if not smsc:
        return b"\x00"
    _, toa, octets = _encode_number(smsc, "SMSC number")
    return bytes([1 + len(octets), toa]) + octets


def _encode_timestamp(when: dt.datetime | None, what: str) -> bytes:
    if when is None:
        when = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    if not isinstance(when, dt.datetime):
        raise PDUError(f"{what} must be a datetime, not {type(when).__name__}")
    offset = when.utcoffset() or dt.timedelta(0)  # a naive time is taken as UTC
    quarters, rest = divmod(int(offset.total_seconds()), 15 * 60)
    if rest:
        raise PDUError(f"{what} zone {offset} is not a whole number of quarter hours")

    def swapped(value: int) -> int:
        return (value % 10) << 4 | (value // 10)

    zone = swapped(abs(quarters)) | (0x08 if quarters < 0 else 0)
    fields = (when.year % 100, when.month, when.day, when.hour, when.minute, when.second)
    return bytes(swapped(v) for v in fields) + bytes([zone])


def _check_range(value, low: int, high: int, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise PDUError(f"{what} must be an integer {low}..{high}, not {value!r}")


def _dcs_for(coding: str, message_class: int | None) -> int:
    dcs = 0x08 if coding == "ucs2" else 0x00
    if message_class is not None:
        _check_range(message_class, 0, 3, "message class")
        dcs |= 0x10 | message_class
    return dcs


@dataclass(frozen=True)
class _Chunk:
    """The user data of one part before the UDH is added."""

    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    payload: list[int] | bytes  # septet values, or UTF-16-BE octets


def _gsm7_chunks(text: str, limit: int) -> list[_Chunk]:
    """Split on character boundaries so an escape sequence stays whole."""
    chunks: list[_Chunk] = []
    current: list[int] = []
    for ch in text:
        septets = gsm7.encode_septets(ch)
        if current and len(current) + len(septets) > limit:
            chunks.append(_Chunk(len(current), current))
            current = []
        current += septets
    chunks.append(_Chunk(len(current), current))
    return chunks


def _ucs2_chunks(text: str, limit: int) -> list[_Chunk]:
    """Split on code point boundaries so a surrogate pair stays whole."""
    chunks: list[_Chunk] = []
    current = bytearray()
    for ch in text:
        encoded = ch.encode("utf-16-be", errors="surrogatepass")
        if current and (len(current) + len(encoded)) // 2 > limit:
            chunks.append(_Chunk(len(current) // 2, bytes(current)))
            current = bytearray()
        current += encoded
    chunks.append(_Chunk(len(current) // 2, bytes(current)))
    return chunks


def _split(text: str, coding: str, concat_16bit: bool) -> list[_Chunk]:
    if coding == "gsm7":
        single, part = GSM7_SINGLE, (GSM7_PART_16 if concat_16bit else GSM7_PART)
        chunker = _gsm7_chunks
    else:
        single, part = UCS2_SINGLE, (UCS2_PART_16 if concat_16bit else UCS2_PART)
        chunker = _ucs2_chunks
    chunks = chunker(text, single)
    return chunks if len(chunks) == 1 else chunker(text, part)


def _choose_coding(text: str, force_ucs2: bool) -> str:
    if not isinstance(text, str):
        raise PDUError(f"text must be a string, not {type(text).__name__}")
    return "ucs2" if force_ucs2 or not gsm7.is_gsm7(text) else "gsm7"


def _concat_udh(ref: int, total: int, seq: int, sixteen: bool) -> bytes:
    if sixteen:
        return bytes([6, _IEI_CONCAT_16, 4, ref >> 8, ref & 0xFF, total, seq])
    return bytes([5, _IEI_CONCAT_8, 3, ref, total, seq])


def _user_data(chunk: _Chunk, coding: str, udh: bytes | None) -> bytes:
    """TP-UDL followed by TP-UD."""
    header = udh or b""
    if coding == "gsm7":
        header_septets = (len(header) * 8 + 6) // 7
        fill_bits = header_septets * 7 - len(header) * 8
        body = gsm7.pack_septets(chunk.payload, fill_bits)
        return bytes([header_septets + chunk.units]) + header + body
    return bytes([len(header) + len(chunk.payload)]) + header + chunk.payload


def _default_concat_ref(number: str, text: str, sixteen: bool) -> int:
    # Deterministic, yet different for different messages.
    crc = zlib.crc32(f"{number}\x00{text}".encode("utf-8", "surrogatepass"))
    return crc & (0xFFFF if sixteen else 0xFF)


def _parts(number: str, text: str, *, concat_ref, concat_16bit, force_ucs2, max_parts):
    """(coding, [(udh or None, chunk)]) for a text, split when needed."""
    coding = _choose_coding(text, force_ucs2)
    chunks = _split(text, coding, concat_16bit)
    limit = min(max_parts, MAX_PARTS)
    if len(chunks) > limit:
        raise PDUError(
            f"text needs {len(chunks)} SMS parts; at most {limit} "
            f"{'is' if limit == 1 else 'are'} allowed"
        )
    if len(chunks) == 1:
        return coding, [(None, chunks[0])]
    if concat_ref is None:
        concat_ref = _default_concat_ref(number, text, concat_16bit)
    _check_range(concat_ref, 0, 0xFFFF if concat_16bit else 0xFF, "concatenation reference")
    total = len(chunks)
    return coding, [
        (_concat_udh(concat_ref, total, seq, concat_16bit), chunk)
        for seq, chunk in enumerate(chunks, start=1)
    ]


def encode_submit(
    number: str,
    text: str,
    *,
    smsc: str | None = None,
    validity_minutes: int | None = None,
    status_report: bool = False,
    message_class: int | None = None,
    message_ref: int = 0,
    concat_ref: int | None = None,
    concat_16bit: bool = False,
    force_ucs2: bool = False,
    max_parts: int = MAX_PARTS,
) -> list[str]:
    """SMS-SUBMIT PDUs (upper-case hex, SMSC field first), one per part.

    `validity_minutes` None leaves the validity to the SMSC (no TP-VP);
    `max_parts` lets a caller refuse a text that would be split further.
    """
    destination = _encode_address(number, "destination number")
    _check_range(message_ref, 0, 255, "message reference")
    first = 0x01
    validity = b""
    if validity_minutes is not None:
        first |= _VPF_RELATIVE << _VPF_SHIFT
        validity = bytes([relative_validity_octet(validity_minutes)])
    if status_report:
        first |= _SRR
    smsc_field = _encode_smsc(smsc)
    coding, parts = _parts(
        number, text, concat_ref=concat_ref, concat_16bit=concat_16bit,
        force_ucs2=force_ucs2, max_parts=max_parts,
    )
    dcs = _dcs_for(coding, message_class)
    pdus = []
    for udh, chunk in parts:
        tpdu = (
            bytes([first | (_UDHI if udh else 0), message_ref])
            + destination
            + bytes([0x00, dcs])
            + validity
            + _user_data(chunk, coding, udh)
        )
        pdus.append((smsc_field + tpdu).hex().upper())
    return pdus


def encode_deliver(
    sender: str,
    text: str,
    *,
    smsc: str = "",
    timestamp: dt.datetime | None = None,
    concat_ref: int | None = None,
    concat_16bit: bool = False,
    force_ucs2: bool = False,
    message_class: int | None = None,
    status_report_indication: bool = False,
    max_parts: int = MAX_PARTS,
) -> list[str]:
    """SMS-DELIVER PDUs, as a modem stores inbound texts (for the simulator).

    `sender` may be a number or an alphanumeric name of up to 11 GSM-7
    characters. A missing `timestamp` is "now" in UTC.
    """
    origin = _encode_address(sender, "sender", allow_alphanumeric=True)
    first = 0x00 | (_SRR if status_report_indication else 0)
    smsc_field = _encode_smsc(smsc)
    stamp = _encode_timestamp(timestamp, "timestamp")
    coding, parts = _parts(
        sender, text, concat_ref=concat_ref, concat_16bit=concat_16bit,
        force_ucs2=force_ucs2, max_parts=max_parts,
    )
    dcs = _dcs_for(coding, message_class)
    pdus = []
    for udh, chunk in parts:
        tpdu = (
            bytes([first | (_UDHI if udh else 0)])
            + origin
            + bytes([0x00, dcs])
            + stamp
            + _user_data(chunk, coding, udh)
        )
        pdus.append((smsc_field + tpdu).hex().upper())
    return pdus


def encode_status_report(
    recipient: str,
    message_ref: int,
    status: int = 0,
    *,
    smsc: str = "",
    timestamp: dt.datetime | None = None,
    discharge_time: dt.datetime | None = None,
) -> str:
    """One SMS-STATUS-REPORT PDU. Missing times are "now" (discharge = timestamp)."""
    _check_range(message_ref, 0, 255, "message reference")
    _check_range(status, 0, 255, "status")
    if timestamp is None:
        timestamp = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    tpdu = (
        bytes([0x02, message_ref])
        + _encode_address(recipient, "recipient number")
        + _encode_timestamp(timestamp, "timestamp")
        + _encode_timestamp(discharge_time or timestamp, "discharge time")
        + bytes([status])
    )
    return (_encode_smsc(smsc) + tpdu).hex().upper()


# --------------------------------------------------------------------------
# Planning (the live counter) and reassembly
# --------------------------------------------------------------------------


@dataclass
class Plan:
    """How a text will be sent: what the UI shows under the text box."""

    encoding: str  # 'gsm7' | 'ucs2'
    parts: int
    chars: int  # characters (code points) typed
    units_used: int  # septets (escapes count 2) or UTF-16 code units
    per_part: int  # capacity of one part at this size (160/153 or 70/67)
    remaining_in_part: int  # units still free in the last part
    offending: str | None = None  # the first character that forced UCS-2


def plan(text: str, *, concat_16bit: bool = False) -> Plan:
    """Encoding and part count `encode_submit` will use for `text`."""
    coding = _choose_coding(text, False)
    chunks = _split(text, coding, concat_16bit)
    if len(chunks) == 1:
        per_part = GSM7_SINGLE if coding == "gsm7" else UCS2_SINGLE
    elif coding == "gsm7":
        per_part = GSM7_PART_16 if concat_16bit else GSM7_PART
    else:
        per_part = UCS2_PART_16 if concat_16bit else UCS2_PART
    return Plan(
        encoding=coding,
        parts=len(chunks),
        chars=len(text),
        units_used=sum(chunk.units for chunk in chunks),
        per_part=per_part,
        remaining_in_part=per_part - chunks[-1].units,
        offending=gsm7.first_non_gsm7(text),
    )


def reassemble(parts: list[Decoded]) -> str:
    """The text of a (possibly incomplete) concatenated message.

    Parts are ordered by their part number. Consecutive parts of one coding
    are joined as raw data before decoding: UCS-2 octets, so a character
    whose surrogate pair (or even a code unit) was split across two parts
    survives, and GSM-7 septets, so an escape sequence split the same way
    survives too. A missing part breaks the run: its neighbours are decoded
    separately. 8-bit parts contribute their (hex) text.
    """
    ordered = sorted(parts, key=lambda p: p.concat.seq if p.concat else 0)
    pieces: list[str] = []
    run = bytearray()
    run_coding = None
    previous_seq = None

    def flush() -> None:
        if run_coding == "ucs2":
            pieces.append(_ucs2_text(bytes(run)))
        elif run_coding == "gsm7":
            pieces.append(gsm7.decode_septets(run))
        run.clear()

    for part in ordered:
        seq = part.concat.seq if part.concat else None
        contiguous = previous_seq is not None and seq == previous_seq + 1
        if not (part.coding == run_coding and contiguous):
            flush()
            run_coding = None
        if part.coding in ("ucs2", "gsm7"):
            run += part.user_data
            run_coding = part.coding
        else:
            pieces.append(part.text)
        previous_seq = seq
    flush()
    return "".join(pieces)
