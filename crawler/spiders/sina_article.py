"""``scrapy crawl sina_article -a urls=URL[,URL…]`` or ``-a url_file=PATH``: fetch given pages.

The arguments follow ``crawler.plumbing.arguments.ARTICLE_ARGUMENTS``. An entry that is not an http(s)
URL of a Sina host is logged as a warning, counted as ``article/dropped/bad_url/<reason>`` and
skipped; the other entries are fetched.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.distributed import takes_the_listing
from crawler.items import Article
from crawler.plumbing.arguments import ARTICLE_ARGUMENTS, url_problem
from crawler.plumbing.reading import read_article, record_fetch_failure

WHY = {
    "not_a_url": "not a URL",
    "not_http": "not an http(s) URL",
    "not_sina": "not a Sina host (*.sina.com.cn, *.sina.cn)",
}


class SinaArticleSpider(scrapy.Spider):
    name = "sina_article"
    allowed_domains = ["sina.com.cn", "sina.cn"]
    arguments = ARTICLE_ARGUMENTS

    def __init__(self, urls: str = "", url_file: str = "", *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        values = self.arguments.check({"urls": urls, "url_file": url_file})
        self.page_urls: list[str] = values["urls"] + values["url_file"]

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if not takes_the_listing(self.crawler):
            return  # another process of the distributed run pushed the list
        for url in self.page_urls:
            problem = url_problem(url)
            if problem is None:
                yield scrapy.Request(url, callback=self.parse_article, errback=self.fetch_failed)
                continue
            self.crawler.stats.inc_value(f"article/dropped/bad_url/{problem}")
            self.logger.warning("Bad URL skipped (%s: %s): %s", problem, WHY[problem], url)

    async def parse_article(self, response: Response) -> AsyncIterator[Article]:
        article = await read_article(self, response)
        if article is not None:
            yield article

    def fetch_failed(self, failure: Failure) -> None:
        record_fetch_failure(self, failure)
