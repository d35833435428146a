"""``scrapy crawl sina_7x24``: Sina's 7x24 live feed (快讯) into one post per feed and day.

Pages each feed of ZHIBO_FEEDS_FILE newest first (``crawler.sina.zhibo``) and yields a ``LiveItem``
per item; ``pipelines.live`` writes the day posts and ``OUTPUT_DIR/7x24.jsonl``.

Incremental by item id: a plain run pages down to the feed's high-water mark (the newest item
id written, kept in the state), or on a feed's first run over the last 24 hours. The mark moves
after a finished run whose listing joined up with it (it met the old mark, the window's start or
the end of the feed), without ``until``, without a failed write, never back.

Arguments (``-a name=value``):
  feeds=7x24,7x24_global | all   feeds of ZHIBO_FEEDS_FILE (default: those marked default)
  since=2024-05-10 until=...     backfill window (Beijing dates or ISO times): items already
                                 written are compared and rewritten only when they changed
  max_pages=N                    feed pages per feed (setting ZHIBO_MAX_PAGES)
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.items import LiveItem
from crawler.plumbing.arguments import LIVE_ARGUMENTS
from crawler.plumbing.reach import unreachable_reason
from crawler.sina.zhibo import Feed, FeedError, feed_url, load_feeds, parse_feed, pick_feeds
from crawler.store.state import crawl_state
from crawler.values import SHANGHAI


@dataclass
class LiveScan:
    """One feed's listing in this run."""

    feed: Feed
    mark: int | None
    since: datetime | None
    until: datetime | None
    page: int = 1
    pages_read: int = 0
    joined: bool = False  # met the old mark, the window's start or the end of the feed
    truncated: str = ""
    newest_id: int | None = None  # newest id yielded
    seen: set[int] = field(default_factory=set)


class Sina7x24Spider(scrapy.Spider):
    name = "sina_7x24"
    allowed_domains = ["sina.com.cn", "sina.cn"]
    arguments = LIVE_ARGUMENTS  # `scrapy crawl` checks -a against these before starting
    custom_settings = {"ITEM_PIPELINES": {"pipelines.live.LivePostPipeline": 800}}

    def __init__(self, feeds: str = "", since: datetime | None = None, until: datetime | None = None,
                 max_pages: int | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.feed_spec, self.since_arg, self.until = feeds, since, until
        self.max_pages_arg = max_pages
        self.scans: list[LiveScan] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Sina7x24Spider:
        spider = super().from_crawler(crawler, *args, **cls.arguments.check(kwargs, crawler.settings))
        spider.feeds = pick_feeds(load_feeds(crawler.settings.get("ZHIBO_FEEDS_FILE") or None), spider.feed_spec)
        spider.max_pages = spider.max_pages_arg or crawler.settings.getint("ZHIBO_MAX_PAGES", 50)
        spider.page_size = crawler.settings.getint("ZHIBO_PAGE_SIZE", 20)
        return spider

    @property
    def channels(self) -> list[Feed]:
        """The feeds, as the run summary lists a spider's channels."""
        return self.feeds

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.state = crawl_state(self.crawler)
        now = datetime.now(SHANGHAI)
        for feed in self.feeds:
            mark = self.state.live_mark(feed.name)
            since = self.since_arg or (None if mark is not None else now - timedelta(hours=24))
            scan = LiveScan(feed, mark, since, self.until)
            self.scans.append(scan)
            self.logger.info("Feed %s (zhibo_id %s) from %s", feed.name, feed.zhibo_id,
                             f"item {mark}" if since is None else since)
            yield self.feed_request(scan)

    def feed_request(self, scan: LiveScan) -> scrapy.Request:
        return scrapy.Request(feed_url(scan.feed, scan.page, page_size=self.page_size),
                              headers={"Referer": "https://finance.sina.com.cn/7x24/"},
                              callback=self.parse_feed_page, errback=self.feed_failed,
                              cb_kwargs={"scan": scan}, dont_filter=True)

    def parse_feed_page(self, response: Response, scan: LiveScan) -> Iterator[LiveItem | scrapy.Request]:
        stats, name = self.crawler.stats, scan.feed.name
        try:
            page = parse_feed(response.body)
        except FeedError as error:
            stats.inc_value(f"zhibo/error/{error.reason}")
            stats.set_value(f"zhibo/error_detail/{name}", str(error))
            stats.set_value(f"health/drifted/{name}", f"7x24 feed: {error}")
            self.logger.error("7x24 feed unusable for %s (%s): %s", name, response.url, error)
            scan.truncated = f"feed error: {error}"
            return
        stats.inc_value("zhibo/pages")
        stats.inc_value("zhibo/entries", len(page.entries))
        stats.inc_value(f"health/listed/{name}", len(page.entries))
        scan.pages_read += 1
        for reason in page.skipped:
            stats.inc_value("zhibo/bad_item")
            self.logger.warning("Skipping a 7x24 item of %s: %s", name, reason)
        for entry in page.entries:
            stats.max_value(f"health/newest/{name}", int(entry.created.timestamp()))
            if scan.since is None and scan.mark is not None and entry.item_id <= scan.mark:
                scan.joined = True
                continue
            if scan.since is not None and entry.created < scan.since:
                scan.joined = True
                continue
            if scan.until is not None and entry.created > scan.until:
                stats.inc_value("zhibo/skipped/after_until")
                continue
            if entry.item_id in scan.seen:
                continue  # the feed moved while paging
            scan.seen.add(entry.item_id)
            scan.newest_id = max(scan.newest_id or 0, entry.item_id)
            stats.inc_value("zhibo/items")
            yield LiveItem(feed=name, item_id=entry.item_id, created=entry.created, html=entry.html,
                           tags=list(entry.tags), tag_ids=list(entry.tag_ids), docurl=entry.docurl,
                           stocks=list(entry.stocks), post_name=scan.feed.post_name,
                           categories=list(scan.feed.categories))
        last = (not page.entries and not page.skipped) or (page.total_pages is not None
                                                         and scan.page >= page.total_pages)
        if scan.joined or last:
            scan.joined = True
            return
        if scan.pages_read >= self.max_pages:
            stats.inc_value("zhibo/max_pages_reached")
            scan.truncated = f"ZHIBO_MAX_PAGES={self.max_pages} reached"
            return
        scan.page += 1
        yield self.feed_request(scan)

    def feed_failed(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        scan = request.cb_kwargs.get("scan") if request is not None else None
        name = scan.feed.name if scan else "?"
        self.crawler.stats.inc_value("zhibo/error/fetch_failed")
        self.crawler.stats.set_value(f"zhibo/error_detail/{name}", failure.getErrorMessage())
        unreachable = unreachable_reason(failure)
        if unreachable:
            self.crawler.stats.set_value(f"health/unreachable/{name}", unreachable)
        self.logger.error("7x24 feed request failed (%s)%s: %s", request.url if request else "?",
                          ": Sina unreachable" if unreachable else "", failure.getErrorMessage())
        if scan is not None:
            scan.truncated = f"feed request failed: {failure.getErrorMessage()}"

    def closed(self, reason: str) -> None:
        """Move each feed's mark after a finished run whose listing joined up with it."""
        if reason != "finished":
            self.logger.warning("7x24 marks not advanced: finish reason %s", reason)
            return
        stats = self.crawler.stats
        failed_writes = stats.get_value("live/dropped/output_unwritable", 0)
        for scan in self.scans:
            name = scan.feed.name
            if scan.truncated:
                stats.inc_value("zhibo/truncated")
                stats.set_value(f"zhibo/truncated_detail/{name}", scan.truncated)
                self.logger.warning("Feed %s: paging stopped early (%s); its mark stays, the next run lists again",
                                    name, scan.truncated)
            elif scan.joined and not failed_writes and self.until is None and scan.newest_id is not None:
                self.state.set_live_mark(name, scan.newest_id)
