"""The design, checked: no import cycles, a core that imports nothing outside itself and never
reads the clock, and a command-line client that loads only what talking to the daemon needs."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "reminder"

#: What the core may import from the standard library: its pure parts.
PURE_STDLIB = {
    "__future__",
    "bisect",
    "collections",
    "collections.abc",
    "dataclasses",
    "datetime",
    "enum",
    "functools",
    "itertools",
    "math",
    "typing",
}
#: Calls that read a clock.
CLOCK_READS = {"now", "today", "utcnow", "time", "monotonic", "perf_counter", "clock_gettime"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, ast.Module]:
    return {
        module_name(path): ast.parse(path.read_text(), str(path))
        for path in sorted(PACKAGE.rglob("*.py"))
    }


def _skip_type_checking(tree: ast.AST) -> list[ast.AST]:
    """Every node, except what sits under ``if TYPE_CHECKING:`` (never imported at run time)."""
    found: list[ast.AST] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            todo += node.orelse
            continue
        found.append(node)
        todo += list(ast.iter_child_nodes(node))
    return found


def imports(name: str, tree: ast.Module, types: bool = False) -> set[str]:
    """Every module ``name`` imports at run time, at the top or inside a function; with
    ``types``, also those it imports for its type hints alone (``if TYPE_CHECKING:``)."""
    found: set[str] = set()
    package = name if tree_is_package(name) else name.rpartition(".")[0]
    for node in ast.walk(tree) if types else _skip_type_checking(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            found.add(base)
            # "from reminder.core import events": a submodule, when there is one of that name.
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return found


def tree_is_package(name: str) -> bool:
    return (ROOT / Path(*name.split(".")) / "__init__.py").exists()


def graph(types: bool = False) -> dict[str, set[str]]:
    trees = modules()
    return {
        name: {m for m in imports(name, tree, types) if m in trees} for name, tree in trees.items()
    }


@pytest.mark.slow
@pytest.mark.parametrize("types", [False, True], ids=["run time", "type hints too"])
def test_no_import_cycles_lazy_imports_included(types: bool):
    edges = graph(types)
    # A package imports its own modules to run them; its modules importing the package's
    # __init__ back would be a cycle, and is caught like any other.
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in edges[node]:
                cycles.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    assert cycles == [], f"import cycles: {cycles}"


@pytest.mark.slow
def test_the_core_imports_only_itself_and_the_pure_standard_library():
    for name, tree in modules().items():
        if not name.startswith("reminder.core"):
            continue
        for imported in imports(name, tree):
            top = imported.split(".")[0]
            if top == "reminder":
                assert imported.startswith("reminder.core"), f"{name} imports {imported}"
            else:
                prefixes = {".".join(imported.split(".")[:n]) for n in (1, 2)}
                assert prefixes & PURE_STDLIB, f"{name} imports {imported}"


@pytest.mark.slow
def test_the_core_never_reads_a_clock():
    for name, tree in modules().items():
        if not name.startswith("reminder.core"):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                assert node.func.attr not in CLOCK_READS, (
                    f"{name}:{node.lineno} calls .{node.func.attr}()"
                )


@pytest.mark.slow
def test_the_graph_reader_sees_a_cycle_and_a_lazy_import():
    """The checks above would pass on an empty graph: prove the reader finds what it must."""
    tree = ast.parse("def later():\n    from reminder.runtime.daemon import Daemon\n")
    assert "reminder.runtime.daemon" in imports("reminder.words", tree)
    typing_only = ast.parse("if TYPE_CHECKING:\n    from reminder.runtime.daemon import Daemon\n")
    assert "reminder.runtime.daemon" not in imports("reminder.words", typing_only)
    edges = graph()
    assert "reminder.core.sitting" in edges["reminder.runtime.daemon"]


@pytest.mark.slow
def test_the_command_line_client_loads_no_daemon():
    """``psoas status`` (no psoas running) and ``psoas --help`` load the control protocol and
    the command line (and the core's table of commands), not the daemon, the rest of the core,
    the tray, D-Bus or Pillow."""
    script = (
        "import json, sys\n"
        "from reminder.cli.main import main\n"
        "try:\n"
        "    main(sys.argv[1:])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    heavy = (
        "asyncio",
        "jeepney",
        "dbus_fast",
        "PIL",
        "sqlite3",
        "reminder.runtime.app",
        "reminder.runtime.launch",
        "reminder.runtime.daemon",
        "reminder.core",
        "reminder.tray",
        "reminder.idle",
        "reminder.notify",
    )
    for args in (["status"], ["--help"], ["snooze", "5"], ["doctor", "--help"]):
        done = subprocess.run(
            [sys.executable, "-c", script, *args], capture_output=True, text=True, cwd=ROOT
        )
        loaded = json.loads(done.stderr.strip().splitlines()[-1])
        assert "reminder.control.protocol" in loaded or "--help" in args
        # The one table of commands is what both ends of the channel name them by.
        vocabulary = ("reminder.core", "reminder.core.commands")
        unwanted = [m for m in loaded if m.startswith(heavy) and m not in vocabulary]
        assert unwanted == [], (args, unwanted)


@pytest.mark.slow
def test_the_doctor_loads_none_of_what_runs_psoas():
    """``psoas doctor`` opens idle sources, busy signals and the bus as the daemon does, but it
    starts nothing of psoas's own: no daemon, no app, no tray item or menu, no toolkit."""
    script = (
        "import json, sys\n"
        "from reminder.cli.main import main\n"
        "main(['doctor'])\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    loaded = json.loads(done.stderr.strip().splitlines()[-1])
    assert "reminder.doctor.examine" in loaded
    assert "reminder.busy.dnd" in loaded  # it did look: the busy signals were opened
    running = (
        "reminder.runtime.app",
        "reminder.runtime.launch",
        "reminder.runtime.daemon",
        "reminder.history.keeper",
        "reminder.tray.sni",
        "reminder.tray.dbusmenu",
        "reminder.tray.pystray_tray",
        "pystray",
        "gi",
        "PIL",
    )
    assert [m for m in loaded if m.startswith(running)] == []


@pytest.mark.slow
def test_the_daemon_loads_nothing_of_the_settings_page():
    """The tray's Settings… entry starts ``psoas settings`` as another process: the daemon, its
    command line and its tray never load the page, its TOML writer or an HTTP server."""
    script = (
        "import json, sys\n"
        "from reminder.cli.main import build_parser\n"
        "build_parser().parse_args(['run', '--headless'])\n"
        "import reminder.runtime.launch, reminder.runtime.app\n"
        "import reminder.tray.model, reminder.tray.sni_tray\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    loaded = json.loads(done.stderr.strip().splitlines()[-1])
    assert "reminder.tray.model" in loaded
    page = ("reminder.settings", "tomlkit", "http.server", "http.client", "webbrowser")
    assert [m for m in loaded if m.startswith(page)] == []


def test_the_config_names_what_the_registries_hold():
    """The config knows the idle sources and busy signals by name without importing them."""
    from reminder.busy import SIGNALS
    from reminder.config.names import BUSY_SIGNAL_NAMES, IDLE_SOURCE_NAMES
    from reminder.idle import SOURCES

    assert tuple(SOURCES) == IDLE_SOURCE_NAMES
    assert tuple(SIGNALS) == BUSY_SIGNAL_NAMES


#: Each folder's floor, lowest first: a module may import its own floor and the floors below,
#: never one above (and no two modules in a circle, as the test above says).
FLOORS = (
    ("reminder.core",),  # the pure core
    (  # the leaves, the language among them: every floor above says its words through it
        "reminder",
        "reminder.language",
        "reminder.units",
        "reminder.errors",
        "reminder.limits",
        "reminder.paths",
    ),
    ("reminder.system", "reminder.catalogue"),  # what every part stands on
    ("reminder.config",),
    ("reminder.words",),  # what a user reads (of the config too)
    (  # the adapters, each chosen in one place, and the history, pictures and replay
        "reminder.bus",
        "reminder.idle",
        "reminder.busy",
        "reminder.notify",
        "reminder.tray",
        "reminder.control",
        "reminder.history",
        "reminder.pictures",
        "reminder.install",
        "reminder.replay",
    ),
    ("reminder.runtime", "reminder.doctor", "reminder.settings"),  # what puts them together
    ("reminder.cli", "reminder.__main__"),  # the command line
)


def floor_of(module: str) -> int:
    """The floor of a module's folder ("reminder" alone is the package's own __init__)."""
    for level, names in enumerate(FLOORS):
        for name in names:
            if module == name or (name != "reminder" and module.startswith(name + ".")):
                return level
    raise AssertionError(f"{module} is on no floor: add its folder to FLOORS")


@pytest.mark.slow
def test_each_folder_imports_only_its_floor_and_those_below():
    edges = graph()
    upward = [
        f"{name} ({floor_of(name)}) imports {target} ({floor_of(target)})"
        for name, targets in sorted(edges.items())
        for target in sorted(targets)
        if floor_of(target) > floor_of(name)
    ]
    assert upward == []
