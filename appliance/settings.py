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
    """A setting has a value Loket cannot use. The message says how to fix it;
    `name` and `reason` let a page put it in its own words."""

    def __init__(self, message: str, name: str = "", reason: str = ""):
        super().__init__(message)
        self.name = name
        self.reason = reason or message


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
    parse.kind, parse.lo, parse.hi = kind, lo, hi
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


def _short_text(limit: int) -> Callable[[Any], str]:
    """Text for an SMS: one line, at most `limit` characters."""
    def parse(value: Any) -> str:
        text = " ".join(_str(value).split())
        if len(text) > limit:
            raise ValueError(f"at most {limit} characters")
        return text
    parse.kind = "string"
    return parse


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


def _pin(value: Any) -> str:
    text = _str(value)
    if text and not (text.isdigit() and 4 <= len(text) <= 8):
        raise ValueError("a SIM PIN has 4 to 8 digits, or empty for none")
    return text
_pin.kind = "string"


def _price(value: Any) -> int | str:
    """Rupiah for one SMS part, or empty: the SIM operator's price (simcredit.part_price)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    return _int(0, 100_000)(value)
_price.kind = "integer or empty"


def _ussd_code(value: Any) -> str:
    text = _str(value).replace(" ", "")
    if text and not re.fullmatch(r"[*#][0-9*#]{1,30}#", text):
        raise ValueError("expected a USSD code such as *888#, or empty")
    return text
_ussd_code.kind = "string"


def _hour_list(value: Any) -> tuple[int, ...]:
    """Whole hours, from a TOML list or text such as "24, 2"; empty for none."""
    if isinstance(value, (list, tuple)):
        items = list(value)
    elif isinstance(value, str):
        items = [item for item in re.split(r"[\s,;]+", value.strip()) if item]
    else:
        raise ValueError("expected whole hours separated by commas, such as 24, 2")
    hours = set()
    for item in items:
        try:
            hours.add(_int(1, 14 * 24)(item))
        except ValueError as exc:
            raise ValueError(f"hour {item}: {exc}") from None
    return tuple(sorted(hours, reverse=True))
_hour_list.kind = "list of whole numbers"


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
    group: str = "box"
    owner: bool = False  # the shop's owner may change it on the Settings page (see shopdata.py)

    @property
    def kind(self) -> str:
        return self.parse.kind

    @property
    def env(self) -> str:
        return "LOKET_" + self.name.upper()


# The groups, in the order `loket settings`, the docs and the Settings page show them.
GROUPS = {
    "shop": "The shop",
    "sms": "Sending SMS",
    "booking": "Bookings",
    "queue": "The waiting queue",
    "orders": "Orders",
    "points": "Points",
    "reminders": "Reminders",
    "tickets": "Tickets",
    "modem": "The modem",
    "hooks": "Webhooks",
    "box": "The box",
    "staff": "Staff logins",
    "updates": "Updates",
}

SETTINGS: tuple[Setting, ...] = (
    # -- the shop
    Setting("shop_name", "Loket Demo", "The shop's name, used in replies.", _nonempty, "shop", owner=True),
    Setting("shop_address", "", "The shop's address, the answer to a customer who asks where the shop is "
            "(empty: staff answer that question).", _short_text(160), "shop", owner=True),
    Setting("shop_phone", "", "The shop's phone number as printed on invoices and receipts (a landline or "
            "the counter's mobile; empty: none printed).", _short_text(30), "shop", owner=True),
    Setting("payment_instructions", "", "Where customers pay (bank account, e-wallet, QRIS), added to every "
            "\"please pay\" SMS, e.g. \"BCA 1234567890 a.n. Jaya Motor\".", _short_text(100), "orders", owner=True),
    Setting("timezone", "Asia/Jakarta", "The shop's time zone; times are stored in UTC and shown in this zone.",
            _timezone, "shop", owner=True),
    Setting("default_region", "ID", "Country of phone numbers written without +, such as 0812…", _region, "shop"),
    Setting("default_language", "id", "Language of replies to a customer whose language is not yet known, and of "
            "new staff logins (id or en).",
            _language, "shop", owner=True),
    # -- sending SMS
    Setting("quiet_hours", "21:00-08:00", "Shop-time window when reminders and promotions wait; empty for none.",
            _hours, "sms", owner=True),
    Setting("daily_cap", 500,
            "SMS parts each SIM may send per shop-time day; when reached, reminders and promotions wait "
            "for tomorrow and replies still go. 0: no cap.", _int(0, 100_000), "sms", owner=True),
    Setting("rate_per_minute", 30,
            "SMS parts each modem sends per minute at most, evenly spaced. 0: as fast as the modem goes.",
            _int(0, 10_000), "sms", owner=True),
    Setting("replies_per_hour", 30,
            "The most automatic replies to one phone in an hour, a ceiling that keeps the SIM's credit safe. "
            "People are never silenced below it; a robot (the same text again and again, or our replies "
            "answered instantly) is caught sooner. Over it, the phone is flagged for staff and told once that "
            "a person will answer.", _int(1, 1000), "sms", owner=True),
    Setting("sms_price", "",
            "What one SMS part costs the shop, in rupiah (0 with a free SMS package). Empty: the list price of "
            "the SIM's operator (Rp 150 for Telkomsel, Indosat Ooredoo, XL/Axis, Tri and Smartfren). Campaign "
            "previews, the credit left and each sent SMS's recorded cost use it.",
            _price, "sms", owner=True),
    Setting("conversation_minutes", 30,
            "How long Loket waits for the answer to a question it asked by SMS (\"reply 1, 2 or 3\").",
            _int(1, 24 * 60), "sms"),
    Setting("reassembly_minutes", 10,
            "How long to wait for a missing part of a long SMS before showing what arrived.", _int(1, 7 * 24 * 60),
            "sms"),
    Setting("stale_grace_hours", 6,
            "A scheduled reminder or promotion later than this (after a clock jump or a long outage) "
            "is skipped and logged, not sent.", _int(1, 24 * 30), "sms"),
    # -- bookings
    Setting("booking_offer_slots", 3,
            "Free times offered in one SMS (3 fit one SMS with a long shop name).", _int(1, 5), "booking", owner=True),
    Setting("booking_max_days", 90, "How many days ahead a booking may be made.", _int(1, 3650), "booking",
            owner=True),
    Setting("booking_search_days", 14, "How many days ahead to look for the next day with a free time.",
            _int(1, 366), "booking", owner=True),
    Setting("booking_offer_minutes", 30,
            "How long offered times stand, in minutes, before the customer must ask again.",
            _int(1, 24 * 60), "booking", owner=True),
    # -- the waiting queue
    Setting("queue_notify_ahead", 3,
            "A customer in the queue gets an SMS when this many people or fewer are ahead. 0: only when it is "
            "their turn.", _int(0, 50), "queue", owner=True),
    Setting("queue_counters", 1, "How many customers are served at once, one per counter; the waiting time is "
            "divided by it, and calling the next number finishes the longest-served one beyond it.",
            _int(1, 100), "queue", owner=True),
    # -- orders
    Setting("order_unpaid_days", 3.0, "Days a customer has to pay an order before it is cancelled.",
            _float(0.1, 60), "orders", owner=True),
    Setting("order_claim_grace_hours", 24.0,
            "After a payment claim is rejected, the customer has at least this many hours to pay right.",
            _float(0, 24 * 14), "orders", owner=True),
    Setting("order_steps", "off",
            "Steps a paid order goes through before it ships: off (paid, then shipped), packed (\"dikemas\": "
            "packed and waiting for the courier) or production (\"diproses\": being made to order, then packed). "
            "Staff move it on with one tap on the order's page; the customer's STATUS reply names the step.",
            _one_of("off", "packed", "production"), "orders", owner=True),
    Setting("order_packed_sms", False,
            "With order steps on: text the customer once when their order is packed.", _bool, "orders",
            owner=True),
    # -- points
    Setting("points_per_visit", 10, "Points a customer earns for a visit. 0: none.", _int(0, 10_000), "points",
            owner=True),
    Setting("points_per_rupiah", 10_000, "A customer earns 1 point per this many rupiah spent. 0: none.",
            _int(0, 100_000_000), "points", owner=True),
    # -- reminders
    Setting("reminder_hours", (24, 2),
            "Hours before a booking that reminders go, separated by commas (each 1 to 336); empty for none.",
            _hour_list, "reminders", owner=True),
    Setting("comeback_hour", 10, "Shop-time hour from which come-back reminders go on their day.", _int(0, 23),
            "reminders", owner=True),
    Setting("comeback_window_days", 30,
            "A come-back reminder is still sent this many days after it was due (after an outage); older ones "
            "are skipped.", _int(1, 3650), "reminders", owner=True),
    # -- tickets
    Setting("satisfaction_survey", True,
            "After a ticket is resolved or a booking is done, ask the customer \"how did we do? reply 1-5\" "
            "(a reminder: with their consent, outside quiet hours).", _bool, "tickets", owner=True),
    Setting("visits_morning_hour", 7,
            "Shop-time hour from which each technician gets one SMS listing that day's visits with times and "
            "addresses (a reminder: it waits out quiet hours).", _int(0, 23), "tickets", owner=True),
    Setting("ticket_first_number", 1, "Number of the first ticket (T-0001); later tickets count up from it.",
            _int(1, 2**31 - 1), "tickets", owner=True),  # the ticket number is an INTEGER column
    Setting("ticket_default_category", "umum",
            "Category of a ticket whose words match none; empty: no category.", _str, "tickets", owner=True),
    Setting("ticket_response_minutes", 60, "Minutes to the first answer of a ticket without a category.",
            _int(1, 365 * 24 * 60), "tickets", owner=True),
    Setting("ticket_resolution_minutes", 24 * 60, "Minutes to resolve a ticket without a category.",
            _int(1, 365 * 24 * 60), "tickets", owner=True),
    Setting("ticket_warn_percent", 80,
            "A ticket without a category is marked at risk when this percent of its time has gone.", _int(1, 99),
            "tickets", owner=True),
    # -- the modem
    Setting("modems", "sim",
            "Modems, comma separated. sim: the simulated modem; at:PORT: Loket's own AT driver on a serial "
            "port (e.g. at:/dev/serial/by-id/...); gammu:PORT: libgammu on a serial port; "
            "gammu-dummy:DIR: libgammu's dummy phone.", _modems, "modem"),
    Setting("modem_poll_seconds", 1.0, "How often the worker asks the modem for new messages, in seconds.",
            _float(0.05, 600), "modem"),
    Setting("modem_check_seconds", 30.0,
            "How often the worker checks each modem's health (signal, registration) and repairs a hung one.",
            _float(1, 3600), "modem"),
    Setting("sim_pin", "", "SIM card PIN, if the SIM asks for one (4 to 8 digits).", _pin, "modem", owner=True),
    Setting("credit_check_hours", 6.0,
            "How often the worker asks the operator for the SIM's credit and active period by USSD, in hours "
            "(also a few minutes after a campaign starts). 0: never.", _float(0, 24 * 30), "modem", owner=True),
    Setting("balance_code", "",
            "The USSD code that asks the SIM's balance, e.g. *888#. Empty: the operator's own (Telkomsel *888#, "
            "Indosat Ooredoo *555#, XL/Axis *808#, Tri *111#, Smartfren *999#).", _ussd_code, "modem", owner=True),
    Setting("credit_warn_below", 10_000,
            "Below this much credit (rupiah) the owner gets one warning SMS a day and the dashboard shows it. "
            "0: no warning.", _int(0, 10_000_000), "modem", owner=True),
    Setting("credit_warn_days", 7,
            "This many days before the SIM's active period ends the owner gets one warning SMS a day. 0: none.",
            _int(0, 365), "modem", owner=True),
    Setting("missed_call_action", "ignore",
            "What a customer's missed call does (the call is rejected at once, never answered): queue joins "
            "today's queue and texts the number; callback puts a \"call me back\" note in the inbox for staff; "
            "ignore does nothing.", _one_of("queue", "callback", "ignore"), "modem", owner=True),
    # -- webhooks (registered on the Webhooks page; these tune their delivery)
    Setting("webhook_retry_seconds", 30.0,
            "Wait before a failed webhook delivery is tried again, in seconds; it doubles with every attempt "
            "(with jitter, at most 6 hours).", _float(0.05, 3600), "hooks"),
    Setting("webhook_max_attempts", 12,
            "Attempts of one webhook delivery before it is marked failed (\"send again\" on the page "
            "starts over).", _int(1, 100), "hooks"),
    Setting("webhook_timeout_seconds", 10.0,
            "How long a webhook receiver may take to accept the connection and to answer, each, in seconds.",
            _float(0.2, 120), "hooks"),
    # -- the box
    Setting("data_dir", "./var", "Folder for the database, the job queue, backups and the device secret.", _nonempty),
    Setting("host", "127.0.0.1", "Address the web UI listens on; 0.0.0.0 to serve the whole LAN.", _nonempty),
    Setting("port", 8080, "Port of the web UI.", _int(1, 65535)),
    Setting("database_url", "", "CRM database. Empty: SQLite file loket.db in the data dir.", _db_url),
    Setting("queue_url", "", "Job queue. Empty: SQLite file queue.db in the data dir.", _queue_url),
    Setting("sqlite_synchronous", "full",
            "SQLite fsync policy: full survives power cuts without losing a committed row; normal is faster.",
            _one_of("full", "normal")),
    Setting("clock", "system",
            "system: trust the system clock (a laptop or server). appliance: scheduled sends wait until "
            "NTP or the modem's network time has set the clock during this boot.",
            _one_of("system", "appliance")),
    Setting("worker_name", "",
            "This worker's name in send leases; empty: the host name. Unique per worker when several share "
            "a database.", _str),
    Setting("worker_threads", 2, "Job-queue worker threads in the worker process.", _int(1, 32)),
    # -- staff logins
    Setting("session_hours", 12, "A staff login expires after this many hours without use.", _int(1, 24 * 30),
            "staff"),
    Setting("login_attempts", 5, "Failed logins for a user name before it waits 15 minutes (not on a browser that "
            "has logged in as that user before).", _int(1, 100), "staff"),
    # -- updates
    Setting("release_dir", "/opt/loket",
            "Where the appliance keeps its installed releases (releases/<version>) and the link venv to the "
            "running one; offline updates install here.", _nonempty, "updates"),
    Setting("release_key", "/opt/loket/share/release-key.pub",
            "Public half of the release key: an update bundle must be signed by it.", _nonempty, "updates"),
    Setting("update_check_seconds", 180,
            "How long a newly installed release has to come up healthy before the update is rolled back.",
            _int(10, 3600), "updates"),
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

    def with_values(self, values: dict[str, Any], source: str) -> "Settings":
        """These settings with values already checked by the table (see `check`)."""
        return Settings({**self._values, **values}, {**self._sources, **{name: source for name in values}})

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
        raise SettingsError(f"setting {setting.name} from {origin}: {exc} (got {value!r})",
                            setting.name, str(exc)) from None


def find(name: str) -> Setting | None:
    return _BY_NAME.get(name)


def check(name: str, value: Any, origin: str) -> Any:
    """One value through its setting's validator: the value as Loket uses it,
    or SettingsError naming the setting, the origin and the reason."""
    setting = _BY_NAME.get(name)
    if setting is None:
        raise SettingsError(f"unknown setting {name!r} (see `loket settings` for the list)", name,
                            "unknown setting")
    return _validate(setting, value, origin)


def defaults() -> Settings:
    """Every setting at its default: what code outside a wired process sees (unit tests)."""
    return Settings({s.name: s.default for s in SETTINGS}, {s.name: "default" for s in SETTINGS})


def shown(value: Any) -> str:
    """A value as a person writes it: a list as "24, 2"."""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(item) for item in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


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
        "The shop's owner may change the settings marked *owner* on the Settings page (Shop). The",
        "owner's value applies above the TOML file; one set by an environment variable or the",
        "command line wins over it, and the page shows it as set in the box's configuration.",
        "",
        "This page is generated by `loket settings --markdown`; a test keeps it in step.",
    ]
    for group, title in GROUPS.items():
        lines += ["", f"## {title}", "", "| name | type | default | environment | help |", "|---|---|---|---|---|"]
        for s in SETTINGS:
            if s.group != group:
                continue
            default = f"`{shown(s.default)}`" if shown(s.default) != "" else "(empty)"
            owner = " *owner*" if s.owner else ""
            lines.append(f"| `{s.name}`{owner} | {s.kind} | {default} | `{s.env}` | {s.help} |")
    return "\n".join(lines) + "\n"
