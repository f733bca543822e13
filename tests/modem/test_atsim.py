"""The AT modem simulator: command behaviour (fed bytes directly), the pty,
and faults as a client on the serial port sees them."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

import pytest
import serial

from appliance.modem import atsim, pdu
from appliance.modem.network import SimNetwork

SHOP = "+6281234567"


# -- helpers -----------------------------------------------------------------------------
def at(sim: atsim.ModemSimulator, command: str | bytes) -> str:
    """Send one command line (or raw bytes) and return everything the modem said."""
    sim.feed(command if isinstance(command, bytes) else command.encode("latin-1") + b"\r")
    sim.tick()
    return sim.take_output().decode("latin-1")


def send_pdu(sim, pdu_hex: str) -> str:
    prompt = at(sim, f"AT+CMGS={pdu.tpdu_length(pdu_hex)}")
    assert prompt.endswith("> ")
    return at(sim, pdu_hex.encode() + b"\x1a")


def info_lines(reply: str) -> list[str]:
    return [line for line in reply.split("\r\n") if line and line != "OK"]


@pytest.fixture
def sim(tmp_path):
    sim = atsim.ModemSimulator(tmp_path / "net", seed=1)
    assert "OK" in at(sim, "ATE0")
    return sim


@pytest.fixture(autouse=True)
def no_leftover_threads():
    yield
    assert not [t for t in threading.enumerate() if t.name == "atsim"]


def wait_until(condition, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


# -- command basics ----------------------------------------------------------------------------
def test_answers_ok_error_and_chains(sim):
    assert at(sim, "AT") == "\r\nOK\r\n"
    assert at(sim, "at") == "\r\nOK\r\n"
    assert at(sim, "AT+NOSUCH") == "\r\nERROR\r\n"
    assert at(sim, "AT+CMEE=1;+CMGF=0") == "\r\nOK\r\n"
    assert at(sim, "AT+NOSUCH") == "\r\nERROR\r\n"  # unknown stays a bare ERROR, like real modems
    assert at(sim, "AT+CPMS?;+CSQ") == '\r\n+CPMS: "SM",0,30,"SM",0,30,"SM",0,30\r\n\r\n+CSQ: 20,99\r\n\r\nOK\r\n'
    assert at(sim, "\x1b") == ""  # Gammu's opening ESC CR: silence
    assert at(sim, "AT+CGMI").split() == ["Quectel", "OK"]
    assert at(sim, "A/").split() == ["Quectel", "OK"]


def test_echo_and_line_assembly(sim):
    assert at(sim, "ATE1") == "\r\nOK\r\n"
    sim.feed(b"A")
    sim.feed(b"T+CSQ\r\n")  # CRLF: one command; the LF is only echoed
    assert sim.take_output() == b"AT+CSQ\r\r\n+CSQ: 20,99\r\n\r\nOK\r\n\n"
    sim.feed(b"ATX\x08\r")  # a backspace edits the line
    assert sim.take_output().endswith(b"\r\nOK\r\n")
    assert at(sim, "ATV0") .endswith("0\r")  # numeric result codes
    assert at(sim, "AT+NOSUCH").endswith("4\r")


def test_cmee_modes(tmp_path):
    sim = atsim.ModemSimulator(tmp_path, pin="1234")
    at(sim, "ATE0")
    assert at(sim, "AT+CIMI") == "\r\nERROR\r\n"
    assert at(sim, "AT+CMGL=4") == "\r\n+CMS ERROR: 311\r\n"  # 27.005 errors need no CMEE
    at(sim, "AT+CMEE=1")
    assert at(sim, "AT+CIMI") == "\r\n+CME ERROR: 11\r\n"
    assert at(sim, "AT+CMGL=4") == "\r\n+CMS ERROR: 311\r\n"
    at(sim, "AT+CMEE=2")
    assert at(sim, "AT+CIMI") == "\r\n+CME ERROR: SIM PIN required\r\n"


def test_identity_commands(sim):
    ident = atsim.IDENTITIES["quectel-ec25"]
    assert info_lines(at(sim, "AT+CGMM")) == [ident.model]
    assert info_lines(at(sim, "AT+CGMR")) == [ident.revision]
    assert info_lines(at(sim, "AT+CGSN")) == [ident.imei]
    assert info_lines(at(sim, "AT+CIMI")) == [ident.imsi]
    assert len(ident.imei) == 15
    other = atsim.ModemSimulator(None, identity="huawei-e3372")
    assert "huawei" in other.take_output().decode() + at(other, "AT+CGMI")


def test_sim_pin_puk(tmp_path):
    sim = atsim.ModemSimulator(tmp_path, pin="1234", puk="87654321")
    at(sim, "ATE0;+CMEE=1")
    assert "+CPIN: SIM PIN" in at(sim, "AT+CPIN?")
    assert "+CREG: 0,0" in at(sim, "AT+CREG?")
    assert at(sim, 'AT+CPIN="0000"') == "\r\n+CME ERROR: 16\r\n"
    assert at(sim, 'AT+CPIN="1234"') == "\r\nOK\r\n"
    assert "+CPIN: READY" in at(sim, "AT+CPIN?")
    assert "+CREG: 0,1" in at(sim, "AT+CREG?")
    sim.power_cycle()  # the PIN is asked again after power loss
    at(sim, "ATE0;+CMEE=1")
    for _ in range(3):
        at(sim, 'AT+CPIN="9999"')
    assert "+CPIN: SIM PUK" in at(sim, "AT+CPIN?")
    assert at(sim, 'AT+CPIN="87654321","4321"') == "\r\nOK\r\n"
    assert sim.pin == "4321"


def test_registration_signal_and_operator(sim):
    assert info_lines(at(sim, "AT+CREG?")) == ["+CREG: 0,1"]
    at(sim, "AT+CREG=2;+CEREG=2;+CGREG=1")
    assert info_lines(at(sim, "AT+CREG?")) == ['+CREG: 2,1,"1A2B","00C0FFEE",7']
    assert info_lines(at(sim, "AT+CEREG?")) == ['+CEREG: 2,1,"1A2B","00C0FFEE",7']
    assert info_lines(at(sim, "AT+COPS?")) == ['+COPS: 0,0,"TELKOMSEL",7']
    at(sim, "AT+COPS=3,2")
    assert info_lines(at(sim, "AT+COPS?")) == ['+COPS: 0,2,"51010",7']

    sim.set_faults(no_network=True)  # lost the network: URCs, then the state shows it
    urcs = sim.take_output().decode()
    assert "+CREG: 2" in urcs and "+CGREG: 2" in urcs and "+CEREG: 2" in urcs
    assert info_lines(at(sim, "AT+CREG?")) == ["+CREG: 2,2"]
    assert info_lines(at(sim, "AT+CSQ")) == ["+CSQ: 99,99"]
    assert info_lines(at(sim, "AT+COPS?")) == ["+COPS: 0"]
    sim.set_faults(no_network=None, csq=4)
    assert '+CREG: 1,"1A2B"' in sim.take_output().decode()
    assert info_lines(at(sim, "AT+CSQ")) == ["+CSQ: 4,99"]


def test_network_time(tmp_path):
    sim = atsim.ModemSimulator(tmp_path)
    at(sim, "ATE0")
    (reply,) = info_lines(at(sim, "AT+CCLK?"))
    shown = atsim._parse_time(reply.split('"')[1])
    assert reply.endswith('+28"')  # WIB, UTC+7, in quarter hours
    assert abs((shown - dt.datetime.now(dt.timezone.utc)).total_seconds()) < 120

    assert at(sim, 'AT+CCLK="30/01/02,03:04:05-08"') == "\r\nOK\r\n"
    assert info_lines(at(sim, "AT+CCLK?"))[0].startswith('+CCLK: "30/01/02,03:04:0')

    fresh = atsim.ModemSimulator(None)  # never synced: the RTC's power-on default
    at(fresh, "ATE0;+CTZU=0")
    assert info_lines(at(fresh, "AT+CCLK?"))[0].startswith('+CCLK: "04/01/01,')
    at(fresh, "AT+CLTS=1")
    assert not info_lines(at(fresh, "AT+CCLK?"))[0].startswith('+CCLK: "04/')


def test_cnmi_csms_cscs_csca(sim):
    assert info_lines(at(sim, "AT+CNMI=?")) == ["+CNMI: (0-2),(0-3),(0,2),(0-2),(0,1)"]
    at(sim, "AT+CNMI=2,1,0,2,0")
    assert info_lines(at(sim, "AT+CNMI?")) == ["+CNMI: 2,1,0,2,0"]
    assert info_lines(at(sim, "AT+CSMS=1")) == ["+CSMS: 1,1,1"]
    assert info_lines(at(sim, "AT+CSCA?")) == ['+CSCA: "+6281100000",145']
    at(sim, 'AT+CSCS="UCS2"')
    assert info_lines(at(sim, "AT+CSCA?")) == ['+CSCA: "002B0036003200380031003100300030003000300030",145']
    at(sim, 'AT+CSCA="002B00360032003800310031003900390039"')
    at(sim, 'AT+CSCS="GSM"')
    assert info_lines(at(sim, "AT+CSCA?")) == ['+CSCA: "+62811999",145']


# -- sending -----------------------------------------------------------------------------------
def test_send_pdu_logs_delivers_and_reports(sim, tmp_path):
    net = SimNetwork(tmp_path / "net")
    at(sim, "AT+CNMI=2,1,0,2,0")
    (part,) = pdu.encode_submit("+628555", "Booking OK besok 10.30", smsc="+6281100000", status_report=True)
    reply = send_pdu(sim, part)
    assert reply.startswith("\r\n+CMGS: 0\r\n\r\nOK\r\n")
    assert '+CDSI: "SM",1' in reply + at(sim, "")  # instant profile: delivered at once

    (line,) = (tmp_path / "net" / "modem_sent.jsonl").read_text().splitlines()
    record = json.loads(line)
    assert {k: record[k] for k in ("pdu", "number", "text", "part", "ref")} == {
        "pdu": part, "number": "+628555", "text": "Booking OK besok 10.30", "part": 1, "ref": 0}
    (phone,) = net.received("+628555")
    assert (phone["text"], phone["ref"], phone["parts"]) == ("Booking OK besok 10.30", 0, 1)

    header, report = info_lines(at(sim, "AT+CMGR=1"))
    assert header.startswith("+CMGR: 0,,")
    decoded = pdu.decode(report)
    assert (decoded.type, decoded.message_ref, decoded.status, decoded.number) == ("status-report", 0, 0, "+628555")


def test_message_references_wrap(sim):
    sim._next_mr = 254
    (part,) = pdu.encode_submit("+628555", "x")
    refs = [info_lines(send_pdu(sim, part))[0] for _ in range(3)]
    assert refs == ["+CMGS: 254", "+CMGS: 255", "+CMGS: 0"]


def test_multipart_unicode_send_is_reassembled(sim, tmp_path):
    text = "Terima kasih 🙏 pesanan #778 sudah kami terima, kurir berangkat jam 3 sore. " * 3
    parts = pdu.encode_submit("+628777", text, concat_ref=42)
    assert len(parts) > 2
    net = SimNetwork(tmp_path / "net")
    for part in reversed(parts):  # the network reassembles whatever the order
        assert "+CMGS:" in send_pdu(sim, part)
    (phone,) = net.received("+628777")
    assert phone["text"] == text and phone["parts"] == len(parts)
    assert len(phone["refs"]) == len(parts)


def test_bad_pdus_and_escape(sim, tmp_path):
    at(sim, "AT+CMEE=1")
    (part,) = pdu.encode_submit("+628555", "hello")
    at(sim, f"AT+CMGS={pdu.tpdu_length(part) + 1}")
    assert at(sim, part.encode() + b"\x1a") == "\r\n+CMS ERROR: 304\r\n"  # length does not match
    at(sim, "AT+CMGS=10")
    assert at(sim, b"ZZZZ\x1a") == "\r\n+CMS ERROR: 304\r\n"
    deliver = pdu.encode_deliver("+628555", "not a submit")[0]
    at(sim, f"AT+CMGS={pdu.tpdu_length(deliver)}")
    assert at(sim, deliver.encode() + b"\x1a") == "\r\n+CMS ERROR: 304\r\n"
    at(sim, f"AT+CMGS={pdu.tpdu_length(part)}")
    assert at(sim, part[:10].encode() + b"\x1b") == "\r\nOK\r\n"  # ESC cancels
    assert at(sim, "AT") == "\r\nOK\r\n"
    assert not SimNetwork(tmp_path / "net").received("+628555")


def test_text_mode_send_and_read(sim, tmp_path):
    at(sim, "AT+CMGF=1")
    assert at(sim, 'AT+CMGS="+628999"').endswith("> ")
    at(sim, b"Antrian nomor 12")
    assert at(sim, b"\r").endswith("> ")  # a new line inside the text
    assert "+CMGS: 0" in at(sim, b"silakan masuk\x1a")
    (phone,) = SimNetwork(tmp_path / "net").received("+628999")
    assert phone["text"] == "Antrian nomor 12\nsilakan masuk"

    sim.inject("+628111", "PESAN besok", timestamp=dt.datetime(2024, 5, 1, 10, 0, tzinfo=atsim.dt.timezone(dt.timedelta(hours=7))))
    assert info_lines(at(sim, 'AT+CMGL="ALL"')) == ['+CMGL: 1,"REC UNREAD","+628111",,"24/05/01,10:00:00+28"', "PESAN besok"]
    assert info_lines(at(sim, "AT+CMGR=1"))[0] == '+CMGR: "REC READ","+628111",,"24/05/01,10:00:00+28"'
    at(sim, 'AT+CSCS="UCS2"')
    assert at(sim, 'AT+CMGS="002B0036003200380039003900390031"').endswith("> ")
    assert "+CMGS: 1" in at(sim, b"00480061006C006F\x1a")
    assert SimNetwork(tmp_path / "net").received("+6289991")[0]["text"] == "Halo"


# -- receiving and storage ------------------------------------------------------------------
def test_inject_long_unicode_is_stored_in_parts(sim):
    at(sim, "AT+CNMI=2,1,0,2,0")
    text = "Halo kak, saya mau komplain 😡 paket belum sampai sejak kemarin, tolong dicek ya. " * 2
    indexes = sim.inject("+628123", text)
    assert len(indexes) > 1
    urcs = sim.take_output().decode() + at(sim, "")
    assert urcs.count("+CMTI:") == len(indexes)
    lines = info_lines(at(sim, "AT+CMGL=4"))
    assert len(lines) == 2 * len(indexes)
    for header, hex_pdu in zip(lines[::2], lines[1::2]):
        assert re.fullmatch(r"\+CMGL: \d+,0,,\d+", header)
        assert int(header.rsplit(",", 1)[1]) == pdu.tpdu_length(hex_pdu)
    decoded = [pdu.decode(p) for p in lines[1::2]]
    assert {d.coding for d in decoded} == {"ucs2"}
    assert pdu.reassemble(decoded) == text
    assert all(header.split(",")[1] == "1" for header in info_lines(at(sim, "AT+CMGL=4"))[::2])  # now read


def test_cmgd_and_delete_flags(sim):
    for n in range(4):
        sim.inject(f"+62810{n}", f"pesan {n}")
    at(sim, "AT+CMEE=1")
    at(sim, "AT+CMGR=1")
    at(sim, "AT+CMGR=2")
    assert at(sim, "AT+CMGD=1,1") == "\r\nOK\r\n"  # read ones only
    assert [m.index for m in sim.messages()] == [3, 4]
    assert at(sim, "AT+CMGD=3") == "\r\nOK\r\n"
    assert at(sim, "AT+CMGD=3") == "\r\nOK\r\n"  # an empty slot: fine, like real modems
    assert at(sim, "AT+CMGD=999") == "\r\n+CMS ERROR: 321\r\n"
    assert at(sim, "AT+CMGR=3") == "\r\n+CMS ERROR: 321\r\n"
    at(sim, "AT+CMGD=1,4")
    assert sim.messages() == []


def test_memories_and_cpms(sim):
    assert info_lines(at(sim, 'AT+CPMS="ME","ME","ME"')) == ["+CPMS: 0,100,0,100,0,100"]
    sim.inject("+628111", "ke memori ME")
    assert info_lines(at(sim, "AT+CPMS?")) == ['+CPMS: "ME",1,100,"ME",1,100,"ME",1,100']
    assert info_lines(at(sim, 'AT+CPMS="SM"')) == ["+CPMS: 0,30,1,100,1,100"]
    assert info_lines(at(sim, "AT+CMGL=4")) == []
    at(sim, "AT+CMEE=1")
    assert at(sim, 'AT+CPMS="XX"') == "\r\n+CMS ERROR: 302\r\n"


def test_storage_full_keeps_texts_at_the_network(tmp_path):
    sim = atsim.ModemSimulator(tmp_path, sm_capacity=2)
    net = SimNetwork(tmp_path)
    with pytest.raises(atsim.StorageFullError):
        sim.inject("+628111", "x" * 400)  # 3 parts never fit in 2 slots
    assert sim.messages() == []
    sim.set_faults(storage_full=True)
    net.text_shop("+628222", "halo")
    sim.tick(time.monotonic() + 1)
    assert len(net.pending()) == 1 and sim.messages() == []
    at(sim, "ATE0")
    assert info_lines(at(sim, "AT+CPMS?")) == ['+CPMS: "SM",0,0,"SM",0,0,"SM",0,0']
    sim.set_faults()
    sim.tick(time.monotonic() + 2)
    assert net.pending() == [] and len(sim.messages()) == 1


def test_a_text_longer_than_the_sim_arrives_part_by_part_and_blocks_nothing(tmp_path):
    # 31+ parts never fit 30 slots: the simulator once retried it forever, and no later text came.
    sim = atsim.ModemSimulator(tmp_path, sm_capacity=30)
    net = SimNetwork(tmp_path)
    long_text = " ".join(f"kata{n}" for n in range(1000))  # about 40 parts
    net.text_shop("+6281234500201", long_text)
    net.text_shop("+6281234500202", "POIN")
    parts = []
    clock = time.monotonic()
    for step in range(1, 10):  # the shop reads and deletes what arrived, as the worker does
        sim.tick(clock + step)
        for message in sim.messages():
            parts.append(pdu.decode(message.pdu))
            at(sim, f"AT+CMGD={message.index}")
        if not net.pending():
            break
    assert net.pending() == []
    long_parts = [p for p in parts if p.number == "+6281234500201"]
    assert len(long_parts) > 30 and {p.concat.ref for p in long_parts} == {long_parts[0].concat.ref}
    assert "".join(p.text for p in sorted(long_parts, key=lambda p: p.concat.seq)) == long_text
    assert [p.text for p in parts if p.number == "+6281234500202"] == ["POIN"]


def test_polls_the_network_folder(sim, tmp_path):
    net = SimNetwork(tmp_path / "net")
    at(sim, "AT+CNMI=2,1,0,2,0")
    net.text_shop("+628333", "BOOK besok jam 10")
    net.text_shop("+628334", "STATUS")
    sim.tick(time.monotonic() + 1)
    assert net.pending() == []
    assert [pdu.decode(m.pdu).text for m in sim.messages()] == ["BOOK besok jam 10", "STATUS"]
    assert sim.take_output().decode().count("+CMTI:") == 2


def test_cnmi_direct_routing_and_cds(sim):
    at(sim, "AT+CNMI=2,2,0,1,0")
    sim.inject("+628444", "langsung")
    cmt = sim.take_output().decode() + at(sim, "")
    assert cmt.startswith("\r\n+CMT: ,") and pdu.decode(cmt.split("\r\n")[2]).text == "langsung"
    assert sim.messages() == []
    (part,) = pdu.encode_submit("+628555", "x", status_report=True)
    reply = send_pdu(sim, part) + at(sim, "")
    assert "+CDS: " in reply and sim.messages() == []


def test_delays_hold_the_answer(tmp_path):
    sim = atsim.ModemSimulator(tmp_path, profile={"cmgs_delay": 2.0})
    at(sim, "ATE0")
    (part,) = pdu.encode_submit("+628555", "x")
    at(sim, f"AT+CMGS={pdu.tpdu_length(part)}")
    assert at(sim, part.encode() + b"\x1a") == ""  # the network is slow to answer
    assert at(sim, "AT") == ""  # meanwhile the next command waits in the buffer
    sim.tick()
    assert sim.take_output() == b""
    sim.tick(time.monotonic() + 3)
    assert sim.take_output() == b"\r\n+CMGS: 0\r\n\r\nOK\r\n\r\nOK\r\n"
    assert atsim.get_profile("realistic").cmgs_delay == (1.5, 4.0)


def test_faults_for_numbers(sim):
    at(sim, "AT+CMEE=1")
    sim.set_faults(cms_error={"628500": 500}, error=["+628501"])
    for number, expected in (("+628500", "\r\n+CMS ERROR: 500\r\n"), ("+628501", "\r\nERROR\r\n")):
        (part,) = pdu.encode_submit(number, "x")
        assert send_pdu(sim, part) == expected
    (part,) = pdu.encode_submit("+628502", "x")
    assert "+CMGS: 0" in send_pdu(sim, part)
    assert [r.get("error") for r in sim.sent] == ["+CMS ERROR: 500", "ERROR", None]
    sim.set_faults(no_network=0)
    assert send_pdu(sim, part) == "\r\n+CMS ERROR: 331\r\n"


def test_faults_file(sim, tmp_path):
    root = tmp_path / "net"
    atsim.write_faults(root, cms_error={"*": 38}, csq=2)
    sim.tick(time.monotonic() + 1)
    assert sim.faults.cms_error == {"*": 38} and sim.faults.csq == 2
    (root / "faults.json").write_text("{not json")
    sim.tick(time.monotonic() + 2)
    assert sim.faults.csq == 2  # a broken file is ignored, the last good one stays
    (root / "faults.json").unlink()
    sim.tick(time.monotonic() + 3)
    assert sim.faults == atsim.Faults()
    with pytest.raises(ValueError):
        atsim.write_faults(root, hang=True)  # typo


# -- on a pty, as a client sees it ---------------------------------------------------------------
@pytest.fixture
def served(tmp_path):
    handle = atsim.serve(str(tmp_path / "ttyGSM"), tmp_path / "net")
    yield handle
    handle.stop()


def open_port(path, timeout=1.0):
    port = serial.Serial(path, 115200, timeout=timeout)
    port.reset_input_buffer()
    return port


def command(port, line: str, until=(b"OK\r\n", b"ERROR", b"> ")) -> bytes:
    port.write(line.encode() + b"\r")
    data = b""
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and not any(u in data for u in until):
        data += port.read(port.in_waiting or 1)
    return data


def test_pty_serves_pyserial_and_raises_cmti(served, tmp_path):
    assert os.readlink(tmp_path / "ttyGSM") == served.path
    with open_port(str(tmp_path / "ttyGSM")) as port:
        assert command(port, "AT") == b"AT\r\r\nOK\r\n"  # echo on after power-up
        command(port, "ATE0;+CNMI=2,1,0,2,0")
        served.simulator.inject("+628111", "halo")
        assert port.read_until(b'+CMTI: "SM",1\r\n').endswith(b'+CMTI: "SM",1\r\n')
        SimNetwork(tmp_path / "net").text_shop("+628112", "dari file")
        assert port.read_until(b'+CMTI: "SM",2\r\n').endswith(b'+CMTI: "SM",2\r\n')


def test_pty_hung_modem_gives_the_client_a_timeout(served):
    with open_port(served.path, timeout=0.5) as port:
        served.simulator.set_faults(hung=True)
        port.write(b"AT\r")
        assert port.read(100) == b""  # nothing at all, not even the echo
        served.simulator.set_faults()
        assert b"OK" in command(port, "AT")


def test_pty_garbage_before_replies(served):
    with open_port(served.path) as port:
        command(port, "ATE0")
        served.simulator.set_faults(garbage=True)
        reply = command(port, "AT+CSQ")
        assert reply.endswith(b"\r\n+CSQ: 20,99\r\n\r\nOK\r\n") and not reply.startswith(b"\r\n+CSQ")


def test_pty_cms_error_for_a_number(served):
    (part,) = pdu.encode_submit("+628500", "x")
    served.simulator.set_faults(cms_error={"+628500": 21})
    with open_port(served.path) as port:
        command(port, "ATE0;+CMEE=1")
        assert command(port, f"AT+CMGS={pdu.tpdu_length(part)}").endswith(b"> ")
        port.write(part.encode() + b"\x1a")
        assert port.read_until(b"\r\n+CMS ERROR: 21\r\n").endswith(b"+CMS ERROR: 21\r\n")


def test_pty_vanishes_and_returns_at_the_same_link(served, tmp_path):
    link = tmp_path / "ttyGSM"
    served.simulator.inject("+628111", "tetap tersimpan")
    port = open_port(str(link))
    command(port, "ATE0")
    served.vanish()
    assert not os.path.lexists(link)
    with pytest.raises(serial.SerialException):
        port.write(b"AT\r")
        port.read(10)
    port.close()

    served.reappear()
    assert os.readlink(link) == served.path and served.generation == 2
    with open_port(str(link)) as port:
        assert command(port, "AT") == b"AT\r\r\nOK\r\n"  # power-on again: echo is back
        assert b"+CMGL: 1,0,," in command(port, "AT+CMGL=4")  # SIM storage survives


def test_pty_vanish_for_a_while_from_the_faults_file(served, tmp_path):
    atsim.write_faults(tmp_path / "net", vanish=0.3)
    assert wait_until(lambda: not served.present)
    assert wait_until(lambda: served.present)
    with open_port(str(tmp_path / "ttyGSM")) as port:
        assert b"OK" in command(port, "AT")


def test_main_prints_the_pty_and_stops_on_sigterm(tmp_path):
    link = tmp_path / "modem"
    proc = subprocess.Popen(
        [sys.executable, "-c", "import sys; from appliance.modem.atsim import main; sys.exit(main(sys.argv[1:]))",
         "--link", str(link), "--network", str(tmp_path / "net"), "--profile", "realistic"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        path = proc.stdout.readline().strip()
        assert path.startswith("/dev/pts/") and os.readlink(link) == path
        with open_port(str(link)) as port:
            assert b"OK" in command(port, "AT")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
        assert not os.path.lexists(link)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
