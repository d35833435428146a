"""The progress line: shown on a terminal (a real pseudo-terminal here), absent in cron."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
import time

from tests.support.crawl import ELSEWHERE
from tests.support.sites import Site


def test_progress_line_on_a_terminal_and_not_without_one(tmp_path):
    site = Site(tmp_path)
    try:
        command = [sys.executable, "-m", "scrapy", "crawl", "sina_finance", "-a", "channels=china",
                   "-a", "since=2005-01-01", "-s", f"SINA_MIRROR={site.mirror}", "-s", f"OUTPUT_DIR={site.output}",
                   "-s", f"STATE_PATH={site.work / 'crawl.sqlite'}", "-s", "DOWNLOAD_DELAY=0",
                   "-s", "LOG_FILE=" + str(site.work / "crawl.log")]
        site.work.mkdir(parents=True, exist_ok=True)
        returncode, seen = read_terminal(command)
        assert returncode == 0
        segments = [part.replace("\x1b[K", "") for part in re.split(r"[\r\n]+", seen)]
        last = [part for part in segments if part.strip()][-1]
        assert "roll pages 1 | queued 8 new 0 changed | written 8 updated 0 unchanged 0 | errors 0" in last

        piped = subprocess.run([*command[:-2], "-s", "LOG_FILE=" + str(site.work / "crawl2.log")], cwd=ELSEWHERE,
                               capture_output=True, text=True, timeout=120)
        assert piped.returncode == 0
        assert "roll pages" not in piped.stderr + piped.stdout
    finally:
        site.close()


PROGRESS_LINE = re.compile(r"roll pages \d+ \| queued \d+ new \d+ changed \| written \d+ updated \d+ unchanged \d+ "
                           r"\| errors \d+")


def read_terminal(command: list[str]) -> tuple[int, str]:
    """Run ``command`` on a fresh pseudo-terminal; its exit status and everything it printed."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(command, cwd=ELSEWHERE, stdin=terminal, stdout=terminal, stderr=terminal)
    os.close(terminal)
    seen = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal closed: the crawl ended
            break
        if not chunk:
            break
        seen += chunk
    process.wait(timeout=60)
    os.close(controller)
    return process.returncode, seen.decode("utf-8", "replace")


def test_log_lines_on_the_terminal_never_share_the_progress_line(tmp_path):
    site = Site(tmp_path)
    try:
        # Slow articles: the progress line is refreshed while log records arrive.
        site.add_faults({"match": "finance.sina.com.cn/*", "fault": "slow", "seconds": 1.5})
        site.work.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "scrapy", "crawl", "sina_finance", "-a", "channels=china",
                   "-a", "since=2005-01-01", "-s", f"SINA_MIRROR={site.mirror}", "-s", f"OUTPUT_DIR={site.output}",
                   "-s", f"STATE_PATH={site.work / 'crawl.sqlite'}", "-s", "DOWNLOAD_DELAY=0"]  # no LOG_FILE
        code, seen = read_terminal(command)
        assert code == 0, seen
        segments = [part.replace("\x1b[K", "") for part in re.split(r"[\r\n]+", seen)]
        # (the run summary's "  requests   N (M roll pages, …)" line is a line of its own)
        progress = [part for part in segments if "roll pages" in part and not part.startswith("  requests ")]
        assert progress and any("Channel china (155/1686)" in part for part in segments)
        for part in progress:
            assert PROGRESS_LINE.fullmatch(part), f"a log record shares the progress line: {part!r}"
    finally:
        site.close()
