"""``scrapy crawl sina_article -a urls=URL[,URL…]`` or ``-a url_file=PATH``: fetch given pages."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.items import Article
from crawler.pages import read_page


class SinaArticleSpider(scrapy.Spider):
    name = "sina_article"
    allowed_domains = ["sina.com.cn", "sina.cn"]

    def __init__(self, urls: str = "", url_file: str = "", *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.page_urls = [u.strip() for u in urls.split(",") if u.strip()]
        if url_file:
            lines = Path(url_file).read_text(encoding="utf-8").splitlines()
            self.page_urls += [line.strip() for line in lines if line.strip() and not line.startswith("#")]
        if not self.page_urls:
            raise ValueError("sina_article needs -a urls=URL[,URL…] or -a url_file=PATH")

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.page_urls:
            yield scrapy.Request(url, callback=self.parse_article, errback=self.fetch_failed)

    def parse_article(self, response: Response) -> Iterator[Article]:
        yield from read_article(self, response)

    def fetch_failed(self, failure: Failure) -> None:
        record_fetch_failure(self, failure)


def read_article(spider: scrapy.Spider, response: Response) -> Iterator[Article]:
    """Hand the page to the readers; count and log a page that is not an article."""
    content_type = response.headers.get("Content-Type")
    headers = {"Content-Type": content_type.decode("latin-1")} if content_type else None
    result = read_page(response.url, response.body, headers)
    if isinstance(result, Article):
        spider.crawler.stats.inc_value("article/parsed")
        yield result
        return
    spider.crawler.stats.inc_value(f"article/not_article/{result.reason}")
    spider.logger.warning("Not an article (%s): %s", result, response.url)


def record_fetch_failure(spider: scrapy.Spider, failure: Failure) -> None:
    request = getattr(failure, "request", None)
    url = request.url if request is not None else "?"
    spider.crawler.stats.inc_value(f"article/fetch_failed/{failure.type.__name__}")
    spider.logger.error("Could not fetch %s: %s", url, failure.getErrorMessage())
