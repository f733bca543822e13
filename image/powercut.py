"""Power cuts for the QEMU boot test: SIGKILL is not a power cut, QEMU dying is.

A round: inside the VM a campaign starts (one outbox row per customer), the
simulated network (on the host) texts the shop a burst, and a backup runs;
at a random moment the VM's power goes (QEMU is killed: the guest's page
cache dies with it, as on a box whose plug is pulled). The VM boots again on
its own disk and must show:

- `loket db check` passes, the services come back on their own;
- every text the network handed to the modem is in the database exactly once
  (none lost, none doubled), once the modem's storage is read again;
- no customer got the campaign twice unless the row says so (`unknown` rows
  are the flagged ones; marketing is never sent again after one), and every
  row the database calls sent did reach the network;
- every backup file on the card is whole (a cut mid-backup leaves no
  half-written file under a backup's name).

`LOKET_POWERCUT_ROUNDS` sets the rounds (default 1; the long variant runs 10);
the findings go to test-output/powercut.json for `./dev bench` to print.
"""

from __future__ import annotations

import base64
import json
import random
import time
from pathlib import Path

CAMPAIGN_TEXT = "Promo Toko Uji: diskon 10% minggu ini. Balas STOP untuk berhenti."

# Run inside the VM as the loket user with the appliance's own venv.
START = r'''
import sys
from appliance.cli import wiring
from appliance import campaigns, customers, shopdata
settings = wiring.load_settings(type("Args", (), {})())
wiring.open_database(settings)
wiring.load_services()
shopdata.save_ui_settings({"quiet_hours": "", "daily_cap": "0", "rate_per_minute": "0"})
round_no, count = int(sys.argv[1]), int(sys.argv[2])
for i in range(count):
    customer = customers.add_customer(f"+62813{round_no:02d}{i:05d}", name=f"Uji {round_no}-{i}")
    customers.set_consent(customer, marketing=True)
campaign = campaigns.create(f"Listrik padam {round_no}", sys.argv[3], {}, kind="promotion")
queued = campaigns.start(campaign)
wiring.open_tasks(settings).kick_outbox()
print(f"campaign {campaign.id} queued {queued}")
'''

# After the boot: what the database holds, as JSON on one line.
REPORT = r'''
import json, sys
from pathlib import Path
from appliance.cli import wiring
from appliance.box import backup
from appliance.models import Message
settings = wiring.load_settings(type("Args", (), {})())
wiring.open_database(settings)
prefix = sys.argv[1]
out = {"campaign": {}, "inbound": {}, "open": 0, "backups": {}}
for m in Message.select().where(Message.direction == "out", Message.phone.startswith(prefix)):
    out["campaign"].setdefault(m.phone, []).append([m.state, m.resent_after_crash])
    out["open"] += m.state in ("queued", "sending")
for m in Message.select().where(Message.direction == "in", Message.phone.startswith(sys.argv[2])):
    key = m.phone + " " + m.text
    out["inbound"][key] = out["inbound"].get(key, 0) + 1
for file in sorted(Path(settings.data_path, "backups").glob("loket-*")):
    out["backups"][file.name] = backup.check_backup(file)
print("REPORT " + json.dumps(out))
'''

LOKET = "runuser -u loket -- /opt/loket/venv/bin/"


def _script(sh, name: str, source: str) -> str:
    """Writes a script into the VM (base64: the shell is raw, no heredocs)."""
    path = f"/tmp/{name}.py"
    encoded = base64.b64encode(source.encode()).decode()
    sh.run(f"echo {encoded} | base64 -d > {path} && chmod 644 {path}")
    return path


def run_rounds(rounds: int, *, sh, boot, kill, network, check, say, out: Path, seed: int | None = None) -> list[dict]:
    """`boot()` powers the VM on and returns a ready shell; `kill()` cuts the power."""
    rng = random.Random(seed)
    findings = []
    for round_no in range(1, rounds + 1):
        prefix, senders = f"+62813{round_no:02d}", f"+62815{round_no:02d}"
        recipients = 150
        start = _script(sh, "powercut_start", START)
        code, said = sh.run(f"cd /tmp && {LOKET}python {start} {round_no} {recipients} '{CAMPAIGN_TEXT}'",
                            timeout=180)
        if code != 0:
            raise RuntimeError(f"the power-cut workload did not start: {said[-1500:]}")
        texts = [(f"{senders}{i:05d}", f"uji listrik {round_no} {i}") for i in range(40)]
        for phone, text in texts:
            network.text_shop(phone, text)
        sh.run("systemctl start --no-block loket-backup.service")
        moment = rng.uniform(1.0, 20.0)
        time.sleep(moment)
        say(f"power cut {round_no}/{rounds} after {moment:.1f} s "
            f"({len(network.pending())} of {len(texts)} texts not yet taken by the modem)")
        kill()
        booted = time.monotonic()
        sh = boot()
        finding = {"round": round_no, "cut_after_s": round(moment, 1), "boot_s": round(time.monotonic() - booted)}
        check(f"power cut {round_no}: services back on their own",
              "systemctl is-active loket-web loket-worker loket-clock")
        check(f"power cut {round_no}: loket db check", f"{LOKET}loket db check")
        report = _script(sh, "powercut_report", REPORT)
        state: dict = {}
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:  # the worker finishes the campaign and reads the modem's storage
            code, said = sh.run(f"cd /tmp && {LOKET}python {report} {prefix} {senders}", timeout=120)
            line = next((x for x in said.splitlines() if x.startswith("REPORT ")), "")
            state = json.loads(line[7:]) if line else {}
            if state and not state["open"] and not network.pending() and len(state["inbound"]) >= len(texts):
                break
            time.sleep(5)
        finding.update(_judge(state, texts, network, prefix, recipients))
        findings.append(finding)
        ok = not finding["problems"]
        say(f"{'ok  ' if ok else 'FAIL'} power cut {round_no}: {finding['summary']}")
        if not ok:
            check(f"power cut {round_no}", "false", lambda code, out: False)
            for problem in finding["problems"][:10]:
                say(f"     {problem}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"rounds": findings, "when": time.strftime("%Y-%m-%d %H:%M:%S")}, indent=1))
    return findings


def _judge(state: dict, texts, network, prefix: str, recipients: int) -> dict:
    problems = []
    if not state:
        return {"problems": ["no report from the VM"], "summary": "no report"}
    inbound = state["inbound"]
    lost = [f"{p} {t}" for p, t in texts if inbound.get(f"{p} {t}", 0) == 0]
    doubled = [key for key, n in inbound.items() if n > 1]
    problems += [f"inbound lost: {x}" for x in lost] + [f"inbound twice: {x}" for x in doubled]
    sent = flagged = unknown_lost = duplicated = 0
    for i in range(recipients):
        phone = f"{prefix}{i:05d}"
        rows = state["campaign"].get(phone, [])
        got = sum(1 for sms in network.received(phone) if sms.get("text", "").startswith(CAMPAIGN_TEXT[:20]))
        states = [s for s, _ in rows]
        if len(rows) != 1:
            problems.append(f"{phone}: {len(rows)} outbox rows")
            continue
        if got > 1:
            duplicated += 1
            problems.append(f"{phone}: the campaign arrived {got} times (row {states[0]})")
        if states[0] == "sent" or states[0] == "delivered":
            sent += 1
            if got == 0:
                problems.append(f"{phone}: the database says sent, the network got nothing")
        elif states[0] == "unknown":
            flagged += 1
            unknown_lost += got == 0
        elif states[0] in ("queued", "sending"):
            problems.append(f"{phone}: still {states[0]} after the boot")
    bad_backups = {name: why for name, why in state["backups"].items() if why}
    problems += [f"backup {name}: {why[0]}" for name, why in bad_backups.items()]
    return {"problems": problems, "inbound_lost": len(lost), "inbound_doubled": len(doubled),
            "sent": sent, "flagged_unknown": flagged, "unknown_not_received": unknown_lost,
            "duplicated": duplicated, "backups": len(state["backups"]), "bad_backups": len(bad_backups),
            "summary": f"{sent} sent, {flagged} flagged unknown, {duplicated} duplicated, "
                       f"{len(lost)} inbound lost, {len(doubled)} inbound doubled, "
                       f"{len(state['backups'])} backups ({len(bad_backups)} damaged)"}
