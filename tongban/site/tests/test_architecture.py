"""The shape of the code a newcomer relies on (docs/architecture.md, "Layers"):
import-linter's contracts hold, no module takes part in an import cycle (imports
inside functions count; ``if TYPE_CHECKING:`` ones do not), and no module but the
data-only ones grows past ~800 lines."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "tongban"

# Tables of literals, not code: the demo catalogue of ~60 service items.
DATA_ONLY = {"tongban/catalog/demo.py"}
MAX_LINES = 800


def _running_code(module: str) -> bool:
    return ".tests" not in module and not module.endswith(".testing")


def test_the_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(lint), "--config", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    modules = sorted(m for m in graph.modules if _running_code(m))
    edges = {
        m: sorted(t for t in graph.find_modules_directly_imported_by(m) if _running_code(t))
        for m in modules
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(start: str) -> None:
        # Iterative, so a long chain of imports cannot exhaust the recursion limit.
        work = [(start, iter(edges[start]))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, targets = work[-1]
            for target in targets:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(edges[target])))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))

    for module in modules:
        if module not in index:
            visit(module)
    return found


def test_no_module_takes_part_in_an_import_cycle():
    graph = grimp.build_graph("tongban", exclude_type_checking_imports=True)
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_package_importing_its_own_importer():
    # The check above must be able to fail: a package's __init__ and a submodule
    # importing each other is the cycle a split into a package most easily makes.
    graph = grimp.ImportGraph()
    for module in ("demo", "demo.a", "demo.b"):
        graph.add_module(module)
    graph.add_import(importer="demo", imported="demo.a")
    graph.add_import(importer="demo.a", imported="demo.b")
    graph.add_import(importer="demo.b", imported="demo")
    assert _cycles(graph) == [["demo", "demo.a", "demo.b"]]


def test_no_module_but_data_grows_past_800_lines():
    long = {}
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if "/migrations/" in relative or "/tests/" in relative or relative in DATA_ONLY:
            continue
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_LINES:
            long[relative] = lines
    assert long == {}
