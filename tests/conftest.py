"""Shared fixtures: a snapshot of the saved pages and a real mirror process on loopback.

Helpers live in tests/support; this file only declares fixtures.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.crawl import start_mirror, stop_mirror
from tests.support.pages import build_snapshot


@pytest.fixture(scope="session")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_snapshot(tmp_path_factory.mktemp("snapshot"))


@pytest.fixture(scope="session")
def mirror(snapshot: Path) -> Iterator[str]:
    process, base = start_mirror(snapshot)
    yield base
    stop_mirror(process)

