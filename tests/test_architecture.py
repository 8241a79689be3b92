"""The layout CONVENTIONS.md describes, checked on the real import graph (grimp reads every
import statement, including those inside functions): no import cycles anywhere in the package,
and no layer importing one above it."""
from __future__ import annotations

import grimp
import pytest

# Bottom to top; a layer may import its own and the layers below it, never one above.
# Platform modules (config, db, slots, migrate, backup) sit beside the layers and import none of them.
LAYERS = ["domain", "models", ("importers", "storage"), "services", "exports", "web", ("cli", "serving")]
PLATFORM = {"config", "db", "slots", "migrate", "backup"}


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("scorecard")


def _area(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _level(area: str) -> int | None:
    for i, layer in enumerate(LAYERS):
        if area == layer or (isinstance(layer, tuple) and area in layer):
            return i
    return None


def _cycles(graph) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(edges[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        top = stack.pop()
                        on_stack.discard(top)
                        component.append(top)
                        if top == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(edges[child])))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def test_no_import_cycles(graph):
    assert _cycles(graph) == []


def test_cycle_finder_finds_a_cycle():
    # the check above must be able to fail: a tiny graph with a -> b -> c -> a
    g = grimp.ImportGraph()
    for a, b in (("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a"), ("p.c", "p.d")):
        g.add_import(importer=a, imported=b)
    assert _cycles(g) == [["p.a", "p.b", "p.c"]]


def test_no_layer_imports_a_layer_above(graph):
    upward = []
    for module in sorted(graph.modules):
        mine = _level(_area(module))
        for imported in graph.find_modules_directly_imported_by(module):
            theirs = _level(_area(imported))
            if mine is not None and theirs is not None and theirs > mine:
                upward.append(f"{module} -> {imported}")
            if _area(module) in PLATFORM and theirs is not None:
                upward.append(f"{module} -> {imported} (platform module importing a layer)")
    assert upward == []


def test_every_area_is_in_a_layer(graph):
    areas = {_area(m) for m in graph.modules} - {""}
    assert {a for a in areas if _level(a) is None} <= PLATFORM
