"""Words for an SMS that several services share: day labels customers read
at a glance, and staff text made safe for a GSM-7 reply."""

from __future__ import annotations

import datetime as dt
import unicodedata

WEEKDAYS = {
    "id": ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
RELATIVE = {"id": ("hari ini", "besok"), "en": ("today", "tomorrow")}



def day_label(day: dt.date, today: dt.date, language: str) -> str:
    """'besok 24/11', 'hari ini 23/11', 'Kamis 26/11': short and unambiguous."""
    language = language if language in WEEKDAYS else "id"
    delta = (day - today).days
    if delta in (0, 1):
        word = RELATIVE[language][delta]
    else:
        word = WEEKDAYS[language][day.weekday()]
    return f"{word} {day.day}/{day.month}"


def cut(text: str, limit: int) -> str:
    """At most `limit` characters; a cut text ends in "..."."""
    text = text or ""
    return text if len(text) <= limit else text[:limit - 3].rstrip() + "..."


def gsm_safe(text: str) -> str:
    """Service names are staff text: keep replies GSM-7 (no accents, no emoji)."""
    folded = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in folded if ch.isascii() and (ch.isprintable() or ch == " ")).strip() or "?"
