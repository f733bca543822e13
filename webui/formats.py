"""Numbers, Rupiah, dates and times as the reader writes them: CLDR's
`id`/`en` data from Babel, every time in the shop's time zone.

One place for every format the pages show (web.render hands these to the
templates as `number`, `money`, `day`, `clock`, `when`, `ago`, `until`,
`phone`). The locale data is Babel's, kept as a small table (webui/cldr.py,
written by `./dev i18n`; a test holds it to Babel's own formatting): loading
Babel's data would grow the web process by 5 MB to write a date.
"""

from __future__ import annotations

import datetime as dt
import re

from appliance import clock
from appliance.phone import display as phone  # noqa: F401  (re-exported: 0812-3456-7890)

from .cldr import TABLE
from .i18n import N_, marked, translate
from .labels import LABELS


def _cldr(language: str) -> dict:
    return TABLE["id" if language == "id" else "en"]


def number(value, language: str) -> str:
    """1.240 in Indonesian, 1,240 in English; one decimal for a fraction (0,5 MB)."""
    if value is None:
        return ""
    data = _cldr(language)
    text = f"{value:,.1f}" if isinstance(value, float) and not value.is_integer() else f"{int(value):,}"
    return text.replace(",", "\0").replace(".", data["decimal"]).replace("\0", data["group"])


def money(value, language: str) -> str:
    """Rp 85.000 (Rp 85,000 in English): the shop's money, whole Rupiah."""
    if value is None:
        return ""
    sign = "-" if value < 0 else ""
    return f"{sign}Rp {number(abs(value), language)}"


def day(value: dt.date | dt.datetime | str | None, language: str, tz: dt.tzinfo | None = None,
        year: bool = False) -> str:
    """Kam, 3 Des (Thu, 3 Dec): CLDR's "EEE, d MMM"; a datetime is read in the shop's zone."""
    if not value:
        return ""
    if isinstance(value, str):  # an ISO date, as settings and status files keep them
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        value = clock.local(value, tz).date() if tz else value.date()
    data = _cldr(language)
    text = f"{data['days'][value.weekday()]}, {value.day} {data['months'][value.month - 1]}"
    return marked(f"{text} {value.year}" if year else text)


def month(value: dt.date, language: str) -> str:
    """Des 2026 (Dec 2026 in English): a month as a report's row."""
    return marked(f"{_cldr(language)['months'][value.month - 1]} {value.year}")


def time_of_day(value: dt.datetime | None, language: str, tz: dt.tzinfo) -> str:
    """14.05 in Indonesian, 14:05 in English (each locale's 24-hour clock), in the shop's zone."""
    if value is None:
        return ""
    local = clock.local(value, tz)
    return marked(_cldr(language)["time"].replace("HH", f"{local.hour:02d}").replace("mm", f"{local.minute:02d}"))


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
    """5 menit yang lalu / 5 minutes ago: minutes up to an hour and a half, then hours, then days."""
    if minutes is None:
        return "?"
    if minutes < 1:
        return translate(N_("just now"), language)
    count, unit = ((round(minutes), "minute") if minutes < 90 else
                   (round(minutes / 60), "hour") if minutes < 36 * 60 else (round(minutes / 1440), "day"))
    patterns = _cldr(language)["ago"][unit]
    return marked(patterns["one" if count == 1 and "one" in patterns else "other"].replace("{0}", str(count)))


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
    amount = reason.rsplit(" ", 1)[-1]
    if entry.source == "purchase" and amount.isdigit():  # "purchase of 85000" (appliance/loyalty.py)
        return translate(N_("purchase of {amount}"), language).format(amount=money(int(amount), language))
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
        if getattr(value, "pattern", None):  # a refusal inside a refusal: item 2: not a valid number
            value = problem(ValueError(value), language)
        elif isinstance(value, dt.date):
            value = day(value, language or "en")
        elif isinstance(value, str) and re.fullmatch(r"\+[1-9][0-9]{6,14}", value):
            value = phone(value)  # 0812-3456-7890
        elif isinstance(value, str):
            value = translate(LABELS.get(value, value), language)
        values[name] = value
    return re.sub(r"\{(\w+):[^}]*\}", r"{\1}", translate(pattern, language)).format(**values)
