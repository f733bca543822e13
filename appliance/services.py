"""The shop's services, loaded once per process.

`load()` imports every module that registers something: keywords and their
handlers, reply templates (conversation.py) and periodic jobs (jobs.py).
The web app, the worker and the CLI call it when they are built, so every
process sees every keyword, handler and template, whatever it happened to
import before. Nothing imports this module but that wiring (and tests), so
it closes no import cycle.
"""

from __future__ import annotations

import importlib

# The SMS side of each service, and the jobs. Order does not matter: each
# module registers under its own names, and a name registered twice is an error.
MODULES = (
    "basics_sms",  # HELP, STOP, START
    "status_sms",  # STATUS, STATUS T-... / O-..., STATUS alone
    "customers_sms",  # REG / DAFTAR
    "loyalty_sms",  # POIN
    "draws",  # the winner's SMS
    "bookings_sms",  # PESAN, UBAH, BATAL
    "waiting_sms",  # ANTRI
    "orders_sms",  # BELI, BAYAR
    "freetext_sms",  # customers' own words: each intent, and the YA that confirms a change
    "orders",  # the unpaid-orders job
    "order_edit",  # the new total of an order changed before it ships
    "tickets_sms",  # KELUHAN, the technicians' commands, the SLA watch
    "visits",  # a ticket's visit: the customer's and the technician's texts
    "visits_morning",  # each technician's list of today's visits, each morning
    "reminders",  # the reminders job and its texts
    "campaigns",  # scheduled campaigns
    "alerts",  # what a flood from one phone may make the shop send: held
    "missed_calls",  # a missed call's queue number or call-back note, and their texts
    "simcredit",  # the owner's warnings about the SIM's credit and active period
    "satisfaction",  # "how did we do? reply 1-5" after a ticket or a visit, and the answer
)

_loaded = False


def load() -> None:
    """Register every service (idempotent)."""
    global _loaded
    if _loaded:
        return
    for name in MODULES:
        importlib.import_module(f"{__package__}.{name}")
    _loaded = True
