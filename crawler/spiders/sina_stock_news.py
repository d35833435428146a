"""``scrapy crawl sina_stock_news -a symbols=sh600519,sz000002``: news by stock.

Reads each symbol's 个股资讯 list (crawler.sina.stock_news) page by page, newest first, down to the
window's start, then fetches each listed article once through the same reader, pipelines,
exporter and state as sina_finance. Listing comes first, fetching after, so an article listed by
several symbols is fetched once and tagged with all of them.

Arguments (``-a name=value``, crawler.plumbing.arguments.STOCK_NEWS_ARGUMENTS):
  symbols=sh600519,sz000002      symbols (sh/sz/bj + 6 digits); or symbol_file=PATH, one a line
  since=2026-09-01 until=...     window (Beijing dates or ISO times); without since: the symbol's
                                 mark less UPDATE_LOOKBACK_HOURS (never below where its coverage
                                 starts), or STOCK_NEWS_FIRST_RUN_DAYS back on its first run
  refetch=1                      fetch articles already written (by any spider) again
  max_pages=N                    list pages per symbol (setting STOCK_NEWS_MAX_PAGES)

An article already written (by any spider) is not fetched again, but the symbol is added to its
``stocks`` in the state. A new one gets the categories of the channel table's ``source:
stock_news`` row. Each symbol's coverage (mark, floor, gaps) is kept in the state under
``stock_news:<symbol>`` with the rules of crawler.store.coverage, one scan per run that reaches
down to the oldest recorded gap. What happened to each symbol is in the run summary's ``symbols``
(stats ``stock_news/note/<symbol>``): rows listed, pages read, an empty list, a list that ends,
a page that stops paging, no list page at all.
"""

from __future__ import annotations

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

from crawler.distributed import takes_the_listing
from crawler.items import Article
from crawler.plumbing.arguments import STOCK_NEWS_ARGUMENTS, url_problem
from crawler.plumbing.reading import read_article, record_fetch_failure
from crawler.sina.channels import Channel, load_channels, stock_news_channel
from crawler.sina.stock_news import ListError, ListRow, list_url, read_list
from crawler.store.coverage import Scan, plan, settle, unread_left
from crawler.store.state import FORGOTTEN, crawl_state
from crawler.values import SHANGHAI

MARK_PREFIX = "stock_news:"


@dataclass
class Listed:
    """An article to fetch once listing is done: its newest row and every symbol that listed it."""

    row: ListRow
    symbols: list[str] = field(default_factory=list)
    scans: list[Scan] = field(default_factory=list)


@dataclass
class SymbolScan:
    symbol: str
    scan: Scan
    listed: int = 0
    seen: set[str] = field(default_factory=set)  # doc ids met on this symbol's pages
    note: str = ""


class SinaStockNewsSpider(scrapy.Spider):
    name = "sina_stock_news"
    allowed_domains = ["sina.com.cn", "sina.cn"]
    arguments = STOCK_NEWS_ARGUMENTS

    def __init__(self, symbols: list[str] | None = None, since: datetime | None = None,
                 until: datetime | None = None, refetch: bool = False, max_pages: int | None = None,
                 *args: Any, **kwargs: Any) -> None:
        kwargs.pop("symbol_file", None)  # merged into symbols by the argument check
        super().__init__(*args, **kwargs)
        self.symbols = list(symbols or [])
        self.since_arg, self.until = since, until
        self.refetch = refetch
        self.max_pages_arg = max_pages
        self.scans: dict[str, SymbolScan] = {}
        self.listed: dict[str, Listed] = {}
        self.open_scans = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SinaStockNewsSpider:
        spider = super().from_crawler(crawler, *args, **cls.arguments.check(kwargs, crawler.settings))
        settings = crawler.settings
        spider.table = load_channels(settings.get("CHANNELS_FILE") or None)
        spider.home = stock_news_channel(settings.get("CHANNELS_FILE") or None)
        spider.max_pages = spider.max_pages_arg or settings.getint("STOCK_NEWS_MAX_PAGES", 20)
        spider.lookback = timedelta(hours=settings.getfloat("UPDATE_LOOKBACK_HOURS", 48))
        spider.first_run = timedelta(days=settings.getfloat("STOCK_NEWS_FIRST_RUN_DAYS", 30))
        crawler.signals.connect(spider.fetch_listed, signal=signals.spider_idle)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.state = crawl_state(self.crawler)
        if not takes_the_listing(self.crawler):
            self.symbols = []  # another process of the distributed run lists them
            return
        now = datetime.now(SHANGHAI)
        for symbol in self.symbols:
            coverage = self.state.coverage(MARK_PREFIX + symbol)
            top = plan(symbol, coverage, now, self.lookback, self.since_arg, self.until, self.first_run)[0]
            if coverage.gaps and self.since_arg is None:
                # List pages have no cursor: one scan reaches down to the oldest gap.
                lowest = min(gap.floor for gap in coverage.gaps)
                top.since = min(top.since, datetime.fromtimestamp(lowest, SHANGHAI))
            self.scans[symbol] = SymbolScan(symbol, top)
            self.logger.info("Symbol %s from %s", symbol, top.since)
            self.open_scans += 1
            yield self.list_request(symbol, 1)

    def list_request(self, symbol: str, page: int) -> scrapy.Request:
        return scrapy.Request(list_url(symbol, page), callback=self.parse_list, errback=self.list_failed,
                              cb_kwargs={"symbol": symbol}, dont_filter=True)

    def parse_list(self, response: Response, symbol: str) -> Iterator[scrapy.Request]:
        stats, current = self.crawler.stats, self.scans[symbol]
        scan = current.scan
        content_type = response.headers.get("Content-Type")
        headers = {"Content-Type": content_type.decode("latin-1")} if content_type else None
        try:
            page = read_list(response.body, headers, response.url)
        except ListError as error:
            stats.inc_value(f"stock_news/error/{error.reason}")
            what = "no 个股资讯 list page" if scan.page == 1 else f"page {scan.page} is no list page"
            self.fail(current, f"{what} ({error})")
            return
        stats.inc_value("stock_news/pages")
        stats.inc_value("stock_news/rows", len(page.rows))
        scan.pages_read += 1
        for reason in page.skipped:
            stats.inc_value("stock_news/bad_row")
            self.logger.warning("Skipping a row of %s page %d: %s", symbol, scan.page, reason)
        new_ids = [row.doc_id for row in page.rows if row.doc_id not in current.seen]
        if scan.page > 1 and page.rows and not new_ids:
            self.stop(current, f"page {scan.page} repeats earlier pages: paging stopped", truncated=True)
            return
        current.seen.update(new_ids)
        reached_older = False
        for row in page.rows:
            moment = int(row.time.timestamp())
            scan.saw(moment)
            if row.time < scan.since:
                reached_older = True
                continue
            self.list_row(row, current)
        if not page.rows and scan.page == 1:
            self.stop(current, "the list is empty")
        elif reached_older:
            self.stop(current, "")
        elif not page.rows:
            self.stop(current, f"page {scan.page} is empty: paging stopped", truncated=True)
        elif not page.has_next:
            self.stop(current, f"the list ends at page {scan.page}")
        elif scan.pages_read >= self.max_pages:
            stats.inc_value("stock_news/max_pages_reached")
            self.stop(current, f"STOCK_NEWS_MAX_PAGES={self.max_pages} reached", truncated=True)
        else:
            scan.page += 1
            yield self.list_request(symbol, scan.page)

    def list_row(self, row: ListRow, current: SymbolScan) -> None:
        stats, scan = self.crawler.stats, current.scan
        if scan.until and row.time > scan.until:
            stats.inc_value("stock_news/skipped/after_until")
            return
        if url_problem(row.url):
            stats.inc_value("stock_news/skipped/not_sina")
            return
        current.listed += 1
        listed = self.listed.get(row.doc_id)
        if listed is not None:
            if current.symbol not in listed.symbols:
                listed.symbols.append(current.symbol)
            listed.scans.append(scan)
            return
        known = self.state.article(row.doc_id)
        if known is not None and known.status != FORGOTTEN and not self.refetch:
            stats.inc_value("stock_news/skipped/known")
            self.state.add_stocks(row.doc_id, [current.symbol])
            return
        stats.inc_value("stock_news/to_fetch/again" if known else "stock_news/to_fetch/new")
        self.listed[row.doc_id] = Listed(row, [current.symbol], [scan])

    def stop(self, current: SymbolScan, why: str, *, truncated: bool = False) -> None:
        if truncated:
            current.scan.truncated = why
        current.note = why
        self.open_scans -= 1

    def fail(self, current: SymbolScan, why: str) -> None:
        self.logger.error("Symbol %s: %s", current.symbol, why)
        self.crawler.stats.set_value(f"stock_news/failed/{current.symbol}", why)
        self.stop(current, why, truncated=True)

    def list_failed(self, failure: Failure) -> None:
        request = failure.request
        current = self.scans[request.cb_kwargs["symbol"]]
        status = getattr(getattr(failure.value, "response", None), "status", None)
        what = f"HTTP {status}" if status else failure.getErrorMessage()
        self.crawler.stats.inc_value("stock_news/error/fetch_failed")
        page = current.scan.page
        self.fail(current, f"no news page ({what})" if page == 1 else f"page {page} could not be fetched ({what})")

    def fetch_listed(self) -> None:
        """When every list is read, fetch the listed articles, newest first."""
        if self.open_scans or not self.listed:
            return
        listed, self.listed = self.listed, {}
        for doc_id, item in sorted(listed.items(), key=lambda pair: (-pair[1].row.time.timestamp(), pair[0])):
            self.crawler.stats.inc_value("article/requested")
            self.crawler.engine.crawl(scrapy.Request(
                item.row.url, callback=self.parse_article, errback=self.article_failed,
                cb_kwargs={"listed": item}, meta={"article": True}))
            self.logger.debug("Fetching %s (%s) for %s", doc_id, item.row.url, ", ".join(item.symbols))
        raise DontCloseSpider

    async def parse_article(self, response: Response, listed: Listed) -> AsyncIterator[Article]:
        article = await read_article(self, response)
        if article is None:
            return
        article.doc_id = listed.row.doc_id
        article.published_at = article.published_at or listed.row.time  # a page with no date of its own
        article.stocks = list(dict.fromkeys([*article.stocks, *listed.symbols]))
        channel = self.home_of(article.doc_id)
        article.categories = list(channel.categories)
        article.roll_channel = channel.name
        article.body_mode = channel.body_mode
        yield article

    def home_of(self, doc_id: str) -> Channel:
        """The channel an article was first written under (refetch), while the table has it."""
        known = self.state.article(doc_id)
        return self.table.get(known.channel or "", self.home) if known else self.home

    def article_failed(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        if request is not None and "listed" in request.cb_kwargs:
            listed = request.cb_kwargs["listed"]
            for scan in listed.scans:
                scan.failed.append(int(listed.row.time.timestamp()))
        record_fetch_failure(self, failure)

    def closed(self, reason: str) -> None:
        """Each symbol's coverage after a finished run, and its line of the run summary."""
        stats = self.crawler.stats
        for symbol, current in self.scans.items():
            scan = current.scan
            note = f"{current.listed} listed in the window, {scan.pages_read} page(s) read"
            stats.set_value(f"stock_news/note/{symbol}", f"{note}; {current.note}" if current.note else note)
        if reason != "finished":
            self.logger.warning("Symbol marks not advanced: finish reason %s", reason)
            return
        for symbol, current in self.scans.items():
            key = MARK_PREFIX + symbol
            coverage = self.state.coverage(key)
            left = unread_left(coverage, [current.scan])
            if left and current.scan.truncated:
                oldest = datetime.fromtimestamp(min(low for low, _ in left), SHANGHAI)
                detail = f"{current.scan.truncated}; items down to {oldest:%Y-%m-%d %H:%M} still to list"
                stats.set_value(f"stock_news/truncated_detail/{symbol}", detail)
                self.logger.warning("Symbol %s: %s; the next run continues there", symbol, detail)
            self.state.save_coverage(key, settle(coverage, [current.scan]))
