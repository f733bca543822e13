"""Recognising what a customer texted: pure functions over keyword data.

Customers type on cheap phones, in a hurry, in Indonesian or English:
case, extra spaces, punctuation and a small typo are forgiven ("BOKING",
"antri.", "Poin?"). A typo equally close to two keywords is reported as
ambiguous so the reply can ask which one was meant. Opting out is honoured
generously: "stop", "Stop please", "tolong berhenti" all count.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata

# keyword -> language -> aliases. Staff may edit these (they are data); the
# first alias of each language is the one shown in help texts.
DEFAULT_KEYWORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "BOOK": {"en": ("book", "booking", "reserve"), "id": ("pesan", "reservasi")},
    "CANCEL": {"en": ("cancel",), "id": ("batal", "batalkan")},
    "MOVE": {"en": ("move", "reschedule"), "id": ("ubah", "pindah", "geser")},
    "QUEUE": {"en": ("queue",), "id": ("antri", "antre", "antrian")},
    "POINTS": {"en": ("points", "point"), "id": ("poin",)},
    "COMPLAIN": {"en": ("complain", "complaint"), "id": ("keluhan", "komplain", "lapor")},
    "STATUS": {"en": ("status",), "id": ("cek",)},
    "PAY": {"en": ("pay", "paid"), "id": ("bayar",)},
    "ORDER": {"en": ("order", "buy"), "id": ("beli", "order")},
    "REG": {"en": ("reg", "register"), "id": ("daftar",)},
    "STOP": {"en": ("stop", "unsubscribe", "optout"), "id": ("berhenti", "stop")},
    "START": {"en": ("start", "subscribe"), "id": ("mulai",)},
    "HELP": {"en": ("help", "info", "menu"), "id": ("bantuan", "tolong", "bantu")},
}

# What staff (technicians) text from their own phones about a ticket:
# "OK T-0042", "JALAN T-0042", "SELESAI T-0042 ganti kabel".
STAFF_KEYWORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "ACCEPT": {"en": ("ok", "accept"), "id": ("terima", "siap")},
    "ONTHEWAY": {"en": ("onway", "omw", "going"), "id": ("jalan", "otw", "berangkat")},
    "DONE": {"en": ("done", "resolved", "fixed"), "id": ("selesai", "beres")},
    "PENDING": {"en": ("pending", "wait"), "id": ("tunda", "tunggu")},
}

# Keywords honoured anywhere in a short text, not only as its first word.
ANYWHERE = frozenset({"STOP"})
ANYWHERE_MAX_WORDS = 4


@dataclasses.dataclass(frozen=True)
class Match:
    """What a text means. `keyword` is None for an unknown or empty text."""

    keyword: str | None
    args: str = ""
    language: str | None = None  # language of the alias used, when it tells
    kind: str = "exact"  # exact | typo | ambiguous | unknown | empty
    suggestions: tuple[str, ...] = ()

    @property
    def known(self) -> bool:
        return self.keyword is not None


def fold(text: str) -> str:
    """Lower case, accents off, punctuation and symbols to spaces, one space."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^\w]+", " ", text.casefold())
    return " ".join(text.replace("_", " ").split())


def distance(a: str, b: str, limit: int = 2) -> int:
    """Edit distance with adjacent swaps (optimal string alignment).

    Returns limit + 1 as soon as the distance is known to exceed `limit`.
    """
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def _tolerance(word: str) -> int:
    # Short words are too easily another word: "pay"/"day", "reg"/"red".
    if len(word) < 4:
        return 0
    return 1 if len(word) < 7 else 2


class KeywordTable:
    """An index of aliases built once from keyword data."""

    def __init__(self, keywords: dict[str, dict[str, tuple[str, ...]]] | None = None,
                 enabled: set[str] | None = None):
        self.keywords = keywords or DEFAULT_KEYWORDS
        self.aliases: dict[str, tuple[str, str | None]] = {}
        for keyword, by_language in self.keywords.items():
            if enabled is not None and keyword not in enabled:
                continue
            for language, aliases in by_language.items():
                for alias in aliases:
                    alias = fold(alias)
                    if alias in self.aliases and self.aliases[alias][0] == keyword:
                        # The same word in both languages tells no language.
                        self.aliases[alias] = (keyword, None)
                    else:
                        self.aliases[alias] = (keyword, language)

    @property
    def enabled_keywords(self) -> set[str]:
        """The keywords this table answers (the shop's kind may switch some off)."""
        return {keyword for keyword, _ in self.aliases.values()}

    def first_alias(self, keyword: str, language: str) -> str:
        aliases = self.keywords[keyword].get(language) or next(iter(self.keywords[keyword].values()))
        return aliases[0].upper()

    def match(self, text: str) -> Match:
        words = fold(text).split()
        if not words:
            # Blank, or only emoji and punctuation: nothing to read either way.
            return Match(None, kind="empty" if not (text or "").strip() else "unknown")
        first, rest = words[0], " ".join(words[1:])
        args = _args_after_first_word(text)

        # An opt-out wins over everything else in a short text: "tolong
        # berhenti" is a request to stop, not a request for help.
        if len(words) <= ANYWHERE_MAX_WORDS:
            for word in words:
                hit = self.aliases.get(word)
                if hit and hit[0] in ANYWHERE:
                    return Match(hit[0], "", hit[1])

        if first in self.aliases:
            keyword, language = self.aliases[first]
            return Match(keyword, args, language)

        limit = _tolerance(first)
        if limit:
            best: dict[str, tuple[int, str | None]] = {}
            for alias, (keyword, language) in self.aliases.items():
                d = distance(first, alias, limit)
                if d <= limit and (keyword not in best or d < best[keyword][0]):
                    best[keyword] = (d, language)
            if best:
                closest = min(d for d, _ in best.values())
                winners = sorted(k for k, (d, _) in best.items() if d == closest)
                if len(winners) == 1:
                    return Match(winners[0], args, best[winners[0]][1], kind="typo")
                return Match(None, args, None, kind="ambiguous", suggestions=tuple(winners))
        return Match(None, rest, None, kind="unknown")


def _args_after_first_word(text: str) -> str:
    """The original text after its first word, spacing tidied, case kept."""
    stripped = (text or "").strip()
    parts = re.split(r"[\s.,!?:;]+", stripped, maxsplit=1)
    return " ".join(parts[1].split()) if len(parts) > 1 else ""
