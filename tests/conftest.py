"""Shared fixtures: a snapshot of the saved pages and a real mirror process on loopback; and the
guard that keeps the suite off the checkout's own run folders.

Helpers live in tests/support; this file only declares fixtures.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.crawl import ELSEWHERE, PROJECT, PROJECT_ENV, start_mirror, stop_mirror
from tests.support.pages import build_snapshot

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
    os.chdir(ELSEWHERE)
    try:
        yield
    finally:
        os.chdir(PROJECT)
    left = sorted(str(path.relative_to(ELSEWHERE)) for path in ELSEWHERE.rglob("*"))
    assert not left, f"tests wrote into their working folder {ELSEWHERE}: {left[:10]}"
    ELSEWHERE.rmdir()
    assert listing(PROJECT) == before, "tests changed the checkout's output/, .state/, logs/ or demo-output/"


@pytest.fixture(scope="session")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_snapshot(tmp_path_factory.mktemp("snapshot"))


@pytest.fixture(scope="session")
def mirror(snapshot: Path) -> Iterator[str]:
    process, base = start_mirror(snapshot)
    yield base
    stop_mirror(process)
