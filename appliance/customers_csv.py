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

from .audit import audit
from .clock import utcnow
from .customers import (CustomerError, clean_email, clean_language, clean_name, clean_tag, set_consent, set_tags,
                        tags_of, update_profile)
from .models import Customer, CustomerTag, Tag, User
from .phone import PhoneError, normalise

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 50_000

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
        audit("customer.import", user=by, detail=str(ImportReport(results, mapping, dry_run).summary), now=now)
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
            fields["language"] = clean_language(fields["language"])
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
        set_consent(customer, marketing=True, by=by, via="CSV import", now=now)
    if tags:
        set_tags(customer, sorted(set(tags_of(customer)) | set(tags)), by=by, now=now)
    after = (customer.name, customer.address, customer.email, customer.notes, customer.language,
             customer.consent_marketing)
    if status == "updated" and before == after and not tags:
        status = "unchanged"
    return RowResult(line, status, phone, customer.name)


EXPORT_COLUMNS = ("name", "phone", "address", "email", "language", "tags", "reminders", "promotions", "points",
                  "created_at", "last_visit_at")


def _safe(value: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
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
        writer.writerow([_safe(v) for v in (
            c.name, c.phone, c.address, c.email, c.language or "", ", ".join(sorted(tags.get(c.id, []))),
            "yes" if c.consent_reminder else "no", "yes" if c.consent_marketing else "no", str(c.points),
            c.created_at.isoformat(timespec="seconds") if c.created_at else "",
            c.last_visit_at.isoformat(timespec="seconds") if c.last_visit_at else "")])
    return out.getvalue()
