"""Running the crawler as users do: a real mirror process, and real ``scrapy crawl`` or
``python -m crawler.cron`` subprocesses built by one command builder."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
# Every command a test runs starts here, an empty folder outside the checkout, never in the
# checkout: a first run of the README's main command leaves output/, .state/ and logs/ there,
# and no test may read or write them (tests/conftest.py checks the folder stays empty).
ELSEWHERE = Path(tempfile.mkdtemp(prefix="sina-tests-cwd-"))
# What a command started outside the checkout needs to find the project (scrapy.cfg is not there).
PROJECT_ENV = {"SCRAPY_SETTINGS_MODULE": "crawler.settings",
               "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT), os.environ.get("PYTHONPATH")]))}
# Politeness off: the mirror is on loopback.
FAST = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False"}


def start_mirror(snapshot_dir: Path, *extra: str) -> tuple[subprocess.Popen, str]:
    """``python -m crawler.mirror SNAPSHOT --port 0``; returns the process and its base URL."""
    return _start_mirror(str(snapshot_dir), *extra)


def start_warc_mirror(*archives: Path) -> tuple[subprocess.Popen, str]:
    """``python -m crawler.mirror --warc ARCHIVE… --port 0``; returns the process and its base URL."""
    return _start_mirror("--port", "0", "--warc", *map(str, archives))


def _start_mirror(*args: str) -> tuple[subprocess.Popen, str]:
    extra = () if "--port" in args else ("--port", "0")
    process = subprocess.Popen(
        [sys.executable, "-m", "crawler.mirror", *args, *extra],
        cwd=ELSEWHERE,
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


def stop_mirror(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=10)
    if process.stdout:
        process.stdout.close()


def crawl_command(entry: Iterable[str], *, mirror: str, output: Path, state: Path,
                  spider_args: Iterable[str] = (), **settings: str) -> list[str]:
    """``python <entry> -a ARG … -s NAME=VALUE …`` against ``mirror``, writing under ``output``."""
    command = [sys.executable, *entry]
    for arg in spider_args:
        command += ["-a", arg]
    overrides = {"SINA_MIRROR": mirror, "OUTPUT_DIR": str(output), "STATE_PATH": str(state), **FAST, **settings}
    for name, value in overrides.items():
        command += ["-s", f"{name}={value}"]
    return command


def run_crawl(spider: str, output: Path, mirror: str, *spider_args: str, options: Iterable[str] = (),
              **settings: str) -> subprocess.CompletedProcess:
    """``scrapy crawl SPIDER -a … [OPTIONS]`` with its state beside ``output``; ``options`` are
    further command-line options, e.g. ``("-O", "items.jsonl")``."""
    command = crawl_command(["-m", "scrapy", "crawl", spider], mirror=mirror, output=output,
                            state=output.parent / "state" / "crawl.sqlite", spider_args=spider_args,
                            LOG_LEVEL="INFO", **settings)
    return subprocess.run([*command, *options], cwd=ELSEWHERE, capture_output=True, text=True, timeout=300)


def run_summary(output: Path) -> dict:
    """The summary of the last run that wrote under ``output`` (counters under ``stats``)."""
    return json.loads((output / ".runs" / "last.json").read_text(encoding="utf-8"))
