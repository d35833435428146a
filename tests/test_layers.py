"""The layers only point down: checked on the import statements of every module."""

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
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


MODULES = {module_name(p): imports_of(p) for folder in ("crawler", "pipelines", "bench")
           for p in sorted((PROJECT / folder).rglob("*.py"))}


def under(name: str, *packages: str) -> bool:
    return any(name == package or name.startswith(package + ".") for package in packages)


def offenders(modules: list[str], forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    found = {m: sorted(i for i in MODULES[m] if under(i, *forbidden)) for m in modules}
    return {m: names for m, names in found.items() if names}


def modules_in(*packages: str) -> list[str]:
    return [m for m in MODULES if under(m, *packages)]


def test_the_map_is_complete():
    assert {"crawler.values", "crawler.items", "crawler.pages", "crawler.state", "pipelines.format.post"} <= set(MODULES)


def test_page_readers_and_values_know_no_framework_and_nothing_above_them():
    readers = [*modules_in("crawler.pages"), "crawler.values", "crawler.items", "crawler.roll", "crawler.coverage",
               "crawler.zhibo", "crawler.drift"]
    assert offenders(readers, ("scrapy", "twisted", "itemadapter", "pipelines", "crawler.spiders",
                               "crawler.state", "crawler.reading", "crawler.mirror")) == {}


def test_the_post_format_is_pure():
    assert offenders(modules_in("pipelines.format"), ("scrapy", "twisted", "itemadapter", "os", "pathlib",
                                                        "crawler.state", "pipelines.export")) == {}


# Commands that render or read posts: the top of the stack, above pipelines.format.
RENDERING_COMMANDS = {"crawler.parse_page", "crawler.export", "crawler.manifest", "crawler.adopt"}


@pytest.mark.parametrize("module", sorted(m for m in MODULES if under(m, "crawler") and m not in RENDERING_COMMANDS))
def test_nothing_in_crawler_imports_pipelines_but_the_rendering_commands(module):
    assert offenders([module], ("pipelines",)) == {}


def test_spiders_import_neither_each_other_nor_pipelines():
    spiders = [m for m in modules_in("crawler.spiders") if m != "crawler.spiders"]
    for spider in spiders:
        others = tuple(s for s in spiders if s != spider)
        assert offenders([spider], (*others, "pipelines")) == {}


def test_the_mirror_stays_off_the_crawl_path():
    outside = [m for m in MODULES if under(m, "crawler", "pipelines") and not under(m, "crawler.mirror")]
    # The demo serves the shipped snapshot itself; it is a command, not part of a crawl.
    assert offenders([m for m in outside if m != "crawler.demo"], ("crawler.mirror",)) == {}


def test_benchmarks_import_nothing_from_the_tests():
    assert offenders(modules_in("bench"), ("tests", "conftest")) == {}
