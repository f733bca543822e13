"""Shop data staff edit in the UI, read often: keywords, reply templates and
shop settings, cached for a few seconds so every SMS does not hit the
database for them, and refreshed on every change made in this process.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from .clock import utcnow
from .keywords import DEFAULT_KEYWORDS, KeywordTable
from .models import KeywordAlias, ReplyTemplate, ShopSetting

CACHE_SECONDS = 5.0
_lock = threading.Lock()
_cache: dict[str, tuple[float, Any]] = {}


def cached(name: str, load):
    now = time.monotonic()
    with _lock:
        hit = _cache.get(name)
        if hit and now - hit[0] < CACHE_SECONDS:
            return hit[1]
    value = load()
    with _lock:
        _cache[name] = (now, value)
    return value


def invalidate() -> None:
    with _lock:
        _cache.clear()


# -- keywords --------------------------------------------------------------------

def keywords() -> dict[str, dict[str, tuple[str, ...]]]:
    """The keyword data: staff's aliases where a keyword has any, else the defaults."""
    def load():
        data = {k: dict(v) for k, v in DEFAULT_KEYWORDS.items()}
        edited: dict[str, dict[str, list[str]]] = {}
        for row in KeywordAlias.select().order_by(KeywordAlias.id):
            edited.setdefault(row.keyword, {}).setdefault(row.language, []).append(row.alias)
        for keyword, by_language in edited.items():
            data[keyword] = {lang: tuple(aliases) for lang, aliases in by_language.items()}
        return data
    return cached("keywords", load)


def keyword_table(enabled: set[str]) -> KeywordTable:
    data = keywords()
    key = "table:" + ",".join(sorted(enabled))
    return cached(key, lambda: KeywordTable(data, enabled=enabled))


def set_aliases(keyword: str, language: str, aliases: list[str]) -> None:
    """Replace one keyword's aliases in one language (staff edit)."""
    with KeywordAlias._meta.database.atomic():
        if not KeywordAlias.select().where(KeywordAlias.keyword == keyword).exists():
            # The first edit of a keyword copies its defaults, so the other language keeps them.
            for lang, words in DEFAULT_KEYWORDS.get(keyword, {}).items():
                for word in words:
                    KeywordAlias.create(keyword=keyword, language=lang, alias=word)
        KeywordAlias.delete().where((KeywordAlias.keyword == keyword) & (KeywordAlias.language == language)).execute()
        for alias in dict.fromkeys(a.strip().lower() for a in aliases if a.strip()):
            KeywordAlias.create(keyword=keyword, language=language, alias=alias)
    invalidate()


# -- what a reader of free texts needs --------------------------------------------------

def lexicon():
    """The catalogue, taught phrases and staff-made answers, for understand.py."""
    from . import understand
    from .models import InfoAnswer, Product, Service, TaughtPhrase

    def load():
        entries = [understand.entry_for_service(s) for s in Service.select().where(Service.active == True)]  # noqa: E712
        entries += [understand.entry_for_product(p) for p in Product.select().where(Product.active == True)]  # noqa: E712
        taught = {t.phrase: t.intent for t in TaughtPhrase.select()}
        infos = {a.keyword: tuple(" ".join(understand.words(p)) for p in a.phrases.split(",") if p.strip())
                 for a in InfoAnswer.select().where(InfoAnswer.active == True)}  # noqa: E712
        return understand.Lexicon(entries, taught, infos)
    return cached("lexicon", load)


# -- reply templates ----------------------------------------------------------------

def template_overrides() -> dict[tuple[str, str], str]:
    return cached("templates", lambda: {(t.key, t.language): t.text for t in ReplyTemplate.select()})


def set_template(key: str, language: str, text: str | None) -> None:
    """Staff's own wording for a reply; None goes back to the default."""
    ReplyTemplate.delete().where((ReplyTemplate.key == key) & (ReplyTemplate.language == language)).execute()
    if text:
        ReplyTemplate.create(key=key, language=language, text=text, updated_at=utcnow())
    invalidate()


# -- shop settings --------------------------------------------------------------------

def get(name: str, default: Any = None) -> Any:
    values = cached("settings", lambda: {s.name: json.loads(s.value) for s in ShopSetting.select()})
    return values.get(name, default)


def whole(name: str, default: int, lo: int, hi: int) -> int:
    """A whole-number shop setting, kept in a sane range whatever was stored."""
    try:
        value = int(get(name, default))
    except (TypeError, ValueError):
        return default
    return min(hi, max(lo, value))


def put(name: str, value: Any) -> None:
    ShopSetting.insert(name=name, value=json.dumps(value), updated_at=utcnow()).on_conflict(
        conflict_target=[ShopSetting.name], update={ShopSetting.value: json.dumps(value),
                                                    ShopSetting.updated_at: utcnow()}).execute()
    invalidate()


# -- settings the owner changes in the UI ---------------------------------------------------
# A few of the box's settings belong to the shop rather than to the box: its
# name, its time zone, quiet hours, caps. The wizard and the settings page
# store them here; they apply above the config file, but a value pinned by
# the environment or the command line (the technician's) still wins.
UI_SETTINGS = ("shop_name", "timezone", "default_language", "quiet_hours", "daily_cap", "rate_per_minute",
               "replies_per_hour")
_PINNED_SOURCES = ("command line",)


def ui_overrides() -> dict:
    return {name: value for name, value in (get("settings") or {}).items() if name in UI_SETTINGS}


def pinned(settings, name: str) -> bool:
    source = settings.source(name)
    return source in _PINNED_SOURCES or source.startswith("LOKET_")


def live(settings):
    """The settings with the owner's changes applied (cached briefly)."""
    overrides = {k: v for k, v in ui_overrides().items() if not pinned(settings, k)}
    if not overrides:
        return settings
    try:
        return settings.replace(**overrides)
    except ValueError:
        return settings  # a stored value this version refuses: keep the box's own


def save_ui_settings(settings, changes: dict) -> None:
    """Validate (via the settings table) and store the owner's changes."""
    settings.replace(**changes)  # raises SettingsError with the reason
    stored = {**(get("settings") or {}), **changes}
    put("settings", stored)
