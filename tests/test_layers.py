"""The layers of the code base: arrows point down only, and no import circles.

Read from the source with :mod:`ast` (every import counts: module level, inside functions and under
``TYPE_CHECKING``), so a backward arrow fails here before a reader meets it::

    newsarchive (CLI, demo, jobs, orchestration)     dags/ (wiring of newsarchive.orchestration)
    crawler (Scrapy)  ·  history (web archives)
    ingest
    extract  ·  archive
    core

``outlet_server`` (the demo outlet), ``loopback_servers`` (real servers on 127.0.0.1 for the tests and
``bench``) and ``bench`` stand beside the layers: production code never imports ``tests`` or ``bench``. There is no list of exceptions.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: Bottom to top; a package may import packages of its own layer's index or lower, and its own modules.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("core",),
    ("extract", "archive"),
    ("ingest",),
    ("crawler", "history"),
    ("newsarchive", "outlet_server", "loopback_servers"),
    ("dags", "bench"),
)
LEVEL = {package: level for level, packages in enumerate(LAYERS) for package in packages}
#: Packages of the same layer that may not import each other (siblings, not a stack).
SIBLINGS = (("extract", "archive"), ("crawler", "history"))
#: Third-party frameworks and the only packages allowed to import them.
FRAMEWORKS = {
    "scrapy": {"crawler", "bench"},
    "twisted": {"crawler", "bench"},
    "airflow": {"newsarchive", "dags"},
}

def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, absolute, at any depth of the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module = _module_name(path)
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def _sources() -> dict[str, Path]:
    sources = {}
    for package in LEVEL:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "results" not in path.parts:
                sources[_module_name(path)] = path
    return sources


SOURCES = _sources()
IMPORTS = {module: _imports(path) for module, path in SOURCES.items()}


def _existing(name: str) -> str | None:
    """The project module ``name`` refers to (``pkg.mod.Name`` -> ``pkg.mod``), or None for a third party."""
    while name:
        if name in SOURCES:
            return name
        name = name.rpartition(".")[0]
    return None


def test_the_sources_were_found() -> None:
    assert {"core.settings", "crawler.spiders.news", "newsarchive.cli", "ingest.tally"} <= set(SOURCES)


def test_arrows_point_down_only() -> None:
    wrong = []
    for module, imported in IMPORTS.items():
        top = module.split(".")[0]
        for name in imported:
            other = name.split(".")[0]
            if other == "tests" and top != "tests":
                wrong.append(f"{module} imports {name} (tests are never imported by the code)")
            elif other in LEVEL and other != top and (
                LEVEL[other] > LEVEL[top] or (top, other) in SIBLINGS or (other, top) in SIBLINGS
            ):
                wrong.append(f"{module} imports {name}")
    assert not wrong, "imports against the layers:\n" + "\n".join(sorted(set(wrong)))


@pytest.mark.parametrize("framework", sorted(FRAMEWORKS))
def test_frameworks_stay_in_their_layer(framework: str) -> None:
    allowed = FRAMEWORKS[framework]
    wrong = sorted({f"{module} imports {name}" for module, imported in IMPORTS.items() for name in imported
                    if name.split(".")[0] == framework and module.split(".")[0] not in allowed})
    assert not wrong, "\n".join(wrong)


def test_no_import_circles() -> None:
    graph: dict[str, set[str]] = defaultdict(set)
    for module, imported in IMPORTS.items():
        for name in imported:
            target = _existing(name)
            # A module importing its own package's __init__ (which re-exports it) is no circle of logic.
            if target and target != module and not module.startswith(f"{target}."):
                graph[module].add(target)
    circles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                circles.append([*stack[stack.index(nxt):], nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)
    assert not circles, "import circles:\n" + "\n".join(" -> ".join(c) for c in circles)
