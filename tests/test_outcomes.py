"""A failed run says so, with its real cause: ``scrapy crawl`` exits by the same rule as cron;
Sina *unreachable* (no reply, 5xx after retries), a reply that *drifted* and a channel gone *stale*
are three different words and exit codes; and the console shows a few readable lines, not the
summary's JSON. Real crawls against the demo snapshot's mirror, or an address nobody listens on."""

from __future__ import annotations

import json
import socket
import subprocess
from pathlib import Path

import pytest
from scrapy import Request, signals
from scrapy.utils.test import get_crawler

from crawler.plumbing.run_summary import RunSummary
from crawler.spiders.sina_finance import SinaFinanceSpider
from tests.support.crawl import ELSEWHERE, crawl_command, run_crawl, run_summary
from tests.support.sites import Site

ROLL = "feed.mix.sina.com.cn/api/roll/get?pageid=155&lid=1686"
WIDE = {"STALE_CHANNEL_HOURS": "1000000"}  # the demo's items are of 2024


@pytest.fixture()
def site(tmp_path):
    site = Site(tmp_path)
    yield site
    site.close()


def closed_address() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def console_summary(stderr: str) -> list[str]:
    """The lines of the console's run summary block."""
    lines = stderr.splitlines()
    start = next(i for i, line in enumerate(lines) if line.endswith("INFO: Run summary:"))
    return [line for line in lines[start + 1:] if line.startswith("  ")]


def test_unreachable_sina_exits_69_and_is_not_called_stale(site, tmp_path):
    result = run_crawl("sina_finance", site.output, closed_address(), "channels=china,stock", RETRY_TIMES="0")
    assert result.returncode == 69, result.stderr[-3000:]
    summary = run_summary(site.output)
    assert sorted(summary["unreachable"]) == ["china", "stock"]
    assert summary["stale_channels"] == {} and summary["drifted"] == {}
    assert "looks stale" not in result.stderr and "may have moved" not in result.stderr
    block = console_summary(result.stderr)
    assert any(line.startswith("  unreachable china: ") for line in block)
    assert block[-1].startswith("  result     UNREACHABLE: unreachable: china: ")


def test_a_5xx_after_retries_on_the_listing_is_unreachable(site):
    site.add_faults({"match": ROLL, "fault": "status", "status": 503})
    result = run_crawl("sina_finance", site.output, site.mirror, "channels=china,stock", "since=2005-01-01",
                       RETRY_TIMES="1", RETRY_BACKOFF_BASE="0", **WIDE)
    assert result.returncode == 69, result.stderr[-3000:]
    summary = run_summary(site.output)
    assert summary["unreachable"] == {"china": "HTTP 503 after retries"}
    assert "stock" not in summary["stale_channels"] and "china" not in summary["stale_channels"]


def test_a_reply_in_the_wrong_shape_is_drifted_exit_65(site):
    site.add_faults({"match": ROLL, "fault": "reply", "body": "<html>维护中</html>"})
    result = run_crawl("sina_finance", site.output, site.mirror, "channels=china", "since=2005-01-01", **WIDE)
    assert result.returncode == 65, result.stderr[-3000:]
    summary = run_summary(site.output)
    assert list(summary["drifted"]) == ["china"] and summary["unreachable"] == {}
    assert summary["stale_channels"] == {}
    assert console_summary(result.stderr)[-1].startswith("  result     DRIFTED: ")


def test_a_stale_channel_is_a_warning_exit_0_and_cron_strict_exits_3(site):
    result = run_crawl("sina_finance", site.output, site.mirror, "channels=china", "since=2005-01-01")
    assert result.returncode == 0, result.stderr[-3000:]
    assert list(run_summary(site.output)["stale_channels"]) == ["china"]
    assert any(line.startswith("  stale      china: newest item 2024-05-10 00:26:45")
               for line in console_summary(result.stderr))
    assert site.cron("channels=china", "--strict").returncode == 2  # --strict is cron's option, not -a
    strict = subprocess.run(crawl_command(["-m", "crawler.cron", "--strict", "--lock", str(site.work / "l"),
                                           "--log-dir", str(site.work / "logs")], mirror=site.mirror,
                                          output=site.output, state=site.output.parent / "state" / "crawl.sqlite",
                                          spider_args=["channels=china"]),
                            cwd=ELSEWHERE, capture_output=True, text=True, timeout=300)
    assert strict.returncode == 3, strict.stdout + strict.stderr


def test_a_failed_run_exits_non_zero_from_scrapy_crawl_as_from_cron(site):
    site.add_faults({"match": "finance.sina.com.cn/roll/2018-12-28/doc-ihqfskcn2160999.shtml",
                     "fault": "status", "status": 404})
    result = run_crawl("sina_finance", site.output, site.mirror, "channels=china", "since=2005-01-01", **WIDE)
    summary = run_summary(site.output)
    assert not summary["ok"] and summary["errors"] >= 1
    assert result.returncode == 1, result.stderr[-3000:]
    cron = site.cron("channels=china", "since=2005-01-01", **WIDE)
    assert cron.returncode == 1


def test_the_console_shows_readable_lines_and_where_the_json_is(site):
    result = run_crawl("sina_finance", site.output, site.mirror, "channels=china", "since=2005-01-01", **WIDE)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "{" not in result.stderr and max(len(line) for line in result.stderr.splitlines()) < 200
    block = console_summary(result.stderr)
    summary = run_summary(site.output)
    assert f"  posts      {summary['new']} new, 0 updated, 0 unchanged" in block
    summary_line = next(line for line in block if line.startswith("  summary    "))
    full = json.loads(Path(summary_line.split(None, 1)[1]).read_text(encoding="utf-8"))
    assert full == summary
    assert block[-1] == "  result     OK"


def test_a_stopped_run_counts_only_the_article_requests_that_went_out(tmp_path):
    crawler = get_crawler(SinaFinanceSpider, settings_dict={"OUTPUT_DIR": str(tmp_path / "out"),
                                                            "STATE_PATH": str(tmp_path / "s.sqlite")})
    extension = RunSummary.from_crawler(crawler)
    spider = crawler.spider = SinaFinanceSpider.from_crawler(crawler, channels="china")
    queued = [Request(f"https://finance.sina.com.cn/roll/a{n}.shtml", callback=spider.parse_article) for n in range(8)]
    for request in queued:
        crawler.signals.send_catch_log(signal=signals.request_scheduled, request=request, spider=spider)
        crawler.stats.inc_value("article/requested")
    crawler.signals.send_catch_log(signal=signals.request_reached_downloader, request=queued[0], spider=spider)
    extension.spider_opened()
    crawler.signals.send_catch_log(signal=signals.spider_closed, spider=spider, reason="shutdown")
    summary = json.loads((tmp_path / "out" / ".runs" / "last.json").read_text(encoding="utf-8"))
    assert summary["article_requests"] == 1
