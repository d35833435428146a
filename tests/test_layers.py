"""The layers only point down: checked on the import statements of every module (lazy ones too).

The rooms, from the bottom up, and what each may import (docs/architecture.md explains them):
the vocabulary (``crawler.items``, ``crawler.values``); what Sina is (``crawler.sina``); where truth
is kept (``crawler.store``); the pure post format (``pipelines.format``); Scrapy plumbing
(``crawler.distributed``, ``crawler.plumbing``, ``crawler.spiders``); beside each other, the item
pipelines (with what commands do to posts) and what the other commands do (``crawler.ops``, which
imports no ``pipelines``); and on top the commands people type (``crawler.<command>``, and the
mirror, which serves saved sites and never sits on a crawl's path).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]


def module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.level == 0, f"{path}: relative import"
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


MODULES = {module_name(p): imports_of(p) for folder in ("crawler", "pipelines", "bench")
           for p in sorted((PROJECT / folder).rglob("*.py"))}
PROJECT_MODULES = {m for m in MODULES if not m.startswith("bench")}


def under(name: str, *packages: str) -> bool:
    return any(name == package or name.startswith(package + ".") for package in packages)


ROOMS = {  # room: the packages or modules that make it up
    "settings": ("crawler.settings",),
    "vocabulary": ("crawler.items", "crawler.values"),
    "sina": ("crawler.sina",),
    "store": ("crawler.store",),
    "format": ("pipelines.format",),
    "distributed": ("crawler.distributed",),
    "plumbing": ("crawler.plumbing",),
    "spiders": ("crawler.spiders",),
    "pipelines": ("pipelines",),
    "ops": ("crawler.ops",),
    "mirror": ("crawler.mirror",),
    "commands": ("crawler",),
}
BELOW = {  # room: the rooms it may import, itself included
    "settings": {"settings"},
    "vocabulary": {"vocabulary"},
    "sina": {"vocabulary", "sina"},
    "store": {"vocabulary", "store"},
    "format": {"vocabulary", "format"},
    "distributed": {"vocabulary", "sina", "store", "distributed"},
    "plumbing": {"vocabulary", "sina", "store", "distributed", "plumbing"},
    "spiders": {"vocabulary", "sina", "store", "plumbing", "distributed", "spiders"},
    "pipelines": {"vocabulary", "sina", "store", "plumbing", "format", "pipelines"},
    "ops": {"vocabulary", "sina", "store", "plumbing", "distributed", "ops"},  # below the commands: no pipelines
    "mirror": {"vocabulary", "sina", "store", "mirror"},  # store: the WARC archive it can serve
    "commands": set(ROOMS),
}


def room_of(module: str) -> str:
    """The most specific room a project module belongs to (``crawler.cron`` -> commands)."""
    matches = [(len(package), room) for room, packages in ROOMS.items() for package in packages
               if under(module, package)]
    return max(matches)[1]


def project_imports(module: str) -> set[str]:
    """The project modules that ``module`` imports (``from a.b import c`` counts as a.b, or a.b.c if a module)."""
    found = set()
    for name in MODULES[module]:
        if under(name, "crawler", "pipelines"):
            found.add(name if name in PROJECT_MODULES else name.rsplit(".", 1)[0])
    return {name for name in found if name in PROJECT_MODULES and name != module}


def test_every_module_has_a_room_and_the_map_is_complete():
    assert {"crawler.values", "crawler.items", "crawler.sina.pages", "crawler.store.state", "pipelines.format.post",
            "crawler.cron", "crawler.ops.cron", "crawler.plumbing.workers"} <= PROJECT_MODULES
    assert room_of("crawler.cron") == "commands" and room_of("crawler.sina.pages.fields") == "sina"
    assert room_of("pipelines.format.post") == "format" and room_of("pipelines.export") == "pipelines"


GRAPH = {module: project_imports(module) for module in PROJECT_MODULES}


def upward(module: str, graph: dict[str, set[str]]) -> list[str]:
    return sorted(f"{name} ({room_of(name)})" for name in graph[module] if room_of(name) not in BELOW[room_of(module)])


def circles_in(graph: dict[str, set[str]]) -> list[list[str]]:
    circles = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for name in sorted(graph[module]):
            if state.get(name) == 1:
                circles.append([*path[path.index(name):], name])
            elif name not in state:
                visit(name, [*path, name])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    # A package's __init__ that re-exports its own submodules is not a circle of the design.
    return [c for c in circles if not all(under(m, c[0]) or under(c[0], m) for m in c)]


@pytest.mark.parametrize("module", sorted(PROJECT_MODULES))
def test_each_module_imports_only_its_own_room_and_the_rooms_below(module):
    assert upward(module, GRAPH) == [], f"{module} ({room_of(module)}) imports upward"


def test_there_is_no_import_circle():
    assert circles_in(GRAPH) == []


def offenders(modules: list[str], forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    found = {m: sorted(i for i in MODULES[m] if under(i, *forbidden)) for m in modules}
    return {m: names for m, names in found.items() if names}


def modules_in(*packages: str) -> list[str]:
    return [m for m in MODULES if under(m, *packages)]


def test_what_knows_sina_knows_no_framework():
    assert offenders([*modules_in("crawler.sina"), "crawler.values", "crawler.items"],
                     ("scrapy", "twisted", "itemadapter")) == {}


def test_the_post_format_is_pure():
    assert offenders(modules_in("pipelines.format"), ("scrapy", "twisted", "itemadapter", "os", "pathlib", "io",
                                                        "shutil", "tempfile", "sqlite3", "redis")) == {}


def test_spiders_import_neither_each_other_nor_pipelines():
    spiders = [m for m in modules_in("crawler.spiders") if m != "crawler.spiders"]
    for spider in spiders:
        others = tuple(s for s in spiders if s != spider)
        assert offenders([spider], (*others, "pipelines")) == {}


def test_the_mirror_stays_off_the_crawl_path():
    outside = [m for m in PROJECT_MODULES if not under(m, "crawler.mirror") and room_of(m) != "commands"]
    assert offenders(outside, ("crawler.mirror",)) == {}


def test_benchmarks_import_nothing_from_the_tests():
    assert offenders(modules_in("bench"), ("tests", "conftest")) == {}


def test_a_layer_break_would_be_caught():
    """The checks above can fail: an upward import and a circle, planted in a copy of the graph."""
    planted = {module: set(names) for module, names in GRAPH.items()}
    planted["crawler.store.state"].add("pipelines.export")
    assert upward("crawler.store.state", planted) == ["pipelines.export (pipelines)"]
    planted["crawler.sina.channels"].add("crawler.sina.zhibo")  # zhibo already reads channels' table reader
    # The circle is reported from whichever of its modules the search reached first.
    assert {("crawler.sina.channels", "crawler.sina.zhibo"), ("crawler.sina.zhibo", "crawler.sina.channels")} & {
        tuple(circle[:2]) for circle in circles_in(planted) if len(circle) == 3}
