"""ValidateArticlePipeline: drop, with a named and counted reason, what cannot become a post."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

REQUIRED_TEXT = ("url", "doc_id", "title", "body_html")
# Sina's clocks and ours may disagree a little; a publish time further ahead is a misreading.
FUTURE_TOLERANCE = timedelta(days=1)


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


def problem(adapter: ItemAdapter, now: datetime | None = None) -> str | None:
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
    if published > (now or datetime.now(published.tzinfo)) + FUTURE_TOLERANCE:
        return "future_published_at"
    return None
