"""Replay the AT sequences Gammu really sent (recorded on a pty) to the
simulator over its pty: every command gets a sensible, well-formed answer."""

from __future__ import annotations

import codecs
import re
import threading
import time
from pathlib import Path

import pytest
import serial

from appliance.modem import atsim, pdu

CORPUS = Path("/work/shared/corpus/gammu-at-sequences")
FILES = sorted(CORPUS.glob("*.txt")) if CORPUS.is_dir() else []
FINAL = re.compile(rb"\r\n(OK|ERROR|\+CM[ES] ERROR: [^\r]*)\r\n$|\r\n> $")

# Commands a modem of this class does not know; Gammu probes them and copes.
MAY_FAIL = re.compile(r"AT(\+MODE|\+CPROT|\+SYNCML|\$TSSPCSW|\+CHUP|\+CUSD)")

# What the information lines of an answer must look like (OK must follow).
EXPECTED = [
    (r"AT\+CGM[IMR]$|AT\+CGSN$|AT\+CIMI$", r"[^\r\n]+"),
    (r"AT\+CSCS\?", r'\+CSCS: "(GSM|IRA|UCS2)"'),
    (r"AT\+CSCS=\?", r"\+CSCS: \(.*\)"),
    (r"AT\+CPMS=\?", r'\+CPMS: \("SM","ME"\),\("SM","ME"\),\("SM","ME"\)'),
    (r"AT\+CPMS\?", r'\+CPMS: ("(SM|ME)",\d+,\d+,?){3}'),
    (r"AT\+CPMS=", r"\+CPMS: (\d+,\d+,?){3}"),
    (r"AT\+CMGL=4", r"(\+CMGL: \d+,[01],,\d+\r\n[0-9A-F]+(\r\n)?)*"),
    (r"AT\+CMGR=", r"\+CMGR: [01],,\d+\r\n[0-9A-F]+"),
    (r"AT\+CSQ$", r"\+CSQ: \d+,\d+"),
    (r"AT\+C(G|E)?REG\?", r'\+C(G|E)?REG: 2,1,"[0-9A-F]+","[0-9A-F]+",\d'),
    (r"AT\+COPS\?", r'\+COPS: 0,[02],"\w+",\d'),
    (r"AT\+CCLK\?", r'\+CCLK: "\d\d/\d\d/\d\d,\d\d:\d\d:\d\d[+-]\d\d"'),
    (r"AT\+CBC$", r"\+CBC: \d+,\d+.*"),
    (r"AT\+CPIN\?", r"\+CPIN: READY"),
    (r"AT\+CSCA\?", r'\+CSCA: "\+?\d+",1[24][59]'),
    (r"AT\+CNMI=\?", r"\+CNMI: (\([\d,-]+\),?){5}"),
    (r"AT\+CGATT\?", r"\+CGATT: 1"),
    (r"[0-9A-F]+\x1a$", r"\+CMGS: \d+"),
]


def commands_of(path: Path) -> list[bytes]:
    """The bytes Gammu wrote, one entry per write, from either file format."""
    out = []
    for line in path.read_text().splitlines():
        annotated = re.search(r"   > b'(.*)'$", line)
        if annotated:
            out.append(codecs.escape_decode(annotated.group(1))[0])
        elif re.match(r"^\d+\.\d+ (?!###|  )", line):
            out.append(codecs.escape_decode(line.split(" ", 1)[1])[0])
    return out


def exchange(port, data: bytes, timeout: float = 3.0) -> bytes:
    port.write(data)
    reply = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not FINAL.search(reply):
        reply += port.read(port.in_waiting or 1)
    return reply


@pytest.fixture
def modem(tmp_path):
    handle = atsim.serve(None, tmp_path / "net")
    for n, text in enumerate(["Halo", "Pesanan 😊 sudah sampai", "BOOK besok"]):
        handle.simulator.inject(f"+62811000{n}", text)  # something for CMGL/CMGR to show
    port = serial.Serial(handle.path, 115200, timeout=0.2)
    yield handle, port
    port.close()
    handle.stop()
    assert not [t for t in threading.enumerate() if t.name == "atsim"]


def test_corpus_is_there():
    assert len(FILES) >= 6


@pytest.mark.parametrize("path", FILES, ids=[p.name.split(".")[0] for p in FILES])
def test_replay_gammu_sequence(modem, path):
    handle, port = modem
    checked = 0
    for data in commands_of(path):
        text = data.decode("latin-1").rstrip("\r")
        if text == "\x1b":
            exchange(port, data, timeout=0.2)  # Gammu's opening ESC CR: silence is fine
            continue
        reply = exchange(port, data)
        body = reply.split(data.rstrip(b"\x1a"), 1)[-1] if data.rstrip(b"\x1a") in reply else reply
        assert FINAL.search(reply), (text, reply)
        if text.startswith("AT+CMGS="):
            assert reply.endswith(b"\r\n> "), (text, reply)
            continue
        if MAY_FAIL.match(text):
            continue
        assert body.endswith(b"\r\nOK\r\n"), (text, reply)
        info = body[: -len(b"\r\nOK\r\n")].strip(b"\r\n").decode("latin-1")
        for command, pattern in EXPECTED:
            if re.match(command, text):
                assert re.fullmatch(pattern, info, re.S), (text, info)
                break
        else:
            assert info == "", (text, info)
        checked += 1
    assert checked >= 8
    for record in handle.simulator.sent:  # every PDU Gammu sent decodes and was delivered
        assert record["ref"] is not None and pdu.decode(record["pdu"]).type == "submit"
