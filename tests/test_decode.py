"""Bytes to text: GB2312/GBK pages read as GB18030, with or without any declaration."""

from __future__ import annotations

import re

import pytest

from crawler.items import Article
from crawler.sina.pages import read_page
from crawler.sina.pages.decode import decode_page
from tests.support.pages import fixture_page

# <title> of each page, read from the page in a GB18030-aware viewer.
GB_TITLES = {
    "cwced_chanye.finance_2005-03-21_244339": "四年前中500万现穷困潦倒 一夜暴富后如何经营__商贸_产业资讯_新浪网",
    "netgen_finance_chanjing_2012-01-13_11191698": "去年汽车销量增幅创13年新低 政策退潮致销量下滑_产经_产业新闻_新浪财经_新浪网",
    "zebra_finance_stock_2011-08-22_145810356592.shtml": "百联集团重组腾挪术：低买高卖转手套利15亿_上市公司_新浪财经_新浪网",
    "wwwsina_homepage_2015-05-21_gb2312": "新浪首页",
    # Declares gb2312 but its bytes are UTF-8 (a re-saved copy).
    "kx724_vipstock_600519_financial_summary": "贵州茅台(600519)财务摘要_新浪财经_新浪网",
}
_META_CHARSET = re.compile(rb"<meta[^>]*charset=[^>]*>", re.I)


def page_bytes(stem: str) -> bytes:
    return fixture_page(stem).body()


def title_of(text: str) -> str:
    return re.search(r"<title>(.*?)</title>", text, re.S).group(1).strip()


@pytest.mark.parametrize(("name", "title"), GB_TITLES.items(), ids=list(GB_TITLES))
def test_declared_gb_pages_decode(name, title):
    text, _ = decode_page(page_bytes(name))
    assert title_of(text) == title
    assert "\ufffd" not in text


@pytest.mark.parametrize("name", list(GB_TITLES)[:3])
def test_gbk_page_without_any_declaration_still_decodes(name):
    body = _META_CHARSET.sub(b"", page_bytes(name))
    assert not _META_CHARSET.search(body)
    text, encoding = decode_page(body, {"Content-Type": "text/html"})
    assert encoding == "gb18030"
    assert title_of(text) == GB_TITLES[name]


def test_http_charset_header_wins_over_the_page():
    body = page_bytes("gne_finance_roll_2018-12-28_ihqfskcn2160999")
    text, encoding = decode_page(body, {"content-type": "text/html; charset=utf-8"})
    assert encoding == "utf-8" and "中铁总辟谣称消息不实" in text


def test_gbk_only_character_under_gb2312_declaration():
    # 镕 (U+9555) is in GBK but not in GB2312: a strict gb2312 decoder fails on it.
    page = '<html><head><meta charset="gb2312"><title>朱镕基</title></head><body></body></html>'
    body = page.encode("gbk")
    with pytest.raises(UnicodeDecodeError):
        body.decode("gb2312")
    assert title_of(decode_page(body)[0]) == "朱镕基"


def test_classic_article_served_without_charset_gives_the_same_item():
    name = "netgen_finance_chanjing_2012-01-13_11191698"
    url = "http://finance.sina.com.cn/chanjing/cyxw/20120113/023011191698.shtml"
    declared = read_page(url, page_bytes(name))
    bare = read_page(url, _META_CHARSET.sub(b"", page_bytes(name)), {"Content-Type": "text/html"})
    assert isinstance(declared, Article) and declared == bare
