"""Shop data staff edit in the UI, read often: keywords, reply templates and
the owner's settings, cached for a few seconds so every SMS does not hit the
database for them, and refreshed on every change made in this process.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any

from . import settings as settings_table
from .clock import utcnow
from .keywords import DEFAULT_KEYWORDS, KeywordTable
from .models import KeywordAlias, ReplyTemplate, ShopSetting

log = logging.getLogger("loket")
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


# -- shop bookkeeping ------------------------------------------------------------------
# Loose rows for what Loket notes about itself (the demo it seeded, the kind of
# shop the wizard was told). A preference a person sets is a setting: below.

def get(name: str, default: Any = None) -> Any:
    values = cached("settings", lambda: {s.name: json.loads(s.value) for s in ShopSetting.select()})
    return values.get(name, default)


def put(name: str, value: Any) -> None:
    ShopSetting.insert(name=name, value=json.dumps(value), updated_at=utcnow()).on_conflict(
        conflict_target=[ShopSetting.name], update={ShopSetting.value: json.dumps(value),
                                                    ShopSetting.updated_at: utcnow()}).execute()
    invalidate()


# -- settings the owner changes in the UI ---------------------------------------------------
# The settings table marks the ones that belong to the shop rather than to the
# box (owner=True): its name, time zone, quiet hours, caps, how bookings, the
# queue, orders, points, reminders and tickets behave. The wizard and the
# Settings page store the owner's values in one row, "settings"; they apply
# above the config file, but a value pinned by the environment or the command
# line (the technician's) still wins.
UI_SETTINGS = tuple(s.name for s in settings_table.SETTINGS if s.owner)
STORED = "settings"  # the ShopSetting row that holds the owner's values
_PINNED_SOURCES = ("command line",)
_box = None  # this process's own settings (use())


def use(box_settings) -> None:
    """Wire the process's settings in once (the CLI's wiring and the web app do),
    so domain code can ask `setting(name)` without carrying them around."""
    global _box
    _box = box_settings


def ui_overrides() -> dict:
    """The owner's values as stored."""
    return {name: value for name, value in (get(STORED) or {}).items() if name in UI_SETTINGS}


def _owner_values() -> dict:
    """The owner's values this version accepts, as Loket uses them. One it
    refuses (stored by another version) is left out: the box's own applies."""
    def load():
        values = {}
        for name, value in ui_overrides().items():
            try:
                values[name] = settings_table.check(name, value, "the settings page")
            except settings_table.SettingsError as exc:
                log.warning("ignoring the stored %s", exc)
        return values
    return cached("owner", load)


def pinned(box_settings, name: str) -> bool:
    source = box_settings.source(name)
    return source in _PINNED_SOURCES or source.startswith("LOKET_")


def live(box_settings=None):
    """The settings with the owner's changes applied (cached briefly)."""
    box_settings = box_settings or _box or settings_table.defaults()
    overrides = {k: v for k, v in _owner_values().items() if not pinned(box_settings, k)}
    return box_settings.with_values(overrides, "the settings page") if overrides else box_settings


def setting(name: str) -> Any:
    """One setting's live value: the owner's (unless pinned), else the box's
    config or environment, else the default."""
    box_settings = _box or settings_table.defaults()
    if name in UI_SETTINGS and not pinned(box_settings, name):
        owner = _owner_values()
        if name in owner:
            return owner[name]
    return getattr(box_settings, name)


def save_ui_settings(changes: dict) -> None:
    """Validate each change through the settings table and store the owner's
    values; SettingsError names the first one refused, and nothing is stored.
    A value the box pins is stored too: it applies once the pin is gone."""
    checked = {}
    for name, value in changes.items():
        if name not in UI_SETTINGS:
            raise settings_table.SettingsError(f"setting {name} is not one the owner changes", name,
                                               "not one the owner changes")
        value = settings_table.check(name, value, "the settings page")
        checked[name] = list(value) if isinstance(value, tuple) else value
    put(STORED, {**(get(STORED) or {}), **checked})
