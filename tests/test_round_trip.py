"""The first real round trip: a customer texts, the shop answers, staff see it.

Real processes: `loket run` (waitress, the Huey consumer, the simulated
modem), `loket sim` as the customer's phone, and HTTP to the web UI.
"""

import re

from support import loket_cli


def test_a_customer_texts_help_and_the_conversation_shows_in_the_inbox(loket):
    result = loket.text("+6281234567890", "help")
    assert result.returncode == 0, result.stderr
    assert "you can text" in result.stdout  # the English help reply
    assert "STOP" in result.stdout

    browser = loket.browser()
    status, _, _ = browser.get("/inbox", follow=False)
    assert status in (302, 303), "the inbox needs a login"
    assert browser.login(loket.user, loket.password) == 200

    status, _, inbox = browser.get("/inbox")
    assert status == 200
    assert "0812-3456-7890" in inbox  # the number as people write it
    # Newest first: the new conversation is above the demo shop's ones.
    assert inbox.index("0812-3456-7890") < inbox.index("Ibu Sari")

    status, _, thread = browser.get("/inbox/%2B6281234567890")
    assert status == 200
    assert ">help<" in thread
    assert "you can text" in thread
    assert "terkirim" in thread or "sampai" in thread  # the reply's state moved on from queued (the owner reads Indonesian)


def test_staff_reply_from_the_inbox_reaches_the_phone_once(loket):
    # A question no robot can answer (any number format: one customer).
    loket.text("0812-3456-7890", "Kemarin saya lupa dompet di ruang tunggu, ada yang nemu?")
    browser = loket.browser()
    browser.login(loket.user, loket.password)
    _, _, thread = browser.get("/inbox/%2B6281234567890")
    assert "menunggu staf" in thread  # the demo's owner reads the shop's language, Indonesian
    csrf = re.search(r'name="csrf" value="([^"]+)"', thread).group(1)
    key = re.search(r'name="key" value="([^"]+)"', thread).group(1)
    form = {"csrf": csrf, "key": key, "text": "Dompetnya ada di kasir, Bu."}
    assert browser.post("/inbox/%2B6281234567890/reply", form)[0] == 200
    # The same form posted twice (a double tap, a retried request) sends once.
    assert browser.post("/inbox/%2B6281234567890/reply", form)[0] == 200

    import time
    deadline = time.monotonic() + 15
    received = []
    while time.monotonic() < deadline:
        inbox = loket_cli("sim", "inbox", "+6281234567890", data_dir=loket.data_dir).stdout
        received = [line for line in inbox.splitlines() if "Dompetnya ada di kasir" in line]
        if received:
            break
        time.sleep(0.2)
    time.sleep(1)  # long enough for a duplicate to show up, were there one
    inbox = loket_cli("sim", "inbox", "+6281234567890", data_dir=loket.data_dir).stdout
    assert len([line for line in inbox.splitlines() if "Dompetnya ada di kasir" in line]) == 1

    _, _, thread = browser.get("/inbox/%2B6281234567890")
    assert "menunggu staf" not in thread  # answered


def test_stop_and_start_change_consent_with_a_confirmation(loket):
    stop = loket.text("+6281298765432", "Stop please")
    assert "MULAI" in stop.stdout  # how to come back, in the shop's default language
    start = loket.text("+6281298765432", "MULAI")
    assert "terima kasih" in start.stdout.lower()
