"""The shop's catalogue: services it books and goods it sells, and amounts of money.

Every field staff type (or the demo seeder passes) is checked here, so the
web UI can show the message of a CatalogueError next to the field and never
store a half-valid row. Amounts are whole rupiah; `parse_price` reads them
the way Indonesian staff and customers write them ("Rp 250.000", "250rb",
"1,5jt").
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

import peewee as pw

from . import shopdata
from .audit import audit
from .clock import utcnow
from .keywords import distance, fold
from .models import Product, Service, User
from .words import N_, say

# Prices, totals and claims are IntegerField columns: a 32-bit INTEGER on
# PostgreSQL. Two billion rupiah is far above any order a small shop takes.
MAX_AMOUNT = 2_000_000_000
MAX_STOCK = 1_000_000
MAX_DURATION_MINUTES = 24 * 60
MAX_CAPACITY = 1000
MAX_COMEBACK_DAYS = 3650
MAX_ALIASES_CHARS = 1000
MAX_DESCRIPTION = 500
MAX_CODE = 64  # the code customers text (BELI KR-01 2): Product.sku
MAX_UNIT = 20
# Offered on the goods form; any other unit may be typed.
COMMON_UNITS = ("pcs", "set", "pasang", "lusin", "box", "botol", "liter", "kg", "gram", "meter", "roll", "lembar")


class CatalogueError(ValueError):
    """A value staff can fix; the message says what is wrong, for people, in
    English marked for the catalogs (appliance/words.py): the page translates it.
    A field's name (`what`) is marked where it is written, so it is said in the
    reader's words too."""


class PriceError(CatalogueError):
    """Text that is not an amount of rupiah Loket can record."""


# -- amounts of money ---------------------------------------------------------------

UNITS = {
    "rb": 1_000, "rbu": 1_000, "ribu": 1_000, "rebu": 1_000, "k": 1_000,
    "jt": 1_000_000, "jta": 1_000_000, "juta": 1_000_000,
}
_CURRENCY_BEFORE = re.compile(r"^(?:rp|idr)\s*\.?\s*")
_CURRENCY_AFTER = re.compile(r"\s*(?:rupiah|rp|idr)\.?$")
_DASH_AFTER = re.compile(r"\s*[,.]?\s*-+$")  # "250.000,-": nothing after the comma
_SHAPE = re.compile(r"^(?P<number>[0-9][0-9., ]*?)\s*(?P<unit>[a-z]+)?\.?$")
_SPACED_THOUSANDS = re.compile(r"^[0-9]{1,3}(?: [0-9]{3})+$")
_GROUPED = re.compile(r"^[0-9]{1,3}(?:[.,][0-9]{3})+$")

# Where an amount may sit inside a longer text ("BAYAR O-1001 Rp 250.000 via BCA").
# A number glued to letters ("1e308", "2.5E+5", "0x10", "250000abc") is no
# amount, nor is any piece of it: "1e308" once became a claim of Rp 1.
AMOUNT_IN_TEXT = re.compile(
    r"(?<![\w-])(?<!\w\+)(?P<amount>-?\s*(?:(?:rp|idr)\s*\.?\s*)?-?\s*"
    r"(?:[0-9]{1,3}(?: [0-9]{3})+(?![0-9])|[0-9](?:[0-9.,]*[0-9])?)"
    r"(?:\s*(?:ribu|rebu|rbu|rb|juta|jta|jt|k)\b)?(?:\s*[,.]?-(?![0-9]))?)(?![.,]?\w)", re.IGNORECASE)


def rupiah(amount: int) -> str:
    """250000 -> 'Rp 250.000', as Indonesians write it."""
    return f"Rp {amount:,}".replace(",", ".")


def parse_price(text: str | int, *, allow_zero: bool = True, maximum: int = MAX_AMOUNT) -> int:
    """Whole rupiah from what people write, or PriceError saying why not.

    Dots and commas are both thousands separators when they group by three
    ("250.000", "1,250,000"); one of them followed by one or two digits is a
    decimal mark ("1,5jt", "250.000,00"). A bare "1,5" is refused rather than
    guessed: rupiah have no cents, so it is surely a slip.
    """
    if isinstance(text, bool):
        raise PriceError(N_("not an amount: write it like 250000, 250.000, Rp 250.000, 250rb or 1,5jt"))
    if isinstance(text, int):
        return _in_range(text, allow_zero, maximum)
    if not isinstance(text, str):
        raise PriceError(N_("not an amount: write it like 250000, 250.000, Rp 250.000, 250rb or 1,5jt"))
    original = " ".join(text.split())
    # NFKC turns full-width digits into ASCII ones; casefold makes "RP", "Rb" and "JT" plain.
    t = unicodedata.normalize("NFKC", original).casefold().strip()
    if not t:
        raise PriceError(N_("no amount given"))
    if len(t) > 40:
        raise PriceError(N_("too long to be an amount"))
    negative = t.startswith(("-", "minus"))
    t = re.sub(r"^(?:-|minus)\s*", "", t)
    t = _CURRENCY_BEFORE.sub("", t)
    if t.startswith("-"):  # "Rp -250.000"
        negative, t = True, t[1:].lstrip()
    t = _DASH_AFTER.sub("", t)
    t = _CURRENCY_AFTER.sub("", t)
    shape = _SHAPE.match(t)
    if not shape:
        raise _not_an_amount(original)
    number, unit = shape.group("number").strip(), shape.group("unit")
    if unit is not None and unit not in UNITS:
        raise PriceError(say(N_("{unit} is not a unit of money: use rb or ribu, jt or juta"), unit=_quote(unit)))
    value = _number(number, original) * UNITS.get(unit, 1)
    if value != value.to_integral_value():
        if unit is None and len(re.split(r"[.,]", number)[0]) <= 2:  # "1,5": surely 1,5jt
            raise PriceError(say(N_("{text} is not a whole number of rupiah: did you mean {number}jt?"),
                                 text=_quote(original), number=number))
        raise PriceError(say(N_("{text} is not a whole number of rupiah"), text=_quote(original)))
    if negative and value:
        raise PriceError(N_("an amount cannot be negative"))
    return _in_range(int(value), allow_zero, maximum)


def _number(number: str, original: str) -> Decimal:
    bad = _not_an_amount(original)
    if " " in number:
        if not _SPACED_THOUSANDS.match(number):  # "250 000" is fine, "25 0000" is not
            raise bad
        number = number.replace(" ", "")
    if number.isdigit():
        return Decimal(number)
    if _GROUPED.match(number) and not ("." in number and "," in number):
        return Decimal(re.sub(r"[.,]", "", number))
    # A decimal mark: the last separator, followed by one or two digits.
    found = re.match(r"^(?P<whole>[0-9][0-9.,]*?)(?P<mark>[.,])(?P<fraction>[0-9]{1,2})$", number)
    if not found:
        raise bad
    whole, mark = found.group("whole"), found.group("mark")
    if mark in whole:
        raise bad  # "1.250.5": the same sign cannot be both
    if not whole.isdigit():
        if not _GROUPED.match(whole):
            raise bad
        whole = re.sub(r"[.,]", "", whole)
    try:
        return Decimal(f"{whole}.{found.group('fraction')}")
    except InvalidOperation:  # pragma: no cover - the patterns above admit only digits
        raise bad from None


def _in_range(value: int, allow_zero: bool, maximum: int) -> int:
    if value < 0:
        raise PriceError(N_("an amount cannot be negative"))
    if value == 0 and not allow_zero:
        raise PriceError(N_("the amount must be more than Rp 0"))
    if value > maximum:
        raise PriceError(say(N_("{amount} is too large: at most {max}"), amount=rupiah(value), max=rupiah(maximum)))
    return value


def _not_an_amount(original: str) -> PriceError:
    return PriceError(say(N_("{text} is not an amount: write it like 250000, 250.000, Rp 250.000, 250rb or 1,5jt"),
                          text=_quote(original)))


def amounts_in(text: str) -> list[str]:
    """The pieces of a free text that look like amounts, as written, in order."""
    return [m.group("amount").strip() for m in AMOUNT_IN_TEXT.finditer(unicodedata.normalize("NFKC", text or ""))]


def _quote(text: str, limit: int = 30) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "...")


# -- checking fields ------------------------------------------------------------------

def whole_number(value, what: str, *, minimum: int, maximum: int) -> int:
    """An integer from a form field or code, within bounds, or CatalogueError.
    `what` names the field for people: mark it with N_ where it is written."""
    if isinstance(value, bool):
        raise CatalogueError(say(N_("{what} must be a whole number"), what=what))
    if isinstance(value, str):
        text = value.strip()
        if not re.fullmatch(r"[+-]?[0-9]{1,12}", text):
            raise CatalogueError(say(N_("{what} must be a whole number, not {text}"), what=what, text=_quote(value)))
        value = int(text)
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    elif not isinstance(value, int):
        raise CatalogueError(say(N_("{what} must be a whole number"), what=what))
    if value < minimum:
        raise CatalogueError(say(N_("{what} must be at least {n}"), what=what, n=_grouped(minimum)))
    if value > maximum:
        raise CatalogueError(say(N_("{what} must be at most {n}"), what=what, n=_grouped(maximum)))
    return value


def _grouped(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def text_field(value, what: str, *, maximum: int, required: bool = True) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise CatalogueError(say(N_("{what} must be text"), what=what))
    # Control characters out (a pasted tab or NUL), then single spaces.
    value = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in value)
    value = " ".join(value.split())
    if required and not value:
        raise CatalogueError(say(N_("{what} is required"), what=what))
    if len(value) > maximum:
        raise CatalogueError(say(N_("{what} is too long: at most {n} characters"), what=what, n=maximum))
    return value


def _price(value) -> int:
    if value is None or value == "":
        raise CatalogueError(N_("price is required"))
    try:
        return parse_price(value)
    except PriceError as exc:
        raise CatalogueError(say(N_("price: {reason}"), reason=exc.args[0])) from None


def _aliases(value) -> str:
    text = text_field(value, N_("aliases"), maximum=MAX_ALIASES_CHARS, required=False)
    words = dict.fromkeys(w.strip().lower() for w in text.split(",") if w.strip())
    for word in words:
        if len(word) > 50:
            raise CatalogueError(say(N_("the alias {alias} is too long: at most 50 characters"), alias=_quote(word)))
    return ", ".join(words)


def _comeback(value) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return whole_number(value, N_("come-back days"), minimum=1, maximum=MAX_COMEBACK_DAYS)


def _sku(value) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    sku = text_field(value, N_("code"), maximum=MAX_CODE).upper()
    if not re.fullmatch(r"[A-Z0-9][A-Z0-9._/-]*", sku):
        raise CatalogueError(say(N_("the code {code} cannot be used: letters, digits, '-', '_', '.' and '/' only, "
                                    "with no spaces"), code=_quote(sku)))
    return sku


def _active(value) -> bool:
    if isinstance(value, bool):
        return value
    raise CatalogueError(N_("active must be yes or no"))


SERVICE_FIELDS = {
    "name": lambda v: text_field(v, N_("name"), maximum=100),
    "duration_minutes": lambda v: whole_number(v, N_("duration (minutes)"), minimum=5, maximum=MAX_DURATION_MINUTES),
    "price": _price,
    "capacity": lambda v: whole_number(v, N_("capacity"), minimum=1, maximum=MAX_CAPACITY),
    "comeback_days": _comeback,
    "aliases": _aliases,
    "active": _active,
}

PRODUCT_FIELDS = {
    "name": lambda v: text_field(v, N_("name"), maximum=200),
    "price": _price,
    "category": lambda v: text_field(v, N_("category"), maximum=100, required=False),
    "sku": _sku,
    "description": lambda v: text_field(v, N_("description"), maximum=MAX_DESCRIPTION, required=False),
    "unit": lambda v: text_field(v, N_("unit"), maximum=MAX_UNIT, required=False).lower(),
    "active": _active,
}


def _checked(rules: dict, fields: dict) -> dict:
    unknown = sorted(set(fields) - set(rules))
    if unknown:
        raise CatalogueError(say(N_("unknown field: {fields}"), fields=", ".join(unknown)))
    return {name: rules[name](value) for name, value in fields.items()}


def _describe(values: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in values.items())


# -- services ---------------------------------------------------------------------------

def _name_taken(name: str, exclude_id: int | None = None) -> bool:
    query = Service.select().where(pw.fn.LOWER(Service.name) == name.lower())
    if exclude_id is not None:
        query = query.where(Service.id != exclude_id)
    return query.exists()


def _service_taken(name: str) -> CatalogueError:
    return CatalogueError(say(N_("a service named {name} already exists"), name=repr(name)))


def add_service(name: str, *, duration_minutes, price, capacity=1, comeback_days=None, aliases: str = "",
                by: User | None = None, now: dt.datetime | None = None) -> Service:
    values = _checked(SERVICE_FIELDS, dict(name=name, duration_minutes=duration_minutes, price=price,
                                           capacity=capacity, comeback_days=comeback_days, aliases=aliases))
    if _name_taken(values["name"]):
        raise _service_taken(values["name"])
    try:
        with Service._meta.database.atomic():
            service = Service.create(**values)
    except pw.IntegrityError:  # added by someone else meanwhile
        raise _service_taken(values["name"]) from None
    audit("service.add", user=by, target=f"service:{service.id}", detail=_describe(values), now=now or utcnow())
    shopdata.invalidate()  # what customers' texts are read against changed
    return service


def update_service(service: Service, *, by: User | None = None, now: dt.datetime | None = None,
                   **fields) -> Service:
    values = _checked(SERVICE_FIELDS, fields)
    if "name" in values and _name_taken(values["name"], service.id):
        raise _service_taken(values["name"])
    changed = {k: v for k, v in values.items() if getattr(service, k) != v}
    if not changed:
        return service
    try:
        with Service._meta.database.atomic():
            Service.update(**changed).where(Service.id == service.id).execute()
    except pw.IntegrityError:
        raise _service_taken(values["name"]) from None
    for k, v in changed.items():
        setattr(service, k, v)
    audit("service.update", user=by, target=f"service:{service.id}", detail=_describe(changed),
          now=now or utcnow())
    shopdata.invalidate()  # what customers' texts are read against changed
    return service


def services(active: bool | None = True) -> list[Service]:
    """Services by name; active=None for all of them."""
    query = Service.select().order_by(Service.name)
    if active is not None:
        query = query.where(Service.active == active)
    return list(query)


# -- products -----------------------------------------------------------------------------

def _sku_taken(sku: str | None, exclude_id: int | None = None) -> bool:
    if sku is None:
        return False
    query = Product.select().where(Product.sku == sku)
    if exclude_id is not None:
        query = query.where(Product.id != exclude_id)
    return query.exists()


def _sku_used(sku: str | None) -> CatalogueError:
    other = Product.get_or_none(Product.sku == sku)
    return CatalogueError(say(N_("the code {code} is already used by {product}"), code=sku,
                              product=other.name if other else "?"))


def add_product(name: str, *, price, stock=0, category: str = "", sku: str | None = None, description: str = "",
                unit: str = "", by: User | None = None, now: dt.datetime | None = None) -> Product:
    values = _checked(PRODUCT_FIELDS, dict(name=name, price=price, category=category, sku=sku,
                                           description=description, unit=unit))
    values["stock"] = whole_number(stock, N_("stock"), minimum=0, maximum=MAX_STOCK)
    if _sku_taken(values["sku"]):
        raise _sku_used(values["sku"])
    try:
        with Product._meta.database.atomic():
            product = Product.create(**values)
    except pw.IntegrityError:
        raise _sku_used(values["sku"]) from None
    audit("product.add", user=by, target=f"product:{product.id}", detail=_describe(values), now=now or utcnow())
    shopdata.invalidate()  # what customers' texts are read against changed
    return product


def update_product(product: Product, *, by: User | None = None, now: dt.datetime | None = None,
                   **fields) -> Product:
    """Change name, price, category, code (SKU), description, unit or active.
    Stock changes go through adjust_stock, which needs a reason."""
    if "stock" in fields:
        raise CatalogueError(N_("stock is changed with a stock adjustment and a reason, not by editing the product"))
    values = _checked(PRODUCT_FIELDS, fields)
    if "sku" in values and _sku_taken(values["sku"], product.id):
        raise _sku_used(values["sku"])
    changed = {k: v for k, v in values.items() if getattr(product, k) != v}
    if not changed:
        return product
    try:
        with Product._meta.database.atomic():
            Product.update(**changed).where(Product.id == product.id).execute()
    except pw.IntegrityError:
        raise _sku_used(values["sku"]) from None
    for k, v in changed.items():
        setattr(product, k, v)
    audit("product.update", user=by, target=f"product:{product.id}", detail=_describe(changed),
          now=now or utcnow())
    shopdata.invalidate()  # what customers' texts are read against changed
    return product


def adjust_stock(product: Product, delta, *, reason: str, by: User | None, now: dt.datetime) -> int:
    """Add or take stock (a delivery, a count, breakage); returns the new stock.

    One conditional UPDATE: two staff taking the last item at once cannot
    both succeed, and stock never goes below zero.
    """
    delta = whole_number(delta, N_("stock change"), minimum=-MAX_STOCK, maximum=MAX_STOCK)
    if delta == 0:
        raise CatalogueError(N_("the stock change must not be 0"))
    reason = text_field(reason, N_("reason"), maximum=200)
    with Product._meta.database.atomic():
        changed = (Product.update(stock=Product.stock + delta)
                   .where((Product.id == product.id) & (Product.stock + delta >= 0)
                          & (Product.stock + delta <= MAX_STOCK))
                   .execute())
        current = Product.get_by_id(product.id).stock
        if not changed:
            if current + delta < 0:
                raise CatalogueError(say(N_("only {n} of {product} in stock: cannot take {taken}"), n=current,
                                         product=product.name, taken=-delta))
            raise CatalogueError(say(N_("stock would be more than {n}"), n=_grouped(MAX_STOCK)))
        audit("product.stock", user=by, target=f"product:{product.id}",
              detail=f"{delta:+d} -> {current}: {reason}", now=now)
    product.stock = current
    return current


def products(category: str | None = None, active: bool | None = True) -> list[Product]:
    """Goods by category then name; active=None for all of them."""
    query = Product.select().order_by(Product.category, Product.name)
    if category is not None:
        query = query.where(pw.fn.LOWER(Product.category) == category.strip().lower())
    if active is not None:
        query = query.where(Product.active == active)
    return list(query)


# -- finding a service in what a customer wrote ----------------------------------------

def _phrases(service: Service) -> list[str]:
    words = [service.name] + (service.aliases or "").split(",")
    return [p for p in dict.fromkeys(fold(w) for w in words) if p]


def _fuzz(phrase: str) -> int:
    return 0 if len(phrase) < 4 else 1 if len(phrase) < 8 else 2


def _score(words: list[str], phrase: str) -> int | None:
    """Lower is better: 0 the whole text, 1 the phrase among other words,
    2 the text is part of the phrase ("bayi" for "pijat bayi"), 3+ a typo."""
    text, parts = " ".join(words), phrase.split()
    if text == phrase:
        return 0
    n = len(parts)
    windows = [" ".join(words[i:i + n]) for i in range(len(words) - n + 1)] or [text]
    if phrase in windows:
        return 1
    if set(words) <= set(parts) and any(len(w) >= 4 for w in words):
        return 2
    limit = _fuzz(phrase)
    best = min(distance(w, phrase, limit) for w in windows)
    return 3 + best if best <= limit else None


def find_service(text: str, services: list[Service] | None = None) -> Service | None:
    """The active service a customer means, by name or alias, forgiving case,
    accents and a small typo. None when nothing (or two services equally) fit."""
    words = fold(text or "").split()[:20]  # a 1000-character text is not a service name
    if not words:
        return None
    if services is None:
        services = list(Service.select().where(Service.active == True))  # noqa: E712
    candidates = services
    scored: dict[int, tuple[int, int, Service]] = {}
    for service in candidates:
        for phrase in _phrases(service):
            score = _score(words, phrase)
            if score is not None:
                key = (score, -len(phrase))
                if service.id not in scored or key < scored[service.id][:2]:
                    scored[service.id] = (*key, service)
    if not scored:
        return None
    ranked = sorted(scored.values(), key=lambda s: s[:2])
    if len(ranked) > 1 and ranked[0][:2] == ranked[1][:2]:
        return None  # "pijat" alone when there are two massages: ask rather than guess
    return ranked[0][2]
