"""The 7x24 feed client (crawler.sina.zhibo) and the mirror's feed (crawler.mirror.zhibo_feed) over
real HTTP: schema, JSONP, paging by what the reply holds, malformed replies and items."""

from __future__ import annotations

import json
import shutil
import urllib.request
from datetime import datetime
from pathlib import Path

import pytest

from crawler.mirror.server import serve
from crawler.sina.symbols import instrument_symbols
from crawler.sina.zhibo import FeedError, feed_url, load_feeds, parse_feed, pick_feeds
from crawler.values import SHANGHAI
from tests.support.sites import DEMO

REPLIES = Path(__file__).parent / "fixtures" / "replies"
REAL_REPLY = REPLIES / "ta_zhibo_feed_152_2026-09-04_page1.json"  # a whole real reply, bytes as saved

FEED = load_feeds()["7x24"]


def reply(items: list, **info: int) -> bytes:
    return json.dumps({"result": {"status": {"code": 0, "msg": "OK"},
                                  "data": {"feed": {"list": items, "page_info": info}}}}).encode()


ITEM = {"id": 4089142, "zhibo_id": 152, "rich_text": "贵州茅台盘初涨超1%", "create_time": "2024-05-10 09:41:27",
        "tag": [{"id": "10", "name": "A股"}, {"id": "3", "name": "公司"}],
        "ext": json.dumps({"docurl": "https://finance.sina.com.cn/7x24/2024-05-10/doc-x.shtml",
                           "stocks": [{"market": "cn", "symbol": "sh600519", "key": "贵州茅台"}]})}


def test_an_item_is_read_with_its_tags_linked_article_and_stocks():
    page = parse_feed(reply([ITEM], totalPage=3))
    (entry,) = page.entries
    assert entry.item_id == 4089142
    assert entry.created == datetime(2024, 5, 10, 9, 41, 27, tzinfo=SHANGHAI)
    assert (entry.tags, entry.tag_ids) == (("A股", "公司"), (10, 3))
    assert entry.docurl == "https://finance.sina.com.cn/7x24/2024-05-10/doc-x.shtml"
    assert entry.stocks == ({"market": "cn", "symbol": "sh600519", "key": "贵州茅台"},)
    assert page.total_pages == 3


def test_jsonp_is_read_like_json():
    body = b"try{jQuery1_2(" + reply([ITEM]) + b");}catch(e){};"
    assert [e.item_id for e in parse_feed(body).entries] == [4089142]


@pytest.mark.parametrize(("body", "reason"), [
    (b"<html>403 Forbidden</html>", "feed_not_json"),
    (b'{"result": {"status": {"code": 1, "msg": "error"}}}', "feed_status"),
    (b'{"result": {"status": {"code": 0}, "data": {"feed": {"items": []}}}}', "feed_no_list"),
    (b'{"data": []}', "feed_no_result"),
    (b"\xff\xfe{", "feed_not_utf8"),
])
def test_an_unusable_reply_names_its_reason(body, reason):
    with pytest.raises(FeedError) as caught:
        parse_feed(body)
    assert caught.value.reason == reason


def test_bad_items_are_skipped_with_their_reason_and_good_ones_kept():
    bad_id = dict(ITEM, id="abc")
    bad_time = dict(ITEM, id=2, create_time="yesterday")
    no_text = dict(ITEM, id=3, rich_text="")
    bad_ext = dict(ITEM, id=4, ext="{not json")
    page = parse_feed(reply([bad_id, bad_time, no_text, bad_ext, "x"]))
    assert [e.item_id for e in page.entries] == [4]
    assert page.entries[0].stocks == () and page.entries[0].docurl == ""
    assert len(page.skipped) == 4
    assert "id 'abc' is not a number" in page.skipped[0]
    assert "create_time 'yesterday'" in page.skipped[1]


def test_the_request_url_and_the_feed_table():
    assert feed_url(FEED, 2) == ("https://zhibo.sina.com.cn/api/zhibo/feed?zhibo_id=152&tag_id=0&page=2"
                                 "&page_size=20&dire=f&dpc=1")
    assert [f.name for f in pick_feeds(load_feeds())] == ["7x24"]
    assert FEED.categories == ("金融", "新浪财经", "新浪财经－7x24")
    with pytest.raises(ValueError, match="unknown feed"):
        pick_feeds(load_feeds(), "nope")


@pytest.fixture()
def demo_mirror(tmp_path):
    shutil.copytree(DEMO, tmp_path / "snapshot")
    server = serve(tmp_path / "snapshot")
    yield f"http://127.0.0.1:{server.server_port}", tmp_path / "snapshot"
    server.shutdown()
    server.server_close()


def get(base: str, query: str) -> bytes:
    with urllib.request.urlopen(f"{base}/zhibo.sina.com.cn/api/zhibo/feed?{query}", timeout=10) as response:
        return response.read()


def test_the_mirror_pages_the_demo_day_newest_first_ten_at_most(demo_mirror):
    base, _ = demo_mirror
    # demo/snapshot/zhibo.jsonl: 24 items of 2024-05-10, ids 4089100 + 7n, all zhibo_id 152.
    first = json.loads(get(base, "zhibo_id=152&page=1&page_size=20&tag_id=0&dire=f&dpc=1"))["result"]["data"]["feed"]
    assert [item["id"] for item in first["list"]] == [4089261 - 7 * n for n in range(10)]
    assert first["page_info"] == {"totalPage": 3, "page": 1, "nextPage": 2, "pageSize": 10, "totalNum": 24}
    last = parse_feed(get(base, "zhibo_id=152&page=3&page_size=20"))
    assert [e.item_id for e in last.entries] == [4089121, 4089114, 4089107, 4089100]
    assert parse_feed(get(base, "zhibo_id=152&page=4&page_size=20")).entries == []
    # tag 4 (数据) is on the items of 08:30:02, 11:52:40, 13:05:22, 16:10:05, 17:20:38, 19:45:12.
    tagged = parse_feed(get(base, "zhibo_id=152&page=1&page_size=10&tag_id=4"))
    assert [f"{e.created:%H:%M:%S}" for e in tagged.entries] == ["19:45:12", "17:20:38", "16:10:05", "13:05:22",
                                                                 "11:52:40", "08:30:02"]
    assert parse_feed(get(base, "zhibo_id=164&page=1")).entries == []
    jsonp = get(base, "zhibo_id=152&page=1&callback=cb")
    assert jsonp.startswith(b"try{cb({") and len(parse_feed(jsonp).entries) == 10


def test_the_real_reply_is_read_item_by_item():
    """Values read off the reply's bytes (its CJK is \\u-escaped; decoded by hand with a JSON viewer)."""
    page = parse_feed(REAL_REPLY.read_bytes())
    assert page.skipped == [] and page.total_pages == 113
    assert [e.item_id for e in page.entries] == list(range(5076690, 5076682, -1))
    first, last = page.entries[0], page.entries[-1]
    assert first.created == datetime(2026, 9, 4, 10, 37, 52, tzinfo=SHANGHAI)
    assert first.html == "片山皋月将继续担任日本财务大臣。"
    assert (first.tags, first.tag_ids, first.stocks) == (("国际",), (102,), ())
    # ext.docurl (finance.sina.com.cn), not the item's own docurl (the finance.sina.cn page)
    assert first.docurl == "https://finance.sina.com.cn/7x24/2026-09-04/doc-iniqrpqw4073678.shtml"
    assert last.created == datetime(2026, 9, 4, 10, 33, 52, tzinfo=SHANGHAI)
    assert last.html.startswith("【星网锐捷成立智能科技公司 含多项AI业务】企查查APP显示，")
    assert last.stocks == ({"market": "cn", "symbol": "sz002396", "key": "星网锐捷"},
                           {"market": "fund", "symbol": "159363", "key": "AI", "sym_party_status": "1"},
                           {"market": "cn", "symbol": "si931071", "key": "人工智能"},
                           {"market": "cn", "symbol": "si932094", "key": "软件开发"})
    by_id = {e.item_id: e for e in page.entries}
    assert by_id[5076685].tags == ("市场", "央行", "国际", "原创")
    assert by_id[5076685].tag_ids == (5, 7, 102, 202)
    assert [(s["market"], s["symbol"], s["key"]) for s in by_id[5076685].stocks] == [
        ("us", "nmr", "野村"), ("foreign", "fx_susdcnh", "加息"), ("foreign", "fx_scnhusd", "加息"),
        ("foreign", "fx_susdcny", "加息"), ("foreign", "fx_susdjpy", "日元"), ("foreign", "fx_sjpyusd", "日元"),
        ("fund", "159352", "投资")]
    assert [(s["market"], s["symbol"]) for s in by_id[5076687].stocks if s["key"] == "华新建材"] == [
        ("cn", "sh600801"), ("hk", "06655")]
    assert by_id[5076684].stocks == ()  # its ext has no stocks at all
    assert by_id[5076684].tags == ("市场", "焦点")


def test_the_real_reply_gives_stock_symbols_not_the_company_names_its_key_holds():
    """The whole real reply of tests/fixtures/replies: ``ext.stocks``
    ``key`` is 福建水泥, 西藏天路…; the symbols come from market + symbol; sector codes (sih30184,
    si931071), funds and FX pairs are left out."""
    stocks = {entry.item_id: instrument_symbols(entry.stocks) for entry in parse_feed(REAL_REPLY.read_bytes()).entries}
    assert stocks[5076690] == ()
    assert [ids for ids, codes in stocks.items() if codes] == [5076687, 5076686, 5076685, 5076683]
    assert stocks[5076687] == ("sh600802", "sh600326", "sz001225", "sz000672", "sh600801", "hk06655", "sh600724")
    assert stocks[5076686] == ("sz300672", "sh688347", "hk01347", "sh688361")
    assert stocks[5076685] == ("usNMR",)
    assert stocks[5076683] == ("sz002396",)
