"""What a customer's free text means: intent, what it names, its language.

Customers rarely write keywords. They write "kak bsk jm 10 bisa pijat bayi?",
"gan ready kampas rem vario?", "udah tf 120rb ya". This module reads such a
text locally, with pure functions and no model to download:

1. `words()` folds the text (case, accents, punctuation) and spells out the
   abbreviations of SMS (bsk -> besok, brp -> berapa, gak -> tidak, tf ->
   transfer ...), dropping the polite address (kak, gan, min, mbak ...).
2. `language()` weighs Indonesian against English function words; loanwords
   both languages use in SMS (booking, info, menu, ok, promo, cancel) count
   for neither, so they never switch a customer's language.
3. Cues (phrases with a weight per intent) score every intent; the shop's
   catalogue adds what the text names (services, goods and how many) and
   when.py the day and time; amounts and order or ticket numbers are read too.
4. A phrase staff taught (TaughtPhrase) wins over the cues.

The answer is an `Understanding`: the intent, what was named, the language,
how sure it is, and a short line staff read ("booking · Pijat bayi · besok
10:00"). Acting on it is the dispatcher's and the services' job
(freetext_sms.py): anything that changes something is asked back first.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re

from .keywords import distance, fold
from .sms_words import EN_WORDS, FILLERS, ID_WORDS, LOANWORDS, SLANG  # noqa: F401  (the words it reads)

INTENTS = ("book", "price", "hours", "location", "cancel", "move", "queue", "points", "complain", "opt_out",
           "opt_in", "order", "pay", "order_status", "ticket_status", "register", "thanks", "greeting", "help",
           "unclear")
# Intents that change something: from a free text they are asked back first.
CHANGES = frozenset({"book", "cancel", "move", "order", "pay", "opt_in", "queue"})


@dataclasses.dataclass(frozen=True)
class Item:
    """A service or a product as the text names it."""
    kind: str  # service | product
    id: int
    name: str
    quantity: int | None = None
    size: int | None = None  # "boots ukuran 40": what the customer wears, never how many


@dataclasses.dataclass(frozen=True)
class Understanding:
    intent: str
    language: str | None = None  # id | en | None: the text does not tell
    items: tuple[Item, ...] = ()
    day: dt.date | None = None
    time: dt.time | None = None
    when_error: str | None = None  # past | impossible
    amount: int | None = None
    order: int | None = None
    ticket: int | None = None
    name: str = ""
    how: str = "cues"  # cues | keyword | taught | info | none
    score: int = 0
    info: str = ""  # the staff-made answer's keyword, for intent "info"
    scores: tuple[tuple[str, int], ...] = ()  # every intent's score, for the dispatcher's keyword check

    def score_of(self, intent: str) -> int:
        return dict(self.scores).get(intent, 0)

    @property
    def certain(self) -> bool:
        """Enough to act on without asking what was meant (changes still ask YA)."""
        return self.how in ("keyword", "taught", "info") or self.score >= 3

    @property
    def services(self) -> list[Item]:
        return [i for i in self.items if i.kind == "service"]

    @property
    def products(self) -> list[Item]:
        return [i for i in self.items if i.kind == "product"]

    def as_json(self) -> str:
        data = {"intent": self.intent, "language": self.language, "how": self.how, "score": self.score,
                "items": [dataclasses.asdict(i) for i in self.items]}
        for name in ("day", "time"):
            value = getattr(self, name)
            if value is not None:
                data[name] = value.isoformat(timespec="minutes") if name == "time" else value.isoformat()
        for name in ("when_error", "amount", "order", "ticket", "name", "info"):
            if getattr(self, name):
                data[name] = getattr(self, name)
        return json.dumps(data, ensure_ascii=False)

    def label(self) -> str:
        """The line staff read in the conversation: 'book · Pijat bayi · 2026-12-03 10:00'."""
        parts = [self.intent if self.intent != "info" else f"info {self.info}"]
        parts += [f"{i.name}" + (f" x{i.quantity}" if i.quantity else "") for i in self.items]
        when = " ".join(x for x in (self.day.isoformat() if self.day else "",
                                    self.time.strftime("%H:%M") if self.time else "") if x)
        if when:
            parts.append(when)
        if self.amount:
            parts.append(f"Rp {self.amount:,}".replace(",", "."))
        if self.order:
            parts.append(f"O-{self.order}")
        if self.ticket:
            parts.append(f"T-{self.ticket:04d}")
        if self.name:
            parts.append(self.name)
        return " · ".join(parts)


def from_json(text: str) -> dict:
    try:
        return json.loads(text) if text else {}
    except ValueError:
        return {}


# -- words ------------------------------------------------------------------------

def words(text: str) -> list[str]:
    """The text's words, folded, abbreviations spelt out, fillers gone."""
    out: list[str] = []
    for word in fold(text or "").split():
        word = _unrepeat(word)
        word = SLANG.get(word, word)
        for part in word.split():
            if part and part not in FILLERS:
                out.append(part)
    return out


_KEEP_NYA = frozenset({"hanya", "punya", "tanya", "bertanya", "nanya", "karenanya", "sesungguhnya", "biasanya",
                       "katanya", "rasanya", "sebenarnya", "kayaknya", "sepertinya", "akhirnya", "harusnya"})


def _unrepeat(word: str) -> str:
    """'kedip2' -> 'kedip', 'pagiii' -> 'pagi' (letters stretched for emphasis),
    'sepatunya' -> 'sepatu' (the -nya that only points at the thing)."""
    word = re.sub(r"^([a-z]{2,})2$", r"\1", word)  # never "x2", which is how many
    word = re.sub(r"([a-z])\1{2,}", r"\1", word)
    if len(word) > 6 and word.endswith("nya") and word not in _KEEP_NYA and word not in SLANG:
        word = word[:-3]
    return word


def phrase_key(text: str) -> str:
    """What a taught phrase is stored and looked up by."""
    return " ".join(words(text))[:200]


def language(text: str) -> str | None:
    """'id', 'en', or None when the text does not tell (one loanword, a number)."""
    raw = [w for w in fold(text or "").split() if w not in LOANWORDS]
    indonesian = sum(1 for w in raw if w in ID_WORDS or SLANG.get(w, "") in ID_WORDS or w in FILLERS
                     or w in SLANG)
    english = sum(1 for w in raw if w in EN_WORDS)
    if "i'm" in (text or "").lower() or "i'd" in (text or "").lower():
        english += 2
    if indonesian == english or (len(raw) >= 3 and max(indonesian, english) < 2):
        return None  # "SELECT * FROM customer": one stray word tells nothing
    return "id" if indonesian > english else "en"


# -- cues ---------------------------------------------------------------------------
# (intent, regex over the spelt-out words joined by spaces, weight). A text's
# score for an intent is the sum of its cues' weights; 3 or more is certain.

_CUES: list[tuple[str, str, int]] = [
    # opting out: the law and the customer's trust want it honoured at once
    ("opt_out", r"\b(jangan|tidak usah|ga usah|stop|berhenti|hentikan|hapus)\b.*\b(sms|kirim|promo|pesan|"
                r"nomor|daftar|message|messages|texting)\b", 4),
    ("opt_out", r"\b(unsubscribe|optout|opt out|berhenti langganan|stop promo|no more)\b", 4),
    ("opt_out", r"\b(jangan|stop) (sms|kirim|hubungi)", 3),
    ("opt_out", r"^(stop|berhenti)$", 4),
    ("opt_in", r"\b(kirim|kirimi|mau|boleh|minta)\b.*\b(info )?promo\b.*\b(lagi|dong|ya)?", 3),
    ("opt_in", r"\b(langganan|subscribe|mulai lagi|start again)\b", 3),
    # booking
    ("book", r"\b(booking|book|reserve|reservasi|janji|bikin janji|jadwal|slot|appointment)\b", 2),
    ("book", r"\b(bisa|masih ada|ada|available|kosong)\b", 1),
    ("book", r"\b(mau|ingin|like to|want to|would like)\b", 1),
    ("book", r"\b(ada yang kosong|masih ada jadwal|ada jadwal|ada slot|can i book|any slot|can i bring|"
             r"can i come|can we come|could i come)\b", 2),
    # prices
    ("price", r"\b(harga|tarif|biaya|price|prices|cost|how much|pricelist|price list|daftar harga)\b", 3),
    ("price", r"\bberapa\b", 1),
    ("price", r"\b(ready|redi|stok|stock|tersedia|in stock)\b", 2),
    # opening hours and the address
    ("hours", r"\b(jam buka|buka jam|jam berapa buka|buka tidak|buka sampai|tutup jam|jam tutup|jam operasional|"
              r"opening hours|open|opening|what time do you|hari libur|tanggal merah|libur)\b", 3),
    ("hours", r"\bbuka\b", 2),
    ("hours", r"\b(tutup|close|closing)\b", 2),
    ("hours", r"\bjam berapa\b", 1),
    ("location", r"\b(alamat|lokasi|dimana|di mana|where|address|location|parkir|maps|map|share loc|shareloc|"
                 r"arah ke)\b", 3),
    # cancel and move
    ("cancel", r"\b(batal|batalkan|cancel|tidak jadi|gak jadi|ga jadi|cant come|can t come|cannot come|"
               r"berhalangan)\b", 3),
    ("move", r"\b(ubah|pindah|dipindah|pindahkan|dimajukan|dimundurkan|diundur|dimajuin|ganti jadwal|ganti hari|"
             r"ganti jam|geser|reschedule|move my|change my)\b", 3),
    # queue and points
    ("queue", r"\b(antri|antrian|giliran|queue)\b", 3),
    ("queue", r"\b(nomor berapa|sudah nomor)\b", 2),
    ("points", r"\b(poin|points|loyalty)\b", 4),
    # complaints
    ("complain", r"\b(kecewa|mengecewakan|not happy|unhappy|disappointed|complain|complaint|keluhan|komplain|"
                 r"terrible|awful)\b", 3),
    ("complain", r"\b(kurang|bau|kotor|kasar|telat|terlambat|lama banget|marah|jelek|waited|rude|dirty|late)\b", 2),
    ("complain", r"\b(mati|putus|rusak|error|macet|lambat|lemot|mogok|trouble|gangguan|down|offline|los|"
                 r"tidak bisa|gak bisa|tidak nyala|ga nyala|broken|not working|kedip|merah)\b", 2),
    ("complain", r"\b(tolong (dicek|cek|kirim teknisi|perbaiki)|kirim teknisi|perbaiki)\b", 2),
    ("complain", r"\b(tukar|retur|return|kekecilan|kebesaran|cacat|sobek|salah kirim|wrong size|refund|"
                 r"bocor|pecah|luntur)\b", 3),
    # orders and payment
    ("order", r"\b(beli|ambil|order|checkout|pesan|mau pesan|saya ambil|buy)\b", 2),
    ("order", r"\bkirim ke\b", 1),
    ("pay", r"\b(transfer|sudah bayar|bayar|paid|pembayaran|lunas|sudah kirim uang|dp)\b", 2),
    ("pay", r"\b(bca|bri|bni|mandiri|dana|ovo|gopay|shopeepay|qris|via)\b", 1),
    ("order_status", r"\b(pesanan|paket|kiriman|resi|dikirim|sampai mana|sudah sampai|ongkir|shipped|"
                     r"delivery|tracking)\b", 2),
    ("ticket_status", r"\b(status|cek) (tiket|laporan|ticket)\b", 3),
    ("order_status", r"\b(status|cek) (pesanan|order|paket)\b", 3),
    ("ticket_status", r"\b(laporan saya|perkembangan|tiket saya|belum ditanggapi|belum diperbaiki|"
                      r"teknisi jadi|kapan teknisi|teknisi (jadi )?datang)\b", 3),
    # register, thanks, greetings, help
    ("register", r"^(nama saya|my name is|saya bernama)\b", 4),
    ("thanks", r"\b(terima kasih|thanks|thank you|oke|mantap|siap|baik|noted|good|sip|nice|mantul|"
               r"sama sama)\b", 2),
    ("greeting", r"^(assalamualaikum|asalamualaikum|assalamu alaikum|salam|halo|hallo|hai|hi|hello|pagi|siang|"
                 r"sore|malam|selamat (pagi|siang|sore|malam)|permisi|p|ping|tes|test)$", 3),
    ("greeting", r"^(assalamualaikum|halo|hallo|hai|hi|hello|permisi)\b", 1),
    ("help", r"\b(bantuan|help|menu|info|informasi)\b", 1),
]
_COMPILED = [(intent, re.compile(pattern), weight) for intent, pattern, weight in _CUES]
_QUESTION_TO_STAFF = re.compile(r"\b(nomor siapa|siapa ini|lupa|ketinggalan|hilang|nemu|lost|forgot|"
                                r"pasang baru|berlangganan baru|paket baru|new subscription|kerja|lowongan)\b")
_REF_ORDER = re.compile(r"(?<![a-z0-9])(?:o\s*-?\s*|pesanan\s+(?:nomor\s+)?|order\s+(?:nomor\s+)?|#)(\d{3,7})\b")
_REF_TICKET = re.compile(r"(?<![a-z0-9])(?:t\s*-?\s*|tiket\s+(?:nomor\s+)?)(\d{1,7})\b")
_AMOUNT = re.compile(r"(?<![\d.,])(\d{1,3}(?:[.,]\d{3})+|\d+(?:[.,]\d+)?)\s*(rb|ribu|k|jt|juta|rp)?(?![\d])")
_NAME = re.compile(r"^(?:nama saya|my name is|saya bernama)\s+(.{2,60})$", re.IGNORECASE)


def _scores(joined: str) -> dict[str, int]:
    scores: dict[str, int] = {}
    for intent, pattern, weight in _COMPILED:
        if pattern.search(joined):
            scores[intent] = scores.get(intent, 0) + weight
    return scores


# -- the catalogue in a text ---------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Entry:
    """One service or product the shop offers, as the reader matches it."""
    kind: str
    id: int
    name: str
    phrases: tuple[str, ...]  # folded names and aliases
    head: str = ""  # products: the first word of the name (busi, oli, sepatu)
    category: str = ""


@dataclasses.dataclass
class Lexicon:
    """What the shop knows that a reader needs: its catalogue, taught phrases,
    staff-made answers. Built by shopdata (cached), passed in."""
    entries: list[Entry] = dataclasses.field(default_factory=list)
    taught: dict[str, str] = dataclasses.field(default_factory=dict)  # phrase_key -> intent
    infos: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)  # KEYWORD -> phrases

    @property
    def has_services(self) -> bool:
        return any(e.kind == "service" for e in self.entries)

    @property
    def has_products(self) -> bool:
        return any(e.kind == "product" for e in self.entries)


def entry_for_service(service) -> Entry:
    names = [service.name] + [a for a in (getattr(service, "aliases", "") or "").split(",")]
    phrases = tuple(p for p in dict.fromkeys(" ".join(words(n)) for n in names) if p)
    return Entry("service", service.id, service.name, phrases)


def entry_for_product(product) -> Entry:
    name_words = words(product.name)
    phrases = tuple(p for p in dict.fromkeys([" ".join(name_words), fold(product.sku or "")]) if p)
    return Entry("product", product.id, product.name, phrases, head=name_words[0] if name_words else "",
                 category=fold(product.category or ""))


def _fuzzy_in(phrase: str, tokens: list[str]) -> tuple[int, int] | None:
    """(start, end) of a window of `tokens` that reads as `phrase`, forgiving a typo."""
    n = len(phrase.split())
    limit = 0 if len(phrase) < 5 else 1 if len(phrase) < 9 else 2
    for i in range(len(tokens) - n + 1):
        window = " ".join(tokens[i:i + n])
        # A typo rarely hits the first letter: comparing only those keeps the reader fast.
        if window == phrase or (limit and window[:1] == phrase[:1] and distance(window, phrase, limit) <= limit):
            return i, i + n
    return None


def _product_overlap(entry: Entry, tokens: list[str]) -> tuple[float, int, int] | None:
    """How much of a product's name the text names: (share, first, last+1), led
    by its head word or category ('busi' names 'Busi NGK CPR9EA')."""
    name = entry.phrases[0].split() if entry.phrases else []
    if not name:
        return None
    positions = [i for i, t in enumerate(tokens) if t in name or (len(t) > 4 and any(
        len(w) > 4 and w[0] == t[0] and distance(t, w, 1) <= 1 for w in name))]
    led = entry.head in tokens or (entry.category and entry.category in tokens)
    if not positions or not led:
        return None
    if entry.category in tokens and entry.category not in name:
        positions.append(tokens.index(entry.category))
    share = len({tokens[i] for i in positions} & set(name)) / len(name)
    return share, min(positions), max(positions) + 1


def find_items(tokens: list[str], entries: list[Entry]) -> list[tuple[Entry, int, int]]:
    """Every service and product the words name, with where they stand, best first;
    overlapping names keep the one that fits better."""
    found: list[tuple[float, Entry, int, int]] = []
    only_one = _words_of_one_service(entries)
    for entry in entries:
        best = None
        if entry.kind == "service":
            for phrase in entry.phrases:
                span = _fuzzy_in(phrase, tokens)
                if span and (best is None or len(phrase) > best[0]):
                    best = (len(phrase) + 100, *span)
            # A word of a service's names alone ("pijat") is too weak where two services
            # share it; one only this service has ("massage" of "baby massage") names it.
            if best is None:
                at = next((i for i, t in enumerate(tokens) if only_one.get(t) == entry.id), None)
                if at is not None:
                    best = (50, at, at + 1)
        else:
            for phrase in entry.phrases[1:]:  # a product code: KR-01
                span = _fuzzy_in(phrase, tokens) if phrase else None
                if span:
                    best = (200, *span)
            if best is None:
                overlap = _product_overlap(entry, tokens)
                if overlap:
                    best = (overlap[0] * 100, overlap[1], overlap[2])
        if best:
            found.append((best[0], entry, best[1], best[2]))
    found.sort(key=lambda f: -f[0])
    chosen: list[tuple[Entry, int, int]] = []
    for score, entry, start, end in found:
        if any(not (end <= s or start >= e) for _, s, e in chosen):
            # Overlaps a better match: keep it only if it is a different head ("busi ... oli")
            continue
        chosen.append((entry, start, end))
    return sorted(chosen, key=lambda c: c[1])


_NOT_A_NAME = frozenset({"untuk", "dengan", "paket", "layanan", "treatment", "service"})


def _words_of_one_service(entries: list[Entry]) -> dict[str, int]:
    """Words (5 letters or more) in the names of exactly one service: word -> its id."""
    owners: dict[str, set[int]] = {}
    for entry in entries:
        if entry.kind == "service":
            for phrase in entry.phrases:
                for word in phrase.split():
                    if len(word) >= 5 and word not in _NOT_A_NAME:
                        owners.setdefault(word, set()).add(entry.id)
    return {word: next(iter(ids)) for word, ids in owners.items() if len(ids) == 1}


_SIZE_WORDS = frozenset({"ukuran", "uk", "size", "no", "nomor", "nomer", "nmr"})


def _quantity(tokens: list[str], end: int, next_start: int) -> tuple[int | None, int | None]:
    """(how many, the size): 'busi 2', 'busi x2', 'rantai 1 set', 'boots uk 40 1 pasang'."""
    after, size = tokens[end:min(next_start, end + 5)], None
    i = 0
    while i < len(after):
        token = after[i]
        if token in _SIZE_WORDS and i + 1 < len(after) and after[i + 1].isdigit():
            size, i = int(after[i + 1]), i + 2
            continue
        if token == "x" and i + 1 < len(after) and after[i + 1].isdigit():
            return int(after[i + 1]), size
        match = re.fullmatch(r"x?(\d{1,4})x?", token)
        if match:
            return int(match.group(1)), size
        if token not in ("x", "sama", "dan", "and"):
            break
        i += 1
    return None, size


# -- amounts and references -----------------------------------------------------------

def amount_in(joined: str) -> int | None:
    """An amount of money: 120.000, 120rb, 1,5 jt, Rp 75000; the largest one named."""
    best = None
    for match in _AMOUNT.finditer(joined):
        number, unit = match.group(1), match.group(2)
        digits = number.replace(".", "").replace(",", "") if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", number) \
            else number.replace(",", ".")
        try:
            value = float(digits)
        except ValueError:
            continue
        if unit in ("rb", "ribu", "k"):
            value *= 1_000
        elif unit in ("jt", "juta"):
            value *= 1_000_000
        elif value < 1_000:
            continue  # "2 botol", "jam 10": not money
        if value > 2_000_000_000:
            continue
        best = max(best or 0, int(round(value)))
    return best


# -- reading a text -------------------------------------------------------------------

def understand(text: str, lexicon: Lexicon | None = None, now_local: dt.datetime | None = None) -> Understanding:
    """What a customer's free text means. Pure: everything it needs is passed in."""
    lexicon = lexicon or Lexicon()
    tokens = words(text)
    joined = " ".join(tokens)
    lang = language(text)
    if not tokens:
        return Understanding("unclear" if (text or "").strip() else "unclear", lang, how="none")
    taught = lexicon.taught.get(joined[:200])
    info = _info(tokens, joined, lexicon)
    scores = _scores(joined)
    # Numbers and names the text carries.
    raw = " ".join((text or "").casefold().split())
    order = _first_int(_REF_ORDER, raw) or _first_int(_REF_ORDER, joined)
    ticket = _first_int(_REF_TICKET, raw) if order is None else None
    amount = amount_in(raw)
    items = _items(tokens, lexicon)
    day = time = error = None
    if now_local is not None:
        from .when import parse_when
        found = parse_when(" ".join(t for t in tokens if t not in ("tanggal",)) if "tanggal" not in tokens
                           else joined.replace("tanggal", "tgl"), now_local, lang or "id")
        day, time, error = found.date, found.time, found.error
    name = ""
    named = _NAME.match(" ".join(fold(text).split()))
    if named:
        name = " ".join(w.capitalize() for w in named.group(1).split())[:60]

    if taught:
        intent, how, score = taught, "taught", 9
    elif info:
        intent, how, score = "info", "info", 9
    else:
        intent, score = _decide(scores, items, lexicon, day, time, amount, order, ticket, joined, tokens)
        how = "cues" if intent != "unclear" else "none"
    if intent == "move" and now_local is not None:
        # "jadwal besok diundur ke jumat": the new day is the one after "ke" / "to".
        tail = re.split(r"\b(?:ke|to|jadi|menjadi|into)\b", joined)
        if len(tail) > 1:
            from .when import parse_when
            moved = parse_when(tail[-1], now_local, lang or "id")
            if moved.date or moved.time:
                day, time, error = moved.date or (day if moved.time and not moved.date else None), \
                    moved.time, moved.error
    if intent == "pay" and amount is None and order is None and score < 3:
        intent, how = "unclear", "none"
    return Understanding(intent, lang, tuple(items), day, time, error, amount, order, ticket, name, how, score,
                         info or "", tuple(sorted(scores.items())))


def _first_int(pattern: re.Pattern, joined: str) -> int | None:
    match = pattern.search(joined)
    return int(match.group(1)) if match else None


def _info(tokens: list[str], joined: str, lexicon: Lexicon) -> str | None:
    """A staff-made answer: its keyword as the first word, or one of its phrases in the text."""
    for keyword, phrases in lexicon.infos.items():
        if tokens and tokens[0] == keyword.lower() and len(tokens) <= 4:
            return keyword
        for phrase in phrases:
            if phrase and re.search(rf"\b{re.escape(phrase)}\b", joined):
                return keyword
    return None


def _items(tokens: list[str], lexicon: Lexicon) -> list[Item]:
    found = find_items(tokens, lexicon.entries)
    items = []
    for n, (entry, start, end) in enumerate(found):
        next_start = found[n + 1][1] if n + 1 < len(found) else len(tokens)
        quantity, size = _quantity(tokens, end, next_start) if entry.kind == "product" else (None, None)
        if quantity is None and entry.kind == "product" and start > 0 and tokens[start - 1].isdigit():
            quantity = int(tokens[start - 1])
        items.append(Item(entry.kind, entry.id, entry.name, quantity, size))
    return items


def _decide(scores, items, lexicon, day, time, amount, order, ticket, joined, tokens) -> tuple[str, int]:
    """The intent from the cues' scores and what the text names."""
    scores = dict(scores)
    services = [i for i in items if i.kind == "service"]
    products = [i for i in items if i.kind == "product"]
    # What the text names moves the scores.
    if services and (day or time):
        scores["book"] = scores.get("book", 0) + 3
    elif services and scores.get("book"):
        scores["book"] += 1
    if products and any(p.quantity for p in products):
        scores["order"] = scores.get("order", 0) + 1
    if products and not scores.get("order"):
        scores["price"] = scores.get("price", 0) + (3 if {"ada", "ready", "stok"} & set(tokens) else 1)
    if (services or products) and scores.get("price", 0) >= 1 and "berapa" in tokens:
        scores["price"] += 2
    if scores.get("price") and scores.get("book", 0) < 4 and not (day or time):
        scores["book"] = 0  # "masih ada? berapa?" about goods is a price question
    if not services and scores.get("book", 0) <= 2 and "booking" not in tokens and "book" not in tokens:
        scores["book"] = 0  # "bisa" alone books nothing
    if amount is not None or order is not None:
        if scores.get("pay"):
            scores["pay"] += 2
    if scores.get("pay") and not (amount or order) and "transfer" not in tokens and "bayar" not in tokens:
        scores["pay"] = 0
    if scores.get("queue") and "nomor" in tokens and "antrian" not in tokens and "antri" not in tokens \
            and not scores.get("book") and ("sudah" in tokens or "sekarang" in tokens):
        scores["queue"] += 1
    if scores.get("order_status", 0) <= 2 and "berapa" in tokens and order is None \
            and not {"resi", "dikirim", "kiriman", "sampai", "tracking"} & set(tokens):
        scores["order_status"] = 0  # "paket brp aja?": an ISP's plans, or a parcel's price, not where it is
    if ticket is not None:
        scores["ticket_status"] = scores.get("ticket_status", 0) + 1
    if (day or time) and scores.get("move", 0) >= 3:
        scores["move"] += 1
    if scores.get("cancel") and scores.get("complain"):
        scores["complain"] = max(0, scores["complain"] - 2)  # "batal, anak lagi demam" is a cancel
    if scores.get("cancel", 0) >= 3:
        scores["book"] = 0  # "batalin jadwal pijat bayi": a cancel names the booking it cancels
    if not products and scores.get("order"):
        scores["order"] = max(0, scores["order"] - 1)  # an order names goods
        if scores.get("order_status"):
            scores["order"] = 0
    if scores.get("opt_out", 0) >= 3:
        return "opt_out", scores["opt_out"]
    if scores.get("thanks") and any(scores.get(i, 0) >= 2 for i in INTENTS if i not in ("thanks", "greeting",
                                                                                         "help")):
        scores["thanks"] = 0  # "oke, besok jam 10 ya" is not only thanks
    if _QUESTION_TO_STAFF.search(joined) and max(scores.values(), default=0) < 4:
        return "unclear", 0
    if not scores or max(scores.values()) <= 0:
        return "unclear", 0
    best = max(scores.items(), key=lambda kv: (kv[1], -INTENTS.index(kv[0])))
    intent, score = best
    if score < 2 and intent not in ("greeting",):
        return "unclear", score
    return intent, score
