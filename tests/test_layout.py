"""The layout the design card fixes, and the import rules between its parts.

`queue/` is also the name of a standard-library module. These tests prove
the folder never shadows it: from the repo root, under pytest, and in the
built package.
"""

import ast
import subprocess
import sys
import sysconfig
import zipfile

import pytest

from support import REPO

PARTS = {"appliance": REPO / "appliance", "modem": REPO / "modem", "webui": REPO / "webui", "queue": REPO / "queue"}

STDLIB_QUEUE_CHECK = """
import queue, sysconfig, concurrent.futures
assert queue.__file__.startswith(sysconfig.get_paths()["stdlib"]), queue.__file__
with concurrent.futures.ThreadPoolExecutor(1) as pool:
    assert pool.submit(lambda: 41 + 1).result() == 42
import appliance.queue.tasks, appliance.modem.base, appliance.webui.app
print("ok", queue.__file__)
"""


def test_the_four_folders_are_namespace_packages():
    for name, folder in PARTS.items():
        assert folder.is_dir(), name
        assert not (folder / "__init__.py").exists(), f"{name}/__init__.py would shadow or split the import root"


@pytest.mark.parametrize("how", [["-c", STDLIB_QUEUE_CHECK], ["-m", "queue_check"]])
def test_stdlib_queue_wins_from_the_repo_root(how, tmp_path):
    if how[0] == "-m":
        # `python -m` puts the current directory first on sys.path.
        (tmp_path / "queue_check.py").write_text(STDLIB_QUEUE_CHECK)
        env = {"PYTHONPATH": f"{REPO}:{tmp_path}"}
    else:
        env = {"PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, *how], cwd=REPO, capture_output=True, text=True,
                            env={"PATH": "/usr/bin:/bin", **env})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok")


def test_stdlib_queue_wins_under_pytest():
    import concurrent.futures
    import queue

    assert queue.__file__.startswith(sysconfig.get_paths()["stdlib"])
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        assert list(pool.map(abs, [-1, -2])) == [1, 2]


def test_the_built_package_maps_the_folders_into_one_import_root(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(tmp_path), str(REPO)], check=True, capture_output=True)
    wheel = next(tmp_path.glob("loket-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "appliance/queue/tasks.py" in names
    assert "appliance/modem/base.py" in names
    assert "appliance/webui/views/layout.tpl" in names
    assert "appliance/webui/static/loket.css" in names
    assert "appliance/cli/__init__.py" in names  # the entry point appliance.cli:main
    assert "appliance/box/update.py" in names
    assert not any(n.startswith(("queue/", "modem/", "webui/")) for n in names)
    assert not any(n.endswith("queue/__init__.py") for n in names)


def _imports(path):
    """Every absolute module our code imports, as 'appliance.x' names."""
    tree = ast.parse(path.read_text(), str(path))
    package = {"appliance": "appliance", "modem": "appliance.modem", "webui": "appliance.webui",
               "queue": "appliance.queue"}[path.relative_to(REPO).parts[0]]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                found.add(".".join(base + ([node.module] if node.module else [])))
            else:
                found.add(node.module)
    return {name for name in found if name and name.startswith("appliance")}


def _part_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in ("modem", "webui", "queue"):
        return parts[1]
    return "core"


ALLOWED = {
    "modem": {"modem"},
    "core": {"core"},
    "queue": {"core", "modem", "queue"},
    "webui": {"core", "queue", "webui"},
}


def test_imports_follow_the_design_card():
    problems = []
    for name, folder in PARTS.items():
        for path in folder.rglob("*.py"):
            part = {"appliance": "core"}.get(name, name)
            if name == "appliance" and path.relative_to(folder).parts[0] == "cli":
                continue  # the composition root wires everything
            for module in _imports(path):
                if _part_of(module) not in ALLOWED[part]:
                    problems.append(f"{path.relative_to(REPO)} imports {module}")
    assert not problems, "\n".join(problems)


def test_modem_uses_only_the_standard_library_and_its_own_drivers():
    third_party_ok = {"gammu", "serial"}
    for path in PARTS["modem"].rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module.split(".")[0]]
            for top in names:
                assert top in sys.stdlib_module_names or top in third_party_ok, f"{path.name} imports {top}"


def _import_graph(folder, package):
    """Each module of a folder → the modules of that folder it imports. An import
    inside a function counts like one at the top: it closes a cycle just the same,
    only later, when some page happens to run."""
    modules = {}
    for path in folder.rglob("*.py"):
        parts = path.relative_to(folder).with_suffix("").parts
        modules[".".join((package,) + parts[:-1] if parts[-1] == "__init__" else (package,) + parts)] = path
    graph = {}
    for name, path in modules.items():
        here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        graph[name] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = ".".join(here[: len(here) - node.level + 1] + ([node.module] if node.module else [])) \
                    if node.level else node.module
                targets = [base] + [f"{base}.{alias.name}" for alias in node.names]  # `from . import page`
            else:
                continue
            graph[name].update(t for t in targets if t in modules and t != name)
    return graph


def _cycles(graph):
    """The import cycles of a graph, each as the chain of modules that closes it."""
    cycles, state = [], {}

    def visit(module, chain):
        state[module] = "open"
        for target in sorted(graph[module]):
            if state.get(target) == "open":
                cycles.append(chain[chain.index(target):] + [target])
            elif target not in state:
                visit(target, chain + [target])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    return cycles


def test_the_cycle_check_sees_imports_inside_functions(tmp_path):
    (tmp_path / "a.py").write_text("from . import b\n")
    (tmp_path / "b.py").write_text("def later():\n    from .a import thing\n")
    (tmp_path / "c.py").write_text("import shop.a\nfrom shop import b\n")
    assert _cycles(_import_graph(tmp_path, "shop")) == [["shop.a", "shop.b", "shop.a"]]
    (tmp_path / "b.py").write_text("import json\n")
    assert _cycles(_import_graph(tmp_path, "shop")) == []


def test_the_web_ui_has_no_import_cycle():
    # Page modules import web.py (Route, the roles, the request helper); only
    # app.py imports the pages, to fill its route table.
    cycles = _cycles(_import_graph(PARTS["webui"], "appliance.webui"))
    assert not cycles, "import cycles in webui/:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_the_core_has_no_import_cycle():
    # Domain modules speak SMS through conversation.py, never through the
    # dispatcher; services.load() is the only place that imports every SMS
    # side, and nothing in the core imports services.
    cycles = _cycles(_import_graph(PARTS["appliance"], "appliance"))
    assert not cycles, "import cycles in appliance/:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_the_route_table_is_read_in_one_place():
    makers = sorted(path.name for path in PARTS["webui"].glob("*.py")
                    for node in ast.walk(ast.parse(path.read_text()))
                    if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Route")
    assert set(makers) == {"app.py"}, makers


# Each of these is one dense, table-driven thing a reader wants in one place:
# split, its halves would only make sense read together.
LONG_ON_PURPOSE = {
    "modem/pdu.py": "the PDU codec: the three TPDU types, both alphabets, concatenation",
    "modem/atparse.py": "the AT parser: one parser per reply, each leniency for one real device",
    "modem/atsim.py": "the simulator: every AT command a real modem answers, and its faults",
}
MAX_LINES = 600


def test_no_product_module_is_over_600_lines():
    """A module a newcomer can read in one sitting does one job; past 600
    lines it has grown a second one."""
    too_long = []
    for folder in PARTS.values():
        for path in folder.rglob("*.py"):
            name = str(path.relative_to(REPO))
            if name in LONG_ON_PURPOSE:
                continue
            lines = len(path.read_text().splitlines())
            if lines > MAX_LINES:
                too_long.append(f"{name}: {lines} lines")
    assert not too_long, "split these by role:\n" + "\n".join(too_long)
