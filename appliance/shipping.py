"""The courier and tracking number of a shipped order: what staff may type,
and what an order shipped before they were fields still shows.

A tracking number (no. resi) is letters, digits and dashes as the courier
prints it; the spaces people type between groups ("JP 1234 5678") are
dropped and letters upper-cased, so the customer gets the number the
courier's site accepts. A courier name is short words (J&T Express, Pos
Indonesia, kurir toko). Both travel in an SMS, so both stay GSM-7 and short.
"""

from __future__ import annotations

import re

from .words import N_, say

MAX_COURIER = 30
MAX_TRACKING = 30
# Offered as suggestions on the order page; any other name may be typed.
COURIERS = ("JNE", "J&T Express", "SiCepat", "Pos Indonesia", "TIKI", "AnterAja", "Ninja Xpress", "Lion Parcel",
            "Wahana", "GoSend", "GrabExpress", "Kurir toko")

_COURIER = re.compile(r"[A-Za-z0-9][A-Za-z0-9 &.'()/-]*")
_TRACKING = re.compile(r"[A-Z0-9][A-Z0-9/-]*")


class ShippingError(ValueError):
    """A courier or tracking number that cannot be sent; the message is for people."""


def courier_name(text: str | None) -> str:
    """The courier as typed, spaces tidied; "" for none. Raises ShippingError."""
    name = " ".join((text or "").split())
    if not name:
        return ""
    if len(name) > MAX_COURIER:
        raise ShippingError(say(N_("courier: at most {n} characters"), n=MAX_COURIER))
    if not _COURIER.fullmatch(name):
        bad = next((c for c in name if not re.fullmatch(r"[A-Za-z0-9 &.'()/-]", c)), name[0])
        raise ShippingError(say(N_("courier: {char} cannot be used; letters, digits, spaces and & . - / only"),
                                char=repr(bad)))
    return name


def tracking_number(text: str | None) -> str:
    """The tracking number without spaces, in capitals; "" for none. Raises ShippingError."""
    number = "".join((text or "").split()).upper()
    if not number:
        return ""
    if len(number) > MAX_TRACKING:
        raise ShippingError(say(N_("tracking number: at most {n} characters, this one has {count}"),
                                n=MAX_TRACKING, count=len(number)))
    if not _TRACKING.fullmatch(number):
        bad = next((c for c in number if not re.fullmatch(r"[A-Z0-9/-]", c)), number[0])
        raise ShippingError(say(N_("tracking number: {char} cannot be used; letters, digits and - / only"),
                                char=repr(bad)))
    return number


def checked(courier: str | None, tracking: str | None) -> tuple[str, str]:
    """(courier, tracking) as stored; a tracking number needs its courier."""
    courier, tracking = courier_name(courier), tracking_number(tracking)
    if tracking and not courier:
        raise ShippingError(N_("which courier gave this tracking number? Fill in the courier too"))
    return courier, tracking


def detail(courier: str, tracking: str, note: str = "") -> str:
    """' (JNE 0123456789)': what follows "shipped" in an SMS that has no tracking placeholder."""
    words = " ".join(part for part in (courier, tracking) if part) or note
    return f" ({words})" if words else ""


def old_note(order) -> str:
    """For an order shipped before the courier was a field: the note staff
    typed when they shipped it (the audit trail keeps it), else ""."""
    if order.courier or order.tracking or order.status not in ("shipped", "done") or order.shipped_at is None:
        return ""
    from .models import AuditEntry
    entry = (AuditEntry.select(AuditEntry.detail)
             .where((AuditEntry.action == "order.status") & (AuditEntry.target == f"O-{order.number}")
                    & AuditEntry.detail.startswith("paid -> shipped: "))
             .order_by(AuditEntry.id.desc()).first())
    return entry.detail.split(": ", 1)[1] if entry else ""
