"""RememberPipeline: record each article in the crawl state once its post file is in place."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler

from crawler.state import CrawlState


class RememberPipeline:
    def __init__(self, state_path: str) -> None:
        self.state_path = state_path
        self.state: CrawlState | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RememberPipeline:
        return cls(crawler.settings.get("STATE_PATH"))

    def open_spider(self) -> None:
        self.state = CrawlState(self.state_path)

    def close_spider(self) -> None:
        if self.state is not None:
            self.state.close()

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        path = Path(adapter["output_path"])
        listing = adapter.get("listing")
        assert self.state is not None
        self.state.record(
            doc_id=adapter["doc_id"],
            url=adapter["url"],
            output_path=str(path),
            content_hash=hashlib.sha256(path.read_bytes()).hexdigest(),
            mtime=int(listing.mtime.timestamp()) if listing else None,
            status="written",
        )
        return item
