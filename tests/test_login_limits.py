"""Logins under attack, over real HTTP against `loket web` (waitress).

Each test comes from its own loopback addresses (127.0.0.x), as separate
devices on the shop's LAN would, and uses its own user names, so the
lockouts of one test do not hold another.
"""

import concurrent.futures
import re
import threading
import time

import pytest

from appliance import auth, db, migrations, settings as settings_module
from support import Browserless, rss_mb, start_web, web_pid

PASSWORD = "correct horse battery"
WRONG = "not the password"


@pytest.fixture(scope="module")
def box(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("logins")
    settings = settings_module.load(env={}, overrides={"data_dir": str(data_dir)})
    database = db.connect(settings.db_url)
    migrations.migrate(database)
    for name, role in (("boss", "owner"), ("clerk", "frontdesk"), ("cashier", "frontdesk"), ("runner", "viewer")):
        auth.create_user(name, PASSWORD, role, language="en")
    auth.create_user("therapist", None, "technician", language="en")  # as the demo makes its staff
    with start_web(data_dir, env={"LOKET_DEFAULT_LANGUAGE": "en"}) as url:  # the login page in English
        yield url, data_dir
    database.close()


def attempt(browser: Browserless, name: str, password: str) -> tuple[int, str]:
    """One login; its status and the answer the page gives."""
    token = browser.csrf("/login")
    status, _, html = browser.post("/login", {"csrf": token, "username": name, "password": password})
    error = re.search(r'<p class="error" role="alert">([^<]*)</p>', html)
    return status, error.group(1) if error else ""


def test_a_stranger_cannot_lock_the_owner_out(box):
    url, _ = box
    owners_phone = Browserless(url, source="127.0.0.2")
    assert owners_phone.login("boss", PASSWORD) == 200
    stranger = Browserless(url, source="127.0.0.3")
    for _ in range(6):
        assert attempt(stranger, "boss", WRONG)[0] == 403
    # The name is held for strangers, even with the right password ...
    assert attempt(stranger, "boss", PASSWORD) == (403, "too many failed logins: wait 15 minutes and try again")
    # ... but the owner's own phone, which has logged in as her before, gets in,
    assert owners_phone.login("boss", PASSWORD) == 200
    # and so does a browser she never used, elsewhere on the LAN.
    assert Browserless(url, source="127.0.0.10").login("boss", PASSWORD) == 200
    # So does that phone when it shares the stranger's address (the same Wi-Fi behind one router).
    same_phone_via_the_router = Browserless(url, source="127.0.0.3")
    for cookie in owners_phone.jar:
        same_phone_via_the_router.jar.set_cookie(cookie)
    assert same_phone_via_the_router.login("boss", PASSWORD) == 200


def test_a_name_guessed_from_many_addresses_waits_everywhere_but_on_its_own_devices(box):
    url, _ = box
    auth.create_user("courier", PASSWORD, "viewer")
    own_pc = Browserless(url, source="127.0.0.11")
    assert own_pc.login("courier", PASSWORD) == 200
    for n in range(auth.NAME_SPREAD):
        guesser = Browserless(url, source=f"127.0.2.{n + 1}")
        for _ in range(5):
            assert attempt(guesser, "courier", WRONG) == (403, "wrong user name or password")
    assert attempt(Browserless(url, source="127.0.0.12"), "courier", PASSWORD)[1].startswith("too many failed")
    assert own_pc.login("courier", PASSWORD) == 200


def test_a_device_cookie_is_no_licence_to_guess(box):
    url, _ = box
    phone = Browserless(url, source="127.0.0.4")
    assert phone.login("cashier", PASSWORD) == 200
    for _ in range(5):
        assert attempt(phone, "cashier", WRONG)[0] == 403
    assert attempt(phone, "cashier", PASSWORD) == (403, "too many failed logins: wait 15 minutes and try again")


def test_the_answers_do_not_tell_which_names_exist(box):
    url, _ = box
    browser = Browserless(url, source="127.0.0.5")
    answers = {name: [attempt(browser, name, WRONG) for _ in range(7)] for name in ("clerk", "no-such-clerk")}
    assert answers["clerk"] == answers["no-such-clerk"]
    assert answers["clerk"][0] == (403, "wrong user name or password")
    assert answers["clerk"][-1] == (403, "too many failed logins: wait 15 minutes and try again")


def test_a_login_made_without_a_password_opens_to_none_until_one_is_set(box):
    url, _ = box
    browser = Browserless(url, source="127.0.0.12")
    for tried in ("", "!", auth.NO_PASSWORD, PASSWORD, "therapist"):
        assert attempt(browser, "therapist", tried) == (403, "wrong user name or password")
    started = time.perf_counter()
    attempt(Browserless(url, source="127.0.0.13"), "therapist", WRONG)
    took = time.perf_counter() - started
    started = time.perf_counter()
    attempt(Browserless(url, source="127.0.0.14"), "no-such-therapist", WRONG)
    assert took >= 0.5 * (time.perf_counter() - started), "as long as a real check: the name is not told apart"
    user = auth.find_user("therapist")
    user.password_hash = auth.hash_password(PASSWORD)  # the owner's "new password" on the Users page
    user.save()
    assert Browserless(url, source="127.0.0.15").login("therapist", PASSWORD) == 200


def test_one_address_trying_many_names_waits(box):
    url, _ = box
    guesser = Browserless(url, source="127.0.0.6")
    for n in range(auth.ADDRESS_ATTEMPTS):
        assert attempt(guesser, f"guess{n}", WRONG) == (403, "wrong user name or password")
    # Every name is held for that address now, a real one with its right password too ...
    assert attempt(Browserless(url, source="127.0.0.6"), "runner", PASSWORD)[1].startswith("too many failed logins")
    # ... and not for the rest of the shop.
    assert Browserless(url, source="127.0.0.7").login("runner", PASSWORD) == 200


@pytest.mark.parametrize("name", ["%", "v%", "_unner", "runne_", "%%%"])
def test_a_user_name_is_a_name_not_a_pattern(box, name):
    url, _ = box
    status, error = attempt(Browserless(url, source="127.0.0.8"), name, PASSWORD)
    assert (status, error) == (403, "wrong user name or password")


def test_a_user_name_matches_whatever_its_case(box):
    url, _ = box
    assert Browserless(url, source="127.0.0.9").login("RUNNER", PASSWORD) == 200
    auth.create_user("admin2", PASSWORD, "admin")
    assert auth.create_user("admin_", PASSWORD, "admin").username == "admin_"  # not taken by admin2
    with pytest.raises(auth.AuthError, match="already exists"):
        auth.create_user("ADMIN2", PASSWORD, "admin")


def test_many_logins_at_once_keep_the_web_small_and_answering(box):
    url, data_dir = box
    pid = web_pid(data_dir)
    start, peak, done = rss_mb(pid), [0.0], threading.Event()

    def watch():
        while not done.is_set():
            peak[0] = max(peak[0], rss_mb(pid))
            time.sleep(0.02)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with concurrent.futures.ThreadPoolExecutor(20) as pool:
            answers = list(pool.map(lambda n: attempt(Browserless(url, source=f"127.0.1.{n % 20 + 1}"),
                                                      "runner", PASSWORD), range(60)))
    finally:
        done.set()
        watcher.join()
    # Every answer is a login or "try again in a few seconds"; never an error page.
    assert {status for status, _ in answers} <= {200, 503} and any(status == 200 for status, _ in answers)
    assert all(status != 503 or "try again in a few seconds" in error for status, error in answers)
    # One 64 MiB password hash at a time (four at once took the process from 40 to 300 MB).
    assert peak[0] - start < 150, f"{start:.0f} MB -> {peak[0]:.0f} MB"
