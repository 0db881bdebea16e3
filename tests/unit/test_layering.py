"""The shape of the package: no import cycle among zwizard's modules.

Every import counts, a function's deferred one too (it is a cycle that only hides until
that function runs); imports for the type checker alone (`if TYPE_CHECKING:`) do not."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.helpers import ROOT

PACKAGE = ROOT / "zwizard"


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _type_only(tree: ast.Module) -> set[ast.AST]:
    """The import nodes inside `if TYPE_CHECKING:` blocks."""
    nodes: set[ast.AST] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            nodes.update(n for stmt in node.body for n in ast.walk(stmt))
    return nodes


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text())
        skip = _type_only(tree)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(tree):
            if node in skip:
                continue
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    source = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    source = node.module or ""
                targets = [source, *(f"{source}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            graph[name].update(t for t in targets if t in modules and t != name)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components of more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_module_imports_itself_back():
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


TEXTUAL_PRIVATE = ("._on_key", "._bindings", "._sender", "._button", "._index_to_line",
                   "._heights", "._render_cache", "Strip.render =")  # fmt: skip


def test_textuals_private_parts_are_reached_only_through_compat():
    """tui/compat.py is the one module that touches Textual's internals: a Textual
    release that moves one breaks there, and nowhere else."""
    found = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in (PACKAGE / "tui").rglob("*.py")
        if path.name != "compat.py"
        for n, line in enumerate(path.read_text().splitlines(), start=1)
        if any(name in line for name in TEXTUAL_PRIVATE) and not line.lstrip().startswith("#")
    ]
    assert found == []


# What the front ends (the wizard in tui/, the prompt mode in prompt/) still reach past
# Session at run time, each for its reason (issue 27: they are to take the core through
# Session and presentation helpers). The list may only shrink: a front end that reaches
# one more core module fails here, and one that stops reaching a listed module too, so
# the list is taken down with it.
FRONT_ENDS_REACH = {
    "zwizard": "the package's version and its exit codes",
    "zwizard.session": "the one editor",
    "zwizard.model": "the records a new entry is made of (Disk, Nic, Watchdog ...)",
    "zwizard.structure": "looking a value up by its path",
    "zwizard.questions": "each answers key's question, declared once for both front ends",
    "zwizard.devices": "each kind's declared fields and options, which build both front ends",
    "zwizard.drafts": "saving and resuming a draft",
    "zwizard.rules": "the F1 help's rule list, Secure Execution's notes, greying records",
    "zwizard.lineedit": "the prompt mode's own line reader (TERM=dumb)",
    "zwizard.shown": "printable text for a terminal",
}


def test_the_front_ends_reach_the_core_only_where_listed():
    reached: dict[str, set[str]] = {}
    for name, targets in import_graph().items():
        if name.startswith(("zwizard.tui", "zwizard.prompt")):
            for target in targets:
                if not target.startswith(("zwizard.tui", "zwizard.prompt")):
                    reached.setdefault(target, set()).add(name)
    unlisted = {t: sorted(by) for t, by in reached.items() if t not in FRONT_ENDS_REACH}
    assert unlisted == {}, "reach it through Session, or list it with its reason"
    assert set(FRONT_ENDS_REACH) - set(reached) == set(), "no longer reached: take it off"
