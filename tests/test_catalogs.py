"""The UI's words live in gettext catalogs (webui/locale/*/LC_MESSAGES/loket.po),
Indonesian and English, compiled at build."""

import os
import subprocess
import sys

from appliance.webui import catalogs, i18n


def test_every_string_the_code_shows_has_its_indonesian():
    gaps = catalogs.missing("id")
    assert not gaps, "untranslated (run ./dev i18n, then translate):\n" + "\n".join(
        f"  {where}: {text}" for text, where in sorted(gaps.items(), key=lambda item: item[1]))


def test_english_is_complete_too_and_no_string_is_written_twice():
    assert not catalogs.missing("en")
    for language in i18n.LANGUAGES:
        assert not catalogs.duplicates(language), f"{language}: python -m appliance.webui.catalogs dedupe"


def test_the_extractor_finds_strings_in_templates_and_in_python():
    assert catalogs.template_strings("""<b>{{t('Call next')}}</b> {{t("It's {n}").format(n=1)}}""") == [
        "Call next", "It's {n}"]
    used = catalogs.used()
    assert used["Dashboard"] and used["booking"] == "i18n.py"  # a label table marked with N_()
    assert used["Unknown section."] == "shop.py", "web.refuse(400, '...'): its second argument"


def test_a_wheel_carries_compiled_catalogs(tmp_path):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(tmp_path), root], check=True, capture_output=True)
    import zipfile
    wheel = next(tmp_path.glob("loket-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for language in i18n.LANGUAGES:
        assert f"appliance/webui/locale/{language}/LC_MESSAGES/loket.mo" in names


def test_translate_reads_the_catalog_and_falls_back_to_english():
    assert i18n.translate("Dashboard", "id") == "Beranda"
    assert i18n.translate("Dashboard", "en") == "Dashboard"
    assert i18n.translate("A string nobody wrote", "id") == "A string nobody wrote"
    assert i18n.translate("Dashboard", None) == "Dashboard"
