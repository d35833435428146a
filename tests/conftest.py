"""Shared fixtures: a snapshot of the saved pages and a real mirror process on loopback."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixture_pages import build_snapshot

PROJECT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_snapshot(tmp_path_factory.mktemp("snapshot"))


def start_mirror(snapshot_dir: Path, *extra: str) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "crawler.mirror", str(snapshot_dir), "--port", "0", *extra],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    line = process.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:\d+", line)
    if not match:
        stop_mirror(process)
        raise RuntimeError(f"mirror did not start: {line!r}")
    return process, match.group(0)


@pytest.fixture(scope="session")
def mirror(snapshot: Path) -> Iterator[str]:
    process, base = start_mirror(snapshot)
    yield base
    stop_mirror(process)


def stop_mirror(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=10)
    if process.stdout:
        process.stdout.close()


def run_crawl(spider: str, output: Path, mirror: str, *args: str, **settings: str) -> subprocess.CompletedProcess:
    """A real ``scrapy crawl`` subprocess against the mirror, with fast politeness settings."""
    overrides = {
        "SINA_MIRROR": mirror,
        "OUTPUT_DIR": str(output),
        "STATE_PATH": str(output.parent / "state" / "crawl.sqlite"),
        "DOWNLOAD_DELAY": "0",
        "AUTOTHROTTLE_ENABLED": "False",
        "LOG_LEVEL": "INFO",
        **settings,
    }
    command = [sys.executable, "-m", "scrapy", "crawl", spider, *args]
    for name, value in overrides.items():
        command += ["-s", f"{name}={value}"]
    return subprocess.run(command, cwd=PROJECT, capture_output=True, text=True, timeout=300)


def crawl_stats(log: str) -> dict:
    """The ``Dumping Scrapy stats`` dict of a crawl log, as plain values."""
    block = log.split("Dumping Scrapy stats:", 1)[1]
    block = block[block.index("{") : block.index("}\n") + 1]
    block = re.sub(r"datetime\.datetime\([^)]*\)", "None", block)
    return ast.literal_eval(block)
