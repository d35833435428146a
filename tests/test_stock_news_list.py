"""The 个股资讯 list reader on the real saved page (as saved, and as the GB bytes Sina serves) and on
a hand-made older variant; expected rows are read off the page bytes (tests/fixtures/stock_news/NOTES.md)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from crawler.sina.stock_news import ListError, list_url, read_list
from crawler.sina.symbols import from_market, normalise, symbol_problem
from crawler.values import SHANGHAI

FIXTURES = Path(__file__).parent / "fixtures" / "stock_news"
REAL = (FIXTURES / "ta_vipstock_news_list_sh600519_2026-09-04.html").read_bytes()
OLDER = (FIXTURES / "handmade_older_sz000002_gb2312.html").read_bytes()
URL = "http://vip.stock.finance.sina.com.cn/corp/view/vCB_AllNewsStock.php?symbol=sh600519&Page=1"


def beijing(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI)


AS_SERVED = {
    "utf-8 as saved, no header": (REAL, None),
    "gb18030 bytes, charset only in the meta": (REAL.decode("utf-8").encode("gb18030"), {"Content-Type": "text/html"}),
    "gb18030 bytes, gb2312 header": (REAL.decode("utf-8").encode("gb18030"),
                                     {"Content-Type": "text/html; charset=gb2312"}),
}


@pytest.mark.parametrize("case", list(AS_SERVED))
def test_the_real_page_gives_its_forty_rows_newest_first_and_a_next_page(case):
    body, headers = AS_SERVED[case]
    page = read_list(body, headers, URL)
    assert len(page.rows) == 40 and page.has_next and page.skipped == ()
    first, second, third = page.rows[:3]
    assert (first.time, first.url, first.title) == (
        beijing("2026-09-04 09:50"), "https://cj.sina.cn/articles/view/1668899380/6379623400101vg5u",
        "8月白酒行业观察 | 中报分化印证筑底，价盘企稳信号明确")
    assert (second.time, second.url) == (beijing("2026-09-04 09:21"),
                                          "https://finance.sina.com.cn/7x24/2026-09-04/doc-iniqrihy4101506.shtml")
    assert second.title == "飞天茅台创30天新高精品茅台大涨10元 古井贡古20重挫国窖1573两连跌"
    assert second.doc_id == "niqrihy4101506"
    assert third.time == beijing("2026-09-04 08:04")
    last = page.rows[-1]
    assert (last.time, last.url, last.title) == (
        beijing("2026-09-02 13:56"), "https://finance.sina.com.cn/stock/observe/2026-09-02/doc-iniqmfta2987316.shtml",
        '规模从顶峰81亿到仅剩10亿，知名基金经理也难逃"0盈利比"？')
    assert page.rows[-2].url == "https://k.sina.cn/article_5953466483_162dab07301901ws2q.html"
    # Three rows share 2026-09-03 16:21 on the page; order is kept as listed.
    same_minute = [row.doc_id for row in page.rows if row.time == beijing("2026-09-03 16:21")]
    assert same_minute == ["niqpvfu1103354", "niqpvfu1102034", "niqpvfu1102064"]
    assert [row.time for row in page.rows] == sorted((row.time for row in page.rows), reverse=True)


def test_the_older_variant_reads_li_rows_relative_links_and_skips_a_row_without_time():
    page = read_list(OLDER, {"Content-Type": "text/html"},
                     "http://vip.stock.finance.sina.com.cn/corp/view/vCB_AllNewsStock.php?symbol=sz000002&Page=1")
    assert [(row.time, row.url, row.title) for row in page.rows] == [
        (beijing("2012-05-03 14:22"), "http://finance.sina.com.cn/stock/s/20120503/142211981234.shtml",
         "万科4月销售额同比增长18%"),
        (beijing("2012-05-02 09:05"),
         "http://vip.stock.finance.sina.com.cn/corp/view/vCB_AllNewsStock.php?symbol=sz000002&Page=1#x", "站内链接"),
        (beijing("2012-04-28 23:59"), "http://finance.sina.com.cn/stock/s/20120428/235911960002.shtml",
         "地产股集体走强 万科领涨"),
    ]
    assert page.skipped == ("no time before '一行没有时间'",)
    assert page.has_next


def test_a_last_page_has_no_next_and_an_empty_list_is_a_page_with_no_rows():
    last = REAL.decode("utf-8").replace("下一页", "").encode("utf-8")
    assert not read_list(last, None, URL).has_next
    empty = b'<html><body><div class="datelist"><ul>\r\n </ul></div></body></html>'
    page = read_list(empty, None, URL)
    assert page.rows == () and not page.has_next


@pytest.mark.parametrize("body, reason", [
    (b"<html><body><p>\xb9\xc9\xc6\xb1\xb4\xfa\xc2\xeb\xb2\xbb\xb4\xe6\xd4\xda</p></body></html>", "no_list"),
    (b"", "no_list"),
    (b'<div class="datelist"><ul><a href="http://finance.sina.com.cn/x.shtml">t</a></ul></div>', "bad_rows"),
])
def test_a_page_that_is_no_list_says_why(body, reason):
    with pytest.raises(ListError) as raised:
        read_list(body, None, URL)
    assert raised.value.reason == reason


def test_list_urls_and_symbols():
    assert list_url("sz000002", 3) == ("http://vip.stock.finance.sina.com.cn/corp/view/vCB_AllNewsStock.php"
                                       "?symbol=sz000002&Page=3")
    assert [normalise(code) for code in ("SH600519", "sz000002", "bj430047", "hk00700", "gb_aapl", "usBRK.B",
                                         "si931071", "sh60051", "hkHSI")] == [
        "sh600519", "sz000002", "bj430047", "hk00700", "usAAPL", "usBRK.B", None, None, None]
    # The real 7x24 reply (ta_zhibo_feed_152): key holds the company name; market + symbol is the code.
    assert [from_market(m, s) for m, s in (("cn", "sh600802"), ("hk", "06655"), ("us", "nmr"), ("cn", "sih30184"),
                                           ("fund", "159558"), ("foreign", "fx_susdcnh"))] == [
        "sh600802", "hk06655", "usNMR", None, None, None]
    assert symbol_problem("sh600519") is None and symbol_problem("bj430047") is None
    assert "prefix is missing" in symbol_problem("600519")
    assert "lower case" in symbol_problem("SH600519")
    assert "exactly 6 digits" in symbol_problem("sh60051")
    assert "only A-share" in symbol_problem("hk00700")
    assert "sh, sz or bj" in symbol_problem("apple")
