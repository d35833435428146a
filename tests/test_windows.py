"""Nothing lost, same input same files: windows, marks, truncated paging and categories, through
real ``python -m crawler.cron`` runs against a private copy of the demo snapshot."""

from __future__ import annotations

import json
import shutil
import sqlite3
import time

import frontmatter
import pytest

from tests.support.pages import ARTICLE_POSTS
from tests.support.sites import Site

SOURCE_PAGE = "pages/finance.sina.com.cn/roll/2018-12-28/doc-ihqfskcn2160999.shtml"
CHINA_ROLL = "feed.mix.sina.com.cn/api/roll/get?pageid=155&lid=1686"
# 2016-05-25 10:10:19 Beijing, the ctime of the 2016 article of the demo snapshot.
FOREX_2016_CTIME = 1464142219


@pytest.fixture()
def site(tmp_path):
    site = Site(tmp_path)
    yield site
    site.close()


def high_water(site: Site, channel: str) -> int | None:
    db = sqlite3.connect(site.work / "crawl.sqlite")
    try:
        row = db.execute("SELECT high_water FROM channel_marks WHERE channel=?", (channel,)).fetchone()
    finally:
        db.close()
    return row[0] if row else None


def fill_roll(site: Site, ctimes: list[int]) -> None:
    """Replace the snapshot's roll list by copies of one real page, one per ctime."""
    source = site.snapshot / SOURCE_PAGE
    lines = []
    for n, ctime in enumerate(ctimes):
        doc = f"windowpage{n:04d}"
        url = f"https://finance.sina.com.cn/roll/2018-12-28/doc-i{doc}.shtml"
        shutil.copyfile(source, site.snapshot / "pages" / url.split("://", 1)[1])
        lines.append(json.dumps({"docid": f"comos:{doc}", "url": url, "title": f"第{n}篇", "ctime": str(ctime),
                                 "mtime": str(ctime), "intime": str(ctime), "lists": [[155, 1686]]},
                                ensure_ascii=False))
    (site.snapshot / "roll.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_backfill_before_the_mark_leaves_the_mark_and_loses_nothing(site):
    first = site.cron("channels=china", "since=2016-05-01", "until=2016-05-31")
    assert first.returncode == 0, first.stdout + first.stderr
    assert set(site.posts()) == {"2016-05-25/人民币中间价创逾五年新低 做市商称符合预期.md"}
    assert high_water(site, "china") == FOREX_2016_CTIME  # the window's newest, not the list's

    backfill = site.cron("channels=china", "since=2005-01-01", "until=2012-12-31")
    assert backfill.returncode == 0, backfill.stdout + backfill.stderr
    assert len(site.posts()) == 5
    assert high_water(site, "china") == FOREX_2016_CTIME

    plain = site.cron("channels=china")
    assert plain.returncode == 0, plain.stdout + plain.stderr
    assert set(site.posts()) == ARTICLE_POSTS  # the 2018, 2019 and 2024 articles too


def test_the_page_cap_is_reported_and_repeated_runs_finish_the_backfill(site):
    base = 1_546_000_000  # 2018-12-28 20:26:40 Beijing
    fill_roll(site, [base - n * 60 for n in range(120)])
    counts, truncated = [], []
    for _ in range(3):
        site.cron("channels=china", "since=2018-12-01", ROLL_MAX_PAGES="1")
        summary = site.summary()
        counts.append(summary["new"])
        truncated.append(summary["stats"].get("roll/truncated", 0))
    # The second run goes on from the oldest item of the first (listed again, in case others
    # share its second): 49 new on its one page; the third lists the rest and reaches the start.
    assert counts == [50, 49, 21]
    assert truncated == [1, 1, 0]
    assert len(site.posts()) == 120
    again = site.cron("channels=china", "since=2018-12-01", ROLL_MAX_PAGES="1")
    assert again.returncode == 0, again.stdout + again.stderr
    assert site.summary()["article_requests"] == 0


def test_the_warning_names_the_cap_and_where_paging_stopped(site):
    fill_roll(site, [1_546_000_000 - n * 60 for n in range(60)])
    site.cron("channels=china", "since=2018-12-01", ROLL_MAX_PAGES="1")
    log = site.crawl_log()
    assert "WARNING" in log and "paging stopped before the window's start" in log
    assert "ROLL_MAX_PAGES=1 reached at 2018-12-28 19:37:40" in log  # the 50th item's time
    assert "items down to 2018-12-01 00:00:00 still to list" in log
    assert site.summary()["stats"]["roll/truncated"] == 1


def test_two_identical_first_runs_the_second_fetches_nothing(site):
    now = int(time.time())
    fill_roll(site, [now - 2 * 3600, now - 20 * 3600, now - 30 * 3600])
    first = site.cron("channels=china")
    assert first.returncode == 0, first.stdout + first.stderr
    assert site.summary()["new"] == 2  # the last 24 hours
    second = site.cron("channels=china")
    assert second.returncode == 0, second.stdout + second.stderr
    assert site.summary()["article_requests"] == 0
    assert len(site.posts()) == 2


def categories_of_posts(site: Site) -> dict[str, list[str]]:
    return {name: frontmatter.load(path).metadata["categories"] for name, path in site.posts().items()}


def test_categories_follow_the_channel_table_whatever_replies_arrive_first(site):
    # china's roll reply comes last: before the fix, stock and roll took three of the articles.
    site.add_faults({"match": CHINA_ROLL, "fault": "slow", "seconds": 2})
    result = site.cron("channels=stock,roll,china", "since=2005-01-01")
    assert result.returncode == 0, result.stdout + result.stderr
    categories = categories_of_posts(site)
    assert len(categories) == 8
    assert all(value == ["金融", "新浪财经", "新浪财经－国內"] for value in categories.values()), categories


def test_another_channel_listing_a_known_article_never_rewrites_it(site):
    assert site.cron("channels=china", "since=2005-01-01").returncode == 0
    before = site.mtimes()
    result = site.cron("channels=stock", "since=2005-01-01", "refetch=1")
    assert result.returncode == 0, result.stdout + result.stderr
    summary = site.summary()
    assert (summary["article_requests"], summary["unchanged"], summary["updated"]) == (1, 1, 0)
    assert site.mtimes() == before
