"""`python -m crawler.stocks SYMBOL`: what the archive holds about a stock, from a SQLite state (after
real crawls of a copy of the demo snapshot, and beside a writer holding the state) and from a Redis
state on a real redis-server (after a real distributed crawl); and the stores' stock calls, which
must answer alike.

The demo's 7x24 day (demo/snapshot/zhibo.jsonl) tags item 4089142 (09:41:27, 贵州茅台盘初涨超1%，
白酒板块走强。) with sh600519 and item 4089156 (10:20:11, 港股恒生指数涨1.05%…) with hk00700.
"""

from __future__ import annotations

import json
import subprocess
import sys

import frontmatter
import pytest

from crawler.sina.pages import read_page
from crawler.store.redis_state import RedisState, connect
from crawler.store.state import SQLiteState
from pipelines.format import render_post
from tests.support.crawl import ELSEWHERE
from tests.support.pages import fixture_pages
from tests.support.sites import Site
from tests.test_stock_news_crawl import P2011, P2024, STOCKS_2011, add_list, cron

URL_2024 = "https://news.sina.com.cn/c/2024-05-10/doc-inausehc2630922.shtml"
POST_7X24 = "2024-05-10/新浪财经7x24 2024-05-10.md"


def stocks(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawler.stocks", *args], cwd=ELSEWHERE, capture_output=True,
                          text=True, timeout=60)


@pytest.fixture()
def site(tmp_path):
    site = Site(tmp_path)
    add_list(site, "sh600519", 1, [("2024-05-10 00:26", URL_2024, "城市有轨电车之困")], False)
    yield site
    site.close()


def crawl_all(site: Site, **settings: str) -> None:
    """The main job, the 7x24 day and the stock news of sh600519, each a real cron run."""
    for spider, args in (("sina_finance", ("channels=china", "since=2005-01-01")),
                         ("sina_7x24", ("since=2024-05-10",)),
                         ("sina_stock_news", ("symbols=sh600519", "since=2024-05-01"))):
        result = cron(site, *args, spider=spider, **settings)
        assert result.returncode == 0, result.stdout + result.stderr


def test_a_symbol_s_articles_and_7x24_items_newest_first_from_a_sqlite_state(site):
    crawl_all(site)
    state, out = site.work / "crawl.sqlite", site.output
    result = stocks("sh600519", "--state", str(state), "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "2024-05-10 09:41  7x24     贵州茅台盘初涨超1%，白酒板块走强。\n"
        f"    {out / POST_7X24}\n"
        "2024-05-10 00:26  article  城市有轨电车之困：一边争相上马，一边接连叫停\n"
        f"    {out / P2024}\n"
        f"    {URL_2024}\n")

    as_json = stocks("sh600519", "--state", str(state), "--output", str(out), "--json")
    lines = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert [(line["kind"], line["time"], line["key"], line["stocks"]) for line in lines] == [
        ("7x24", "2024-05-10T09:41:27+08:00", "7x24:4089142", ["sh600519"]),
        ("article", "2024-05-10T00:26:45+08:00", "nausehc2630922", ["sh600519"])]
    assert (lines[1]["path"], lines[1]["url"], lines[0]["url"]) == (str(out / P2024), URL_2024, None)

    later = stocks("sh600519", "--state", str(state), "--output", str(out), "--since", "2024-05-10T05:00")
    assert [line.split("  ")[1] for line in later.stdout.splitlines() if not line.startswith(" ")] == ["7x24"]
    hk = stocks("hk00700", "--state", str(state), "--output", str(out))
    assert hk.stdout.splitlines()[0] == "2024-05-10 10:20  7x24     港股恒生指数涨1.05%，恒生科技指数涨1.62%，腾讯控股涨2%。"
    # The 2011 page names sh600827 in its body: found though no list of it was read.
    body = stocks("sh600827", "--state", str(state), "--output", str(out))
    assert body.stdout.splitlines()[1] == f"    {out / P2011}"
    none = stocks("sz000002", "--state", str(state), "--since", "2024-01-01")
    assert (none.returncode, none.stdout, none.stderr) == (0, "", "nothing about sz000002 in the state since 2024-01-01\n")


def test_it_reads_beside_a_writer_holding_the_state_and_changes_nothing(site):
    crawl_all(site)
    channels = subprocess.run([sys.executable, "-m", "crawler.channels", "--state", str(site.work / "crawl.sqlite")],
                              cwd=ELSEWHERE, capture_output=True, text=True, timeout=60)
    row = next(line for line in channels.stdout.splitlines() if line.startswith("stock_news "))
    assert row.split()[:4] == ["stock_news", "个股资讯", "个股资讯", "1"] and "2024-05-10 00:26" in row
    assert "also holds" not in channels.stdout
    path = site.work / "crawl.sqlite"
    writer = SQLiteState(path)
    writer.db.execute("BEGIN IMMEDIATE")  # a crawl in the middle of a write
    try:
        result = stocks("sh600519", "--state", str(path), "--output", str(site.output), "--json")
    finally:
        writer.db.execute("ROLLBACK")
        writer.close()
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 2


def test_usage_and_state_errors(tmp_path):
    bad = stocks("600519", "--state", str(tmp_path / "none.sqlite"))
    assert bad.returncode == 2 and "'600519' is not a symbol" in bad.stderr
    missing = stocks("sh600519", "--state", str(tmp_path / "none.sqlite"))
    assert (missing.returncode, missing.stderr) == (1, f"python -m crawler.stocks: no state file at "
                                                       f"{tmp_path / 'none.sqlite'}\n")
    (tmp_path / "junk.sqlite").write_bytes(b"not a database at all" * 100)
    junk = stocks("sh600519", "--state", str(tmp_path / "junk.sqlite"))
    assert junk.returncode == 1 and "cannot be read" in junk.stderr and "Traceback" not in junk.stderr


def test_from_a_redis_state_after_a_distributed_crawl(site, redis_server):
    redis_server.client().flushall()
    crawl_all(site, REDIS_URL=redis_server.url, REDIS_IDLE_CLOSE="1")
    result = stocks("sh600519", "--redis", redis_server.url, "--output", str(site.output))
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "2024-05-10 09:41  7x24     贵州茅台盘初涨超1%，白酒板块走强。\n"
        f"    {site.output / POST_7X24}\n"
        "2024-05-10 00:26  article  城市有轨电车之困：一边争相上马，一边接连叫停\n"
        f"    {site.output / P2024}\n"
        f"    {URL_2024}\n")
    empty = stocks("sh600519", "--redis", redis_server.url, "--prefix", "nobody")
    assert empty.returncode == 1 and "no crawl state at" in empty.stderr


def exercise_stocks(state) -> list:
    state.record("a1", "https://x/a1", "/out/a.md", "h1", 1, "written", "china", title="A",
                 published="2024-05-10T08:00:00+08:00", categories=["x"], stocks=["sh600519", "hk00700"])
    state.record("b2", "https://x/b2", "/out/b.md", "h2", None, "written", None, title="B",
                 published="2024-05-09T08:00:00+08:00")
    state.add_stocks("b2", ["sz000002"])
    state.add_stocks("a1", ["sh600519", "usAAPL"])
    state.add_stocks("zz", ["sh600000"])  # nobody: nothing happens
    state.record("a1", "https://x/a1", "/out/a.md", "h3", 2, "written", "china", title="A",
                 published="2024-05-10T08:00:00+08:00", stocks=["sz000001"])
    return [[(p.doc_id, p.stocks) for p in state.posts()],
            [p.doc_id for p in state.posts_about("sh600519")], [p.doc_id for p in state.posts_about("sz000002")],
            state.posts_about("sh60051"), state.article("zz")]


def test_the_stores_tag_and_find_alike(tmp_path, redis_server):
    redis_server.client().flushall()
    expected = [[("a1", ("sz000001", "sh600519", "hk00700", "usAAPL")), ("b2", ("sz000002",))],
                ["a1"], ["b2"], [], None]
    assert exercise_stocks(SQLiteState(tmp_path / "s.sqlite")) == expected
    assert exercise_stocks(RedisState(connect(redis_server.url), "t", redis_server.url)) == expected


def exercise_retagging(state) -> list:
    state.record("a1", "https://x/a1", "/out/a.md", "h1", 1, "written", title="A", stocks=["sh600519"])
    state.record("a1", "https://x/a1", "/out/a.md", "h2", 2, "written", title="A")  # no stocks given: kept
    state.record("c3", "https://x/c3", "/out/c.md", "h3", 3, "written", title="C", stocks=[])  # none found
    state.record("d4", "https://x/d4", "/out/d.md", "h4", 4, "written", title="D")  # never looked at
    return [(p.doc_id, p.stocks) for p in state.posts()] + [[p.doc_id for p in state.posts_about("sh600519")]]


def test_the_stores_keep_tags_recorded_again_without_stocks_alike(tmp_path, redis_server):
    redis_server.client().flushall()
    expected = [("a1", ("sh600519",)), ("c3", ()), ("d4", None), ["a1"]]
    assert exercise_retagging(SQLiteState(tmp_path / "s.sqlite")) == expected
    assert exercise_retagging(RedisState(connect(redis_server.url), "t", redis_server.url)) == expected


def test_a_state_written_before_stocks_has_no_tags_until_recorded_again(tmp_path):
    path = tmp_path / "old.sqlite"
    state = SQLiteState(path)
    state.record("a1", "https://x/a1", "/out/a.md", "h1", 1, "written", "china", title="A",
                 published="2024-05-10T08:00:00+08:00")
    state.db.execute("ALTER TABLE articles DROP COLUMN stocks")
    state.close()
    assert [p.stocks for p in SQLiteState.read_only_posts(path)] == [None]
    assert stocks("sh600519", "--state", str(path)).returncode == 0
    reopened = SQLiteState(path)  # a crawl adds the column
    assert [p.stocks for p in reopened.posts()] == [None]
    reopened.close()


def test_stocks_in_the_front_matter_only_when_asked():
    pages = {page.stem: page for page in fixture_pages()}
    zebra = pages["zebra_finance_stock_2011-08-22_145810356592.shtml"]
    article = read_page(zebra.url, zebra.body(), zebra.headers)
    asked = render_post(article, "seed", ["doc_id", "stocks"])
    assert "\ndoc_id: '145810356592'\nstocks: [sh600631, sh600827, sh600632, sh600607, sh600825]\n---\n" in asked
    assert frontmatter.loads(asked)["stocks"] == STOCKS_2011
    assert "stocks" not in render_post(article).split("\n---\n", 2)[1]
    news = pages["gne_news.sina_2019-11-25_iihnzahi3275702"]
    none = render_post(read_page(news.url, news.body(), news.headers), "seed", ["stocks"])
    assert "\nstocks: []\n---\n" in none and frontmatter.loads(none)["stocks"] == []
