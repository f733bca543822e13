"""The catalogs' build tool: find every string the UI shows, keep the `.po`
files in step, compile them. `./dev i18n` runs `extract` then `compile`;
the tests run `missing()`.

Where strings come from: templates (`t('...')`, `t("...")`), page and
domain code (`t(...)`, `web.t(...)`, `N_(...)`), through Babel's own
Python extractor for `.py` files.
"""

from __future__ import annotations

import glob
import os
import re
import sys

from .i18n import LANGUAGES, LOCALE_DIR, N_, catalog_path, compile_all  # noqa: F401  (N_ for readers)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOTS = [HERE, os.path.join(HERE, "..", "appliance")]
# web.refuse(status, "...") shows its second argument; a flash is marked with N_().
KEYWORDS = {"t": None, "N_": None, "say": None, "refuse": (2,)}
_TEMPLATE_CALL = re.compile(r"""\bt\(\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*[,)]""")


def template_strings(text: str) -> list[str]:
    found = []
    for single, double in _TEMPLATE_CALL.findall(text):
        raw = single or double
        found.append(raw.encode().decode("unicode_escape") if "\\" in raw else raw)
    return found


def python_strings(path: str) -> list[str]:
    from babel.messages.extract import extract_python
    with open(path, "rb") as source:
        found = []
        for _line, _func, message, _comments in extract_python(source, KEYWORDS, [], {}):
            if isinstance(message, tuple):
                message = message[0]
            if isinstance(message, str) and message:
                found.append(message)
        return found


def used() -> dict[str, str]:
    """Every string the UI may show -> the first file that uses it."""
    strings: dict[str, str] = {}
    for path in sorted(glob.glob(os.path.join(HERE, "views", "*.tpl"))):
        with open(path, encoding="utf-8") as template:
            for text in template_strings(template.read()):
                strings.setdefault(text, os.path.relpath(path, HERE))
    for root in ROOTS:
        for path in sorted(glob.glob(os.path.join(root, "**", "*.py"), recursive=True)):
            for text in python_strings(path):
                strings.setdefault(text, os.path.relpath(path, HERE))
    return strings


def _read(language: str):
    from babel.messages.pofile import read_po
    with open(catalog_path(language), "rb") as source:
        return read_po(source)


def missing(language: str = "id") -> dict[str, str]:
    """Strings the code uses that the catalog lacks or leaves untranslated."""
    catalog = _read(language)
    return {text: where for text, where in used().items()
            if catalog.get(text) is None or not catalog.get(text).string}


def duplicates(language: str) -> list[str]:
    """msgids written twice (a union merge of two branches can do that)."""
    with open(catalog_path(language), encoding="utf-8") as po:
        ids = re.findall(r'^msgid "(.+)"$', po.read(), re.M)
    return sorted({i for i in ids if ids.count(i) > 1})


def extract() -> dict[str, int]:
    """Append what the code uses and the catalogs lack: English copies itself,
    Indonesian stays empty (and the tests fail) until someone translates it."""
    added = {}
    strings = used()
    for language in LANGUAGES:
        catalog = _read(language)
        new = [text for text in strings if catalog.get(text) is None]
        with open(catalog_path(language), "a", encoding="utf-8") as po:
            for text in new:
                po.write(f"\n#: {strings[text]}\nmsgid {_quote(text)}\nmsgstr {_quote(text if language == 'en' else '')}\n")
        added[language] = len(new)
    return added


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "extract":
        for language, count in extract().items():
            print(f"{language}: {count} new string(s) in {os.path.relpath(catalog_path(language))}")
        command = "check"
    if command == "compile":
        for path in compile_all():
            print(f"compiled {os.path.relpath(path)}")
        return 0
    gaps = missing("id")
    for text, where in sorted(gaps.items(), key=lambda item: item[1]):
        print(f"untranslated ({where}): {text}")
    return 1 if gaps else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
