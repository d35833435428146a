"""What a plain ``scrapy crawl`` prints on the console (no LOG_FILE): a few lines a person
reads, not Scrapy's start-up listing or a robots.txt traceback; a log file keeps them all."""

from __future__ import annotations

import subprocess

import pytest

from tests.support.crawl import ELSEWHERE, crawl_command, run_crawl
from tests.support.sites import Site

STARTUP_NOISE = ("Scrapy 2.", "Versions:", "Enabled addons", "Enabled extensions", "Overridden settings",
                 "Enabled downloader middlewares", "Enabled item pipelines", "Dumping Scrapy stats")


@pytest.fixture()
def site(tmp_path):
    site = Site(tmp_path)
    yield site
    site.close()


def test_console_shows_what_a_person_needs(site):
    result = run_crawl("sina_finance", site.output, site.mirror, "channels=china", "since=2005-01-01")
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    print("\n".join(lines))
    records = [line for line in lines if line[:4].isdigit()]  # the summary's own lines start with spaces
    assert len(records) <= 8 and len(lines) - len(records) <= 12
    assert any("[sina_finance] INFO: Channel china (155/1686) from 2005-01-01" in line for line in lines)
    assert any("Spider closed (finished)" in line for line in lines)
    assert not [noise for noise in STARTUP_NOISE if noise in result.stderr]


def test_startup_records_are_lowered_not_dropped(site):
    command = crawl_command(["-m", "scrapy", "crawl", "sina_finance"], mirror=site.mirror, output=site.output,
                            state=site.work / "crawl.sqlite", spider_args=["channels=china"], LOG_LEVEL="DEBUG")
    debug = subprocess.run(command, cwd=ELSEWHERE, capture_output=True, text=True, timeout=300)
    assert debug.returncode == 0, debug.stderr[-3000:]
    assert "[scrapy.middleware] DEBUG: Enabled extensions" in debug.stderr
    log_file = site.work / "crawl.log"
    logged = run_crawl("sina_finance", site.output, site.mirror, "channels=china", LOG_FILE=str(log_file))
    assert logged.returncode == 0, logged.stderr
    log = log_file.read_text(encoding="utf-8")
    assert all(noise in log for noise in STARTUP_NOISE)
    assert "[scrapy.middleware] INFO: Enabled extensions" in log


def test_robots_txt_failure_is_one_line_on_the_console_and_whole_in_a_log_file(site):
    robots = site.snapshot / "pages" / "feed.mix.sina.com.cn" / "robots.txt"
    robots.parent.mkdir(parents=True)
    robots.write_text("User-agent: *\nDisallow: /nothing-here/\n", encoding="utf-8")
    site.add_faults({"match": "feed.mix.sina.com.cn/robots.txt", "fault": "drop"})
    result = run_crawl("sina_finance", site.output, site.mirror, "channels=china", "since=2005-01-01")
    assert "Traceback" not in result.stderr
    robots_lines = [line for line in result.stderr.splitlines() if "[scrapy.downloadermiddlewares.robotstxt]" in line]
    assert len(robots_lines) == 1, result.stderr
    assert robots_lines[0].endswith("[scrapy.downloadermiddlewares.robotstxt] ERROR: robots.txt of feed.mix.sina.com.cn "
                                    "could not be downloaded (ResponseDataLossError); its requests go ahead")
    assert "Channel china (155/1686)" in result.stderr
    records = [line for line in result.stderr.splitlines() if line[:4].isdigit()]  # not the summary's lines
    assert len(records) <= 12

    log_file = site.work / "crawl.log"
    run_crawl("sina_finance", site.output, site.mirror, "channels=china", "since=2005-01-01", LOG_FILE=str(log_file))
    log = log_file.read_text(encoding="utf-8")
    assert "ERROR: Error downloading <GET https://feed.mix.sina.com.cn/api/roll/get" in log
    assert "Traceback (most recent call last)" in log
