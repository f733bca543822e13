"""The `loket` command: its verbs, and one clear line for every mistake."""

import socket

import pytest

from support import loket_cli

from appliance import migrations


def assert_one_clear_line(result, *words):
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("loket: ")
    for word in words:
        assert word in lines[0], lines[0]


def test_help_lists_the_verbs():
    result = loket_cli("--help")
    assert result.returncode == 0
    for verb in ("run", "web", "worker", "sim", "settings", "db", "user"):
        assert verb in result.stdout


def test_a_bad_option(tmp_path):
    assert_one_clear_line(loket_cli("run", "--colour", "blue"), "unrecognized arguments")
    assert_one_clear_line(loket_cli("frobnicate"), "invalid choice")
    assert_one_clear_line(loket_cli("sim", "text", data_dir=tmp_path), "required")


def test_a_bad_setting_value(tmp_path):
    assert_one_clear_line(loket_cli("web", "--port", "99999", data_dir=tmp_path), "port", "65535")
    assert_one_clear_line(loket_cli("settings", env={"LOKET_TIMEZONE": "Nowhere/Town"}), "LOKET_TIMEZONE")
    config = tmp_path / "loket.toml"
    config.write_text("port = 'x'\n")
    assert_one_clear_line(loket_cli("settings", "--config", config), str(config))


def test_a_port_already_in_use(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = loket_cli("run", "--port", port, data_dir=tmp_path / "d", timeout=30)
    assert_one_clear_line(result, f"port {port}", "already in use", "--port")


def test_an_unwritable_data_dir(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = loket_cli("run", data_dir=blocker / "data")
    assert_one_clear_line(result, "cannot write to the data dir", "--data-dir")


def test_settings_shows_value_default_and_help(tmp_path):
    result = loket_cli("settings", env={"LOKET_SHOP_NAME": "Spa Bunda"})
    assert result.returncode == 0
    assert "shop_name = 'Spa Bunda'  [LOKET_SHOP_NAME; default 'Loket Demo']" in result.stdout
    assert "The shop's name" in result.stdout


def test_db_migrate_and_check(tmp_path):
    migrate = loket_cli("db", "migrate", data_dir=tmp_path)
    assert migrate.returncode == 0 and f"schema version {migrations.HEAD}" in migrate.stdout
    check = loket_cli("db", "check", data_dir=tmp_path)
    assert check.returncode == 0 and check.stdout.startswith("ok")


def test_db_check_finds_a_damaged_database(tmp_path):
    loket_cli("db", "migrate", data_dir=tmp_path)
    database = tmp_path / "loket.db"
    data = bytearray(database.read_bytes())
    for page in range(4096, len(data), 4096):  # scribble over every page after the first
        data[page + 8: page + 4000] = b"\xff" * 3992
    database.write_bytes(bytes(data))
    result = loket_cli("db", "check", data_dir=tmp_path)
    assert_one_clear_line(result, "malformed")


def test_user_add_generates_a_password_once(tmp_path):
    result = loket_cli("user", "add", "sari", "--role", "frontdesk", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "created frontdesk sari" in result.stdout
    assert "password: " in result.stdout
    again = loket_cli("user", "add", "SARI", "--role", "viewer", data_dir=tmp_path)
    assert_one_clear_line(again, "already exists")


@pytest.mark.parametrize("name, role, words", [
    ("x", "viewer", ["2 to 64"]),
    ("bad name", "viewer", ["2 to 64"]),
    ("ok", "king", ["invalid choice"]),
])
def test_user_add_refuses_bad_input(tmp_path, name, role, words):
    assert_one_clear_line(loket_cli("user", "add", name, "--role", role, data_dir=tmp_path), *words)


def test_sim_text_without_a_running_shop_says_so(tmp_path):
    result = loket_cli("sim", "text", "+6281234567890", "help", "--wait", "0.5", data_dir=tmp_path)
    assert_one_clear_line(result, "no reply", "loket run")


def test_backup_then_restore_from_the_command_line(tmp_path):
    loket_cli("user", "add", "sari", "--role", "owner", data_dir=tmp_path)
    made = loket_cli("backup", "--no-usb", data_dir=tmp_path)
    assert made.returncode == 0, made.stderr
    backup_file = made.stdout.strip()
    assert backup_file.endswith(".db") and "/backups/loket-" in backup_file
    loket_cli("user", "add", "budi", "--role", "viewer", data_dir=tmp_path)  # a change after the backup
    restored = loket_cli("restore", backup_file, data_dir=tmp_path)
    assert restored.returncode == 0, restored.stderr
    assert "kept as" in restored.stdout
    again = loket_cli("user", "add", "budi", "--role", "viewer", data_dir=tmp_path)
    assert again.returncode == 0  # budi did not exist in the backup


def test_restore_refuses_what_is_not_a_loket_backup(tmp_path):
    loket_cli("db", "migrate", data_dir=tmp_path)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database at all")
    assert_one_clear_line(loket_cli("restore", junk, data_dir=tmp_path), "cannot be restored")
    assert_one_clear_line(loket_cli("restore", tmp_path / "missing.db", data_dir=tmp_path), "cannot be restored")


def test_the_long_running_processes_load_no_database_client_they_do_not_use(tmp_path):
    """peewee and huey import every client that is installed: ~10 MB each in a
    process that runs for months. The web, the worker and the webhooks leave out
    those the settings do not use; a one-off command keeps them all."""
    probe = ("import sys, types\n"
             "from appliance.cli.wiring import load_settings\n"
             f"load_settings(types.SimpleNamespace(data_dir={str(tmp_path)!r}), resident=sys.argv[1] == 'yes')\n"
             "import peewee, huey.storage\n"
             "print(peewee.psycopg2 is None, peewee.mysql is None, huey.storage.Redis is None)\n")
    import subprocess
    import sys
    lean = subprocess.run([sys.executable, "-c", probe, "yes"], capture_output=True, text=True, check=True)
    assert lean.stdout.split() == ["True", "True", "True"]
    full = subprocess.run([sys.executable, "-c", probe, "no"], capture_output=True, text=True, check=True)
    assert full.stdout.split() == ["False", "False", "False"]  # the test machine has them all


@pytest.mark.parametrize("url, client", [("postgresql://nobody@127.0.0.1:1/smsd", "psycopg2"),
                                         ("mysql://nobody@127.0.0.1:1/smsd", "PyMySQL")])
def test_moving_in_from_a_server_finds_its_client_whatever_the_shop_uses(tmp_path, url, client):
    """A SQLite shop reading its old PostgreSQL or MySQL gateway: the client is there, the server is not."""
    assert_one_clear_line(loket_cli("import", "smsd", url, "--dry-run", data_dir=tmp_path),
                          "cannot connect to", url.split("@")[0].split(":")[0])
