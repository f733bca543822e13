"""The customer side of the simulated GSM network, kept on disk.

The simulated modem runs inside the worker; `loket sim` runs in another
process. They meet in a folder:

    <root>/to_shop/<time>-<id>.json   a text a customer sent to the shop,
                                      written atomically, taken by the modem
    <root>/delivered.jsonl            every SMS a phone received, one JSON
                                      object per line, appended (one file:
                                      a file per phone cost each new
                                      customer a file creation, which
                                      dominated the worker's CPU per send)
    <root>/to_shop/... {"call": true}  a customer calls the shop (`loket sim call`)
    <root>/calls.jsonl                every call the modem saw end, and how

A text stays in `to_shop/` until the modem side has taken it into its own
storage, so a crash on either side loses nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import time
from pathlib import Path


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")


def _phone_key(number: str) -> str:
    # "+62812" and "62812" are one phone, as they were one file name.
    return "".join(ch for ch in number if ch.isalnum()) or "unknown"


class SimNetwork:
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)
        self.to_shop = self.root / "to_shop"
        self.delivered = self.root / "delivered.jsonl"
        self._read_to, self._by_phone = 0, {}  # what received() has read of delivered.jsonl

    def ensure(self) -> "SimNetwork":
        self.to_shop.mkdir(parents=True, exist_ok=True)
        return self

    # -- the customer's phone -------------------------------------------------
    def text_shop(self, sender: str, text: str, **extra) -> Path:
        """A customer texts the shop. Returns the pending file."""
        self.ensure()
        name = f"{time.time_ns():020d}-{secrets.token_hex(4)}.json"
        record = {"from": sender, "text": text, "at": _now(), **extra}
        tmp = self.to_shop / (name + ".tmp")
        tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.to_shop / name)
        return self.to_shop / name

    def call_shop(self, caller: str) -> Path:
        """A customer calls the shop's number (and hangs up when it is rejected)."""
        self.ensure()
        name = f"{time.time_ns():020d}-{secrets.token_hex(4)}.json"
        tmp = self.to_shop / (name + ".tmp")
        tmp.write_text(json.dumps({"from": caller, "call": True, "at": _now()}), encoding="utf-8")
        os.replace(tmp, self.to_shop / name)
        return self.to_shop / name

    def calls(self) -> list[dict]:
        """Every call the modem saw end, and how (rejected, missed, answered)."""
        try:
            lines = (self.root / "calls.jsonl").read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        return [json.loads(line) for line in lines if line.strip().endswith("}")]

    def received(self, number: str) -> list[dict]:
        """Everything this phone has received, oldest first."""
        self._catch_up()
        return list(self._by_phone.get(_phone_key(number), []))

    def everything(self) -> list[dict]:
        """Every SMS every phone received, oldest first: the network's own record, which
        fault tests count rows against (it survives the worker's kills)."""
        self._catch_up()
        return sorted((m for texts in self._by_phone.values() for m in texts), key=lambda m: m.get("at", ""))

    def _catch_up(self) -> None:
        """Read what was delivered since the last call (the file only grows;
        a shorter or missing one was cleared, and is read afresh)."""
        try:
            with open(self.delivered, "rb") as fh:
                if os.fstat(fh.fileno()).st_size < self._read_to:
                    self._read_to, self._by_phone = 0, {}
                fh.seek(self._read_to)
                chunk = fh.read()
        except FileNotFoundError:
            self._read_to, self._by_phone = 0, {}
            return
        complete = chunk.rfind(b"\n") + 1  # a line being appended right now is read next time
        for line in chunk[:complete].splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue  # a line cut short by a crash mid-append
            self._by_phone.setdefault(_phone_key(str(record.get("to", ""))), []).append(record)
        self._read_to += complete

    def pending(self) -> list[Path]:
        """Texts not yet taken by the modem, oldest first."""
        try:
            return sorted(p for p in self.to_shop.iterdir() if p.suffix == ".json")
        except FileNotFoundError:
            return []

    # -- the modem's side ------------------------------------------------------
    @staticmethod
    def read(path: Path) -> dict | None:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None

    @staticmethod
    def take(path: Path) -> None:
        try:
            path.unlink()
        except FileNotFoundError:
            pass

    def deliver(self, to: str, text: str, **extra) -> None:
        """The network hands an SMS to a customer's phone."""
        record = {"to": to, "text": text, "at": _now(), **extra}
        line = json.dumps(record, ensure_ascii=False) + "\n"
        # One write() on an O_APPEND descriptor: lines never interleave.
        try:
            fd = os.open(self.delivered, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        except FileNotFoundError:  # the first SMS (or the folder was cleared): made then, not on every send
            self.root.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.delivered, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            os.write(fd, line.encode("utf-8"))
        finally:
            os.close(fd)
