"""What the AT driver's parts share: the error codes and settings it works by,
and the small readers of a modem's replies."""

from __future__ import annotations

import datetime as dt
import logging
import re

from . import atparse, pdu
from .at_link import Reply
from .base import InboundPart, ModemError, PermanentModemError, TransientModemError

log = logging.getLogger(__name__)

# E.2, TS 27.005 3.2.5): retrying only wastes credit. Everything else (38
# network out of order, 41 temporary failure, 42 congestion, 47 resources,
# 331 no network, 332 network timeout, 500 unknown, 515 busy ...) may pass later.
SEND_PERMANENT = frozenset({1, 8, 10, 21, 27, 28, 29, 30, 50, 96, 195, 196, 304, 305})

# New-message indications, best first: stored SMS announced by +CMTI, status
# reports stored and announced by +CDSI; then reports routed as +CDS; then
# the older mode 1 for modems without a buffer.
CNMI_VARIANTS = ("2,1,0,2,0", "2,1,0,1,0", "1,1,0,2,0", "1,1,0,1,0", "2,1,0,0,0", "2,1")
MEMORY_PREFERENCE = ("SM", "ME", "MT")
# A send after this many seconds without one first confirms that the modem is
# still in PDU mode with echo off (one AT+CMGF?): a modem that reset without
# losing its port would otherwise take AT+CMGS=<length> as a text-mode number.
CONFIRM_AFTER = 1.0
# The reference recorded for a part the modem confirmed with OK but without
# +CMGS: it went out, and no status report can match it.
NO_REFERENCE = -1
SIM_TEXT = {"READY": "ready", "SIM PIN": "PIN required", "SIM PUK": "PUK required (SIM locked)",
             "SIM PIN2": "PIN2 required", "SIM PUK2": "PUK2 required", "PH-SIM PIN": "phone lock PIN required"}



def inbound_part(location: str, decoded: pdu.Decoded) -> InboundPart:
    if decoded.type == pdu.TYPE_STATUS_REPORT:
        return InboundPart(location=location, sender=decoded.number, text="",
                           smsc_time=decoded.discharge_time or decoded.timestamp,
                           status_ref=decoded.message_ref, status=report_status(decoded.status))
    if decoded.type == pdu.TYPE_SUBMIT:
        # An outgoing message kept in storage (STO SENT/UNSENT): passed on like
        # Gammu does, marked, so the storage does not fill up with them.
        return InboundPart(location=location, sender=decoded.number, text=decoded.text, coding="other")
    concat = decoded.concat
    return InboundPart(
        location=location, sender=decoded.number, text=decoded.text, smsc_time=decoded.timestamp,
        concat_ref=concat.ref if concat else None, part_no=concat.seq if concat else None,
        part_count=concat.total if concat else None, coding=decoded.coding,
        raw=decoded.user_data.hex() if decoded.coding == "ucs2" else "")


def report_status(status: int | None) -> str:
    # 'pending' (the SMSC is still trying) is passed on as it is: it is neither.
    return pdu.status_category(status or 0)


def aware(value) -> dt.datetime | None:
    if not isinstance(value, dt.datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def last_line(reply: str) -> str:
    """Identity replies: the last information line (line junk comes before it)."""
    lines = atparse.info_lines(reply)
    if not lines:
        raise atparse.ATParseError("no information line")
    return re.sub(r"^\+(CG|G)M[IMR]:\s*", "", lines[-1], flags=re.IGNORECASE).strip().strip('"')


def cms_code(reply: Reply) -> int | None:
    error = reply.error
    return error.code if error else None


def reply_error(reply: Reply, doing: str) -> ModemError:
    error = reply.error
    detail = reply.final if error is None else f"{error.kind} error {error.code or ''} {error.message}".strip()
    return TransientModemError(f"{doing}: {detail}", code=cms_code(reply))


def send_error(reply: Reply, number: str) -> ModemError:
    error = reply.error
    if error is None or error.code is None:
        return TransientModemError(f"sending to {number}: the modem said {reply.final}")
    cls = PermanentModemError if error.kind == "CMS" and error.code in SEND_PERMANENT else TransientModemError
    return cls(f"sending to {number}: +{error.kind} ERROR {error.code} ({error.message})", code=error.code)


# -- detection --------------------------------------------------------------------------------

def cpin_text(reply: str) -> str:
    lines = [l for l in atparse.info_lines(reply) if l.upper().startswith("+CPIN:")]
    if not lines:
        raise atparse.ATParseError("no +CPIN line")
    state = lines[0].split(":", 1)[1].strip().strip('"').upper()
    return SIM_TEXT.get(state, state.lower())


def offers_pdu(reply: str) -> bool:
    lines = [l for l in atparse.info_lines(reply) if l.upper().startswith("+CMGF:")]
    return bool(lines) and 0 in atparse.parse_range_list(lines[0].split(":", 1)[1])



