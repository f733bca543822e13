"""The docs stay true: every command and setting is documented."""

import argparse

from appliance.cli import build_parser
from support import REPO


def _commands(parser, prefix="loket"):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                has_children = any(isinstance(a, argparse._SubParsersAction) for a in sub._actions)
                if has_children:
                    yield from _commands(sub, f"{prefix} {name}")
                else:
                    yield f"{prefix} {name}"


def test_every_command_is_in_the_readme():
    readme = (REPO / "README.md").read_text()
    commands = list(_commands(build_parser()))
    assert len(commands) >= 15
    missing = [c for c in commands if f"`{c}" not in readme]
    assert not missing, f"README.md does not document: {missing}"


def test_the_readme_opens_with_the_two_commands():
    lines = (REPO / "README.md").read_text().splitlines()
    block = lines[lines.index("```sh") + 1: lines.index("```")]
    assert [line.split()[0:2] for line in block] == [["./dev", "run"], ["./dev", "test"]]


def test_ci_runs_the_readme_test_command_and_nothing_else():
    script = [line for line in (REPO / ".ci" / "run").read_text().splitlines()
              if line.strip() and not line.startswith("#")]
    assert script[-1] == "exec ./dev test"


def test_the_architecture_page_names_only_modules_that_exist():
    """docs/architecture.md walks one SMS through the modules: each it names is there."""
    import re
    text = (REPO / "docs" / "architecture.md").read_text()
    named = set(re.findall(r"(?<![\w<>*])((?:[a-z]+/)?[a-z][a-z_]*\.py)\b", text))
    folders = [REPO / f for f in ("appliance", "appliance/cli", "appliance/box", "modem", "queue", "webui", "tests")]
    missing = [name for name in sorted(named)
               if not (REPO / name).exists() and not any((f / name).exists() for f in folders)]
    assert not missing, f"docs/architecture.md names modules that do not exist: {missing}"
    assert len(named) > 25
