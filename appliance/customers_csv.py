"""Customer import and export with the files shops really have.

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
import time

from .words import N_, say  # noqa: F401
from .audit import audit
from .clock import utcnow
from .customers import (CustomerError, clean_email, clean_language, clean_name, clean_tag, set_consent,
                        tags_of, update_profile)
from .models import Customer, CustomerTag, Tag, User
from .phone import PhoneError, normalise

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 50_000
BATCH_ROWS = 200  # rows per transaction in an import: the worker waits at most one batch
BATCH_PAUSE = 0.12  # seconds between batches: longer than SQLite's longest wait between two tries

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
        raise PhoneError(N_("a spreadsheet turned this number into scientific notation; format the column as text"))
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
    for n, batch in enumerate(_batches(reader)):
        # A few hundred rows per transaction: 50,000 in one held the write lock
        # for minutes, and the worker could not store or answer a text meanwhile.
        # (A dry run rolls each batch back: as rows never repeat a number, the
        # verdicts are those of one big transaction.) Between batches a pause:
        # SQLite's waiters poll, and one that polls every 100 ms would
        # otherwise find the next batch holding the lock again, every time.
        if n:
            time.sleep(BATCH_PAUSE)
        with database.atomic() as transaction:
            lookups = _lookups(batch, columns, region)
            for item in batch:
                results.append(item if isinstance(item, RowResult)
                               else _import_row(*item, columns, region, seen, by, now, lookups))
            if dry_run:
                transaction.rollback()
    if not dry_run:
        audit("customer.import", user=by, detail=str(ImportReport(results, mapping, dry_run).summary), now=now)
    return ImportReport(results, mapping, dry_run)


def _batches(reader, size: int | None = None):
    """The file's rows in batches, read outside any transaction; a row past
    the limit or unreadable CSV ends it with a refused RowResult."""
    size = size or BATCH_ROWS
    batch: list = []
    rows = 0
    try:
        for line, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            if rows >= MAX_IMPORT_ROWS:
                batch.append(RowResult(line, "refused", reason=f"more than {MAX_IMPORT_ROWS} rows; split the file"))
                break
            rows += 1
            batch.append((line, cells))
            if len(batch) >= size:
                yield batch
                batch = []
    except csv.Error as exc:
        batch.append(RowResult(reader.line_num, "refused", reason=f"the file is not valid CSV here: {exc}"))
    if batch:
        yield batch


def _cell(cells: list[str], columns: dict[str, int], field: str) -> str:
    index = columns.get(field)
    return cells[index].strip() if index is not None and index < len(cells) else ""


def _lookups(batch, columns, region) -> dict:
    """What a batch's rows look up, fetched at once: the customers its numbers
    already are (one query, not one per row), and room for its tags (kept per
    batch: a dry run's batch rolls its new tags back)."""
    phones = {}
    for item in batch:
        if isinstance(item, RowResult):
            continue
        raw = _cell(item[1], columns, "phone")
        try:
            phones[raw] = _phone_cell(raw, region)
        except PhoneError as exc:
            phones[raw] = exc
    wanted = [p for p in phones.values() if isinstance(p, str)]
    known = {c.phone: c for c in Customer.select().where(Customer.phone.in_(wanted))} if wanted else {}
    return {"phones": phones, "customers": known, "tags": {}}


def _import_row(line, cells, columns, region, seen, by, now, lookups=None) -> RowResult:
    lookups = lookups or {"phones": {}, "customers": None, "tags": {}}
    raw_phone = _cell(cells, columns, "phone")
    name = _cell(cells, columns, "name")
    try:
        phone = lookups["phones"].get(raw_phone) or _phone_cell(raw_phone, region)
        if isinstance(phone, PhoneError):
            raise phone
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
            fields["language"] = clean_language(fields["language"])
        tags = [t for t in re.split(r"[,;|]", _cell(cells, columns, "tags")) if t.strip()]
        tags = [clean_tag(t) for t in tags]
    except CustomerError as exc:
        return RowResult(line, "refused", phone, name, str(exc))
    marketing = _cell(cells, columns, "marketing").lower() in YES

    known = lookups["customers"]
    customer = known.get(phone) if known is not None else Customer.get_or_none(Customer.phone == phone)
    status = "updated"
    try:
        with Customer._meta.database.atomic():  # a refused row leaves nothing, not even an empty customer
            if customer is None:
                customer = Customer.create(phone=phone, created_at=now)
                status = "added"
            before = (customer.name, customer.address, customer.email, customer.notes, customer.language,
                      customer.consent_marketing)
            update_profile(customer, by=by, now=now, **fields)
            if marketing and not customer.consent_marketing:
                set_consent(customer, marketing=True, by=by, via="CSV import", now=now)
            if tags:
                _add_tags(customer, tags, new=status == "added", cache=lookups["tags"], by=by, now=now)
    except CustomerError as exc:
        return RowResult(line, "refused", phone, name, str(exc))
    after = (customer.name, customer.address, customer.email, customer.notes, customer.language,
             customer.consent_marketing)
    if status == "updated" and before == after and not tags:
        status = "unchanged"
    return RowResult(line, status, phone, customer.name)


def _add_tags(customer: Customer, tags: list[str], *, new: bool, cache: dict, by, now) -> None:
    """set_tags(customer, theirs + tags) with fewer queries: a new customer has
    none yet, and each tag is looked up once per batch."""
    have = set() if new else set(tags_of(customer))
    for name in sorted(set(tags) - have):
        if name not in cache:
            cache[name] = Tag.get_or_create(name=name)[0]
        CustomerTag.create(customer=customer, tag=cache[name])
    audit("customer.tags", user=by, target=customer.phone, detail=", ".join(sorted(have | set(tags))), now=now)


EXPORT_COLUMNS = ("name", "phone", "address", "email", "language", "tags", "reminders", "promotions", "points",
                  "created_at", "last_visit_at")


def spreadsheet_safe(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (every CSV Loket writes)."""
    if value and value[0] in "=+-@\t\r" and not re.fullmatch(r"\+\d+", value):
        return "'" + value
    return value


EXPORT_BATCH = 2000  # customers read per query while exporting: a short read, a flat memory


def export_csv(customers=None, *, delimiter: str = ",") -> str:
    """Every customer (or the given ones) as CSV, UTF-8 with a BOM so Excel
    shows the accents; the import reads it back."""
    return "".join(export_chunks(customers, delimiter=delimiter))


def export_chunks(customers=None, *, delimiter: str = ",", batch: int = EXPORT_BATCH):
    """The same CSV in pieces of a few thousand rows, as they are read: a web
    download starts at once and the box holds one batch, not 100,000 rows."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    fields = (Customer.id, Customer.name, Customer.phone, Customer.address, Customer.email, Customer.language,
              Customer.consent_reminder, Customer.consent_marketing, Customer.points, Customer.created_at,
              Customer.last_visit_at)
    if customers is not None:
        batches = [[tuple(getattr(c, f.name) for f in fields) for c in customers]]
    else:
        batches = _id_batches(fields, batch)
    for rows in batches:
        if not rows:
            continue
        ids = [row[0] for row in rows]
        tags: dict[int, list[str]] = {}
        for customer_id, name in (CustomerTag.select(CustomerTag.customer, Tag.name).join(Tag)
                                  .where(CustomerTag.customer.between(min(ids), max(ids))).tuples()):
            tags.setdefault(customer_id, []).append(name)
        for (cid, name, phone, address, email, language, reminder, marketing, points, created,
             visited) in rows:
            writer.writerow([spreadsheet_safe(v) for v in (
                name, phone, address, email, language or "", ", ".join(sorted(tags.get(cid, []))),
                "yes" if reminder else "no", "yes" if marketing else "no", str(points),
                created.isoformat(timespec="seconds") if created else "",
                visited.isoformat(timespec="seconds") if visited else "")])
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    if out.tell():
        yield out.getvalue()


def _id_batches(fields, size: int):
    last = 0
    while True:
        rows = list(Customer.select(*fields).where(Customer.id > last).order_by(Customer.id).limit(size).tuples())
        if not rows:
            return
        yield rows
        last = rows[-1][0]
