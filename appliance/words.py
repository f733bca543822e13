"""Refusals people read, in the staff's language: the domain writes English
and marks it for the catalogs (webui/locale); the web UI translates.

`N_("...")` marks a fixed message. `say(N_("{name} is fully booked"), name=...)`
keeps the pattern beside the filled-in English, so a page can translate the
pattern first and fill it in after (no catalog holds every service's name).
"""

from __future__ import annotations


def N_(text: str) -> str:
    return text


class Said(str):
    """English text that remembers its pattern and values (see `say`)."""

    pattern: str
    values: dict


def say(pattern: str, **values) -> Said:
    text = Said(pattern.format(**values))
    text.pattern, text.values = pattern, values
    return text
