"""``scrapy crawl sina_finance``: the main job. Lists articles through Sina's roll API for the
configured channels and fetches each new or changed article once.

Listing comes first, fetching after: article requests go out once every roll scan is done, so
an article listed by several channels takes the categories of the first of them in the
channel table (or the channel it was first written under), whatever order replies arrive in.
They go out newest first, a few at a time as the scheduler runs dry (memory stays flat).
See crawler.store.coverage for the windows, marks and gaps.

Arguments (``-a name=value``):
  channels=china,stock | all     channels of CHANNELS_FILE (default: those marked default)
  since=2021-10-01 until=...     backfill window (Beijing dates or ISO times); without since:
                                 each channel's high-water mark less UPDATE_LOOKBACK_HOURS (to
                                 see edits of recent articles, never below where the channel's
                                 coverage starts), or on a first run the last 24 hours
  refetch=1                      fetch known articles in the window again
  reset_state=1                  forget everything the state database knows first
  max_pages=N                    roll pages per channel (setting ROLL_MAX_PAGES)
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.distributed import shares_a_queue, takes_the_listing
from crawler.items import Article, RollEntry
from crawler.plumbing.arguments import FINANCE_ARGUMENTS
from crawler.plumbing.reach import unreachable_reason
from crawler.plumbing.reading import read_article, record_fetch_failure
from crawler.sina.channels import Channel, load_channels, pick_channels
from crawler.sina.roll import MAX_NUM, RollError, RollPage, parse_roll, roll_url
from crawler.store.coverage import Scan, plan, settle, unread_left
from crawler.store.state import FORGOTTEN, KnownArticle, crawl_state
from crawler.values import SHANGHAI


@dataclass
class Listed:
    """An article to fetch once listing is done: its entry, home channel and the scans that saw it."""

    entry: RollEntry
    channel: Channel
    scans: list[Scan] = field(default_factory=list)


class SinaFinanceSpider(scrapy.Spider):
    name = "sina_finance"
    allowed_domains = ["sina.com.cn", "sina.cn"]

    arguments = FINANCE_ARGUMENTS  # `scrapy crawl` checks -a against these before starting

    def __init__(self, channels: str = "", since: datetime | None = None, until: datetime | None = None,
                 refetch: bool = False, reset_state: bool = False, max_pages: int | None = None,
                 *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.channel_spec = channels
        self.since_arg, self.until = since, until
        self.refetch, self.reset_state = refetch, reset_state
        self.max_pages_arg = max_pages
        self.scans: dict[str, list[Scan]] = {}
        self.listed: dict[str, Listed] = {}
        self.to_fetch: list[tuple[str, Listed]] = []
        self.open_scans = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SinaFinanceSpider:
        spider = super().from_crawler(crawler, *args, **cls.arguments.check(kwargs, crawler.settings))
        settings = crawler.settings
        spider.table = load_channels(settings.get("CHANNELS_FILE"))
        spider.channels = pick_channels(spider.table, spider.channel_spec)
        spider.max_pages = spider.max_pages_arg or settings.getint("ROLL_MAX_PAGES", 100)
        spider.roll_host = settings.get("ROLL_API_HOST", "feed.mix.sina.com.cn")
        spider.update_lookback = timedelta(hours=settings.getfloat("UPDATE_LOOKBACK_HOURS", 48))
        spider.fetch_batch = 2 * max(settings.getint("CONCURRENT_REQUESTS", 16), 1)
        crawler.signals.connect(spider.fetch_listed, signal=signals.spider_idle)
        crawler.signals.connect(spider.feed_fetches, signal=signals.scheduler_empty)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.state = crawl_state(self.crawler)
        if not takes_the_listing(self.crawler):
            self.channels = []  # another process of the distributed run lists them
            return
        if self.reset_state:
            self.state.reset()
            self.logger.warning("State reset: every article counts as new in this run")
        now = datetime.now(SHANGHAI)
        for channel in self.channels:
            scans = self.scans[channel.name] = plan(channel.name, self.state.coverage(channel.name), now,
                                                     self.update_lookback, self.since_arg, self.until)
            self.logger.info("Channel %s (%s/%s) from %s", channel.name, channel.pageid, channel.lid, scans[0].since)
            for gap_scan in scans[1:]:
                self.logger.info("Channel %s: continuing below %s down to %s", channel.name,
                                 datetime.fromtimestamp(gap_scan.cursor or 0, SHANGHAI), gap_scan.since)
            for scan in scans:
                self.open_scans += 1
                yield self.roll_request(scan, channel)

    def roll_request(self, scan: Scan, channel: Channel) -> scrapy.Request:
        url = roll_url(channel.pageid, channel.lid, scan.page, ctime=scan.cursor, host=self.roll_host)
        return scrapy.Request(
            url,
            headers={"Referer": channel.referer},
            callback=self.parse_roll_page,
            errback=self.roll_failed,
            cb_kwargs={"scan": scan, "channel": channel},
            dont_filter=True,
        )

    def parse_roll_page(self, response: Response, scan: Scan, channel: Channel) -> Iterator[scrapy.Request]:
        stats = self.crawler.stats
        try:
            page = parse_roll(response.body, channel.name)
        except RollError as error:
            stats.inc_value(f"roll/error/{error.reason}")
            if error.reason == "roll_unregistered":
                error = RollError(error.reason, f"pageid {channel.pageid} / lid {channel.lid} answers 未注册: the "
                                                f"pair is wrong or retired; fix it in the channel file")
                self.logger.error("Channel %s: %s", channel.name, error.detail)
            else:
                self.logger.error("Roll API unusable for %s (%s): %s", channel.name, response.url, error)
            stats.set_value(f"roll/error_detail/{channel.name}", str(error))
            stats.set_value(f"health/drifted/{channel.name}", f"roll API: {error}")
            self.stop_scan(scan, f"roll API error: {error}")
            return
        stats.inc_value("roll/pages")
        stats.inc_value("roll/entries", len(page.entries))
        stats.inc_value(f"health/listed/{channel.name}", len(page.entries))
        scan.pages_read += 1
        for reason in page.skipped:
            stats.inc_value("roll/bad_entry")
            self.logger.warning("Skipping a roll entry of %s: %s", channel.name, reason)
        reached_older = False
        for entry in page.entries:
            scan.saw(int(entry.ctime.timestamp()))
            stats.max_value(f"health/newest/{channel.name}", int(entry.ctime.timestamp()))
            if entry.ctime < scan.since:
                reached_older = True
                continue
            self.list_entry(entry, channel, scan)
        if self.next_page(scan, page, reached_older):
            yield self.roll_request(scan, channel)
        else:
            self.open_scans -= 1

    def next_page(self, scan: Scan, page: RollPage, reached_older: bool) -> bool:
        """Move ``scan`` to its next page; False when it is done (or truncated)."""
        if reached_older:
            return False
        if page.entries and page.total is not None and scan.page * MAX_NUM >= page.total:
            return False  # the list itself ends here
        if scan.pages_read >= self.max_pages:
            self.crawler.stats.inc_value("roll/max_pages_reached")
            self.truncate(scan, f"ROLL_MAX_PAGES={self.max_pages} reached at "
                                f"{datetime.fromtimestamp(scan.oldest_seen or 0, SHANGHAI):%Y-%m-%d %H:%M:%S}")
            return False
        if page.entries:
            scan.page += 1
            return True
        # Page numbers ran dry before the window's start: continue from the oldest item seen.
        cursor = scan.oldest_seen
        if cursor is None or cursor == scan.cursor:
            return False  # nothing older can be listed at all
        self.crawler.stats.inc_value("roll/cursor_switch")
        scan.cursor, scan.page = cursor, 1
        return True

    def list_entry(self, entry: RollEntry, channel: Channel, scan: Scan) -> None:
        """Note an article to fetch after listing, under its one home channel."""
        stats = self.crawler.stats
        if scan.until and entry.ctime > scan.until:
            stats.inc_value("roll/skipped/after_until")
            return
        listed = self.listed.get(entry.doc_id)
        if listed is not None:
            stats.inc_value("roll/skipped/listed_twice")
            listed.scans.append(scan)
            if self.order(channel) < self.order(listed.channel) and not self.known_channel(entry.doc_id):
                listed.entry, listed.channel = entry, channel
            return
        known = self.known_article(entry.doc_id)
        if known and not self.refetch and (known.mtime or 0) >= int(entry.mtime.timestamp()):
            stats.inc_value("roll/skipped/known")
            return
        stats.inc_value("roll/to_fetch/changed" if known else "roll/to_fetch/new")
        self.listed[entry.doc_id] = Listed(entry, self.known_channel(entry.doc_id) or channel, [scan])

    def order(self, channel: Channel) -> int:
        return list(self.table).index(channel.name)

    def known_channel(self, doc_id: str) -> Channel | None:
        """The channel an article was first written under, while the table still has it."""
        known = self.known_article(doc_id)
        return self.table.get(known.channel) if known and known.channel else None

    def known_article(self, doc_id: str) -> KnownArticle | None:
        """What the state holds of a written article (asked per listed entry: a state of millions
        of articles is never loaded whole)."""
        known = self.state.article(doc_id)
        return known if known is not None and known.status != FORGOTTEN else None

    def fetch_listed(self) -> None:
        """When every scan is done, queue the listed articles (newest first) and start fetching
        them; keep the spider open while any are left."""
        if self.open_scans or not (self.listed or self.to_fetch):
            return
        listed, self.listed = self.listed, {}
        queue = sorted(listed.items(), key=lambda pair: (-pair[1].entry.ctime.timestamp(), pair[0]))
        self.to_fetch.extend(reversed(queue))  # popped from the end: newest first
        self.feed_fetches()
        raise DontCloseSpider

    def feed_fetches(self) -> None:
        """Hand the scheduler the next few article requests. Requests are made as the scheduler
        runs dry, not all at once, so memory holds the queue of listed entries and a bounded
        number of requests, however many articles a backfill lists (in a distributed run, all
        go to the shared queue at once)."""
        engine = self.crawler.engine
        # A distributed run's queue is in Redis, shared by every process: all of it goes there.
        batch = len(self.to_fetch) if shares_a_queue(self.crawler) else self.fetch_batch
        for _ in range(min(len(self.to_fetch), batch)):
            doc_id, item = self.to_fetch.pop()
            entry = dataclasses.replace(item.entry, channel=item.channel.name)
            self.crawler.stats.inc_value("article/requested")
            engine.crawl(scrapy.Request(
                entry.url,
                callback=self.parse_article,
                errback=self.article_failed,
                cb_kwargs={"entry": entry, "channel": item.channel, "scans": item.scans},
                meta={"article": True},
            ))
            self.logger.debug("Fetching %s (%s) under %s", doc_id, entry.url, item.channel.name)

    async def parse_article(self, response: Response, entry: RollEntry, channel: Channel,
                            scans: list[Scan]) -> AsyncIterator[Article]:
        article = await read_article(self, response)
        if article is not None:
            article.apply_listing(entry, list(channel.categories))
            article.body_mode = channel.body_mode
            yield article

    def article_failed(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        if request is not None and "entry" in request.cb_kwargs:
            for scan in request.cb_kwargs["scans"]:
                scan.failed.append(int(request.cb_kwargs["entry"].ctime.timestamp()))
        record_fetch_failure(self, failure)

    def roll_failed(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        scan = request.cb_kwargs.get("scan") if request is not None else None
        channel = request.cb_kwargs.get("channel") if request is not None else None
        name = channel.name if channel else "?"
        self.crawler.stats.inc_value("roll/error/fetch_failed")
        self.crawler.stats.set_value(f"roll/error_detail/{name}", failure.getErrorMessage())
        unreachable = unreachable_reason(failure)
        if unreachable:
            self.crawler.stats.set_value(f"health/unreachable/{name}", unreachable)
        self.logger.error("Roll API request failed (%s)%s: %s", request.url if request else "?",
                          ": Sina unreachable" if unreachable else "", failure.getErrorMessage())
        if scan is not None:
            self.stop_scan(scan, f"roll API request failed: {failure.getErrorMessage()}")

    def stop_scan(self, scan: Scan, reason: str) -> None:
        self.truncate(scan, reason)
        self.open_scans -= 1

    def truncate(self, scan: Scan, reason: str) -> None:
        """Paging stopped before the window's start; closed() says whether anything is left."""
        scan.truncated = reason
        self.logger.info("Channel %s: paging stopped before %s (%s)", scan.channel, scan.since, reason)

    def closed(self, reason: str) -> None:
        """Record each channel's coverage after a finished run (never past a failed article, with
        a gap for whatever paging did not reach); nothing after a crash, a kill or a shutdown."""
        if reason != "finished":
            self.logger.warning("High-water marks not advanced: finish reason %s", reason)
            return
        for name, scans in self.scans.items():
            coverage = self.state.coverage(name)
            self.report_left(name, scans, unread_left(coverage, scans))
            self.state.save_coverage(name, settle(coverage, scans))
            failed = sum(len(scan.failed) for scan in scans)
            if failed:
                self.logger.warning("Channel %s: high-water mark held before %d failed article(s)", name, failed)

    def report_left(self, channel: str, scans: list[Scan], left: list[tuple[int, int]]) -> None:
        """Paging that stopped before the window's start and left items unlisted: a WARNING and
        ``roll/truncated`` (the run summary's ``truncated``)."""
        if not left:
            return
        why = "; ".join(dict.fromkeys(scan.truncated for scan in scans if scan.truncated))
        oldest = datetime.fromtimestamp(min(low for low, _ in left), SHANGHAI)
        detail = f"{why}; items down to {oldest:%Y-%m-%d %H:%M:%S} still to list"
        self.crawler.stats.inc_value("roll/truncated")
        self.crawler.stats.set_value(f"roll/truncated_detail/{channel}", detail)
        self.logger.warning("Channel %s: paging stopped before the window's start (%s); the next run continues there",
                            channel, detail)
