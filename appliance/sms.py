"""What a text costs in SMS parts, for previews and counters.

The rules (GSM-7 or UCS-2, 160/153 or 70/67 per part, the escape
characters) live in the modem layer's codec, and the core may not import
the modem layer: the composition root (the CLI) plugs the codec's `plan`
in here with `configure`, as the tests do.
"""

from __future__ import annotations

from typing import Callable

_plan: Callable | None = None


def configure(plan: Callable) -> None:
    global _plan
    _plan = plan


def plan(text: str):
    """An object with .encoding ('gsm7'|'ucs2'), .parts, .chars, .per_part,
    .remaining_in_part and .offending (the first character forcing UCS-2)."""
    if _plan is None:
        raise RuntimeError("appliance.sms is not configured: the CLI plugs in the codec")
    return _plan(text)
