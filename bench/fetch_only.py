"""The floor of a crawl: a spider that fetches the given URLs and does nothing with them.

    scrapy runspider bench/fetch_only.py -a url_file=urls.txt -s SINA_MIRROR=…

Used by bench/crawl.py to compare ``sina_article`` with the cost of fetching alone (same
settings, same mirror, same URLs).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import scrapy


class FetchOnlySpider(scrapy.Spider):
    name = "fetch_only"

    def __init__(self, url_file: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = Path(url_file).read_text(encoding="utf-8").split()

    async def start(self) -> Any:
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse)

    def parse(self, response: scrapy.http.Response) -> Iterator[Any]:
        return iter(())
