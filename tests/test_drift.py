"""The drift checks behind the doctor (crawler.sina.drift): times, types and bodies, without HTTP."""

from __future__ import annotations

import json
from pathlib import Path

from crawler.sina.drift import check_article, check_feed, check_roll
from tests.support.pages import fixture_page, modern_page

NOW = 1_764_000_000.0  # 2025-11-24
ITEM = {"docid": "comos:a", "url": "https://finance.sina.com.cn/roll/2025-11-24/doc-ia.shtml", "title": "t",
        "ctime": "1763990000", "mtime": 1763990000}


def roll(*items: dict) -> bytes:
    return json.dumps({"result": {"status": {"code": 0}, "total": len(items), "data": list(items)}}).encode()


def feed(*items: dict, info: object = None) -> bytes:
    page_info = {"totalPage": 1} if info is None else info
    return json.dumps({"result": {"status": {"code": 0}, "data": {"feed": {"list": list(items),
                                                                            "page_info": page_info}}}}).encode()


def test_a_good_roll_page_has_no_finding_and_names_its_newest_article():
    older = dict(ITEM, docid="comos:b", url="https://finance.sina.com.cn/b.shtml", ctime="1763000000")
    assert check_roll(200, roll(older, ITEM), NOW) == ([], ITEM["url"])


def test_times_out_of_range_and_wrong_types_are_findings():
    future = dict(ITEM, ctime=str(int(NOW) + 3 * 86400))
    ancient = dict(ITEM, mtime="12345")
    found, _ = check_roll(200, roll(future, ancient, dict(ITEM, title=None)), NOW)
    assert found == [f"data[].ctime: {int(NOW) + 3 * 86400} is not a plausible time (1 of 3 items)",
                     "data[].mtime: 12345 is not a plausible time (1 of 3 items)",
                     "data[].title: NoneType None where text was (1 of 3 items)"]


def test_a_jsonp_roll_page_is_read_and_an_html_page_is_not_json():
    assert check_roll(200, b"try{cb(" + roll(ITEM) + b");}catch(e){};", NOW)[0] == []
    found, newest = check_roll(200, b"<html>Sina</html>", NOW)
    assert found[0].startswith("reply is not JSON") and newest is None


def test_feed_items_need_a_number_id_a_beijing_time_text_and_ext_as_a_json_string():
    good = {"id": 1, "create_time": "2025-11-24 09:00:00", "rich_text": "x", "tag": [{"id": "1", "name": "宏观"}],
            "ext": json.dumps({"stocks": []})}
    assert check_feed(200, feed(good), NOW) == []
    bad = dict(good, create_time="2025/11/24 9:00", ext={"stocks": []}, tag="宏观")
    assert check_feed(200, feed(bad, info={"total_page": 1}), NOW) == [
        "list[].create_time: str '2025/11/24 9:00' where 'YYYY-MM-DD HH:MM:SS' was (1 of 1 items)",
        "list[].tag: str '宏观' where a list of {id, name} was (1 of 1 items)",
        "list[].ext: dict {'stocks': []} where a JSON object in a string was (1 of 1 items)",
        "page_info.totalPage is missing or not a number",
    ]
    assert check_feed(403, b"Forbidden", NOW) == ["HTTP 403"]


def test_the_saved_articles_read_cleanly_and_a_short_body_is_a_finding():
    page = fixture_page("magichtml_news.sina_2024-05-10_inausehc2630922")
    assert check_article(page.url, 200, page.body(), page.headers) == []
    short = modern_page("标题", "<p>只有一句话。</p>").encode("utf-8")
    assert check_article(page.url, 200, short, {}) == ["body of 6 characters (< 150)"]  # 只有一句话。
    assert check_article(page.url, 404, b"", {}) == ["HTTP 404"]


def test_the_real_7x24_reply_has_no_finding_and_a_drifted_copy_has():
    body = (Path(__file__).parent / "fixtures" / "replies" / "ta_zhibo_feed_152_2026-09-04_page1.json").read_bytes()
    replied = 1788489505.0  # its result.timestamp, Fri Sep 04 10:38:25 +0800 2026
    assert check_feed(200, body, replied) == []
    # Checked two days before its items were written: every time is in the future.
    times = ["10:37:52", "10:37:14", "10:36:24", "10:35:52", "10:35:09", "10:35:02", "10:34:29", "10:33:52"]
    assert check_feed(200, body, replied - 2 * 86400) == [
        f"list[].create_time: 2026-09-04 {time} is not a plausible time (1 of 8 items)" for time in times]
    drifted = body.replace(b'"id":5076690,', b'"id":"5076690",', 1)
    assert check_feed(200, drifted, replied) == ["list[].id: str '5076690' where a number was (1 of 8 items)"]
