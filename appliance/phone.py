"""Phone numbers as customers write them, stored as E.164.

`0812…`, `+62812…`, `62812…` and `0812-3456-7890` are one customer.
Senders that are not phone numbers (an operator's "TELKOMSEL", a short code
such as 3636) are kept as they are and never answered automatically.
"""

from __future__ import annotations

import functools
import re

import phonenumbers

from .words import N_, say  # noqa: F401


class PhoneError(ValueError):
    """Not a phone number Loket can send to; the message says why."""


_SEPARATORS = re.compile(r"[\s\-\.\(\)/]")


def normalise(raw: str, region: str = "ID") -> str:
    """E.164 form of a number, or PhoneError with a reason a person understands."""
    return phonenumbers.format_number(_parsed(raw, region), phonenumbers.PhoneNumberFormat.E164)


def normalise_replyable(raw: str, region: str = "ID") -> tuple[str, bool]:
    """`normalise(raw)` and `is_replyable` of it, from one parse (the API's send checks both:
    the number's metadata was half of that request's time)."""
    number = _parsed(raw, region)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return e164, bool(_E164.fullmatch(e164)) and phonenumbers.number_type(number) in _MOBILE


def _parsed(raw: str, region: str) -> phonenumbers.PhoneNumber:
    """The valid number `raw` names, or PhoneError."""
    if raw is None:
        raise PhoneError(N_("no phone number given"))
    text = _SEPARATORS.sub("", str(raw).strip())
    if not text:
        raise PhoneError(N_("no phone number given"))
    if not re.fullmatch(r"\+?[0-9]+", text):
        raise PhoneError(N_("a phone number has only digits, with an optional + in front"))
    if len(text) > 20:
        raise PhoneError(N_("too long to be a phone number"))
    if text.startswith("00"):
        text = "+" + text[2:]
    candidates = [text]
    if not text.startswith("+") and not text.startswith("0"):
        # "62812…": the country code written without its +.
        candidates.append("+" + text)
    for candidate in candidates:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return number
    raise PhoneError(say(N_("{raw} is not a valid phone number"), raw=repr(raw)))


_MOBILE = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")


@functools.lru_cache(maxsize=4096)
def is_replyable(sender: str) -> bool:
    """True when a sender is a mobile number we may answer. Not an operator's
    name or a short code, and not a valid-looking number that no phone reads:
    a call centre's 1500000 (+621500000), a landline, a country that does not
    exist (+999…). An answer to those costs credit and reaches no one, or a robot."""
    if not _E164.fullmatch(sender or ""):
        return False
    try:
        number = phonenumbers.parse(sender, None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in _MOBILE


def sender_key(sender: str, region: str = "ID") -> str:
    """The customer key of an inbound sender: E.164 when possible, else as given."""
    try:
        return normalise(sender, region)
    except PhoneError:
        return (sender or "").strip()[:32] or "unknown"


@functools.lru_cache(maxsize=4096)
def display(number: str | None, region: str = "ID") -> str:
    """A stored number as people write it: 0812-3456-7890 at home,
    +44 7700 900123 from abroad; a sender that is no number (TELKOMSEL, 3636) as it came."""
    if not number:
        return ""
    if not re.fullmatch(r"\+[1-9][0-9]{6,14}", number):
        return number
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    if not phonenumbers.is_valid_number(parsed):
        return number
    home = phonenumbers.region_code_for_number(parsed) == region
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL if home
                                      else phonenumbers.PhoneNumberFormat.INTERNATIONAL)
