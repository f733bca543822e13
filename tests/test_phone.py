"""Phone numbers: every way a customer writes one, stored as one E.164 key."""

import pytest

from appliance.phone import PhoneError, is_replyable, normalise, normalise_replyable, sender_key


@pytest.mark.parametrize("raw", [
    "081234567890", "+6281234567890", "6281234567890", "0812-3456-7890", "0812 3456 7890",
    "(0812) 3456.7890", "006281234567890", " +62 812 3456 7890 ",
])
def test_the_same_indonesian_mobile_in_every_format(raw):
    assert normalise(raw) == "+6281234567890"


def test_other_regions():
    assert normalise("+31 6 12345678") == "+31612345678"
    assert normalise("0612345678", region="NL") == "+31612345678"


@pytest.mark.parametrize("raw, reason", [
    ("", "no phone number"),
    ("   ", "no phone number"),
    (None, "no phone number"),
    ("0812", "not a valid"),
    ("hello", "only digits"),
    ("+62 812 3456 7890 1234 5678", "too long"),
    ("08123456789O", "only digits"),          # letter O for zero
    ("٠٨١٢٣٤٥٦٧٨٩٠", "only digits"),          # Arabic-Indic digits
    ("+62-812-3456-7890; DROP TABLE", "only digits"),
])
def test_illegal_numbers_say_why(raw, reason):
    with pytest.raises(PhoneError, match=reason):
        normalise(raw)


def test_senders_that_are_not_numbers_are_kept_but_not_answered():
    assert sender_key("TELKOMSEL") == "TELKOMSEL"
    assert sender_key("3636") == "3636"
    assert not is_replyable("TELKOMSEL")
    assert not is_replyable("3636")
    assert is_replyable(sender_key("081234567890"))


@pytest.mark.parametrize("sender", ["1500000", "+999123456789", "02155550000", "+62215555000", "+6281234567",
                                    "+1", "", None])
def test_only_mobile_numbers_are_replyable(sender):
    assert not is_replyable(sender_key(sender) if sender else sender)


@pytest.mark.parametrize("sender", ["+6281234567890", "+6285712345678", "+31612345678", "+14155550123"])
def test_mobile_numbers_of_any_country_are_replyable(sender):
    assert is_replyable(sender)


@pytest.mark.parametrize("raw", ["0812-3456-7890", "62812345000777", "+62 21 5551234", "1500000", "+14155552671",
                                 "+447911123456", "+390612345678", "00 61 412 345 678"])
def test_one_parse_answers_as_normalise_then_is_replyable(raw):
    e164, replyable = normalise_replyable(raw)
    assert (e164, replyable) == (normalise(raw), is_replyable(normalise(raw)))


def test_one_parse_refuses_as_normalise_does():
    with pytest.raises(PhoneError):
        normalise_replyable("12")
