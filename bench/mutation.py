"""Mutation testing of the pure core with mutmut, one module at a time.

Not a test and not in CI (minutes per module): run it before a release and whenever one of the
modules below changes. Each module is mutated in a scratch copy of the project (the work tree is
never touched) and each mutant is tested with only that module's fast test files, listed here:

    .venv/bin/pip install -e '.[mutation]'
    .venv/bin/python bench/mutation.py                       # every module of MODULES
    .venv/bin/python bench/mutation.py crawler/store/coverage.py   # one module
    .venv/bin/python bench/mutation.py --list                # the table
    .venv/bin/python bench/mutation.py --report              # the last runs again, not rerun

For each module it prints every surviving mutant that is not known to be equivalent, with its
changed lines (all survivors' diffs are in the scratch folder's ``survivors.diff``), and one line:
killed / non-equivalent mutants, the score, the wall time. Equivalent mutants are those listed by
name in ``bench/mutation_equivalents.py`` with the reason, and case changes inside SQL text or a
codec name, which SQLite and Python ignore.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from mutation_equivalents import EQUIVALENT

PROJECT = Path(__file__).resolve().parents[1]

# The in-process tests of the Redis store (the rest of test_distributed.py runs crawls in subprocesses,
# which never import a mutant).
REDIS_TESTS = tuple(f"tests/test_distributed.py::{name}" for name in (
    "test_the_redis_store_answers_as_the_sqlite_store",
    "test_the_redis_store_answers_as_the_sqlite_store_on_rewrites_and_moves",
    "test_a_record_and_a_reset_are_each_one_transaction_on_the_server",
    "test_a_redis_url_is_shown_without_its_password",
    "test_the_redis_client_gives_up_after_ten_seconds",
    "test_the_redis_store_from_settings_keeps_its_keys_under_the_prefix_and_times_in_utc",
    "test_the_redis_store_without_redis_url_is_refused",
    "test_an_unreachable_or_foreign_redis_is_refused_naming_it_without_its_password",
))

# The in-process tests of both stores' stock tags (the rest of test_stocks_cli.py runs crawls and the CLI).
STOCK_STORE_TESTS = tuple(f"tests/test_stocks_cli.py::{name}" for name in (
    "test_the_stores_tag_and_find_alike",
    "test_the_stores_keep_tags_recorded_again_without_stocks_alike",
))

# The module to mutate: the fast test files (or test ids) that cover it. Paths are relative to
# the project root; when a module moves, change its key here and nothing else.
MODULES: dict[str, tuple[str, ...]] = {
    "pipelines/format/title.py": ("tests/test_post.py",),
    "pipelines/format/file_names.py": ("tests/test_post.py",),
    "crawler/values.py": ("tests/test_values.py", "tests/test_roll.py", "tests/test_zhibo.py", "tests/test_pages.py",
                          "tests/test_post.py"),
    "crawler/store/coverage.py": ("tests/test_coverage.py",),
    "crawler/sina/roll.py": ("tests/test_roll.py", "tests/test_roll_paging.py"),
    "crawler/sina/zhibo.py": ("tests/test_zhibo.py",),
    "crawler/sina/pages/fields.py": ("tests/test_pages.py", "tests/test_golden.py"),
    "pipelines/format/sanitize.py": ("tests/test_sanitize.py", "tests/test_golden.py"),
    "crawler/store/state.py": ("tests/test_state.py", "tests/test_channels_state.py", *REDIS_TESTS[:2],
                               *STOCK_STORE_TESTS),
    "crawler/store/redis_state.py": (*REDIS_TESTS, *STOCK_STORE_TESTS),
}

# What a scratch copy holds: the packages (mutmut copies them into mutants/) and the tests.
PACKAGES = ("crawler", "pipelines")
COPY = (*PACKAGES, "tests", "demo", "pyproject.toml")
SKIP = shutil.ignore_patterns("__pycache__", "node_modules", "*.pyc", "mutants")
STATUS = re.compile(r"^\s+(\S+): (.+)$")
SQL = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|PRAGMA|BEGIN|COMMIT|ROLLBACK|ALTER TABLE|WHERE|ORDER BY)\b", re.I)
QUOTED_SQL = re.compile(r"'[^']*'")  # values inside SQL text, where case does matter
SPINNER = re.compile(r"^[\u2800-\u28ff] ")  # mutmut's progress lines


def prepare(module: str, tests: tuple[str, ...], scratch: Path) -> None:
    """A fresh copy of the project whose pyproject.toml tells mutmut what to mutate and run."""
    if scratch.exists():
        shutil.rmtree(scratch)
    scratch.mkdir(parents=True)
    for name in COPY:
        source = PROJECT / name
        if source.is_dir():
            shutil.copytree(source, scratch / name, ignore=SKIP)
        else:
            shutil.copy2(source, scratch / name)
    section = "\n".join([
        "",
        "[tool.mutmut]",
        f"source_paths = {list(PACKAGES)!r}",
        f"only_mutate = [{module!r}]",
        f"pytest_add_cli_args_test_selection = {list(tests)!r}",
        'also_copy = ["demo"]',
        # A test that runs the code in a subprocess never sees a mutant (and finds no mutmut config there).
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q", "--deselect", '
        '"tests/test_golden.py::test_regenerate_check_finds_nothing_to_change"]',
        "use_git_change_detection = false",
        "",
    ])
    with (scratch / "pyproject.toml").open("a", encoding="utf-8") as config:
        config.write(section.replace("'", '"'))


def mutmut(scratch: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).with_name("mutmut")), *args]
    return subprocess.run(command, cwd=scratch, capture_output=True, text=True, check=False)


def run_module(module: str, tests: tuple[str, ...], workdir: Path, max_children: int, *, again: bool = True
               ) -> dict[str, str]:
    scratch = workdir / module.replace("/", "_").removesuffix(".py")
    if again:
        prepare(module, tests, scratch)
        started = time.monotonic()
        run = mutmut(scratch, "run", "--max-children", str(max_children))
        seconds = time.monotonic() - started
        log = "\n".join(line for line in (run.stdout + run.stderr).splitlines() if not SPINNER.match(line))
        (scratch / "mutmut-run.log").write_text(log, encoding="utf-8")
        (scratch / "seconds").write_text(f"{seconds:.0f}", encoding="utf-8")
        if run.returncode != 0:
            print("\n".join(log.splitlines()[-15:]))
            print(f"{module}: mutmut failed (exit {run.returncode}) after {seconds:.0f} s: {scratch}/mutmut-run.log")
            return {}
    elif not (scratch / "seconds").exists():
        print(f"{module}: no finished run in {scratch}")
        return {}
    seconds = float((scratch / "seconds").read_text(encoding="utf-8"))
    listed = mutmut(scratch, "results", "--all", "true").stdout
    statuses = {match[1]: match[2] for match in map(STATUS.match, listed.splitlines()) if match}
    diffs = {name: mutmut(scratch, "show", name).stdout for name, status in statuses.items() if status != "killed"}
    (scratch / "survivors.diff").write_text("".join(diffs[name] for name in sorted(diffs)), encoding="utf-8")
    equivalent = 0
    for name in sorted(diffs):
        why = why_equivalent(name, diffs[name])
        if why:
            statuses[name], equivalent = "equivalent", equivalent + 1
            continue
        print(f"  {statuses[name]}: {name}")
        print("\n".join(f"      {line}" for line in changed_lines(diffs[name])))
    counts = Counter(statuses.values())
    killed, judged = counts["killed"], len(statuses) - equivalent
    score = f"{100 * killed / judged:.1f} %" if judged else "no mutants (see mutmut-run.log)"
    others = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()) if s not in ("killed", "equivalent"))
    print(f"{module}: {killed} / {judged} non-equivalent mutants killed, {score} ({len(statuses)} mutants, "
          f"{equivalent} equivalent; {others or 'no survivor'}); {seconds:.0f} s wall; scratch {scratch}", flush=True)
    return statuses


def changed_lines(diff: str) -> list[str]:
    return [line for line in diff.splitlines() if line[:1] in "-+" and line[:3] not in ("---", "+++")]


def why_equivalent(name: str, diff: str) -> str:
    """Why a surviving mutant cannot change behaviour: listed by name, or a case change that
    SQLite or the codec registry ignores."""
    if name in EQUIVALENT:
        return EQUIVALENT[name]
    lines = changed_lines(diff)
    removed, added = [line[1:] for line in lines if line[0] == "-"], [line[1:] for line in lines if line[0] == "+"]
    if not removed or len(removed) != len(added):
        return ""
    case_only = all(old != new and old.lower() == new.lower() and QUOTED_SQL.findall(old) == QUOTED_SQL.findall(new)
                    for old, new in zip(removed, added, strict=True))
    if case_only and all(SQL.search(old) for old in removed):
        return "case of SQL keywords and names (SQLite ignores it)"
    if case_only and all("utf-8" in old.lower() for old in removed):
        return "case of a codec name (Python ignores it)"
    return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help="modules of MODULES to mutate (default: all of them)")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "sina-mutation",
                        help="where the scratch copies go (default: %(default)s)")
    parser.add_argument("--max-children", type=int, default=2, help="parallel mutant runs (default: 2)")
    parser.add_argument("--list", action="store_true", help="print the module table and stop")
    parser.add_argument("--report", action="store_true",
                        help="report the last finished runs again without running them (after editing the equivalents)")
    args = parser.parse_args(argv)
    if args.list:
        for module, tests in MODULES.items():
            print(f"{module}\t{' '.join(tests)}")
        return 0
    unknown = [module for module in args.modules if module not in MODULES]
    if unknown:
        parser.error(f"not in MODULES: {', '.join(unknown)}")
    for module in args.modules or list(MODULES):
        run_module(module, MODULES[module], args.workdir, args.max_children, again=not args.report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
