"""From a Scrapy response to an Article: the reading step both spiders share.

Hands the bytes to the framework-free readers (crawler.sina.pages); counts and logs a page that is
not an article, and a request that could not be fetched, under named stats.

With ``PARSE_PROCESSES`` > 0 the page is read in a worker process (crawler.plumbing.workers).
"""

from __future__ import annotations

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.items import Article
from crawler.plumbing.workers import workers
from crawler.sina.pages import read_page


async def read_article(spider: scrapy.Spider, response: Response) -> Article | None:
    """The article on the page, or None (counted as ``article/not_article/<reason>``)."""
    content_type = response.headers.get("Content-Type")
    headers = {"Content-Type": content_type.decode("latin-1")} if content_type else None
    result = await workers(spider.crawler).run(read_page, response.url, response.body, headers)
    if isinstance(result, Article):
        spider.crawler.stats.inc_value("article/parsed")
        return result
    spider.crawler.stats.inc_value(f"article/not_article/{result.reason}")
    spider.logger.warning("Not an article (%s): %s", result, response.url)
    return None


def record_fetch_failure(spider: scrapy.Spider, failure: Failure) -> None:
    request = getattr(failure, "request", None)
    url = request.url if request is not None else "?"
    spider.crawler.stats.inc_value(f"article/fetch_failed/{failure.type.__name__}")
    spider.logger.error("Could not fetch %s: %s", url, failure.getErrorMessage())
