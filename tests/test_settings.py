"""Settings: one table drives the file, the environment, the CLI and the docs."""

import pytest

from appliance import settings as s
from support import REPO


def test_defaults_serve_a_laptop():
    settings = s.load(env={})
    assert settings.data_dir == "./var"
    assert settings.modems == "sim"
    assert settings.port == 8080
    assert settings.timezone == "Asia/Jakarta"
    assert settings.db_url.endswith("/var/loket.db")
    assert settings.huey_url.endswith("/var/queue.db")


def test_precedence_default_file_env_command_line(tmp_path):
    config = tmp_path / "loket.toml"
    config.write_text('port = 9000\nshop_name = "Spa Bunda"\ntimezone = "Asia/Makassar"\n')
    settings = s.load(config, env={"LOKET_PORT": "9100"}, overrides={"port": "9200"})
    assert settings.port == 9200 and settings.source("port") == "command line"
    assert settings.shop_name == "Spa Bunda" and settings.source("shop_name") == str(config)
    assert s.load(config, env={"LOKET_PORT": "9100"}).port == 9100
    assert s.load(config, env={}).port == 9000


def test_a_loket_table_in_the_file_is_accepted(tmp_path):
    config = tmp_path / "loket.toml"
    config.write_text('[loket]\nport = 9001\n')
    assert s.load(config, env={}).port == 9001


def test_config_from_the_environment_variable(tmp_path):
    config = tmp_path / "x.toml"
    config.write_text("port = 9002\n")
    assert s.load(env={"LOKET_CONFIG": str(config)}).port == 9002


@pytest.mark.parametrize("name, value, message", [
    ("port", "0", "between 1 and 65535"),
    ("port", "65536", "between 1 and 65535"),
    ("port", "eighty", "whole number"),
    ("port", "", "whole number"),
    ("port", True, "whole number"),
    ("timezone", "Mars/Olympus", "unknown time zone"),
    ("default_region", "IDN", "two-letter"),
    ("default_language", "fr", "id or en"),
    ("quiet_hours", "21-08", "HH:MM-HH:MM"),
    ("quiet_hours", "25:00-08:00", "HH:MM-HH:MM"),
    ("database_url", "mysql://x", "sqlite:///PATH"),
    ("queue_url", "amqp://x", "redis://"),
    ("modem_poll_seconds", "nan", "between"),
    ("modem_poll_seconds", "0", "between"),
    ("sqlite_synchronous", "off", "full, normal"),
    ("shop_name", "   ", "must not be empty"),
    ("modems", "", "at least one modem"),
])
def test_bad_values_are_refused_with_the_reason_and_the_source(name, value, message):
    with pytest.raises(s.SettingsError, match=message) as info:
        s.load(env={f"LOKET_{name.upper()}": value} if isinstance(value, str) else {},
               overrides={} if isinstance(value, str) else {name: value})
    assert name in str(info.value)


@pytest.mark.parametrize("name, value, expected", [
    ("port", "1", 1), ("port", " 65535 ", 65535), ("quiet_hours", "", ""),
    ("quiet_hours", "22:30-06:00", "22:30-06:00"), ("default_region", "id", "ID"),
    ("modem_poll_seconds", "0.25", 0.25), ("sqlite_synchronous", "NORMAL", "normal"),
])
def test_good_values_are_normalised(name, value, expected):
    assert getattr(s.load(env={f"LOKET_{name.upper()}": value}), name) == expected


def test_file_problems_are_explained(tmp_path):
    with pytest.raises(s.SettingsError, match="does not exist"):
        s.load(tmp_path / "missing.toml", env={})
    bad = tmp_path / "bad.toml"
    bad.write_text("port = = 3")
    with pytest.raises(s.SettingsError, match="not valid TOML"):
        s.load(bad, env={})
    unknown = tmp_path / "unknown.toml"
    unknown.write_text("colour = 'blue'\n")
    with pytest.raises(s.SettingsError, match="unknown setting 'colour'"):
        s.load(unknown, env={})


def test_every_setting_has_help_and_is_documented():
    page = (REPO / "docs" / "settings.md").read_text()
    assert page == s.as_markdown(), "docs/settings.md is stale: run `loket settings --markdown > docs/settings.md`"
    for setting in s.SETTINGS:
        assert setting.help.strip(), setting.name
        assert f"`{setting.name}`" in page
