"""The 7x24 day post: rendered by the live pipeline in-process, then loaded by a real Hexo 8 site;
a hostile item text is sanitized and counted; the progress line of a 7x24 crawl."""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path

from scrapy.utils.test import get_crawler

from crawler.items import LiveItem
from crawler.plumbing.progress import Progress
from crawler.sina.zhibo import load_feeds, parse_feed
from crawler.values import SHANGHAI
from pipelines.format.live_post import item_block
from pipelines.live import LivePostPipeline
from tests.support.hexo import hexo_posts, hexo_site

CATEGORIES = ["金融", "新浪财经", "新浪财经－7x24"]
REPLIES = Path(__file__).parent / "fixtures" / "replies"


def item(item_id: int, hour: int, html: str, **fields: object) -> LiveItem:
    return LiveItem(feed="7x24", item_id=item_id, created=datetime(2024, 5, 10, hour, 0, 5, tzinfo=SHANGHAI),
                    html=html, post_name="新浪财经7x24", categories=CATEGORIES, **fields)


def write(output, *items: LiveItem) -> LivePostPipeline:
    crawler = get_crawler(settings_dict={"OUTPUT_DIR": str(output), "STATE_PATH": str(output.parent / "s.sqlite")})
    crawler.stats.open_spider()
    pipeline = LivePostPipeline.from_crawler(crawler)
    pipeline.open_spider()
    for one in items:
        pipeline.process_item(one)
    pipeline.close_spider()
    return pipeline


def test_a_hostile_item_text_is_sanitized_and_counted(tmp_path):
    pipeline = write(tmp_path / "posts", item(2, 9, '<img src="x" onerror="alert(1)">快讯<script>alert(2)</script>'),
                     item(1, 8, "【早盘】{{ 模板 }} 开盘。"))
    text = (tmp_path / "posts" / "2024-05-10" / "新浪财经7x24 2024-05-10.md").read_text(encoding="utf-8")
    assert "alert" not in text and "onerror" not in text
    assert text.index('id="zhibo-1"') < text.index('id="zhibo-2"')  # 08:00:05 before 09:00:05
    assert "【早盘】&#123;&#123; 模板 &#125;&#125; 开盘。" in text
    # Scripts go by the seed body rules (as in articles); what the allowlist removed is counted.
    assert {k: v for k, v in pipeline.stats.get_stats().items() if k.startswith("live/")} == {
        "live/written": 2, "live/sanitized/attribute/onerror": 1, "live/posts_new": 1, "live/posts_updated": 0}


def test_hexo_loads_the_day_post_with_its_title_date_and_categories(tmp_path):
    site = hexo_site(tmp_path / "site")
    write(site / "source" / "_posts", item(7, 15, "A股收盘。", tags=["A股"], stocks=["sh600519"]),
          item(3, 7, '【美股收盘】道指涨0.85%。<img src="//n.sinaimg.cn/a.png">'))
    (post,) = hexo_posts(site).values()
    assert post["source"] == "_posts/2024-05-10/新浪财经7x24 2024-05-10.md"
    assert post["title"] == "新浪财经7x24 2024-05-10"
    assert post["date"] == "2024-05-09T23:00:05.000Z"  # the first item, 07:00:05 Beijing
    assert post["categories"] == CATEGORIES
    assert post["headimg"] == "https://n.sinaimg.cn/a.png"
    assert post["comments"] is False


def test_the_progress_line_of_a_7x24_crawl_counts_feed_pages_and_items():
    crawler = get_crawler()
    crawler.stats.open_spider()
    for stat, value in (("zhibo/pages", 3), ("live/written", 24), ("live/unchanged", 2)):
        crawler.stats.set_value(stat, value)
    assert Progress(crawler, io.StringIO()).line() == "feed pages 3 | items 24 new 0 updated 2 unchanged | errors 0"


def test_the_day_post_of_a_real_reply(tmp_path):
    """The real 7x24 reply, parsed and written by the pipeline, against the day post written by
    hand from the reply (tests/fixtures/replies/NOTES.md)."""
    feed = load_feeds()["7x24"]
    page = parse_feed((REPLIES / "ta_zhibo_feed_152_2026-09-04_page1.json").read_bytes())
    items = [LiveItem(feed=feed.name, item_id=e.item_id, created=e.created, html=e.html, tags=list(e.tags),
                      tag_ids=list(e.tag_ids), docurl=e.docurl, stocks=list(e.stocks), post_name=feed.post_name,
                      categories=list(feed.categories)) for e in page.entries]
    write(tmp_path / "posts", *items)
    post = tmp_path / "posts" / "2026-09-04" / "新浪财经7x24 2026-09-04.md"
    assert post.read_bytes() == (REPLIES / "ta_zhibo_feed_152_2026-09-04_page1.expected.md").read_bytes()
    lines = [json.loads(line) for line in (tmp_path / "posts" / "7x24.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == list(range(5076683, 5076691))
    # Every entry of ext.stocks, symbols and all, keywords too.
    assert lines[2]["stocks"] == [
        {"market": "us", "symbol": "nmr", "key": "野村"},
        {"market": "foreign", "symbol": "fx_susdcnh", "key": "加息"},
        {"market": "foreign", "symbol": "fx_scnhusd", "key": "加息"},
        {"market": "foreign", "symbol": "fx_susdcny", "key": "加息"},
        {"market": "foreign", "symbol": "fx_susdjpy", "key": "日元"},
        {"market": "foreign", "symbol": "fx_sjpyusd", "key": "日元"},
        {"market": "fund", "symbol": "159352", "key": "投资", "sym_party_status": "1"},
    ]


def test_stocks_written_before_symbols_were_kept_are_shown_once_as_they_are():
    block, _ = item_block({"id": 1, "created": "2024-05-10T09:00:00+08:00", "html": "x",
                           "stocks": ["加息", "加息", "sh600519"]})
    assert '<div class="zhibo-meta">股票：加息、sh600519</div>' in block
