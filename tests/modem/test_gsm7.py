"""The GSM 03.38 alphabet and septet packing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appliance.modem import gsm7

EXTENSION_CHARS = "€[]{}~^\\|\f"
BASIC_CHARS = "".join(ch for i, ch in enumerate(gsm7.DEFAULT_ALPHABET) if i != gsm7.ESCAPE)


def test_every_basic_character_is_one_septet():
    assert len(BASIC_CHARS) == 127
    for code, ch in enumerate(gsm7.DEFAULT_ALPHABET):
        if code != gsm7.ESCAPE:
            assert gsm7.encode_septets(ch) == [code]
            assert gsm7.septet_length(ch) == 1


@pytest.mark.parametrize("ch", EXTENSION_CHARS)
def test_extension_characters_are_escaped(ch):
    septets = gsm7.encode_septets(ch)
    assert septets[0] == gsm7.ESCAPE and len(septets) == 2
    assert gsm7.septet_length(ch) == 2
    assert gsm7.decode_septets(septets) == ch


def test_well_known_codes():
    assert gsm7.encode_septets("@£$") == [0, 1, 2]
    assert gsm7.encode_septets("€") == [0x1B, 0x65]
    assert gsm7.encode_septets("\n\r") == [0x0A, 0x0D]


@pytest.mark.parametrize("text", ["ç", "š", "😀", "中", "`", "\t", "\x00", "\x1b"])
def test_characters_outside_gsm7(text):
    assert not gsm7.is_gsm7(text)
    assert gsm7.first_non_gsm7("abc" + text + "é") == text
    with pytest.raises(ValueError, match=r"U\+"):
        gsm7.encode_septets("ok" + text)
    with pytest.raises(ValueError):
        gsm7.septet_length(text)


def test_first_non_gsm7_of_clean_text_is_none():
    assert gsm7.first_non_gsm7("Hello € [1]") is None
    assert gsm7.is_gsm7("")


def test_escape_before_an_unknown_code_shows_the_basic_character():
    # TS 23.038: a receiver without that extension shows the basic character.
    assert gsm7.decode_septets([0x1B, ord("A")]) == "A"
    assert gsm7.decode_septets([ord("a"), 0x1B]) == "a"  # lone trailing escape


def test_pack_known_vector():
    # "hellohello", the classic example of TS 23.038 packing.
    assert gsm7.pack_septets(gsm7.encode_septets("hellohello")).hex().upper() == "E8329BFD4697D9EC37"


def test_pack_with_fill_bits():
    # After a 6-octet UDH, one fill bit aligns the text on a septet boundary.
    packed = gsm7.pack_septets([0x41], fill_bits=1)
    assert packed == bytes([0x82])
    assert gsm7.unpack_septets(packed, 1, fill_bits=1) == [0x41]


def test_unpack_refuses_short_data():
    with pytest.raises(ValueError, match="septets need"):
        gsm7.unpack_septets(b"\x00", 2)


@pytest.mark.parametrize("fill_bits", [-1, 7])
def test_fill_bits_range(fill_bits):
    with pytest.raises(ValueError):
        gsm7.pack_septets([1], fill_bits)
    with pytest.raises(ValueError):
        gsm7.unpack_septets(b"\x00\x00", 1, fill_bits)


def test_pack_refuses_values_over_seven_bits():
    with pytest.raises(ValueError):
        gsm7.pack_septets([0x80])


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=BASIC_CHARS + EXTENSION_CHARS, max_size=300), st.integers(0, 6))
def test_round_trip(text, fill_bits):
    septets = gsm7.encode_septets(text)
    assert len(septets) == gsm7.septet_length(text)
    packed = gsm7.pack_septets(septets, fill_bits)
    assert len(packed) == (fill_bits + 7 * len(septets) + 7) // 8
    assert gsm7.unpack_septets(packed, len(septets), fill_bits) == septets
    assert gsm7.decode_septets(septets) == text
