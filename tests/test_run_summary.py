"""The run summary: summarize() from a stats dict, and the RunSummary extension's files."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from scrapy import signals
from scrapy.utils.test import get_crawler

from crawler.plumbing.run_summary import RunSummary, summarize
from crawler.spiders.sina_finance import SinaFinanceSpider

STARTED = datetime(2024, 3, 1, 2, 0, tzinfo=UTC)
HEALTHY = {"start_time": STARTED, "finish_time": datetime(2024, 3, 1, 2, 5, tzinfo=UTC), "roll/pages": 2,
           "export/written": 3, "export/updated": 1, "export/unchanged": 4}


def test_dropped_merges_every_kind_of_lost_article():
    stats = {**HEALTHY, "article/dropped/duplicate": 2, "article/dropped/missing_title": 1,
             "article/not_article/video_page": 3, "article/fetch_failed/TimeoutError": 4,
             "offsite/filtered": 5, "roll/bad_entry": 6}
    summary = summarize(stats, "finished", ["china"])
    assert summary["dropped"] == {"duplicate": 2, "missing_title": 1, "not_article/video_page": 3,
                                  "fetch_failed/TimeoutError": 4, "offsite_redirect": 5, "roll_bad_entry": 6}
    assert (summary["new"], summary["updated"], summary["unchanged"]) == (3, 1, 4)
    assert (summary["ok"], summary["problems"]) == (True, [])
    assert (summary["started"], summary["finished"]) == ("2024-03-01T02:00:00+00:00", "2024-03-01T02:05:00+00:00")


def test_a_run_not_finished_is_not_ok():
    summary = summarize(HEALTHY, "shutdown", ["china"])
    assert summary["ok"] is False
    assert summary["problems"] == ["finish reason is 'shutdown'"]


def test_logged_errors_make_the_run_not_ok():
    summary = summarize({**HEALTHY, "log_count/ERROR": 2}, "finished", ["china"])
    assert (summary["ok"], summary["problems"], summary["errors"]) == (False, ["2 error(s) logged"], 2)


def test_channels_without_a_usable_roll_page_make_the_run_not_ok():
    stats = {"roll/error/roll_status": 1, "roll/error_detail/china": "roll_status: status code 1 (未注册)"}
    summary = summarize(stats, "finished", ["china"])
    assert summary["ok"] is False
    assert summary["problems"] == ["the roll API returned nothing usable (china: roll_status: status code 1 (未注册))"]
    assert summary["roll_errors"] == {"roll_status": 1}
    assert summarize({}, "finished", [])["ok"] is True  # a single-article crawl lists no channel


def test_stats_hold_numeric_counters_only():
    stats = {**HEALTHY, "elapsed_time_seconds": 1.5, "roll/error_detail/china": "text", "flag": True,
             "memusage/max": 1024}
    assert summarize(stats, "finished", ["china"])["stats"] == {
        "elapsed_time_seconds": 1.5, "export/unchanged": 4, "export/updated": 1, "export/written": 3,
        "memusage/max": 1024, "roll/pages": 2}


def test_extension_writes_last_a_dated_copy_and_run_summary_file_alike(tmp_path):
    explicit = tmp_path / "reports" / "summary.json"
    crawler = get_crawler(SinaFinanceSpider, settings_dict={
        "OUTPUT_DIR": str(tmp_path / "out"), "STATE_PATH": str(tmp_path / "state.sqlite"),
        "RUN_SUMMARY_FILE": str(explicit)})
    extension = RunSummary.from_crawler(crawler)
    spider = crawler.spider = SinaFinanceSpider.from_crawler(crawler, channels="china,stock")
    for name, value in HEALTHY.items():
        crawler.stats.set_value(name, value)
    crawler.signals.send_catch_log(signal=signals.spider_closed, spider=spider, reason="finished")
    runs = tmp_path / "out" / ".runs"
    assert sorted(p.name for p in runs.iterdir()) == ["2024-03-01T020000Z.json", "last.json"]
    last = (runs / "last.json").read_bytes()
    assert (runs / "2024-03-01T020000Z.json").read_bytes() == last
    assert explicit.read_bytes() == last
    summary = json.loads(last)
    assert (summary["channels"], summary["finish_reason"], summary["ok"]) == (["china", "stock"], "finished", True)
    assert (summary["new"], summary["roll_pages"]) == (3, 2)
    assert extension.runs_dir == runs


def test_extension_without_run_summary_file_writes_only_the_runs_folder(tmp_path):
    crawler = get_crawler(settings_dict={"OUTPUT_DIR": str(tmp_path / "out")})
    extension = RunSummary.from_crawler(crawler)
    crawler.stats.set_value("start_time", STARTED)
    crawler.signals.send_catch_log(signal=signals.spider_closed, spider=crawler.spidercls.from_crawler(crawler), reason="shutdown")
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "out", "out/.runs", "out/.runs/2024-03-01T020000Z.json", "out/.runs/last.json"]
    summary = json.loads((tmp_path / "out" / ".runs" / "last.json").read_text(encoding="utf-8"))
    assert (summary["channels"], summary["ok"]) == ([], False)
    assert extension.explicit is None
