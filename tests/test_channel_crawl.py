"""The main job end to end: `python -m crawler.cron` (and so `scrapy crawl sina_finance`)
as real subprocesses against the demo snapshot served by the mirror on loopback."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time

import pytest

from tests.support.crawl import ELSEWHERE
from tests.support.pages import ARTICLE_POSTS, fixture_pages
from tests.support.sites import DEMO, Site

FINANCE_2018_PAGE = "pages/finance.sina.com.cn/roll/2018-12-28/doc-ihqfskcn2160999.shtml"
FINANCE_2018_POST = '2018-12-28/60万"12306账号"外泄_ 中铁总辟谣称消息不实.md'
# The newest article: within UPDATE_LOOKBACK_HOURS of the high-water mark, so its edits are seen.
CHANGED_PAGE = "pages/news.sina.com.cn/c/2024-05-10/doc-inausehc2630922.shtml"
CHANGED_POST = "2024-05-10/城市有轨电车之困：一边争相上马，一边接连叫停.md"


@pytest.fixture()
def site(tmp_path):
    site = Site(tmp_path)
    yield site
    site.close()


def test_first_run_second_run_and_an_update(site):
    first = site.cron("channels=china,roll,stock", "since=2005-01-01")
    assert first.returncode == 0, first.stdout + first.stderr
    assert set(site.posts()) == ARTICLE_POSTS
    summary = site.summary()
    assert (summary["new"], summary["updated"], summary["unchanged"], summary["errors"]) == (8, 0, 0, 0)
    # 2018-12-28 and 2016-05-25 are listed by two channels and 2011-08-22 by two: fetched once each.
    assert summary["article_requests"] == 8
    assert "posts      8 new, 0 updated, 0 unchanged" in first.stdout
    print("first run requests:", summary["requests"])

    before = site.mtimes()
    second = site.cron("channels=china,roll,stock")
    assert second.returncode == 0, second.stdout + second.stderr
    summary = site.summary()
    assert summary["article_requests"] == 0
    assert (summary["new"], summary["updated"]) == (0, 0)
    # One page per channel plus robots.txt for the API host: no article was requested.
    assert summary["roll_pages"] == 3
    assert summary["requests"] == summary["roll_pages"] + 1
    assert site.mtimes() == before
    print("second run requests:", summary["requests"])

    page = site.snapshot / CHANGED_PAGE
    page.write_bytes(page.read_bytes().replace("珠海唯一的有轨电车".encode(), "珠海唯一一条有轨电车".encode()))
    site.edit_roll("nausehc2630922", mtime="1715400000")
    third = site.cron("channels=china,roll,stock")
    assert third.returncode == 0, third.stdout + third.stderr
    summary = site.summary()
    assert (summary["new"], summary["updated"], summary["article_requests"]) == (0, 1, 1)
    after = site.mtimes()
    assert set(after) == ARTICLE_POSTS
    assert {name for name in after if after[name] != before[name]} == {CHANGED_POST}
    assert "珠海唯一一条有轨电车" in site.posts()[CHANGED_POST].read_text(encoding="utf-8")
    print("third run requests:", summary["requests"])


def test_backfill_window_writes_exactly_the_articles_inside_it(site):
    result = site.cron("channels=china", "since=2011-01-01", "until=2016-05-25")
    assert result.returncode == 0, result.stdout + result.stderr
    assert set(site.posts()) == {
        "2011-08-22/百联集团重组腾挪术：低买高卖转手套利15亿.md",
        "2012-01-13/去年汽车销量增幅创13年新低 政策退潮致销量下滑.md",
        "2016-05-25/人民币中间价创逾五年新低 做市商称符合预期.md",
    }


def test_article_listed_in_two_channels_gives_one_file(site):
    result = site.cron("channels=roll,china", "since=2018-12-28", "until=2018-12-28")
    assert result.returncode == 0, result.stdout + result.stderr
    assert set(site.posts()) == {FINANCE_2018_POST}
    assert site.summary()["article_requests"] == 1


def test_post_date_and_title_come_from_the_roll_api(site):
    site.edit_roll("hqfskcn2160999", title="API 标题", intime="1546000000")
    result = site.cron("channels=china", "since=2018-12-28", "until=2018-12-28")
    assert result.returncode == 0, result.stdout + result.stderr
    post = site.output / "2018-12-28" / "API 标题.md"
    text = post.read_text(encoding="utf-8")
    assert "\ntitle: 'API 标题'\n" in text
    assert "\ndate: Fri, 28 Dec 2018 12:26:40 GMT\n" in text  # 1546000000
    assert "\n - 新浪财经－国內\n" in text


def test_channel_categories_go_into_the_post(site):
    result = site.cron("channels=stock", "since=2011-08-22", "until=2011-08-22")
    assert result.returncode == 0, result.stdout + result.stderr
    text = site.posts()["2011-08-22/百联集团重组腾挪术：低买高卖转手套利15亿.md"].read_text(encoding="utf-8")
    assert "categories: \n - 金融\n - 新浪财经\n - 新浪财经－股市\nheadimg:" in text


def test_second_run_while_the_first_holds_the_lock_exits_at_once(site):
    # The first run is slowed down by a politeness delay, so it still holds the lock.
    first = site.cron("channels=china", "since=2005-01-01", wait=False, DOWNLOAD_DELAY="1")
    lock = site.work / "crawl.lock"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (lock.exists() and lock.read_text(encoding="utf-8")):
        time.sleep(0.1)
    started = time.monotonic()
    second = site.cron("channels=china")
    assert second.returncode == 75
    assert time.monotonic() - started < 10
    assert f'"pid": {first.pid}' in second.stderr
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0, out + err


def test_roll_api_error_code_fails_the_run_with_the_reason(site, tmp_path):
    channels = tmp_path / "channels.yaml"
    channels.write_text(
        "wrong_pair:\n  pageid: 153\n  lid: 1686\n  referer: https://finance.sina.com.cn/\n"
        "  categories: [金融, 新浪财经, 新浪财经－国內]\n  default: true\n",
        encoding="utf-8",
    )
    result = site.cron(CHANNELS_FILE=str(channels))
    assert result.returncode == 65  # drifted: Sina replied, not with a list
    assert "未注册" in result.stdout
    assert "  drifted    wrong_pair: roll API: " in result.stdout  # the cause, under its channel
    assert "the roll API returned nothing usable" in " ".join(site.summary()["problems"])
    assert site.summary()["roll_errors"] == {"roll_unregistered": 1}
    # One line names the channel and its pair.
    assert ("ERROR: Channel wrong_pair: pageid 153 / lid 1686 answers 未注册: the pair is wrong or retired; "
            "fix it in the channel file") in site.crawl_log()


def test_paging_follows_the_ctime_cursor_when_page_numbers_run_dry(tmp_path):
    site = Site(tmp_path, "--roll-max-page", "1")
    try:
        source = site.snapshot / FINANCE_2018_PAGE
        lines = []
        for n in range(120):
            doc = f"benchpage{n:05d}"
            url = f"https://finance.sina.com.cn/roll/2018-12-28/doc-i{doc}.shtml"
            target = site.snapshot / "pages" / url.split("://", 1)[1]
            shutil.copyfile(source, target)
            stamp = str(1546000000 - n * 60)
            lines.append(json.dumps({"docid": f"comos:{doc}", "url": url, "title": f"第{n}篇", "ctime": stamp,
                                     "mtime": stamp, "intime": stamp, "lists": [[155, 1686]]}, ensure_ascii=False))
        (site.snapshot / "roll.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        result = site.cron("channels=china", "since=2018-12-01")
        assert result.returncode == 0, result.stdout + result.stderr
        assert len(site.posts()) == 120
        assert site.summary()["stats"]["roll/cursor_switch"] == 2
    finally:
        site.close()


def test_refetch_and_reset_state(site):
    assert site.cron("channels=china", "since=2005-01-01").returncode == 0
    before = site.mtimes()
    refetch = site.cron("channels=china", "since=2005-01-01", "refetch=1")
    assert refetch.returncode == 0, refetch.stdout
    summary = site.summary()
    assert (summary["article_requests"], summary["unchanged"], summary["new"]) == (8, 8, 0)
    reset = site.cron("channels=china", "reset_state=1", "since=2005-01-01")
    assert reset.returncode == 0, reset.stdout
    summary = site.summary()
    # The state forgot every doc id, so all are fetched again; the files already hold those bytes.
    assert (summary["article_requests"], summary["unchanged"], summary["new"]) == (8, 8, 0)
    assert site.mtimes() == before


def test_older_roll_host_serves_the_same_crawl(site):
    result = site.cron("channels=china", "since=2005-01-01", ROLL_API_HOST="feed.sina.com.cn", LOG_LEVEL="DEBUG")
    assert result.returncode == 0, result.stdout + result.stderr
    assert set(site.posts()) == ARTICLE_POSTS
    assert "Crawled (200) <GET https://feed.sina.com.cn/api/roll/get?pageid=155&lid=1686&num=50&page=1>" in site.crawl_log()


def test_offline_demo_runs_the_main_crawl(tmp_path):
    result = subprocess.run([sys.executable, "-m", "crawler.demo", str(tmp_path / "demo")], cwd=ELSEWHERE,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "posts      8 new, 0 updated, 0 unchanged" in result.stdout
    assert "items      24 new, 0 updated, 0 unchanged" in result.stdout  # demo/snapshot/zhibo.jsonl
    # The 个股资讯 list of sh600631 lists six articles the main crawl wrote: tagged, none fetched again.
    assert "symbol     sh600631: 6 listed in the window, 3 page(s) read; the list ends at page 3" in result.stdout
    assert "(3 list pages, 0 articles, 0 retries)" in result.stdout
    posts = {str(p.relative_to(tmp_path / "demo" / "posts")) for p in (tmp_path / "demo" / "posts").rglob("*.md")}
    assert posts == ARTICLE_POSTS | {"2024-05-10/新浪财经7x24 2024-05-10.md"}


def test_demo_snapshot_pages_are_the_fixture_pages_unchanged():
    listed = {page.snapshot_path(): page for page in fixture_pages()}
    # The 个股资讯 list pages of sh600631 are hand-made (tests/test_stock_news_crawl.py): not fixture pages.
    demo_pages = [p for p in (DEMO / "pages").rglob("*")
                  if p.is_file() and "vip.stock.finance.sina.com.cn" not in p.parts]
    assert len(demo_pages) == 8
    for path in demo_pages:
        page = listed[str(path.relative_to(DEMO / "pages"))]
        assert path.read_bytes() == page.path.read_bytes()
