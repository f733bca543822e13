"""The modem watchdog: the escalation ladder on a fake driver, then real
recoveries of our AT driver from the simulator's faults on a pty."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from appliance.modem import atsim, watchdog
from appliance.modem.at_driver import ATDriver
from appliance.modem.base import Driver, ModemStatus, PermanentModemError, TransientModemError
from appliance.modem.watchdog import Watchdog


# -- the ladder, on a driver that fails on demand -----------------------------------------------
class FakeDriver(Driver):
    """Answers while `healthy`; records every call. `fixed_by` names the call that heals it."""

    def __init__(self, *, fixed_by: str | None = None, with_reinit: bool = True):
        self.healthy = True
        self.fixed_by = fixed_by
        self.calls: list[str] = []
        if with_reinit:
            self.reinit = lambda: self._call("reinit")

    def _call(self, name: str) -> None:
        self.calls.append(name)
        if name == self.fixed_by:
            self.healthy = True

    def open(self):
        self._call("open")

    def close(self):
        self._call("close")

    def ping(self):
        self.calls.append("ping")
        if not self.healthy:
            raise TransientModemError("modem did not answer 'AT' within 0.1 s")

    def status(self):
        return ModemStatus(ok=True, model="Fake", signal_dbm=-71, registration="registered, home network")


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def run_checks(dog, count, clock=None):
    results = []
    for _ in range(count):
        results.append(dog.check())
        if clock:
            clock.now += 30
    return results


def test_healthy_modem_records_contact_signal_and_registration():
    clock = Clock()
    dog = Watchdog(FakeDriver(), clock=clock)
    status = dog.check()
    assert status.ok and status.model == "Fake"
    assert (dog.level, dog.steps, dog.last_contact) == (0, [], 1000.0)
    assert (dog.last_signal_dbm, dog.last_registration) == (-71, "registered, home network")


def test_escalation_order_power_cycle_and_report():
    clock = Clock()
    driver = FakeDriver()
    cycles = []
    dog = Watchdog(driver, power_cycle=lambda: cycles.append(dog.steps[:]), clock=clock)
    dog.check()
    driver.healthy = False
    results = run_checks(dog, 6, clock)
    assert dog.steps == ["reinit", "reopen", "power_cycle", "report", "report"]
    assert cycles == [["reinit", "reopen", "power_cycle"]]  # invoked once, at its own level
    assert [r.ok for r in results] == [False] * 6
    assert "not answering since 0 s" in results[0].error and "tried" not in results[0].error
    assert "not answering since 30 s" in results[1].error
    report = results[3].error
    assert "tried reinit, reopen, power cycle" in report and "Check that the modem is plugged in" in report
    assert results[3].registration == "registered, home network"  # the last known state is kept

    driver.healthy = True
    assert dog.check().ok and dog.level == 0 and dog.last_contact == clock.now
    driver.healthy = False
    dog.check()
    assert dog.step == "reinit"  # a fresh ladder after a success


def test_success_at_a_step_stops_the_ladder():
    driver = FakeDriver(fixed_by="open")
    dog = Watchdog(driver)
    driver.healthy = False
    assert [s.ok for s in run_checks(dog, 3)] == [False, False, True]
    assert dog.steps == ["reinit", "reopen"] and dog.level == 0
    assert driver.calls.index("close") < driver.calls.index("open")  # reopen: close first


def test_steps_not_possible_are_skipped_at_once():
    driver = FakeDriver(with_reinit=False)
    dog = Watchdog(driver, power_cycle=None)
    driver.healthy = False
    run_checks(dog, 3)
    assert dog.steps == ["reopen", "report"]  # no reinit method, no power switch


def test_power_cycle_that_is_not_permitted_goes_on_to_report():
    driver = FakeDriver()
    dog = Watchdog(driver, power_cycle=lambda: False)
    driver.healthy = False
    results = run_checks(dog, 4)
    assert dog.steps == ["reinit", "reopen", "report"] and "tried" in results[-1].error


def test_permanent_error_is_reported_at_once():
    driver = FakeDriver()

    def ping():
        raise PermanentModemError("modem /dev/ttyUSB0: the SIM refused the configured PIN")

    driver.ping = ping
    dog = Watchdog(driver, power_cycle=lambda: pytest.fail("a power cycle cannot fix a PIN"))
    status = dog.check()
    assert dog.step == "report" and dog.steps == []
    assert "refused the configured PIN" in status.error and "Check that" in status.error


def test_a_crashing_driver_does_not_stop_the_watchdog():
    driver = FakeDriver()
    driver.status = lambda: 1 / 0
    status = Watchdog(driver).check()
    assert not status.ok and "ZeroDivisionError" in status.error


# -- real recoveries on a pty -------------------------------------------------------------------
@pytest.fixture
def served(tmp_path):
    handle = atsim.serve(str(tmp_path / "ttyGSM"), tmp_path / "net", seed=5)
    yield handle
    handle.stop()


@pytest.fixture
def driver(served, tmp_path):
    drv = ATDriver(str(tmp_path / "ttyGSM"), timeout=0.2, send_timeout=1.0)
    drv.open()
    yield drv
    drv.close()


@pytest.fixture(autouse=True)
def no_leftover_simulators():
    yield
    assert not [t for t in threading.enumerate() if t.name == "atsim"]


def test_hung_modem_recovers_by_itself_once_it_answers(driver, served):
    dog = Watchdog(driver)
    assert dog.check().ok
    served.simulator.set_faults(hung=True)
    assert not dog.check().ok and not dog.check().ok
    served.simulator.set_faults()
    status = dog.check()
    assert status.ok and status.model == "EC25" and dog.steps == ["reinit", "reopen"]
    assert driver.send("+628111", "jalan lagi").parts == 1


def test_hung_modem_is_recovered_by_the_power_cycle(driver, served):
    def power_cycle():
        # What cutting the power does to a wedged modem: it boots afresh.
        served.simulator.set_faults()
        served.simulator.power_cycle()

    dog = Watchdog(driver, power_cycle=power_cycle)
    served.simulator.set_faults(hung=True)
    results = run_checks(dog, 4)
    assert [r.ok for r in results] == [False, False, False, True]
    assert dog.steps == ["reinit", "reopen", "power_cycle"] and dog.level == 0
    assert served.simulator.echo is False and served.simulator.cnmi == [2, 1, 0, 2, 0]  # initialised again


def test_hung_modem_without_power_switch_is_reported(driver, served):
    dog = Watchdog(driver)
    served.simulator.set_faults(hung=True)
    results = run_checks(dog, 4)
    assert dog.steps == ["reinit", "reopen", "report"]
    assert not results[-1].ok and "Check that the modem" in results[-1].error
    served.simulator.set_faults()
    assert dog.check().ok and dog.level == 0


def test_vanished_device_is_found_again(driver, served, tmp_path):
    dog = Watchdog(driver)
    served.vanish()
    results = run_checks(dog, 4)
    assert not any(r.ok for r in results) and "cannot open" in results[-1].error
    served.reappear()
    deadline = time.monotonic() + 3
    while not os.path.exists(tmp_path / "ttyGSM") and time.monotonic() < deadline:
        time.sleep(0.01)
    assert dog.check().ok and dog.level == 0


def test_garbage_on_the_line_does_not_trip_the_watchdog(driver, served):
    dog = Watchdog(driver)
    served.simulator.set_faults(garbage=1.0)
    assert all(status.ok for status in run_checks(dog, 5))
    assert dog.steps == []


# -- USB power cycling ---------------------------------------------------------------------------
def fake_sysfs(root: Path, *, switch_is_writable=True) -> Path:
    """/sys with one USB modem (1-1.2) whose interface 1.0 has ttyUSB0."""
    device = root / "devices/platform/usb1/1-1/1-1.2"
    tty = device / "1-1.2:1.0/ttyUSB0/tty/ttyUSB0"
    tty.mkdir(parents=True)
    (device / "idVendor").write_text("12d1\n")
    if switch_is_writable:
        (device / "authorized").write_text("1\n")
    else:
        (device / "authorized").mkdir()  # any write fails, as without permission
    (root / "class/tty").mkdir(parents=True)
    (root / "class/tty/ttyUSB0").symlink_to(tty)
    (tty / "device").symlink_to(device / "1-1.2:1.0/ttyUSB0")
    return device


def test_usb_device_is_found_behind_a_by_id_link(tmp_path):
    device = fake_sysfs(tmp_path / "sys")
    (tmp_path / "dev").mkdir()
    (tmp_path / "dev/ttyUSB0").touch()
    (tmp_path / "dev/usb-HUAWEI_Mobile-if00-port0").symlink_to(tmp_path / "dev/ttyUSB0")
    found = watchdog.usb_device_for(str(tmp_path / "dev/usb-HUAWEI_Mobile-if00-port0"), tmp_path / "sys")
    assert found == device.resolve()
    assert watchdog.usb_device_for("/dev/pts/99", tmp_path / "sys") is None


def test_sysfs_power_cycle_switches_off_then_on(tmp_path):
    device = fake_sysfs(tmp_path / "sys")
    seen = []
    done = watchdog.sysfs_power_cycle(device, sleep=lambda _: seen.append((device / "authorized").read_text()))
    assert done and seen == ["0", "1"]


def test_sysfs_power_cycle_without_permission_is_skipped(tmp_path):
    device = fake_sysfs(tmp_path / "sys", switch_is_writable=False)
    assert watchdog.sysfs_power_cycle(device, sleep=lambda _: None) is False


def test_uhubctl_is_used_for_the_hub_port(tmp_path, monkeypatch):
    device = fake_sysfs(tmp_path / "sys")
    monkeypatch.setattr(watchdog.shutil, "which", lambda name: f"/usr/sbin/{name}")
    calls = []

    class Done:
        returncode, stderr = 0, b""

    assert watchdog.uhubctl_power_cycle(device, sleep=lambda _: None,
                                        run=lambda args, **kw: calls.append(args) or Done())
    assert calls == [["uhubctl", "-l", "1-1", "-p", "2", "-a", "cycle", "-d", "2"]]
    monkeypatch.setattr(watchdog.shutil, "which", lambda name: None)
    assert watchdog.uhubctl_power_cycle(device, sleep=lambda _: None, run=None) is False


def test_usb_power_cycle_is_none_for_a_port_that_is_no_usb_device(tmp_path):
    fake_sysfs(tmp_path / "sys")
    assert watchdog.usb_power_cycle("/dev/ttyS0", sysfs=tmp_path / "sys") is None
    assert callable(watchdog.usb_power_cycle("/dev/ttyUSB0", sysfs=tmp_path / "sys"))
