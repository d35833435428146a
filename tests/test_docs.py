"""The documentation against the code: every command shown in README.md and docs/*.md is one the
code accepts, docs/settings.md lists exactly the settings of crawler/settings.py, and every
relative link (and its #anchor) points at a file (and heading) that exists.

Commands are read from the fenced ``sh``/``bash``/``shell``/``console``/``cron`` blocks (a cron
line loses its five time fields; ``\\`` continuations are joined; ``#`` comments, redirections and
``&&``/``;``/``|``/``&``/``( )`` are understood; ``.venv/bin/`` and ``python3.11`` are the same
programs as ``python`` and ``scrapy``). Checked:

- ``python -m crawler.X …``: ``python -m crawler.X --help`` exits 0 (run in this process, once
  per module; no module path is written here, so modules can move), and every ``-s NAME=`` names
  a setting listed in docs/settings.md;
- ``python -m OTHER``: the module can be found; ``python path.py``: the file exists;
- ``scrapy CMD …``: CMD is a command of this project, every option is one CMD takes, every
  ``-s NAME=`` names a setting listed in docs/settings.md; for ``scrapy crawl SPIDER``, the spider
  exists and every ``-a name=value`` is an argument it takes, with a value it accepts
  (``url_file`` and ``symbol_file`` values are not read: the docs name example files).

Other programs (curl, npm, hexo, scrapyd-deploy…) are not checked.
"""

from __future__ import annotations

import ast
import configparser
import contextlib
import importlib.util
import inspect
import io
import itertools
import re
import runpy
import shlex
import sys
import warnings
from pathlib import Path

import pytest
from scrapy.cmdline import ScrapyArgumentParser, _get_commands_dict
from scrapy.settings import Settings, default_settings
from scrapy.spiderloader import get_spider_loader
from scrapy.utils.conf import arglist_to_dict

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```([\w-]*)[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
SHELL_BLOCKS = {"sh", "bash", "shell", "console", "cron"}
OPERATORS = {"&&", "||", ";", "|", "&", "(", ")", ";;"}
REDIRECTION = re.compile(r"(?<!\S)\d?(?:>>?|<)&?\s*(?:\d\b|\S+)")
SETTING_ROW = re.compile(r"^\| `([A-Z][A-Z0-9_]*)` \| (.*?) \| .*\|$", re.MULTILINE)


def _load_make_settings():
    spec = importlib.util.spec_from_file_location("docs_make_settings", ROOT / "docs" / "make_settings.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


make_settings = _load_make_settings()


def shell_lines(text: str) -> list[str]:
    """The command lines of the shell and cron blocks of one markdown text."""
    lines = []
    for language, body in FENCE.findall(text):
        if language not in SHELL_BLOCKS:
            continue
        for line in re.sub(r"[ \t]*\\\n\s*", " ", body).splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if language == "cron":
                line = line.split(None, 5)[5] if len(line.split(None, 5)) == 6 else ""
            if line.startswith("$ "):
                line = line[2:]
            lines.append(line)
    return lines


def simple_commands(line: str) -> list[list[str]]:
    """One shell line -> its simple commands (argv lists), without redirections and comments."""
    lexer = shlex.shlex(REDIRECTION.sub(" ", line), posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    commands: list[list[str]] = [[]]
    for token in lexer:
        if token in OPERATORS:
            commands.append([])
        else:
            commands[-1].append(token)
    found = []
    for argv in commands:
        while argv and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", argv[0]):  # TZ=… hexo
            argv = argv[1:]
        if argv:
            found.append([_program(argv[0]), *argv[1:]])
    return found


def _program(path: str) -> str:
    name = Path(path).name
    return "python" if re.fullmatch(r"python(\d+(\.\d+)?)?", name) else name


def documented_commands() -> list[tuple[str, list[str]]]:
    """(document name, argv) of every python and scrapy command shown in the docs."""
    found = []
    for document in DOCUMENTS:
        for line in shell_lines(document.read_text(encoding="utf-8")):
            for argv in simple_commands(line):
                if argv[0] in ("python", "scrapy"):
                    found.append((document.relative_to(ROOT).as_posix(), argv))
    return found


COMMANDS = documented_commands()


def python_modules() -> dict[str, list[str]]:
    """Module -> the documents showing ``python -m module``."""
    modules: dict[str, list[str]] = {}
    for where, argv in COMMANDS:
        if argv[0] == "python" and len(argv) > 2 and argv[1] == "-m":
            modules.setdefault(argv[2], []).append(where)
    return modules


def project_settings() -> Settings:
    config = configparser.ConfigParser()
    config.read(ROOT / "scrapy.cfg")
    settings = Settings()
    settings.setmodule(config["settings"]["default"], priority="project")
    return settings


def documented_settings() -> dict[str, str]:
    """Setting name -> default, as the tables of docs/settings.md give them."""
    return dict(SETTING_ROW.findall((ROOT / "docs" / "settings.md").read_text(encoding="utf-8")))


# --- The parser itself --------------------------------------------------------------------------------

def test_shell_lines_join_continuations_and_drop_comments_cron_times_and_prompts():
    text = ("```sh\n# a comment\nscrapy crawl sina_finance -a since=2005-01-01 \\\n    -s OUTPUT_DIR=out  # why\n```\n"
            "```\nscrapy crawl not_a_shell_block\n```\n"
            "```cron\n*/30 * * * * cd /srv && .venv/bin/python -m crawler.cron >> logs/cron.out 2>&1\n```\n"
            "```console\n$ python -m crawler.doctor --channels all\n```\n")
    lines = shell_lines(text)
    assert lines == ["scrapy crawl sina_finance -a since=2005-01-01 -s OUTPUT_DIR=out  # why",
                     "cd /srv && .venv/bin/python -m crawler.cron >> logs/cron.out 2>&1",
                     "python -m crawler.doctor --channels all"]
    assert simple_commands(lines[0]) == [["scrapy", "crawl", "sina_finance", "-a", "since=2005-01-01", "-s",
                                          "OUTPUT_DIR=out"]]
    assert simple_commands(lines[1]) == [["cd", "/srv"], ["python", "-m", "crawler.cron"]]


def test_simple_commands_split_at_shell_operators_and_drop_env_assignments():
    line = "(cd tests/hexo && npm ci) && TZ=Asia/Shanghai python3.11 -m crawler.demo out & .venv/bin/scrapy list"
    assert simple_commands(line) == [["cd", "tests/hexo"], ["npm", "ci"], ["python", "-m", "crawler.demo", "out"],
                                     ["scrapy", "list"]]


def test_the_docs_show_the_commands_people_run():
    modules = python_modules()
    assert {"crawler.demo", "crawler.cron", "crawler.doctor", "crawler.mirror"} <= set(modules)
    spiders = {argv[2] for _, argv in COMMANDS if argv[:2] == ["scrapy", "crawl"]}
    assert {"sina_finance", "sina_article", "sina_7x24"} <= spiders


# --- python -m … and python file.py --------------------------------------------------------------------

@pytest.mark.parametrize("module", sorted(m for m in python_modules() if m.split(".")[0] == "crawler"))
def test_every_crawler_command_shown_answers_help(module, monkeypatch):
    monkeypatch.setattr(sys, "argv", [module, "--help"])
    monkeypatch.chdir(ROOT)
    out, err = io.StringIO(), io.StringIO()
    with (contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), warnings.catch_warnings(),
          pytest.raises(SystemExit) as exited):
        # runpy warns when the module was imported before (by another test); that is harmless here
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            runpy.run_module(module, run_name="__main__", alter_sys=True)
        except ImportError as error:
            pytest.fail(f"python -m {module} (shown in {', '.join(sorted(set(python_modules()[module])))}): {error}")
    assert exited.value.code in (0, None), (
        f"python -m {module} --help (shown in {', '.join(sorted(set(python_modules()[module])))}) "
        f"exited {exited.value.code}: {err.getvalue()}")
    assert "usage:" in out.getvalue()


def test_every_setting_given_to_a_crawler_command_is_documented():
    documented = set(documented_settings())
    wrong = []
    for where, argv in COMMANDS:
        if argv[0] == "python" and argv[1:2] == ["-m"] and argv[2].split(".")[0] == "crawler":
            for flag, value in itertools.pairwise(argv):
                if flag == "-s" and value.split("=", 1)[0] not in documented:
                    wrong.append(f"{where}: {shlex.join(argv)}: -s {value}: not a setting listed in docs/settings.md")
    assert wrong == []


def test_every_other_module_and_script_shown_exists():
    missing = []
    for where, argv in COMMANDS:
        if argv[0] != "python" or len(argv) < 2:
            continue
        if argv[1] == "-m" and argv[2].split(".")[0] != "crawler" and importlib.util.find_spec(argv[2]) is None:
            missing.append(f"{where}: python -m {argv[2]}: no such module")
        elif argv[1].endswith(".py") and not (ROOT / argv[1]).is_file():
            missing.append(f"{where}: python {argv[1]}: no such file")
    assert missing == []


# --- scrapy … ------------------------------------------------------------------------------------------

def scrapy_problems(argv: list[str], settings: Settings, documented: set[str]) -> list[str]:
    """What is wrong with one documented ``scrapy …`` command line (empty: nothing)."""
    commands = _get_commands_dict(settings, inproject=True)
    if len(argv) < 2 or argv[1] not in commands:
        return [f"unknown scrapy command {argv[1:2]}; known: {', '.join(sorted(commands))}"]
    command = commands[argv[1]]
    parser = ScrapyArgumentParser(conflict_handler="resolve")
    command.settings = settings
    command.add_options(parser)
    options, rest = parser.parse_known_args(argv[2:])
    problems = [f"option {word} is not one `scrapy {argv[1]}` takes" for word in rest if word.startswith("-")]
    for pair in getattr(options, "set", None) or []:
        name = pair.split("=", 1)[0]
        if name not in documented:
            problems.append(f"-s {name}: not a setting listed in docs/settings.md")
    if argv[1] == "crawl":
        problems += spider_problems([word for word in rest if not word.startswith("-")], options, command, settings)
    return problems


def spider_problems(args: list[str], options, command, settings: Settings) -> list[str]:
    loader = get_spider_loader(settings)
    if len(args) != 1 or args[0] not in loader.list():
        return [f"spider {args}: not one of {', '.join(sorted(loader.list()))}"]
    spidercls = loader.load(args[0])
    # The project's crawl command looks the arguments up this way (crawler/commands/crawl.py).
    spec = getattr(spidercls, "arguments", None) or inspect.getmodule(type(command)).DECLARED.get(spidercls.name)
    if spec is None:
        return [f"spider {args[0]} declares no arguments"]
    problems = []
    for name, value in arglist_to_dict(options.spargs or []).items():
        if name not in spec.names:
            problems.append(f"-a {name}: {args[0]} takes {', '.join(spec.names)}")
        elif name not in ("url_file", "symbol_file"):
            try:
                spec.names[name].parse(value, settings)
            except ValueError as error:
                problems.append(f"-a {name}={value}: {error}")
    return problems


def test_every_scrapy_command_shown_is_accepted(monkeypatch):
    monkeypatch.chdir(ROOT)
    settings, documented = project_settings(), set(documented_settings())
    problems = []
    for where, argv in COMMANDS:
        if argv[0] == "scrapy":
            problems += [f"{where}: {shlex.join(argv)}: {problem}"
                         for problem in scrapy_problems(argv, settings, documented)]
    assert problems == []


def test_the_scrapy_check_finds_what_is_wrong(monkeypatch):
    monkeypatch.chdir(ROOT)
    settings, documented = project_settings(), set(documented_settings())
    wrong = {
        "scrapy crawl sina_finance -a channel=china": "-a channel: sina_finance takes",
        "scrapy crawl sina_finance -a since=2021-13-01": "-a since=2021-13-01: expected a date",
        "scrapy crawl sina_finanse": "spider ['sina_finanse']: not one of",
        "scrapy crawl sina_article -a urls=x -s OUTPUT_FOLDER=out": "-s OUTPUT_FOLDER: not a setting",
        "scrapy crawl sina_7x24 --since=2024-05-10": "option --since=2024-05-10 is not one",
        "scrapy crawlall sina_finance": "unknown scrapy command ['crawlall']",
    }
    for line, expected in wrong.items():
        problems = scrapy_problems(shlex.split(line), settings, documented)
        assert len(problems) == 1 and problems[0].startswith(expected), (line, problems)
    assert scrapy_problems(shlex.split("scrapy crawl sina_7x24 -a feeds=all -a max_pages=2 -O items.jsonl"),
                           settings, documented) == []


# --- docs/settings.md ----------------------------------------------------------------------------------

def test_settings_md_lists_every_setting_with_its_default_and_nothing_else():
    in_code = {setting.name: make_settings.show(setting.value) for setting in make_settings.read_settings()}
    in_doc = documented_settings()
    problems = {
        "in crawler/settings.py, missing from docs/settings.md": sorted(set(in_code) - set(in_doc)),
        "in docs/settings.md, no longer in crawler/settings.py": sorted(set(in_doc) - set(in_code)),
        "default in docs/settings.md != in crawler/settings.py": {
            name: (in_doc[name], in_code[name]) for name in set(in_code) & set(in_doc) if in_doc[name] != in_code[name]},
    }
    assert not any(problems.values()), f"{problems}; run .venv/bin/python docs/make_settings.py"


def test_settings_md_is_what_make_settings_writes():
    document = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    assert make_settings.rewritten(document, make_settings.read_settings()) == document, (
        "docs/settings.md is stale: run .venv/bin/python docs/make_settings.py")


def settings_read_by_the_code() -> dict[str, str]:
    """Project setting names read with ``….settings.get…("NAME")`` or ``settings["NAME"]`` -> a file reading it."""
    found = {}
    for path in sorted([*(ROOT / "crawler").rglob("*.py"), *(ROOT / "pipelines").rglob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = receiver = None
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr.startswith("get") and node.args and isinstance(node.args[0], ast.Constant)):
                name, receiver = node.args[0].value, node.func.value
            elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
                name, receiver = node.slice.value, node.value
            if (isinstance(name, str) and re.fullmatch(r"[A-Z][A-Z0-9_]+", name)
                    and ast.unparse(receiver).split(".")[-1] == "settings"):
                found.setdefault(name, path.relative_to(ROOT).as_posix())
    return found


def test_every_project_setting_the_code_reads_is_in_settings_py():
    read = settings_read_by_the_code()
    assert {"OUTPUT_DIR", "STATE_PATH", "REDIS_URL", "SINA_MIRROR"} <= set(read)
    assigned = {setting.name for setting in make_settings.read_settings()}
    missing = {name: where for name, where in read.items()
               if name not in assigned and not hasattr(default_settings, name)}
    assert missing == {}, "read by the code but not set (with a comment) in crawler/settings.py"


# --- Links -----------------------------------------------------------------------------------------------

LINK = re.compile(r"\]\((?!https?:|mailto:)([^)\s#]*)(?:#([^)\s]+))?\)")


def anchors(path: Path) -> set[str]:
    """GitHub's anchors for the headings of one markdown file."""
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    headings = re.findall(r"^#+ (.+)$", text, re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-") for heading in headings}


def test_every_relative_link_and_anchor_in_the_docs_exists():
    broken = []
    for document in DOCUMENTS:
        prose = re.sub(r"`[^`\n]*`", "", FENCE.sub("", document.read_text(encoding="utf-8")))
        for target, anchor in LINK.findall(prose):
            path = (document.parent / target).resolve() if target else document
            if not path.exists():
                broken.append(f"{document.name}: ({target}): no such file")
            elif anchor and path.suffix == ".md" and anchor not in anchors(path):
                broken.append(f"{document.name}: ({target}#{anchor}): no such heading")
    assert broken == []
