"""Every setting Loket has, in one table.

The table drives the TOML config file, the `LOKET_*` environment overrides,
`loket settings`, validation and docs/settings.md (a test keeps that page in
step with this table). Precedence, lowest first: default, config file,
environment, command line.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import tomllib
import zoneinfo
from pathlib import Path
from typing import Any, Callable

DEFAULT_CONFIG = "/etc/loket/loket.toml"


class SettingsError(ValueError):
    """A setting has a value Loket cannot use. The message says how to fix it."""


# -- value parsers: each turns text (from env or CLI) or a TOML value into the
#    setting's type, or raises ValueError with a short reason.

def _number(cast: Callable[[str], Any], kind: str, lo, hi) -> Callable[[Any], Any]:
    """A parser for whole numbers (cast=int) or any numbers (cast=float) in [lo, hi]."""
    what = "a whole number" if cast is int else "a number"

    def parse(value: Any):
        if isinstance(value, bool):
            raise ValueError(f"expected {what}")
        try:
            number = cast(str(value).strip())
        except ValueError:
            raise ValueError(f"expected {what}") from None
        if not lo <= number <= hi:  # also refuses nan
            raise ValueError(f"must be between {lo:g} and {hi:g}")
        return number
    parse.kind = kind
    return parse


def _int(lo: int, hi: int) -> Callable[[Any], int]:
    return _number(int, "integer", lo, hi)


def _float(lo: float, hi: float) -> Callable[[Any], float]:
    return _number(float, "number", lo, hi)


def _str(value: Any) -> str:
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise ValueError("expected text")
    return str(value).strip()
_str.kind = "string"


def _nonempty(value: Any) -> str:
    text = _str(value)
    if not text:
        raise ValueError("must not be empty")
    return text
_nonempty.kind = "string"


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError("expected true or false")
_bool.kind = "boolean"


def _timezone(value: Any) -> str:
    name = _nonempty(value)
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (try Asia/Jakarta)") from None
    return name
_timezone.kind = "string"


def _region(value: Any) -> str:
    text = _nonempty(value).upper()
    if not re.fullmatch(r"[A-Z]{2}", text):
        raise ValueError("expected a two-letter country code such as ID")
    return text
_region.kind = "string"


def _language(value: Any) -> str:
    text = _nonempty(value).lower()
    if text not in ("id", "en"):
        raise ValueError("expected id or en")
    return text
_language.kind = "string"


def _hours(value: Any) -> str:
    text = _str(value)
    if text == "":
        return text  # no quiet hours
    match = re.fullmatch(r"(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})", text)
    if not match or int(match[1]) > 23 or int(match[3]) > 23 or int(match[2]) > 59 or int(match[4]) > 59:
        raise ValueError("expected HH:MM-HH:MM, for example 21:00-08:00, or empty for none")
    return text
_hours.kind = "string"


def _db_url(value: Any) -> str:
    text = _str(value)
    if text and not re.match(r"^(sqlite|postgres(ql)?)://", text):
        raise ValueError("expected sqlite:///PATH or postgresql://USER@HOST/DB, or empty for the data dir")
    return text
_db_url.kind = "string"


def _queue_url(value: Any) -> str:
    text = _str(value)
    if text and not re.match(r"^(sqlite|redis)://", text):
        raise ValueError("expected sqlite:///PATH or redis://HOST:PORT/DB, or empty for the data dir")
    return text
_queue_url.kind = "string"


def _modems(value: Any) -> str:
    text = _str(value)
    if not text:
        raise ValueError("name at least one modem, for example sim")
    return text
_modems.kind = "string"


def _one_of(*choices: str) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = _nonempty(value).lower()
        if text not in choices:
            raise ValueError("expected one of " + ", ".join(choices))
        return text
    parse.kind = "string"
    return parse


@dataclasses.dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    parse: Callable[[Any], Any]

    @property
    def kind(self) -> str:
        return self.parse.kind

    @property
    def env(self) -> str:
        return "LOKET_" + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("data_dir", "./var", "Folder for the database, the job queue, backups and the device secret.", _nonempty),
    Setting("host", "127.0.0.1", "Address the web UI listens on; 0.0.0.0 to serve the whole LAN.", _nonempty),
    Setting("port", 8080, "Port of the web UI.", _int(1, 65535)),
    Setting("database_url", "", "CRM database. Empty: SQLite file loket.db in the data dir.", _db_url),
    Setting("queue_url", "", "Job queue. Empty: SQLite file queue.db in the data dir.", _queue_url),
    Setting("sqlite_synchronous", "full",
            "SQLite fsync policy: full survives power cuts without losing a committed row; normal is faster.",
            _one_of("full", "normal")),
    Setting("modems", "sim",
            "Modems, comma separated. sim: the simulated modem; gammu:PORT: libgammu on a serial port; "
            "gammu-dummy:DIR: libgammu's dummy phone.", _modems),
    Setting("modem_poll_seconds", 1.0, "How often the worker asks the modem for new messages, in seconds.",
            _float(0.05, 600)),
    Setting("modem_check_seconds", 30.0,
            "How often the worker checks each modem's health (signal, registration) and repairs a hung one.",
            _float(1, 3600)),
    Setting("sim_pin", "", "SIM card PIN, if the SIM asks for one.", _str),
    Setting("shop_name", "Loket Demo", "The shop's name, used in replies.", _nonempty),
    Setting("timezone", "Asia/Jakarta", "The shop's time zone; times are stored in UTC and shown in this zone.", _timezone),
    Setting("default_region", "ID", "Country of phone numbers written without +, such as 0812…", _region),
    Setting("default_language", "id", "Language of replies to a customer whose language is not yet known (id or en).", _language),
    Setting("quiet_hours", "21:00-08:00", "Shop-time window when reminders and promotions wait; empty for none.", _hours),
    Setting("daily_cap", 500,
            "SMS parts each SIM may send per shop-time day; when reached, reminders and promotions wait "
            "for tomorrow and replies still go. 0: no cap.", _int(0, 100_000)),
    Setting("rate_per_minute", 30,
            "SMS parts each modem sends per minute at most, evenly spaced. 0: as fast as the modem goes.",
            _int(0, 10_000)),
    Setting("replies_per_hour", 5,
            "Automatic replies to one phone per hour; a phone that texts more (an auto-responder loop) "
            "is flagged for staff instead of answered.", _int(1, 1000)),
    Setting("conversation_minutes", 30,
            "How long Loket waits for the answer to a question it asked by SMS (\"reply 1, 2 or 3\").",
            _int(1, 24 * 60)),
    Setting("reassembly_minutes", 10,
            "How long to wait for a missing part of a long SMS before showing what arrived.", _int(1, 7 * 24 * 60)),
    Setting("stale_grace_hours", 6,
            "A scheduled reminder or promotion later than this (after a clock jump or a long outage) "
            "is skipped and logged, not sent.", _int(1, 24 * 30)),
    Setting("clock", "system",
            "system: trust the system clock (a laptop or server). appliance: scheduled sends wait until "
            "NTP or the modem's network time has set the clock during this boot.",
            _one_of("system", "appliance")),
    Setting("worker_name", "",
            "This worker's name in send leases; empty: the host name. Unique per worker when several share "
            "a database.", _str),
    Setting("session_hours", 12, "A staff login expires after this many hours without use.", _int(1, 24 * 30)),
    Setting("login_attempts", 5, "Failed logins for a user name before it waits 15 minutes (not on a browser that "
            "has logged in as that user before).", _int(1, 100)),
    Setting("worker_threads", 2, "Job-queue worker threads in the worker process.", _int(1, 32)),
    Setting("release_dir", "/opt/loket",
            "Where the appliance keeps its installed releases (releases/<version>) and the link venv to the "
            "running one; offline updates install here.", _nonempty),
    Setting("release_key", "/opt/loket/share/release-key.pub",
            "Public half of the release key: an update bundle must be signed by it.", _nonempty),
    Setting("update_check_seconds", 180,
            "How long a newly installed release has to come up healthy before the update is rolled back.",
            _int(10, 3600)),
)

_BY_NAME = {s.name: s for s in SETTINGS}



class Settings:
    """The resolved settings: attribute access, plus where each value came from."""

    def __init__(self, values: dict[str, Any], sources: dict[str, str]):
        self._values = values
        self._sources = sources

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def source(self, name: str) -> str:
        return self._sources[name]

    def items(self):
        return [(s, self._values[s.name], self._sources[s.name]) for s in SETTINGS]

    def replace(self, **changes: Any) -> "Settings":
        values, sources = dict(self._values), dict(self._sources)
        for name, value in changes.items():
            values[name] = _validate(_BY_NAME[name], value, "code")
            sources[name] = "code"
        return Settings(values, sources)

    # Derived locations: one place decides where files live.
    @property
    def data_path(self) -> Path:
        return Path(self.data_dir).expanduser().resolve()

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_path / 'loket.db'}"

    @property
    def huey_url(self) -> str:
        return self.queue_url or f"sqlite:///{self.data_path / 'queue.db'}"

    @property
    def sim_path(self) -> Path:
        return self.data_path / "sim"

    @property
    def tz(self) -> dt.tzinfo:
        return zoneinfo.ZoneInfo(self.timezone)


def _validate(setting: Setting, value: Any, origin: str) -> Any:
    try:
        return setting.parse(value)
    except ValueError as exc:
        raise SettingsError(f"setting {setting.name} from {origin}: {exc} (got {value!r})") from None


def load(config: str | os.PathLike | None = None, env: dict[str, str] | None = None,
         overrides: dict[str, Any] | None = None) -> Settings:
    """Resolve settings from defaults, a TOML file, the environment and overrides.

    `config` None means: $LOKET_CONFIG, else /etc/loket/loket.toml if it exists.
    A file named explicitly must exist.
    """
    env = os.environ if env is None else env
    values = {s.name: s.default for s in SETTINGS}
    sources = {s.name: "default" for s in SETTINGS}

    path = config or env.get("LOKET_CONFIG")
    if path is None and Path(DEFAULT_CONFIG).is_file():
        path = DEFAULT_CONFIG
    if path:
        for name, value in _read_toml(Path(path)).items():
            setting = _BY_NAME.get(name)
            if setting is None:
                raise SettingsError(f"{path}: unknown setting {name!r} (see `loket settings` for the list)")
            values[name] = _validate(setting, value, str(path))
            sources[name] = str(path)

    for setting in SETTINGS:
        if setting.env in env:
            values[setting.name] = _validate(setting, env[setting.env], setting.env)
            sources[setting.name] = setting.env

    for name, value in (overrides or {}).items():
        if value is None:
            continue
        setting = _BY_NAME[name]
        values[name] = _validate(setting, value, "the command line")
        sources[name] = "command line"

    for setting in SETTINGS:  # defaults are validated too, once, cheaply
        values[setting.name] = _validate(setting, values[setting.name], sources[setting.name])
    return Settings(values, sources)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise SettingsError(f"config file {path} does not exist") from None
    except PermissionError:
        raise SettingsError(f"config file {path} is not readable by this user") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"config file {path} is not valid TOML: {exc}") from None
    # Accept both a flat file and one with a [loket] table.
    if set(data) == {"loket"} and isinstance(data["loket"], dict):
        data = data["loket"]
    return data


def as_markdown() -> str:
    """The settings reference page, generated from the table."""
    lines = [
        "# Settings",
        "",
        "Loket reads settings from, in rising precedence: the defaults below, the TOML file",
        "(`/etc/loket/loket.toml` on the appliance, `--config FILE` or `LOKET_CONFIG` elsewhere),",
        "`LOKET_<NAME>` environment variables, and command-line options. `loket settings` prints",
        "every setting with its value and where it came from.",
        "",
        "This page is generated by `loket settings --markdown`; a test keeps it in step.",
        "",
        "| name | type | default | environment | help |",
        "|---|---|---|---|---|",
    ]
    for s in SETTINGS:
        default = f"`{s.default}`" if s.default != "" else "(empty)"
        lines.append(f"| `{s.name}` | {s.kind} | {default} | `{s.env}` | {s.help} |")
    return "\n".join(lines) + "\n"
