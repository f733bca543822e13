"""Numbers, Rupiah, dates, times and phone numbers as the reader writes them
(webui/formats.py, appliance.phone.display): Babel's id/en data, the shop's zone."""

import datetime as dt
import zoneinfo

import pytest

from appliance import bookings
from appliance.phone import PhoneError, display, normalise
from appliance.webui import formats
from appliance.words import N_, say

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
NOW = dt.datetime(2026, 12, 2, 20, 0, tzinfo=dt.timezone.utc)  # Thursday 3 December, 03:00 in Jakarta


def test_rupiah_and_numbers_with_the_thousands_as_each_language_writes_them():
    assert formats.money(85_000, "id") == "Rp 85.000"
    assert formats.money(-5_000, "id") == "-Rp 5.000"
    assert formats.money(1_250_000, "en") == "Rp 1,250,000"
    assert formats.number(1240, "id") == "1.240" and formats.number(1240, "en") == "1,240"


def test_dates_and_times_in_the_shops_zone_never_utc():
    assert formats.day(dt.date(2026, 12, 3), "id") == "Kam, 3 Des"
    assert formats.day(dt.date(2026, 12, 3), "en", year=True) == "Thu, 3 Dec 2026"
    assert formats.day(NOW, "id", JAKARTA) == "Kam, 3 Des"  # 20:00 UTC is already Thursday in Garut
    assert formats.day("2026-12-31", "id") == "Kam, 31 Des"  # an ISO date, as the SIM's status keeps it
    assert formats.when(NOW, "id", JAKARTA, now=NOW) == "03.00"  # today: the time alone
    assert formats.when(NOW - dt.timedelta(days=3), "en", JAKARTA, now=NOW) == "Mon, 30 Nov 03:00"
    assert formats.when(NOW - dt.timedelta(days=400), "id", JAKARTA, now=NOW) == "Rab, 29 Okt 2025 03.00"


def test_how_long_ago_and_how_long_is_left_in_words():
    assert formats.ago(0, "id") == "baru saja"
    assert formats.ago(5, "id") == "5 menit yang lalu"
    assert formats.ago(5, "en") == "5 minutes ago"
    assert formats.until(NOW + dt.timedelta(minutes=125), "id", now=NOW) == "2 j 5 mnt"
    assert formats.until(NOW - dt.timedelta(minutes=40), "en", now=NOW) == "-40 min"


@pytest.mark.parametrize("stored, shown", [
    ("+6281234567890", "0812-3456-7890"),
    ("+628123456789", "0812-3456-789"),
    ("+622112345678", "(021) 12345678"),
    ("+6591234567", "+65 9123 4567"),  # a number from abroad keeps its country
    ("TELKOMSEL", "TELKOMSEL"),  # a sender that is no number, as it came
    ("3636", "3636"),
    ("", ""),
])
def test_phone_numbers_as_people_write_them(stored, shown):
    assert display(stored) == shown
    if stored.startswith("+"):
        assert normalise(shown) == stored  # what is shown can be typed back in


def test_a_refusal_is_translated_by_its_pattern_and_its_values_in_the_readers_words():
    with pytest.raises(PhoneError) as refused:
        normalise("12")
    assert str(refused.value) == "'12' is not a valid phone number"  # the domain still speaks English
    assert formats.problem(refused.value, "id") == "'12' bukan nomor telepon yang benar"
    closed = bookings.BookingError(say(N_("the shop is closed on {day:%A %d %B}"), day=dt.date(2026, 12, 3)), "closed")
    assert str(closed) == "the shop is closed on Thursday 03 December"
    assert formats.problem(closed, "id") == "toko tutup pada Kam, 3 Des"
    state = bookings.BookingError(say(N_("this booking is {now}; it cannot become {then}"), now="no show",
                                      then="done"), "state")
    assert formats.problem(state, "id") == "booking ini tidak datang; tidak bisa jadi selesai"
    assert formats.problem(ValueError(N_("no phone number given")), "id") == "nomor telepon belum diisi"


def test_the_formats_are_babels_own_data_kept_small():
    """webui/cldr.py is Babel's CLDR data (rewritten by ./dev i18n); the pages format as Babel does."""
    from babel import Locale
    from babel.dates import format_date, format_skeleton, format_timedelta
    from babel.numbers import format_decimal

    from appliance.webui import catalogs, cldr
    assert cldr.TABLE == catalogs.cldr_table(), "run ./dev i18n: webui/cldr.py is behind Babel"
    for language in ("id", "en"):
        locale = Locale.parse(language)
        for offset in range(0, 400, 13):
            moment = NOW + dt.timedelta(days=offset, minutes=offset * 7)
            assert formats.day(moment.date(), language) == format_date(moment.date(), "EEE, d MMM", locale=locale)
            assert formats.time_of_day(moment, language, dt.timezone.utc) == format_skeleton("Hm", moment,
                                                                                            locale=locale)
        for value in (0, 7, 1240, 85_000, 1_250_000, 0.5):
            assert formats.number(value, language) == format_decimal(value, locale=locale)
        for minutes in (5, 59, 120, 60 * 24 * 3):  # (one minute: Babel says "60 seconds"; staff read "1 minute")
            assert formats.ago(minutes, language) == format_timedelta(
                dt.timedelta(minutes=-minutes), add_direction=True, threshold=1.5, locale=locale)
