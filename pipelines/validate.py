"""ValidateArticlePipeline: drop, with a named and counted reason, what cannot become a post."""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

REQUIRED_TEXT = ("url", "doc_id", "title", "body_html")


class ValidateArticlePipeline:
    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidateArticlePipeline:
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        reason = problem(ItemAdapter(item))
        if reason:
            self.stats.inc_value(f"article/dropped/{reason}")
            raise DropItem(f"{reason}: {ItemAdapter(item).get('url')}")
        return item


def problem(adapter: ItemAdapter) -> str | None:
    """The first reason this item cannot be written, or None."""
    for name in REQUIRED_TEXT:
        value = adapter.get(name)
        if not isinstance(value, str) or not value.strip():
            return f"missing_{name}"
    published = adapter.get("published_at")
    if published is None:
        return "missing_published_at"
    if published.tzinfo is None:
        return "naive_published_at"
    return None
