"""Assembling inbound messages while another thread writes: nothing is left
unanswered.

On SQLite, a query still being read holds a snapshot; if another connection
commits meanwhile, this connection can no longer take the write lock (no
waiting helps: its snapshot is stale), and BEGIN fails at once with
"database is locked". `assemble` must therefore finish reading the loose
parts before it writes: otherwise a burst that arrives while the worker
sends replies leaves messages stored but never answered.
"""

import datetime as dt
import threading

from appliance.modem.base import InboundPart as Part

from appliance import inbox, outbox
from appliance.models import Message, OutboundPart

T0 = dt.datetime(2026, 11, 22, 3, 0, tzinfo=dt.timezone.utc)


def _commit_from_another_thread(shop):
    def write():
        try:
            outbox.queue_outbound("+6281299999999", "sent meanwhile by the drain", now=T0)
        finally:
            shop.close()  # this thread's connection
    thread = threading.Thread(target=write)
    thread.start()
    thread.join(30)


def test_a_commit_elsewhere_while_assembling_loses_no_message(shop):
    parts = [Part(location=str(k), sender=f"+62812000000{k:02d}", text=f"halo {k}", smsc_time=T0)
             for k in range(3)]
    assert inbox.store_parts(parts, "sim", T0) == 3
    calls = []

    def region_key(sender):
        calls.append(sender)
        if len(calls) == 1:  # the worker's drain commits a reply right now
            _commit_from_another_thread(shop)
        return sender

    created = inbox.assemble(T0, dt.timedelta(minutes=10), region_key)
    assert sorted(m.text for m in created) == ["halo 0", "halo 1", "halo 2"]
    assert Message.select().where(Message.direction == "in").count() == 3
    assert OutboundPart.select().count() == 0
