"""The catalogs are compiled at build: every wheel (the image's, an update
bundle's) carries `.mo` files made from the `.po` files in the repo."""

import importlib.util
import os

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithCatalogs(build_py):
    def run(self):
        super().run()
        spec = importlib.util.spec_from_file_location("loket_i18n", os.path.join("webui", "i18n.py"))
        i18n = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(i18n)
        for language in i18n.LANGUAGES:
            target = os.path.join(self.build_lib, "appliance", "webui", "locale", language, "LC_MESSAGES")
            os.makedirs(target, exist_ok=True)
            with open(os.path.join(target, i18n.DOMAIN + ".mo"), "wb") as compiled:
                compiled.write(i18n.compile_po(i18n.catalog_path(language)))


setup(cmdclass={"build_py": BuildWithCatalogs})
