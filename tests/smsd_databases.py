"""Gammu SMSD databases as shops have them, for `loket import smsd`.

Made with the schemas Debian's gammu-smsd ships (SQLite, MySQL, PostgreSQL)
and Kalkun's phonebook tables (pbk, pbk_groups, user_group; copied from
Kalkun's application/sql/*/pbk_gammu.sql and pbk_kalkun.sql). The SQLite
one is filled by a real `gammu-smsd` run against libgammu's dummy phone
(texts received, one sent); what a dummy phone cannot make (a sent text in
parts, a received one with a part lost, a phonebook) is written as SQL.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import time
from pathlib import Path

import bench_smsd

EXAMPLES = Path("/usr/share/doc/gammu-smsd/examples")
KALKUN_PBK = {
    "sqlite": """CREATE TABLE pbk (ID INTEGER PRIMARY KEY AUTOINCREMENT, GroupID INTEGER NOT NULL DEFAULT '-1',
                 Name TEXT NOT NULL, Number TEXT NOT NULL, id_user INTEGER NULL, is_public TEXT NOT NULL DEFAULT 'false');
                 CREATE TABLE pbk_groups (Name TEXT NOT NULL, ID INTEGER PRIMARY KEY AUTOINCREMENT, id_user INTEGER NULL,
                 is_public TEXT NOT NULL DEFAULT 'false');
                 CREATE TABLE user_group (id_group INTEGER PRIMARY KEY AUTOINCREMENT, id_pbk INTEGER NOT NULL,
                 id_pbk_groups INTEGER NOT NULL, id_user INTEGER NOT NULL);""",
    "mysql": """CREATE TABLE `pbk` (`ID` integer NOT NULL auto_increment, `GroupID` integer NOT NULL default '-1',
                `Name` text NOT NULL, `Number` text NOT NULL, `id_user` INT(11) NOT NULL,
                `is_public` enum('true','false') NOT NULL DEFAULT 'false', PRIMARY KEY (`ID`));
                CREATE TABLE `pbk_groups` (`Name` text NOT NULL, `ID` integer NOT NULL auto_increment,
                `id_user` INT(11) NOT NULL, `is_public` enum('true','false') NOT NULL DEFAULT 'false', PRIMARY KEY (`ID`));
                CREATE TABLE `user_group` (`id_group` integer NOT NULL auto_increment, `id_pbk` integer NOT NULL,
                `id_pbk_groups` integer NOT NULL, `id_user` integer NOT NULL, PRIMARY KEY (`id_group`));""",
    "postgres": """CREATE TABLE pbk ("ID" serial PRIMARY KEY, "GroupID" integer NOT NULL DEFAULT '-1',
                   "Name" text NOT NULL, "Number" text NOT NULL, "id_user" integer NULL,
                   "is_public" text NOT NULL DEFAULT 'false');
                   CREATE TABLE pbk_groups ("Name" text NOT NULL, "ID" serial PRIMARY KEY, "id_user" integer NULL,
                   "is_public" text NOT NULL DEFAULT 'false');
                   CREATE TABLE user_group ("id_group" serial PRIMARY KEY, "id_pbk" integer NOT NULL,
                   "id_pbk_groups" integer NOT NULL, "id_user" integer NOT NULL);""",
}

# playSMS's phonebook, from playsms/playsms db/playsms.sql (on the same MySQL database as its gateway's).
PLAYSMS_PHONEBOOK = """
CREATE TABLE `playsms_featurePhonebook` (`c_timestamp` bigint(20) NOT NULL DEFAULT 0, `id` int(11) NOT NULL,
  `uid` int(11) NOT NULL DEFAULT 0, `mobile` varchar(100) NOT NULL DEFAULT '', `name` varchar(255) NOT NULL DEFAULT '',
  `email` varchar(255) NOT NULL DEFAULT '', `tags` varchar(255) NOT NULL DEFAULT '');
CREATE TABLE `playsms_featurePhonebook_group` (`c_timestamp` bigint(20) NOT NULL DEFAULT 0, `id` int(11) NOT NULL,
  `uid` int(11) NOT NULL DEFAULT 0, `name` varchar(100) NOT NULL DEFAULT '', `code` varchar(20) NOT NULL DEFAULT '',
  `flag_sender` int(11) NOT NULL DEFAULT 0);
CREATE TABLE `playsms_featurePhonebook_group_contacts` (`id` int(11) NOT NULL, `gpid` int(11) NOT NULL,
  `pid` int(11) NOT NULL);
INSERT INTO `playsms_featurePhonebook` (`id`, `uid`, `mobile`, `name`, `email`, `tags`)
  VALUES (1, 1, '0812 3456 7020', 'Mbak Rina', 'rina@example.com', 'reseller');
INSERT INTO `playsms_featurePhonebook_group` (`id`, `uid`, `name`, `code`) VALUES (7, 1, 'Grosir', 'GROSIR');
INSERT INTO `playsms_featurePhonebook_group_contacts` (`id`, `gpid`, `pid`) VALUES (1, 7, 1);
"""


def _hex(text: str) -> str:
    return text.encode("utf-16-be").hex().upper()


def statements(script: str) -> list[str]:
    """A schema file's statements (SQLite's triggers hold semicolons: those files go to executescript)."""
    script = re.sub(r"--[^\n]*", "", script)
    return [s.strip() for s in script.split(";") if s.strip()]


def schema(kind: str) -> str:
    return (EXAMPLES / {"sqlite": "sqlite.sql", "mysql": "mysql.sql", "postgres": "pgsql.sql"}[kind]).read_text()


def fill(execute, kind: str, first_id: int = 100) -> None:
    """The rows a dummy phone cannot make, through execute(sql, params) with %s placeholders."""
    q = "`" if kind == "mysql" else '"'

    def insert(table, **values):
        columns = ", ".join(f"{q}{c}{q}" for c in values)
        execute(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(values))})", tuple(values.values()))

    for n, name in enumerate(("Pelanggan VIP", "Arisan"), 1):
        insert("pbk_groups", ID=n, Name=name, id_user=1)
    insert("pbk", ID=1, GroupID=1, Name="Ibu Sari", Number="0812-3456-7001", id_user=1)
    insert("pbk", ID=2, GroupID=-1, Name="Pak Budi", Number="+6281234567010", id_user=1)
    insert("pbk", ID=3, GroupID=-1, Name="Info Operator", Number="TELKOMSEL", id_user=1)
    insert("user_group", id_pbk=1, id_pbk_groups=2, id_user=1)  # Kalkun: Ibu Sari is in both groups
    at = dt.datetime(2024, 6, 1, 10, 0, 0)
    # Sent in three parts: one ID, SequencePosition 1..3.
    for seq, piece in enumerate(("Promo Lebaran: ", "diskon 20% untuk ", "semua layanan."), 1):
        insert("sentitems", ID=first_id, SequencePosition=seq, SendingDateTime=at, InsertIntoDB=at, UpdatedInDB=at,
               DestinationNumber="+6281234567010", Text=_hex(piece), TextDecoded=piece, UDH=f"050003A103{seq:02X}",
               Coding="Default_No_Compression", SenderID="", CreatorID="Kalkun", Status="SendingOKNoReport")
    insert("sentitems", ID=first_id + 1, SequencePosition=1, SendingDateTime=at, InsertIntoDB=at, UpdatedInDB=at,
           DestinationNumber="081234567011", Text=_hex("Gagal"), TextDecoded="Gagal", UDH="",
           Coding="Default_No_Compression", SenderID="", CreatorID="Kalkun", Status="SendingError")
    # Received in three parts with a 16-bit reference; part 2 never came. Text only in hex.
    for seq in (1, 3):
        insert("inbox", ID=first_id + seq, ReceivingDateTime=at, UpdatedInDB=at, SenderNumber="+6281234567012",
               Text=_hex(f"bagian {seq}. "), TextDecoded="", UDH=f"0608040123030{seq}", RecipientID="",
               Coding="Default_No_Compression", SMSCNumber="")
    insert("inbox", ID=first_id + 5, ReceivingDateTime=at, UpdatedInDB=at, SenderNumber="3636",
           Text=_hex("Paket aktif"), TextDecoded="Paket aktif", UDH="", RecipientID="",
           Coding="Default_No_Compression", SMSCNumber="")


def gammu_sqlite(root: Path) -> Path:
    """An SQLite database gammu-smsd itself filled from the dummy phone, plus fill()."""
    import gammu
    root.mkdir(parents=True, exist_ok=True)
    path = root / "smsd.db"
    with sqlite3.connect(path) as con:
        con.executescript(schema("sqlite"))
        con.execute("INSERT INTO outbox (DestinationNumber, TextDecoded, Coding, CreatorID, SendingDateTime, "
                    "SendingTimeOut) VALUES ('081234567001', 'Booking Anda besok jam 10', 'Default_No_Compression', "
                    "'Kalkun', datetime('now', '-1 day'), datetime('now', '-1 day'))")
    config = bench_smsd._config(root, ["service = sql", "driver = sqlite3", f"dbdir = {root}/",
                                       f"database = {path.name}"], bench_smsd.INBOUND)
    inbox = root / "phone" / "sms" / "1"

    def put(location, number, text, udh=None, coding="Default"):
        sms = {"Number": number, "Text": text, "SMSC": {"Location": 0, "Number": "+62816124"}, "Type": "Deliver",
               "State": "UnRead", "Folder": 1, "Coding": coding, "Class": -1,
               "DateTime": dt.datetime(2024, 5, 1, 9, 30, location)}
        if udh:
            sms["UDH"] = udh
        gammu.SaveSMSBackup(str(inbox / str(location)), [sms])

    put(1, "+6281234567001", "Halo, besok buka?")
    put(2, "TELKOMSEL", "Sisa pulsa Anda Rp5000")
    long = "Halo kak, saya mau tanya " + "apakah besok ada jadwal pijat bayi? " * 6
    parts = gammu.EncodeSMS({"Class": -1, "Unicode": False,
                             "Entries": [{"ID": "ConcatenatedTextLong", "Buffer": long}]})
    for location, part in enumerate(parts, 3):
        put(location, "+6281234567002", part["Text"], dict(part["UDH"]))
    put(9, "+6281234567003", "Terima kasih 🙏", coding="Unicode_No_Compression")
    with bench_smsd.Run(config, 20) as run:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            counts = run.monitor()
            if counts.get("Received", 0) >= 5 and counts.get("Sent", 0) >= 1:
                break
            time.sleep(0.1)
    with sqlite3.connect(path) as con:
        con.executescript(KALKUN_PBK["sqlite"])
        fill(lambda sql, params: con.execute(sql.replace("%s", "?"), params), "sqlite")
    return path


LONG = "Halo kak, saya mau tanya " + "apakah besok ada jadwal pijat bayi? " * 6
