"""The technician's modem tools: `loket pdu`, `loket modem sim`, `loket modem status`."""

import json
import os
import signal
import subprocess
import time

import serial

from support import LOKET, loket_cli

SUBMIT = "0001000D91261832547698F000080E00480061006C006F0020D83DDE4F"


def test_pdu_decode_one_json_object_per_line(tmp_path):
    deliver = "07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07"
    result = loket_cli("pdu", "decode", SUBMIT, deliver)
    assert result.returncode == 0, result.stderr
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["type"] == "submit" and first["number"] == "+6281234567890" and first["text"] == "Halo 🙏"
    assert first["coding"] == "ucs2"
    assert second["type"] == "deliver" and second["timestamp"]


def test_pdu_decode_from_stdin_with_a_bad_line(tmp_path):
    result = subprocess.run(LOKET + ["pdu", "decode"], input=f"{SUBMIT}\nnot-a-pdu\n", capture_output=True,
                            text=True)
    assert result.returncode == 1  # one line was bad
    good, bad = (json.loads(line) for line in result.stdout.splitlines())
    assert good["text"] == "Halo 🙏"
    assert bad["line"] == 2 and "hexadecimal" in bad["error"]


def test_pdu_encode_then_decode_round_trips():
    request = json.dumps({"number": "+6281234567890", "text": "Terima kasih " * 20, "status_report": True})
    encoded = subprocess.run(LOKET + ["pdu", "encode"], input=request + "\n", capture_output=True, text=True)
    assert encoded.returncode == 0, encoded.stderr
    parts = encoded.stdout.split()
    assert len(parts) == 2
    decoded = [json.loads(line) for line in loket_cli("pdu", "decode", *parts).stdout.splitlines()]
    assert "".join(p["text"] for p in decoded) == "Terima kasih " * 20
    assert all(p["status_report_requested"] for p in decoded)


def test_pdu_encode_refuses_clearly():
    lines = "\n".join([json.dumps({"number": "+6281234567890"}), "{oops", json.dumps({"number": "", "text": "x"})])
    result = subprocess.run(LOKET + ["pdu", "encode"], input=lines + "\n", capture_output=True, text=True)
    assert result.returncode == 1
    assert "line 1: missing 'text'" in result.stderr and "line 2" in result.stderr and "line 3" in result.stderr
    assert "Traceback" not in result.stderr


def test_pdu_encode_answers_extreme_values_without_a_traceback():
    number = "+6281234567890"
    lines = [json.dumps({"number": number, "text": "x", "validity_minutes": 10**23}),  # the longest there is
             json.dumps({"number": number, "text": "x", "validity_minutes": 1e23}),
             json.dumps({"number": number, "text": "x", "class": 10**23}),
             "[" * 100_000 + "]" * 100_000]  # JSON nested deeper than the parser goes
    result = subprocess.run(LOKET + ["pdu", "encode"], input="\n".join(lines) + "\n", capture_output=True, text=True)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    [longest] = result.stdout.split()
    assert json.loads(loket_cli("pdu", "decode", longest).stdout)["validity"] == 63 * 7 * 24 * 3600
    assert "line 2: validity" in result.stderr and "line 3: message class" in result.stderr
    assert "line 4" in result.stderr and len(result.stderr) < 2000


def test_modem_sim_serves_a_pty_that_answers_at_commands(tmp_path):
    link = tmp_path / "ttyLOKET"
    process = subprocess.Popen(LOKET + ["modem", "sim", "--link", str(link), "--data-dir", str(tmp_path)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        path = process.stdout.readline().strip()
        assert path.startswith("/dev/pts/")
        deadline = time.monotonic() + 5
        while not link.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        with serial.Serial(str(link), 115200, timeout=2) as port:
            port.write(b"ATI\r")
            answer = port.read_until(b"OK\r\n")
        assert b"OK" in answer
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(10)
    assert process.returncode == 0


def test_modem_status_reports_the_worker_s_view(loket):
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        result = loket_cli("modem", "status", data_dir=loket.data_dir)
        if result.returncode == 0:
            break
        time.sleep(0.5)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "sim: ok" in result.stdout and "signal_dbm" in result.stdout and "operator" in result.stdout


def test_modem_status_without_a_worker_says_so(tmp_path):
    result = loket_cli("modem", "status", data_dir=tmp_path)
    assert result.returncode == 1 and "is `loket worker` running" in result.stderr


def test_a_modem_taken_out_of_the_setting_no_longer_counts(tmp_path):
    """The technician moved the modem to another port: the old port's last
    report stays on disk, but it is not a broken modem."""
    import json
    status = tmp_path / "status"
    status.mkdir()
    now = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
    (status / "at-dev-loket-modem.json").write_text(json.dumps(
        {"modem": "at-dev-loket-modem", "ok": False, "at": now, "error": "cannot open /dev/loket-modem"}))
    (status / "at-dev-ttyUSB0.json").write_text(json.dumps({"modem": "at-dev-ttyUSB0", "ok": True, "at": now}))
    result = loket_cli("modem", "status", data_dir=tmp_path, env={"LOKET_MODEMS": "at:/dev/ttyUSB0"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "at-dev-loket-modem: no longer in the modems setting" in result.stdout
    assert "at-dev-ttyUSB0: ok" in result.stdout and "last contact:" in result.stdout


def test_a_modem_that_never_answered_has_no_last_contact(tmp_path):
    import json
    status = tmp_path / "status"
    status.mkdir()
    now = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
    (status / "at-dev-ttyUSB0.json").write_text(json.dumps(
        {"modem": "at-dev-ttyUSB0", "ok": False, "at": now, "error": "does not answer AT"}))
    result = loket_cli("modem", "status", data_dir=tmp_path, env={"LOKET_MODEMS": "at:/dev/ttyUSB0"})
    assert result.returncode == 1 and "NOT OK" in result.stdout
    assert "last contact" not in result.stdout and "reported by the worker:" in result.stdout
