"""The simulator against the real libgammu AT driver (python-gammu).

One Gammu session for the module: its AT driver spends ~4 s in Init and
~0.7 s per SMS part by design.
"""

from __future__ import annotations

import threading
import time

import gammu
import pytest

from appliance.modem import atsim, pdu
from appliance.modem.network import SimNetwork

CUSTOMER = "+6281234567"
LONG_TEXT = (
    "Halo Kak! Pesanan Anda #12345 sudah dikirim hari ini 🚚📦. Terima kasih telah "
    "berbelanja di toko kami — semoga hari Anda menyenangkan 😊. Balas STATUS untuk "
    "melihat posisi paket, atau BANTUAN jika ada kendala. Salam hangat dari Loket!"
)


@pytest.fixture(scope="module")
def rig(tmp_path_factory):
    root = tmp_path_factory.mktemp("gammu")
    handle = atsim.serve(str(root / "ttyGSM"), root / "net")
    rc = root / "gammurc"
    # A gammurc read by ReadConfig, as in production (a dict config leaves
    # new-message indications off).
    rc.write_text(f"[gammu]\ndevice = {root / 'ttyGSM'}\nconnection = at\n")
    machine = gammu.StateMachine()
    machine.ReadConfig(Filename=str(rc))
    machine.Init()
    state = {"sm": machine, "handle": handle, "rc": rc, "net": SimNetwork(root / "net")}
    yield state
    try:
        state["sm"].Terminate()
    except gammu.GSMError:
        pass  # the device may be gone by now
    handle.stop()
    assert not [t for t in threading.enumerate() if t.name == "atsim"]


def send(sm, message: dict) -> int:
    message = dict(message, SMSC={"Location": 1}, Number=CUSTOMER)
    return sm.SendSMS(message)


def test_identifies_the_modem(rig):
    sm, ident = rig["sm"], rig["handle"].simulator.identity
    assert sm.GetManufacturer() == ident.manufacturer
    assert sm.GetModel()[1] == ident.model
    assert sm.GetIMEI() == ident.imei
    assert sm.GetSIMIMSI() == ident.imsi
    assert sm.GetNetworkInfo()["State"] == "HomeNetwork"
    assert sm.GetSignalQuality()["SignalStrength"] == -73


def test_sends_a_single_sms(rig):
    ref = send(rig["sm"], {"Text": "Booking Anda besok 10.30 sudah dicatat."})
    record = rig["handle"].simulator.sent[-1]
    assert (record["ref"], record["number"], record["part"]) == (ref, CUSTOMER, 1)
    assert pdu.decode(record["pdu"]).text == "Booking Anda besok 10.30 sudah dicatat."
    assert rig["net"].received(CUSTOMER)[-1]["text"] == "Booking Anda besok 10.30 sudah dicatat."


def test_sends_a_multipart_unicode_sms(rig):
    parts = gammu.EncodeSMS({"Class": -1, "Unicode": True,
                             "Entries": [{"ID": "ConcatenatedTextLong", "Buffer": LONG_TEXT}]})
    assert len(parts) > 1
    refs = [send(rig["sm"], part) for part in parts]
    records = rig["handle"].simulator.sent[-len(parts):]
    assert [r["ref"] for r in records] == refs
    decoded = [pdu.decode(r["pdu"]) for r in records]
    assert {d.coding for d in decoded} == {"ucs2"}
    assert pdu.reassemble(decoded) == LONG_TEXT
    delivered = rig["net"].received(CUSTOMER)[-1]
    assert delivered["text"] == LONG_TEXT and delivered["refs"] == refs


def read_all(sm) -> list[dict]:
    messages, location = [], None
    while True:
        try:
            if location is None:
                (message,) = sm.GetNextSMS(Start=True, Folder=0)
            else:
                (message,) = sm.GetNextSMS(Location=location, Folder=0)
        except gammu.ERR_EMPTY:
            return messages
        messages.append(message)
        location = message["Location"]


def test_reads_injected_texts_and_deletes_them(rig):
    sm, sim = rig["sm"], rig["handle"].simulator
    sim.inject("+628111", "BOOK besok jam 3 sore")
    stored = sim.inject("+628112", LONG_TEXT)
    rig["net"].text_shop("+628113", "STATUS")  # through the network folder too
    expected = 2 + len(stored)
    deadline = time.monotonic() + 5
    while len(sim.messages("SM") + sim.messages("ME")) < expected and time.monotonic() < deadline:
        time.sleep(0.05)  # the folder is polled every 100 ms
    messages = read_all(sm)
    assert len(messages) == expected
    status = sm.GetSMSStatus()
    assert status["SIMUsed"] + status["PhoneUsed"] == expected

    texts = {}
    for group in gammu.LinkSMS([[m] for m in messages]):
        info = gammu.DecodeSMS(group)
        text = "".join(e["Buffer"] for e in info["Entries"]) if info else group[0]["Text"]
        texts[group[0]["Number"]] = text
    assert texts == {"+628111": "BOOK besok jam 3 sore", "+628112": LONG_TEXT, "+628113": "STATUS"}

    for message in messages:
        sm.DeleteSMS(Folder=0, Location=message["Location"])
    status = sm.GetSMSStatus()
    assert status["SIMUsed"] + status["PhoneUsed"] == 0
    assert sim.messages("SM") == [] and sim.messages("ME") == []


def test_cms_error_reaches_gammu(rig):
    rig["handle"].simulator.set_faults(cms_error={CUSTOMER: 500})
    try:
        with pytest.raises(gammu.GSMError):
            send(rig["sm"], {"Text": "tidak terkirim"})
    finally:
        rig["handle"].simulator.set_faults()
    assert rig["handle"].simulator.sent[-1]["error"] == "+CMS ERROR: 500"


def test_gammu_reconnects_after_the_device_vanishes(rig):
    # Last in the module: it leaves the shared session dead.
    handle = rig["handle"]
    handle.vanish()
    with pytest.raises(gammu.GSMError):
        rig["sm"].GetSignalQuality()
    handle.reappear()
    try:
        rig["sm"].Terminate()
    except gammu.GSMError:
        pass
    fresh = gammu.StateMachine()
    fresh.ReadConfig(Filename=str(rig["rc"]))
    fresh.Init()
    rig["sm"] = fresh
    assert fresh.GetModel()[1] == handle.simulator.identity.model
