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


# -- the shop's own preferences: the same table, changed by the owner on the Settings page

def test_the_file_takes_the_shops_preferences(tmp_path):
    config = tmp_path / "loket.toml"
    config.write_text("booking_offer_slots = 2\nreminder_hours = [48, 3]\norder_unpaid_days = 1.5\n"
                      'ticket_default_category = "servis"\n')
    settings = s.load(config, env={})
    assert settings.booking_offer_slots == 2 and settings.reminder_hours == (48, 3)
    assert settings.order_unpaid_days == 1.5 and settings.ticket_default_category == "servis"
    assert s.load(env={"LOKET_REMINDER_HOURS": "2, 24"}).reminder_hours == (24, 2)


@pytest.mark.parametrize("name, value, message", [
    ("booking_offer_slots", 9, "between 1 and 5"),
    ("queue_counters", 0, "between 1 and 100"),
    ("order_unpaid_days", 0, "between 0.1 and 60"),
    ("comeback_hour", 24, "between 0 and 23"),
    ("reminder_hours", [24, 0], "hour 0: must be between 1 and 336"),
    ("sms_price", "murah", "whole number"),
    ("sim_pin", "12", "4 to 8 digits"),
])
def test_an_out_of_range_preference_is_refused_in_the_file_and_the_environment(tmp_path, name, value, message):
    config = tmp_path / "loket.toml"
    config.write_text(f"{name} = {value!r}\n".replace("'", '"'))
    with pytest.raises(s.SettingsError, match=message) as info:
        s.load(config, env={})
    assert f"setting {name} from {config}" in str(info.value)
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    with pytest.raises(s.SettingsError, match=message) as info:
        s.load(env={f"LOKET_{name.upper()}": text})
    assert f"setting {name} from LOKET_{name.upper()}" in str(info.value)


def test_every_owner_setting_has_a_group_and_labels_in_indonesian_and_english():
    from appliance.webui.i18n import SETTING_LABELS, known, translate
    owner = {setting.name for setting in s.SETTINGS if setting.owner}
    assert owner >= {"booking_offer_slots", "queue_counters", "order_unpaid_days", "points_per_visit",
                     "reminder_hours", "ticket_first_number", "sms_price", "shop_name"}
    assert set(SETTING_LABELS) == owner
    for name, english in SETTING_LABELS.items():
        assert english.strip() and known(english) and translate(english, "id") != english, name
    for setting in s.SETTINGS:
        assert setting.group in s.GROUPS, setting.name
        if setting.owner:
            assert known(s.GROUPS[setting.group]), setting.group


def test_the_live_value_is_the_owners_unless_the_box_pins_it(shop, tmp_path):
    from appliance import shopdata
    from support import owner_sets
    assert shopdata.setting("booking_offer_slots") == 3  # nothing wired, nothing stored: the default
    config = tmp_path / "loket.toml"
    config.write_text("booking_offer_slots = 4\nqueue_counters = 2\n")
    shopdata.use(s.load(config, env={"LOKET_QUEUE_COUNTERS": "3"}))
    assert shopdata.setting("booking_offer_slots") == 4  # the file
    owner_sets(booking_offer_slots=5, queue_counters=6)
    assert shopdata.setting("booking_offer_slots") == 5  # the owner's value applies above the file
    assert shopdata.setting("queue_counters") == 3  # the technician's environment pins it
    assert shopdata.live().booking_offer_slots == 5 and shopdata.live().queue_counters == 3
    shopdata.put(shopdata.STORED, {"booking_offer_slots": 50})  # stored by some other version
    assert shopdata.setting("booking_offer_slots") == 4, "a stored value this version refuses is not used"


def test_the_migration_moves_the_shops_loose_preferences_into_the_settings(shop):
    """A database from before the shop's preferences joined the table keeps what the owner set."""
    import json

    from appliance import migrations, shopdata
    from appliance.models import SchemaVersion, ShopSetting
    SchemaVersion.delete().execute()
    SchemaVersion.create(version=1, note="created")
    old = {"booking_offer_slots": 9, "order_unpaid_days": "tiga", "reminder_hours": [48, "3", 0, "x"],
           "points_rules": {"per_visit": 5}, "tickets.first_number": 1000, "tickets.default_category": "servis",
           "tickets.default_sla": {"response_minutes": 10, "warn_percent": 50}, "sim_pin": "1234",
           "settings": {"shop_name": "Spa Bunda"}, "demo": "spa"}
    for name, value in old.items():
        ShopSetting.create(name=name, value=json.dumps(value))
    assert migrations.migrate(shop)[0] == f"migrated to 2: {migrations.STEPS[0].note}"
    shopdata.invalidate()
    assert shopdata.ui_overrides() == {
        "shop_name": "Spa Bunda", "booking_offer_slots": 5,  # as the old code read it: kept in its range
        "reminder_hours": [48, 3], "points_per_visit": 5, "ticket_first_number": 1000,
        "ticket_default_category": "servis", "ticket_response_minutes": 10, "ticket_warn_percent": 50,
        "sim_pin": "1234"}  # "tiga" days was ignored before and is not moved
    assert shopdata.setting("booking_offer_slots") == 5 and shopdata.setting("order_unpaid_days") == 3
    assert sorted(row.name for row in ShopSetting.select()) == ["demo", "settings"], "bookkeeping stays"
    assert migrations.check(shop) == []


def test_every_new_user_and_the_demos_owner_read_the_shops_language(shop, tmp_path):
    from support import owner_sets

    from appliance import auth, demo
    from appliance.models import User
    demo.seed(tmp_path, "spa")
    assert User.get(User.username == "owner").language == "id"  # the shop speaks Indonesian
    assert auth.create_user("ayu", "correct horse battery", "frontdesk").language == "id"
    owner_sets(default_language="en")
    assert auth.create_user("maria", "correct horse battery", "frontdesk").language == "en"
    assert auth.create_user("budi", "correct horse battery", "technician", language="id").language == "id"
