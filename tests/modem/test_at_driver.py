"""Our AT driver against the AT modem simulator on a real pty."""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time

import pytest

from appliance.modem import atsim, pdu
from appliance.modem.at_driver import ATDriver, probe
from appliance.modem.base import PermanentModemError, TransientModemError
from appliance.modem.network import SimNetwork
from appliance.modem.owner import ModemThread

CUSTOMER = "+6281234567"
EMOJI_TEXT = "Terima kasih 🙏 pesanan Anda sudah kami terima, sampai jumpa besok! 😀🎉 " * 3


# -- fixtures -------------------------------------------------------------------------------
@pytest.fixture
def served(tmp_path):
    handle = atsim.serve(str(tmp_path / "ttyGSM"), tmp_path / "net", seed=7)
    yield handle
    handle.stop()


@pytest.fixture
def link(tmp_path):
    return str(tmp_path / "ttyGSM")


@pytest.fixture
def driver(served, link):
    drv = ATDriver(link, timeout=0.4, send_timeout=2.0)
    drv.open()
    yield drv
    drv.close()


@pytest.fixture(autouse=True)
def no_leftover_simulators():
    yield
    assert not [t for t in threading.enumerate() if t.name == "atsim"]


def wait_until(condition, timeout=3.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def read_all(driver, expected, timeout=3.0):
    """read_inbound until `expected` parts are there (the simulator stores asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        parts = driver.read_inbound()
        if len(parts) >= expected or time.monotonic() > deadline:
            return parts
        time.sleep(0.02)


def joined_text(parts):
    """The text of one message from its parts, joined like the core does (UCS-2 as bytes)."""
    ordered = sorted(parts, key=lambda p: p.part_no or 0)
    if all(p.coding == "ucs2" for p in ordered):
        return b"".join(bytes.fromhex(p.raw) for p in ordered).decode("utf-16-be")
    return "".join(p.text for p in ordered)


class ChattySimulator(atsim.ModemSimulator):
    """A modem that slips unsolicited codes between a reply's lines and its OK,
    as real ones do when a message arrives mid-command."""

    def __init__(self, *args, chatter=('^RSSI: 17', '+CMTI: "SM",9', '^BOOT:12345,0,0,0,72', '+CREG: 1',
                                       'RING'), once=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.chatter, self.once = list(chatter), once

    def _finish(self, blocks, result, delay):
        if blocks and self.chatter:
            blocks = [*blocks, list(self.chatter)]
            if self.once:
                self.chatter = []
        super()._finish(blocks, result, delay)


# -- identity and status -------------------------------------------------------------------------
def test_probe_identifies_the_modem_and_not_a_silent_port(served, link, tmp_path):
    found = probe(link, timeout=0.5)
    assert found == {"port": link, "manufacturer": "Quectel", "model": "EC25", "firmware": "EC25EFAR06A06M4G",
                     "imei": served.simulator.identity.imei, "sim": "ready", "pdu_mode": True}
    served.simulator.set_faults(hung=True)
    assert probe(link, timeout=0.2) is None
    assert probe(str(tmp_path / "no-such-tty"), timeout=0.2) is None


def test_open_sets_pdu_mode_indications_and_memory(driver, served):
    sim = served.simulator
    assert (sim.cmgf, sim.echo, sim.cmee, sim.cnmi, sim.cpms) == (0, False, 1, [2, 1, 0, 2, 0], ["SM"] * 3)
    assert driver.memory == "SM" and driver.cnmi == "2,1,0,2,0" and driver.modem_smsc == "+6281100000"


def test_status_reports_identity_signal_network_storage_and_time(driver, served):
    served.simulator.inject("+628111", "satu")
    status = driver.status()
    assert status.ok and status.error == ""
    assert (status.manufacturer, status.model, status.firmware) == ("Quectel", "EC25", "EC25EFAR06A06M4G")
    assert status.imei == served.simulator.identity.imei and status.imsi == "510101234567890"
    assert (status.operator, status.registration, status.sim) == ("TELKOMSEL", "registered, home network", "ready")
    assert (status.signal_dbm, status.signal_percent) == (-73, 65)
    assert (status.storage_used, status.storage_total) == (1, 30)
    assert status.network_time.utcoffset() == dt.timedelta(hours=7)
    assert abs(status.network_time - dt.datetime.now(dt.timezone.utc)) < dt.timedelta(minutes=1)


def test_status_without_network_is_not_ok_and_says_why(driver, served):
    served.simulator.set_faults(no_network=2, csq=3)
    status = driver.status()
    assert not status.ok and status.registration == "searching" and "network: searching" in status.error
    assert status.signal_dbm is None  # no service: +CSQ: 99,99


# -- sending ---------------------------------------------------------------------------------
def test_send_single_gsm7(driver, served, tmp_path):
    result = driver.send(CUSTOMER, "Halo! Booking Anda besok jam 10.30 @ Loket {ok}")
    assert result.references == (0,)
    (record,) = served.simulator.sent
    assert record["text"] == "Halo! Booking Anda besok jam 10.30 @ Loket {ok}" and record["status_report"]
    assert pdu.decode(record["pdu"]).coding == "gsm7"
    assert SimNetwork(tmp_path / "net").received(CUSTOMER)[-1]["text"] == record["text"]


def test_send_multipart_ucs2_with_emoji_arrives_whole(driver, served, tmp_path):
    result = driver.send(CUSTOMER, EMOJI_TEXT)
    assert result.parts == 4 and result.references == (0, 1, 2, 3)
    records = served.simulator.sent
    assert [r["part"] for r in records] == [1, 2, 3, 4] and {r["parts"] for r in records} == {4}
    assert all(pdu.decode(r["pdu"]).coding == "ucs2" for r in records)
    assert SimNetwork(tmp_path / "net").received(CUSTOMER)[-1]["text"] == EMOJI_TEXT


def test_send_without_status_report(served, link):
    with ATDriver(link, timeout=0.4, status_reports=False) as drv:
        drv.send(CUSTOMER, "tanpa laporan")
    assert served.simulator.sent[-1]["status_report"] is False


def test_two_long_messages_get_different_concatenation_references(driver, served):
    driver.send(CUSTOMER, "x" * 200)
    driver.send(CUSTOMER, "x" * 200)
    refs = [r["concat_ref"] for r in served.simulator.sent]
    assert refs[0] == refs[1] and refs[2] == refs[3] and refs[0] != refs[2]


@pytest.mark.parametrize("code, permanent", [(1, True), (8, True), (21, True), (28, True), (50, True),
                                             (96, True), (304, True), (38, False), (41, False),
                                             (42, False), (331, False), (332, False), (500, False),
                                             (515, False)])
def test_cms_errors_are_permanent_or_transient(driver, served, code, permanent):
    served.simulator.set_faults(cms_error={CUSTOMER: code})
    with pytest.raises(PermanentModemError if permanent else TransientModemError) as caught:
        driver.send(CUSTOMER, "coba")
    assert caught.value.code == code and f"ERROR {code}" in str(caught.value)
    served.simulator.set_faults()
    assert driver.send("+6289999", "berikutnya").parts == 1  # the line is still in step


def test_plain_error_on_send_is_transient(driver, served):
    served.simulator.set_faults(error=[CUSTOMER])
    with pytest.raises(TransientModemError):
        driver.send(CUSTOMER, "coba")


def test_failure_mid_message_tells_which_parts_went_out(driver, served):
    served.simulator.set_faults(cms_error={CUSTOMER: 500})
    with pytest.raises(TransientModemError) as caught:
        driver.send(CUSTOMER, "y" * 300)
    assert caught.value.references == ()


def test_unencodable_number_is_permanent_and_nothing_is_sent(driver, served):
    with pytest.raises(PermanentModemError, match="cannot encode"):
        driver.send("0812-ABC", "halo")
    assert served.simulator.sent == []


# -- reading ---------------------------------------------------------------------------------
def test_inbound_single_multipart_and_ucs2_are_read_and_deleted(driver, served):
    sim = served.simulator
    sim.inject("+628111", "BOOK besok jam 10")
    sim.inject("+628222", "Saya mau tanya " * 20)
    sim.inject("+628333", EMOJI_TEXT)
    parts = read_all(driver, 1 + 2 + 4)
    assert len(parts) == 7 and [p.location for p in parts] == [f"SM:{i}" for i in range(1, 8)]
    by_sender = {}
    for part in parts:
        by_sender.setdefault(part.sender, []).append(part)
    (single,) = by_sender["+628111"]
    assert (single.text, single.coding, single.concat_ref, single.smsc_time.tzinfo is not None) == \
        ("BOOK besok jam 10", "gsm7", None, True)
    assert joined_text(by_sender["+628222"]) == "Saya mau tanya " * 20
    emoji = by_sender["+628333"]
    assert {p.part_count for p in emoji} == {4} and [p.part_no for p in emoji] == [1, 2, 3, 4]
    assert len({p.concat_ref for p in emoji}) == 1 and joined_text(emoji) == EMOJI_TEXT

    for part in parts:
        driver.delete(part.location)
    assert sim.messages() == [] and driver.read_inbound() == []


def test_new_message_indication_is_noticed(driver, served):
    served.simulator.inject("+628111", "halo")
    assert wait_until(lambda: driver.read_inbound() and True)
    assert any(u["type"] == "cmti" for u in driver.urcs)


def test_indication_can_be_waited_for(driver, served):
    assert driver.poll_indications() is False
    threading.Timer(0.1, served.simulator.inject, ("+628111", "ditunggu")).start()
    assert driver.poll_indications(wait=2.0) is True
    (part,) = driver.read_inbound()
    assert part.text == "ditunggu" and driver.poll_indications() is False


def test_owner_thread_reads_stores_and_deletes(served, link):
    stored = []
    thread = ModemThread("at", ATDriver(link, timeout=0.4), poll_seconds=0.05,
                         on_inbound=lambda name, parts: stored.extend(parts)).start()
    try:
        served.simulator.inject("+628111", "lewat pemilik")
        assert wait_until(lambda: stored and not served.simulator.messages())
        assert [p.text for p in stored] == ["lewat pemilik"]
        assert thread.send(CUSTOMER, "balasan").parts == 1
    finally:
        thread.stop()


def test_status_report_is_correlated_by_reference(driver, served):
    served.simulator.set_faults(report_status={"+628444": 70})
    delivered = driver.send(CUSTOMER, "akan sampai").references[0]
    failed = driver.send("+628444", "tidak akan sampai").references[0]
    reports = {p.status_ref: p for p in read_all(driver, 2)}
    assert reports[delivered].status == "delivered" and reports[delivered].is_status_report
    assert reports[delivered].sender == CUSTOMER and reports[delivered].smsc_time is not None
    assert reports[failed].status == "failed"
    for report in reports.values():
        driver.delete(report.location)
    assert served.simulator.messages() == []


def test_status_report_routed_as_cds_urc(served, link):
    with ATDriver(link, timeout=0.4, cnmi=("2,1,0,1,0",)) as drv:
        ref = drv.send(CUSTOMER, "laporan langsung").references[0]
        (report,) = read_all(drv, 1)
        assert report.location.startswith("cds:") and (report.status_ref, report.status) == (ref, "delivered")
        drv.delete(report.location)
        assert drv.read_inbound() == []
    assert served.simulator.messages() == []  # it never was in storage


def test_broken_pdu_is_returned_raw_and_the_next_message_is_read(driver, served):
    sim = served.simulator
    broken = pdu.encode_deliver("+628111", "rusak di jalan")[0][:-6]
    with sim._lock:  # a PDU the simulator's own inject_pdu would refuse
        sim.memories["SM"].slots[1] = atsim.StoredMessage(1, 0, broken)
    sim.inject("+628222", "pesan berikutnya")
    raw, good = read_all(driver, 2)
    assert (raw.location, raw.coding, raw.text, raw.raw) == ("SM:1", "raw", "", broken)
    assert raw.sender.startswith("?")
    assert (good.location, good.text) == ("SM:2", "pesan berikutnya")
    driver.delete(raw.location)
    driver.delete(good.location)
    assert sim.messages() == []


def test_modem_in_text_mode_is_switched_back(driver, served, caplog):
    sim = served.simulator
    sim.inject("+628111", "mode teks")
    with sim._lock:
        sim.cmgf = 1  # e.g. the modem restarted with text mode as its default
    with caplog.at_level(logging.WARNING, logger="appliance.modem.at_driver"):
        (part,) = read_all(driver, 1)
    assert part.text == "mode teks" and sim.cmgf == 0
    assert "text mode" in caplog.text


def test_modem_that_reset_itself_is_initialised_again(driver, served, caplog):
    served.simulator.power_cycle()  # echo back on, CNMI and CMEE forgotten
    with caplog.at_level(logging.WARNING, logger="appliance.modem.at_driver"):
        driver.status()
        driver.read_inbound()
    assert "was reset" in caplog.text
    assert (served.simulator.echo, served.simulator.cnmi) == (False, [2, 1, 0, 2, 0])


# -- a noisy line ------------------------------------------------------------------------------
def test_urcs_between_a_reply_and_its_ok_are_set_aside(tmp_path):
    sim = ChattySimulator(tmp_path / "net", seed=3)
    with atsim.SimulatorHandle(sim, str(tmp_path / "tty")) as handle, \
            ATDriver(str(tmp_path / "tty"), timeout=0.4) as drv:
        sim.inject("+628111", "di tengah")
        status = drv.status()
        assert (status.manufacturer, status.model, status.signal_dbm) == ("Quectel", "EC25", -73)
        assert status.registration == "registered, home network"
        (part,) = drv.read_inbound()
        assert part.text == "di tengah"
        assert drv.send(CUSTOMER, "tetap terkirim").parts == 1
        kinds = {u["type"] for u in drv.urcs}
        assert {"cmti", "creg", "ring"} <= kinds and drv.new_message_indicated  # noticed, for the next read
        assert handle.present


def test_cds_urc_between_reply_lines_is_kept_as_a_report(tmp_path):
    report = pdu.encode_status_report(CUSTOMER, 42, 0)
    sim = ChattySimulator(tmp_path / "net", seed=3, chatter=[f"+CDS: {pdu.tpdu_length(report)}", report],
                          once=True)
    with atsim.SimulatorHandle(sim, str(tmp_path / "tty")), ATDriver(str(tmp_path / "tty"), timeout=0.4) as drv:
        drv.status()
        reports = [p for p in drv.read_inbound() if p.status_ref == 42]
        assert reports and reports[0].status == "delivered"
        for part in reports:
            drv.delete(part.location)
        assert [p for p in drv.read_inbound() if p.status_ref == 42] == []


def test_garbage_bytes_on_the_line(driver, served):
    sim = served.simulator
    sim.set_faults(garbage=1.0)  # junk before every reply and every URC
    for _ in range(5):
        status = driver.status()
        assert (status.model, status.imsi, status.operator) == ("EC25", "510101234567890", "TELKOMSEL")
    assert driver.send(CUSTOMER, EMOJI_TEXT).parts == 4
    sim.inject("+628111", "lewat sampah")
    texts = [p.text for p in read_all(driver, 5) if not p.is_status_report]
    assert texts == ["lewat sampah"]


# -- failures ----------------------------------------------------------------------------------
def test_hung_modem_times_out_and_recovers_when_it_answers_again(driver, served):
    served.simulator.set_faults(hung=True)
    started = time.monotonic()
    with pytest.raises(TransientModemError, match="did not answer"):
        driver.ping()
    with pytest.raises(TransientModemError):
        driver.send(CUSTOMER, "macet")
    with pytest.raises(TransientModemError):
        driver.read_inbound()
    assert time.monotonic() - started < 5
    served.simulator.set_faults()
    driver.ping()
    assert driver.send(CUSTOMER, "lancar lagi").parts == 1


def test_vanished_device_raises_transient_and_comes_back(driver, served, link):
    served.simulator.inject("+628111", "tetap tersimpan")
    served.vanish()
    with pytest.raises(TransientModemError, match="vanished|cannot open"):
        driver.read_inbound()
    with pytest.raises(TransientModemError, match="cannot open"):
        driver.open()
    with pytest.raises(TransientModemError):
        driver.send(CUSTOMER, "tidak bisa")
    served.reappear()
    assert wait_until(lambda: os.path.exists(link))  # reappear() returns before the link is made
    (part,) = driver.read_inbound()  # reopened and initialised by itself
    assert part.text == "tetap tersimpan" and served.simulator.cnmi == [2, 1, 0, 2, 0]
    driver.close()
    driver.open()  # and an explicit open works too
    assert driver.send(CUSTOMER, "kembali").parts == 1


def test_missing_port_is_transient(tmp_path):
    with pytest.raises(TransientModemError, match="cannot open"):
        ATDriver(str(tmp_path / "ttyNONE"), timeout=0.2).open()


# -- the SIM PIN -------------------------------------------------------------------------------
@pytest.fixture
def pin_served(tmp_path):
    handle = atsim.serve(str(tmp_path / "ttyPIN"), tmp_path / "net", pin="1234")
    yield handle
    handle.stop()


def test_pin_is_entered(pin_served, tmp_path):
    with ATDriver(str(tmp_path / "ttyPIN"), pin="1234", timeout=0.4) as drv:
        assert drv.status().sim == "ready"


def test_missing_pin_is_permanent_with_a_clear_text(pin_served, tmp_path):
    with pytest.raises(PermanentModemError, match="asks for a PIN"):
        ATDriver(str(tmp_path / "ttyPIN"), timeout=0.4).open()


def test_wrong_pin_is_permanent_and_not_tried_again(pin_served, tmp_path):
    drv = ATDriver(str(tmp_path / "ttyPIN"), pin="0000", timeout=0.4)
    with pytest.raises(PermanentModemError, match="refused the PIN") as caught:
        drv.open()
    assert caught.value.code == 16
    with pytest.raises(PermanentModemError, match="refused the configured PIN"):
        drv.open()
    assert pin_served.simulator._pin_tries == 2  # one try spent, not two
