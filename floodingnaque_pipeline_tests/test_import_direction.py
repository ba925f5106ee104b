"""Imports point one way (DESIGN.md, "Rule of the house"), read from the source with `ast`.

The parts of the package are its sub-packages and top-level modules. Layers, lowest first:
domain (with locations.py and data/: plain records every layer shares) -> sources (with
landing.py and landing_state.py: reading what arrives from outside) -> db | ml -> alerts |
label_ingest.py | resources -> defs -> definitions.py. A part imports its own layer or lower
ones; db and ml never import each other; the graph has no cycle; only the Dagster wiring
(resources, defs, definitions.py) imports dagster.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import floodingnaque_pipeline

PACKAGE = "floodingnaque_pipeline"
ROOT = Path(floodingnaque_pipeline.__file__).parent
LAYERS: list[set[str]] = [
    {"domain", "locations", "data"},
    {"sources", "landing", "landing_state"},
    {"db", "ml"},
    {"alerts", "label_ingest", "resources"},  # services over db/ml, and the Dagster resources
    {"defs"},
    {"definitions", "instance_init"},  # instance_init: the local instance's first-run setup
]
NEVER = {("db", "ml"), ("ml", "db")}  # same layer, kept apart: the wiring joins them
DAGSTER_PARTS = {"resources", "defs", "definitions", "instance_init"}
TIME_ZONE_HOME = "domain/time.py"

Graph = dict[str, dict[str, list[str]]]  # part -> imported part -> where ("db/x.py:12")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported_modules(path: Path) -> list[tuple[str, int]]:
    """Absolute names of everything `path` imports (relative imports resolved), with lines."""
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found: list[tuple[str, int]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.append((module, node.lineno))
            # `from floodingnaque_pipeline import db` names a part, not an attribute.
            found += [(f"{module}.{alias.name}", node.lineno) for alias in node.names]
    return found


def _part(module: str) -> str | None:
    """The sub-package or top-level module `module` lives in; None outside the package."""
    pieces = module.split(".")
    if pieces[0] != PACKAGE or len(pieces) < 2:
        return None
    name = pieces[1]
    return name if (ROOT / name).is_dir() or (ROOT / f"{name}.py").exists() else None


def _sources() -> list[Path]:
    return sorted(ROOT.rglob("*.py"))


def package_graph() -> Graph:
    graph: Graph = defaultdict(lambda: defaultdict(list))
    for path in _sources():
        own = _part(_module_name(path))
        if own is None:
            continue
        for module, line in _imported_modules(path):
            target = _part(module)
            if target is not None and target != own:
                graph[own][target].append(f"{path.relative_to(ROOT)}:{line}")
    return graph


def graph_text(graph: Graph) -> str:
    """The graph as README text: one line per part, lowest layer first."""
    present = {_part(_module_name(p)) for p in _sources()}
    order = [part for layer in LAYERS for part in sorted(layer) if part in present]
    return "\n".join(
        f"{part:<14} -> {', '.join(sorted(graph.get(part, {}))) or '(nothing)'}" for part in order
    )


def _layer(part: str) -> int:
    return next(i for i, layer in enumerate(LAYERS) if part in layer)


def wrong_direction(graph: Graph) -> list[str]:
    return [
        f"{source} -> {target} ({', '.join(where)})"
        for source, targets in sorted(graph.items())
        for target, where in sorted(targets.items())
        if _layer(target) > _layer(source) or (source, target) in NEVER
    ]


def find_cycle(graph: Graph) -> list[str]:
    """One cycle as [a, b, ..., a], or [] when the graph is acyclic."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, {})):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[node] = 2
        path.pop()
        return []

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return []


def test_every_part_has_a_layer() -> None:
    parts = {_part(_module_name(p)) for p in _sources()} - {None}
    placed = set().union(*LAYERS)
    assert parts <= placed, f"place these in LAYERS: {sorted(parts - placed)}"


def test_imports_point_down_the_layers() -> None:
    graph = package_graph()
    bad = wrong_direction(graph)
    assert not bad, "imports against the layers:\n" + "\n".join(bad) + "\n\n" + graph_text(graph)


def test_package_graph_is_acyclic() -> None:
    graph = package_graph()
    cycle = find_cycle(graph)
    assert not cycle, f"import cycle {' -> '.join(cycle)}\n\n{graph_text(graph)}"


def test_only_the_wiring_imports_dagster() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in _sources()
        if _part(_module_name(path)) not in DAGSTER_PARTS
        for module, line in _imported_modules(path)
        if module.split(".")[0].startswith("dagster")
    ]
    assert not offenders, f"dagster imported below defs/ and resources/: {offenders}"


def test_the_time_zone_is_named_once() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in _sources()
        if path.relative_to(ROOT).as_posix() != TIME_ZONE_HOME
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and node.value == "Asia/Manila"
    ]
    assert not offenders, f"use domain.time.MANILA / MANILA_TZ_NAME instead: {offenders}"


def test_the_checks_catch_what_they_are_for() -> None:
    # The rules above pass on the real code; here each one meets a graph it must reject.
    upward = {"domain": {"db": ["domain/x.py:1"]}}
    sideways = {"ml": {"db": ["ml/x.py:3"]}}
    assert wrong_direction(upward) == ["domain -> db (domain/x.py:1)"]
    assert wrong_direction(sideways) == ["ml -> db (ml/x.py:3)"]
    assert find_cycle({"a": {"b": []}, "b": {"c": []}, "c": {"a": []}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b": []}, "b": {"c": []}}) == []
