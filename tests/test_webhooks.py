"""Webhooks over real HTTP: `loket run` sends the shop's events to a real
local receiver (tests/webhook_receiver.py) that checks every signature, and
that fails, hangs and answers slowly. Nothing is lost, attempts back off,
texts keep flowing meanwhile, and a SIGKILL of the delivery process mid-send
ends in a delivery after all (maybe twice, with the same id).

One `loket run` for the module, with short retry and timeout settings."""

from __future__ import annotations

import json
import os
import re
import signal
import time

import pytest

from conftest import launch_loket
from support import wait_until
from test_run_children import children_of, command_of
from webhook_receiver import Receiver

TIMEOUT = 1.5  # Loket's connect/read timeout here; the receiver's /hang holds longer
ENV = {"LOKET_WEBHOOK_RETRY_SECONDS": "0.3", "LOKET_WEBHOOK_TIMEOUT_SECONDS": str(TIMEOUT)}


@pytest.fixture(scope="module")
def receiver():
    receiver = Receiver(hang_seconds=TIMEOUT + 1.5, slow_seconds=TIMEOUT / 3)
    yield receiver
    receiver.close()


@pytest.fixture(scope="module")
def shop(tmp_path_factory, receiver):
    with launch_loket(tmp_path_factory.mktemp("hooks") / "var", ENV) as loket:
        owner = loket.browser()
        assert owner.login(loket.user, loket.password) == 200
        loket.owner = owner
        yield loket


def register(owner, receiver, path: str, events: list[str]) -> str:
    """The owner adds a webhook on the page; the receiver learns its secret (shown once)."""
    csrf = owner.csrf("/settings/webhooks")
    status, _, page = owner.post("/settings/webhooks", [("csrf", csrf), ("url", receiver.url + path), ("note", path)]
                                 + [("events", e) for e in events])
    assert status == 200, page
    secret = re.search(r'<code id="hook-secret" translate="no">([^<]+)</code>', page).group(1)
    receiver.secrets[path] = secret
    return secret


def hooks_process(loket) -> int | None:
    """The delivery process: the worker's child `loket hooks`."""
    for child in children_of(loket.process.pid):
        for grandchild in children_of(child):
            if command_of(grandchild).split()[3:4] == ["hooks"]:
                return grandchild
    return None


def test_a_text_and_its_reply_reach_the_receiver_signed(shop, receiver):
    register(shop.owner, receiver, "/ok", ["message.received", "message.sent"])
    # The page refuses what cannot receive, in the owner's language (Indonesian in the demo shop).
    csrf = shop.owner.csrf("/settings/webhooks")
    status, _, page = shop.owner.post("/settings/webhooks", [("csrf", csrf), ("url", "ftp://example.com/x"),
                                                             ("events", "order.paid")])
    assert status == 400 and "http://" in page and "https://" in page and "Traceback" not in page

    result = shop.text("+6281234567001", "BANTUAN")
    assert result.returncode == 0 and result.stdout.strip()
    assert wait_until(lambda: {s.event for s in receiver.at("/ok")} >= {"message.received", "message.sent"})
    for seen in receiver.at("/ok"):
        assert seen.signed, seen
        assert set(seen.body) == {"id", "event", "occurred_at", "data"}
        assert seen.body["data"]["phone"] == "+6281234567001"
    received = next(s for s in receiver.at("/ok") if s.event == "message.received")
    assert received.body["data"]["text"] == "BANTUAN"

    _, _, page = shop.owner.get("/settings/webhooks")
    assert "message.received" in page and "HTTP 200" in page and receiver.url + "/ok" in page


def test_a_failing_receiver_gets_the_same_delivery_again_with_growing_waits(shop, receiver):
    register(shop.owner, receiver, "/fail/3", ["message.received"])
    shop.text("+6281234567002", "BANTUAN")
    assert wait_until(lambda: len(receiver.at("/fail/3")) >= 4, timeout=30)
    tries = receiver.at("/fail/3")
    assert len({s.id for s in tries}) == 1 and all(s.signed for s in tries)  # one event, retried
    gaps = [b.at - a.at for a, b in zip(tries, tries[1:])]
    assert gaps[-1] > gaps[0], gaps  # backoff: 0.3 s doubling, with +-25 % jitter
    _, _, page = shop.owner.get("/settings/webhooks")
    section = page.split(receiver.url + "/fail/3", 1)[1]
    assert "HTTP 200" in section

    # "Send again" from the log: the receiver gets the same id once more.
    delivery = re.search(r'action="/settings/webhooks/deliveries/(\d+)"', section).group(1)
    csrf = shop.owner.csrf("/settings/webhooks")
    assert shop.owner.post(f"/settings/webhooks/deliveries/{delivery}", {"csrf": csrf})[0] == 200
    assert wait_until(lambda: len(receiver.at("/fail/3")) == 5)
    assert receiver.at("/fail/3")[-1].id == tries[0].id


def test_a_hanging_or_slow_receiver_never_slows_the_texts(shop, receiver):
    register(shop.owner, receiver, "/hang", ["message.received", "message.sent"])
    register(shop.owner, receiver, "/slow", ["message.received", "message.sent"])
    started = time.monotonic()
    for n in range(3):  # each reply comes as fast as with no webhook at all
        result = shop.text(f"+62812345671{n:02d}", "BANTUAN", wait=10)
        assert result.returncode == 0 and result.stdout.strip(), result.stderr
    assert time.monotonic() - started < 15, "the texts waited for a receiver"
    # The one /hang held past the timeout is sent again; nothing is lost, all signed.
    assert wait_until(lambda: len(receiver.at("/hang")) == 7  # six events, the first of them twice
                      and len({s.id for s in receiver.at("/slow")}) == 6, timeout=30)
    hung = receiver.at("/hang")[0]
    assert [s.id for s in receiver.at("/hang")].count(hung.id) == 2
    assert all(s.signed for s in receiver.at("/hang") + receiver.at("/slow"))
    assert wait_until(lambda: "sending" not in shop.owner.get("/settings/webhooks")[2])


def test_a_delivery_cut_short_by_sigkill_is_sent_again_with_the_same_id(shop, receiver):
    register(shop.owner, receiver, "/hold", ["message.received"])
    shop.text("+6281234567003", "BANTUAN")
    assert receiver.held.wait(20), "the delivery never started"
    pid = hooks_process(shop)
    assert pid, "no `loket hooks` under the worker"
    os.kill(pid, signal.SIGKILL)
    receiver.release.set()
    # The worker starts the delivery process again; it takes the row left "sending".
    assert wait_until(lambda: len(receiver.at("/hold")) >= 2, timeout=30)
    first, again = receiver.at("/hold")[:2]
    assert first.id == again.id and again.signed
    assert hooks_process(shop) not in (None, pid)


def test_events_from_staff_actions_carry_their_data(shop, receiver):
    register(shop.owner, receiver, "/staff", ["ticket.opened", "ticket.resolved", "ticket.changed"])
    browser = shop.owner
    csrf = browser.csrf("/tickets")
    status, _, page = browser.post("/tickets", {"csrf": csrf, "phone": "0812-3456-7004",
                                                "text": "AC bocor di ruang tamu"})
    assert status == 200, page
    assert wait_until(lambda: any(s.event == "ticket.opened" for s in receiver.at("/staff")))
    opened = next(s for s in receiver.at("/staff") if s.event == "ticket.opened")
    assert opened.signed and opened.body["data"]["summary"].startswith("AC bocor")
    assert json.dumps(opened.body)  # plain JSON


def test_the_core_path_on_postgresql_and_redis(tmp_path, postgres_url, redis_url, receiver):
    from appliance import db
    from appliance.models import MODELS
    database = db.connect(postgres_url)
    database.drop_tables(MODELS, cascade=True)  # a fresh shop
    database.close()
    env = {**ENV, "LOKET_DATABASE_URL": postgres_url, "LOKET_QUEUE_URL": redis_url}
    with launch_loket(tmp_path / "var", env) as loket:
        owner = loket.browser()
        assert owner.login(loket.user, loket.password) == 200
        register(owner, receiver, "/fail/1", ["message.received"])
        assert loket.text("+6281234567009", "BANTUAN").returncode == 0
        assert wait_until(lambda: len(receiver.at("/fail/1")) == 2, timeout=30)
        first, again = receiver.at("/fail/1")
        assert first.id == again.id and first.signed and again.signed
