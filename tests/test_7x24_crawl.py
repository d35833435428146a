"""`scrapy crawl sina_7x24` end to end: `python -m crawler.cron --spider sina_7x24` as real
subprocesses against a copy of the demo snapshot (demo/snapshot/zhibo.jsonl: 24 items of
2024-05-10, ids 4089100 + 7n) served by the mirror, ten items a page."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.support.crawl import ELSEWHERE, crawl_command
from tests.support.sites import Site

POST = "2024-05-10/新浪财经7x24 2024-05-10.md"
IDS = [4089100 + 7 * n for n in range(24)]


@pytest.fixture()
def site(tmp_path):
    site = Site(tmp_path)
    yield site
    site.close()


def cron(site: Site, *args: str, strict: bool = False, **settings: str) -> subprocess.CompletedProcess:
    """``python -m crawler.cron --spider sina_7x24 [--strict] -a ARG …`` against the site."""
    entry = ["-m", "crawler.cron", "--spider", "sina_7x24", *(["--strict"] if strict else []),
             "--lock", str(site.work / "crawl.lock"), "--log-dir", str(site.work / "logs")]
    command = crawl_command(entry, mirror=site.mirror, output=site.output, state=site.work / "crawl.sqlite",
                            spider_args=args, **settings)
    return subprocess.run(command, cwd=ELSEWHERE, capture_output=True, text=True, timeout=300)


def item_ids(text: str) -> list[int]:
    return [int(part.split('"', 1)[0]) for part in text.split('id="zhibo-')[1:]]


def add_items(site: Site, *items: dict) -> None:
    with (site.snapshot / "zhibo.jsonl").open("a", encoding="utf-8") as feed:
        for item in items:
            feed.write(json.dumps({"zhibo_id": 152, "tag": [], "ext": "{}", **item}, ensure_ascii=False) + "\n")


def test_a_day_post_then_nothing_new_then_new_items_on_two_days(site):
    first = cron(site, "since=2024-05-10")
    assert first.returncode == 0, first.stdout + first.stderr
    assert set(site.posts()) == {POST}
    text = site.posts()[POST].read_text(encoding="utf-8")
    assert text.startswith("\n---\ntitle: '新浪财经7x24 2024-05-10'\ncategories: \n - 金融\n - 新浪财经\n - 新浪财经－7x24\n"
                           "headimg: 'https://n.sinaimg.cn/finance/724/w600h400/20240510/demo-chart.png'\n"
                           "author: 新浪财经\ncomments: false\ndate: Thu, 09 May 2024 23:02:11 GMT\n")
    assert item_ids(text) == IDS  # oldest first
    # A list a theme can style: one <li> per item, its time in a <time>.
    assert "\n---\n\n<div>   \n<ol class=\"zhibo-list\">\n<li class=\"zhibo-item\" id=\"zhibo-4089100\">" in text
    assert text.endswith("</li>\n</ol>  \n</div>\n" + " " * 12)
    assert ('<li class="zhibo-item" id="zhibo-4089142"><time datetime="2024-05-10T09:41:27+08:00">09:41:27</time> '
            '贵州茅台盘初涨超1%，白酒板块走强。<div class="zhibo-meta">标签：A股、公司 · 股票：<a href="https://finance.sina.com.cn/'
            'realstock/company/sh600519/nc.shtml">贵州茅台（sh600519）</a></div></li>\n') in text
    assert ('<a href="https://news.sina.com.cn/c/2024-05-10/doc-inausehc2630922.shtml">原文</a></div></li>'
            in text)
    assert "&#123;编辑注：今日快讯到此结束&#125;" in text
    lines = [json.loads(line) for line in (site.output / "7x24.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == IDS
    assert lines[6] == {"feed": "7x24", "id": 4089142, "created": "2024-05-10T09:41:27+08:00",
                        "text": "贵州茅台盘初涨超1%，白酒板块走强。", "tags": ["A股", "公司"], "tag_ids": [10, 3],
                        "docurl": "",
                        "stocks": [{"market": "cn", "symbol": "sh600519", "key": "贵州茅台"}], "path": POST}
    summary = site.summary()
    assert summary["live_items"] == {"new": 24, "updated": 0, "unchanged": 0}
    assert summary["feed_pages"] == 3  # 20 asked for, 10 served: paged by the reply
    assert summary["channel_health"]["7x24"] == {"newest": "2024-05-10T23:59:10+08:00",
                                                 "age_hours": summary["channel_health"]["7x24"]["age_hours"],
                                                 "listed": 24}
    assert summary["stale_channels"]["7x24"].startswith("newest item 2024-05-10 23:59:10 is ")
    assert "  posts      1 new, 0 updated, 0 unchanged" in first.stdout  # one day post
    assert "  items      24 new, 0 updated, 0 unchanged" in first.stdout
    assert "  stale      7x24: newest item 2024-05-10 23:59:10" in first.stdout

    before = site.mtimes()
    second = cron(site)
    assert second.returncode == 0, second.stdout + second.stderr
    summary = site.summary()
    assert (summary["feed_pages"], summary["requests"]) == (1, 2)  # page 1 reaches the mark; robots.txt
    assert summary["live_items"] == {"new": 0, "updated": 0, "unchanged": 0}
    assert (summary["new"], summary["updated"]) == (0, 0)
    assert site.mtimes() == before

    add_items(site, {"id": 4089270, "rich_text": "深夜快讯一条。", "create_time": "2024-05-10 23:59:50"},
              {"id": 4089277, "rich_text": "次日第一条。", "create_time": "2024-05-11 00:00:30"})
    third = cron(site)
    assert third.returncode == 0, third.stdout + third.stderr
    assert set(site.posts()) == {POST, "2024-05-11/新浪财经7x24 2024-05-11.md"}
    assert item_ids(site.posts()[POST].read_text(encoding="utf-8")) == [*IDS, 4089270]
    assert item_ids(site.posts()["2024-05-11/新浪财经7x24 2024-05-11.md"].read_text(encoding="utf-8")) == [4089277]
    assert site.summary()["live_items"]["new"] == 2
    assert (site.summary()["new"], site.summary()["updated"]) == (1, 1)  # 05-11 created, 05-10 rewritten

    # An item Sina no longer lists stays in its day post; an edited one is rewritten in place.
    feed = site.snapshot / "zhibo.jsonl"
    rows = [json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines()]
    rows = [row for row in rows if row["id"] != 4089142]
    for row in rows:
        if row["id"] == 4089100:
            row["rich_text"] = "【更正】美股三大指数收盘涨跌不一。"
    feed.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    backfill = cron(site, "since=2024-05-10", "until=2024-05-10")
    assert backfill.returncode == 0, backfill.stdout + backfill.stderr
    text = site.posts()[POST].read_text(encoding="utf-8")
    assert item_ids(text) == [*IDS, 4089270]
    assert '<time datetime="2024-05-10T07:02:11+08:00">07:02:11</time> 【更正】美股三大指数收盘涨跌不一。' in text
    assert site.summary()["live_items"] == {"new": 0, "updated": 1, "unchanged": 23}
    assert (site.summary()["new"], site.summary()["updated"]) == (0, 1)

    assert cron(site, strict=True).returncode == 3  # the demo day is long past: stale


def test_a_broken_reply_fails_the_run_and_keeps_the_mark_then_retries_recover(site):
    assert cron(site, "since=2024-05-10").returncode == 0
    add_items(site, {"id": 4089270, "rich_text": "新的一条。", "create_time": "2024-05-10 23:59:50"})
    site.add_faults({"match": "zhibo.sina.com.cn/api/zhibo/feed?page=1", "fault": "reply", "body": "<html>维护中</html>"})
    broken = cron(site)
    assert broken.returncode == 65  # drifted: a reply the code does not read
    summary = site.summary()
    assert summary["roll_errors"] == {"zhibo/feed_not_json": 1}
    assert summary["problems"][0].startswith("drifted: 7x24: 7x24 feed: feed_not_json")
    assert summary["problems"][1].startswith("1 error(s) logged")
    assert "7x24 feed unusable for 7x24" in site.crawl_log()

    site.add_faults({"match": "zhibo.sina.com.cn/api/zhibo/feed?page=1", "fault": "status", "status": 503, "times": 2})
    recovered = cron(site, RETRY_BACKOFF_BASE="0.1")
    assert recovered.returncode == 0, recovered.stdout + recovered.stderr
    assert site.summary()["retries"] == 2
    assert item_ids(site.posts()[POST].read_text(encoding="utf-8")) == [*IDS, 4089270]


def test_a_bad_feed_name_is_a_usage_error(site):
    result = cron(site, "feeds=nope")
    assert result.returncode == 2
    assert "unknown feed(s) nope" in result.stderr and "Traceback" not in result.stderr


def test_paging_stopped_by_max_pages_keeps_the_mark_and_a_bad_item_is_counted(site):
    # An id that is not a number: the mirror serves it after every numbered item (page 3 of 3).
    add_items(site, {"id": "abc", "rich_text": "坏的一条。", "create_time": "2024-05-10 23:59:59"})
    short = cron(site, "since=2024-05-10", "max_pages=1")
    assert short.returncode == 1  # paging stopped before the window's start
    summary = site.summary()
    assert summary["truncated"] == {"7x24": "ZHIBO_MAX_PAGES=1 reached"}
    assert summary["live_items"]["new"] == 10  # page 1: the ten newest
    assert "Feed 7x24: paging stopped early (ZHIBO_MAX_PAGES=1 reached)" in site.crawl_log()
    # No mark was set: a plain run lists the last 24 hours (nothing of 2024) and writes nothing.
    plain = cron(site)
    assert plain.returncode == 0, plain.stdout + plain.stderr
    assert item_ids(site.posts()[POST].read_text(encoding="utf-8")) == IDS[-10:]
    again = cron(site, "since=2024-05-10")
    assert again.returncode == 0, again.stdout + again.stderr
    assert item_ids(site.posts()[POST].read_text(encoding="utf-8")) == IDS
    assert site.summary()["dropped"] == {"feed_bad_item": 1}
    assert "Skipping a 7x24 item of 7x24: ValueError: id 'abc' is not a number" in site.crawl_log()
