"""Dates and times as customers text them: "besok jam 3 sore", "sabtu 10.30", "15 des".

`parse_when(text, now)` finds the day and the time in an SMS and what is left
once they are taken out ("pijat bayi"). Pure functions, standard library only;
it never raises: text it cannot read simply has no date and no time.

Rules for the ambiguous cases (tests/test_when.py pins each of them):

* Both languages are always understood, customers mix them ("besok 3pm").
  `language="en"` only adds the 3-letter weekdays (mon, sat, sun...), which in
  Indonesian texts are ordinary words ("mon maaf").
* Numeric dates are day first: 3/4 is 3 April. With a dot, `d.m` is a time
  whenever it can be one (10.30; 15.12 is 15:12); 24.1 to 31.12 are dates, and
  so is anything with a year (15.12.2026) or after "tgl" (tgl 15.12).
* A bare number is never a time (it is a menu choice): it needs jam, pukul, at
  or @, minutes (10.30), am/pm, or setengah. The clock is read as written:
  "jam 3" is 03:00; a day part or pm moves it: siang 1-5 -> 13-17, sore 1-11
  -> 13-23, malam 6-11 -> 18-23, malam 12 -> 00:00 and malam 1-5 -> 01-05 of
  the *next* calendar day ("sabtu jam 1 malam" is Sunday 01:00). 24.00 is the
  midnight that ends the day. "12am" is 00:00, "jam 12 pagi" is 12:00.
* A day part on its own ("besok pagi") gives no time; it applies to a time
  written without one ("besok sore jam 4" = 16:00), and otherwise stays in
  `rest`. "tonight"/"malam ini" is today plus such a day part.
* A weekday is the next such day; today's own weekday means today, unless the
  time given has passed already, then a week later. With depan/next ("senin
  depan", "jumat minggu depan", "next friday") it is that day in next week
  (weeks run Monday-Sunday). "minggu depan"/"next week" alone is today + 7.
* A day and month without a year is this year's; if already gone by at most
  30 days it is error 'past' (a slip is likelier than a booking eleven months
  ahead), if gone longer it is next year's (15/1 texted in December).
  "tgl 15" is this month, or next month once the 15th has gone (no error).
  29/2 is 'impossible' when the February it means has no 29th.
* 'past': a day before today (kemarin, 15-12-2020) or a moment before `now`,
  to the minute. A time without a day is never 'past': the day is the caller's.
* 'impossible': 31/02, 32/1, 25:00, 13.75, "jam 15 pagi". The impossible part
  (date or time) is None; the other part is still given.
* Several days or times: the first counts, but a calendar date (15/12, 15 des,
  tgl 15) outranks a weekday or a word like besok. Others that mean the same
  ("sabtu 28/11") are taken out of `rest` too; the rest are left there.
  Ranges ("jam 10-12") and durations ("2 jam", "3 minggu") are neither times
  nor days and are left alone.
* WIB/WITA/WIT after a time are taken out and the time is read as shop-local.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
import zoneinfo
from typing import NamedTuple

PAST_GRACE = dt.timedelta(days=30)

# phrase -> (days from today, the day part it also names)
DAY_WORDS: dict[str, tuple[int, str | None]] = {
    "hari ini": (0, None), "hr ini": (0, None), "sekarang": (0, None), "skrg": (0, None),
    "skrang": (0, None), "nanti": (0, None), "today": (0, None),
    "pagi ini": (0, "pagi"), "siang ini": (0, "siang"), "sore ini": (0, "sore"),
    "malam ini": (0, "malam"), "tonight": (0, "malam"), "this morning": (0, "pagi"),
    "this afternoon": (0, "sore"), "this evening": (0, "sore"),
    "besok": (1, None), "besuk": (1, None), "bsk": (1, None), "esok": (1, None),
    "tomorrow": (1, None), "tomorow": (1, None), "tmrw": (1, None), "tmr": (1, None),
    "lusa": (2, None), "besok lusa": (2, None), "day after tomorrow": (2, None),
    "minggu depan": (7, None), "minggu dpn": (7, None), "mgg depan": (7, None),
    "pekan depan": (7, None), "next week": (7, None),
    "kemarin": (-1, None), "kemaren": (-1, None), "kmrn": (-1, None), "yesterday": (-1, None),
}

# Monday is 0, as in date.weekday().
WEEKDAYS = {
    "senin": 0, "selasa": 1, "rabu": 2, "kamis": 3, "jumat": 4, "jum'at": 4,
    "sabtu": 5, "minggu": 6, "ahad": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
    "saturday": 5, "sunday": 6,
}
WEEKDAYS_EN_SHORT = {
    "mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3,
    "fri": 4, "sat": 5, "sun": 6,
}

MONTHS = {
    "januari": 1, "january": 1, "jan": 1,
    "februari": 2, "pebruari": 2, "february": 2, "feb": 2, "peb": 2,
    "maret": 3, "march": 3, "mar": 3, "mrt": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "june": 6, "jun": 6,
    "juli": 7, "july": 7, "jul": 7,
    "agustus": 8, "august": 8, "agu": 8, "agt": 8, "ags": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9,
    "oktober": 10, "october": 10, "okt": 10, "oct": 10,
    "november": 11, "nopember": 11, "nov": 11, "nop": 11,
    "desember": 12, "december": 12, "des": 12, "dec": 12,
}
_LONGEST_MONTH = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}

# English parts map onto the Indonesian rule that reads them right:
# "8 in the evening" is 20:00 (sore rule), "1 at night" is 01:00 (malam rule).
DAY_PARTS = {
    "pagi": "pagi", "siang": "siang", "sore": "sore", "malam": "malam",
    "morning": "pagi", "afternoon": "sore", "evening": "sore", "night": "malam",
}


@dataclasses.dataclass(frozen=True)
class When:
    date: dt.date | None      # the day meant, or None when no day was given
    time: dt.time | None      # the time meant, or None
    rest: str                 # the text without the date/time words, spaces tidied
    error: str | None = None  # None, 'past' or 'impossible'

    def at(self, tz: dt.tzinfo | str | None) -> dt.datetime | None:
        """The moment in `tz` (a tzinfo or a zone name) when both date and time are known."""
        if self.date is None or self.time is None:
            return None
        if isinstance(tz, str):
            tz = zoneinfo.ZoneInfo(tz)
        return dt.datetime.combine(self.date, self.time, tzinfo=tz)


# --- recognising ------------------------------------------------------------

class _Clock(NamedTuple):
    hour: int            # as written
    minute: int
    part: str | None     # 'am', 'pm' or a DAY_PARTS value
    half: bool = False   # "setengah 4": half an hour *before* four


class _Hit(NamedTuple):
    start: int
    end: int
    kind: str            # 'day', 'time' or 'part'
    value: object        # day: a tuple for _resolve_day; time: _Clock; part: str


def _alt(words) -> str:
    """A regex alternation, longest first so "desember" wins over "des"."""
    ordered = sorted(words, key=len, reverse=True)
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in ordered)


_W_L, _W_R = r"(?<!\w)", r"(?!\w)"
# A number stands alone: not part of 081234, 1.500.000, 10-12 or 1/2/3/4.
_N_L = r"(?<![\w.,:/-])"
_N_R = r"(?![\w]|[.,:/-][0-9])"
_TGL = r"(?:tgl|tggl|tanggal|tangal)[.:]?\s*"
_MARK = r"(?:(?<!\w)(?:jam|pukul|pkl|at)[.:]?\s*|@\s*)"
_AM_PM = r"a\.?m\.?|p\.?m\.?"
_TIME_END = (rf"(?:\s*(?P<part>{_AM_PM}|{_alt(DAY_PARTS)}){_W_R}|{_N_R})"
             rf"(?:\s*(?:wib|wita|wit){_W_R})?")
_YEAR = r"(?P<y>[0-9]{4}|[0-9]{2})"


@functools.lru_cache(maxsize=None)
def _scanner(language: str) -> re.Pattern:
    """One regex for every form; at a given position the first listed form wins."""
    weekdays = WEEKDAYS | (WEEKDAYS_EN_SHORT if language == "en" else {})
    months = _alt(MONTHS)
    ordinal = r"(?:st|nd|rd|th)?"
    forms = [
        # Not days or times, and left in `rest`; matching them first keeps their words
        # from being misread: "jam" after a number is a duration ("buka 24 jam 7 hari"),
        # "jam 10-12" a range (not 10/12), "2 minggu"/"minggu ini" are not Sunday.
        ("skip", rf"{_N_L}[0-9]+\s*jam(?!\w)"
                 rf"|{_MARK}[0-9]{{1,2}}(?:[.:][0-9]{{2}})?\s*(?:-|s/?d|sampai|to)\s*[0-9]{{1,2}}(?:[.:][0-9]{{2}})?{_N_R}"
                 r"|(?<!\w)(?:[0-9]+\s*|(?:dua|tiga|empat|lima|beberapa)\s+)(?:minggu|mgg|pekan)(?!\w)"
                 r"|(?<!\w)(?:(?:minggu|mgg|pekan)\s+(?:ini|lalu|kemarin)|(?:this|last)\s+week)(?!\w)"),
        ("day", rf"{_W_L}(?P<w>{_alt(DAY_WORDS)}){_W_R}"),
        ("weekday", rf"{_W_L}(?:hari\s+)?(?:(?P<pre>next|this|coming)\s+)?(?P<wd>{_alt(weekdays)})"
                    r"(?:\s+(?P<suf>(?:minggu|mgg|pekan)\s+(?:depan|dpn|ini)|next\s+week|this\s+week"
                    rf"|depan|dpn|ini))?{_W_R}"),
        ("named", rf"{_N_L}(?:{_TGL})?(?P<d>[0-9]{{1,2}}){ordinal}\s*(?:of\s+)?(?P<mon>{months})\.?"
                  rf"(?:\s*(?:,\s*)?(?P<y>[0-9]{{4}}))?{_N_R}"),
        ("named_md", rf"{_W_L}(?P<mon>{months})\.?\s*(?P<d>[0-9]{{1,2}}){ordinal}"
                     rf"(?:\s*(?:,\s*)?(?P<y>[0-9]{{4}}))?{_N_R}"),
        ("iso", rf"{_N_L}(?P<y>[0-9]{{4}})(?P<sep>[/-])(?P<m>[0-9]{{1,2}})(?P=sep)(?P<d>[0-9]{{1,2}}){_N_R}"),
        ("numeric", rf"{_N_L}(?:{_TGL})?(?P<d>[0-9]{{1,2}})(?P<sep>[/-])(?P<m>[0-9]{{1,2}})"
                    rf"(?:(?P=sep){_YEAR})?{_N_R}"),
        ("dot_tgl", rf"{_W_L}{_TGL}(?P<d>[0-9]{{1,2}})\.(?P<m>[0-9]{{1,2}})(?:\.{_YEAR})?{_N_R}"),
        ("dot_year", rf"{_N_L}(?P<d>[0-9]{{1,2}})\.(?P<m>[0-9]{{1,2}})\.{_YEAR}{_N_R}"),
        # 24.1 .. 31.12 cannot be clock times, so they are dates.
        ("dot_late", rf"{_N_L}(?P<d>2[4-9]|3[01])\.(?P<m>0?[1-9]|1[0-2]){_N_R}"),
        ("tgl", rf"{_W_L}{_TGL}(?P<d>[0-9]{{1,2}}){_N_R}"),
        ("half", rf"(?:{_MARK}|{_W_L})(?:(?P<setengah>setengah|stengah|stgh)|half\s+past)\s*"
                 rf"(?P<h>[0-9]{{1,2}}){_TIME_END}"),
        ("marked", rf"{_MARK}(?P<h>[0-9]{{1,2}})(?:[.:](?P<m>[0-9]{{2}}))?(?:-?an)?{_TIME_END}"),
        ("ampm", rf"{_N_L}(?P<h>[0-9]{{1,2}})(?:[.:](?P<m>[0-9]{{2}}))?\s*(?P<part>{_AM_PM}){_W_R}"
                 rf"(?:\s*(?:wib|wita|wit){_W_R})?"),
        ("clock", rf"{_N_L}(?P<h>[0-9]{{1,2}})[.:](?P<m>[0-9]{{2}}){_TIME_END}"),
        ("part", rf"{_W_L}(?P<part>{_alt(DAY_PARTS)}){_W_R}"),
    ]
    # Group names must be unique across the whole regex: prefix them with the form.
    named = [re.sub(r"\(\?P([<=])(\w+)", rf"(?P\1{kind}__\2", body) for kind, body in forms]
    return re.compile("|".join(f"(?P<{kind}>{body})" for (kind, _), body in zip(forms, named)))


def _squash(words: str) -> str:
    return " ".join(words.split())


def _part(raw: str | None) -> str | None:
    if raw is None:
        return None
    raw = raw.replace(".", "")
    return raw if raw in ("am", "pm") else DAY_PARTS[raw]


def _values(kind: str, g: dict) -> list[tuple[str, object]]:
    """What one match means: (kind, value) pairs, kind being 'day', 'time' or 'part'."""
    if kind == "day":
        offset, part = DAY_WORDS[_squash(g["w"])]
        return [("day", ("offset", offset))] + ([("part", part)] if part else [])
    if kind == "weekday":
        wd = (WEEKDAYS | WEEKDAYS_EN_SHORT)[g["wd"]]
        next_week = g["pre"] == "next" or (g["suf"] is not None and "ini" not in g["suf"]
                                           and "this" not in g["suf"])
        return [("day", ("weekday", wd, next_week))]
    if kind in ("named", "named_md"):
        return [("day", ("dm", int(g["d"]), MONTHS[g["mon"]], g["y"]))]
    if kind in ("iso", "numeric", "dot_tgl", "dot_year", "dot_late"):
        return [("day", ("dm", int(g["d"]), int(g["m"]), g.get("y")))]
    if kind == "tgl":
        return [("day", ("tgl", int(g["d"])))]
    if kind == "half":
        if g["setengah"]:
            return [("time", _Clock(int(g["h"]), 0, _part(g["part"]), half=True))]
        return [("time", _Clock(int(g["h"]), 30, _part(g["part"])))]
    if kind in ("marked", "ampm", "clock"):
        return [("time", _Clock(int(g["h"]), int(g.get("m") or 0), _part(g["part"])))]
    if kind == "part":
        return [("part", _part(g["part"]))]
    return []  # skip


def _scan(low: str, language: str) -> list[_Hit]:
    hits = []
    for m in _scanner(language).finditer(low):
        kind = m.lastgroup
        prefix = kind + "__"
        groups = {k[len(prefix):]: v for k, v in m.groupdict().items() if k.startswith(prefix)}
        for what, value in _values(kind, groups):
            hits.append(_Hit(m.start(), m.end(), what, value))
    return hits


# --- resolving --------------------------------------------------------------

def _hours(hour: int, part: str | None) -> int | None:
    """Hours from the start of the named day (24-29 are the small hours after it), or None."""
    if hour > 24 or (hour == 24 and part not in (None, "malam")):
        return None
    if part is None:
        return hour
    if part in ("am", "pm"):
        if not 1 <= hour <= 12:
            return None
        return hour % 12 + (12 if part == "pm" else 0)
    if hour == 0:
        return 0 if part == "pagi" else None
    if hour >= 13:  # already 24-hour; only "pagi" contradicts it
        return None if part == "pagi" else hour
    if part == "pagi":
        return hour                          # jam 12 pagi = 12:00, so setengah 12 pagi = 11:30
    if part == "siang":
        return hour + 12 if hour <= 5 else hour   # jam 1 siang = 13:00, jam 11 siang = 11:00
    if part == "sore":
        return hour + 12 if hour < 12 else hour
    # malam: the evening, then midnight and the small hours that belong to the same night
    return hour + 12 if 6 <= hour <= 11 else hour + 24 if hour <= 5 else 24


def _clock(c: _Clock, hint: str | None = None) -> tuple[dt.time, int] | None:
    """(time of day, days after the named day), or None when there is no such time."""
    part = c.part or hint
    hours = _hours(c.hour, part)
    if hours is None or c.minute > 59 or (c.hour == 24 and c.minute):
        return None
    minutes = hours * 60 + c.minute - (30 if c.half else 0)
    if minutes < 0:
        return None
    days, minutes = divmod(minutes, 24 * 60)
    return dt.time(minutes // 60, minutes % 60), days


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except (ValueError, OverflowError):
        return None


def _plus(day: dt.date, days: int) -> dt.date | None:
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        return None


def _moment(day: dt.date, clock: tuple[dt.time, int], tz) -> dt.datetime | None:
    when = _plus(day, clock[1])
    return None if when is None else dt.datetime.combine(when, clock[0], tzinfo=tz)


def _day_month(day: int, month: int, year: str | None, today: dt.date):
    if year is not None:
        date = _date(int(year) + (2000 if len(year) == 2 else 0), month, day)
        if date is None:
            return None, "impossible"
        return date, ("past" if date < today else None)
    if not (1 <= month <= 12 and 1 <= day <= _LONGEST_MONTH[month]):
        return None, "impossible"
    y, error = today.year, None
    if (month, day) < (today.month, today.day):
        # how long ago this year's one was (29/2 of a short year counts as 1/3)
        gone = today - (dt.date(y, month, 1) + dt.timedelta(days=day - 1))
        if gone > PAST_GRACE:
            y += 1
        else:
            error = "past"
    date = _date(y, month, day)
    return (date, error) if date else (None, "impossible")


def _day_of_month(day: int, today: dt.date) -> dt.date | None:
    """The next date, today included, with this day of the month."""
    if not 1 <= day <= 31:
        return None
    y, m = today.year, today.month
    for _ in range(3):  # two months in a row never both lack a day <= 31
        date = _date(y, m, day)
        if date and date >= today:
            return date
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return None


def _resolve_day(value: tuple, now: dt.datetime, clock) -> tuple[dt.date | None, str | None]:
    """(the named day, error) for a day hit; `clock` decides whether today's weekday is gone."""
    today = now.date()
    what = value[0]
    if what == "offset":
        date = _plus(today, value[1])
        return date, ("past" if date is not None and value[1] < 0 else None)
    if what == "weekday":
        _, wd, next_week = value
        if next_week:
            return _plus(today, 7 - today.weekday() + wd), None
        date = _plus(today, (wd - today.weekday()) % 7)
        if date == today and clock is not None:
            moment = _moment(date, clock, now.tzinfo)
            if moment is not None and moment < _minute(now):
                date = _plus(today, 7)
        return date, None
    if what == "dm":
        return _day_month(value[1], value[2], value[3], today)
    date = _day_of_month(value[1], today)
    return date, (None if date else "impossible")


def _agrees(value: tuple, chosen: tuple, now: dt.datetime, clock) -> bool:
    """Whether another day hit means the chosen day; a weekday need only be its weekday."""
    if value[0] == "weekday" and chosen[0] is not None and not value[2]:
        return chosen[0].weekday() == value[1]
    return _resolve_day(value, now, clock) == chosen


def _minute(now: dt.datetime) -> dt.datetime:
    return now.replace(second=0, microsecond=0)


# --- the rest of the text ---------------------------------------------------

# A preposition left in front of a date or time goes with it: "pijat pada sabtu".
_PREPOSITION = re.compile(r"(?<!\w)(?:pada|di|on|at|hari|tanggal|tgl|jam|pukul)\s*$")


def _rest(text: str, low: str, spans: list[tuple[int, int]]) -> str:
    """`text` without the spans taken, in its own case, with spaces and commas tidied."""
    pieces, pos = [], 0
    for start, end in sorted(spans):
        if start < pos:
            pos = max(pos, end)
            continue
        before = _PREPOSITION.search(low[max(pos, start - 12):start])
        if before:
            start = max(pos, start - 12) + before.start()
        pieces.append(text[pos:start])
        pos = end
    pieces.append(text[pos:])
    rest = " ".join(pieces)
    rest = re.sub(r"[\s\x00-\x1f\x7f-\x9f]+", " ", rest)  # control characters count as space
    rest = re.sub(r" ([,.;:!?])", r"\1", rest)          # "bayi , ya" -> "bayi, ya"
    rest = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", rest)  # separators left next to each other
    rest = re.sub(r"[,;:]+(?=[.!?])|\(\s*\)", "", rest)  # "rambut,." -> "rambut."; "( )"
    rest = rest.strip(" ,;:-")
    # "Besok!" leaves "!": nothing a reader needs
    return "" if spans and not rest.strip(".!?") else rest


# --- the whole --------------------------------------------------------------

def _fold(text: str) -> str:
    """Lower case and plain apostrophes, keeping every character where it was."""
    low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return low.translate(_APOSTROPHES)


_APOSTROPHES = str.maketrans("\u2019\u2018`\u00b4", "''''")


def parse_when(text: str, now: dt.datetime, language: str = "id") -> When:
    """The day and time in a customer's text, relative to `now` (aware, shop-local)."""
    text = text if isinstance(text, str) else ""
    low = _fold(text)
    hits = _scan(low, language)
    times = [h for h in hits if h.kind == "time"]
    days = [h for h in hits if h.kind == "day"]
    parts = [h for h in hits if h.kind == "part"]
    spans: list[tuple[int, int]] = []
    impossible = False

    # The time first: whether today's weekday is still to come depends on it.
    clock = None
    if times:
        first = times[0]
        clock = _clock(first.value)
        if first.value.part is None and parts:
            hinted = _clock(first.value, parts[0].value)
            if hinted is not None:  # "besok pagi 14.00": the hint does not fit, so ignore it
                clock = hinted
                spans.append(parts[0][:2])
        impossible = clock is None
        spans += [h[:2] for h in times if h is first or _clock(h.value) == clock]

    date, error = None, None
    if days:
        # A calendar date outranks a weekday or "besok": in "minggu, 29/11" the 29th is meant.
        first = min(days, key=lambda h: (h.value[0] not in ("dm", "tgl"), h.start))
        date, error = _resolve_day(first.value, now, clock)
        spans += [h[:2] for h in days if h is first or _agrees(h.value, (date, error), now, clock)]
        impossible = impossible or error == "impossible"

    time = None
    if clock is not None:
        time = clock[0]
        if date is not None:
            moment = _moment(date, clock, now.tzinfo)
            date = moment.date() if moment else None
            if moment is not None and moment < _minute(now):
                error = error or "past"
    if impossible:
        error = "impossible"
    return When(date, time, _rest(text, low, spans), error)


# The hours a day part means when no clock time comes with it ("jumat sore",
# "Friday afternoon"): the free times offered are those first.
PART_HOURS = {
    "pagi": (5, 11), "morning": (5, 12), "siang": (11, 15), "sore": (15, 19), "afternoon": (12, 18),
    "evening": (17, 22), "malam": (18, 24), "night": (18, 24),
}
_GREETING_PART = re.compile(r"\b(?:selamat|slmt|met|good)\s+(?:pagi|siang|sore|malam|morning|afternoon|evening|night)\b")
_PART_WORD = re.compile(r"\b(" + "|".join(PART_HOURS) + r")\b")


def day_part_hours(text: str) -> tuple[int, int] | None:
    """The hours (from, to) of the day part a text names without a time, if
    any. "Selamat sore" is a greeting, not a wish for the afternoon."""
    low = _GREETING_PART.sub(" ", _fold(text))
    found = _PART_WORD.search(low)
    return PART_HOURS[found.group(1)] if found else None
