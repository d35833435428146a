"""Write the settings table of docs/settings.md from the project's settings module.

    .venv/bin/python docs/make_settings.py            # rewrite the table in docs/settings.md
    .venv/bin/python docs/make_settings.py --check    # exit 1 and print the diff if it is stale

The settings module is the one scrapy.cfg names (``crawler.settings``). Every UPPER_CASE name
assigned at its top level is one row: its value as imported (a path inside the project shown
relative to it) and its meaning, the ``#`` comment lines right above the assignment. A setting
with no comment of its own takes the nearest comment above it, in the same run of lines, that
names it (``STATE_PATH`` under the comment of ``STATE_CLASS``). Scrapy's own settings are marked
as such; a project setting with no comment is an error. ``# --- Name ---``
lines start a section. Only the text between the two markers of docs/settings.md is rewritten.
"""

from __future__ import annotations

import argparse
import ast
import configparser
import difflib
import importlib
import importlib.util
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrapy.settings import default_settings

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "settings.md"
BEGIN = "<!-- BEGIN settings table: written by docs/make_settings.py from the settings module; do not edit -->"
END = "<!-- END settings table -->"
NAME = re.compile(r"[A-Z][A-Z0-9_]*")
SECTION = re.compile(r"#\s*---\s*(.*?)\s*-*\s*$")


@dataclass(frozen=True)
class Setting:
    name: str
    section: str
    value: Any
    meaning: str
    scrapy: bool  # one of Scrapy's own settings, which the project sets


def settings_module() -> str:
    config = configparser.ConfigParser()
    config.read(ROOT / "scrapy.cfg")
    return config["settings"]["default"]


def _comment_above(lines: list[str], lineno: int) -> list[str]:
    """The ``#`` lines right above line ``lineno`` (1-based), section lines excluded."""
    found: list[str] = []
    index = lineno - 2
    while index >= 0 and lines[index].startswith("#") and not SECTION.match(lines[index]):
        found.insert(0, lines[index].lstrip("#").strip())
        index -= 1
    return found


def _comment_naming(lines: list[str], lineno: int, name: str) -> list[str]:
    """The nearest comment above line ``lineno``, in its run of non-blank lines, that names ``name``."""
    index = lineno - 2
    while index >= 0 and lines[index].strip() and not SECTION.match(lines[index]):
        if lines[index].startswith("#"):
            comment = _comment_above(lines, index + 2)
            if re.search(rf"\b{name}\b", " ".join(comment)):
                return comment
        index -= 1
    return []


def read_settings() -> list[Setting]:
    module_name = settings_module()
    spec = importlib.util.find_spec(module_name)
    if spec is None or spec.origin is None:
        raise SystemExit(f"settings module {module_name} not found")
    source = Path(spec.origin).read_text(encoding="utf-8")
    lines = source.splitlines()
    module = importlib.import_module(module_name)
    found: list[Setting] = []
    section = "Scrapy project"
    sections = {index + 1: m.group(1) for index, line in enumerate(lines) if (m := SECTION.match(line))}
    for statement in ast.parse(source).body:
        targets = statement.targets if isinstance(statement, ast.Assign) else (
            [statement.target] if isinstance(statement, ast.AnnAssign) else [])
        for target in targets:
            if not (isinstance(target, ast.Name) and NAME.fullmatch(target.id)):
                continue
            section = next((sections[n] for n in sorted(sections, reverse=True) if n < statement.lineno), section)
            comment = _comment_above(lines, statement.lineno) or _comment_naming(lines, statement.lineno, target.id)
            scrapy = hasattr(default_settings, target.id)
            if not comment and not scrapy:
                raise SystemExit(f"{module_name}: {target.id} has no comment: say what it is for in a # line above it")
            found.append(Setting(target.id, section, getattr(module, target.id), " ".join(comment), scrapy))
    return found


def show(value: Any) -> str:
    """A value as the table shows it: a Python literal, a path inside the project made relative."""
    if isinstance(value, str) and Path(value).is_absolute() and Path(value).resolve().is_relative_to(ROOT):
        return f"`{Path(value).resolve().relative_to(ROOT).as_posix()}`"
    if isinstance(value, dict):
        return "<br>".join(f"`{key}: {item!r}`" for key, item in value.items()) or "`{}`"
    return f"`{value!r}`"


def _text(comment: str) -> str:
    return (comment.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("*", "\\*").replace("|", "\\|"))


def table(settings: list[Setting]) -> str:
    out: list[str] = []
    section = None
    for setting in settings:
        if setting.section != section:
            section = setting.section
            out += ["", f"### {section}", "", "| setting | default | meaning |", "|---|---|---|"]
        meaning = _text(setting.meaning)
        if setting.scrapy:
            meaning = f"{meaning} (Scrapy's setting)" if meaning else "Scrapy's setting"
        out.append(f"| `{setting.name}` | {show(setting.value)} | {meaning} |")
    return "\n".join([BEGIN, *out, "", END])


def rewritten(document: str, settings: list[Setting]) -> str:
    start, end = document.index(BEGIN), document.index(END) + len(END)
    return document[:start] + table(settings) + document[end:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the settings table of docs/settings.md.")
    parser.add_argument("--check", action="store_true", help="only say whether the table is up to date (exit 1 if not)")
    options = parser.parse_args(argv)
    document = DOC.read_text(encoding="utf-8")
    new = rewritten(document, read_settings())
    if new == document:
        return 0
    if options.check:
        sys.stdout.writelines(difflib.unified_diff(document.splitlines(True), new.splitlines(True),
                                                   "docs/settings.md", "from the settings module"))
        return 1
    DOC.write_text(new, encoding="utf-8")
    print("docs/settings.md: settings table rewritten")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
