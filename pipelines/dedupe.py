"""DedupeArticlePipeline: one item per doc id per run (the same story sits in many lists)."""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector


class DedupeArticlePipeline:
    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats
        self.seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupeArticlePipeline:
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        doc_id = ItemAdapter(item)["doc_id"]
        if doc_id in self.seen:
            self.stats.inc_value("article/dropped/duplicate")
            raise DropItem(f"duplicate: doc id {doc_id} already handled in this run")
        self.seen.add(doc_id)
        return item
