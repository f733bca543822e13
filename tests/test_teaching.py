"""Staff teach Loket and see how it read each text: the conversation view
shows what a text was understood as, a text Loket did not understand is
taught from there, staff-made answers (REKENING ...) answer customers, and
the inbox shows the customer's own words, searchable, with the operators'
texts kept apart. All over real HTTP against `loket run` and `loket sim text`.
"""

import re
import time
from urllib.parse import quote

import pytest

from appliance import shopdata, understand
from appliance.webui.i18n import INTENT_LABELS, intent_label, translate
from conftest import launch_loket
from support import quick_beside_a_scan

QUIET = {"LOKET_QUIET_HOURS": ""}


@pytest.fixture(scope="module")
def spa(tmp_path_factory):
    with launch_loket(tmp_path_factory.mktemp("teach") / "var", QUIET, args=("--demo", "spa")) as loket:
        browser = loket.browser()
        assert browser.login(loket.user, loket.password) == 200
        loket.staff = browser
        yield loket


def the_worker_rereads():
    """The worker is its own process: it reads what staff changed once its
    few seconds' cache of the shop's data runs out."""
    time.sleep(shopdata.CACHE_SECONDS + 0.3)


def in_indonesian(browser):
    browser.post("/me/language", {"csrf": browser.csrf("/dashboard"), "language": "id", "back": "/dashboard"})


def say(loket, phone, text):
    result = loket.text(phone, text)
    assert result.returncode == 0, result.stderr
    return result.stdout


def conversation(browser, phone):
    status, _, html = browser.get("/inbox/" + quote(phone, safe=""))
    assert status == 200
    return html


def test_every_intent_the_reader_knows_has_a_label_in_both_languages():
    assert set(understand.INTENTS) | {"info"} == set(INTENT_LABELS)
    assert intent_label("book", "id") == "booking" and intent_label("hours", "id") == "jam buka"
    assert intent_label("hours", "en") == "opening hours"


def test_a_text_loket_did_not_understand_is_taught_and_the_next_customer_gets_the_answer(spa):
    staff = spa.staff
    in_indonesian(staff)
    first = say(spa, "+6281230000001", "kak hari minggu pada masuk?")
    assert "buka" not in first.lower()  # not understood: it waits for staff
    html = conversation(staff, "+6281230000001")
    assert "tidak dipahami" in html
    message_id = re.search(r'name="message" value="(\d+)"', html).group(1)
    status, _, html = staff.post("/inbox/%2B6281230000001/teach",
                                 {"csrf": staff.csrf("/inbox"), "message": message_id, "intent": "hours"})
    assert status == 200 and "Dipelajari" in html
    # Another customer, the same words written their own way: the opening hours.
    the_worker_rereads()
    reply = say(spa, "+6281230000002", "Kak, hari Minggu pada masuk??")
    assert "buka" in reply.lower(), reply
    html = conversation(staff, "+6281230000002")
    assert "dipahami: jam buka" in html and "diajarkan" in html
    status, _, audit = staff.get("/settings/audit")
    assert "kata baru diajarkan" in audit  # the audit log's action, in the owner's words


def test_the_conversation_says_what_a_text_was_understood_as(spa):
    staff = spa.staff
    in_indonesian(staff)
    say(spa, "+6281230000003", "berapa harga pijat bayi?")
    html = conversation(staff, "+6281230000003")
    assert re.search(r"dipahami: harga · Pijat bayi", html, re.IGNORECASE), html
    staff.post("/me/language", {"csrf": staff.csrf("/dashboard"), "language": "en", "back": "/dashboard"})
    assert re.search(r"understood: price · Pijat bayi", conversation(staff, "+6281230000003"), re.IGNORECASE)
    # The page's live update carries it too.
    status, _, body = staff.get("/inbox/%2B6281230000003/since?after=0")
    assert status == 200 and re.search(r'"understood": "understood: price', body, re.IGNORECASE)


def test_teaching_refuses_nonsense_plainly(spa):
    staff = spa.staff
    say(spa, "+6281230000004", "😀😀")
    html = conversation(staff, "+6281230000004")
    message_id = re.search(r'name="message" value="(\d+)"', html).group(1)
    csrf = staff.csrf("/inbox")
    status, _, html = staff.post("/inbox/%2B6281230000004/teach", {"csrf": csrf, "message": message_id,
                                                                    "intent": "hours"})
    assert status == 400 and ("no words" in html or "tidak punya kata" in html)
    status, _, _ = staff.post("/inbox/%2B6281230000004/teach", {"csrf": csrf, "message": message_id,
                                                                 "intent": "rm -rf"})
    assert status == 400
    status, _, _ = staff.post("/inbox/%2B6281230000001/teach", {"csrf": csrf, "message": message_id,
                                                                 "intent": "hours"})
    assert status == 404  # a text of another conversation


def add_answer(staff, **fields):
    form = {"csrf": staff.csrf("/settings/answers"), "keyword": "REKENING", "phrases": "nomor rekening",
            "reply_id": "Transfer ke BCA 123 a.n. Spa Bunda", "reply_en": "Pay to BCA 123, Spa Bunda", **fields}
    return staff.post("/settings/answers", form)


def test_a_staff_made_answer_answers_its_keyword_and_its_phrases_in_the_customers_language(spa):
    staff = spa.staff
    in_indonesian(staff)  # (the module's staff member; another test left her in English)
    status, _, html = add_answer(staff)
    assert status == 200 and "REKENING" in html and "nomor rekening" in html
    the_worker_rereads()
    assert "Transfer ke BCA 123" in say(spa, "+6281230000010", "REKENING")
    assert "Transfer ke BCA 123" in say(spa, "+6281230000011", "kak nomor rekeningnya berapa?")
    # Switched off, it answers no more; switched on again, it does.
    answer_id = re.search(r"/settings/answers\?edit=(\d+)", staff.get("/settings/answers")[2]).group(1)
    staff.post("/settings/answers/act", {"csrf": staff.csrf("/settings/answers"), "id": answer_id, "action": "off"})
    the_worker_rereads()
    assert "BCA 123" not in say(spa, "+6281230000012", "kak nomor rekeningnya berapa?")
    staff.post("/settings/answers/act", {"csrf": staff.csrf("/settings/answers"), "id": answer_id, "action": "on"})
    the_worker_rereads()
    assert "BCA 123" in say(spa, "+6281230000013", "nomor rekening?")
    assert translate("answer changed", "id") in staff.get("/settings/audit")[2]  # the staff read Indonesian
    # Deleting takes two steps (off, then delete), so no tap loses an answer by mistake.
    assert 'value="delete"' not in staff.get("/settings/answers")[2]
    csrf = staff.csrf("/settings/answers")
    staff.post("/settings/answers/act", {"csrf": csrf, "id": answer_id, "action": "off"})
    status, _, html = staff.post("/settings/answers/act", {"csrf": csrf, "id": answer_id, "action": "delete"})
    assert status == 200 and "REKENING" not in html.split('id="answer-form"')[0]


@pytest.mark.parametrize("fields, error", [
    ({"keyword": "BATAL"}, "built in"),
    ({"keyword": "INFO"}, "built in"),
    ({"keyword": "NO REK"}, "one word"),
    ({"keyword": "<b>"}, "one word"),
    ({"keyword": "TARIF", "reply_en": ""}, "in English"),
    ({"keyword": "TARIF", "reply_id": "x" * 321}, "at most 320"),
    ({"keyword": "TARIF", "phrases": "a" * 61}, "at most 60"),
])
def test_a_staff_made_answer_is_checked_and_nothing_typed_is_lost(spa, fields, error):
    staff = spa.staff
    staff.post("/me/language", {"csrf": staff.csrf("/dashboard"), "language": "en", "back": "/dashboard"})
    status, _, html = add_answer(staff, **fields)
    assert status == 400 and error in html, html
    typed = {"reply_id": "Transfer ke BCA 123", "reply_en": "Pay to BCA 123", **fields}
    assert typed["reply_id"] in html and typed["reply_en"] in html  # what was typed is still in the form


def test_the_inbox_shows_the_customers_words_and_finds_them_by_name_number_and_text(spa):
    staff = spa.staff
    say(spa, "+6281230000020", "apakah ada parkir motor di depan?")
    status, _, html = staff.get("/inbox")
    row = re.search(r'href="/inbox/%2B6281230000020".*?</a>', html, re.S).group(0)
    assert "parkir motor" in row  # the customer's text, not our answer to it
    for words in ("parkir motor", "081230000020", "+62 812-3000-0020", "6281230000020"):
        status, _, html = staff.get("/inbox?q=" + quote(words))
        assert status == 200 and "/inbox/%2B6281230000020" in html, words
        assert "/inbox/%2B6281230000001" not in html, words
    status, _, html = staff.get("/inbox?q=" + quote("tidak ada yang menulis ini"))
    assert status == 200 and "/inbox/%2B" not in html


def test_operators_texts_stay_out_of_the_customers_inbox_in_their_own_folder(spa):
    staff = spa.staff
    spa.text("TELKOMSEL", "Sisa pulsa Anda Rp 5.000. Isi ulang sekarang!", wait=3)
    from support import wait_until
    assert wait_until(lambda: "TELKOMSEL" in staff.get("/inbox?folder=robot")[2], 20)
    assert "TELKOMSEL" not in staff.get("/inbox")[2]
    assert "TELKOMSEL" in staff.get("/inbox?folder=robot&q=pulsa")[2]


def test_the_inbox_and_its_search_stay_quick_with_many_messages(tmp_path):
    """200,000 messages from 20,000 customers: the inbox, its pages, the
    robots' folder and every kind of search read only what they show."""
    from appliance import db, inbox, migrations
    from appliance import settings as settings_module
    database = db.connect(settings_module.load(env={}, overrides={"data_dir": str(tmp_path)}).db_url)
    migrations.migrate(database)
    phones = [f"+62819{n:08d}" for n in range(20_000)]
    with database.atomic():
        database.cursor().executemany(
            "INSERT INTO customer (phone, name, address, email, consent_reminder, consent_marketing, notes, flag, "
            "points, created_at, contact_name, contact_phone) VALUES (?, ?, '', '', 1, 0, '', '', 0, '2026-01-01', "
            "'', '')",
            [(phone, f"Pelanggan {n}") for n, phone in enumerate(phones)])
        database.cursor().executemany(
            "INSERT INTO message (direction, phone, text, state, created_at, updated_at, folder, category, priority, "
            "needs_staff, template, incomplete, parts, encoding, modem, lease_owner, attempts, resent_after_crash, "
            "error, understood) VALUES (?, ?, ?, 'handled', '2026-12-01', '2026-12-01', ?, 'transactional', 0, 0, "
            "'', 0, 1, 'gsm7', '', '', 0, 0, '', '')",
            [(("in", "out")[n % 2], phones[(n // 2 * 7919) % len(phones)] if n % 997 else "TELKOMSEL",
              f"pesan nomor {n}", "" if n % 997 else "robot") for n in range(200_000)])
    checks = {
        "inbox": lambda: inbox.conversations(),
        "page 20": lambda: inbox.conversations(offset=950),
        "robots": lambda: inbox.conversations(folder="robot"),
        "text": lambda: inbox.search("nomor 199998"),
        "number": lambda: inbox.search("0819000123"),
        "name": lambda: inbox.search("Pelanggan 4242"),
    }
    for name, check in checks.items():
        assert check(), name
    quick_beside_a_scan(checks)  # about 20 ms here; a scan of the table takes seconds
    newest = inbox.conversations(limit=1)[0]
    assert newest["last_in"].direction == "in" and newest["last"].direction == "out"
    assert inbox.conversations(folder="robot")[0]["phone"] == "TELKOMSEL"
    database.close()


def test_every_word_of_these_pages_has_its_indonesian():
    from appliance.webui import i18n
    views = i18n.__file__.replace("i18n.py", "views/")
    for name in ("answers.tpl", "inbox.tpl", "conversation.tpl"):
        with open(views + name) as template:
            used = re.findall(r"\bt\('([^']+)'", template.read())
        missing = [text for text in used if not i18n.known(text)]
        assert not missing, f"{name}: {missing}"
