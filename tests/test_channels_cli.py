"""``python -m crawler.channels``: the channel table with what the state knows of each channel,
read without changing the state; and CHANNELS_FILE's default as ``scrapy settings`` shows it."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.sina.channels import DEFAULT_CHANNELS_FILE
from tests.support.crawl import ELSEWHERE, run_crawl
from tests.support.sites import Site


def channels(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawler.channels", *args], cwd=ELSEWHERE, capture_output=True,
                          text=True, timeout=60)


def rows(stdout: str) -> dict[str, list[str]]:
    """Table rows by channel name, cells split on runs of two or more spaces."""
    return {cells[0]: cells for cells in (re.split(r" {2,}", line.strip()) for line in stdout.splitlines()[1:])}


@pytest.fixture()
def site(tmp_path):
    site = Site(tmp_path)
    yield site
    site.close()


def test_channels_with_the_newest_item_and_article_count_from_the_state(site):
    crawl = site.cron("channels=china", "since=2005-01-01")
    assert crawl.returncode == 0, crawl.stdout + crawl.stderr
    state = site.work / "crawl.sqlite"
    before = state.read_bytes()
    result = channels("--state", str(state))
    assert result.returncode == 0, result.stderr
    header = result.stdout.splitlines()[0].split()
    assert header == ["channel", "title", "pageid/lid", "categories", "default", "newest", "item", "articles"]
    table = rows(result.stdout)
    china = table["china"]
    assert china[:5] == ["china", "国内滚动", "155/1686", "金融 / 新浪财经 / 新浪财经－国內", "yes"]
    assert china[5].startswith("2024-05-10 ") and china[5].endswith(" days ago)")  # the demo's newest article
    assert china[6] == "8"
    assert table["stock"][-2:] == ["-", "0"]
    assert state.read_bytes() == before
    assert not list(site.work.glob("crawl.sqlite-*"))  # no -wal or -shm file was made


def test_without_a_state_file_the_table_has_no_state_columns_and_no_file_is_made(tmp_path):
    missing = tmp_path / "nothing" / "crawl.sqlite"
    result = channels("--state", str(missing))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.splitlines()[0].split() == ["channel", "title", "pageid/lid", "categories", "default"]
    assert rows(result.stdout)["china"][-1] == "yes"
    assert f"no state at {missing}" in result.stderr
    assert not missing.parent.exists()


def test_channels_file_option_reads_another_table(tmp_path):
    table = tmp_path / "channels.yaml"
    table.write_text("solo:\n  title: 单独\n  pageid: 1\n  lid: 2\n  categories: [a, b, c]\n", encoding="utf-8")
    result = channels("--channels-file", str(table), "--state", str(tmp_path / "none.sqlite"))
    assert result.returncode == 0, result.stderr
    assert list(rows(result.stdout)) == ["solo", "7x24", "7x24_global"]  # then the packaged 7x24 feeds
    assert rows(result.stdout)["solo"] == ["solo", "单独", "1/2", "a / b / c"]
    bad = channels("--channels-file", str(tmp_path / "missing.yaml"))
    assert bad.returncode == 1 and "cannot read channel file" in bad.stderr and "Traceback" not in bad.stderr


def test_scrapy_settings_shows_the_packaged_channels_file_as_the_default():
    result = subprocess.run([sys.executable, "-m", "scrapy", "settings", "--get", "CHANNELS_FILE"], cwd=ELSEWHERE,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()) == DEFAULT_CHANNELS_FILE
    assert DEFAULT_CHANNELS_FILE.is_file()


def test_channel_health_of_the_latest_run_that_listed_each_channel(site):
    crawl = site.cron("channels=china,stock", "since=2005-01-01")
    assert crawl.returncode == 0, crawl.stdout + crawl.stderr
    result = channels("--state", str(site.work / "crawl.sqlite"), "--runs", str(site.output / ".runs"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].split()[-2:] == ["listed", "health"]
    table = rows(result.stdout)
    # The demo lists 8 items under 155/1686 (newest 2024-05-10) and 1 under 384/2671 (2011-08-22).
    assert table["china"][-2] == "8" and table["china"][-1].startswith("STALE: newest item 2024-05-10 00:26:45 is ")
    assert table["stock"][-2] == "1" and table["stock"][-1].startswith("STALE: newest item 2011-08-22 14:58:00 is ")
    assert table["macro"][-2:] == ["-", "-"]  # not crawled
    assert "(STALE_CHANNEL_HOURS=48)" in table["china"][-1]
    summary = site.summary()
    assert set(summary["stale_channels"]) == {"china", "stock"}
    assert "Channel china looks stale: newest item 2024-05-10 00:26:45" in site.crawl_log()


def test_a_channel_sina_did_not_answer_is_unreachable_not_stale(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    crawl = run_crawl("sina_finance", tmp_path / "posts", closed, "channels=china", RETRY_TIMES="0")
    assert crawl.returncode == 69, crawl.stderr[-2000:]
    result = channels("--runs", str(tmp_path / "posts" / ".runs"))
    assert result.returncode == 0, result.stderr
    assert rows(result.stdout)["china"][-1].startswith("UNREACHABLE: Connection was refused")
