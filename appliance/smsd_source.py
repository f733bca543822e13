"""Reading a Gammu SMSD database a shop already has: the SQLite file, or the
MySQL/MariaDB or PostgreSQL server that Kalkun or playSMS run on.

Only reads (the SQLite file is opened read-only). Gives the phonebooks and
the received and sent texts as plain Python values; smsd_import.py decides
what becomes of them. The shapes follow the schemas gammu-smsd ships
(docs/examples/*.sql, schema version 17), the `pbk`/`pbk_groups` tables
older Gammu made and Kalkun still makes (with Kalkun's `user_group` links),
and playSMS's `playsms_featurePhonebook*` tables.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import sqlite3
import urllib.parse
from pathlib import Path

from .words import N_, say  # noqa: F401

# Texts of one multipart message a day apart are not one message: the
# 8-bit concatenation reference repeats after 256 long texts.
PART_GAP = dt.timedelta(days=1)


class SourceError(ValueError):
    """The source cannot be read; the message says why and what to do."""


@dataclasses.dataclass
class Contact:
    number: str
    name: str
    tags: set[str]
    email: str = ""
    where: str = "pbk"


@dataclasses.dataclass
class Text:
    key: str  # smsd:inbox:<ID> / smsd:sent:<ID>: what makes a re-run add nothing twice
    direction: str  # in / out
    number: str
    text: str
    at: dt.datetime  # aware UTC
    parts: int = 1
    incomplete: bool = False
    status: str = ""  # sentitems.Status of the parts (the worst one)
    encoding: str = "gsm7"


class Source:
    """A DB-API connection to a Gammu database and the tables it has."""

    def __init__(self, connection, kind: str, label: str):
        self.connection, self.kind, self.label = connection, kind, label
        self.tables = {name.lower(): name for name in self._table_names()}
        if not ({"inbox", "sentitems"} & self.tables.keys() or self.has("pbk")
                or self.has("playsms_featurephonebook")):
            self.close()
            raise SourceError(say(N_("{source} has no Gammu SMSD tables (inbox, sentitems, pbk)"), source=label))

    def _table_names(self) -> list[str]:
        query = {"sqlite": "SELECT name FROM sqlite_master WHERE type = 'table'",
                 "mysql": "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()",
                 "postgres": "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"}
        return [row[0] for row in self._execute(query[self.kind])]

    def _execute(self, sql: str):
        cursor = self.connection.cursor()
        try:
            cursor.execute(sql)
        except Exception as exc:  # each driver has its own error classes
            raise SourceError(say(N_("{source} could not be read: {error}"), source=self.label, error=exc)) from None
        return cursor

    def has(self, table: str) -> bool:
        return table.lower() in self.tables

    def rows(self, table: str, order: str = ""):
        """Every row of a table as a dict with lower-case column names."""
        name = self.tables[table.lower()]
        quote = "`" if self.kind == "mysql" else '"'
        sql = f"SELECT * FROM {quote}{name}{quote}"
        if order:
            sql += f" ORDER BY {quote}{order}{quote}"
        cursor = self._execute(sql)
        columns = [d[0].lower() for d in cursor.description]
        while batch := cursor.fetchmany(2000):
            for row in batch:
                yield dict(zip(columns, row))

    def close(self) -> None:
        try:
            self.connection.close()
        except Exception:
            pass


def open_source(spec: str) -> Source:
    """A path to an SQLite file, or mysql://user:pass@host:port/db, or postgresql://…"""
    spec = (spec or "").strip()
    scheme = spec.split("://", 1)[0].lower() if "://" in spec else ""
    if scheme in ("mysql", "mariadb"):
        return _mysql(spec)
    if scheme in ("postgresql", "postgres"):
        return _postgres(spec)
    if scheme:
        raise SourceError(say(N_("{scheme}:// is not a database Loket reads; give an SQLite file, mysql://… or "
                                 "postgresql://…"), scheme=scheme))
    return _sqlite(Path(spec))


def _sqlite(path: Path) -> Source:
    if not path.is_file():
        raise SourceError(say(N_("{path} is not a file"), path=str(path)))
    with path.open("rb") as f:
        if f.read(16) != b"SQLite format 3\x00":
            raise SourceError(say(N_("{path} is not an SQLite database"), path=str(path)))
    connection = sqlite3.connect(f"file:{urllib.parse.quote(str(path.resolve()))}?mode=ro", uri=True)
    return Source(connection, "sqlite", str(path))


def _where(url: urllib.parse.SplitResult) -> str:
    """The URL without its password, for messages."""
    return f"{url.scheme}://{url.username + '@' if url.username else ''}{url.hostname or ''}" \
           f"{':' + str(url.port) if url.port else ''}{url.path}"


def _cannot_connect(url, exc: Exception) -> str:
    # psycopg2 adds a hint on lines of its own: one line, as every error the command prints.
    return say(N_("cannot connect to {source}: {error}"), source=_where(url), error=" ".join(str(exc).split()))


def _mysql(spec: str) -> Source:
    url = urllib.parse.urlsplit(spec)
    try:
        import pymysql
    except ImportError:
        raise SourceError(N_("reading MySQL/MariaDB needs PyMySQL: pip install PyMySQL")) from None
    try:
        connection = pymysql.connect(host=url.hostname or "localhost", port=url.port or 3306,
                                     user=urllib.parse.unquote(url.username or "root"),
                                     password=urllib.parse.unquote(url.password or ""),
                                     database=url.path.lstrip("/") or None, charset="utf8mb4", connect_timeout=10)
    except Exception as exc:
        raise SourceError(_cannot_connect(url, exc)) from None
    return Source(connection, "mysql", _where(url))


def _postgres(spec: str) -> Source:
    url = urllib.parse.urlsplit(spec)
    try:
        import psycopg2
    except ImportError:
        raise SourceError(N_("reading PostgreSQL needs psycopg2: pip install 'loket[scale]' "
                             "(or apt-get install python3-psycopg2)")) from None
    try:
        connection = psycopg2.connect(spec, connect_timeout=10)
    except Exception as exc:
        raise SourceError(_cannot_connect(url, exc)) from None
    connection.set_session(readonly=True)
    return Source(connection, "postgres", _where(url))


# -- the phonebooks ---------------------------------------------------------------------------

def contacts(source: Source) -> list[Contact]:
    found = []
    if source.has("pbk"):
        groups = {row["id"]: _str(row.get("name")) for row in source.rows("pbk_groups")} \
            if source.has("pbk_groups") else {}
        links: dict = {}
        if source.has("user_group"):  # Kalkun: a contact in several groups
            for row in source.rows("user_group"):
                links.setdefault(row["id_pbk"], set()).add(row["id_pbk_groups"])
        for row in source.rows("pbk", order="ID"):
            ids = links.get(row["id"], set()) | {row.get("groupid")}
            found.append(Contact(_str(row.get("number")), _str(row.get("name")),
                                 {groups[i] for i in ids if groups.get(i)}, where="pbk"))
    if source.has("playsms_featurephonebook"):
        groups = {row["id"]: _str(row.get("name")) for row in source.rows("playsms_featurePhonebook_group")} \
            if source.has("playsms_featurephonebook_group") else {}
        links = {}
        if source.has("playsms_featurephonebook_group_contacts"):
            for row in source.rows("playsms_featurePhonebook_group_contacts"):
                links.setdefault(row["pid"], set()).add(row["gpid"])
        for row in source.rows("playsms_featurePhonebook", order="id"):
            tags = {groups[i] for i in links.get(row["id"], ()) if groups.get(i)}
            tags |= {t.lstrip("#") for t in re.split(r"[\s,;]+", _str(row.get("tags"))) if t.lstrip("#")}
            found.append(Contact(_str(row.get("mobile")), _str(row.get("name")), tags, _str(row.get("email")),
                                 where="playsms"))
    return found


# -- the texts ----------------------------------------------------------------------------------

def _str(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    return str(value).strip()


_ENCODING = {"Unicode_No_Compression": "ucs2", "Unicode_Compression": "ucs2", "8bit": "8bit"}


def part_text(row: dict) -> str:
    """TextDecoded when SMSD filled it, else the hex `Text` decoded by `Coding`
    (UCS-2 for the default and Unicode codings, as SMSD writes them; bytes for 8bit)."""
    decoded = row.get("textdecoded")
    if decoded:
        return _str(decoded) if not isinstance(decoded, str) else decoded
    raw = _str(row.get("text"))
    try:
        data = bytes.fromhex(raw)
    except ValueError:
        return raw
    if row.get("coding") == "8bit":
        return data.decode("utf-8", "replace")
    return data.decode("utf-16-be", "replace")


def concatenation(udh) -> tuple[int, int, int] | None:
    """(reference, total, sequence) from a UDH in hex: information element 00
    (8-bit reference) or 08 (16-bit); None for a single text."""
    try:
        data = bytes.fromhex(_str(udh))
    except ValueError:
        return None
    if len(data) < 2:
        return None
    end, i = min(len(data), 1 + data[0]), 1
    while i + 1 < end:
        iei, size = data[i], data[i + 1]
        body = data[i + 2:i + 2 + size]
        if iei == 0x00 and size == 3 and len(body) == 3 and body[1] > 1:
            return body[0], body[1], body[2]
        if iei == 0x08 and size == 4 and len(body) == 4 and body[2] > 1:
            return body[0] << 8 | body[1], body[2], body[3]
        i += 2 + size
    return None


def when(value, tz: dt.tzinfo) -> dt.datetime:
    """A Gammu time (naive, the SMSD server's local time) as aware UTC."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip().replace("T", " ")[:19])
        except ValueError:
            value = None
    if not isinstance(value, dt.datetime):
        value = dt.datetime(1970, 1, 1)
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(dt.timezone.utc)


def received(source: Source, tz: dt.tzinfo) -> tuple[list[Text], int]:
    """The inbox as messages, multipart parts joined; and how many were joined."""
    if not source.has("inbox"):
        return [], 0
    texts: list[Text] = []
    open_groups: dict[tuple, list[dict]] = {}
    joined = 0

    def close(parts: list[dict]) -> None:
        nonlocal joined
        ordered = sorted({p["_seq"]: p for p in parts}.values(), key=lambda p: p["_seq"])
        total = ordered[0]["_total"]
        joined += 1
        texts.append(_in_text(ordered, tz, incomplete=[p["_seq"] for p in ordered] != list(range(1, total + 1))))

    for row in source.rows("inbox", order="ID"):
        concat = concatenation(row.get("udh"))
        if concat is None:
            texts.append(_in_text([row], tz))
            continue
        ref, total, seq = concat
        row["_seq"], row["_total"], row["_at"] = seq, total, when(row.get("receivingdatetime"), tz)
        key = (_str(row.get("sendernumber")), ref, total)
        group = open_groups.get(key)
        if group is not None and (any(p["_seq"] == seq for p in group) or row["_at"] - group[0]["_at"] > PART_GAP):
            close(open_groups.pop(key))
            group = None
        open_groups.setdefault(key, []).append(row)
        if len(open_groups[key]) == total:
            close(open_groups.pop(key))
    for group in open_groups.values():
        close(group)
    return texts, joined


def _hex_text(row: dict) -> str:
    return part_text({"text": row.get("text"), "coding": row.get("coding")})


def joined_text(parts: list[dict]) -> str:
    """The parts' text, in order. SMSD that saw every part writes the whole
    text into the first part's TextDecoded and leaves the others' empty (seen
    with gammu-smsd 1.42): then the first one is the text."""
    if len(parts) > 1 and parts[0].get("textdecoded") and not any(p.get("textdecoded") for p in parts[1:]) \
            and len(parts[0]["textdecoded"]) > len(_hex_text(parts[0])):
        return parts[0]["textdecoded"]
    return "".join(part_text(p) for p in parts)


def _in_text(parts: list[dict], tz, incomplete: bool = False) -> Text:
    first = parts[0]
    return Text(f"smsd:inbox:{first['id']}", "in", _str(first.get("sendernumber")),
                joined_text(parts), when(first.get("receivingdatetime"), tz),
                parts=len(parts), incomplete=incomplete, encoding=_ENCODING.get(first.get("coding"), "gsm7"))


# The worst of the parts' statuses says what became of the message.
_FAILED = ("SendingError", "Error", "DeliveryFailed")


def sent(source: Source, tz: dt.tzinfo) -> tuple[list[Text], int]:
    """The sent items as messages: the parts of one share its ID."""
    if not source.has("sentitems"):
        return [], 0
    groups: dict = {}
    for row in source.rows("sentitems"):
        groups.setdefault(row["id"], []).append(row)
    texts, joined = [], 0
    for message_id in sorted(groups):
        parts = sorted(groups[message_id], key=lambda p: p.get("sequenceposition") or 1)
        statuses = {_str(p.get("status")) for p in parts}
        status = next((s for s in _FAILED if s in statuses), "DeliveryOK" if statuses == {"DeliveryOK"} else "")
        first = parts[0]
        joined += len(parts) > 1
        texts.append(Text(f"smsd:sent:{message_id}", "out", _str(first.get("destinationnumber")),
                          joined_text(parts),
                          when(first.get("sendingdatetime") or first.get("insertintodb"), tz), parts=len(parts),
                          status=status or _str(first.get("status")),
                          encoding=_ENCODING.get(first.get("coding"), "gsm7")))
    return texts, joined
