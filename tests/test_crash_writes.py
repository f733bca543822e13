"""Kill a process in the middle of heavy writes: the database stays intact and
every row whose commit was reported is there.

The writer is a real process using Loket's own storage code with the
appliance's settings (WAL, synchronous=FULL). It prints each id after its
commit returns; SIGKILL comes at a random moment; then integrity is checked
and every printed id is looked up. Several rounds, each on the survivor of
the last.
"""

import os
import random
import signal
import subprocess
import sys
import time

from appliance import db, migrations
from appliance.models import Message

WRITER = r"""
import sys
from appliance import db, migrations, outbox
database = db.connect(sys.argv[1])
migrations.migrate(database)
round_ = sys.argv[2]
n = 0
while True:
    n += 1
    with database.atomic():
        row, _ = outbox.queue_outbound("+6281234567890", "x" * 300, key=f"{round_}:{n}")
        outbox.queue_outbound("+6281234567891", "y" * 300, key=f"{round_}:{n}:b")
    print(row.idempotency_key, flush=True)
"""


def test_sigkill_during_heavy_writes_loses_no_committed_row(tmp_path):
    url = f"sqlite:///{tmp_path / 'loket.db'}"
    rng = random.Random(int(os.environ.get("LOKET_FAULT_SEED", "7")))
    committed: list[str] = []
    for round_ in range(5):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, url, str(round_)], stdout=subprocess.PIPE,
                                  text=True)
        # The kill comes while it writes: after its first commit (a busy machine starts it slowly),
        # at a random moment.
        first = writer.stdout.readline()
        assert first, "the writer stopped before its first commit"
        time.sleep(rng.uniform(0.05, 0.8))
        writer.send_signal(signal.SIGKILL)
        out, _ = writer.communicate()
        keys = [first.strip(), *out.split()]
        committed.extend(keys)

    database = db.connect(url)
    assert migrations.check(database) == []  # integrity_check and foreign keys
    stored = {m.idempotency_key for m in Message.select(Message.idempotency_key)}
    missing = [key for key in committed if key not in stored]
    assert not missing, f"{len(missing)} committed rows are missing, e.g. {missing[:3]}"
    # Both rows of a transaction, or neither.
    for key in committed:
        assert f"{key}:b" in stored
    database.close()
