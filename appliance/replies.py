"""Reply templates, in the customer's language.

Every default reply fits one GSM-7 SMS (160 characters, no accents or
emoji) once its placeholders are filled with typical values; a test checks.
Placeholders a template does not know are left visible rather than failing,
so a staff edit can never stop a reply from going out.
"""

from __future__ import annotations

import string

LANGUAGES = ("id", "en")

DEFAULT_TEMPLATES: dict[str, dict[str, str]] = {
    "help": {
        "id": "{shop}: Anda bisa ketik {commands}. Ketik BERHENTI untuk berhenti menerima promo dan pengingat.",
        "en": "{shop}: you can text {commands}. Text STOP to stop promotions and reminders.",
    },
    "stop": {
        "id": "{shop}: Anda tidak akan menerima promo dan pengingat lagi. Ketik MULAI untuk berlangganan kembali.",
        "en": "{shop}: you will no longer get promotions or reminders. Text START to subscribe again.",
    },
    "start": {
        "id": "{shop}: terima kasih, Anda akan menerima pengingat dan promo. Ketik BERHENTI kapan saja.",
        "en": "{shop}: thank you, you will get reminders and promotions. Text STOP at any time.",
    },
    "unknown": {
        "id": "{shop}: pesan Anda sudah kami terima dan akan dibalas staf. Ketik BANTUAN untuk daftar perintah.",
        "en": "{shop}: we got your message and our staff will answer. Text HELP for the list of commands.",
    },
    "status_how": {
        "id": "{shop}: ketik STATUS dan nomornya, contoh: STATUS T-0042 atau STATUS O-1001.",
        "en": "{shop}: text STATUS and the number, for example STATUS T-0042 or STATUS O-1001.",
    },
    "throttled": {
        "id": "{shop}: pesan Anda sudah kami terima; staf kami akan membalas langsung.",
        "en": "{shop}: we got your messages; a member of our staff will answer you in person.",
    },
    "ambiguous": {
        "id": "{shop}: maksud Anda {choices}? Silakan kirim ulang dengan kata yang benar.",
        "en": "{shop}: did you mean {choices}? Please send again with the right word.",
    },
}


# What each reply is for, as the Settings page groups them: key -> purpose,
# given where the reply is registered (conversation.templates(..., purpose=)).
PURPOSES = ("basics", "bookings", "queue", "orders", "tickets", "quality", "staff", "points", "reminders", "freetext")
PURPOSE_OF: dict[str, str] = {key: "basics" for key in DEFAULT_TEMPLATES}


class _Lenient(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(template: str, **values: object) -> str:
    """Fill placeholders; unknown ones stay as written, stray braces survive."""
    try:
        return string.Formatter().vformat(template, (), _Lenient(values))
    except (ValueError, IndexError, AttributeError):
        return template  # a malformed template is sent as written


def register(templates: dict[str, dict[str, str]], purpose: str | None = None) -> None:
    """Services add their default replies here, at import."""
    for key, by_language in templates.items():
        if key in DEFAULT_TEMPLATES and DEFAULT_TEMPLATES[key] != by_language:
            raise ValueError(f"reply template {key!r} is defined twice")
        DEFAULT_TEMPLATES[key] = by_language
        PURPOSE_OF[key] = purpose or PURPOSE_OF.get(key) or "other"


def placeholders(template: str) -> list[str] | None:
    """The {names} a text uses, in order, once each; None when its braces do
    not parse (a lone "{"), or a field is more than a plain name ({0}, {a.b}, {a:>5})."""
    names: list[str] = []
    try:
        for _literal, field, spec, conversion in string.Formatter().parse(template):
            if field is None:
                continue
            if not field.isidentifier() or spec or conversion:
                return None
            if field not in names:
                names.append(field)
    except ValueError:
        return None
    return names


def template_for(key: str, language: str | None, overrides: dict | None = None) -> str:
    """Staff's version if there is one, else the default; the shop's language
    if the customer's has no text."""
    language = language or "id"
    if overrides is None:
        from .shopdata import (
            template_overrides,  # the store, cached; imported late: it needs the models
        )
        overrides = template_overrides()
    for lang in (language, "id", "en"):
        if (key, lang) in overrides:
            return overrides[(key, lang)]
        if lang in DEFAULT_TEMPLATES.get(key, {}):
            return DEFAULT_TEMPLATES[key][lang]
    raise KeyError(f"no reply template {key!r}")


# The replies that ask the customer to pay: every one ends with where to pay
# (the shop's `payment_instructions`), whichever path sends it.
ASKS_TO_PAY: set[str] = set()


def asks_to_pay(*keys: str) -> None:
    ASKS_TO_PAY.update(keys)


def pay_to(language: str | None) -> str:
    """' Bayar ke: BCA 1234567890 a.n. Jaya Motor.' when the shop set where to pay, else ""."""
    from .shopdata import setting  # late: it needs the models
    where = (setting("payment_instructions") or "").strip().rstrip(".")
    return " " + render(template_for("pay_to", language), where=where) if where else ""


def reply(key: str, language: str | None, templates: dict[str, dict[str, str]] | None = None,
          **values: object) -> str:
    if templates is not None:
        by_language = templates[key]
        template = by_language.get(language or "id") or next(iter(by_language.values()))
    else:
        template = template_for(key, language)
    text = render(template, **values)
    return text + pay_to(language) if key in ASKS_TO_PAY else text
