"""How Loket reads what customers text: forgiving, but never guessing wildly."""

import pytest

from appliance.keywords import KeywordTable, distance, fold

table = KeywordTable()


@pytest.mark.parametrize("text, keyword", [
    # easy
    ("HELP", "HELP"), ("help", "HELP"), ("BANTUAN", "HELP"), ("STOP", "STOP"), ("MULAI", "START"),
    # typical: case, spaces, punctuation, loose opt-outs
    ("  Help  ", "HELP"), ("stop.", "STOP"), ("Stop please", "STOP"), ("STOP!!!", "STOP"),
    ("berhenti", "STOP"), ("tolong berhenti", "STOP"), ("please stop", "STOP"), ("Start", "START"),
    ("antri.", "QUEUE"), ("Poin?", "POINTS"), ("PESAN pijat bayi besok", "BOOK"),
    # small typos
    ("BOKING", "BOOK"), ("bantuaan", "HELP"), ("berhnti", "STOP"), ("STRAT", "START"),
])
def test_keywords_are_recognised(text, keyword):
    assert table.match(text).keyword == keyword


@pytest.mark.parametrize("text", [
    "halo kak, besok buka?",        # a real question, not a keyword
    "x" * 1000,                     # extreme length
    "😀🙏",                          # only emoji
    "stopwatch dijual?",            # a word that merely starts like a keyword
    "pa",                           # too short to guess
])
def test_other_texts_are_unknown(text):
    match = table.match(text)
    assert match.keyword is None
    assert match.kind == "unknown"


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_texts(text):
    assert table.match(text).kind == "empty"


def test_a_long_question_mentioning_stop_is_not_an_opt_out():
    # Only short texts count "stop" anywhere; a sentence about it is for staff.
    assert table.match("kenapa bus tidak stop di depan toko anda kemarin sore").keyword is None


def test_the_words_after_the_keyword_are_kept_as_written():
    match = table.match("PESAN  Pijat Bayi,  besok jam 10")
    assert match.args == "Pijat Bayi, besok jam 10"


def test_language_comes_from_the_alias():
    assert table.match("bantuan").language == "id"
    assert table.match("help").language == "en"
    assert table.match("stop").language is None  # the same word in both


def test_a_typo_close_to_two_keywords_is_ambiguous():
    custom = KeywordTable({"PAY": {"en": ("payment",)}, "PAYE": {"en": ("paymant",)}})
    match = custom.match("paymbnt")
    assert match.kind == "ambiguous"
    assert set(match.suggestions) == {"PAY", "PAYE"}


def test_keywords_are_data():
    custom = KeywordTable({"HELP": {"id": ("tulung",)}}, enabled={"HELP"})
    assert custom.match("TULUNG").keyword == "HELP"
    assert custom.match("help").keyword is None


def test_disabled_keywords_are_not_matched():
    only = KeywordTable(enabled={"HELP", "STOP", "START"})
    assert only.match("BOOK besok").keyword is None


def test_fold_and_distance():
    assert fold("  Pésan!!  Besok ") == "pesan besok"
    assert distance("boking", "booking") == 1
    assert distance("strat", "start") == 1  # a swap is one edit
    assert distance("abc", "xyzabc", limit=2) == 3
