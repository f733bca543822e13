"""The SIM's balance by USSD and customers' missed calls, through our AT
driver against the AT modem simulator on a real pty."""

from __future__ import annotations

import threading
import time

import pytest

from appliance.modem import atsim
from appliance.modem.at_driver import ATDriver
from appliance.modem.base import PermanentModemError, TransientModemError
from appliance.modem.owner import ModemThread

TELKOMSEL_REPLY = "Sisa Pulsa Anda Rp12.500. Aktif s.d. 15-01-2027. Info: *888*1#"


@pytest.fixture
def served(tmp_path):
    handle = atsim.serve(str(tmp_path / "ttyGSM"), tmp_path / "net", seed=3)
    yield handle
    handle.stop()


@pytest.fixture
def driver(served, tmp_path):
    drv = ATDriver(str(tmp_path / "ttyGSM"), timeout=0.4, send_timeout=2.0)
    drv.open()
    yield drv
    drv.close()


@pytest.fixture(autouse=True)
def no_leftover_simulators():
    yield
    assert not [t for t in threading.enumerate() if t.name == "atsim"]


def wait_until(condition, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


# -- the balance ------------------------------------------------------------------------------

def test_the_operators_balance_reply_is_read_by_ussd(served, driver):
    served.simulator.set_faults(ussd={"*888#": TELKOMSEL_REPLY})
    assert driver.check_balance("*888#", wait=3) == TELKOMSEL_REPLY


def test_a_reply_that_comes_seconds_after_the_ok_is_awaited(served, driver):
    served.simulator.set_faults(ussd={"*888#": TELKOMSEL_REPLY}, ussd_delay=1.5)
    started = time.monotonic()
    assert driver.check_balance("*888#", wait=5) == TELKOMSEL_REPLY
    assert time.monotonic() - started >= 1.4


def test_without_the_operators_code_set_the_simulated_telkomsel_says_its_default(served, driver):
    text = driver.check_balance("*888#", wait=3)
    assert text.startswith("Sisa Pulsa Anda Rp50.000. Aktif s.d.")


def test_no_answer_is_a_transient_error_and_the_link_stays_usable(served, driver):
    served.simulator.set_faults(ussd={"*888#": ""})  # the network never answers
    with pytest.raises(TransientModemError, match="no answer"):
        driver.check_balance("*888#", wait=0.5)
    driver.ping()


def test_a_code_the_network_does_not_know_is_an_error_not_a_reading(served, driver):
    with pytest.raises(TransientModemError):
        driver.check_balance("*123#", wait=2)
    with pytest.raises(PermanentModemError):
        driver.check_balance("888", wait=1)


def test_a_late_answer_in_the_middle_of_a_send_changes_nothing(served, driver, tmp_path):
    served.simulator.set_faults(ussd={"*888#": ""})
    with pytest.raises(TransientModemError):
        driver.check_balance("*888#", wait=0.2)
    # The network answers after all, while the next SMS goes out.
    served.simulator.set_faults(ussd={"*888#": TELKOMSEL_REPLY})
    served.simulator._urc(f'+CUSD: 0,"{TELKOMSEL_REPLY}",15', sms=False)
    result = driver.send("+6281234567", "Pesanan Anda siap diambil.")
    assert result.parts == 1 and len(served.simulator.sent) == 1


# -- missed calls ------------------------------------------------------------------------------

def test_a_call_is_seen_with_its_number_and_rejected_never_answered(served, driver, tmp_path):
    served.simulator.place_call("+6281299990001")
    assert wait_until(lambda: (driver.poll_indications(0.1), driver.urcs and
                               any(u["type"] == "clip" for u in driver.urcs))[1])
    assert driver.take_calls() == ["+6281299990001"]
    assert wait_until(lambda: served.simulator.calls)
    assert served.simulator.calls[0]["ended"] == "rejected"
    assert served.simulator.calls[0]["rings"] == 1
    assert driver.take_calls() == []  # the same call is counted once


def test_a_call_ringing_during_a_send_is_rejected_after_it_and_the_send_is_untouched(served, tmp_path):
    drv = ATDriver(str(tmp_path / "ttyGSM"), timeout=0.4, send_timeout=2.0)
    seen = []
    modem = ModemThread("m", drv, poll_seconds=0.2, status_seconds=3600,
                        on_call=lambda name, number: seen.append(number)).start()
    try:
        served.simulator.set_faults(calls=True)  # RING/+CLIP/NO CARRIER inside answers too
        served.simulator.place_call("+6281299990002")
        for n in range(5):
            assert modem.send(f"+62812345670{n}", f"Pesanan {n} siap.", timeout=10).parts == 1
        served.simulator.set_faults()
        assert wait_until(lambda: "+6281299990002" in seen)
        assert wait_until(lambda: any(c["number"] == "+6281299990002" for c in served.simulator.calls))
        assert [c["ended"] for c in served.simulator.calls if c["number"] == "+6281299990002"] == ["rejected"]
        assert len(served.simulator.sent) == 5
        assert not [c for c in served.simulator.calls if c["ended"] == "answered"]
    finally:
        modem.stop()


def test_a_call_from_the_simulated_network_folder_rings_the_modem(served, driver, tmp_path):
    from appliance.modem.network import SimNetwork
    SimNetwork(tmp_path / "net").call_shop("+6281299990003")
    assert wait_until(lambda: (driver.poll_indications(0.1), "+6281299990003" in driver.take_calls())[1])
    assert wait_until(lambda: SimNetwork(tmp_path / "net").calls())
    assert SimNetwork(tmp_path / "net").calls()[0] == {**SimNetwork(tmp_path / "net").calls()[0],
                                                       "number": "+6281299990003", "ended": "rejected"}


# -- the same through libgammu (python-gammu) ------------------------------------------------

def test_libgammu_asks_the_balance_and_rejects_a_call_too(served, tmp_path):
    from appliance.modem.gammu_driver import GammuDriver
    served.simulator.set_faults(ussd={"*888#": TELKOMSEL_REPLY}, ussd_delay=1.0)
    drv = GammuDriver(device=str(tmp_path / "ttyGSM"), connection="at", config_dir=tmp_path / "gammu")
    drv.open()
    try:
        assert drv.check_balance("*888#", wait=5) == TELKOMSEL_REPLY
        served.simulator.place_call("+6281299990004")
        assert wait_until(lambda: "+6281299990004" in drv.take_calls())
        assert wait_until(lambda: served.simulator.calls)
        assert served.simulator.calls[0]["ended"] == "rejected"
    finally:
        drv.close()
