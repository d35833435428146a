"""Roll API replies as Sina sends them: JSON, JSONP, error codes and broken items."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from crawler.sina.roll import RollError, parse_roll, roll_entry, roll_url
from crawler.values import SHANGHAI

ITEM = {
    "docid": "comos:ktzqtyu3791404",
    "url": "http://finance.sina.com.cn/china/gncj/2021-10-27/doc-iktzqtyu3791404.shtml",
    "title": "上海全面推进城市数字化转型&ldquo;十四五&rdquo;规划出炉",
    "intro": "上证报中国证券网讯",
    "ctime": "1635300529",
    "mtime": 1635300600,
    "intime": "1635300529",
    "media_name": "上海证券报",
    "keywords": "数字化,上海",
}


def reply(*items, code=0, end=1635300529) -> dict:
    return {"result": {"status": {"code": code, "msg": "succ"}, "total": len(items), "end": end, "data": list(items)}}


def test_plain_json_reply_gives_entries_with_api_fields():
    page = parse_roll(json.dumps(reply(ITEM)).encode(), "china")
    (entry,) = page.entries
    assert entry.doc_id == "ktzqtyu3791404"
    assert entry.url == "https://finance.sina.com.cn/china/gncj/2021-10-27/doc-iktzqtyu3791404.shtml"
    assert entry.title == "上海全面推进城市数字化转型“十四五”规划出炉"
    assert entry.intime == datetime(2021, 10, 27, 10, 8, 49, tzinfo=SHANGHAI)
    assert entry.mtime == datetime(2021, 10, 27, 10, 10, 0, tzinfo=SHANGHAI)
    assert (entry.media_name, entry.keywords, entry.intro) == ("上海证券报", ["数字化", "上海"], "上证报中国证券网讯")
    assert entry.channel == "china"
    assert (page.end, page.total) == (1635300529, 1)


@pytest.mark.parametrize("callback", ["feedCardJsonpCallback", "jQuery1112_1635300529"])
def test_jsonp_wrappers_are_stripped(callback):
    body = f"try{{{callback}({json.dumps(reply(ITEM))});}}catch(e){{}};".encode()
    assert parse_roll(body).entries[0].doc_id == "ktzqtyu3791404"
    assert parse_roll(f"{callback}({json.dumps(reply(ITEM))})".encode()).entries[0].doc_id == "ktzqtyu3791404"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<html>busy</html>", "roll_not_json"),
        (b'{"result": ', "roll_not_json"),
        (json.dumps({"other": 1}).encode(), "roll_no_result"),
        (json.dumps(reply(code=1)).encode(), "roll_status"),
        (json.dumps({"result": {"status": {"code": 0}, "data": None}}).encode(), "roll_no_data"),
        ("\u4e2d".encode("gbk"), "roll_not_utf8"),
    ],
)
def test_unusable_replies_raise_with_a_reason(body, reason):
    with pytest.raises(RollError) as error:
        parse_roll(body)
    assert error.value.reason == reason


def test_broken_items_are_skipped_with_reasons_and_good_ones_kept():
    broken = [{"docid": "comos:x"}, {**ITEM, "ctime": "soon"}, "text", {**ITEM, "url": "javascript:1"}]
    page = parse_roll(json.dumps(reply(ITEM, *broken)).encode())
    assert [e.doc_id for e in page.entries] == ["ktzqtyu3791404"]
    assert len(page.skipped) == 4


def test_request_urls_for_both_hosts_cap_num_at_50():
    assert roll_url(155, 1686, 2, num=100) == (
        "https://feed.mix.sina.com.cn/api/roll/get?pageid=155&lid=1686&num=50&page=2"
    )
    assert roll_url(155, 1686, 1, ctime=1635300529, host="feed.sina.com.cn") == (
        "https://feed.sina.com.cn/api/roll/get?pageid=155&lid=1686&num=50&page=1&ctime=1635300529"
    )


@pytest.mark.parametrize(
    ("body", "reason", "detail"),
    [
        (b"<html>" + b"a" * 100 + b"</html>", "roll_not_json", "neither JSON nor JSONP: '<html>" + "a" * 74 + "'"),
        (b"cb(  \n", "roll_not_json", "Expecting value: line 1 column 4 (char 3)"),  # nothing after the (
        (json.dumps({"other": 1}).encode(), "roll_no_result", "reply has no result object"),
        (b"cb([1])", "roll_no_result", "reply has no result object"),
        (json.dumps(reply(code=1)).encode(), "roll_status", "status code 1 (succ)"),
        (json.dumps({"result": {"status": {"code": 11}}}).encode(), "roll_status", "status code 11 ()"),
        (json.dumps({"result": {"status": "busy"}}).encode(), "roll_status", "status code None ()"),
        # pageid 153 with lid 1686 (sina-site.md §1.2)
        (json.dumps({"result": {"status": {"code": 1, "msg": "未注册"}}}).encode(), "roll_unregistered",
         "status code 1 (未注册)"),
        (json.dumps({"result": {"status": {"code": 0}, "data": None}}).encode(), "roll_no_data",
         "result.data is not a list"),
        ("\u4e2d".encode("gbk"), "roll_not_utf8", "'utf-8' codec can't decode byte 0xd6 in position 0: invalid continuation byte"),
    ],
)
def test_unusable_replies_say_what_is_wrong(body, reason, detail):
    with pytest.raises(RollError) as error:
        parse_roll(body)
    assert (error.value.reason, error.value.detail, str(error.value)) == (reason, detail, f"{reason}: {detail}")


@pytest.mark.parametrize("body", [
    json.dumps(reply(ITEM, code="0")),  # the code as a string
    f"({json.dumps(reply(ITEM))})",  # parentheses without a callback name
    f"cb( {json.dumps(reply(ITEM))} );",  # a space after the parenthesis
])
def test_replies_in_other_accepted_forms_are_read(body):
    assert [entry.doc_id for entry in parse_roll(body.encode()).entries] == ["ktzqtyu3791404"]


def test_broken_items_are_skipped_with_what_was_wrong_with_each():
    broken = [{"docid": "comos:x"}, {**ITEM, "ctime": "soon"}, "text", {**ITEM, "url": "javascript:1"}]
    assert parse_roll(json.dumps(reply(*broken)).encode()).skipped == [
        "KeyError: 'url'",
        "ValueError: invalid literal for int() with base 10: 'soon'",
        "TypeError: item is not an object",
        "ValueError: item without doc id or url: 'comos:ktzqtyu3791404' 'javascript:1'",
    ]


def test_an_item_with_only_the_required_fields_takes_ctime_for_the_missing_times():
    bare = {"docid": "comos:abcdefg1234567", "url": "https://finance.sina.com.cn/x/doc-iabcdefg1234567.shtml",
            "ctime": 1635300529, "intime": 1635300500}
    (entry,) = parse_roll(json.dumps(reply(bare)).encode()).entries
    assert entry.url == "https://finance.sina.com.cn/x/doc-iabcdefg1234567.shtml"
    assert entry.ctime == entry.mtime == datetime(2021, 10, 27, 10, 8, 49, tzinfo=SHANGHAI)
    assert entry.intime == datetime(2021, 10, 27, 10, 8, 20, tzinfo=SHANGHAI)
    assert (entry.title, entry.intro, entry.media_name, entry.keywords, entry.channel) == ("", "", "", [], "")


def test_a_request_url_is_for_page_1_by_default():
    assert roll_url(155, 1686) == "https://feed.mix.sina.com.cn/api/roll/get?pageid=155&lid=1686&num=50&page=1"


def test_an_item_without_intime_takes_ctime_and_an_entry_read_alone_has_no_channel():
    entry = roll_entry({"docid": "comos:abcdefg1234567", "url": "https://finance.sina.com.cn/x/doc-iabcdefg1234567.shtml",
                        "ctime": "1635300529"})
    assert entry.intime == entry.ctime == datetime(2021, 10, 27, 10, 8, 49, tzinfo=SHANGHAI)
    assert entry.channel == ""
