"""The securities line of a 7x24 item (pipelines.format.stocks), entry by entry."""

from __future__ import annotations

import pytest

from pipelines.format.stocks import is_keyword, quote_url, stock_links


@pytest.mark.parametrize(("entry", "url"), [
    ({"market": "cn", "symbol": "sh600802", "key": "福建水泥"},
     "https://finance.sina.com.cn/realstock/company/sh600802/nc.shtml"),
    ({"market": "cn", "symbol": "bj430047", "key": "诺思兰德"},
     "https://finance.sina.com.cn/realstock/company/bj430047/nc.shtml"),
    ({"market": "hk", "symbol": "06655", "key": "华新建材"}, "https://stock.finance.sina.com.cn/hkstock/quotes/06655.html"),
    ({"market": "us", "symbol": "nmr", "key": "野村"}, "https://stock.finance.sina.com.cn/usstock/quotes/NMR.html"),
    ({"market": "fund", "symbol": "510300", "key": "沪深300ETF"}, "https://finance.sina.com.cn/fund/quotes/510300/bc.shtml"),
    ({"market": "future", "symbol": "v0", "key": "PVC"}, ""),
])
def test_quote_pages(entry, url):
    assert quote_url(entry) == url
    assert not is_keyword(entry)


@pytest.mark.parametrize("entry", [
    {"market": "foreign", "symbol": "fx_susdcnh", "key": "加息"},
    {"market": "cn", "symbol": "sih30184", "key": "半导体"},
    {"market": "cn", "symbol": "si931071", "key": "人工智能"},
    {"market": "fund", "symbol": "159558", "key": "半导体", "sym_party_status": "1"},
])
def test_entries_attached_to_a_topic_word_are_keywords(entry):
    assert is_keyword(entry)


def test_each_instrument_once_with_its_name_and_symbol():
    entries = [{"market": "cn", "symbol": "sh688347", "key": "华虹宏力"},
               {"market": "hk", "symbol": "01347", "key": "华虹宏力"},
               {"market": "cn", "symbol": "sh688347", "key": "华虹宏力"},
               {"market": "future", "symbol": "v0", "key": "PVC<>"},
               {"market": "cn", "symbol": "sh600519", "key": "sh600519"},
               {"market": "foreign", "symbol": "fx_susdjpy", "key": "日元"},
               {"market": "cn", "symbol": "", "key": "无代码"}]
    assert stock_links(entries) == [
        '<a href="https://finance.sina.com.cn/realstock/company/sh688347/nc.shtml">华虹宏力（sh688347）</a>',
        '<a href="https://stock.finance.sina.com.cn/hkstock/quotes/01347.html">华虹宏力（01347）</a>',
        "PVC&lt;&gt;（v0）",
        '<a href="https://finance.sina.com.cn/realstock/company/sh600519/nc.shtml">sh600519</a>',
    ]
