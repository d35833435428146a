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
from crawler.sina.zhibo import Feed, FeedError, feed_url, load_feeds, parse_feed, pick_feeds
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



@pytest.mark.parametrize(("body", "reason", "detail"), [
    (b"<html>403 Forbidden</html>", "feed_not_json", "neither JSON nor JSONP: '<html>403 Forbidden</html>'"),
    (b'{"result": {"status": {"code": 1, "msg": "error"}}}', "feed_status", "status code 1 (error)"),
    (b'{"result": {"status": {"code": 1}}}', "feed_status", "status code 1 ()"),
    (b'{"result": {"status": "busy"}}', "feed_status", "status code None ()"),
    (b'{"result": {"status": {"code": 0}, "data": [1]}}', "feed_no_list", "result.data.feed.list is not a list"),
    (b'{"result": {"status": {"code": 0}, "data": {"feed": [1]}}}', "feed_no_list",
     "result.data.feed.list is not a list"),
    (b'{"data": []}', "feed_no_result", "reply has no result object"),
    (b"cb([1])", "feed_no_result", "reply has no result object"),
    (b"\xff\xfe{", "feed_not_utf8", "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte"),
])
def test_an_unusable_reply_says_what_is_wrong(body, reason, detail):
    with pytest.raises(FeedError) as caught:
        parse_feed(body)
    assert (caught.value.reason, caught.value.detail, str(caught.value)) == (reason, detail, f"{reason}: {detail}")


def test_a_reply_with_the_code_as_a_string_and_no_page_info_object_is_read():
    body = json.dumps({"result": {"status": {"code": "0"}, "data": {"feed": {"list": [ITEM], "page_info": 3}}}})
    page = parse_feed(body.encode())
    assert ([e.item_id for e in page.entries], page.total_pages) == ([4089142], None)


def test_bad_items_are_skipped_with_what_was_wrong_with_each():
    bad = [dict(ITEM, id="abc"), dict(ITEM, id=2, create_time="yesterday"), dict(ITEM, id=3, rich_text=""), "x"]
    assert parse_feed(reply(bad)).skipped == [
        "ValueError: id 'abc' is not a number",
        "ValueError: create_time 'yesterday' is not a time",
        "ValueError: item 3: rich_text is empty or not text",
        "TypeError: item is not an object",
    ]


def test_odd_tags_stocks_and_ext_are_read_as_far_as_they_go():
    item = dict(ITEM, rich_text="  快讯  ", tag=[{"id": "10", "name": "A股"}, "x", {"id": "5"}, {"name": "无id"}],
                ext={"stocks": [{"market": "hk", "symbol": "00700"}, {"key": "sh600519"}, {"symbol": "AAPL"},
                                {"market": "us"}, "x"]})
    (entry,) = parse_feed(reply([item])).entries
    assert entry.html == "快讯"
    assert (entry.tags, entry.tag_ids) == (("A股", "无id"), (10,))
    # Entries without a symbol, and entries that are no object, are left out; the rest kept whole.
    assert entry.stocks == ({"market": "hk", "symbol": "00700", "key": ""}, {"market": "", "symbol": "AAPL", "key": ""})
    assert entry.docurl == ""


@pytest.mark.parametrize("ext", [None, "[1]", "  "])
def test_an_ext_that_is_missing_or_not_an_object_counts_as_empty_and_docurl_comes_from_the_item(ext):
    item = {key: value for key, value in ITEM.items() if key != "ext"}
    item["docurl"] = " https://finance.sina.com.cn/7x24/doc-y.shtml "
    if ext is not None:
        item["ext"] = ext
    (entry,) = parse_feed(reply([item])).entries
    assert (entry.docurl, entry.stocks) == ("https://finance.sina.com.cn/7x24/doc-y.shtml", ())


def test_the_request_url_is_for_page_1_by_default():
    assert feed_url(FEED) == "https://zhibo.sina.com.cn/api/zhibo/feed?zhibo_id=152&tag_id=0&page=1&page_size=20&dire=f&dpc=1"


TABLE = """\
first:
  zhibo_id: 151
  post_name: 政经
  categories: [金融, 新浪财经, 新浪财经－政经]
second:
  title: 国际
  zhibo_id: "164"
  tag_id: 7
  post_name: 国际
  categories: [金融, 新浪财经, 新浪财经－国际]
  default: true
third:
  zhibo_id: 153
  post_name: 综合
  categories: [金融, 新浪财经, 新浪财经－综合]
"""


def table(tmp_path, text: str = TABLE):
    path = tmp_path / "feeds.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_feed_table_file_is_read_with_its_defaults(tmp_path):
    feeds = load_feeds(table(tmp_path))
    assert list(feeds) == ["first", "second", "third"]
    assert feeds["first"] == Feed("first", "first", 151, 0, "政经", ("金融", "新浪财经", "新浪财经－政经"), False)
    assert feeds["second"] == Feed("second", "国际", 164, 7, "国际", ("金融", "新浪财经", "新浪财经－国际"), True)


@pytest.mark.parametrize(("text", "error"), [
    ("- a\n- b\n", "{path}: expected a mapping of feed name -> settings"),
    ("{}\n", "{path}: expected a mapping of feed name -> settings"),
    ("x:\n  post_name: p\n  categories: [a, b, c]\n", "{path}: feed 'x' is missing or has a bad 'zhibo_id'"),
    ("x:\n  zhibo_id: 1\n  post_name: p\n  categories: [a, b]\n", "{path}: feed 'x' needs exactly three non-empty categories"),
    ("x:\n  zhibo_id: 1\n  post_name: p\n  categories: [a, '', c]\n",
     "{path}: feed 'x' needs exactly three non-empty categories"),
])
def test_a_wrong_feed_table_is_refused_naming_the_file_and_the_feed(tmp_path, text, error):
    path = table(tmp_path, text)
    with pytest.raises(ValueError) as caught:
        load_feeds(path)
    assert str(caught.value) == error.format(path=path)


def test_a_missing_feed_table_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "none.yaml"
    with pytest.raises(ValueError) as caught:
        load_feeds(path)
    assert str(caught.value) == f"cannot read feed file {path}: [Errno 2] No such file or directory: '{path}'"


@pytest.mark.parametrize(("spec", "names"), [
    ("", ["second"]),
    ("all", ["first", "second", "third"]),
    (" all ", ["first", "second", "third"]),
    ("third, first,third", ["third", "first"]),
])
def test_feeds_are_picked_by_name_default_or_all(tmp_path, spec, names):
    assert [feed.name for feed in pick_feeds(load_feeds(table(tmp_path)), spec)] == names


def test_without_a_default_feed_the_first_one_is_picked(tmp_path):
    feeds = load_feeds(table(tmp_path, TABLE.replace("  default: true\n", "")))
    assert [feed.name for feed in pick_feeds(feeds)] == ["first"]


@pytest.mark.parametrize(("spec", "error"), [
    (" , ", "no feed name; expected 'all' or a comma list of: first, second, third"),
    ("first,nope,zz", "unknown feed(s) nope, zz; expected 'all' or a comma list of: first, second, third"),
])
def test_a_wrong_feed_pick_names_what_is_wrong_and_what_there_is(tmp_path, spec, error):
    with pytest.raises(ValueError) as caught:
        pick_feeds(load_feeds(table(tmp_path)), spec)
    assert str(caught.value) == error

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

def test_the_shipped_feed_table_is_read_through_the_package_when_it_is_not_a_file(tmp_path, monkeypatch):
    # In a zipped egg (a Scrapyd deployment) crawler/sina/zhibo.yaml is no file on disk: stand for that
    # with a default path that does not exist; the table then comes from the package's own copy.
    monkeypatch.setattr("crawler.sina.zhibo.DEFAULT_FEEDS_FILE", tmp_path / "zhibo.yaml")
    assert load_feeds()["7x24"] == FEED
