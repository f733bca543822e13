"""The staff UI in Indonesian and English, per user, through gettext catalogs.

Code writes English: `t("...")` in templates and `web.t(...)` in page code;
tables of labels mark theirs with `N_()` so the extractor finds them. The
catalogs are `webui/locale/<language>/LC_MESSAGES/loket.po` (Babel's format,
in the repo), compiled to `.mo` at build (`./dev setup`, the wheel). A source
checkout without `.mo` files compiles the `.po` in memory, so a page never
shows a stale catalog. `./dev i18n` extracts new strings into both catalogs.
"""

from __future__ import annotations

import gettext
import io
import os
import re
from functools import lru_cache

LANGUAGES = ("id", "en")
DOMAIN = "loket"
LOCALE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "locale")


def N_(text: str) -> str:
    """Marks a string for the catalogs where it is written; translated where shown."""
    return text


def catalog_path(language: str, suffix: str = ".po") -> str:
    return os.path.join(LOCALE_DIR, language, "LC_MESSAGES", DOMAIN + suffix)


@lru_cache(maxsize=None)
def translations(language: str) -> gettext.NullTranslations:
    po, mo = catalog_path(language), catalog_path(language, ".mo")
    try:
        if os.path.exists(mo) and (not os.path.exists(po) or os.path.getmtime(mo) >= os.path.getmtime(po)):
            with open(mo, "rb") as compiled:
                return gettext.GNUTranslations(compiled)
        if os.path.exists(po):
            return gettext.GNUTranslations(io.BytesIO(compile_po(po)))
    except OSError:
        pass
    return gettext.NullTranslations()


def compile_po(po: str) -> bytes:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    with open(po, "rb") as source:
        catalog = read_po(source)
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def compile_all() -> list[str]:
    """`.po` -> `.mo` beside it, for every language: the build step."""
    written = []
    for language in LANGUAGES:
        target = catalog_path(language, ".mo")
        with open(target, "wb") as compiled:
            compiled.write(compile_po(catalog_path(language)))
        written.append(target)
    translations.cache_clear()
    return written


# LOKET_I18N_MARK=1 (tests only): every string found in the catalog comes
# back between two invisible marks, so a test can see what a page shows that
# no catalog holds (tests/test_page_words.py).
MARK = os.environ.get("LOKET_I18N_MARK") == "1"
OPEN, CLOSE = "\u2060", "\u2063"


def translate(text: str, language: str | None) -> str:
    if not text:
        return text
    catalog = translations(language if language in LANGUAGES else "en")
    if MARK and text in getattr(catalog, "_catalog", {}):
        return OPEN + catalog.gettext(text) + CLOSE
    return catalog.gettext(text)


def marked(text: str) -> str:
    """A Babel-made date or time, marked like a translation under LOKET_I18N_MARK."""
    return OPEN + text + CLOSE if MARK and text else text


def known(text: str, language: str = "id") -> bool:
    """Whether the catalog has `text` with a translation (the tests' question)."""
    return text in translations(language)._catalog  # type: ignore[attr-defined]


# The owner's settings (owner=True in appliance/settings.py) on the Settings
# pages: name -> English label. A test keeps it in step with the table.
SETTING_LABELS = {
    'shop_name': N_('Name in every SMS'),
    'shop_address': N_('Address, for customers who ask where the shop is'),
    'shop_phone': N_('Phone, printed on invoices and receipts'),
    'payment_instructions': N_('Where to pay, in every SMS asking for payment'),
    'timezone': N_('Time zone'),
    'default_language': N_('Language of new customers and staff'),
    'quiet_hours': N_('Quiet hours (HH:MM-HH:MM, empty for none)'),
    'daily_cap': N_('SMS per SIM per day (0: no cap)'),
    'rate_per_minute': N_('SMS per modem per minute (0: no limit)'),
    'replies_per_hour': N_('Automatic replies per phone per hour'),
    'sms_price': N_('Price of one SMS part (Rp; empty: the SIM operator price)'),
    'booking_offer_slots': N_('Times offered in one SMS (1 to 5)'),
    'booking_max_days': N_('Bookings at most this many days ahead'),
    'booking_search_days': N_('Look this many days ahead for a free time'),
    'booking_offer_minutes': N_('Offered times stand for (minutes)'),
    'queue_notify_ahead': N_('Tell a customer when this many are ahead'),
    'queue_counters': N_('Customers served at once'),
    'order_unpaid_days': N_('Days to pay an order'),
    'order_claim_grace_hours': N_('Hours to pay right after a rejected payment'),
    'order_steps': N_('Steps between paid and shipped'),
    'order_packed_sms': N_('Text the customer when the order is packed'),
    'points_per_visit': N_('Points per visit'),
    'points_per_rupiah': N_('1 point per Rp'),
    'reminder_hours': N_('Remind this many hours before a booking (such as 24, 2)'),
    'comeback_hour': N_('Come-back reminders from this hour'),
    'comeback_window_days': N_('Send a late come-back reminder up to (days)'),
    'satisfaction_survey': N_('Ask customers to score us 1-5 after a ticket or a visit'),
    'visits_morning_hour': N_("Technicians get the day's visits by SMS from this hour"),
    'ticket_first_number': N_('Number of the first ticket'),
    'ticket_default_category': N_('Category when no words match'),
    'ticket_response_minutes': N_('First answer within (minutes)'),
    'ticket_resolution_minutes': N_('Resolved within (minutes)'),
    'ticket_warn_percent': N_('Warn when this % of the time has gone'),
    'sim_pin': N_('SIM PIN'),
    'credit_check_hours': N_('Ask the SIM credit every (hours, 0: never)'),
    'balance_code': N_('Balance code (empty: the operator code)'),
    'credit_warn_below': N_('Warn when credit is below (Rp)'),
    'credit_warn_days': N_('Warn this many days before the SIM active period ends'),
    'missed_call_action': N_('A missed call: queue, callback or ignore'),
}
# The groups of the settings table, as the Settings pages title them.
GROUP_LABELS = [N_('The shop'), N_('Sending SMS'), N_('Bookings'), N_('The waiting queue'), N_('Orders'), N_('Points'), N_('Reminders'), N_('Tickets'), N_('The modem'), N_('The box'), N_('Staff logins'), N_('Updates')]
N_("Set in the box's configuration; change it there.")

# What a customer's text meant (appliance/understand.py INTENTS, and "info"
# for a staff-made answer), as staff read it: intent -> English label.
# A test keeps it in step with the reader's intents.
INTENT_LABELS = {
    'book': N_('booking'),
    'price': N_('price'),
    'hours': N_('opening hours'),
    'location': N_('where the shop is'),
    'cancel': N_('cancel'),
    'move': N_('move a booking'),
    'queue': N_('join the queue'),
    'points': N_('points'),
    'complain': N_('complaint'),
    'opt_out': N_('stop promotions'),
    'opt_in': N_('promotions again'),
    'order': N_('order goods'),
    'pay': N_('has paid'),
    'order_status': N_('order status'),
    'ticket_status': N_('ticket status'),
    'register': N_('register'),
    'thanks': N_('thanks'),
    'greeting': N_('greeting'),
    'help': N_('asks for help'),
    'unclear': N_('not understood'),
    'info': N_('answer'),
}


def intent_label(intent: str, language: str | None) -> str:
    return translate(INTENT_LABELS.get(intent, intent), language)


# Why the settings table refused a value, in Indonesian (its validators speak English).
_REASONS = [
    (r"must be between (\S+) and (\S+)", r"harus antara \1 dan \2"),
    (r"expected a whole number", "harus bilangan bulat"),
    (r"expected a number", "harus angka"),
    (r"expected text", "harus teks"),
    (r"must not be empty", "tidak boleh kosong"),
    (r"expected id or en", "pilih id atau en"),
    (r"unknown time zone (.*) \(try Asia/Jakarta\)", r"zona waktu \1 tidak dikenal (coba Asia/Jakarta)"),
    (r"expected HH:MM-HH:MM, for example 21:00-08:00, or empty for none",
     "tulis JJ:MM-JJ:MM, misalnya 21:00-08:00, atau kosongkan"),
    (r"expected whole hours separated by commas, such as 24, 2", "tulis jam dipisah koma, misalnya 24, 2"),
    (r"hour (\S+): ", r"jam \1: "),
    (r"a SIM PIN has 4 to 8 digits, or empty for none", "PIN SIM terdiri dari 4 sampai 8 angka, atau kosong"),
    (r"expected a USSD code such as \*888#, or empty", "tulis kode USSD seperti *888#, atau kosongkan"),
    (r"expected one of (.*)", r"pilih salah satu: \1"),
]


def reason_in(reason: str, language: str | None) -> str:
    if language != "id":
        return reason
    for pattern, replacement in _REASONS:
        reason = re.sub(pattern, replacement, reason)
    return reason


