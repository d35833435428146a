"""The sina_finance spider's paging decisions, fed hand-built roll replies in Sina's schema.

The spider comes from get_crawler + from_crawler; its real ``start()`` is driven step by step
without an event loop (it awaits nothing), so state, known doc ids and channel scans are set
exactly as in a crawl.
"""

from __future__ import annotations

import json
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import scrapy
from scrapy import signals
from scrapy.http import TextResponse
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from crawler.spiders.sina_finance import SinaFinanceSpider
from crawler.state import crawl_state
from crawler.values import SHANGHAI

SINCE = int(datetime(2024, 1, 1, tzinfo=SHANGHAI).timestamp())
DAY = 86400
T1, T2, T3 = SINCE + 10 * DAY, SINCE + 11 * DAY, SINCE + 12 * DAY


def item(n: int, ctime: int, mtime: int | None = None) -> dict:
    doc = f"inzzzzzz{n:07d}"
    return {"docid": f"comos:{doc}", "url": f"https://finance.sina.com.cn/china/2024-01-11/doc-i{doc[1:]}.shtml",
            "title": f"标题{n}", "ctime": str(ctime), "mtime": str(mtime or ctime), "intime": str(ctime)}


def reply(*items: dict, total: int = 500) -> bytes:
    end = min((int(i["ctime"]) for i in items), default=0)
    return json.dumps({"result": {"status": {"code": 0}, "total": total, "end": end, "data": list(items)}}).encode()


@pytest.fixture
def open_spider(tmp_path):
    """Build the spider (state pre-filled with ``known`` doc id -> mtime) and run its start()."""
    crawlers = []

    def build(known: dict[str, int] | None = None, **settings):
        crawler = get_crawler(SinaFinanceSpider, settings_dict={
            "OUTPUT_DIR": str(tmp_path / "out"), "STATE_PATH": str(tmp_path / "state.sqlite"), **settings})
        crawlers.append(crawler)
        for doc_id, mtime in (known or {}).items():
            crawl_state(crawler).record(doc_id, f"https://x/{doc_id}", f"/out/{doc_id}.md", "h", mtime, "written")
        spider = crawler.spider = SinaFinanceSpider.from_crawler(crawler, channels="china", since="2024-01-01")
        (first,) = run_start(spider)
        return spider, first

    yield build
    for crawler in crawlers:  # closes the state, as at the end of a crawl
        crawler.signals.send_catch_log(signal=signals.engine_stopped)


def run_start(spider: SinaFinanceSpider) -> list[scrapy.Request]:
    requests, steps = [], spider.start()
    while True:
        try:
            steps.__anext__().send(None)
        except StopIteration as yielded:
            requests.append(yielded.value)
        except StopAsyncIteration:
            return requests


def feed(spider: SinaFinanceSpider, request: scrapy.Request, body: bytes) -> list[scrapy.Request]:
    response = TextResponse(url=request.url, body=body, encoding="utf-8", request=request)
    return list(spider.parse_roll_page(response, **request.cb_kwargs))


def split(requests: list[scrapy.Request]) -> tuple[list[str], list[scrapy.Request]]:
    articles = [r.cb_kwargs["entry"].doc_id for r in requests if r.callback.__name__ == "parse_article"]
    rolls = [r for r in requests if r.callback.__name__ == "parse_roll_page"]
    assert len(articles) + len(rolls) == len(requests)
    return articles, rolls


def query(request: scrapy.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(request.url).query).items()}


def stats(spider: SinaFinanceSpider, prefix: str = "roll/") -> dict:
    return {k: v for k, v in spider.crawler.stats.get_stats().items() if k.startswith(prefix)}


def test_start_asks_for_the_first_roll_page_of_the_channel(open_spider):
    _, first = open_spider()
    assert query(first) == {"pageid": "155", "lid": "1686", "num": "50", "page": "1"}
    assert first.cb_kwargs["scan"].since == datetime(2024, 1, 1, tzinfo=SHANGHAI)


def test_page_inside_the_window_yields_each_article_and_the_next_page(open_spider):
    spider, first = open_spider()
    articles, rolls = split(feed(spider, first, reply(item(1, T3), item(2, T2), item(3, T1))))
    assert articles == ["inzzzzzz0000001", "inzzzzzz0000002", "inzzzzzz0000003"]
    (next_page,) = rolls
    assert query(next_page)["page"] == "2" and "ctime" not in query(next_page)
    assert stats(spider) == {"roll/pages": 1, "roll/entries": 3, "roll/to_fetch/new": 3}


def test_an_item_older_than_since_stops_paging(open_spider):
    spider, first = open_spider()
    articles, rolls = split(feed(spider, first, reply(item(1, T2), item(2, T1), item(3, SINCE - 1))))
    assert (articles, rolls) == (["inzzzzzz0000001", "inzzzzzz0000002"], [])


def test_known_articles_are_skipped_unless_the_api_mtime_is_newer(open_spider):
    known = {"inzzzzzz0000001": T3, "inzzzzzz0000002": T3 + 60, "inzzzzzz0000003": T3 - 60}
    spider, first = open_spider(known)
    body = reply(item(1, T1, mtime=T3), item(2, T1, mtime=T3), item(3, T1, mtime=T3), item(4, T1))
    articles, _ = split(feed(spider, first, body))
    assert articles == ["inzzzzzz0000003", "inzzzzzz0000004"]
    assert stats(spider, "roll/skipped/") == {"roll/skipped/known": 2}
    assert stats(spider, "roll/to_fetch/") == {"roll/to_fetch/changed": 1, "roll/to_fetch/new": 1}


def test_a_doc_id_listed_twice_is_requested_once(open_spider):
    spider, first = open_spider()
    articles, (page2,) = split(feed(spider, first, reply(item(1, T3), item(2, T2))))
    again, _ = split(feed(spider, page2, reply(item(1, T3), item(3, T1))))
    assert articles + again == ["inzzzzzz0000001", "inzzzzzz0000002", "inzzzzzz0000003"]
    assert stats(spider, "roll/skipped/") == {"roll/skipped/listed_twice": 1}


def test_an_empty_page_switches_to_the_ctime_cursor_once_then_stops(open_spider):
    spider, first = open_spider()
    _, (page2,) = split(feed(spider, first, reply(item(1, T3), item(2, T2))))
    _, (cursor_page,) = split(feed(spider, page2, reply()))
    assert query(cursor_page)["page"] == "1" and query(cursor_page)["ctime"] == str(T2)
    assert feed(spider, cursor_page, reply()) == []
    assert spider.crawler.stats.get_value("roll/cursor_switch") == 1


def test_roll_max_pages_stops_paging(open_spider):
    spider, first = open_spider(ROLL_MAX_PAGES=2)
    _, (page2,) = split(feed(spider, first, reply(item(1, T3))))
    articles, rolls = split(feed(spider, page2, reply(item(2, T2))))
    assert (articles, rolls) == (["inzzzzzz0000002"], [])
    assert spider.crawler.stats.get_value("roll/max_pages_reached") == 1


def test_a_broken_reply_is_counted_by_reason(open_spider):
    spider, first = open_spider()
    assert feed(spider, first, b"<html>busy</html>") == []
    status_error = json.dumps({"result": {"status": {"code": 1, "msg": "未注册"}, "data": []}}).encode()
    assert feed(spider, first, status_error) == []
    assert stats(spider) == {"roll/error/roll_not_json": 1, "roll/error/roll_status": 1,
                             "roll/error_detail/china": "roll_status: status code 1 (未注册)"}


def fail(spider: SinaFinanceSpider, request: scrapy.Request) -> None:
    failure = Failure(ConnectionRefusedError("refused"))
    failure.request = request
    spider.article_failed(failure)


def test_finished_run_moves_the_mark_to_the_newest_ctime_seen(open_spider):
    spider, first = open_spider()
    feed(spider, first, reply(item(1, T2), item(2, T3), item(3, T1)))
    spider.closed("finished")
    assert crawl_state(spider.crawler).high_water("china") == T3


def test_the_mark_stops_before_a_failed_article(open_spider):
    spider, first = open_spider()
    requests = feed(spider, first, reply(item(1, T3), item(2, T2), item(3, T1)))
    fail(spider, requests[1])  # the article listed at T2
    spider.closed("finished")
    assert crawl_state(spider.crawler).high_water("china") == T2 - 1
    assert spider.crawler.stats.get_value("article/fetch_failed/ConnectionRefusedError") == 1


def test_a_shutdown_moves_no_mark(open_spider):
    spider, first = open_spider()
    feed(spider, first, reply(item(1, T3)))
    spider.closed("shutdown")
    assert crawl_state(spider.crawler).high_water("china") is None
