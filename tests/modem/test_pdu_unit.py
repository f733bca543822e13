"""PDU codec: hand-made cases, bad input, the counter and reassembly."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from appliance.modem import pdu

UTC = dt.timezone.utc
WIB = dt.timezone(dt.timedelta(hours=7))


def _deliver(user_data: bytes, *, udhi: bool = True, dcs: int = 0x08, udl: int | None = None) -> str:
    """A hand-made SMS-DELIVER from "1234" with the given raw user data."""
    first = 0x40 if udhi else 0x00
    stamp = "42101191000000"  # 2024-01-11 19:00:00 UTC, swapped BCD
    length = len(user_data) if udl is None else udl
    return f"00{first:02X}04812143 00{dcs:02X}{stamp}{length:02X}{user_data.hex()}".replace(" ", "")


def _concat_ucs2(ref: int, total: int, seq: int, payload: bytes) -> str:
    return _deliver(bytes([5, 0, 3, ref, total, seq]) + payload)


# --------------------------------------------------------------------------
# Bad input: always PDUError, one clear line
# --------------------------------------------------------------------------

BAD_PDUS = {
    "empty string": ("", "empty PDU"),
    "only spaces": ("   ", "empty PDU"),
    "odd-length hex": ("0011000", "odd number"),
    "not hex": ("00110G", "not hexadecimal: 'G' at position 5"),
    "non-ASCII digit": ("0011００", "not hexadecimal"),
    "truncated after SMSC": ("07911326040000", "truncated"),
    "truncated address": ("0001000B9126", "truncated"),
    "truncated user data": ("0001000481214300000A3100", "truncated: user data"),
    "reserved message type": ("0003", "reserved message type"),
    "address too long": ("000100FF91", "at most 20"),
    "filler inside number": ("0001000481F123000000", "filler"),
    "bad timestamp digits": ("0000048121430000F2101191000000" + "00", "non-decimal digit"),
    "impossible date": ("000004812143000042131191000000" + "00", "not a valid date"),
    "compressed text": ("0001000481214300200100", "compressed"),
    "GSM-7 length over 160": ("00010004812143 0000A1".replace(" ", "") + "00" * 141, "160 septets"),
    "8-bit length over 140": ("000100048121430004 8D".replace(" ", "") + "00" * 141, "140 octets"),
    "UDH indicator, no data": ("0041000481214300000000", "user data is empty"),
    "UDH longer than data": (_deliver(bytes([9, 0, 3, 1, 2, 1])), "UDH claims 9"),
    "UDH element overruns header": (_deliver(bytes([5, 0, 5, 1, 2, 1])), "claims 5 octet"),
    "UDH element header cut": (_deliver(bytes([1, 0])), "middle of an information element"),
    "part number over part count": (_concat_ucs2(1, 2, 3, b"\x00a"), "part number 3 is larger than the part count 2"),
    "concat element of wrong size": (_deliver(bytes([4, 0, 2, 1, 2])), "must be 3 octets"),
    "UDH bigger than GSM-7 length": (_deliver(bytes([5, 0, 3, 1, 2, 1]), dcs=0, udl=6), "does not fit"),
}


@pytest.mark.parametrize("pdu_hex, message", BAD_PDUS.values(), ids=BAD_PDUS.keys())
def test_bad_pdu_is_refused_clearly(pdu_hex, message):
    with pytest.raises(pdu.PDUError, match=message) as caught:
        pdu.decode(pdu_hex)
    assert "\n" not in str(caught.value)


def test_pdu_error_is_a_value_error():
    assert issubclass(pdu.PDUError, ValueError)
    with pytest.raises(pdu.PDUError):
        pdu.decode(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "number, message",
    [
        ("", "empty"),
        ("   ", "empty"),
        ("+", "empty"),
        ("0812-3456", "contains '-'"),
        ("٠٨١٢٣٤", "contains '٠'"),  # Arabic-Indic digits: isdigit(), not BCD
        ("０８１２", "contains"),  # full-width digits
        ("0812 3456", "contains ' '"),
        ("+" + "1" * 21, "longer than 20 digits"),
        ("shop", "contains 's'"),
    ],
)
def test_bad_number_is_refused(number, message):
    with pytest.raises(pdu.PDUError, match=message):
        pdu.encode_submit(number, "hi")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"message_class": 4}, "message class"),
        ({"message_ref": 256}, "message reference"),
        ({"message_ref": -1}, "message reference"),
        ({"validity_minutes": -5}, "validity"),
        ({"smsc": "+62abc"}, "SMSC number"),
        ({"concat_ref": 256}, "concatenation reference"),
        ({"concat_ref": 70000, "concat_16bit": True}, "concatenation reference"),
    ],
)
def test_bad_options_are_refused(kwargs, message):
    with pytest.raises(pdu.PDUError, match=message):
        pdu.encode_submit("+628123", "x" * 200, **kwargs)


def test_more_than_255_parts_is_refused():
    with pytest.raises(pdu.PDUError, match="256 SMS parts; at most 255"):
        pdu.encode_submit("+628123", "x" * (153 * 255 + 1))
    assert len(pdu.encode_submit("+628123", "x" * (153 * 255))) == 255


def test_text_must_be_a_string():
    with pytest.raises(pdu.PDUError, match="text must be a string"):
        pdu.encode_submit("+628123", b"bytes")  # type: ignore[arg-type]


# --------------------------------------------------------------------------
# Zero-length and boundary messages
# --------------------------------------------------------------------------


def test_zero_length_message_round_trips():
    [part] = pdu.encode_submit("+628123", "")
    assert part.endswith("000000")  # PID, DCS, UDL 0
    decoded = pdu.decode(part)
    assert (decoded.text, decoded.coding, decoded.user_data) == ("", "gsm7", b"")
    assert pdu.plan("") == pdu.Plan("gsm7", 1, 0, 0, 160, 160, None)


def test_zero_length_ucs2_message():
    decoded = pdu.decode(_deliver(b"", udhi=False))
    assert (decoded.text, decoded.coding) == ("", "ucs2")


@pytest.mark.parametrize(
    "text, parts",
    [
        ("x" * 160, 1),
        ("x" * 161, 2),
        ("x" * 306, 2),
        ("x" * 307, 3),
        ("€" * 80, 1),  # 160 septets
        ("€" * 81, 2),
        ("é" * 70, 1),
        ("ç" * 70, 1),
        ("ç" * 71, 2),
        ("ç" * 134, 2),
        ("ç" * 135, 3),
        ("😀" * 35, 1),  # 70 UTF-16 units
        ("😀" * 36, 2),
    ],
)
def test_part_boundaries(text, parts):
    pdus = pdu.encode_submit("+628123", text)
    assert len(pdus) == parts == pdu.plan(text).parts
    assert pdu.reassemble([pdu.decode(p) for p in pdus]) == text


def test_escape_sequence_is_never_split():
    # 152 'x' then '€': the escape would be septet 153, its code septet 154.
    text = "x" * 152 + "€" + "y" * 10
    first, second = (pdu.decode(p) for p in pdu.encode_submit("+628123", text))
    assert first.text == "x" * 152
    assert second.text.startswith("€")


def test_surrogate_pair_is_never_split_by_our_encoder():
    text = "a" * 66 + "😀" + "b" * 5
    first, second = (pdu.decode(p) for p in pdu.encode_submit("+628123", text))
    assert (first.text, second.text) == ("a" * 66, "😀bbbbb")


def test_16bit_reference_parts_are_smaller():
    pdus = pdu.encode_submit("+628123", "x" * 305, concat_16bit=True, concat_ref=0xBEEF)
    decoded = [pdu.decode(p) for p in pdus]
    assert [d.concat for d in decoded] == [
        pdu.Concat(ref=0xBEEF, total=3, seq=1, bits=16),
        pdu.Concat(ref=0xBEEF, total=3, seq=2, bits=16),
        pdu.Concat(ref=0xBEEF, total=3, seq=3, bits=16),
    ]
    assert [len(d.text) for d in decoded] == [152, 152, 1]


# --------------------------------------------------------------------------
# Encoding details
# --------------------------------------------------------------------------


def test_submit_known_vector():
    # The classic "hellohello" SUBMIT, no SMSC, no validity period.
    assert pdu.encode_submit("+27381000015", "hellohello") == [
        "0001000B917283010010F500000AE8329BFD4697D9EC37"
    ]


def test_submit_options():
    [part] = pdu.encode_submit(
        "+628123", "hi", smsc="+6281100000", validity_minutes=24 * 60,
        status_report=True, message_class=1, message_ref=42, force_ucs2=True,
    )
    decoded = pdu.decode(part)
    assert decoded.smsc == "+6281100000"
    assert decoded.status_report_requested
    assert decoded.message_class == 1
    assert decoded.message_ref == 42
    assert decoded.validity == dt.timedelta(days=1)
    assert (decoded.coding, decoded.text) == ("ucs2", "hi")
    assert pdu.tpdu_length(part) == len(part) // 2 - 7
    assert pdu.tpdu_length(part[14:], with_smsc=False) == pdu.tpdu_length(part)


@pytest.mark.parametrize(
    "minutes, octet",
    [(0, 0), (5, 0), (6, 1), (12 * 60, 143), (13 * 60, 145), (24 * 60, 167),
     (2 * 24 * 60, 168), (30 * 24 * 60, 196), (5 * 7 * 24 * 60, 197), (10**9, 255)],
)
def test_relative_validity(minutes, octet):
    assert pdu.relative_validity_octet(minutes) == octet


def test_deliver_with_alphanumeric_sender_and_zone():
    when = dt.datetime(2024, 5, 17, 9, 30, 5, tzinfo=WIB)
    [part] = pdu.encode_deliver("Loket", "Halo!", smsc="+6281100000", timestamp=when)
    decoded = pdu.decode(part)
    assert (decoded.type, decoded.number, decoded.text) == ("deliver", "Loket", "Halo!")
    assert decoded.timestamp == when and decoded.timestamp.utcoffset() == dt.timedelta(hours=7)


def test_negative_zone_round_trips():
    when = dt.datetime(2024, 5, 17, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=-3, minutes=-30)))
    [part] = pdu.encode_deliver("+15551234", "x", timestamp=when)
    assert pdu.decode(part).timestamp.utcoffset() == dt.timedelta(hours=-3, minutes=-30)


def test_zone_must_be_quarter_hours():
    when = dt.datetime(2024, 5, 17, tzinfo=dt.timezone(dt.timedelta(minutes=10)))
    with pytest.raises(pdu.PDUError, match="quarter hours"):
        pdu.encode_deliver("+15551234", "x", timestamp=when)


def test_alphanumeric_sender_limits():
    with pytest.raises(pdu.PDUError, match="11-character"):
        pdu.encode_deliver("A very long shop name", "x")
    with pytest.raises(pdu.PDUError, match="destination number"):
        pdu.encode_submit("Loket", "x")  # nobody can text a name


def test_status_report_round_trip():
    sent = dt.datetime(2024, 5, 17, 9, 30, tzinfo=WIB)
    done = sent + dt.timedelta(seconds=4)
    report = pdu.encode_status_report("+628123", 77, 0x41, timestamp=sent, discharge_time=done)
    decoded = pdu.decode(report)
    assert (decoded.type, decoded.number, decoded.message_ref, decoded.status) == (
        "status-report", "+628123", 77, 0x41)
    assert (decoded.timestamp, decoded.discharge_time) == (sent, done)
    assert pdu.status_category(decoded.status) == "failed"
    assert pdu.status_category(0x00) == "delivered"
    assert pdu.status_category(0x21) == "pending"


def test_to_json_is_json_ready():
    [part, _] = pdu.encode_deliver("+628123", "ç" * 100, concat_ref=9,
                                   timestamp=dt.datetime(2024, 1, 1, tzinfo=UTC))
    data = pdu.decode(part).to_json()
    json.dumps(data)
    assert data["concat"] == {"ref": 9, "total": 2, "seq": 1, "bits": 8}
    assert data["udh"] == "050003090201"
    assert data["timestamp"] == "2024-01-01T00:00:00+00:00"
    assert data["coding"] == "ucs2" and data["class"] is None
    assert pdu.decode(pdu.encode_submit("1", "x", validity_minutes=60)[0]).to_json()["validity"] == 3600


def test_lowercase_hex_and_surrounding_space_are_accepted():
    [part] = pdu.encode_submit("+628123", "hi")
    assert pdu.decode("  " + part.lower() + "\r\n").text == "hi"


def test_trailing_octets_after_user_data_are_ignored():
    # Some modems store padding after the user data (see at-sms/39.dump).
    [part] = pdu.encode_submit("+628123", "hi")
    assert pdu.decode(part + "FFFF").text == "hi"


def test_zero_concat_values_mean_no_concatenation():
    # TS 23.040: a zero part count or part number makes the element ignorable.
    assert pdu.decode(_concat_ucs2(1, 0, 0, b"\x00a")).concat is None


# --------------------------------------------------------------------------
# The counter
# --------------------------------------------------------------------------


def test_plan_gsm7():
    plan = pdu.plan("Halo [Budi], total €5")
    assert plan == pdu.Plan("gsm7", 1, 21, 24, 160, 136, None)


def test_plan_multipart_and_offending_character():
    plan = pdu.plan("Terima kasih 🙏 " + "x" * 60)
    assert plan.encoding == "ucs2"
    assert plan.offending == "🙏"
    assert plan.chars == 75 and plan.units_used == 76
    assert (plan.parts, plan.per_part, plan.remaining_in_part) == (2, 67, 58)


# --------------------------------------------------------------------------
# Reassembly
# --------------------------------------------------------------------------


def test_reassembly_joins_a_surrogate_pair_split_between_parts():
    # Some phones fill every part to 134 octets, cutting an emoji in two.
    data = ("a" * 66 + "😀" + "b").encode("utf-16-be")
    parts = [pdu.decode(_concat_ucs2(7, 2, 2, data[134:])), pdu.decode(_concat_ucs2(7, 2, 1, data[:134]))]
    assert parts[1].text == "a" * 66 + "\ufffd"  # half a pair alone is unreadable
    assert pdu.reassemble(parts) == "a" * 66 + "😀b"


def test_reassembly_joins_an_odd_split_code_unit():
    data = "héllo wörld".encode("utf-16-be")
    parts = [pdu.decode(_concat_ucs2(1, 2, 1, data[:5])), pdu.decode(_concat_ucs2(1, 2, 2, data[5:]))]
    assert pdu.reassemble(parts) == "héllo wörld"


def test_reassembly_with_a_missing_part_joins_what_is_there():
    pdus = pdu.encode_submit("+628123", "A" * 153 + "B" * 153 + "C" * 10, concat_ref=3)
    parts = [pdu.decode(pdus[2]), pdu.decode(pdus[0])]
    assert pdu.reassemble(parts) == "A" * 153 + "C" * 10


def test_reassembly_does_not_glue_halves_across_a_gap():
    high, low = "😀".encode("utf-16-be")[:2], "😀".encode("utf-16-be")[2:]
    parts = [pdu.decode(_concat_ucs2(1, 3, 1, b"\x00a" + high)),
             pdu.decode(_concat_ucs2(1, 3, 3, low + b"\x00b"))]
    assert pdu.reassemble(parts) == "a\ufffd\ufffdb"


def test_reassembly_of_mixed_codings():
    gsm, ucs = pdu.encode_submit("+628123", "x" * 160 + "€", concat_ref=5)
    ucs_part = pdu.encode_submit("+628123", "ç" * 100, concat_ref=5)[1]
    parts = [pdu.decode(gsm), pdu.decode(ucs_part)]
    assert pdu.reassemble(parts) == "x" * 153 + "ç" * 33
    assert pdu.reassemble([pdu.decode(ucs)]) == "x" * 7 + "€"
