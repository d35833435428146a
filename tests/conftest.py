"""Shared fixtures: a snapshot of the saved pages and a real mirror process on loopback; the
guard that keeps the suite off the checkout's own run folders; and the ``slow`` marker of the
tests that start processes.

Helpers live in tests/support; this file only declares fixtures, the guard and the marker.

The fast tier (``python -m pytest -m "not slow"``) runs the tests that start no program: a
test is ``slow`` when its file is in SLOW_FILES, it is named in SLOW_TESTS, or it uses a fixture
of SLOW_FIXTURES (directly or through another fixture). A test left unmarked that starts a
program anyway (``subprocess.Popen``: scrapy, python, node, chromium, redis-server…) fails at
that call, naming this file, so the fast tier stays fast and the lists stay true.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.crawl import ELSEWHERE, PROJECT, PROJECT_ENV, start_mirror, stop_mirror
from tests.support.pages import build_snapshot
from tests.support.servers import RedisServer

# What a user's own runs leave in the checkout (README command 1, the cron job, the demo).
RUN_FOLDERS = ("output", ".state", "logs", "demo-output")
os.environ.update(PROJECT_ENV)  # commands run in ELSEWHERE, outside the checkout


def listing(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under the checkout's run folders: size and modification time."""
    found = {}
    for name in RUN_FOLDERS:
        for path in sorted((root / name).rglob("*")) if (root / name).is_dir() else []:
            if path.is_file():
                stat = path.stat()
                found[str(path.relative_to(root))] = (stat.st_size, stat.st_mtime_ns)
    return found


@pytest.fixture(scope="session", autouse=True)
def away_from_the_checkout() -> Iterator[None]:
    """The suite runs in an empty folder outside the checkout. A test that reads a default path
    (``output/.runs``, ``.state/crawl.sqlite``) finds nothing there, whatever the checkout holds; one
    that writes one fails here, as does one that changes the checkout's run folders."""
    before = listing(PROJECT)
    ELSEWHERE.mkdir(exist_ok=True)  # again for a second session in one process (mutmut runs several)
    os.chdir(ELSEWHERE)
    try:
        yield
    finally:
        os.chdir(PROJECT)
    left = sorted(str(path.relative_to(ELSEWHERE)) for path in ELSEWHERE.rglob("*"))
    assert not left, f"tests wrote into their working folder {ELSEWHERE}: {left[:10]}"
    ELSEWHERE.rmdir()
    assert listing(PROJECT) == before, "tests changed the checkout's output/, .state/, logs/ or demo-output/"


# Every test of these files starts a mirror, a crawl, Hexo, Chromium, Redis or Scrapyd.
SLOW_FILES = {
    "test_7x24_crawl.py", "test_adopt.py", "test_browser.py", "test_channel_crawl.py", "test_console.py",
    "test_channels_cli.py", "test_consumers.py", "test_crash.py", "test_crawl.py", "test_distributed.py",
    "test_doctor.py", "test_faults.py", "test_file_modes.py", "test_hexo.py", "test_lock.py", "test_parse_page_cli.py",
    "test_progress.py", "test_publish_safety.py", "test_scrapyd.py", "test_archive.py", "test_replay.py",
    "test_reextract.py", "test_stock_news_crawl.py", "test_stocks_cli.py", "test_first_day.py", "test_hexo_guide.py",
}
# Fixtures that start a process (a mirror, a crawl, a server, a browser).
SLOW_FIXTURES = {"mirror", "site", "blog", "crawled", "visits", "hexo_build", "seed_and_markdown_crawls",
                 "scrapyd", "redis_server", "redis_url", "chromium", "markdown_html"}
# Single tests, in files whose other tests start nothing: file name, then the test's name
# (without its parameters).
SLOW_TESTS = {
    ("test_addons.py", "test_without_sina_mirror_no_mirror_module_is_imported"),
    ("test_body_modes.py", "test_a_channel_sets_its_own_body_mode"),
    ("test_cron.py", "test_an_unknown_cron_option_is_a_usage_error"),
    ("test_cron.py", "test_cron_help_describes_every_option_with_its_default"),
    ("test_cron.py", "test_demo_help_is_not_cut_mid_sentence"),
    ("test_golden.py", "test_regenerate_check_finds_nothing_to_change"),
    ("test_live_post.py", "test_hexo_loads_the_day_post_with_its_title_date_and_categories"),
    ("test_manifest.py", "test_a_killed_crawl_leaves_a_state_whose_manifest_matches_the_files_and_a_rerun_lists_all"),
    ("test_manifest.py", "test_missing_folder_exits_2_and_a_file_that_is_not_a_post_exits_1_writing_nothing"),
    ("test_usage_errors.py", "test_sina_finance_refuses_a_bad_argument_with_one_line"),
    ("test_usage_errors.py", "test_sina_article_refuses_a_bad_argument_with_one_line"),
    ("test_usage_errors.py", "test_an_unknown_spider_is_a_usage_error"),
    ("test_usage_errors.py", "test_cron_passes_the_same_one_line_through_and_writes_no_posts"),
    ("test_workers.py", "test_a_bad_worker_count_is_a_usage_error"),
    ("test_setting_checks.py", "test_scrapy_crawl_with_a_bad_setting_exits_2_and_writes_nothing"),
    ("test_setting_checks.py", "test_cron_with_a_bad_setting_exits_2_before_its_lock_and_logs"),
    ("test_setting_checks.py", "test_the_readme_mirror_example_is_refused_and_touches_nothing"),
}


@pytest.fixture(scope="session")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_snapshot(tmp_path_factory.mktemp("snapshot"))


@pytest.fixture(scope="session")
def mirror(snapshot: Path) -> Iterator[str]:
    process, base = start_mirror(snapshot)
    yield base
    stop_mirror(process)



@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()

def is_slow(item: pytest.Item) -> bool:
    file = Path(str(item.fspath)).name
    name = getattr(item, "originalname", None) or item.name
    return (file in SLOW_FILES or (file, name) in SLOW_TESTS
            or not SLOW_FIXTURES.isdisjoint(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if is_slow(item):
            item.add_marker(pytest.mark.slow)


class UnmarkedProcess(Exception):
    """A test not marked slow started a program."""


_fast_test: list[str] = []  # the node id of the running test while it is not marked slow


def _audit(event: str, args: tuple) -> None:
    if event == "subprocess.Popen" and _fast_test:
        program = args[0] if args else "?"
        raise UnmarkedProcess(f"{_fast_test[0]} starts {program!r} but is not marked slow: add it to SLOW_FILES, "
                              "SLOW_TESTS or SLOW_FIXTURES in tests/conftest.py")


sys.addaudithook(_audit)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    if item.get_closest_marker("slow") is None:
        _fast_test.append(item.nodeid)
    try:
        return (yield)
    finally:
        _fast_test.clear()
