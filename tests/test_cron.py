"""The cron command's contract: Ctrl-C and SIGTERM, the summary of either spider, truncated
paging, an output folder that cannot be created, pruning of old run summaries, and --help.

Real ``python -m crawler.cron`` subprocesses against a private demo site on loopback; the
summary rules through summarize() and the RunSummary extension."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime

import pytest
from scrapy import signals
from scrapy.utils.test import get_crawler

from crawler import cron
from crawler.ops import cron as cron_job
from crawler.plumbing.run_summary import RunSummary, summarize
from crawler.spiders.sina_finance import SinaFinanceSpider
from tests.support.crawl import ELSEWHERE, crawl_command
from tests.support.pages import ARTICLE_POSTS
from tests.support.sites import Site

ARTICLE_URL = "https://finance.sina.com.cn/roll/2018-12-28/doc-ihqfskcn2160999.shtml"
ARTICLE_POST = '2018-12-28/60万"12306账号"外泄_ 中铁总辟谣称消息不实.md'
HEALTHY = {"start_time": datetime(2024, 3, 1, 2, 0, tzinfo=UTC), "roll/pages": 3, "export/written": 2}


@pytest.fixture()
def site(tmp_path):
    site = Site(tmp_path)
    yield site
    site.close()


def cron_command(site: Site, *options: str, spider_args: tuple[str, ...] = (), **settings: str) -> list[str]:
    entry = ["-m", "crawler.cron", *options, "--lock", str(site.work / "crawl.lock"),
             "--log-dir", str(site.work / "logs")]
    return crawl_command(entry, mirror=site.mirror, output=site.output, state=site.work / "crawl.sqlite",
                         spider_args=spider_args, **settings)


def wait_for_log(site: Site, text: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        logs = sorted((site.work / "logs").glob("crawl-*.log"))
        if logs and text in logs[-1].read_text(encoding="utf-8", errors="replace"):
            return
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never reached the log")


def interrupt(site: Site, signum: int, times: int = 1) -> subprocess.CompletedProcess:
    """Run cron as a terminal would (its own process group), and once the crawl fetches slowly
    answered articles send ``signum`` as the terminal does: to the whole foreground group."""
    site.add_faults({"match": "finance.sina.com.cn/*", "fault": "slow", "seconds": 3})
    command = cron_command(site, spider_args=("channels=china", "since=2005-01-01"))
    process = subprocess.Popen(command, cwd=ELSEWHERE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        wait_for_log(site, "Channel china", process)
        time.sleep(1)
        for _ in range(times):
            os.killpg(process.pid, signum)
            time.sleep(0.3)
        out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    return subprocess.CompletedProcess(command, process.returncode, out, err)


def assert_next_run_converges(site: Site) -> None:
    assert not list(site.work.glob("crawl.sqlite-*")), "a -wal or -shm file was left beside the state"
    site.add_faults()
    again = site.cron("channels=china", "since=2005-01-01")
    assert again.returncode == 0, again.stdout + again.stderr
    assert set(site.posts()) == ARTICLE_POSTS


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_stops_the_crawl_gracefully_with_a_summary(site, signum, status):
    result = interrupt(site, signum)
    assert result.returncode == status, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert site.summary()["finish_reason"] == "shutdown"
    assert "sina_finance run" in result.stdout
    assert "result     FAILED: finish reason is 'shutdown'" in result.stdout
    assert f"{signal.Signals(signum).name} received; the crawl was asked to stop" in result.stderr
    log = site.crawl_log()
    assert log.count(f"Received {signal.Signals(signum).name}") == 1  # forwarded once, not twice
    assert_next_run_converges(site)


def test_a_second_ctrl_c_forces_the_crawl_to_stop(site):
    result = interrupt(site, signal.SIGINT, times=2)
    assert result.returncode == 130, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "forced to stop (a second signal)" in result.stderr
    assert "Received SIGINT twice, forcing unclean shutdown" in site.crawl_log()
    site.add_faults()
    again = site.cron("channels=china", "since=2005-01-01")
    assert again.returncode == 0, again.stdout + again.stderr
    assert set(site.posts()) == ARTICLE_POSTS


def test_sina_article_run_is_named_and_counts_its_article(site):
    command = cron_command(site, "--spider", "sina_article", spider_args=(f"urls={ARTICLE_URL}",))
    result = subprocess.run(command, cwd=ELSEWHERE, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("sina_article run ")
    assert "(0 roll pages, 1 articles, 0 retries)" in result.stdout
    assert (site.summary()["spider"], site.summary()["article_requests"]) == ("sina_article", 1)
    assert set(site.posts()) == {ARTICLE_POST}


def test_article_requests_prefer_the_spiders_own_count():
    assert summarize({**HEALTHY, "article/requested": 5, "roll/to_fetch/new": 2}, "finished", ["china"])[
        "article_requests"] == 5
    assert summarize({**HEALTHY, "roll/to_fetch/new": 2, "roll/to_fetch/changed": 1}, "finished", ["china"],
                     scheduled_articles=7)["article_requests"] == 3
    assert summarize(HEALTHY, "finished", [], spider="sina_article", scheduled_articles=4)["article_requests"] == 4


TRUNCATED = {**HEALTHY, "roll/truncated": 2,
             "roll/truncated_detail/china": "ROLL_MAX_PAGES=2 reached at 2019-11-25 18:57:38",
             "roll/truncated_detail/stock": "roll API request failed: Connection refused"}


def test_truncated_paging_is_reported_and_fails_the_run():
    summary = summarize(TRUNCATED, "finished", ["china", "stock"])
    assert summary["truncated"] == {"china": "ROLL_MAX_PAGES=2 reached at 2019-11-25 18:57:38",
                                    "stock": "roll API request failed: Connection refused"}
    assert summary["ok"] is False
    assert summary["problems"] == [
        "paging stopped early: china: ROLL_MAX_PAGES=2 reached at 2019-11-25 18:57:38; the next run continues there",
        "paging stopped early: stock: roll API request failed: Connection refused; the next run continues there"]
    allowed = summarize(TRUNCATED, "finished", ["china", "stock"], allow_truncated=True)
    assert (allowed["ok"], allowed["truncated"]) == (True, summary["truncated"])
    assert summarize(HEALTHY, "finished", ["china"])["truncated"] == {}


@pytest.mark.parametrize(("allow", "ok"), [(None, False), ("True", True)])
def test_allow_truncated_setting_reaches_the_summary(tmp_path, allow, ok):
    settings = {"OUTPUT_DIR": str(tmp_path / "out"), "STATE_PATH": str(tmp_path / "state.sqlite")}
    if allow is not None:
        settings["ALLOW_TRUNCATED"] = allow
    crawler = get_crawler(SinaFinanceSpider, settings_dict=settings)
    extension = RunSummary.from_crawler(crawler)
    spider = crawler.spider = SinaFinanceSpider.from_crawler(crawler, channels="china,stock")
    for name, value in TRUNCATED.items():
        crawler.stats.set_value(name, value)
    extension.spider_opened()
    crawler.signals.send_catch_log(signal=signals.spider_closed, spider=spider, reason="finished")
    summary = json.loads((tmp_path / "out" / ".runs" / "last.json").read_text(encoding="utf-8"))
    assert (summary["ok"], sorted(summary["truncated"]), summary["spider"]) == (ok, ["china", "stock"], "sina_finance")


def test_output_folder_that_cannot_be_created_is_named_as_the_cause(site):
    result = site.cron("channels=china", OUTPUT_DIR="/proc/x/posts")
    assert result.returncode == 1
    assert "cannot create the output folder (OUTPUT_DIR)" in result.stderr
    assert "No such file or directory: '/proc/x'" in result.stderr
    assert "roll API" not in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_a_crawl_that_never_opened_reports_the_last_error_of_its_log(tmp_path):
    summary = summarize({}, "shutdown", ["china"], opened=False)
    assert (summary["ok"], summary["crawl_started"]) == (False, False)
    assert summary["problems"] == ["the crawl did not start (the cause is the last error of the log)"]
    log = tmp_path / "crawl.log"
    log.write_text("2026-01-01 00:00:00 [scrapy.core.engine] INFO: Closing spider (shutdown)\nTraceback (most recent "
                   "call last):\n  File \"x\", line 1\nPermissionError: [Errno 13] Permission denied: 'out/2024'\n",
                   encoding="utf-8")
    shown = cron_job.human_summary(cron_job.explain(summary, log), log)
    assert shown.endswith("FAILED: the crawl did not start: PermissionError: [Errno 13] Permission denied: 'out/2024'")
    assert "roll API" not in shown


def test_old_run_summaries_and_logs_are_pruned_with_keep_logs(site):
    runs, logs = site.output / ".runs", site.work / "logs"
    runs.mkdir(parents=True)
    logs.mkdir(parents=True)
    old = time.time() - 40 * 86400
    for path in (runs / "2020-01-01T000000Z.json", runs / "last.json", logs / "crawl-20200101T000000Z.log",
                 runs / "2020-01-20T000000Z.json"):
        path.write_text("{}", encoding="utf-8")
        os.utime(path, (old, old))
    recent = runs / "2020-02-01T000000Z.json"
    recent.write_text("{}", encoding="utf-8")
    os.utime(recent, (time.time() - 10 * 86400,) * 2)
    result = subprocess.run(cron_command(site, "--keep-logs", "30", spider_args=("channels=china",)), cwd=ELSEWHERE,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    names = sorted(p.name for p in runs.iterdir())
    assert "2020-01-01T000000Z.json" not in names and "2020-01-20T000000Z.json" not in names
    assert "2020-02-01T000000Z.json" in names and "last.json" in names
    assert len(names) == 3  # the two kept and this run's own dated summary
    assert json.loads((runs / "last.json").read_text(encoding="utf-8"))["finish_reason"] == "finished"
    logs_left = list(logs.iterdir())
    assert len(logs_left) == 1 and logs_left[0].name != "crawl-20200101T000000Z.log"  # this run's own log


def test_cron_help_describes_every_option_with_its_default():
    result = subprocess.run([sys.executable, "-m", "crawler.cron", "--help"], cwd=ELSEWHERE, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    for shown in ("(default: .state/crawl.lock)", "(default: logs)", "(default: 30)", "(default: sina_finance)",
                  "passed on as scrapy crawl -a", "passed on as scrapy crawl -s", "130/143"):
        assert shown in text
    assert all(action.help for action in cron.build_parser()._actions)


def test_demo_help_is_not_cut_mid_sentence():
    result = subprocess.run([sys.executable, "-m", "crawler.demo", "--help"], cwd=ELSEWHERE, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert ("runs the main crawl, the 7x24 crawl, then the stock news crawl against it through the cron command."
            in text)
    assert "OUTPUT folder for posts/, state/ and logs/ (default: demo-output)" in text


def test_an_unknown_cron_option_is_a_usage_error():
    result = subprocess.run([sys.executable, "-m", "crawler.cron", "--no-such-option"], cwd=ELSEWHERE,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "unrecognized arguments: --no-such-option" in result.stderr
