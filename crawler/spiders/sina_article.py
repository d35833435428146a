"""``scrapy crawl sina_article -a urls=URL[,URL…]`` or ``-a url_file=PATH``: fetch given pages."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.items import Article
from crawler.reading import read_article, record_fetch_failure


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
        article = read_article(self, response)
        if article is not None:
            yield article

    def fetch_failed(self, failure: Failure) -> None:
        record_fetch_failure(self, failure)

