"""Numbers, Rupiah, dates and times as the reader writes them: Babel's
`id`/`en` locale data, every time in the shop's time zone.

One place for every format the pages show (web.render hands these to the
templates as `number`, `money`, `day`, `clock`, `when`, `ago`, `until`,
`phone`). Babel is imported on the first page that formats something, not at
start: the web process stays small while it waits.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from appliance import clock
from appliance.phone import display as phone  # noqa: F401  (re-exported: 0812-3456-7890)

from .i18n import N_, marked, translate
from .labels import LABELS


@lru_cache(maxsize=None)
def _locale(language: str):
    from babel import Locale
    return Locale.parse("id" if language == "id" else "en")


def number(value, language: str) -> str:
    """1.240 in Indonesian, 1,240 in English."""
    if value is None:
        return ""
    from babel.numbers import format_decimal
    return format_decimal(value, locale=_locale(language))


def money(value, language: str) -> str:
    """Rp 85.000 (Rp 85,000 in English): the shop's money, whole Rupiah."""
    if value is None:
        return ""
    sign = "-" if value < 0 else ""
    return f"{sign}Rp {number(abs(value), language)}"


def day(value: dt.date | dt.datetime | str | None, language: str, tz: dt.tzinfo | None = None, year: bool = False) -> str:
    """Kam, 3 Des (Thu, 3 Dec); a datetime is read in the shop's zone."""
    if not value:
        return ""
    if isinstance(value, str):  # an ISO date, as settings and status files keep them
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        value = clock.local(value, tz).date() if tz else value.date()
    from babel.dates import format_date
    return marked(format_date(value, "EEE, d MMM y" if year else "EEE, d MMM", locale=_locale(language)))


def time_of_day(value: dt.datetime | None, language: str, tz: dt.tzinfo) -> str:
    """14.05 in Indonesian, 14:05 in English (each locale's 24-hour clock), in the shop's zone."""
    if value is None:
        return ""
    from babel.dates import format_skeleton
    return marked(format_skeleton("Hm", clock.local(value, tz), locale=_locale(language)))


def when(value: dt.datetime | None, language: str, tz: dt.tzinfo, now: dt.datetime | None = None) -> str:
    """A moment as staff read it: the time for today, the day and time within
    the year, the full date otherwise. Never UTC."""
    if value is None:
        return ""
    local = clock.local(value, tz)
    today = clock.local(now or clock.utcnow(), tz).date()
    if local.date() == today:
        return time_of_day(value, language, tz)
    return f"{day(local.date(), language, year=local.year != today.year)} {time_of_day(value, language, tz)}"


def ago(minutes: int | float | None, language: str) -> str:
    """5 menit yang lalu / 5 minutes ago."""
    if minutes is None:
        return "?"
    from babel.dates import format_timedelta
    return marked(format_timedelta(dt.timedelta(minutes=-max(0, minutes)), add_direction=True, threshold=1.5,
                                   locale=_locale(language)))


def until(moment: dt.datetime | None, language: str, now: dt.datetime | None = None) -> str:
    """'2 j 5 mnt' ahead, or '-40 mnt' when overdue: an SLA timer, short words from the catalogs."""
    if moment is None:
        return ""
    minutes = int((moment - (now or clock.utcnow())).total_seconds() // 60)
    sign, minutes = ("-" if minutes < 0 else ""), abs(minutes)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        text = translate(N_("{days} d {hours} h"), language).format(days=days, hours=hours)
    elif hours:
        text = translate(N_("{hours} h {minutes} min"), language).format(hours=hours, minutes=minutes)
    else:
        text = translate(N_("{minutes} min"), language).format(minutes=minutes)
    return sign + text


def points_reason(entry, language: str) -> str:
    """Why points changed: the box's own reasons in the reader's words and
    money; what staff typed, as typed."""
    reason = entry.reason or ""
    if entry.source == "purchase" and reason.rsplit(" ", 1)[-1].isdigit():
        return translate(N_("purchase of {amount}"), language).format(amount=money(int(reason.rsplit(" ", 1)[-1]), language))
    if reason in ("visit", "redeemed"):
        return translate({"visit": N_("visit"), "redeemed": N_("redeemed")}[reason], language)
    return reason


def problem(exc: BaseException, language: str | None) -> str:
    """A domain refusal (appliance/words.py) in the reader's language: the
    pattern translated, then filled with values in the reader's words (a
    status through the label table, a date through Babel)."""
    text = exc.args[0] if exc.args else str(exc)
    pattern = getattr(text, "pattern", None)
    if pattern is None:
        return translate(str(text), language)
    values = {}
    for name, value in text.values.items():
        if isinstance(value, dt.date):
            value = day(value, language or "en")
        elif isinstance(value, str) and re.fullmatch(r"\+[1-9][0-9]{6,14}", value):
            value = phone(value)  # 0812-3456-7890
        elif isinstance(value, str):
            value = translate(LABELS.get(value, value), language)
        values[name] = value
    return re.sub(r"\{(\w+):[^}]*\}", r"{\1}", translate(pattern, language)).format(**values)
