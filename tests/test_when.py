"""Dates and times as customers text them, read against a fixed clock.

NOW is Sunday 22 November 2026, 09:00 in Jakarta: 23/11 is Monday, 28/11 Saturday.
"""

import datetime as dt
import zoneinfo
from time import perf_counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appliance.when import When, parse_when

JKT = zoneinfo.ZoneInfo("Asia/Jakarta")
NOW = dt.datetime(2026, 11, 22, 9, 0, tzinfo=JKT)


def D(month, day, year=2026):
    return dt.date(year, month, day)


def T(hour, minute=0):
    return dt.time(hour, minute)


def at(year, month, day, hour=9, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=JKT)


# --- days -------------------------------------------------------------------

@pytest.mark.parametrize("text, date", [
    ("besok", D(11, 23)), ("Besok!", D(11, 23)), ("BESUK", D(11, 23)), ("bsk", D(11, 23)),
    ("lusa", D(11, 24)), ("besok lusa", D(11, 24)),
    ("hari ini", D(11, 22)), ("sekarang", D(11, 22)), ("nanti", D(11, 22)),
    ("today", D(11, 22)), ("tomorrow", D(11, 23)), ("Tomorrow?", D(11, 23)),
    ("day after tomorrow", D(11, 24)),
    ("minggu depan", D(11, 29)), ("next week", D(11, 29)), ("pekan depan", D(11, 29)),
    # weekdays: the next such day; today's own weekday is today
    ("senin", D(11, 23)), ("selasa", D(11, 24)), ("rabu", D(11, 25)), ("kamis", D(11, 26)),
    ("jumat", D(11, 27)), ("jum'at", D(11, 27)), ("Jum’at", D(11, 27)), ("sabtu", D(11, 28)),
    ("minggu", D(11, 22)), ("ahad", D(11, 22)), ("hari sabtu", D(11, 28)),
    ("Monday", D(11, 23)), ("friday", D(11, 27)), ("SUNDAY", D(11, 22)),
    ("sabtu ini", D(11, 28)), ("hari minggu ini", D(11, 22)), ("this friday", D(11, 27)),
    # depan / next: that day in next week (Monday-Sunday); from a Sunday that is tomorrow on
    ("senin depan", D(11, 23)), ("sabtu depan", D(11, 28)), ("minggu depan", D(11, 29)),
    ("jumat minggu depan", D(11, 27)), ("minggu minggu depan", D(11, 29)),
    ("next friday", D(11, 27)), ("next sunday", D(11, 29)),
    # numbers, day first
    ("15/12", D(12, 15)), ("15-12", D(12, 15)), ("15/12/2026", D(12, 15)),
    ("15-12-2026", D(12, 15)), ("15/12/26", D(12, 15)), ("15.12.2026", D(12, 15)),
    ("15.12.26", D(12, 15)), ("2026-12-15", D(12, 15)), ("(15/12)", D(12, 15)),
    ("25.12", D(12, 25)), ("31.1", D(1, 31, 2027)), ("3/4", D(4, 3, 2027)),
    ("15/12/2027", D(12, 15, 2027)), ("1/1/30", D(1, 1, 2030)),
    # month names
    ("15 des", D(12, 15)), ("15 Desember", D(12, 15)), ("15 dec", D(12, 15)),
    ("15des", D(12, 15)), ("15 des.", D(12, 15)), ("dec 15", D(12, 15)), ("Des 15", D(12, 15)),
    ("December 15th, 2026", D(12, 15)), ("15th of december", D(12, 15)),
    ("15 desember 2027", D(12, 15, 2027)), ("1 jan", D(1, 1, 2027)), ("5 mei", D(5, 5, 2027)),
    ("17 agustus", D(8, 17, 2027)), ("24 nop", D(11, 24)),
    # tgl: this month, or next month once gone
    ("tgl 25", D(11, 25)), ("tgl 22", D(11, 22)), ("tgl 15", D(12, 15)),
    ("tanggal 1", D(12, 1)), ("tgl. 30", D(11, 30)), ("tgl 31", D(12, 31)),
    ("tgl 15/12", D(12, 15)), ("tgl 15.12", D(12, 15)), ("tgl 15 des", D(12, 15)),
    # a day and month already gone: more than 30 days ago means next year
    ("22/10", D(10, 22, 2027)), ("1/10", D(10, 1, 2027)),
])
def test_days(text, date):
    when = parse_when(text, NOW)
    assert (when.date, when.time, when.error, when.rest) == (date, None, None, "")


@pytest.mark.parametrize("text, date", [
    ("kemarin", D(11, 21)), ("kmrn", D(11, 21)), ("yesterday", D(11, 21)),
    ("15-12-2020", D(12, 15, 2020)), ("31/12/2025", D(12, 31, 2025)),
    ("21/11/2026", D(11, 21)), ("21.11.26", D(11, 21)),
    # no year, gone at most 30 days: a slip, not a booking for next year
    ("20/11", D(11, 20)), ("23/10", D(10, 23)), ("1 nov", D(11, 1)), ("tgl 1/11", D(11, 1)),
])
def test_days_gone_are_past(text, date):
    when = parse_when(text, NOW)
    assert (when.date, when.error, when.rest) == (date, "past", "")


@pytest.mark.parametrize("text", [
    "31/02", "31/2/2028", "30/2", "32/1", "0/5", "15/13", "15/0", "31/11", "31.04",
    "29/2", "29/2/2027", "tgl 32", "tgl 0", "32 des", "0 jan", "00/00/0000",
])
def test_impossible_days(text):
    assert parse_when(text, NOW) == When(None, None, "", "impossible")


def test_language_en_adds_the_short_weekdays():
    assert parse_when("sat", NOW, "en").date == D(11, 28)
    assert parse_when("see you tue 3pm", NOW, "en") == When(D(11, 24), T(15), "see you")
    assert parse_when("Sun", NOW, "en").date == D(11, 22)
    # in Indonesian "mon maaf" is "sorry", not Monday
    assert parse_when("mon maaf besok", NOW) == When(D(11, 23), None, "mon maaf")
    assert parse_when("sat", NOW).date is None


# --- times ------------------------------------------------------------------

@pytest.mark.parametrize("text, time", [
    ("10.30", T(10, 30)), ("10:30", T(10, 30)), ("jam 10", T(10)), ("Jam 10.30", T(10, 30)),
    ("jam 10:30", T(10, 30)), ("jam10", T(10)), ("JAM 9", T(9)), ("jam 10an", T(10)),
    ("pukul 14.00", T(14)), ("pkl 14.00", T(14)), ("pukul 14.00 WIB", T(14)),
    ("at 10", T(10)), ("@10.30", T(10, 30)), ("00:00", T(0)), ("23:59", T(23, 59)),
    ("7.05", T(7, 5)), ("15.12", T(15, 12)),  # with a dot and no year: a time when it can be one
    # the clock as written, unless a day part or am/pm says otherwise
    ("jam 3", T(3)), ("jam 3 sore", T(15)), ("jam 7 malam", T(19)), ("jam 9 pagi", T(9)),
    ("jam 12 siang", T(12)), ("jam 1 siang", T(13)), ("jam 11 siang", T(11)),
    ("jam 5 sore", T(17)), ("jam 11 malam", T(23)), ("jam 12 pagi", T(12)),
    ("jam 15 sore", T(15)), ("jam 19 malam", T(19)), ("7.30 malam", T(19, 30)),
    ("jam 12 malam", T(0)), ("jam 1 malam", T(1)),  # without a day: the clock only
    ("3pm", T(15)), ("3 pm", T(15)), ("3 P.M.", T(15)), ("10am", T(10)), ("10 a.m.", T(10)),
    ("12am", T(0)), ("12pm", T(12)), ("10.30am", T(10, 30)), ("10.30 pm", T(22, 30)),
    ("jam 3pm", T(15)), ("at 8 in the evening", None),
    # setengah 4 is half *before* four
    ("setengah 4", T(3, 30)), ("setengah 4 sore", T(15, 30)), ("jam setengah 8 pagi", T(7, 30)),
    ("setengah 1 siang", T(12, 30)), ("setengah 12 malam", T(23, 30)), ("half past 4", T(4, 30)),
    ("jam 24.00", T(0)),
])
def test_times(text, time):
    when = parse_when(text, NOW)
    if time is None:  # "at 8" is a time; "in the evening" is a day part it takes
        assert (when.time, when.rest) == (T(20), "in the")
    else:
        assert (when.date, when.time, when.error, when.rest) == (None, time, None, "")


@pytest.mark.parametrize("text", [
    "25:00", "13.75", "24:30", "99:99", "jam 25", "jam 10.60", "jam 15 pagi", "13pm", "0am",
    "setengah 0", "setengah 25", "pukul 24.01",
])
def test_impossible_times(text):
    assert parse_when(text, NOW) == When(None, None, "", "impossible")


@pytest.mark.parametrize("text", [
    "2", "pilih 2", "10", "1 2 3", "buka 24 jam", "buka 24 jam 7 hari", "2 jam 30 menit",
    "Rp 150.000", "harga 25.000", "1.500.000", "0812-3456-7890", "+62 812 3456 7890",
    "versi 1.5", "1,5 kg", "jam 10-12", "jam 10 sd 12", "10.00-12.00", "2 malam", "pm aja",
    "minggu ini", "2 minggu lagi", "dua minggu", "sebulan", "desa 15", "15 desa", "pagi",
    "123/456", "15/12/202", "12345", "pesan 3", "jam", "tgl", "setengah kilo",
])
def test_not_a_date_or_time(text):
    assert parse_when(text, NOW) == When(None, None, text)


# --- both, the rest, and errors ---------------------------------------------

@pytest.mark.parametrize("text, date, time, rest, error", [
    ("besok jam 10 pijat bayi", D(11, 23), T(10), "pijat bayi", None),
    ("Pijat bayi besok, jam 3 sore ya", D(11, 23), T(15), "Pijat bayi, ya", None),
    ("sabtu 10.30", D(11, 28), T(10, 30), "", None),
    ("pesan tgl 15 des jam 2 siang untuk 3 orang", D(12, 15), T(14), "pesan untuk 3 orang", None),
    ("Book pijat on Friday at 3pm please", D(11, 27), T(15), "Book pijat please", None),
    ("pijat pada hari sabtu", D(11, 28), None, "pijat", None),
    ("potong rambut, besok, 10.30.", D(11, 23), T(10, 30), "potong rambut.", None),
    ("15/12/2026 14:00", D(12, 15), T(14), "", None),
    ("dec 15 10am", D(12, 15), T(10), "", None),
    # today's weekday is today until its time has passed, then next week
    ("minggu jam 10", D(11, 22), T(10), "", None),
    ("minggu jam 8", D(11, 29), T(8), "", None),
    ("sunday 9am", D(11, 22), T(9), "", None),
    # today: a moment gone is past, to the minute
    ("hari ini jam 8", D(11, 22), T(8), "", "past"),
    ("hari ini jam 8.59", D(11, 22), T(8, 59), "", "past"),
    ("hari ini jam 9", D(11, 22), T(9), "", None),
    ("sekarang jam 3 sore", D(11, 22), T(15), "", None),
    ("tgl 22 jam 7", D(11, 22), T(7), "", "past"),
    ("kemarin jam 10", D(11, 21), T(10), "", "past"),
    ("20/11 jam 10", D(11, 20), T(10), "", "past"),
    # the small hours of "malam" belong to the next calendar day
    ("hari ini jam 12 malam", D(11, 23), T(0), "", None),
    ("sabtu jam 1 malam", D(11, 29), T(1), "", None),
    ("besok jam 24.00", D(11, 24), T(0), "", None),
    ("besok setengah 12 malam", D(11, 23), T(23, 30), "", None),
    ("tonight at 1", D(11, 23), T(1), "", None),
    # a day part elsewhere in the text sets the time's half of the day
    ("besok sore jam 4", D(11, 23), T(16), "", None),
    ("nanti malam jam 8", D(11, 22), T(20), "", None),
    ("tonight at 8", D(11, 22), T(20), "", None),
    ("malam ini setengah 8", D(11, 22), T(19, 30), "", None),
    ("tomorrow morning at 10", D(11, 23), T(10), "", None),
    ("besok pagi", D(11, 23), None, "pagi", None),            # no time: the part stays
    ("besok pagi 14.00", D(11, 23), T(14), "pagi", None),     # does not fit: ignored
    # impossible wins; the other half is still given
    ("besok jam 25", D(11, 23), None, "", "impossible"),
    ("15/12 13.75", D(12, 15), None, "", "impossible"),
    ("31/02 jam 10", None, T(10), "", "impossible"),
    ("kemarin jam 25", D(11, 21), None, "", "impossible"),
    # several: the first counts, agreeing ones go too, others stay
    ("besok atau lusa", D(11, 23), None, "atau lusa", None),
    ("minggu, 29/11", D(11, 29), None, "", None),            # a calendar date outranks
    ("besok 15/12", D(12, 15), None, "besok", None),
    ("jumat 29/11 jam 10", D(11, 29), T(10), "jumat", None),  # 29/11 is a Sunday
    ("nanti saya kabari tgl 25", D(11, 25), None, "nanti saya kabari", None),
    ("sabtu tgl 28 jam 10", D(11, 28), T(10), "", None),
    ("sabtu tgl 29", D(11, 29), None, "sabtu", None),
    ("jam 10 besok, jam 10 ya", D(11, 23), T(10), "ya", None),
    ("jam 10 atau jam 11", None, T(10), "atau jam 11", None),
])
def test_date_time_rest_and_error(text, date, time, rest, error):
    assert parse_when(text, NOW) == When(date, time, rest, error)


# --- month and year boundaries ----------------------------------------------

@pytest.mark.parametrize("now, text, date, time, error", [
    # New Year's Eve, 20:00, a Thursday
    (at(2026, 12, 31, 20), "besok", D(1, 1, 2027), None, None),
    (at(2026, 12, 31, 20), "lusa", D(1, 2, 2027), None, None),
    (at(2026, 12, 31, 20), "1/1", D(1, 1, 2027), None, None),
    (at(2026, 12, 31, 20), "1 januari", D(1, 1, 2027), None, None),
    (at(2026, 12, 31, 20), "tgl 1", D(1, 1, 2027), None, None),
    (at(2026, 12, 31, 20), "15/1", D(1, 15, 2027), None, None),
    (at(2026, 12, 31, 20), "jumat", D(1, 1, 2027), None, None),
    (at(2026, 12, 31, 20), "kamis", D(12, 31), None, None),
    (at(2026, 12, 31, 20), "kamis jam 10", D(1, 7, 2027), T(10), None),
    (at(2026, 12, 31, 20), "minggu depan", D(1, 7, 2027), None, None),
    (at(2026, 12, 31, 20), "31/12", D(12, 31), None, None),
    (at(2026, 12, 31, 20), "tgl 31", D(12, 31), None, None),
    (at(2026, 12, 31, 20), "31/12 jam 19", D(12, 31), T(19), "past"),
    (at(2026, 12, 31, 20), "31/12 jam 21", D(12, 31), T(21), None),
    (at(2026, 12, 31, 20), "hari ini jam 12 malam", D(1, 1, 2027), T(0), None),
    (at(2026, 12, 31, 20), "20/12", D(12, 20), None, "past"),
    (at(2026, 12, 31, 20), "5/12/26", D(12, 5), None, "past"),
    # early January: a December without a year is this year's December
    (at(2027, 1, 5), "15/12", D(12, 15, 2027), None, None),
    (at(2027, 1, 5), "28/12", D(12, 28, 2027), None, None),
    (at(2027, 1, 5), "31/12/2026", D(12, 31, 2026), None, "past"),
    # leap year: 2028
    (at(2028, 2, 28), "besok", D(2, 29, 2028), None, None),
    (at(2028, 2, 28), "lusa", D(3, 1, 2028), None, None),
    (at(2028, 2, 28), "29/2", D(2, 29, 2028), None, None),
    (at(2028, 2, 28), "29 feb", D(2, 29, 2028), None, None),
    (at(2028, 2, 28), "tgl 29", D(2, 29, 2028), None, None),
    (at(2028, 2, 28), "tgl 30", D(3, 30, 2028), None, None),
    (at(2028, 3, 5), "29/2", D(2, 29, 2028), None, "past"),
    (at(2027, 11, 22), "29/2", D(2, 29, 2028), None, None),
    # not a leap year: 2027
    (at(2027, 2, 28), "besok", D(3, 1, 2027), None, None),
    (at(2027, 2, 28), "28/2", D(2, 28, 2027), None, None),
    (at(2027, 2, 28), "tgl 29", D(3, 29, 2027), None, None),
    (at(2027, 2, 28), "29/2/2028", D(2, 29, 2028), None, None),
    (at(2027, 2, 28), "29/2", None, None, "impossible"),
    (at(2027, 2, 28), "29/2/2027", None, None, "impossible"),
    (at(2027, 3, 5), "29/2", None, None, "impossible"),
    # month ends
    (at(2026, 1, 31), "tgl 30", D(3, 30), None, None),
    (at(2026, 1, 31), "tgl 31", D(1, 31), None, None),
    (at(2026, 4, 30), "besok", D(5, 1), None, None),
    (at(2026, 4, 30), "tgl 31", D(5, 31), None, None),
])
def test_boundaries(now, text, date, time, error):
    when = parse_when(text, now)
    assert (when.date, when.time, when.error) == (date, time, error)


# --- the moment -------------------------------------------------------------

def test_at_gives_an_aware_moment_when_both_are_known():
    when = parse_when("besok jam 3 sore", NOW)
    assert when.at(JKT) == at(2026, 11, 23, 15)
    assert when.at("Asia/Jakarta") == at(2026, 11, 23, 15)
    assert when.at(JKT).utcoffset() == dt.timedelta(hours=7)
    assert parse_when("besok", NOW).at(JKT) is None
    assert parse_when("jam 3", NOW).at(JKT) is None


def test_now_in_another_zone_is_compared_as_a_moment():
    # 09:00 in Jakarta is 10:00 in Makassar: "hari ini jam 9.30" has gone there
    makassar = NOW.astimezone(zoneinfo.ZoneInfo("Asia/Makassar"))
    assert parse_when("hari ini jam 9.30", makassar).error == "past"
    assert parse_when("hari ini jam 9.30", NOW).error is None


# --- never raises -----------------------------------------------------------

@pytest.mark.parametrize("text, rest", [
    ("", ""), ("   ", ""), ("\n\t", ""), ("👍", "👍"), ("besok 👍", "👍"),
    ("\x00besok\x07 pijat\x1b", "pijat"), ("İstanbul besok", "İstanbul"),
    ("ｂｅｓｏｋ", "ｂｅｓｏｋ"), ("besok" * 200, "besok" * 200), ("١٥/١٢", "١٥/١٢"),
])
def test_odd_text(text, rest):
    assert parse_when(text, NOW).rest == rest


def test_not_text_is_no_text():
    assert parse_when(None, NOW) == When(None, None, "")


def test_a_long_text_is_read_quickly():
    text = ("pijat bayi 10.30 besok 15/12 jam 3 sore tgl 4 " * 30)[:1000]
    start = perf_counter()
    when = parse_when(text, NOW)
    assert perf_counter() - start < 0.5
    assert (when.date, when.time) == (D(12, 15), T(10, 30))
    assert parse_when(" " * 1000 + "15 des" + " " * 1000, NOW).date == D(12, 15)


TOKENS = ["besok", "lusa", "jam", "pukul", "setengah", "sore", "malam", "pagi", "siang", "tgl",
          "minggu", "depan", "sabtu", "jum'at", "des", "dec", "15", "31", "2", "0", "24", "99",
          "/", "-", ".", ":", ",", "am", "pm", "10.30", "25:00", "29/2", "2020", "next", "week",
          "hari", "ini", "kemarin", "an", "wib", "@", " ", "\n", "\x00", "👍"]


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(st.text(max_size=80), st.lists(st.sampled_from(TOKENS), max_size=12).map("".join),
              st.lists(st.sampled_from(TOKENS), max_size=12).map(" ".join)),
    st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2200, 12, 31),
                 timezones=st.sampled_from([JKT, zoneinfo.ZoneInfo("Asia/Jayapura"), dt.timezone.utc])),
    st.sampled_from(["id", "en", "xx"]),
)
def test_never_raises(text, now, language):
    when = parse_when(text, now, language)
    assert isinstance(when.rest, str) and len(when.rest) <= len(text)
    assert when.error in (None, "past", "impossible")
    assert when.date is None or isinstance(when.date, dt.date)
    assert when.time is None or isinstance(when.time, dt.time)
    if when.error is None and when.date is not None:
        assert when.date >= now.date()
