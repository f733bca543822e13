"""Customers: the profile staff keep, tags, the timeline, `REG nama`, and CSV
import and export with the files shops really have.

A CSV import never half-happens silently: every row gets a verdict (added,
updated, duplicate, refused with the reason), and a dry run shows the same
report without changing anything.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import datetime as dt
import io
import re
import unicodedata

import peewee as pw

from . import crm, replies
from .clock import utcnow
from .models import (Booking, Customer, CustomerTag, Message, Order, PointsEntry, QueueTicket, Tag, Ticket,
                     User)
from .phone import PhoneError, normalise
from .responder import Conversation, on_keyword, on_reply

MAX_NAME = 100
MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 50_000


class CustomerError(ValueError):
    """A customer change that cannot be made; the message is for people."""


replies.register({
    "reg_done": {
        "id": "{shop}: terima kasih, Kak {name}. Data Anda sudah tersimpan.",
        "en": "{shop}: thank you, {name}. Your name is saved.",
    },
    "reg_ask": {
        "id": "{shop}: silakan ketik DAFTAR dan nama Anda, contoh: DAFTAR Sari Wulandari.",
        "en": "{shop}: please text REG and your name, for example: REG Sari Wulandari.",
    },
    "reg_bad": {
        "id": "{shop}: maaf, nama itu tidak bisa kami simpan. Ketik DAFTAR dan nama Anda (huruf saja).",
        "en": "{shop}: sorry, we cannot save that name. Text REG and your name (letters only).",
    },
})


# -- the profile --------------------------------------------------------------------

def clean_name(raw: str) -> str:
    """A person's name as they would write it, or CustomerError."""
    name = " ".join(unicodedata.normalize("NFC", raw or "").split())
    if not name:
        raise CustomerError("a name is needed")
    if len(name) > MAX_NAME:
        raise CustomerError(f"a name has at most {MAX_NAME} characters")
    if not re.fullmatch(r"[^\W\d_][\w .,'’()\-]*", name) or not any(ch.isalpha() for ch in name):
        raise CustomerError("a name starts with a letter and has letters, spaces, dots, dashes or apostrophes")
    return name


def clean_email(raw: str) -> str:
    email = (raw or "").strip()
    if email and (len(email) > 254 or not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email)):
        raise CustomerError(f"{email!r} is not an e-mail address")
    return email


def update_profile(customer: Customer, *, by: User | None = None, now: dt.datetime | None = None,
                   **fields) -> Customer:
    """Change name, address, email, notes or language; every change audited."""
    cleaners = {
        "name": lambda v: clean_name(v) if (v or "").strip() else "",
        "address": lambda v: _limit(v, 500, "an address"),
        "email": clean_email,
        "notes": lambda v: _limit(v, 5000, "notes"),
        "language": _language,
    }
    changed = []
    for name, value in fields.items():
        if name not in cleaners:
            raise CustomerError(f"unknown profile field {name}")
        value = cleaners[name](value)
        if getattr(customer, name) != value:
            setattr(customer, name, value)
            changed.append(name)
    if changed:
        customer.save()
        crm.audit("customer.update", user=by, target=customer.phone, detail=", ".join(changed), now=now)
    return customer


def _limit(value: str, size: int, what: str) -> str:
    value = (value or "").strip()
    if len(value) > size:
        raise CustomerError(f"{what} may have at most {size} characters")
    return value


def _language(value: str) -> str | None:
    value = (value or "").strip().lower()
    if value in ("", "none"):
        return None
    if value not in ("id", "en"):
        raise CustomerError("language is id or en")
    return value


def add_customer(phone: str, *, name: str = "", region: str = "ID", by: User | None = None,
                 now: dt.datetime | None = None, **fields) -> Customer:
    """A customer staff add by hand; refuses a number that is already a customer."""
    try:
        e164 = normalise(phone, region)
    except PhoneError as exc:
        raise CustomerError(str(exc)) from None
    if Customer.select().where(Customer.phone == e164).exists():
        raise CustomerError(f"{e164} is already a customer")
    with Customer._meta.database.atomic():  # a refused name or address leaves no empty customer behind
        customer = Customer.create(phone=e164, created_at=now or utcnow())
        crm.audit("customer.add", user=by, target=e164, now=now)
        return update_profile(customer, by=by, now=now, name=name, **fields)


# -- tags ---------------------------------------------------------------------------------

def clean_tag(raw: str) -> str:
    tag = " ".join((raw or "").strip().lower().split())
    if not tag or len(tag) > 64:
        raise CustomerError("a tag has 1 to 64 characters")
    return tag


def tags_of(customer: Customer) -> list[str]:
    return sorted(t.name for t in Tag.select().join(CustomerTag).where(CustomerTag.customer == customer))


def set_tags(customer: Customer, names, *, by: User | None = None, now: dt.datetime | None = None) -> list[str]:
    wanted = sorted({clean_tag(n) for n in names if (n or "").strip()})
    with Customer._meta.database.atomic():
        CustomerTag.delete().where(CustomerTag.customer == customer).execute()
        for name in wanted:
            tag, _ = Tag.get_or_create(name=name)
            CustomerTag.create(customer=customer, tag=tag)
    crm.audit("customer.tags", user=by, target=customer.phone, detail=", ".join(wanted), now=now)
    return wanted


# -- search and the timeline -------------------------------------------------------------

def search(query: str, *, region: str = "ID", limit: int = 50, offset: int = 0) -> list[Customer]:
    """By name (any part), or by any phone format: 0812…, +62812…, 62812…, a fragment."""
    query = (query or "").strip()[:100]
    rows = Customer.select().order_by(Customer.last_contact_at.desc(nulls="LAST"), Customer.id.desc())
    if query:
        digits = re.sub(r"\D", "", query)
        condition = Customer.name.contains(query)
        if len(digits) >= 3:
            try:
                condition |= Customer.phone == normalise(query, region)
            except PhoneError:
                pass
            # "0812345" -> "812345": the national form without its leading zero.
            condition |= Customer.phone.contains(digits.lstrip("0") or digits)
        rows = rows.where(condition)
    return list(rows.limit(limit).offset(offset))


def timeline(customer: Customer, limit: int = 200) -> list[dict]:
    """Everything that happened with this customer, newest first."""
    events: list[dict] = []
    for m in Message.select().where(Message.customer == customer).order_by(Message.id.desc()).limit(limit):
        events.append(dict(at=m.created_at, kind=f"sms-{m.direction}", text=m.text,
                           detail=m.state if m.direction == "out" else ""))
    for b in Booking.select().where(Booking.customer == customer).order_by(Booking.id.desc()).limit(limit):
        events.append(dict(at=b.created_at, kind="booking", text=f"{b.service.name} {b.starts_at:%Y-%m-%d %H:%M} UTC",
                           detail=b.status))
    for q in QueueTicket.select().where(QueueTicket.customer == customer).order_by(QueueTicket.id.desc()).limit(limit):
        events.append(dict(at=q.created_at, kind="queue", text=f"queue number {q.number}", detail=q.status))
    for p in PointsEntry.select().where(PointsEntry.customer == customer).order_by(PointsEntry.id.desc()).limit(limit):
        events.append(dict(at=p.at, kind="points", text=f"{p.delta:+d} points: {p.reason}", detail=p.source))
    for t in Ticket.select().where(Ticket.customer == customer).order_by(Ticket.id.desc()).limit(limit):
        events.append(dict(at=t.created_at, kind="ticket", text=f"T-{t.number:04d} {t.summary}", detail=t.status))
    for o in Order.select().where(Order.customer == customer).order_by(Order.id.desc()).limit(limit):
        events.append(dict(at=o.created_at, kind="order", text=f"O-{o.number} total {o.total}", detail=o.status))
    events.sort(key=lambda e: e["at"], reverse=True)
    return events[:limit]


# -- REG / DAFTAR by SMS ---------------------------------------------------------------------

@on_keyword("REG")
def _register(c: Conversation):
    if not c.args.strip():
        c.remember("reg.name", {})
        return [c.reply("reg_ask")]
    return _save_name(c, c.args)


@on_reply("reg.name")
def _register_answer(c: Conversation):
    c.forget()
    return _save_name(c, c.text)


def _save_name(c: Conversation, raw: str):
    try:
        name = clean_name(raw)
    except CustomerError:
        return [c.reply("reg_bad")]
    update_profile(c.customer, name=name, now=c.now)
    return [c.reply("reg_done", name=name)]


# -- CSV ---------------------------------------------------------------------------------------

# Column names shops use, Indonesian and English, folded to lower case without spaces.
COLUMNS = {
    "phone": ("phone", "telepon", "telp", "tlp", "hp", "nohp", "nomorhp", "nomor", "no", "notelp", "mobile",
              "whatsapp", "wa", "handphone", "nomortelepon", "phonenumber"),
    "name": ("name", "nama", "namapelanggan", "customer", "pelanggan", "fullname", "namalengkap"),
    "address": ("address", "alamat"),
    "email": ("email", "e-mail", "surel"),
    "tags": ("tags", "tag", "label", "labels", "kategori", "group", "grup"),
    "notes": ("notes", "note", "catatan", "keterangan"),
    "language": ("language", "bahasa", "lang"),
    "marketing": ("marketing", "promo", "promosi", "consent", "setujupromo"),
}
YES = {"1", "y", "ya", "yes", "true", "iya", "setuju", "x", "v"}


@dataclasses.dataclass
class RowResult:
    line: int
    status: str  # added, updated, unchanged, duplicate, refused
    phone: str = ""
    name: str = ""
    reason: str = ""


@dataclasses.dataclass
class ImportReport:
    rows: list[RowResult]
    columns: dict[str, str]  # our field -> the file's column
    dry_run: bool
    error: str = ""  # the file as a whole could not be read

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def summary(self) -> dict[str, int]:
        return {s: self.count(s) for s in ("added", "updated", "unchanged", "duplicate", "refused")}


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # an old Excel "CSV" on Windows


def _fold(header: str) -> str:
    return re.sub(r"[\s_.\-/]+", "", (header or "").strip().lower())


def _phone_cell(raw: str, region: str) -> str:
    value = (raw or "").strip().lstrip("'")  # Excel users type '0812 to keep the zero
    if re.fullmatch(r"\d+(\.\d+)?[eE]\+?\d+", value):
        raise PhoneError("a spreadsheet turned this number into scientific notation; format the column as text")
    if re.fullmatch(r"\d+\.0", value):
        value = value[:-2]  # 6281234567890.0 from a number-formatted column
    if re.fullmatch(r"8\d{8,12}", value):
        value = "0" + value  # the spreadsheet dropped the leading zero of 0812…
    return normalise(value, region)


def import_csv(data: bytes, *, region: str = "ID", dry_run: bool = False, by: User | None = None,
               now: dt.datetime | None = None) -> ImportReport:
    now = now or utcnow()
    if len(data) > MAX_IMPORT_BYTES:
        return ImportReport([], {}, dry_run, f"the file is larger than {MAX_IMPORT_BYTES // 1024 // 1024} MB")
    text = _decode(data)
    if not text.strip():
        return ImportReport([], {}, dry_run, "the file is empty")
    sample = text[:4096]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=";,\t|").delimiter
    except csv.Error:
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        return ImportReport([], {}, dry_run, "the file has no header row")
    folded = [_fold(h) for h in header]
    columns: dict[str, int] = {}
    for field, names in COLUMNS.items():
        for index, name in enumerate(folded):
            if name in names and field not in columns:
                columns[field] = index
    if "phone" not in columns:
        return ImportReport([], {}, dry_run, "no phone column found (name it phone, telepon, hp or no hp)")
    mapping = {field: header[index] for field, index in columns.items()}

    results: list[RowResult] = []
    seen: set[str] = set()
    database = Customer._meta.database
    with database.atomic() as transaction:
        try:
            for line, cells in enumerate(reader, start=2):
                if len(results) >= MAX_IMPORT_ROWS:
                    results.append(RowResult(line, "refused", reason=f"more than {MAX_IMPORT_ROWS} rows; split the file"))
                    break
                if not any(c.strip() for c in cells):
                    continue
                results.append(_import_row(line, cells, columns, region, seen, by, now))
        except csv.Error as exc:
            results.append(RowResult(reader.line_num, "refused", reason=f"the file is not valid CSV here: {exc}"))
        if dry_run:
            transaction.rollback()
    if not dry_run:
        crm.audit("customer.import", user=by, detail=str(ImportReport(results, mapping, dry_run).summary), now=now)
    return ImportReport(results, mapping, dry_run)


def _cell(cells: list[str], columns: dict[str, int], field: str) -> str:
    index = columns.get(field)
    return cells[index].strip() if index is not None and index < len(cells) else ""


def _import_row(line, cells, columns, region, seen, by, now) -> RowResult:
    raw_phone = _cell(cells, columns, "phone")
    name = _cell(cells, columns, "name")
    try:
        phone = _phone_cell(raw_phone, region)
    except PhoneError as exc:
        return RowResult(line, "refused", raw_phone, name, str(exc))
    if phone in seen:
        return RowResult(line, "duplicate", phone, name, "the same number appears earlier in the file")
    seen.add(phone)
    fields = {f: _cell(cells, columns, f) for f in ("name", "address", "email", "notes", "language")}
    fields = {k: v for k, v in fields.items() if v}
    try:
        if "name" in fields:
            fields["name"] = clean_name(fields["name"])
        if "email" in fields:
            fields["email"] = clean_email(fields["email"])
        if "language" in fields:
            fields["language"] = _language(fields["language"])
        tags = [t for t in re.split(r"[,;|]", _cell(cells, columns, "tags")) if t.strip()]
        tags = [clean_tag(t) for t in tags]
    except CustomerError as exc:
        return RowResult(line, "refused", phone, name, str(exc))
    marketing = _cell(cells, columns, "marketing").lower() in YES

    customer = Customer.get_or_none(Customer.phone == phone)
    status = "updated"
    if customer is None:
        customer = Customer.create(phone=phone, created_at=now)
        status = "added"
    before = (customer.name, customer.address, customer.email, customer.notes, customer.language,
              customer.consent_marketing)
    try:
        update_profile(customer, by=by, now=now, **fields)
    except CustomerError as exc:
        return RowResult(line, "refused", phone, name, str(exc))
    if marketing and not customer.consent_marketing:
        crm.set_consent(customer, marketing=True, by=by, via="CSV import", now=now)
    if tags:
        set_tags(customer, sorted(set(tags_of(customer)) | set(tags)), by=by, now=now)
    after = (customer.name, customer.address, customer.email, customer.notes, customer.language,
             customer.consent_marketing)
    if status == "updated" and before == after and not tags:
        status = "unchanged"
    return RowResult(line, status, phone, customer.name)


EXPORT_COLUMNS = ("name", "phone", "address", "email", "language", "tags", "reminders", "promotions", "points",
                  "created_at", "last_visit_at")


def spreadsheet_safe(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (every CSV Loket writes)."""
    if value and value[0] in "=+-@\t\r" and not re.fullmatch(r"\+\d+", value):
        return "'" + value
    return value


def export_csv(customers=None, *, delimiter: str = ",") -> str:
    """Every customer (or the given ones) as CSV, UTF-8 with a BOM so Excel
    shows the accents; the import reads it back."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    rows = customers if customers is not None else Customer.select().order_by(Customer.id)
    tags: dict[int, list[str]] = {}
    for link in CustomerTag.select(CustomerTag.customer, Tag.name).join(Tag).tuples():
        tags.setdefault(link[0], []).append(link[1])
    for c in rows:
        writer.writerow([spreadsheet_safe(v) for v in (
            c.name, c.phone, c.address, c.email, c.language or "", ", ".join(sorted(tags.get(c.id, []))),
            "yes" if c.consent_reminder else "no", "yes" if c.consent_marketing else "no", str(c.points),
            c.created_at.isoformat(timespec="seconds") if c.created_at else "",
            c.last_visit_at.isoformat(timespec="seconds") if c.last_visit_at else "")])
    return out.getvalue()


def count() -> int:
    return Customer.select(pw.fn.COUNT(Customer.id)).scalar() or 0
