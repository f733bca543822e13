"""Our Gammu driver (python-gammu, libgammu's AT driver) against the pty simulator.

One Gammu session for the module: libgammu's AT driver spends about 4 s in
Init and 0.7 s per part, by design.
"""

import datetime as dt
import json

import pytest
from appliance.modem import atsim
from appliance.modem.base import PermanentModemError, TransientModemError
from appliance.modem.gammu_driver import GammuDriver

from appliance import inbox

CUSTOMER = "+6281234567890"
LONG_UNICODE = ("Halo Kak 🙏 pesanan #12345 sudah dikirim hari ini. Terima kasih sudah berbelanja, "
                "semoga hari Anda menyenangkan 😊. Balas STATUS untuk posisi paket.")


@pytest.fixture(scope="module")
def rig(tmp_path_factory):
    root = tmp_path_factory.mktemp("gammu-driver")
    handle = atsim.serve(str(root / "ttyGSM"), root / "net")
    driver = GammuDriver(device=str(root / "ttyGSM"), connection="at", config_dir=root / "cfg")
    driver.open()
    yield driver, handle, root / "net"
    driver.close()
    handle.stop()


def sent_records(net):
    return [json.loads(line) for line in (net / "modem_sent.jsonl").read_text().splitlines()]


def test_status_identifies_the_modem(rig):
    driver, handle, _ = rig
    status = driver.status()
    assert status.ok
    assert status.imei == handle.simulator.identity.imei
    assert status.operator
    assert status.storage_total


def test_sends_a_single_part_with_a_status_report_request(rig):
    driver, _, net = rig
    result = driver.send(CUSTOMER, "Booking dikonfirmasi: besok 10:30.")
    assert result.parts == 1
    record = sent_records(net)[-1]
    assert record["text"] == "Booking dikonfirmasi: besok 10:30."
    assert record["status_report"] is True
    assert record["ref"] == result.references[0]


def test_sends_a_multipart_unicode_text(rig):
    driver, _, net = rig
    result = driver.send(CUSTOMER, LONG_UNICODE)
    assert result.parts == 3
    parts = sent_records(net)[-3:]
    assert [p["ref"] for p in parts] == list(result.references)


def test_reads_a_multipart_text_which_the_core_joins(rig, shop):
    driver, handle, _ = rig
    handle.simulator.inject("+6281234567891", LONG_UNICODE)
    parts = driver.read_inbound()
    texts = [p for p in parts if p.sender == "+6281234567891"]
    assert len(texts) == 3 and all(p.coding == "ucs2" for p in texts)
    now = dt.datetime.now(dt.timezone.utc)
    inbox.store_parts(texts, "gammu", now)
    [message] = inbox.assemble(now, dt.timedelta(minutes=10), lambda s: s)
    assert message.text == LONG_UNICODE
    for part in parts:
        driver.delete(part.location)
    assert driver.read_inbound() == []


def test_status_reports_carry_the_reference(rig):
    driver, handle, _ = rig
    result = driver.send(CUSTOMER, "ping")
    reports = []
    for _ in range(20):
        reports = [p for p in driver.read_inbound() if p.is_status_report]
        if reports:
            break
        handle.simulator.tick()
    assert reports, "the simulator should have stored a status report"
    assert reports[-1].status_ref == result.references[0]
    assert reports[-1].status == "delivered"
    for part in reports:
        driver.delete(part.location)


def test_gammu_errors_become_ours(rig):
    driver, handle, _ = rig
    handle.simulator.set_faults(cms_error={"+6281299999999": 28})
    try:
        with pytest.raises((TransientModemError, PermanentModemError)) as info:
            driver.send("+6281299999999", "hello")
        assert "sending to +6281299999999" in str(info.value)
        assert not type(info.value).__module__.startswith("gammu")
    finally:
        handle.simulator.set_faults()


def test_opening_a_missing_device_is_a_transient_error(tmp_path):
    driver = GammuDriver(device=str(tmp_path / "no-such-tty"), connection="at", config_dir=tmp_path)
    with pytest.raises(TransientModemError, match="opening"):
        driver.open()


@pytest.mark.parametrize("identity", sorted(atsim.IDENTITIES))
def test_every_simulated_modem_opens_with_gammu_and_records_its_coding(identity, tmp_path):
    # Gammu talks to a Huawei in its own way (AT^CURC=0, AT^PORTSEL=1 while
    # connecting) and gives up when the modem refuses: the simulator answers as an E173/E3372 does.
    with atsim.serve(str(tmp_path / "tty"), tmp_path / "net", identity=identity) as handle:
        driver = GammuDriver(device=str(tmp_path / "tty"), connection="at", config_dir=tmp_path / "cfg")
        driver.open()
        try:
            status = driver.status()
            assert status.ok and status.model == handle.simulator.identity.model
            assert driver.send(CUSTOMER, "Terima kasih 🙏", status_report=False).encoding == "ucs2"
            assert driver.send(CUSTOMER, "Terima kasih", status_report=False).encoding == "gsm7"
        finally:
            driver.close()


def test_a_modem_that_never_opened_is_reported_not_crashed_on(tmp_path):
    driver = GammuDriver(device=str(tmp_path / "missing"), connection="at", config_dir=tmp_path / "cfg")
    with pytest.raises(TransientModemError):
        driver.open()
    for call in (driver.status, driver.read_inbound, lambda: driver.send(CUSTOMER, "halo"),
                 lambda: driver.delete("1")):
        with pytest.raises(TransientModemError, match="not open"):
            call()
