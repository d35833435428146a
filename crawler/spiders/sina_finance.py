"""``scrapy crawl sina_finance``: the main job. Lists articles through Sina's roll API for the
configured channels and fetches each new or changed article once.

Arguments (``-a name=value``):
  channels=china,stock | all     channels of CHANNELS_FILE (default: those marked default)
  since=2021-10-01 until=...     backfill window (Beijing dates or ISO times); without since:
                                 each channel's high-water mark less UPDATE_LOOKBACK_HOURS (to
                                 see edits of recent articles), or the last 24 hours
  refetch=1                      fetch known articles in the window again
  reset_state=1                  forget everything the state database knows first
  max_pages=N                    roll pages per channel (setting ROLL_MAX_PAGES)
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

from crawler.channels import Channel, load_channels, pick_channels
from crawler.items import Article, RollEntry
from crawler.reading import read_article, record_fetch_failure
from crawler.roll import MAX_NUM, RollError, RollPage, parse_roll, roll_url
from crawler.state import crawl_state
from crawler.values import SHANGHAI, parse_beijing_time

DEFAULT_LOOKBACK = timedelta(hours=24)


def _flag(value: str | bool) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def parse_bound(value: str, *, end_of_day: bool = False) -> datetime:
    """``2021-10-01`` (a Beijing day; as ``until`` it includes the whole day) or an ISO time."""
    moment = parse_beijing_time(value)
    if moment is None:
        raise ValueError(f"not a date: {value!r} (use YYYY-MM-DD or YYYY-MM-DDTHH:MM)")
    if end_of_day and len(value.strip()) <= 10:
        moment += timedelta(days=1, seconds=-1)
    return moment


@dataclass
class ChannelScan:
    """Where the paging of one channel stands."""

    channel: Channel
    since: datetime
    page: int = 1
    cursor: int | None = None  # ctime cursor once page numbers stop reaching older items
    oldest_seen: int | None = None
    newest_seen: int | None = None
    failed: list[int] = field(default_factory=list)  # ctimes of articles whose fetch failed

    def next_mark(self) -> int | None:
        """Newest ctime seen, but never past an article that failed: it must be listed again."""
        if self.newest_seen is None:
            return None
        return min([self.newest_seen, *(ctime - 1 for ctime in self.failed)])


def request_channel(failure: Failure) -> str:
    request = getattr(failure, "request", None)
    scan = request.cb_kwargs.get("scan") if request is not None else None
    return scan.channel.name if scan else "?"


class SinaFinanceSpider(scrapy.Spider):
    name = "sina_finance"
    allowed_domains = ["sina.com.cn", "sina.cn"]

    def __init__(self, channels: str = "", since: str = "", until: str = "", refetch: str = "",
                 reset_state: str = "", max_pages: str = "", *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.channel_spec = channels
        self.since_arg = parse_bound(since) if since else None
        self.until = parse_bound(until, end_of_day=True) if until else None
        self.refetch = _flag(refetch)
        self.reset_state = _flag(reset_state)
        self.max_pages_arg = int(max_pages) if max_pages else None
        self.requested: set[str] = set()
        self.scans: dict[str, ChannelScan] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SinaFinanceSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.channels = pick_channels(load_channels(settings.get("CHANNELS_FILE")), spider.channel_spec)
        spider.max_pages = spider.max_pages_arg or settings.getint("ROLL_MAX_PAGES", 100)
        spider.roll_host = settings.get("ROLL_API_HOST", "feed.mix.sina.com.cn")
        spider.update_lookback = timedelta(hours=settings.getfloat("UPDATE_LOOKBACK_HOURS", 48))
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.state = crawl_state(self.crawler)
        if self.reset_state:
            self.state.reset()
            self.logger.warning("State reset: every article counts as new in this run")
        self.known = self.state.known()
        now = datetime.now(SHANGHAI)
        for channel in self.channels:
            mark = self.state.high_water(channel.name)
            if self.since_arg:
                since = self.since_arg
            elif mark:
                since = datetime.fromtimestamp(mark, SHANGHAI) - self.update_lookback
            else:
                since = now - DEFAULT_LOOKBACK
            scan = self.scans[channel.name] = ChannelScan(channel, since)
            self.logger.info("Channel %s (%s/%s) from %s", channel.name, channel.pageid, channel.lid, since)
            yield self.roll_request(scan)

    def roll_request(self, scan: ChannelScan) -> scrapy.Request:
        channel = scan.channel
        url = roll_url(channel.pageid, channel.lid, scan.page, ctime=scan.cursor, host=self.roll_host)
        return scrapy.Request(
            url,
            headers={"Referer": channel.referer},
            callback=self.parse_roll_page,
            errback=self.roll_failed,
            cb_kwargs={"scan": scan},
            dont_filter=True,
        )

    def parse_roll_page(self, response: Response, scan: ChannelScan) -> Iterator[scrapy.Request]:
        stats = self.crawler.stats
        try:
            page = parse_roll(response.body, scan.channel.name)
        except RollError as error:
            stats.inc_value(f"roll/error/{error.reason}")
            stats.set_value(f"roll/error_detail/{scan.channel.name}", str(error))
            self.logger.error("Roll API unusable for %s (%s): %s", scan.channel.name, response.url, error)
            return
        stats.inc_value("roll/pages")
        stats.inc_value("roll/entries", len(page.entries))
        for reason in page.skipped:
            stats.inc_value("roll/bad_entry")
            self.logger.warning("Skipping a roll entry of %s: %s", scan.channel.name, reason)
        reached_older = False
        for entry in page.entries:
            stamp = int(entry.ctime.timestamp())
            scan.newest_seen = max(scan.newest_seen or stamp, stamp)
            scan.oldest_seen = min(scan.oldest_seen or stamp, stamp)
            if entry.ctime < scan.since:
                reached_older = True
                continue
            request = self.article_request(entry, scan.channel)
            if request is not None:
                yield request
        next_scan = self.next_page(scan, page, reached_older)
        if next_scan is not None:
            yield self.roll_request(next_scan)

    def next_page(self, scan: ChannelScan, page: RollPage, reached_older: bool) -> ChannelScan | None:
        if reached_older:
            return None
        if page.entries and page.total is not None and scan.page * MAX_NUM >= page.total:
            return None  # the list itself ends here
        if scan.page >= self.max_pages:
            self.crawler.stats.inc_value("roll/max_pages_reached")
            self.logger.warning("Channel %s: stopped at ROLL_MAX_PAGES=%s before reaching %s",
                                scan.channel.name, self.max_pages, scan.since)
            return None
        if page.entries:
            scan.page += 1
            return scan
        # Page numbers ran dry before the window's start: continue from the oldest item seen.
        cursor = scan.oldest_seen
        if cursor is None or cursor == scan.cursor:
            return None
        self.crawler.stats.inc_value("roll/cursor_switch")
        scan.cursor, scan.page = cursor, 1
        return scan

    def article_request(self, entry: RollEntry, channel: Channel) -> scrapy.Request | None:
        stats = self.crawler.stats
        if self.until and entry.ctime > self.until:
            stats.inc_value("roll/skipped/after_until")
            return None
        if entry.doc_id in self.requested:
            stats.inc_value("roll/skipped/listed_twice")
            return None
        known = self.known.get(entry.doc_id)
        mtime = int(entry.mtime.timestamp())
        if known and not self.refetch and (known.mtime or 0) >= mtime:
            stats.inc_value("roll/skipped/known")
            return None
        stats.inc_value("roll/to_fetch/changed" if known else "roll/to_fetch/new")
        self.requested.add(entry.doc_id)
        return scrapy.Request(
            entry.url,
            callback=self.parse_article,
            errback=self.article_failed,
            cb_kwargs={"entry": entry, "channel": channel},
            meta={"article": True},
        )

    def parse_article(self, response: Response, entry: RollEntry, channel: Channel) -> Iterator[Article]:
        article = read_article(self, response)
        if article is not None:
            article.apply_listing(entry, list(channel.categories))
            yield article

    def article_failed(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        if request is not None and "entry" in request.cb_kwargs:
            scan = self.scans[request.cb_kwargs["channel"].name]
            scan.failed.append(int(request.cb_kwargs["entry"].ctime.timestamp()))
        record_fetch_failure(self, failure)

    def roll_failed(self, failure: Failure) -> None:
        self.crawler.stats.inc_value("roll/error/fetch_failed")
        self.crawler.stats.set_value(f"roll/error_detail/{request_channel(failure)}", failure.getErrorMessage())
        request = getattr(failure, "request", None)
        self.logger.error("Roll API request failed (%s): %s", request.url if request else "?",
                          failure.getErrorMessage())

    def closed(self, reason: str) -> None:
        """Advance each channel's high-water mark after a finished run, but never past an article
        that failed (so the next run lists and fetches it again); not at all after a crash."""
        if reason == "finished":
            for scan in self.scans.values():
                mark = scan.next_mark()
                if mark is not None:
                    self.state.set_high_water(scan.channel.name, mark)
                if scan.failed:
                    self.logger.warning("Channel %s: high-water mark held before %d failed article(s)",
                                        scan.channel.name, len(scan.failed))
        else:
            self.logger.warning("High-water marks not advanced: finish reason %s", reason)
