"""Timekeeping without touching this machine's clock: the setter is injected."""

from __future__ import annotations

import datetime as dt
import json
import os

import pytest

from appliance import clock
from appliance.box import timekeeping as tk

UTC = dt.timezone.utc
WIB = dt.timezone(dt.timedelta(hours=7))
SAVED = dt.datetime(2026, 11, 22, 8, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self):
        self.calls = []

    def __call__(self, when):
        self.calls.append(when)


def never_synced():
    return False


def test_save_and_read_back(tmp_path):
    path = tmp_path / "data" / "clock.saved"
    assert tk.save_time(path, now=SAVED) == SAVED
    assert tk.saved_time(path) == SAVED
    assert os.stat(path).st_mtime == SAVED.timestamp()
    assert not list(path.parent.glob("*.tmp"))


def test_unreadable_content_falls_back_to_mtime(tmp_path):
    path = tmp_path / "clock.saved"
    path.write_text("garbage")
    os.utime(path, (SAVED.timestamp(), SAVED.timestamp()))
    assert tk.saved_time(path) == SAVED
    assert tk.saved_time(tmp_path / "missing") is None


def test_restore_moves_a_1970_clock_forward(tmp_path):
    path = tmp_path / "clock.saved"
    tk.save_time(path, now=SAVED)
    setter = FakeClock()
    assert tk.restore_time(path, now=dt.datetime(1970, 1, 1, 0, 0, 12, tzinfo=UTC), setter=setter) == SAVED
    assert setter.calls == [SAVED]


def test_restore_never_moves_backwards(tmp_path):
    path = tmp_path / "clock.saved"
    tk.save_time(path, now=SAVED)
    setter = FakeClock()
    assert tk.restore_time(path, now=SAVED + dt.timedelta(minutes=1), setter=setter) is None
    assert tk.restore_time(path, now=SAVED, setter=setter) is None
    assert tk.restore_time(tmp_path / "nothing", now=SAVED, setter=setter) is None
    tk.save_time(path, now=dt.datetime(1999, 1, 1, tzinfo=UTC))  # a saved time from a wrong clock
    assert tk.restore_time(path, now=dt.datetime(1970, 1, 1, tzinfo=UTC), setter=setter) is None
    assert setter.calls == []


def trust_record(data_dir):
    return json.loads((data_dir / clock.TRUST_FILE).read_text())


def test_modem_time_sets_a_wrong_clock_and_trusts_it(tmp_path):
    setter = FakeClock()
    network = dt.datetime(2026, 11, 22, 15, 30, tzinfo=WIB)  # modems give local time with an offset
    assert tk.sync_from_modem(network, tmp_path, set_clock=True, now=SAVED - dt.timedelta(hours=2),
                              setter=setter, synchronised=never_synced)
    assert setter.calls == [network] and setter.calls[0].utcoffset() is not None
    assert trust_record(tmp_path)["source"] == "modem"
    assert clock.clock_trusted("appliance", tmp_path)
    assert tk.saved_time(tk.clock_file(tmp_path)) == network


def test_a_close_clock_is_left_alone_but_trusted(tmp_path):
    setter = FakeClock()
    assert tk.sync_from_modem(SAVED + dt.timedelta(seconds=3), tmp_path, set_clock=True, now=SAVED,
                              setter=setter, synchronised=never_synced)
    assert setter.calls == []
    assert clock.clock_trusted("appliance", tmp_path)


def test_no_permission_to_set_means_not_trusted(tmp_path):
    setter = FakeClock()
    assert not tk.sync_from_modem(SAVED, tmp_path, set_clock=False, now=SAVED - dt.timedelta(hours=5),
                                  setter=setter, synchronised=never_synced)
    assert setter.calls == [] and not (tmp_path / clock.TRUST_FILE).exists()


def test_a_failing_setter_means_not_trusted(tmp_path):
    def refuse(_):
        raise PermissionError(1, "Operation not permitted")
    assert not tk.sync_from_modem(SAVED, tmp_path, set_clock=True, now=SAVED - dt.timedelta(hours=5),
                                  setter=refuse, synchronised=never_synced)
    assert not (tmp_path / clock.TRUST_FILE).exists()


@pytest.mark.parametrize("bogus", [dt.datetime(2000, 1, 1, tzinfo=UTC), dt.datetime(1980, 1, 6, tzinfo=UTC)])
def test_implausible_network_time_is_ignored(tmp_path, bogus):
    setter = FakeClock()
    assert not tk.sync_from_modem(bogus, tmp_path, set_clock=True, now=SAVED, setter=setter,
                                  synchronised=never_synced)
    assert setter.calls == [] and not (tmp_path / clock.TRUST_FILE).exists()


def test_ntp_wins(tmp_path):
    setter = FakeClock()
    assert not tk.sync_from_modem(SAVED, tmp_path, set_clock=True, now=SAVED - dt.timedelta(hours=5),
                                  setter=setter, synchronised=lambda: True)
    assert setter.calls == [] and not (tmp_path / clock.TRUST_FILE).exists()


def test_naive_network_time_is_utc(tmp_path):
    setter = FakeClock()
    assert tk.sync_from_modem(SAVED.replace(tzinfo=None), tmp_path, set_clock=True,
                              now=SAVED - dt.timedelta(days=1), setter=setter, synchronised=never_synced)
    assert setter.calls[0] == SAVED


def test_can_set_clock_reads_capabilities():
    assert tk.can_set_clock() in (True, False)


def test_real_setter_without_permission_raises(tmp_path):
    # In a child without CAP_SYS_TIME (setpriv drops it): the real setter fails cleanly.
    import shutil
    import subprocess
    import sys
    if not shutil.which("setpriv"):
        pytest.skip("setpriv is not installed")
    code = ("import datetime as dt, sys\n"
            "from appliance.box import timekeeping as tk\n"
            "assert not tk.can_set_clock()\n"
            "try:\n    tk.set_system_clock(dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc))\n"
            "except PermissionError:\n    sys.exit(0)\n"
            "sys.exit(3)\n")
    done = subprocess.run(["setpriv", "--inh-caps=-all", "--bounding-set=-sys_time", sys.executable, "-c", code],
                          capture_output=True, text=True)
    if "setpriv" in done.stderr and done.returncode != 0 and "Traceback" not in done.stderr:
        pytest.skip(f"setpriv cannot drop capabilities here: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
