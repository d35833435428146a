"""`scrapy crawl sina_stock_news` end to end: `python -m crawler.cron --spider sina_stock_news` as real
subprocesses against a copy of the demo snapshot served by the mirror.

The demo's 个股资讯 list of sh600631 (demo/snapshot/pages/vip.stock.finance.sina.com.cn/corp/view/
vCB_AllNewsStock.php?symbol=sh600631&Page=N, hand-made in the real page's layout, GB18030 bytes
declared only in a <meta>; the mirror sends no charset) has three pages:
  1: 2024-05-10 00:26 (2024 news page), 2018-12-28 19:55 (2018), 2016-05-25 10:10 (2016)
  2: 2012-01-13 09:53 (2012), 2011-08-22 14:58 (2011)
  3: 2005-08-26 05:39 (2005 mobile page), no 下一页
Tests add other symbols' lists to their copy. Expected posts are the golden posts of the saved
pages (tests/fixtures/pages/*/expected.md) with the 个股资讯 category instead of the seed one.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.support.crawl import ELSEWHERE, crawl_command
from tests.support.pages import ARTICLE_POSTS, fixture_pages
from tests.support.sites import Site

LIST_DIR = ("pages", "vip.stock.finance.sina.com.cn", "corp", "view")
P2024 = "2024-05-10/城市有轨电车之困：一边争相上马，一边接连叫停.md"
P2019 = "2019-11-25/中国人习以为常的地方 为何老外却说_了不得_？.md"
P2018 = '2018-12-28/60万"12306账号"外泄_ 中铁总辟谣称消息不实.md'
P2016 = "2016-05-25/人民币中间价创逾五年新低 做市商称符合预期.md"
P2012 = "2012-01-13/去年汽车销量增幅创13年新低 政策退潮致销量下滑.md"
P2011 = "2011-08-22/百联集团重组腾挪术：低买高卖转手套利15亿.md"
P2005 = "2005-08-26/创业环保第一季度报告会计差错的提示性公告.md"
SH600631 = {P2024, P2018, P2016, P2012, P2011, P2005}
URL_2019 = "https://news.sina.com.cn/c/2019-11-25/doc-iihnzahi3275702.shtml"
URL_2011 = "http://finance.sina.com.cn/stock/s/20110822/145810356592.shtml"
# The 2011 page's own mentions (tests/fixtures/pages/NOTES.md, "stocks").
STOCKS_2011 = ["sh600631", "sh600827", "sh600632", "sh600607", "sh600825"]


@pytest.fixture()
def site(tmp_path):
    site = Site(tmp_path)
    yield site
    site.close()


def cron(site: Site, *args: str, spider: str = "sina_stock_news", **settings: str) -> subprocess.CompletedProcess:
    entry = ["-m", "crawler.cron", "--spider", spider, "--lock", str(site.work / "crawl.lock"),
             "--log-dir", str(site.work / "logs")]
    command = crawl_command(entry, mirror=site.mirror, output=site.output, state=site.work / "crawl.sqlite",
                            spider_args=args, **settings)
    return subprocess.run(command, cwd=ELSEWHERE, capture_output=True, text=True, timeout=300)


def add_list(site: Site, symbol: str, page: int, rows: list[tuple[str, str, str]], has_next: bool) -> bytes:
    """A hand-made list page in the real page's layout, GBK bytes, served without a charset header."""
    body = "".join(f"&nbsp;&nbsp;&nbsp;&nbsp;{when.replace(' ', '&nbsp;')}&nbsp;&nbsp;<a target='_blank' "
                   f"href='{url}'>{title}</a> <br>" for when, url, title in rows)
    more = (f"<a href='http://vip.stock.finance.sina.com.cn/corp/view/vCB_AllNewsStock.php?symbol={symbol}"
            f"&Page={page + 1}'>下一页</a>") if has_next else ""
    html = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312" /></head><body>'
            f'<div class="datelist"><ul>{body}</ul></div><div style="float:right;">第{page}页 {more}</div>'
            "</body></html>")
    data = html.encode("gbk")
    folder = site.snapshot.joinpath(*LIST_DIR)
    (folder / f"vCB_AllNewsStock.php?symbol={symbol}&Page={page}").write_bytes(data)
    return data


def manifest(site: Site) -> dict[str, dict]:
    lines = (site.output / "index.jsonl").read_text(encoding="utf-8").splitlines()
    return {line["path"]: line for line in map(json.loads, lines)}


def golden_with_stock_news_category() -> dict[str, bytes]:
    posts = {}
    for page in fixture_pages():
        if page.is_article:
            name = next(n for n in ARTICLE_POSTS if n.startswith(page.expected()["published_at"][:10]))
            posts[name] = page.expected_post().replace("新浪财经－国內".encode(), "新浪财经－个股资讯".encode())
    return posts


def test_two_symbols_page_down_tag_every_article_and_a_rerun_fetches_nothing(site):
    add_list(site, "sz000002", 1, [("2019-11-25 10:00", URL_2019, "中国人习以为常的地方"),
                                   ("2011-08-22 14:58", URL_2011, "百联集团重组腾挪术")], False)
    first = cron(site, "symbols=sh600631,sz000002", "since=2005-01-01")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "symbol     sh600631: 6 listed in the window, 3 page(s) read; the list ends at page 3" in first.stdout
    assert "symbol     sz000002: 2 listed in the window, 1 page(s) read; the list ends at page 1" in first.stdout
    summary = site.summary()
    assert (summary["list_pages"], summary["article_requests"], summary["new"]) == (4, 7, 7)
    posts = site.posts()
    assert set(posts) == SH600631 | {P2019}
    golden = golden_with_stock_news_category()
    for name, path in posts.items():
        assert path.read_bytes() == golden[name], name
    lines = manifest(site)
    assert {name: line["stocks"] for name, line in lines.items()} == {
        P2024: ["sh600631"], P2018: ["sh600631"], P2016: ["sh600631"], P2012: ["sh600631"], P2005: ["sh600631"],
        P2011: [*STOCKS_2011, "sz000002"], P2019: ["sz000002"]}
    assert {line["channel"] for line in lines.values()} == {"stock_news"}
    assert {tuple(line["categories"]) for line in lines.values()} == {("金融", "新浪财经", "新浪财经－个股资讯")}

    before = site.mtimes()
    second = cron(site, "symbols=sh600631,sz000002")
    assert second.returncode == 0, second.stdout + second.stderr
    summary = site.summary()
    # From each mark less 48 h: sh600631 stops at its 2018 row on page 1, sz000002 at its 2011 row.
    assert (summary["list_pages"], summary["article_requests"], summary["new"], summary["updated"]) == (2, 0, 0, 0)
    assert summary["symbols"] == {"sh600631": "1 listed in the window, 1 page(s) read",
                                  "sz000002": "1 listed in the window, 1 page(s) read"}
    assert summary["stats"]["stock_news/skipped/known"] == 2
    assert site.mtimes() == before


def test_a_window_fetches_only_its_rows_and_a_page_cap_leaves_a_gap_the_next_run_fills(site):
    window = cron(site, "symbols=sh600631", "since=2012-01-01", "until=2016-12-31")
    assert window.returncode == 0, window.stdout + window.stderr
    assert set(site.posts()) == {P2016, P2012}
    summary = site.summary()
    assert (summary["list_pages"], summary["stats"]["stock_news/skipped/after_until"]) == (2, 2)

    # The window reached no mark (first run): it becomes the mark (2016-05-25 10:10) and floor (2012-01-01).
    # A capped run from the mark less 48 h reads page 1 only, but the rows below it are covered: no gap.
    capped = cron(site, "symbols=sh600631", "max_pages=1")
    assert capped.returncode == 0, capped.stdout + capped.stderr
    assert set(site.posts()) == {P2024, P2018, P2016, P2012}
    summary = site.summary()
    assert summary["symbols"] == {"sh600631": "3 listed in the window, 1 page(s) read; STOCK_NEWS_MAX_PAGES=1 reached"}
    assert (summary["truncated"], summary["article_requests"], summary["stats"]["stock_news/skipped/known"]) == (
        {}, 2, 1)


def test_a_capped_first_run_continues_where_it_stopped(site):
    capped = cron(site, "symbols=sh600631", "since=2005-01-01", "max_pages=1")
    assert capped.returncode == 1, capped.stdout + capped.stderr
    assert set(site.posts()) == {P2024, P2018, P2016}
    summary = site.summary()
    assert summary["truncated"] == {"sh600631": "STOCK_NEWS_MAX_PAGES=1 reached; items down to 2005-01-01 00:00 "
                                                "still to list"}
    assert "FAILED: paging stopped early: sh600631" in capped.stdout

    rest = cron(site, "symbols=sh600631")
    assert rest.returncode == 0, rest.stdout + rest.stderr
    assert set(site.posts()) == SH600631
    summary = site.summary()
    assert (summary["list_pages"], summary["article_requests"], summary["truncated"]) == (3, 3, {})

    again = cron(site, "symbols=sh600631")
    assert again.returncode == 0, again.stdout + again.stderr
    assert (site.summary()["list_pages"], site.summary()["article_requests"]) == (1, 0)


def test_list_faults_each_have_their_reason_and_nothing_crashes(site):
    add_list(site, "sz000001", 1, [], False)
    repeated = add_list(site, "sz300750", 1, [("2019-11-25 10:00", URL_2019, "中国人习以为常的地方")], True)
    site.snapshot.joinpath(*LIST_DIR, "vCB_AllNewsStock.php?symbol=sz300750&Page=2").write_bytes(repeated)
    site.add_faults({"match": "vip.stock.finance.sina.com.cn/corp/view/vCB_AllNewsStock.php?symbol=sh600631&Page=2",
                     "fault": "status", "status": 503})
    result = cron(site, "symbols=sh600631,sh600000,sz000001,sz300750", "since=2005-01-01", RETRY_TIMES="1")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in site.crawl_log()
    summary = site.summary()
    assert summary["symbols"] == {
        "sh600000": "0 listed in the window, 0 page(s) read; no news page (HTTP 404)",
        "sh600631": "3 listed in the window, 1 page(s) read; page 2 could not be fetched (HTTP 503)",
        "sz000001": "0 listed in the window, 1 page(s) read; the list is empty",
        "sz300750": "1 listed in the window, 2 page(s) read; page 2 repeats earlier pages: paging stopped",
    }
    assert {"sh600000: no news page (HTTP 404)", "sh600631: page 2 could not be fetched (HTTP 503)"} <= set(
        summary["problems"]), summary["problems"]
    assert set(summary["truncated"]) == {"sh600631", "sz300750"}
    assert set(site.posts()) == {P2024, P2018, P2016, P2019}

    (site.snapshot / "faults.yaml").unlink()
    healed = cron(site, "symbols=sh600631")
    assert healed.returncode == 0, healed.stdout + healed.stderr
    assert set(site.posts()) == SH600631 | {P2019}
    assert site.summary()["article_requests"] == 3


def test_articles_another_spider_wrote_are_not_fetched_but_tagged_and_refetch_fetches_them(site):
    add_list(site, "sz000002", 1, [("2019-11-25 10:00", URL_2019, "中国人习以为常的地方"),
                                   ("2011-08-22 14:58", URL_2011, "百联集团重组腾挪术")], False)
    main = cron(site, "channels=china", "since=2005-01-01", spider="sina_finance")
    assert main.returncode == 0, main.stdout + main.stderr
    before = site.mtimes()
    assert {name: line["stocks"] for name, line in manifest(site).items()}[P2011] == STOCKS_2011

    stock = cron(site, "symbols=sh600631,sz000002", "since=2005-01-01")
    assert stock.returncode == 0, stock.stdout + stock.stderr
    summary = site.summary()
    assert (summary["article_requests"], summary["stats"]["stock_news/skipped/known"]) == (0, 8)
    assert site.mtimes() == before
    lines = manifest(site)
    assert lines[P2011]["stocks"] == [*STOCKS_2011, "sz000002"]
    assert (lines[P2019]["stocks"], lines[P2024]["stocks"], lines["2005-03-21/四年前中500万现穷困潦倒 一夜暴富后如何经营.md"]
            ["stocks"]) == (["sz000002"], ["sh600631"], [])
    assert {line["channel"] for line in lines.values()} == {"china"}

    refetch = cron(site, "symbols=sz000002", "since=2005-01-01", "refetch=1")
    assert refetch.returncode == 0, refetch.stdout + refetch.stderr
    assert site.summary()["article_requests"] == 2
    lines = manifest(site)
    assert lines[P2019]["categories"] == ["金融", "新浪财经", "新浪财经－国內"]  # its first channel's
    assert lines[P2011]["stocks"] == [*STOCKS_2011, "sz000002"]


@pytest.mark.parametrize("value, message", [
    ("symbols=600519", "bad -a symbols='600519': not a symbol: '600519' (the market prefix is missing"),
    ("symbols=sh600519,SZ000002", "'SZ000002' (write the market in lower case"),
    ("symbols=hk00700", "only A-share symbols"),
    ("since=2024-01-01", "sina_stock_news needs at least one symbol"),
])
def test_a_bad_symbol_is_a_usage_error_that_says_what_is_wrong(site, value, message):
    result = cron(site, value)
    assert result.returncode == 2
    assert message in result.stderr and result.stderr.count("\n") <= 2, result.stderr
    assert not site.output.joinpath("index.jsonl").exists()


def test_a_symbol_file_with_comments(site, tmp_path):
    listing = tmp_path / "watch.txt"
    listing.write_text("# watch list\nsh600631  # 百联股份\n\nsh600631\n", encoding="utf-8")
    result = cron(site, f"symbol_file={listing}", "since=2024-05-01")
    assert result.returncode == 0, result.stdout + result.stderr
    assert set(site.posts()) == {P2024}
    assert list(site.summary()["symbols"]) == ["sh600631"]


LIST_PAGE_2 = "vip.stock.finance.sina.com.cn/corp/view/vCB_AllNewsStock.php?symbol=sh600631&Page=2"


@pytest.mark.parametrize("rule, retries", [
    ({"fault": "status", "status": 503, "times": 2}, 2),
    ({"fault": "status", "status": 429, "retry_after": "1", "times": 1}, 1),
    ({"fault": "drop", "times": 1}, 1),
    ({"fault": "truncate", "times": 1}, 1),
    ({"fault": "slow", "seconds": 5, "times": 1}, 1),
], ids=["503x2", "429-retry-after", "drop", "truncate", "slow"])
def test_transient_list_page_faults_are_retried_and_the_run_is_whole(site, rule, retries):
    site.add_faults({"match": LIST_PAGE_2, **rule})
    result = cron(site, "symbols=sh600631", "since=2005-01-01", RETRY_BACKOFF_BASE="0.1", DOWNLOAD_TIMEOUT="3")
    assert result.returncode == 0, result.stdout + result.stderr
    summary = site.summary()
    assert (summary["stats"]["retry/count"], summary["list_pages"], summary["errors"]) == (retries, 3, 0)
    assert set(site.posts()) == SH600631


def test_a_list_page_that_is_no_list_and_one_redirected_off_sina_are_reasons_not_crashes(site):
    site.add_faults({"match": LIST_PAGE_2, "fault": "reply", "body": "<html><body>系统繁忙</body></html>"},
                    {"match": "vip.stock.finance.sina.com.cn/corp/view/vCB_AllNewsStock.php?symbol=sz000002&Page=1",
                     "fault": "redirect", "location": "https://example.com/blocked"})
    result = cron(site, "symbols=sh600631,sz000002", "since=2005-01-01")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in site.crawl_log()
    notes = site.summary()["symbols"]
    assert notes["sh600631"] == ("3 listed in the window, 1 page(s) read; page 2 is no list page "
                                 "(no_list: no div.datelist: not a 个股资讯 list page)")
    assert notes["sz000002"].startswith("0 listed in the window, 0 page(s) read; no news page (")
    assert set(site.posts()) == {P2024, P2018, P2016}
