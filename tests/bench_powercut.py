"""What the last power cuts found: the QEMU boot test (image/powercut.py)
writes test-output/powercut.json; `./dev bench` prints it. One cut runs in
the default suite (as root); `LOKET_POWERCUT_ROUNDS=10 ./dev test
tests/test_image.py -k boot` is the long variant."""

import json
from pathlib import Path

FOUND = Path(__file__).resolve().parent.parent / "test-output" / "powercut.json"


def print_powercuts(row) -> None:
    try:
        found = json.loads(FOUND.read_text())
    except (OSError, ValueError):
        row("power cuts (QEMU)", "not run", "run the image test as root")
        return
    rounds = found.get("rounds", [])
    total = lambda key: sum(r.get(key, 0) for r in rounds)  # noqa: E731
    row(f"power cuts (QEMU, {found.get('when', '?')})", f"{len(rounds)} cuts")
    row("  campaign SMS sent twice", str(total("duplicated")), "0", total("duplicated") == 0)
    row("  inbound texts lost / doubled", f"{total('inbound_lost')} / {total('inbound_doubled')}", "0 / 0",
        total("inbound_lost") == 0 and total("inbound_doubled") == 0)
    row("  campaign rows flagged unknown (staff see them)", str(total("flagged_unknown")))
    row("  damaged backups left on the card", str(total("bad_backups")), "0", total("bad_backups") == 0)
    row("  rounds with any problem", str(sum(1 for r in rounds if r.get("problems"))), "0",
        all(not r.get("problems") for r in rounds))
    if rounds:
        row("  boot after a cut (slowest)", f"{max(r.get('boot_s', 0) for r in rounds)} s")
