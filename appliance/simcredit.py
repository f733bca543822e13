"""The SIM's money and life: its prepaid credit and the day its active period ends.

Prepaid SIMs run out of credit, and expire when they are not topped up; then
the shop is silent. The worker asks the operator by USSD (each Indonesian
operator's code is data below), reads the credit in rupiah and the
active-until date from the reply (or from the operator's own balance SMS),
keeps the latest reading per modem, warns the owner once a day when it is
low or ending, and holds promotions that the credit cannot pay for.

The reader never guesses: a reply it does not recognise is "unknown", and an
unknown credit holds nothing and warns of nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re

from .conversation import templates

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Operator:
    key: str
    name: str
    code: str  # the USSD balance code
    names: tuple[str, ...]  # how +COPS and the operator's SMS sender name it (upper case)
    networks: tuple[str, ...]  # MCC+MNC: the first five digits of the SIM's IMSI
    # Rupiah for one SMS part to any Indonesian number, prepaid, without a
    # package: the list price. Cheaper on-net rates are left out on purpose:
    # a campaign reaches every operator, and an estimate that errs high
    # never surprises the owner. A shop with an SMS package sets sms_price.
    price: int = 150


# The operators' own balance codes, as they publish them.
OPERATORS = (
    Operator("telkomsel", "Telkomsel", "*888#", ("TELKOMSEL", "TSEL", "SIMPATI", "KARTU AS", "BY.U", "LOOP"),
             ("51010",)),
    Operator("indosat", "Indosat Ooredoo", "*555#", ("INDOSAT", "IM3", "OOREDOO", "MENTARI", "IOH"),
             ("51001", "51021")),
    Operator("xl", "XL / Axis", "*808#", ("XL", "AXIS", "XLAXIATA", "XL AXIATA", "PROXL"), ("51011", "51008")),
    Operator("tri", "Tri (3)", "*111#", ("3", "TRI", "3 ID", "THREE", "3 INDONESIA", "HUTCHISON"), ("51089",)),
    Operator("smartfren", "Smartfren", "*999#", ("SMARTFREN", "SMART", "FREN"), ("51009", "51028")),
)
BY_KEY = {o.key: o for o in OPERATORS}


def operator_for(name: str = "", imsi: str = "") -> Operator | None:
    """The operator of a SIM, by the network's name or the SIM's IMSI; None when unknown."""
    network = (imsi or "")[:5]
    code = re.sub(r"\D", "", name or "")  # libgammu may name it by its code: "510 10"
    for operator in OPERATORS:
        if network in operator.networks or (len(code) == 5 and code in operator.networks):
            return operator
    text = re.sub(r"[^A-Z0-9. ]+", " ", (name or "").upper()).strip()
    for operator in OPERATORS:
        if text in operator.names or any(re.search(rf"\b{re.escape(n)}\b", text) for n in operator.names if len(n) > 2):
            return operator
    return None


# An operator we cannot name: the common list price of a part.
DEFAULT_PART_PRICE = 150


def part_price(name: str = "", imsi: str = "", configured: int | str | None = "") -> int:
    """What one SMS part costs on a SIM: the owner's price when set (sms_price),
    else its operator's list price, else DEFAULT_PART_PRICE."""
    if configured not in ("", None):
        return int(configured)
    operator = operator_for(name, imsi)
    return operator.price if operator else DEFAULT_PART_PRICE


def sims(status_dir=None) -> list[dict]:
    """The operator and IMSI of each modem's SIM, as the worker last wrote them (status/*.json)."""
    import json
    from pathlib import Path

    from . import shopdata
    folder = Path(status_dir) if status_dir else Path(shopdata.setting("data_dir")).expanduser() / "status"
    found = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            status = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if isinstance(status, dict):
            found.append({"modem": path.stem, "operator": str(status.get("operator") or ""),
                          "imsi": str(status.get("imsi") or "")})
    return found


def shop_part_price(status_dir=None) -> int:
    """The price of one part that every estimate and cost on screen uses:
    the owner's sms_price when set, else the dearest of the shop's SIMs'
    operators (a campaign may go out on any of them)."""
    from . import shopdata
    configured = shopdata.setting("sms_price")
    if configured not in ("", None):
        return int(configured)
    prices = [part_price(sim["operator"], sim["imsi"]) for sim in sims(status_dir)]
    return max(prices) if prices else DEFAULT_PART_PRICE


def balance_code(name: str = "", imsi: str = "", configured: str = "") -> str:
    """The USSD code to ask: the owner's setting when set, else the operator's; '' when unknown."""
    if configured:
        return configured
    operator = operator_for(name, imsi)
    return operator.code if operator else ""


# -- reading a reply ------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Balance:
    credit: int | None = None  # rupiah; None: the text did not say (or not readably)
    active_until: dt.date | None = None

    @property
    def known(self) -> bool:
        return self.credit is not None or self.active_until is not None


# The words before the credit and before the end of the active period, in the
# operators' replies (Indonesian and English). An amount or a date elsewhere
# in the text (a package's price, a promo's end) is never read as either.
_CREDIT = re.compile(
    r"(?:sisa\s+)?(?:pulsa|saldo|balance|credit)(?:\s+[A-Za-z]{2,10}){0,2}"
    r"\s*(?:adalah|sebesar|is|:|=)?\s*"
    r"(?:Rp\.?|IDR)\s*(?P<amount>\d{1,3}(?:[.,]\d{3})+(?:,\d{2})?|\d+(?:,\d{2})?)(?![\d])",
    re.IGNORECASE)
_CREDIT_AFTER = re.compile(  # "Pulsamu Rp12.500", "Pulsa Anda tinggal Rp 500"
    r"pulsa(?:mu|nya)?(?:\s+(?:anda|kamu))?\s+(?:tinggal|tersisa|sisa)?\s*(?:Rp\.?|IDR)\s*"
    r"(?P<amount>\d{1,3}(?:[.,]\d{3})+(?:,\d{2})?|\d+)(?![\d])", re.IGNORECASE)
_UNTIL = re.compile(
    r"(?:masa\s+aktif|aktif|berlaku|active|valid|exp(?:ired|iry)?|tenggang)"
    r"(?:\s+(?:kartu|pulsa|sampai|hingga|until|till|to|s\.?\s?d\.?|s/d|sd|tgl|tanggal|date|on))*"
    r"\s*[:.]?\s*(?P<date>\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|\d{4}-\d{2}-\d{2}"
    r"|\d{1,2}[\s-]+[A-Za-z]{3,9}[\s-]+\d{2,4})",
    re.IGNORECASE)
_DATE = (r"(?P<date>\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|\d{4}-\d{2}-\d{2}"
         r"|\d{1,2}[\s-]+[A-Za-z]{3,9}[\s-]+\d{2,4})")
_UNTIL_AFTER_CREDIT = re.compile(  # "Pulsa Rp 3.250 s.d 20/02/2027"
    r"(?:Rp\.?|IDR)\s*[\d.,]+\s*,?\s*(?:s\.?\s?d\.?|s/d|sd|sampai|hingga|until)\s*" + _DATE, re.IGNORECASE)
_MONTHS = {"jan": 1, "januari": 1, "january": 1, "feb": 2, "februari": 2, "february": 2, "peb": 2,
           "mar": 3, "maret": 3, "march": 3, "apr": 4, "april": 4, "mei": 5, "may": 5, "jun": 6, "juni": 6,
           "june": 6, "jul": 7, "juli": 7, "july": 7, "agu": 8, "agt": 8, "ags": 8, "agustus": 8, "aug": 8,
           "august": 8, "sep": 9, "sept": 9, "september": 9, "okt": 10, "oktober": 10, "oct": 10,
           "october": 10, "nov": 11, "nopember": 11, "november": 11, "des": 12, "desember": 12, "dec": 12,
           "december": 12}


def _rupiah(text: str) -> int | None:
    text = re.sub(r",\d{2}$", "", text)  # sen: Rp15.250,00
    digits = re.sub(r"[.,]", "", text)
    return int(digits) if digits.isdigit() else None


def _date(text: str) -> dt.date | None:
    text = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return dt.date.fromisoformat(text)
        match = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{2,4})", text)
        if match:
            day, month, year = (int(x) for x in match.groups())
        else:
            match = re.fullmatch(r"(\d{1,2})[\s-]+([A-Za-z]{3,9})[\s-]+(\d{2,4})", text)
            if not match or match.group(2).lower() not in _MONTHS:
                return None
            day, month, year = int(match.group(1)), _MONTHS[match.group(2).lower()], int(match.group(3))
        if year < 100:
            year += 2000
        return dt.date(year, month, day)  # Indonesian order: day, month, year
    except ValueError:
        return None


def parse(text: str | None) -> Balance:
    """The credit and the active-until date in an operator's reply or SMS.

    Each is read only after its own words ("Pulsa Rp…", "aktif s.d. …"); when
    the text says two different credits, or none, the credit is unknown."""
    if not text:
        return Balance()
    flat = " ".join(text.split())
    amounts = {_rupiah(m.group("amount")) for m in _CREDIT.finditer(flat)}
    amounts |= {_rupiah(m.group("amount")) for m in _CREDIT_AFTER.finditer(flat)}
    amounts.discard(None)
    dates = {_date(m.group("date")) for m in _UNTIL.finditer(flat)}
    dates |= {_date(m.group("date")) for m in _UNTIL_AFTER_CREDIT.finditer(flat)}
    dates.discard(None)
    return Balance(credit=amounts.pop() if len(amounts) == 1 else None,
                   active_until=dates.pop() if len(dates) == 1 else None)


# -- the latest reading, per modem ------------------------------------------------------------
# Kept as a loose row of the shop's bookkeeping (shopdata.get/put): the web
# process reads it for the dashboard, the worker for the warnings and the hold.
PREFIX = "sim_credit:"
RETRY_UNREADABLE = dt.timedelta(minutes=30)


def record(modem: str, balance: Balance, now: dt.datetime, *, source: str, text: str = "") -> dict:
    """Store a reading. An unreadable one keeps the last known values and says when it failed."""
    from . import shopdata
    old = latest(modem) or {}
    entry = dict(old, modem=modem, asked_at=now.isoformat(), source=source, reply=(text or "")[:300],
                 readable=balance.known)
    if balance.credit is not None:
        entry.update(credit=balance.credit, checked_at=now.isoformat())
    if balance.active_until is not None:
        entry["active_until"] = balance.active_until.isoformat()
    shopdata.put(PREFIX + modem, entry)
    if balance.known:
        log.info("modem %s: credit %s, active until %s (%s)", modem, balance.credit, balance.active_until, source)
    else:
        log.warning("modem %s: the balance reply was not understood: %r", modem, (text or "")[:160])
    return entry


def asked(modem: str, now: dt.datetime, error: str) -> None:
    """A balance check that got no reply at all: noted, so it is not asked again at once."""
    from . import shopdata
    shopdata.put(PREFIX + modem, dict(latest(modem) or {}, modem=modem, asked_at=now.isoformat(),
                                      readable=False, reply=error[:300]))


def latest(modem: str) -> dict | None:
    from . import shopdata
    return shopdata.get(PREFIX + modem)


def all_latest() -> list[dict]:
    from .models import ShopSetting
    from . import shopdata
    names = [row.name for row in ShopSetting.select(ShopSetting.name).where(ShopSetting.name.startswith(PREFIX))]
    return [entry for entry in (shopdata.get(name) for name in sorted(names)) if entry]


def _when(value: str | None) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def remaining(entry: dict | None, now: dt.datetime) -> int | None:
    """The credit now: the last reading less what was sent since at the shop's price per part."""
    if not entry or entry.get("credit") is None:
        return None
    from . import outbox
    checked = _when(entry.get("checked_at"))
    spent = outbox.spent_since(entry["modem"], checked) if checked else 0
    return max(0, int(entry["credit"]) - spent)


def check_due(modem: str, now: dt.datetime) -> bool:
    """Time to ask again: every credit_check_hours, and after a campaign started."""
    from . import shopdata
    from .models import Campaign
    hours = shopdata.setting("credit_check_hours")
    if not hours:
        return False
    entry = latest(modem) or {}
    asked_at = _when(entry.get("asked_at"))
    if asked_at is None or now - asked_at >= dt.timedelta(hours=hours):
        return True
    if not entry.get("readable") and now - asked_at >= RETRY_UNREADABLE:
        return True  # the last question got no usable answer: ask again sooner
    # A campaign queued since the last question: its cost is known only after.
    return now - asked_at >= dt.timedelta(minutes=2) and Campaign.select().where(
        Campaign.queued_at > asked_at).exists()


# -- what the owner is told ---------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Warning:
    modem: str
    kind: str  # "low" or "ending"
    credit: int | None
    active_until: dt.date | None


def warnings(now: dt.datetime, tz: dt.tzinfo) -> list[Warning]:
    from . import shopdata
    below = shopdata.setting("credit_warn_below")
    days = shopdata.setting("credit_warn_days")
    today = now.astimezone(tz).date()
    found = []
    for entry in all_latest():
        credit = remaining(entry, now)
        until = dt.date.fromisoformat(entry["active_until"]) if entry.get("active_until") else None
        if below and credit is not None and credit < below:
            found.append(Warning(entry["modem"], "low", credit, until))
        elif days and until is not None and (until - today).days <= days:
            found.append(Warning(entry["modem"], "ending", credit, until))
    return found


# The owner's warnings are replies like any other: the owner reads and edits
# them on the replies page (Settings), in both languages.
templates({
    "credit_low": {
        "id": "{shop}: pulsa SIM modem {modem} tinggal Rp{credit}. Isi ulang agar SMS tetap terkirim.",
        "en": "{shop}: the SIM in modem {modem} has Rp{credit} of credit left. Top it up so SMS keep going out.",
    },
    "credit_ending": {
        "id": "{shop}: masa aktif SIM modem {modem} berakhir {until}. Isi ulang agar nomor tidak hangus.",
        "en": "{shop}: the SIM in modem {modem} stays active until {until}. Top it up so the number is not lost.",
    },
}, purpose="staff")


def rupiah(amount: int | None) -> str:
    return "?" if amount is None else f"{amount:,}".replace(",", ".")


def warn_owner(now: dt.datetime, shop) -> int:
    """One SMS a day per warning to each active owner with a phone; returns how many were queued."""
    from . import outbox, replies
    from .models import User
    found = warnings(now, shop.tz)
    if not found:
        return 0
    day = now.astimezone(shop.tz).date().isoformat()
    from . import events, shopdata
    for warning in found:  # once a day per SIM, like the owner's SMS
        if warning.kind == "low":
            events.emit("sim.credit_low", {"modem": warning.modem, "credit": warning.credit,
                                           "threshold": shopdata.setting("credit_warn_below")},
                        now, key=f"sim.credit_low:{warning.modem}:{day}")
    owners = User.select().where((User.role == "owner") & (User.active == True) & User.phone.is_null(False))  # noqa: E712
    queued = 0
    for owner in owners:
        for warning in found:
            key = f"credit_{warning.kind}"
            text = replies.reply(key, owner.language, shop=shop.name, modem=warning.modem,
                                 credit=rupiah(warning.credit),
                                 until=warning.active_until.strftime("%d-%m-%Y") if warning.active_until else "?")
            _, created = outbox.queue_outbound(owner.phone, text, category="transactional", template=key,
                                               key=f"{key}:{warning.modem}:{day}:{owner.phone}", now=now)
            queued += created
    return queued


def view(modem: str, now: dt.datetime, tz: dt.tzinfo) -> dict | None:
    """What the dashboard and the modem page show about a modem's SIM; None before the first reading."""
    entry = latest(modem)
    if not entry:
        return None
    credit = remaining(entry, now)
    kinds = {w.kind for w in warnings(now, tz) if w.modem == modem}
    checked = _when(entry.get("checked_at"))
    return {"credit": rupiah(credit), "active_until": entry.get("active_until") or "",
            "checked": checked.astimezone(tz).strftime("%d-%m-%Y %H:%M") if checked else "",
            "readable": bool(entry.get("readable")), "reply": entry.get("reply", ""),
            "warning": ("Low credit: top up the SIM." if "low" in kinds else
                        "The SIM's active period ends soon: top it up." if "ending" in kinds else ""),
            "held": marketing_short(now)}


# -- holding promotions the credit cannot pay for ------------------------------------------------

def marketing_short(now: dt.datetime) -> bool:
    """The known credit cannot pay for the promotions waiting to go. Only a
    credit every modem has reported counts: an unknown one holds nothing."""
    from . import shopdata
    from .models import Message
    entries = all_latest()
    if not entries or any(entry.get("credit") is None for entry in entries):
        return False
    price = shop_part_price()
    if not price:
        return False
    import peewee as pw
    # Parts of a queued row are known only once sent: 153 characters a part
    # (GSM-7) is the estimate, low for texts in UCS-2.
    length = pw.fn.LENGTH(Message.text)
    waiting = (Message.select(pw.fn.COALESCE(pw.fn.SUM(pw.Case(None, [(length <= 160, 1)], (length + 152) / 153)), 0))
               .where((Message.direction == "out") & (Message.state == "queued")
                      & (Message.category == "marketing")).scalar())
    if not waiting:
        return False
    credit = sum(remaining(entry, now) or 0 for entry in entries)
    return waiting * price > credit


def read_operator_sms(message, now: dt.datetime) -> bool:
    """An operator's own balance SMS (an alphanumeric sender) read like its USSD reply."""
    if not message.modem:
        return False
    balance = parse(message.text)
    if not balance.known:
        return False
    record(message.modem, balance, now, source=f"SMS from {message.phone}", text=message.text)
    return True
